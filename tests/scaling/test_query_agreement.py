"""Every named query gives the same answer on the embedded store, Oxigraph server and Virtuoso.

The queries of queries/ (the library, as it is when the tests run) and a few fixed ones that
exercise what engines tend to differ on — language tags, numbers from aggregates, GRAPH,
OPTIONAL, CONSTRUCT — run unchanged through ``RemoteStore`` (the code behind ``cdkg serve
--upstream``) and on cdkg's embedded store. Answers are compared parsed, never as bytes:
Virtuoso escapes non-ASCII in its JSON and lower-cases language tags, and an engine may type
a number differently (so numbers compare by value, language tags case-blind, blank nodes as
alike, and a boolean as the number 1 or 0: Virtuoso answers ``?a = ?b`` with 1/0 of type
xsd:integer). Rows compare as multisets: engines may order ties differently.

Known differences, with their reasons, are in ``KNOWN`` (conftest.py); they are expected
failures (not strict: a query rewritten to avoid one shows as XPASS, and its entry can go).
"""

from __future__ import annotations

import time
from collections import Counter
from decimal import Decimal, InvalidOperation

import pytest
from conftest import KNOWN, ROOT, SparqlServer, record
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdkg.queries.library import load_library
from cdkg.server.store import QueryOptions
from cdkg.server.store.engines import OxigraphStore
from cdkg.server.store.remote import RemoteStore
from cdkg.server.store.sparql_text import analyse

XSD = "http://www.w3.org/2001/XMLSchema#"
NUMERIC = {
    XSD + name
    for name in [
        "integer",
        "decimal",
        "double",
        "float",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "negativeInteger",
        "nonPositiveInteger",
        "unsignedLong",
        "unsignedInt",
    ]
}

FIXED = {
    "labels-by-language": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cd: <https://w3id.org/cdkg/ontology#>
SELECT ?class ?label (lang(?label) AS ?lang) WHERE {
  ?class a <http://www.w3.org/2002/07/owl#Class> ; rdfs:label ?label .
  FILTER(STRSTARTS(STR(?class), STR(cd:)))
}""",
    "duties-per-graph": """PREFIX cd: <https://w3id.org/cdkg/ontology#>
SELECT ?g (COUNT(DISTINCT ?duty) AS ?n) (AVG(?line) AS ?meanLine) WHERE {
  GRAPH ?g { ?duty a cd:Duty . OPTIONAL { ?duty cd:sourceLine ?line } }
} GROUP BY ?g""",
    "duty-6": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?p ?o WHERE { <https://w3id.org/cdkg/id/duty/chongqing/assistance/6> ?p ?o }""",
    "ask-duty-6": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
ASK {
  <https://w3id.org/cdkg/id/duty/chongqing/assistance/6>
    rdfs:label "协助开展禁毒宣传、落实禁毒防范措施"@zh
}""",
    "construct-catalogs": """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
CONSTRUCT { ?catalog cd:jurisdiction ?j . ?j rdfs:label ?label }
WHERE { ?catalog cd:jurisdiction ?j . OPTIONAL { ?j rdfs:label ?label } }""",
}


def library() -> dict[str, str]:
    queries = {name: query.text for name, query in load_library(ROOT / "queries").items()}
    return {**queries, **{f"fixed:{name}": text for name, text in FIXED.items()}}


QUERIES = library()


def key(term: Node) -> tuple[str, ...]:
    if isinstance(term, URIRef):
        return ("iri", str(term))
    if isinstance(term, BNode):
        return ("bnode",)
    assert isinstance(term, Literal)
    if term.language:
        return ("lang", str(term), term.language.lower())
    datatype = str(term.datatype) if term.datatype else XSD + "string"
    if datatype == XSD + "boolean":
        return ("number", "1" if str(term) in ("true", "1") else "0")
    if datatype in NUMERIC:
        try:
            return ("number", format(Decimal(str(term)).normalize(), "f"))
        except InvalidOperation:
            return ("number", str(term))
    return ("typed", str(term), datatype)


def rounded(row: dict[str, Node]) -> frozenset[tuple[str, tuple[str, ...]]]:
    out = []
    for name, value in row.items():
        term = key(value)
        if term[0] == "number" and "." in term[1]:  # averages: engines differ past 10 digits
            term = ("number", str(round(Decimal(term[1]), 10).normalize()))
        out.append((name, term))
    return frozenset(out)


def answer(store: OxigraphStore | RemoteStore, text: str) -> object:
    """A comparable answer: a multiset of rows, a boolean, or a multiset of triples."""
    form = analyse(text).form
    options = QueryOptions(timeout_s=120)
    if form == "ASK":
        return store.ask(text, options)
    if form in ("CONSTRUCT", "DESCRIBE"):
        graph: Graph = store.construct(text, options)
        return Counter((key(s), key(p), key(o)) for s, p, o in graph)
    return Counter(rounded(row) for row in store.select(text, options))


@pytest.fixture(scope="module")
def reference(embedded: OxigraphStore) -> dict[str, object]:
    return {name: answer(embedded, text) for name, text in QUERIES.items()}


def test_the_library_is_not_empty() -> None:
    assert QUERIES, "no queries to compare"


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_same_answer_as_the_embedded_store(
    name: str,
    loaded: SparqlServer,
    reference: dict[str, object],
    request: pytest.FixtureRequest,
) -> None:
    text = QUERIES[name]
    if analyse(text).form == "DESCRIBE":
        pytest.skip("DESCRIBE answers are engine-defined")
    known = KNOWN.get((loaded.name, name))
    if known:
        request.applymarker(pytest.mark.xfail(reason=known, strict=False))
    store = loaded.remote(timeout_s=120)
    started = time.perf_counter()
    got = answer(store, text)
    seconds = time.perf_counter() - started
    expected = reference[name]
    size = len(expected) if isinstance(expected, Counter) else expected
    record(f"query {name} on {loaded.name}", f"{seconds * 1000:.0f} ms, answer size {size}")
    assert got == expected, _difference(got, expected)


def _difference(got: object, expected: object) -> str:
    if isinstance(got, Counter) and isinstance(expected, Counter):
        extra = list((got - expected).elements())[:5]
        missing = list((expected - got).elements())[:5]
        return f"extra on the server: {extra}\nmissing on the server: {missing}"
    return f"server {got!r}, embedded {expected!r}"
