"""The same answers from pyoxigraph and rdflib: every named query in queries/ and a set of
questions exercising the protocol's dataset rules."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import rdflib
from conftest import GRAPH_CHONGQING, GRAPH_SICHUAN, ROOT
from rdflib.compare import isomorphic

from cdkg.loaders.layout import ProjectPaths
from cdkg.queries.library import load_library
from cdkg.server.store import QueryError, QueryOptions
from cdkg.server.store import negotiation as n
from cdkg.server.store.engines import OxigraphStore, RdflibStore
from cdkg.server.store.sparql_text import analyse
from cdkg.server.store.workers import WorkerPoolStore

LIBRARY = load_library(ROOT / "queries")

QUESTIONS = {
    "duties": "SELECT ?d ?label WHERE { ?d a cd:Duty ; rdfs:label ?label }",
    "by-graph": "SELECT ?g (COUNT(?d) AS ?n) WHERE { GRAPH ?g { ?d a cd:Duty } } GROUP BY ?g",
    "optional": """SELECT ?d ?desc WHERE { ?d a cd:AssistanceDuty
                   OPTIONAL { ?d cd:description ?desc } }""",
    "filter-lang": """SELECT ?j ?l WHERE {
                      ?j a cd:Jurisdiction ; rdfs:label ?l FILTER(lang(?l) = "en") }""",
    "contains": 'SELECT ?d WHERE { ?d cd:citationText ?c FILTER(CONTAINS(?c, "禁毒法")) }',
    "from": f"SELECT ?d FROM <{GRAPH_SICHUAN}> WHERE {{ ?d a cd:Duty }}",
    "not-exists": "SELECT ?d WHERE { ?d a cd:Duty FILTER NOT EXISTS { ?d cd:description ?x } }",
    "order-limit": "SELECT ?d ?line WHERE { ?d cd:sourceLine ?line } ORDER BY DESC(?line) LIMIT 2",
}


def _rows(store: OxigraphStore | RdflibStore, query: str, options: QueryOptions) -> Counter[str]:
    _, body = store.execute(query, n.SPARQL_JSON.media_type, options)
    bindings = json.loads(body)["results"]["bindings"]
    return Counter(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in bindings)


@pytest.mark.parametrize("name", sorted(QUESTIONS))
def test_questions(oxigraph_store: OxigraphStore, rdflib_store: RdflibStore, name: str) -> None:
    query = QUESTIONS[name]
    expected = _rows(oxigraph_store, query, QueryOptions())
    assert expected, "a question with no answer compares nothing"
    assert _rows(rdflib_store, query, QueryOptions()) == expected


@pytest.mark.parametrize(
    "options",
    [
        QueryOptions(default_graph_uris=(GRAPH_CHONGQING,)),
        QueryOptions(named_graph_uris=(GRAPH_SICHUAN,)),
        QueryOptions(default_graph_uris=(GRAPH_SICHUAN,), named_graph_uris=(GRAPH_CHONGQING,)),
    ],
)
def test_protocol_dataset(
    oxigraph_store: OxigraphStore, rdflib_store: RdflibStore, options: QueryOptions
) -> None:
    query = "SELECT ?g ?d WHERE { { ?d a cd:Duty } UNION { GRAPH ?g { ?d a cd:Duty } } }"
    assert _rows(rdflib_store, query, options) == _rows(oxigraph_store, query, options)


@pytest.mark.parametrize("name", sorted(LIBRARY) or ["(queries/ is empty)"])
def test_named_queries(oxigraph_store: OxigraphStore, rdflib_store: RdflibStore, name: str) -> None:
    if name not in LIBRARY:
        pytest.skip("no named queries yet")
    query = LIBRARY[name].text
    if analyse(query).form in ("CONSTRUCT", "DESCRIBE"):  # read by the lexer, not comments
        left = oxigraph_store.construct(query)
        right = rdflib_store.construct(query)
        assert isomorphic(left, right)
    else:
        assert _rows(rdflib_store, query, QueryOptions()) == _rows(
            oxigraph_store, query, QueryOptions()
        )


def test_ask_and_construct(oxigraph_store: OxigraphStore, rdflib_store: RdflibStore) -> None:
    ask = "ASK { ?d cd:number 6 }"
    assert oxigraph_store.ask(ask) is rdflib_store.ask(ask) is True
    construct = "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d a cd:Duty ; rdfs:label ?l }"
    left, right = oxigraph_store.construct(construct), rdflib_store.construct(construct)
    assert len(left) == 5 and isomorphic(left, right)


def test_select_helpers_agree(oxigraph_store: OxigraphStore, rdflib_store: RdflibStore) -> None:
    query = QUESTIONS["duties"]

    def as_set(rows: list[dict[str, rdflib.term.Node]]) -> set[tuple[str, str]]:
        return {(str(r["d"]), str(r["label"])) for r in rows}

    assert as_set(oxigraph_store.select(query)) == as_set(rdflib_store.select(query))


@pytest.mark.parametrize("engine", ["oxigraph_store", "rdflib_store", "pool"])
def test_errors_are_query_errors(
    request: pytest.FixtureRequest, engine: str, built_paths: ProjectPaths
) -> None:
    store: OxigraphStore | RdflibStore | WorkerPoolStore = request.getfixturevalue(engine)
    for bad in ("SELECT * WHERE { ?s ?p }", "SELECT * WHERE { ?s nope:p ?o }"):
        with pytest.raises(QueryError):
            store.execute(bad, n.SPARQL_JSON.media_type, QueryOptions())
    with pytest.raises(QueryError, match="cannot be written"):
        store.execute("ASK {}", n.TURTLE.media_type, QueryOptions())
    with pytest.raises(QueryError):
        store.select("ASK {}")
    manifest = json.loads((built_paths.current / "manifest.json").read_text())
    assert store.graph_sizes() == manifest["graphs"]
