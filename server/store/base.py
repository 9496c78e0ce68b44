"""The store interface the server talks to, whatever engine is behind it.

Like Prez's repository interface: route code depends on this protocol only; the embedded
pyoxigraph store, rdflib's engine and a remote SPARQL endpoint implement it (see
``cdkg.server.store.engines``). Two levels are offered:

* ``execute`` — protocol level, for /sparql: the engine serialises results itself in the
  negotiated format, so the endpoint adds no per-row Python work;
* ``select`` / ``ask`` / ``construct`` — for pages, search and named-query tooling, returning
  rdflib terms and graphs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rdflib import Graph
from rdflib.term import Node


@dataclass(frozen=True)
class QueryOptions:
    """Per-request options from the SPARQL 1.1 Protocol and the server's limits."""

    default_graph_uris: Sequence[str] = ()
    named_graph_uris: Sequence[str] = ()
    timeout_s: float | None = None
    max_rows: int | None = None
    base_iri: str | None = None
    """What relative IRIs in the query resolve against unless it declares its own BASE: the
    endpoint's URL (SPARQL 1.1 Protocol §2.1.4 lets the service choose; W3C protocol test
    update_base_uri expects the endpoint)."""
    dataset_clause: bool | None = None
    """Whether the query names its own dataset (FROM / FROM NAMED), when the caller has read
    the text already (``cdkg.server.store.sparql_text.analyse``); None: the engine reads it."""


class Store(Protocol):
    """What the server needs from a SPARQL engine."""

    name: str

    @property
    def version(self) -> str:
        """Dataset version (used for ETags); changes whenever the data change."""
        ...

    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        """Run a SPARQL query and serialise the result as ``media_type``; returns the
        (content type, body). Raises QueryError, QueryTimeout."""
        ...

    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        """Rows of a SELECT as dicts of rdflib terms (unbound variables are absent)."""
        ...

    def ask(self, query: str, options: QueryOptions | None = None) -> bool: ...

    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        """CONSTRUCT/DESCRIBE result as an rdflib Graph."""
        ...

    def graph_sizes(self) -> dict[str, int]:
        """Triple count per named graph IRI."""
        ...
