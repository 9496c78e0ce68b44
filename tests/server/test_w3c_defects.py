"""Issue 12's protocol and format defects, one test each, named after the defect.

Found by running the W3C SPARQL 1.1 Protocol tests and the result-format specifications
against the endpoint (w3c/rdf-tests, sparql/sparql11/protocol, csv-tsv-res, json-res; the
tests here are written from them, none of their files is used). Every answer is read back
with a strict parser: the csv module, lxml (and the W3C SPARQL results XML Schema when
../shared/reference is there), json, rdflib's RDF/XML and N-Triples parsers. Where the defect
is in an engine, both engines run.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import re
from urllib.parse import quote, urlencode, urlsplit

import pytest
import rdflib
from conftest import DUTY_6, DUTY_6_LABEL, ROOT, LiveServer
from flask.testing import FlaskClient
from lxml import etree
from rdflib.compare import isomorphic

from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig

RESULTS_NS = "{http://www.w3.org/2005/sparql-results#}"
SCHEMA_DIR = ROOT.parent / "shared" / "reference" / "w3c-sparql-results"
ENGINES = ["oxigraph_store", "rdflib_store"]
DUTY_PATH = "/id/duty/chongqing/assistance/6"
XSD = "http://www.w3.org/2001/XMLSchema#"
NT = "application/n-triples"
RDFXML = "application/rdf+xml"
SRX = "application/sparql-results+xml"
SRJ = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture(params=ENGINES)
def engine_client(request: pytest.FixtureRequest, config: ServerConfig) -> FlaskClient:
    """A test client over one engine, in process (the engine's own behaviour is what counts)."""
    return create_app(request.getfixturevalue(request.param), config).test_client()


def _get(client: FlaskClient, query: str, accept: str) -> tuple[int, bytes, str]:
    response = client.get("/sparql", query_string={"query": query}, headers={"Accept": accept})
    return response.status_code, response.get_data(), response.headers.get("Content-Type", "")


def _xml(body: bytes) -> etree._Element:
    """A strict XML parse: no recovery, no network, no entities."""
    parser = etree.XMLParser(recover=False, resolve_entities=False, no_network=True)
    return etree.fromstring(body, parser)


def _literals(document: etree._Element) -> list[str]:
    return [element.text or "" for element in document.iter(f"{RESULTS_NS}literal")]


def _csv_rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8"), newline=""), strict=True))


# --- the SPARQL Query Results XML Format schema ------------------------------------------

_XML_LANG_SCHEMA = """<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
    targetNamespace="http://www.w3.org/XML/1998/namespace">
  <xs:attribute name="lang" type="xs:string"/>
</xs:schema>
"""


@pytest.fixture(scope="module")
def results_schema(tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    """result.xsd from ../shared (read, never copied into the project), with what a browser
    added to the saved page stripped (a <div> and a <script> inside, anything after the
    closing tag) and its import of xml.xsd, which would be fetched from w3.org, pointed at a
    local declaration of xml:lang."""
    source = SCHEMA_DIR / "result.xsd"
    if not source.is_file():
        pytest.skip(f"{source} is not there (../shared is absent)")
    text = source.read_text(encoding="utf-8")
    text = text[: text.index("</xs:schema>") + len("</xs:schema>")]
    text = re.sub(r"<div [^>]*/>|<script [^>]*/>", "", text)
    local = tmp_path_factory.mktemp("xsd") / "xml.xsd"
    local.write_text(_XML_LANG_SCHEMA, encoding="utf-8")
    text = text.replace("http://www.w3.org/2001/xml.xsd", local.as_uri())
    return etree.XMLSchema(etree.fromstring(text.encode("utf-8"), base_url=str(local)))


def _valid(schema: etree.XMLSchema, body: bytes) -> None:
    document = _xml(body)
    assert schema.validate(document), schema.error_log


def test_xml_results_are_valid_against_the_w3c_schema(
    engine_client: FlaskClient, results_schema: etree.XMLSchema
) -> None:
    select = f"SELECT ?l ?n ?unbound WHERE {{ <{DUTY_6}> rdfs:label ?l ; cd:number ?n }}"
    status, body, _ = _get(engine_client, select, SRX)
    assert status == 200
    _valid(results_schema, body)
    assert DUTY_6_LABEL in _literals(_xml(body))
    for query in ("ASK { ?s ?p ?o }", 'SELECT ?o WHERE { BIND("a\\rb"@zh AS ?o) }'):
        status, body, _ = _get(engine_client, query, SRX)
        assert status == 200
        _valid(results_schema, body)


# --- protocol ---------------------------------------------------------------------------


def test_relative_iris_resolve_against_the_endpoint_url(engine_client: FlaskClient) -> None:
    """Was 400 on pyoxigraph ("no base IRI") and 500 on rdflib."""
    status, body, _ = _get(engine_client, "CONSTRUCT { <s> <p> 1 } WHERE {}", NT)
    assert status == 200, body
    graph = rdflib.Graph().parse(data=body.decode(), format="nt")
    assert set(graph) == {
        (
            rdflib.URIRef("http://localhost/s"),
            rdflib.URIRef("http://localhost/p"),
            rdflib.Literal(1),
        )
    }


def test_a_query_with_its_own_base_keeps_it(engine_client: FlaskClient) -> None:
    query = "BASE <http://example.org/kg/> SELECT ?x WHERE { BIND(<a> AS ?x) }"
    status, body, _ = _get(engine_client, query, SRJ)
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "http://example.org/kg/a"


def test_the_configured_public_url_is_the_base(
    oxigraph_store: object, config: ServerConfig
) -> None:
    public = ServerConfig(paths=config.paths, public_url="https://cdkg.example/kg")
    client = create_app(oxigraph_store, public).test_client()  # type: ignore[arg-type]
    status, body, _ = _get(client, "SELECT ?x WHERE { BIND(<a> AS ?x) }", SRJ)
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "https://cdkg.example/kg/a"
    description = client.get("/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"})
    graph = rdflib.Graph().parse(data=description.get_data(as_text=True), format="turtle")
    endpoints = {str(o) for o in graph.objects(None, rdflib.URIRef(f"{SD}endpoint"))}
    assert endpoints == {"https://cdkg.example/kg/sparql"}


SD = "http://www.w3.org/ns/sparql-service-description#"


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        # W3C bad_query_non_utf8: UTF-16 with its charset, and without (then not UTF-8).
        ("application/sparql-query; charset=UTF-16", "ASK {}".encode("utf-16"), 415),
        ("application/sparql-query", "ASK {}".encode("utf-16"), 400),
        ("application/sparql-query; charset=latin-1", b"ASK {}", 415),
        (f"{FORM}; charset=UTF-16", "query=ASK {}".encode("utf-16"), 415),
        # "\ufffd" = "\ufffd" once werkzeug replaced the bad byte: it answered 200 true.
        (FORM, b"query=ASK%7BFILTER(%22%FF%22%3D%22%EF%BF%BD%22)%7D", 400),
        (FORM, b"query=ASK {\xff}", 400),
        ("application/sparql-query", b'ASK { FILTER("\xff" = "\xef\xbf\xbd") }', 400),
    ],
)
def test_a_body_that_is_not_utf8_is_refused(
    client: FlaskClient, content_type: str, body: bytes, status: int
) -> None:
    response = client.post("/sparql", data=body, headers={"Content-Type": content_type})
    assert response.status_code == status, response.get_data(as_text=True)
    assert "UTF-8" in response.get_data(as_text=True)


