"""Writing results (cdkg.server.store.results): lossless TSV route, the exact row cap, and Chinese
text kept as UTF-8 in every format, on both engines."""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox
import pytest
from conftest import DUTY_6, DUTY_6_LABEL

from cdkg.server.store import QueryOptions, ResultTooLarge, Store
from cdkg.server.store import negotiation as n
from cdkg.server.store.results import serialize_solutions, serialize_triples, to_oxigraph, to_rdflib

TRICKY = r"""
INSERT DATA { GRAPH <http://example.org/g> {
  <http://example.org/s> <http://example.org/p>
    "a\tb\nc\"d\\e"@zh-Hans, "NaN"^^<http://www.w3.org/2001/XMLSchema#double>, _:b1,
    "12345678901234567890"^^<http://www.w3.org/2001/XMLSchema#integer>, "x"^^<http://example.org/dt>,
    "", "多行\n文本" .
} }
"""


@pytest.fixture()
def tricky() -> ox.Store:
    store = ox.Store()
    store.update(TRICKY)
    return store


def _solutions(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return result


@pytest.mark.parametrize("fmt", [n.SPARQL_JSON, n.SPARQL_XML, n.SPARQL_TSV])
@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?o ?unbound WHERE { ?s ?p ?o }",
        "SELECT * {}",
        "SELECT * { FILTER(false) }",
        "SELECT ?x {}",
    ],
)
def test_the_tsv_route_is_lossless(tricky: ox.Store, fmt: n.Format, query: str) -> None:
    direct = _solutions(tricky, query).serialize(format=n.results_format(fmt))
    assert serialize_solutions(_solutions(tricky, query), fmt, None) == direct


def test_csv_route(tricky: ox.Store) -> None:
    """Every value read back by a strict CSV reader, the empty literal included (pyoxigraph
    writes that one-field row as an empty line, which readers skip)."""
    query = "SELECT ?o WHERE { ?s ?p ?o }"
    body = serialize_solutions(_solutions(tricky, query), n.SPARQL_CSV, None)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), strict=True))
    assert rows[0] == ["o"] and all(len(row) == 1 for row in rows)
    values = sorted(row[0] for row in rows[1:] if not row[0].startswith("_:"))
    assert values == sorted(['a\tb\nc"d\\e', "NaN", "12345678901234567890", "x", "", "多行\n文本"])
    assert sum(row[0].startswith("_:") for row in rows[1:]) == 1


def test_row_cap_is_exact(tricky: ox.Store) -> None:
    query = "SELECT ?o WHERE { ?s ?p ?o }"  # 7 rows, two literals with newlines
    assert serialize_solutions(_solutions(tricky, query), n.SPARQL_JSON, 7)
    with pytest.raises(ResultTooLarge, match="more than 6 rows"):
        serialize_solutions(_solutions(tricky, query), n.SPARQL_JSON, 6)
    triples = tricky.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    with pytest.raises(ResultTooLarge, match="more than 6 triples"):
        serialize_triples(triples, n.TURTLE, 6)  # type: ignore[arg-type]


def test_turtle_groups_by_subject_and_declares_used_prefixes_only(tricky: ox.Store) -> None:
    triples = tricky.query("CONSTRUCT WHERE { ?s ?p ?o }", use_default_graph_as_union=True)
    turtle = serialize_triples(triples, n.TURTLE, None).decode()  # type: ignore[arg-type]
    assert turtle.count("<http://example.org/s>") == 1
    assert "@prefix xsd:" in turtle and "@prefix cd:" not in turtle


def test_term_conversion_round_trips(tricky: ox.Store) -> None:
    for quad in tricky:
        for term in (quad.subject, quad.predicate, quad.object):
            assert to_oxigraph(to_rdflib(term)) == term


# --- Chinese text in every format, both engines ---------------------------------------------

SELECT_LABEL = f"SELECT ?label WHERE {{ <{DUTY_6}> rdfs:label ?label }}"
CONSTRUCT_LABEL = f"CONSTRUCT {{ <{DUTY_6}> rdfs:label ?l }} WHERE {{ <{DUTY_6}> rdfs:label ?l }}"


def _label_from_results(fmt: n.Format, body: bytes) -> str:
    text = body.decode("utf-8")
    if fmt is n.SPARQL_JSON:
        return str(json.loads(text)["results"]["bindings"][0]["label"]["value"])
    if fmt is n.SPARQL_CSV:
        return next(csv.DictReader(io.StringIO(text)))["label"]
    parsed = ox.parse_query_results(body, n.results_format(fmt))
    assert isinstance(parsed, ox.QuerySolutions)
    return str(next(iter(parsed))["label"].value)  # type: ignore[union-attr]


@pytest.mark.parametrize("engine", ["oxigraph_store", "rdflib_store"])
@pytest.mark.parametrize("fmt", n.RESULT_FORMATS, ids=lambda f: f.key)
def test_chinese_results(request: pytest.FixtureRequest, engine: str, fmt: n.Format) -> None:
    store: Store = request.getfixturevalue(engine)
    content_type, body = store.execute(SELECT_LABEL, fmt.media_type, QueryOptions())
    assert content_type == fmt.content_type
    assert DUTY_6_LABEL.encode("utf-8") in body
    assert b"\\u" not in body
    assert _label_from_results(fmt, body) == DUTY_6_LABEL


@pytest.mark.parametrize("engine", ["oxigraph_store", "rdflib_store"])
@pytest.mark.parametrize("fmt", n.GRAPH_FORMATS, ids=lambda f: f.key)
def test_chinese_graphs(request: pytest.FixtureRequest, engine: str, fmt: n.Format) -> None:
    store: Store = request.getfixturevalue(engine)
    content_type, body = store.execute(CONSTRUCT_LABEL, fmt.media_type, QueryOptions())
    assert content_type == fmt.content_type
    assert DUTY_6_LABEL.encode("utf-8") in body
    assert b"\\u" not in body
    quads = list(ox.parse(body, n.rdf_format(fmt)))
    assert [q.object.value for q in quads] == [DUTY_6_LABEL]  # type: ignore[union-attr]
