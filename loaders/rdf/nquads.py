"""N-Quads lines straight from rdflib terms, byte for byte as rdflib writes them.

The scalable build never holds an rdflib Graph: the graph builder (``cdkg.loaders.rdf.graph``)
writes each triple into a :class:`LineSink`, which turns it into the N-Quads line rdflib's own
serializer would write (``rdflib.plugins.serializers.nquads``), keeps each line once per graph,
and hands the terms, already written as N-Triples tokens, to an observer (the reasoner). The
published ``dataset.nq`` is these lines, sorted; so it is the same file the rdflib build wrote.

>>> from rdflib import Literal, URIRef
>>> sink = LineSink(URIRef("http://example.org/g"))
>>> s, p = URIRef("http://example.org/s"), URIRef("http://example.org/p")
>>> sink.add((s, p, Literal("名", lang="zh")))
>>> sink.lines
['<http://example.org/s> <http://example.org/p> "名"@zh <http://example.org/g> .']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Protocol

from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

Triple = tuple[Node, Node, Node]


def quote(text: str) -> str:
    """A literal's lexical form in quotes, escaped as rdflib's N-Triples writer does."""
    if "\\" in text or "\n" in text or '"' in text or "\r" in text:
        text = text.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')
        text = text.replace("\r", "\\r")
    return f'"{text}"'


def token(term: Node) -> str:
    """One term as rdflib writes it in N-Quads: ``<iri>``, ``_:id``, or a quoted literal with
    ``@lang`` or ``^^<datatype>``."""
    if type(term) is URIRef:
        return f"<{term}>"
    if isinstance(term, Literal):
        if term.language:
            return f"{quote(term)}@{term.language}"
        if term.datatype:
            return f"{quote(term)}^^<{term.datatype}>"
        return quote(term)
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    raise TypeError(f"cannot write {term!r} in N-Quads")


class Observer(Protocol):
    """Sees every new triple of a graph as tokens
    (``cdkg.loaders.reasoning.rules.GraphRules``)."""

    def observe(self, subject: str, predicate: str, obj: str) -> None: ...


class LineSink:
    """A write-only graph: ``add`` as on an rdflib Graph, each distinct triple kept once as an
    N-Quads line of the graph ``identifier``."""

    def __init__(self, identifier: URIRef, observer: Observer | None = None) -> None:
        self.identifier = identifier
        self._graph = f" <{identifier}> ."
        self._observe: Callable[[str, str, str], None] | None = (
            observer.observe if observer is not None else None
        )
        self._seen: set[str] = set()
        self.lines: list[str] = []

    def add(self, triple: Triple) -> None:
        subject, predicate, obj = token(triple[0]), token(triple[1]), token(triple[2])
        line = f"{subject} {predicate} {obj}{self._graph}"
        if line in self._seen:
            return
        self._seen.add(line)
        self.lines.append(line)
        if self._observe is not None:
            self._observe(subject, predicate, obj)

    def __len__(self) -> int:
        return len(self.lines)

    def __contains__(self, triple_tokens: object) -> bool:
        """Whether ``"s p o"`` (tokens joined by single spaces) is one of this graph's lines."""
        return f"{triple_tokens}{self._graph}" in self._seen

    def __getstate__(self) -> dict[str, object]:
        """Pickled (a catalog's outcome coming back from a worker process) without its lines
        and its observer."""
        return {
            "identifier": self.identifier,
            "_graph": self._graph,
            "_observe": None,
            "_seen": set(),
            "lines": [],
        }

    def release(self) -> list[str]:
        """The lines, leaving the sink empty (the streaming build frees each graph's memory as
        soon as its lines are written)."""
        lines, self.lines, self._seen = self.lines, [], set()
        return lines


def graph_line(subject: str, predicate: str, obj: str, graph: str) -> str:
    """One N-Quads line from tokens and a graph IRI (not a token)."""
    return f"{subject} {predicate} {obj} <{graph}> ."


def lines_of(graph_iri: str, triples: Iterable[Triple]) -> list[str]:
    """The lines of an rdflib graph's triples in graph ``graph_iri``."""
    return [graph_line(token(s), token(p), token(o), graph_iri) for s, p, o in triples]