def test_a_url_that_is_not_utf8_is_refused(client: FlaskClient) -> None:
    response = client.get("/sparql?query=ASK%7BFILTER(%22%FF%22%3D%22%EF%BF%BD%22)%7D")
    assert response.status_code == 400
    assert "URL is not valid UTF-8" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/sparql?query=ASK%20%7B%7D", "query=ASK%20%7B%7D"),  # in the URL and the form
        ("/sparql?query=ASK%20%7B%7D", "update=CLEAR%20ALL"),
        ("/sparql", "query=ASK%20%7B%7D&query=ASK%20%7B%7D"),  # twice in the form
        ("/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D", ""),  # twice in the URL
    ],
)
def test_more_than_one_query_parameter_is_400(client: FlaskClient, url: str, body: str) -> None:
    response = client.post(url, data=body, headers={"Content-Type": FORM})
    assert response.status_code == 400
    assert "once" in response.get_data(as_text=True) or "URL" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", [None, "ASK { ?s ?p ?o }"])
def test_head_answers_like_get_without_a_body(client: FlaskClient, query: str | None) -> None:
    """Was 400 although Allow lists HEAD."""
    params = {"query": query} if query else {}
    headers = {"Accept": "text/turtle" if query is None else SRJ}
    got = client.get("/sparql", query_string=params, headers=headers)
    head = client.head("/sparql", query_string=params, headers=headers)
    assert got.status_code == head.status_code == 200
    assert head.get_data() == b"" and got.get_data() != b""
    for name in ("Content-Type", "ETag", "Vary", "Cache-Control"):
        assert head.headers.get(name) == got.headers.get(name), name
    etag = got.headers["ETag"]
    again = client.head("/sparql", query_string=params, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304


def _vary(headers: object) -> set[str]:
    value = headers.get("Vary", "")  # type: ignore[attr-defined]
    return {part.strip().lower() for part in value.split(",") if part.strip()}


@pytest.mark.parametrize("path", ["/sparql?query=ASK%20%7B%7D", DUTY_PATH])
def test_every_negotiated_answer_varies_on_accept(client: FlaskClient, path: str) -> None:
    """A 406 carried only Vary: Accept-Encoding, so a cache could serve it to any client."""
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406
    assert "accept" in _vary(refused.headers)
    accept = SRJ if path.startswith("/sparql") else "text/turtle"
    answered = client.get(path, headers={"Accept": accept, "Accept-Encoding": "gzip"})
    assert answered.status_code == 200
    assert {"accept", "accept-encoding"} <= _vary(answered.headers)
    etag = answered.headers["ETag"]
    unchanged = client.get(path, headers={"Accept": accept, "If-None-Match": etag})
    assert unchanged.status_code == 304
    assert "accept" in _vary(unchanged.headers)


def _raw(server: LiveServer, host_lines: list[str], version: str = "HTTP/1.1") -> tuple[int, bytes]:
    """A request with exactly the Host lines given, on a real waitress server."""
    parts = urlsplit(server.url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        connection._http_vsn_str = version  # type: ignore[attr-defined]
        connection.putrequest("GET", "/sparql", skip_host=True, skip_accept_encoding=True)
        for line in host_lines:
            connection.putheader("Host", line)
        connection.putheader("Accept", "text/turtle")
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.mark.parametrize(
    "hosts",
    [
        ["one.example", "evil.example"],  # two Host headers
        [],  # none, on HTTP/1.1
        ["evil.example/<x>"],
        ["evil.example:80:80"],
    ],
)
def test_a_missing_repeated_or_malformed_host_is_400(
    live_server: LiveServer, hosts: list[str]
) -> None:
    """Were accepted, and the Host then written into the service description's sd:endpoint."""
    status, body = _raw(live_server, hosts)
    assert status == 400, body
    assert b"Host" in body


def test_one_well_formed_host_is_the_endpoint(live_server: LiveServer) -> None:
    status, body = _raw(live_server, ["kg.example:8443"])
    assert status == 200
    graph = rdflib.Graph().parse(data=body.decode(), format="turtle")
    endpoints = {str(o) for o in graph.objects(None, rdflib.URIRef(f"{SD}endpoint"))}
    assert endpoints == {"http://kg.example:8443/sparql"}
    assert _raw(live_server, [], "HTTP/1.0")[0] == 200  # HTTP/1.0 has no Host to require


# --- result and RDF formats ---------------------------------------------------------------


def test_csv_quotes_an_iri_containing_a_comma(engine_client: FlaskClient) -> None:
    query = 'SELECT ?s ?o WHERE { VALUES (?s ?o) { (<http://example.org/a,b> "x,\\"y\\"") } }'
    status, body, content_type = _get(engine_client, query, "text/csv")
    assert status == 200 and content_type.startswith("text/csv")
    assert _csv_rows(body) == [["s", "o"], ["http://example.org/a,b", 'x,"y"']]


def test_csv_keeps_a_row_whose_only_field_is_empty(engine_client: FlaskClient) -> None:
    status, body, _ = _get(engine_client, 'SELECT ?o WHERE { VALUES ?o { "" "a" } }', "text/csv")
    assert status == 200
    assert _csv_rows(body) == [["o"], [""], ["a"]]


def test_a_carriage_return_survives_sparql_xml(engine_client: FlaskClient) -> None:
    """A raw CR is read back as LF by every XML parser; it must be written &#13;."""
    query = 'SELECT ?o WHERE { BIND("a\\rb\\r\\nc\\td" AS ?o) }'
    status, body, _ = _get(engine_client, query, SRX)
    assert status == 200
    assert b"\r" not in body
    assert _literals(_xml(body)) == ["a\rb\r\nc\td"]


def test_a_carriage_return_survives_rdf_xml(engine_client: FlaskClient) -> None:
    query = 'CONSTRUCT { <http://example.org/s> <http://example.org/p> "a\\rb\\r\\n" } WHERE {}'
    status, body, _ = _get(engine_client, query, RDFXML)
    assert status == 200
    graph = rdflib.Graph().parse(data=body, format="xml")
    assert [str(o) for o in graph.objects()] == ["a\rb\r\n"]


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ('SELECT ?o WHERE { BIND("x\\u0001y" AS ?o) }', SRX),
        (
            'CONSTRUCT { <http://example.org/s> <http://example.org/p> "x\\u0001y" } WHERE {}',
            RDFXML,
        ),
    ],
)
def test_a_character_xml_cannot_carry_is_a_406_not_malformed_xml(
    engine_client: FlaskClient, query: str, accept: str
) -> None:
    """Was a 200 with malformed XML."""
    status, body, _ = _get(engine_client, query, accept)
    assert status == 406
    assert "U+0001" in body.decode() and "XML 1.0" in body.decode()


