"""Service description, VoID, downloads, health, metrics and the access log."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import re

import pytest
import rdflib
from conftest import DUTY_6_LABEL, LiveServer
from flask.testing import FlaskClient
from rdflib import RDF, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS

from cdkg.loaders.layout import ProjectPaths

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
FORMATS = Namespace("http://www.w3.org/ns/formats/")


def manifest_graphs(paths: ProjectPaths) -> dict[str, int]:
    graphs: dict[str, int] = json.loads((paths.current / "manifest.json").read_text())["graphs"]
    return graphs


@pytest.mark.parametrize(
    ("accept", "rdflib_format"),
    [("text/turtle", "turtle"), ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")],
)
def test_service_description(
    client: FlaskClient, built_paths: ProjectPaths, accept: str, rdflib_format: str
) -> None:
    response = client.get("/sparql", headers={"Accept": accept})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.data.decode("utf-8"), format=rdflib_format)
    service = URIRef("http://localhost/sparql")
    assert (service, RDF.type, SD.Service) in graph
    assert (service, SD.endpoint, service) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Query) in graph
    assert (service, SD.supportedLanguage, SD.SPARQL11Update) not in graph
    for fmt in ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "Turtle"):
        assert (service, SD.resultFormat, FORMATS[fmt]) in graph
    dataset = graph.value(service, SD.defaultDataset)
    assert dataset == URIRef("https://w3id.org/cdkg/id/dataset")  # the VoID's subject too
    assert set(graph.objects(dataset, DCTERMS.title)) == {
        Literal("社区工作事项知识图谱", lang="zh"),
        Literal("Community Duty Knowledge Graph", lang="en"),
    }
    named = {
        str(graph.value(n, SD.name)): int(graph.value(graph.value(n, SD.graph), VOID.triples))  # type: ignore[arg-type]
        for n in graph.objects(dataset, SD.namedGraph)
    }
    assert named == manifest_graphs(built_paths)
    default = graph.value(dataset, SD.defaultGraph)
    assert int(graph.value(default, VOID.triples)) == sum(named.values())  # type: ignore[arg-type]


def test_browser_asking_for_the_endpoint_goes_to_the_query_page(client: FlaskClient) -> None:
    accept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/sparql", headers={"Accept": accept})
    if any(rule.rule == "/" for rule in client.application.url_map.iter_rules()):
        assert response.status_code == 303 and response.headers["Location"].endswith("/")
    else:
        assert response.status_code == 200


def test_void(client: FlaskClient, built_paths: ProjectPaths) -> None:
    response = client.get("/.well-known/void")
    assert response.content_type == "text/turtle; charset=utf-8"
    graph = rdflib.Graph().parse(data=response.data.decode("utf-8"), format="turtle")
    dataset = URIRef("https://w3id.org/cdkg/id/dataset")
    assert (dataset, RDF.type, VOID.Dataset) in graph
    assert (dataset, DCTERMS.title, Literal("社区工作事项知识图谱", lang="zh")) in graph
    assert (dataset, DCTERMS.title, Literal("Community Duty Knowledge Graph", lang="en")) in graph
    assert (dataset, VOID.sparqlEndpoint, URIRef("http://localhost/sparql")) in graph
    dumps = {str(o) for o in graph.objects(dataset, VOID.dataDump)}
    assert dumps == {
        f"http://localhost/downloads/dataset.{ext}" for ext in ("trig", "nq", "jsonld")
    }
    subsets = {
        str(s): int(graph.value(s, VOID.triples)) for s in graph.objects(dataset, VOID.subset)
    }  # type: ignore[arg-type]
    assert subsets == manifest_graphs(built_paths)
    assert int(graph.value(dataset, VOID.triples)) == sum(subsets.values())  # type: ignore[arg-type]
    assert graph.value(dataset, DCTERMS.modified) is not None


def test_downloads_listing(client: FlaskClient) -> None:
    listing = client.get("/downloads").get_json()
    names = [d["name"] for d in listing["downloads"]]
    assert names == ["duties.xlsx", "duties.csv", "dataset.trig", "dataset.nq", "dataset.jsonld"]
    page = client.get("/downloads", headers={"Accept": "text/html"})
    assert b'href="/downloads/dataset.nq"' in page.data
    assert b'href="/downloads/duties.xlsx"' in page.data
    assert "事项表（Excel）" in page.get_data(as_text=True)


def test_duty_table_downloads_open_in_a_spreadsheet(client: FlaskClient) -> None:
    """The duty table of /downloads: XLSX that openpyxl reads with one row per duty, and CSV
    with a byte-order mark (Excel shows the Chinese) holding the same rows."""
    import csv
    import io

    from openpyxl import load_workbook

    count = client.get(
        "/sparql",
        query_string={
            "query": "SELECT (COUNT(DISTINCT ?d) AS ?n) "
            "{ ?d a <https://w3id.org/cdkg/ontology#Duty> }"
        },
        headers={"Accept": "application/sparql-results+json"},
    ).get_json()["results"]["bindings"][0]["n"]["value"]
    xlsx = client.get("/downloads/duties.xlsx")
    assert xlsx.status_code == 200
    assert xlsx.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) - 1 == int(count)
    assert any(DUTY_6_LABEL in [str(v) for v in row] for row in rows)
    text = client.get("/downloads/duties.csv")
    assert text.data.startswith(b"\xef\xbb\xbf")
    assert text.headers["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert len(table) == len(rows) and table[0] == [str(v) for v in rows[0]]


@pytest.mark.parametrize(
    ("name", "media_type", "rdflib_format"),
    [
        ("dataset.trig", "application/trig", "trig"),
        ("dataset.nq", "application/n-quads", "nquads"),
        ("dataset.jsonld", "application/ld+json", "json-ld"),
    ],
)
def test_download(client: FlaskClient, name: str, media_type: str, rdflib_format: str) -> None:
    response = client.get(f"/downloads/{name}")
    assert response.status_code == 200
    assert response.content_type == f"{media_type}; charset=utf-8"
    text = response.data.decode("utf-8")
    assert DUTY_6_LABEL in text
    dataset = rdflib.Dataset().parse(data=text, format=rdflib_format)
    assert len(list(dataset.quads((None, None, None, None)))) == 92
    zipped = client.get(f"/downloads/{name}", headers={"Accept-Encoding": "gzip"})
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(zipped.data) == response.data
    etag = response.headers["ETag"]
    assert client.get(f"/downloads/{name}", headers={"If-None-Match": etag}).status_code == 304


def test_unknown_download_is_404(client: FlaskClient) -> None:
    assert client.get("/downloads/report.json").status_code == 404
    assert client.get("/downloads/..%2Fmanifest.json").status_code == 404


def test_healthz(client: FlaskClient) -> None:
    document = client.get("/healthz").get_json()
    assert document["status"] == "ok" and document["engine"] == "oxigraph"
    assert client.get("/healthz?deep=1").get_json()["store"] is True


def test_metrics(live_server: LiveServer) -> None:
    import urllib.error
    import urllib.request

    urllib.request.urlopen(f"{live_server.endpoint}?query=ASK%7B%7D").read()
    with contextlib.suppress(urllib.error.HTTPError):
        urllib.request.urlopen(f"{live_server.endpoint}?query=ASK").read()
    with urllib.request.urlopen(f"{live_server.url}/metrics") as response:
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        text = response.read().decode()
    assert re.search(
        r'cdkg_http_requests_total\{route="/sparql",method="GET",status="200"\} \d+', text
    )
    assert re.search(r'cdkg_http_errors_total\{route="/sparql",kind="client"\} \d+', text)
    assert re.search(
        r'cdkg_http_request_duration_seconds_bucket\{route="/sparql",le="\+Inf"\} \d+', text
    )
    assert "# TYPE cdkg_http_request_duration_seconds histogram" in text
    for line in text.splitlines():
        assert line.startswith("#") or re.match(r"^[a-z_]+(\{[^}]*\})? [0-9.e+-]+$", line), line


def test_one_json_log_line_per_request(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="cdkg.server.access"):
        client.get("/search?q=禁毒")
        client.get("/nowhere")
    records = [json.loads(r.getMessage()) for r in caplog.records if r.name == "cdkg.server.access"]
    assert [(r["path"], r["route"], r["status"]) for r in records] == [
        ("/search", "/search", 200),
        ("/nowhere", "(unmatched)", 404),
    ]
    assert {"ts", "client", "method", "bytes", "ms"} <= set(records[0])
