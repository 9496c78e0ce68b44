"""The SPARQL 1.1 Protocol at /sparql, driven by SPARQLWrapper against a live waitress server.

Every result format with every method (GET, POST form, POST direct); answers are parsed back
before asserting, and a real Chinese label from data/raw/chongqing.txt must survive each.
"""

from __future__ import annotations

import csv
import io
import json
from xml.dom.minidom import Document

import pyoxigraph as ox
import pytest
import rdflib
from conftest import (
    DUTY_3,
    DUTY_3_LABEL,
    DUTY_6,
    DUTY_6_LABEL,
    GRAPH_CHONGQING,
    GRAPH_SICHUAN,
    LiveServer,
)
from SPARQLWrapper import (
    CSV,
    GET,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)

# (HTTP method, request method) as SPARQLWrapper names them: GET, POST form, POST direct.
METHODS = {
    "get": (GET, URLENCODED),
    "post-form": (POST, URLENCODED),
    "post-direct": (POST, POSTDIRECTLY),
}

SELECT_DUTY_6 = """
SELECT ?duty ?label ?number WHERE {
  ?duty a cd:Duty ; rdfs:label ?label ; cd:number ?number .
  FILTER(CONTAINS(?label, "禁毒宣传"))
}
"""
CONSTRUCT_DUTY_6 = (
    f"CONSTRUCT {{ ?d rdfs:label ?l }} WHERE {{ BIND(<{DUTY_6}> AS ?d) ?d rdfs:label ?l }}"
)


def wrapper(
    server: LiveServer, query: str, return_format: str, method: str, conneg_only: bool = False
) -> SPARQLWrapper:
    client = SPARQLWrapper(server.endpoint)
    client.setQuery(query)
    client.setReturnFormat(return_format)
    http_method, request_method = METHODS[method]
    client.setMethod(http_method)
    client.setRequestMethod(request_method)
    client.setOnlyConneg(conneg_only)
    return client


def tsv_rows(body: bytes) -> list[dict[str, str]]:
    """TSV results parsed by pyoxigraph (terms compared by value)."""
    solutions = ox.parse_query_results(body, ox.QueryResultsFormat.TSV)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]


@pytest.mark.parametrize("method", METHODS)
def test_select_json(live_server: LiveServer, method: str) -> None:
    result = wrapper(live_server, SELECT_DUTY_6, JSON, method).queryAndConvert()
    assert isinstance(result, dict)
    (binding,) = result["results"]["bindings"]
    assert binding["duty"] == {"type": "uri", "value": DUTY_6}
    assert binding["label"] == {"type": "literal", "value": DUTY_6_LABEL, "xml:lang": "zh"}
    assert binding["number"]["value"] == "6"


@pytest.mark.parametrize("method", METHODS)
def test_select_xml(live_server: LiveServer, method: str) -> None:
    document = wrapper(live_server, SELECT_DUTY_6, XML, method).queryAndConvert()
    assert isinstance(document, Document)
    literals = [node.firstChild.data for node in document.getElementsByTagName("literal")]
    assert DUTY_6_LABEL in literals
    uris = [node.firstChild.data for node in document.getElementsByTagName("uri")]
    assert uris == [DUTY_6]


@pytest.mark.parametrize("method", METHODS)
def test_select_csv(live_server: LiveServer, method: str) -> None:
    body = wrapper(live_server, SELECT_DUTY_6, CSV, method).queryAndConvert()
    assert isinstance(body, bytes)
    rows = list(csv.DictReader(io.StringIO(body.decode("utf-8"))))
    assert rows == [{"duty": DUTY_6, "label": DUTY_6_LABEL, "number": "6"}]


@pytest.mark.parametrize("method", METHODS)
def test_select_tsv(live_server: LiveServer, method: str) -> None:
    body = wrapper(live_server, SELECT_DUTY_6, TSV, method).queryAndConvert()
    assert isinstance(body, bytes)
    assert f'"{DUTY_6_LABEL}"@zh'.encode() in body  # UTF-8 as is, no \u escapes
    assert tsv_rows(body) == [{"duty": DUTY_6, "label": DUTY_6_LABEL, "number": "6"}]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("return_format", [JSON, XML])
def test_ask(live_server: LiveServer, method: str, return_format: str) -> None:
    yes = wrapper(live_server, f"ASK {{ <{DUTY_3}> rdfs:label ?l }}", return_format, method)
    no = wrapper(live_server, "ASK { ?d cd:number 999 }", return_format, method)
    if return_format == JSON:
        assert yes.queryAndConvert()["boolean"] is True  # type: ignore[index]
        assert no.queryAndConvert()["boolean"] is False  # type: ignore[index]
    else:
        for client, text in ((yes, "true"), (no, "false")):
            document = client.queryAndConvert()
            assert isinstance(document, Document)
            assert document.getElementsByTagName("boolean")[0].firstChild.data == text


def _label_in(graph: rdflib.Graph) -> str:
    labels = [str(o) for o in graph.objects(rdflib.URIRef(DUTY_6), rdflib.RDFS.label)]
    assert len(labels) == 1
    return labels[0]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("return_format", "rdflib_format"),
    [(TURTLE, "turtle"), (N3, "turtle"), (RDFXML, "xml"), (JSONLD, "json-ld")],
)
def test_construct(
    live_server: LiveServer, method: str, return_format: str, rdflib_format: str
) -> None:
    client = wrapper(live_server, CONSTRUCT_DUTY_6, return_format, method)
    response = client.query()
    body = response.response.read()
    assert DUTY_6_LABEL.encode("utf-8") in body  # no \uXXXX in any of them
    graph = rdflib.Graph().parse(data=body.decode("utf-8"), format=rdflib_format)
    assert _label_in(graph) == DUTY_6_LABEL


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(
    ("media_type", "rdflib_format"),
    [("application/n-triples", "nt"), ("application/n-quads", "nquads")],
)
def test_construct_line_formats(
    live_server: LiveServer, method: str, media_type: str, rdflib_format: str
) -> None:
    client = wrapper(live_server, CONSTRUCT_DUTY_6, TURTLE, method, conneg_only=True)
    client.addCustomHttpHeader("Accept", media_type)
    response = client.query()
    assert response.response.headers["Content-Type"] == f"{media_type}; charset=utf-8"
    body = response.response.read().decode("utf-8")
    graph = rdflib.Dataset().parse(data=body, format=rdflib_format)
    assert _label_in(graph) == DUTY_6_LABEL  # type: ignore[arg-type]