def test_a_character_xml_cannot_carry_still_works_in_json_and_csv(
    engine_client: FlaskClient,
) -> None:
    query = 'SELECT ?o WHERE { BIND("x\\u0001y" AS ?o) }'
    status, body, _ = _get(engine_client, query, SRJ)
    assert status == 200
    assert json.loads(body)["results"]["bindings"][0]["o"]["value"] == "x\x01y"
    status, body, _ = _get(engine_client, query, "text/csv")
    assert status == 200 and _csv_rows(body) == [["o"], ["x\x01y"]]


def test_the_406_for_xml_crosses_the_worker_processes(live_server: LiveServer) -> None:
    query = quote('SELECT ?o WHERE { BIND("x\\u0001y" AS ?o) }')
    connection = http.client.HTTPConnection(urlsplit(live_server.url).netloc, timeout=30)
    connection.request("GET", f"/sparql?query={query}", headers={"Accept": SRX})
    response = connection.getresponse()
    assert response.status == 406 and "U+0001" in response.read().decode()
    assert "Accept" in response.headers.get("Vary", "")
    connection.close()


def test_rdf_xml_for_a_predicate_ending_in_a_digit_is_well_formed(
    engine_client: FlaskClient,
) -> None:
    construct = f"""CONSTRUCT {{
      <http://example.org/s> <http://example.org/p1> 1 ; <http://example.org/123abc> "x"@zh ;
        <http://example.org/v#_9> <http://example.org/o> ; <http://example.org/q> _:b .
      _:b <http://example.org/p1> "{DUTY_6_LABEL}"^^<http://example.org/dt> .
      <{DUTY_6}> rdfs:label ?l }} WHERE {{ <{DUTY_6}> rdfs:label ?l }}"""
    status, body, _ = _get(engine_client, construct, RDFXML)
    assert status == 200
    _xml(body)  # well-formed
    status, expected, _ = _get(engine_client, construct, NT)
    assert isomorphic(
        rdflib.Graph().parse(data=body, format="xml"),
        rdflib.Graph().parse(data=expected.decode(), format="nt"),
    )


