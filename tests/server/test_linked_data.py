"""Linked data (server/linked_data.py): instance IRIs and the ontology IRI dereference.

The store holds tests/server/fixtures/ld-chongqing.trig (real Chongqing duties) and the real
ontology/cdkg.ttl in the graph <https://w3id.org/cdkg/ontology>, on both engines. Responses
are parsed back (rdflib for RDF, html.parser for pages) before anything is asserted.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cdkg.loaders.layout import project_paths
from cdkg.ontology.namespace import CD, ONTOLOGY_IRI
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.linked_data import iri_for_path, sparql_iri
from cdkg.server.store.engines import OxigraphStore, RdflibStore

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
FIXTURE = HERE / "fixtures" / "ld-chongqing.trig"
ONTOLOGY_FILE = ROOT / "ontology" / "cdkg.ttl"
ID = "https://w3id.org/cdkg/id/"
DUTY = URIRef(ID + "duty/chongqing/assistance/6")
DUTY_PATH = "/id/duty/chongqing/assistance/6"
DUTY_LABEL = "协助开展禁毒宣传、落实禁毒防范措施"


def fixture_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.parse(FIXTURE, format="trig")
    dataset.graph(ONTOLOGY_IRI).parse(ONTOLOGY_FILE, format="turtle")
    return dataset


def make_store(engine: str) -> OxigraphStore | RdflibStore:
    """The fixture and the ontology in a store of ``engine``."""
    if engine == "rdflib":
        return RdflibStore(fixture_dataset(), "ld-test")
    store = ox.Store()
    store.bulk_load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store.bulk_load(
        path=str(ONTOLOGY_FILE),
        format=ox.RdfFormat.TURTLE,
        to_graph=ox.NamedNode(str(ONTOLOGY_IRI)),
    )
    return OxigraphStore(store, "ld-test")


def make_app(store: OxigraphStore | RdflibStore) -> Flask:
    """The real app over ``store``, with the checkout's paths (data/raw, queries)."""
    return create_app(store, ServerConfig(paths=project_paths()))


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def store(request: pytest.FixtureRequest) -> OxigraphStore | RdflibStore:
    return make_store(request.param)


@pytest.fixture(scope="module")
def client(store: OxigraphStore | RdflibStore) -> FlaskClient:
    return make_app(store).test_client()


