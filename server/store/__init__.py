"""The query engines behind the endpoint and the tools, with no web framework (read side).

``Store`` (the protocol every engine implements) and the engine errors are importable from
here; the engines themselves are in ``engines`` (embedded pyoxigraph and rdflib: opening a
built dataset, its version), ``workers`` (the same stores in worker processes that can be
killed when a query overruns), ``remote`` (an external SPARQL endpoint), ``live`` (a store
that takes updates and journals them), ``gsp`` (a Graph Store Protocol client for
``cdkg push``). ``results``, ``rdfxml`` and ``negotiation`` write and name the result formats;
``sparql_text`` reads a query's text before an engine does. Nothing here imports Flask, so
``cdkg query``, ``check`` and ``export`` — and any Python script — open a store without it.
"""

from .base import QueryOptions, Store
from .errors import EngineUnavailable, NotRepresentable, QueryError, QueryTimeout, ResultTooLarge

__all__ = [
    "EngineUnavailable",
    "NotRepresentable",
    "QueryError",
    "QueryOptions",
    "QueryTimeout",
    "ResultTooLarge",
    "Store",
]