def test_rdf_xml_refuses_a_predicate_with_no_xml_name(engine_client: FlaskClient) -> None:
    query = "CONSTRUCT { <http://example.org/s> <http://example.org/1> 1 } WHERE {}"
    status, body, _ = _get(engine_client, query, RDFXML)
    assert status == 406
    assert "<http://example.org/1>" in body.decode() and "Turtle" in body.decode()
    assert _get(engine_client, query, "text/turtle")[0] == 200


# --- engine defects kept as they are, documented -------------------------------------------

_CANONICALISES = pytest.mark.xfail(
    strict=True,
    reason="pyoxigraph stores and evaluates numeric literals by value: '1.50'^^xsd:decimal "
    "comes back '1.5', '01'^^xsd:int as '1'^^xsd:integer, in query constants as in loaded data "
    "(https://github.com/oxigraph/oxigraph/issues/526, open); no rewriting of the query text "
    "helps, since every typed literal is encoded the same way (docs/endpoint.md)",
)


@pytest.mark.parametrize(
    "engine", [pytest.param("oxigraph_store", marks=_CANONICALISES), "rdflib_store"]
)
def test_literal_constants_keep_their_lexical_form(
    request: pytest.FixtureRequest, config: ServerConfig, engine: str
) -> None:
    """W3C csv03/tsv03: typed literals are written with the lexical form they were given."""
    client = create_app(request.getfixturevalue(engine), config).test_client()
    query = (
        'SELECT ?o WHERE { VALUES ?o { "1.50"^^xsd:decimal "01"^^xsd:int '
        '"-3"^^xsd:negativeInteger "1.0E6"^^xsd:double } }'
    )
    status, body, _ = _get(client, query, "text/csv")
    assert status == 200
    assert _csv_rows(body) == [["o"], ["1.50"], ["01"], ["-3"], ["1.0E6"]]
    bindings = json.loads(_get(client, query, SRJ)[1])["results"]["bindings"]
    assert [b["o"]["datatype"].removeprefix(XSD) for b in bindings] == [
        "decimal",
        "int",
        "negativeInteger",
        "double",
    ]