def test_describe(live_server: LiveServer) -> None:
    client = wrapper(live_server, f"DESCRIBE <{DUTY_3}>", TURTLE, "get")
    body = client.query().response.read().decode("utf-8")
    graph = rdflib.Graph().parse(data=body, format="turtle")
    assert str(graph.value(rdflib.URIRef(DUTY_3), rdflib.RDFS.label)) == DUTY_3_LABEL
    citation = graph.value(
        rdflib.URIRef(DUTY_3), rdflib.URIRef("https://w3id.org/cdkg/ontology#citationText")
    )
    assert str(citation).startswith("《居住证暂行条例》第七条、第八条")


def _select(server: LiveServer, query: str, **graphs: list[str]) -> list[dict[str, str]]:
    client = wrapper(server, query, JSON, "get")
    for uri in graphs.get("default", []):
        client.addDefaultGraph(uri)
    for uri in graphs.get("named", []):
        client.addNamedGraph(uri)
    result = client.queryAndConvert()
    return [{k: v["value"] for k, v in row.items()} for row in result["results"]["bindings"]]  # type: ignore[index]


COUNT_DUTIES = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a cd:Duty }"
DUTIES_BY_GRAPH = """
SELECT ?g (COUNT(DISTINCT ?d) AS ?n) WHERE { GRAPH ?g { ?d a cd:Duty } } GROUP BY ?g ORDER BY ?g
"""


def test_default_graph_is_the_union(live_server: LiveServer) -> None:
    assert _select(live_server, COUNT_DUTIES) == [{"n": "5"}]


def test_graph_reaches_each_catalog(live_server: LiveServer) -> None:
    assert _select(live_server, DUTIES_BY_GRAPH) == [
        {"g": GRAPH_CHONGQING, "n": "2"},
        {"g": GRAPH_SICHUAN, "n": "3"},
    ]


def test_default_graph_uri(live_server: LiveServer) -> None:
    assert _select(live_server, COUNT_DUTIES, default=[GRAPH_SICHUAN]) == [{"n": "3"}]
    assert _select(live_server, COUNT_DUTIES, default=[GRAPH_SICHUAN, GRAPH_CHONGQING]) == [
        {"n": "5"}
    ]


def test_named_graph_uri(live_server: LiveServer) -> None:
    rows = _select(live_server, DUTIES_BY_GRAPH, named=[GRAPH_CHONGQING])
    assert rows == [{"g": GRAPH_CHONGQING, "n": "2"}]
    # only named graphs given: the default graph is empty (SPARQL 1.1 Protocol §2.1.4)
    assert _select(live_server, COUNT_DUTIES, named=[GRAPH_CHONGQING]) == [{"n": "0"}]


def test_from_in_the_query(live_server: LiveServer) -> None:
    query = f"SELECT (COUNT(DISTINCT ?d) AS ?n) FROM <{GRAPH_CHONGQING}> WHERE {{ ?d a cd:Duty }}"
    assert _select(live_server, query) == [{"n": "2"}]


def test_predeclared_prefixes_and_own_prefix_wins(live_server: LiveServer) -> None:
    assert _select(live_server, "SELECT ?x WHERE { BIND(skos:Concept AS ?x) }") == [
        {"x": "http://www.w3.org/2004/02/skos/core#Concept"}
    ]
    own = "PREFIX cd: <http://example.org/other#> SELECT (COUNT(*) AS ?n) { ?d a cd:Duty }"
    assert _select(live_server, own) == [{"n": "0"}]


def test_format_parameter_over_accept(live_server: LiveServer) -> None:
    import urllib.parse
    import urllib.request

    url = f"{live_server.endpoint}?" + urllib.parse.urlencode(
        {"query": SELECT_DUTY_6, "format": "csv"}
    )
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+xml"})
    with urllib.request.urlopen(request) as response:
        assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert DUTY_6_LABEL in response.read().decode("utf-8")


def test_same_answers_from_the_rdflib_engine(
    live_server: LiveServer, live_rdflib_server: LiveServer
) -> None:
    for query in (COUNT_DUTIES, DUTIES_BY_GRAPH, SELECT_DUTY_6):
        assert _select(live_rdflib_server, query) == _select(live_server, query)
    assert _select(live_rdflib_server, COUNT_DUTIES, default=[GRAPH_SICHUAN]) == [{"n": "3"}]
    rows = _select(live_rdflib_server, DUTIES_BY_GRAPH, named=[GRAPH_CHONGQING])
    assert rows == [{"g": GRAPH_CHONGQING, "n": "2"}]


def test_json_keeps_utf8(live_server: LiveServer) -> None:
    body = wrapper(live_server, SELECT_DUTY_6, JSON, "get").query().response.read()
    assert DUTY_6_LABEL.encode("utf-8") in body
    assert json.loads(body)["results"]["bindings"][0]["label"]["value"] == DUTY_6_LABEL