class Page(HTMLParser):
    """What the assertions need from an HTML page: links, element ids, text, html lang."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.lang: str | None = None
        self.scripts = 0
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "a" and attributes.get("href"):
            self.links.append(str(attributes["href"]))
        if attributes.get("id"):
            self.ids.add(str(attributes["id"]))
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag == "script":
            self.scripts += 1

    def handle_data(self, data: str) -> None:
        self._text.append(data)

    @property
    def text(self) -> str:
        return "".join(self._text)


def page(client: FlaskClient, path: str) -> Page:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.content_type == "text/html; charset=utf-8"
    return Page(response.get_data(as_text=True))


# --- IRI handling (pure) --------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["", "duty/../x", "duty//6", "duty/6/", ".hidden", "a b", "x>", "x%3E", "名字", "a" * 600],
)
def test_paths_that_cannot_be_instance_iris_are_refused(path: str) -> None:
    assert iri_for_path(ID, path) is None


@pytest.mark.parametrize("iri", ["http://x/a>b", "http://x/a b", "http://x/{", 'http://x/"', ""])
def test_sparql_iri_refuses_what_could_end_the_iri(iri: str) -> None:
    with pytest.raises(ValueError):
        sparql_iri(iri)


# --- instance pages -------------------------------------------------------------------------


def test_duty_page_shows_label_type_properties_and_source(client: FlaskClient) -> None:
    html = page(client, DUTY_PATH)
    assert html.lang == "zh"
    assert DUTY_LABEL in html.text
    assert "依法协助事项" in html.text  # the type's zh label from the ontology graph
    assert "/ontology#AssistanceDuty" in html.links
    assert "/id/catalog/chongqing" in html.links  # back to the catalog
    assert "/id/department/500000/public-security-department" in html.links
    assert "/id/duty/chongqing/assistance/6/citation/1" in html.links
    # the quoted source lines, with file name and line numbers, linked to the file's line
    assert "chongqing.txt" in html.text
    assert "/id/source/chongqing.txt#L97" in html.links
    for line in (ROOT / "data" / "raw" / "chongqing.txt").read_text("utf-8").splitlines()[96:106]:
        assert line.strip() in html.text
    assert "97–106" in html.text
    assert html.scripts == 0
    # IRIs in the data stay the w3id ones
    assert str(DUTY) in html.text


def test_catalog_page_lists_incoming_duties(client: FlaskClient) -> None:
    html = page(client, "/id/catalog/chongqing")
    assert "渝民发〔2021〕6号" in html.text
    for number in ("5", "6", "7"):
        assert f"/id/duty/chongqing/assistance/{number}" in html.links
    assert DUTY_LABEL in html.text
    assert "/id/jurisdiction/500000" in html.links


def test_source_file_page_shows_numbered_lines(client: FlaskClient) -> None:
    html = page(client, "/id/source/chongqing.txt")
    assert {"L1", "L97", "L106"} <= html.ids
    assert "《中华人民共和国禁毒法》第十七条、第十九条" in html.text


def test_page_escapes_data_and_links_only_http_iris(store: OxigraphStore | RdflibStore) -> None:
    hostile = make_store(store.name)
    hostile.update(
        "INSERT DATA { GRAPH <https://w3id.org/cdkg/id/graph/t> { <https://w3id.org/cdkg/id/t/x> "
        'rdfs:label "<script>alert(1)</script>"@zh ; rdfs:seeAlso <javascript:alert(1)> } }'
    )
    response = make_app(hostile).test_client().get("/id/t/x", headers={"Accept": "text/html"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "javascript:alert(1)" in Page(body).text
    assert not [link for link in Page(body).links if link.startswith("javascript:")]


# --- content negotiation --------------------------------------------------------------------

RDF_CASES = [
    ("text/turtle", "text/turtle", "turtle"),
    ("application/ld+json", "application/ld+json", "json-ld"),
    ("application/n-triples", "application/n-triples", "nt"),
    ("application/rdf+xml", "application/rdf+xml", "xml"),
    ("text/turtle;q=0.5, application/ld+json;q=0.9", "application/ld+json", "json-ld"),
    ("text/html;q=0.1, text/turtle", "text/turtle", "turtle"),
]


@pytest.mark.parametrize(("accept", "media_type", "parser"), RDF_CASES)
def test_rdf_by_accept(client: FlaskClient, accept: str, media_type: str, parser: str) -> None:
    response = client.get(DUTY_PATH, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == media_type
    assert response.mimetype_params.get("charset") == "utf-8"
    assert "Accept" in response.vary
    graph = Graph().parse(data=response.get_data(as_text=True), format=parser)
    expected = fixture_dataset()
    assert (DUTY, RDFS.label, Literal(DUTY_LABEL, lang="zh")) in graph
    source_text = expected.value(DUTY, CD.sourceText)
    assert source_text is not None and (DUTY, CD.sourceText, source_text) in graph
    assert (DUTY, CD.sourceLine, None) in graph
    # Chinese as UTF-8, never \\uXXXX escapes
    if parser != "xml":
        assert "\\u" not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("turtle", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ],
)
def test_format_parameter_wins_over_accept(client: FlaskClient, name: str, media_type: str) -> None:
    response = client.get(f"{DUTY_PATH}?format={name}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.mimetype == media_type


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8",
    ],
)
def test_browsers_and_unspecific_clients_get_html(client: FlaskClient, accept: str | None) -> None:
    headers = {"Accept": accept} if accept else {}
    response = client.get(DUTY_PATH, headers=headers)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert "Accept" in response.vary


def test_rdf_description_includes_incoming_links(client: FlaskClient) -> None:
    response = client.get("/id/catalog/chongqing", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=response.get_data(as_text=True), format="turtle")
    catalog = URIRef(ID + "catalog/chongqing")
    assert set(graph.subjects(CD.inCatalog, catalog)) == {
        URIRef(f"{ID}duty/chongqing/assistance/{n}") for n in ("5", "6", "7")
    }


def test_jsonld_keeps_chinese(client: FlaskClient) -> None:
    response = client.get(DUTY_PATH, headers={"Accept": "application/ld+json"})
    body = response.get_data()
    json.loads(body)  # well-formed
    assert DUTY_LABEL.encode("utf-8") in body


def test_unacceptable_format_is_406(client: FlaskClient) -> None:
    response = client.get(DUTY_PATH, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.get_data(as_text=True)
    assert client.get(f"{DUTY_PATH}?format=pdf").status_code == 406


def test_etag_revalidates(client: FlaskClient) -> None:
    first = client.get(DUTY_PATH, headers={"Accept": "text/turtle"})
    etag = first.headers["ETag"]
    again = client.get(DUTY_PATH, headers={"Accept": "text/turtle", "If-None-Match": etag})
    assert again.status_code == 304
    html = client.get(DUTY_PATH, headers={"Accept": "text/html", "If-None-Match": etag})
    assert html.status_code == 200  # another representation, another tag


@pytest.mark.parametrize(
    "path",
    [
        "/id/duty/chongqing/assistance/999",
        "/id/nothing",
        "/id/duty/chongqing/assistance/6%3E%20%3Fp%20%3Fo%20%7D%20%23",
        "/id/duty/%E7%A6%81%E6%AF%92",
        "/id/a%20b",
    ],
)
def test_unknown_or_impossible_iris_are_404(client: FlaskClient, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        response = client.get(path, headers={"Accept": accept})
        assert response.status_code == 404, path


# --- the ontology ---------------------------------------------------------------------------


def ontology_terms() -> set[URIRef]:
    graph = Graph().parse(ONTOLOGY_FILE, format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    return {
        s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(CD._NS))
    }


def test_ontology_html_documents_every_class_and_property(client: FlaskClient) -> None:
    html = page(client, "/ontology")
    terms = ontology_terms()
    assert len(terms) > 40
    source = Graph().parse(ONTOLOGY_FILE, format="turtle")
    for iri in terms:
        local = str(iri)[len(str(CD._NS)) :]
        assert local in html.ids, local
        for value in source.objects(iri, RDFS.label):
            assert str(value) in html.text
    assert "社区工作事项" in html.text
    assert "cpsv:PublicService" in html.text  # cd:Duty's superclass
    assert "#Duty" in html.links


def test_ontology_rdf_is_the_ontology_graph(client: FlaskClient) -> None:
    source = Graph().parse(ONTOLOGY_FILE, format="turtle")
    ground = {t for t in source if not any(isinstance(x, BNode) for x in t)}
    for accept, parser in (("text/turtle", "turtle"), ("application/n-triples", "nt")):
        response = client.get("/ontology", headers={"Accept": accept})
        assert response.status_code == 200
        served = Graph().parse(data=response.get_data(as_text=True), format=parser)
        assert len(served) == len(source)
        assert {t for t in served if not any(isinstance(x, BNode) for x in t)} == ground
        assert (CD.Duty, RDFS.label, Literal("社区工作事项", lang="zh")) in served


# --- robustness -----------------------------------------------------------------------------


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    path=st.text(min_size=1, max_size=60).filter(lambda p: "\x00" not in p),
    accept=st.one_of(st.none(), st.text(max_size=40), st.sampled_from(["text/html", "*/*"])),
    fmt=st.one_of(st.none(), st.text(max_size=12)),
)
def test_no_path_header_or_format_gives_a_server_error(
    client: FlaskClient, path: str, accept: str | None, fmt: str | None
) -> None:
    headers = {"Accept": accept} if accept is not None and accept.isprintable() else {}
    query = {"format": fmt} if fmt is not None else {}
    for route in (f"/id/{quote(path)}", "/ontology"):
        response = client.get(route, headers=headers, query_string=query)
        # 308: Werkzeug merges repeated slashes (/id//0 → /id/0) with a permanent redirect.
        assert response.status_code in (200, 304, 308, 404, 406), (route, response.status_code)
        if response.status_code == 308:
            assert "//" in route