_BNODE_PER_QUERY = {
    "oxigraph_store": "pyoxigraph 0.5.13 makes BNODE(str) the blank node labelled str for the "
    'whole query (BNODE("same") is _:same in every solution); SPARQL 1.1 §17.4.2.9 wants a '
    "new one per solution. No upstream issue found (searched oxigraph/oxigraph, 2026)",
    "rdflib_store": "rdflib 7.6 keeps one string-to-blank-node map per query "
    '(QueryContext.bnodes), so BNODE("same") is one blank node in every solution',
}


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(name, marks=pytest.mark.xfail(strict=True, reason=reason))
        for name, reason in _BNODE_PER_QUERY.items()
    ],
)
def test_bnode_of_a_string_is_new_in_each_solution(
    request: pytest.FixtureRequest, config: ServerConfig, engine: str
) -> None:
    client = create_app(request.getfixturevalue(engine), config).test_client()
    query = """SELECT ?b ?c WHERE {
      VALUES ?x { 1 2 } BIND(BNODE("same") AS ?b) BIND(BNODE("same") AS ?c) }"""
    rows = json.loads(_get(client, query, SRJ)[1])["results"]["bindings"]
    assert all(row["b"] == row["c"] for row in rows)  # the same within one solution
    assert rows[0]["b"] != rows[1]["b"]  # a different one in the next


def test_post_form_with_the_query_in_the_body_only_still_works(client: FlaskClient) -> None:
    body = urlencode({"query": "ASK { ?s ?p ?o }", "format": "json"})
    response = client.post("/sparql", data=body, headers={"Content-Type": FORM})
    assert response.status_code == 200 and response.get_json()["boolean"] is True
