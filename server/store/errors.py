"""The errors an engine raises, whoever asked: the endpoint maps them to HTTP statuses
(``cdkg.server.errors``), ``cdkg query``, ``check``, ``export`` and ``push`` to messages and
exit codes. Kept here, below the web layer, so that opening a store never imports Flask.
"""

from __future__ import annotations


class QueryError(Exception):
    """The query is malformed or not allowed; ``message`` is shown to the user (400)."""


class QueryTimeout(Exception):
    """The query ran longer than the configured timeout."""


class ResultTooLarge(QueryError):
    """The result has more rows (SELECT) or triples (CONSTRUCT/DESCRIBE) than the cap."""


class NotRepresentable(QueryError):
    """The answer exists but the negotiated format cannot hold it (406): XML 1.0 has no way
    to carry U+0001, RDF/XML none to name the predicate ``http://example.org/1``. The same
    answer in another format (JSON, CSV, Turtle…) works, so it is the format, not the query,
    that is refused."""


class EngineUnavailable(Exception):
    """The query engine could not answer (a worker process died or could not start)."""
