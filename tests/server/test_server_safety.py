"""Errors and safety over real HTTP: statuses and messages, read-only by default, no outbound
request for SERVICE or LOAD, timeout and row cap, CORS, gzip, ETag/304, rate limit."""

from __future__ import annotations

import gzip
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

import pytest
from conftest import DUTY_6_LABEL, LiveServer, running
from flask import Flask
from SPARQLWrapper import JSON, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import QueryBadFormed
from werkzeug.datastructures import Headers

from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store.engines import OxigraphStore, RdflibStore
from cdkg.server.store.workers import WorkerPoolStore

SLOW = """SELECT (COUNT(*) AS ?n) WHERE {
  ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r
}"""
TOKEN = "s3cret-token"


@dataclass
class Answer:
    status: int
    headers: Headers
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def call(
    url: str,
    method: str = "GET",
    params: dict[str, str] | None = None,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    if params:
        url = f"{url}?{urllib.parse.urlencode(params)}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return Answer(response.status, Headers(list(response.headers.items())), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, Headers(list(error.headers.items())), error.read())


def form(fields: dict[str, str]) -> bytes:
    return urllib.parse.urlencode(fields).encode()


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


# --- errors -------------------------------------------------------------------------------


def test_malformed_query_is_400_with_position(live_server: LiveServer) -> None:
    answer = call(live_server.endpoint, params={"query": "SELECT * WHERE { ?s ?p }"})
    assert answer.status == 400
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert "syntax error" in answer.text and "1:" in answer.text


def test_malformed_query_through_sparqlwrapper(live_server: LiveServer) -> None:
    client = SPARQLWrapper(live_server.endpoint)
    client.setQuery("SELECT ?x WHERE { ?x cd:label }")
    client.setReturnFormat(JSON)
    with pytest.raises(QueryBadFormed, match="syntax error"):
        client.query()


@pytest.mark.parametrize(
    ("params", "accept"),
    [
        ({"query": "SELECT * {}"}, "text/html"),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, "application/sparql-results+json"),
        ({"query": "CONSTRUCT WHERE { ?s ?p ?o }", "format": "csv"}, "*/*"),
        ({"query": "SELECT * {}", "format": "turtle"}, "*/*"),
    ],
)
def test_unacceptable_format_is_406(
    live_server: LiveServer, params: dict[str, str], accept: str
) -> None:
    answer = call(live_server.endpoint, params=params, headers={"Accept": accept})
    assert answer.status == 406
    assert "available as" in answer.text


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_wrong_method_is_405(live_server: LiveServer, method: str) -> None:
    answer = call(live_server.endpoint, method=method, body=b"x")
    assert answer.status == 405
    assert "GET" in answer.headers["Allow"] and "POST" in answer.headers["Allow"]


def test_other_body_type_is_415(live_server: LiveServer) -> None:
    answer = call(
        live_server.endpoint, "POST", body=b"SELECT * {}", headers={"Content-Type": "text/plain"}
    )
    assert answer.status == 415


def test_repeated_query_parameter_is_400(live_server: LiveServer) -> None:
    answer = call(f"{live_server.endpoint}?query=SELECT%20*%20%7B%7D&query=ASK%20%7B%7D")
    assert answer.status == 400


@pytest.fixture(scope="module")
def small_limits(pool: WorkerPoolStore, config: ServerConfig) -> Iterator[LiveServer]:
    """Tight limits: 2 KB bodies, 3 rows, a 1 s timeout."""
    tight = replace(config, max_body_bytes=2048, max_rows=3, query_timeout_s=1.0)
    with running(create_app(pool, tight)) as server:
        yield server


@pytest.mark.parametrize("kind", ["direct", "form"])
def test_body_over_the_limit_is_413(small_limits: LiveServer, kind: str) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } # " + "禁毒" * 2000
    if kind == "direct":
        body, headers = query.encode(), {"Content-Type": "application/sparql-query"}
    else:
        body, headers = form({"query": query}), FORM
    answer = call(small_limits.endpoint, "POST", body=body, headers=headers)
    assert answer.status == 413


def test_row_cap_is_a_clear_400(small_limits: LiveServer) -> None:
    answer = call(small_limits.endpoint, params={"query": "SELECT * { ?s ?p ?o }"})
    assert answer.status == 400
    assert "Result too large" in answer.text and "more than 3 rows" in answer.text
    for query in ("SELECT * { ?s ?p ?o } LIMIT 3", "SELECT * { ?s ?p ?o } LIMIT 4 OFFSET 90"):
        assert call(small_limits.endpoint, params={"query": query}).status == 200
    graph = call(small_limits.endpoint, params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"})
    assert graph.status == 400 and "more than 3 triples" in graph.text


def test_timeout_stops_the_query_and_the_server_keeps_answering(
    small_limits: LiveServer, pool: WorkerPoolStore
) -> None:
    kills = pool.kills
    started = time.monotonic()
    answer = call(small_limits.endpoint, params={"query": SLOW})
    elapsed = time.monotonic() - started
    assert answer.status == 503
    assert "longer than 1 s" in answer.text
    assert elapsed < 5
    assert pool.kills == kills + 1
    # the worker was replaced: the endpoint answers, and soon with both workers again
    assert call(small_limits.endpoint, params={"query": "ASK {}"}).status == 200
    assert call(f"{small_limits.url}/healthz").status == 200
    metrics = call(f"{small_limits.url}/metrics").text
    assert 'cdkg_query_timeouts_total{route="/sparql"}' in metrics


# --- read-only, SERVICE and LOAD ------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "headers"),
    [
        (form({"update": "INSERT DATA { <http://a> <http://b> <http://c> }"}), FORM),
        (b"CLEAR ALL", {"Content-Type": "application/sparql-update"}),
        (form({"query": "DROP ALL"}), FORM),
    ],
)
def test_update_is_refused_by_default(
    live_server: LiveServer, body: bytes, headers: dict[str, str]
) -> None:
    answer = call(live_server.endpoint, "POST", body=body, headers=headers)
    assert answer.status == 403
    assert "read-only" in answer.text
    count = call(live_server.endpoint, params={"query": "SELECT (COUNT(*) AS ?n) {?s ?p ?o}"})
    assert '"value":"92"' in count.text


@dataclass
class Listener:
    """A local TCP socket recording every connection made to it."""

    port: int
    connections: list[bytes] = field(default_factory=list)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/sparql"


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    record = Listener(server.getsockname()[1])
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(1)
            try:
                record.connections.append(connection.recv(200))
            except OSError:
                record.connections.append(b"")
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield record
    time.sleep(0.3)  # anything the server would send has had time to arrive
    stop.set()
    thread.join()
    server.close()


@pytest.fixture(scope="module")
def rdflib_server(rdflib_store: RdflibStore, config: ServerConfig) -> Iterator[LiveServer]:
    with running(create_app(rdflib_store, config)) as server:
        yield server


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_service_is_refused_and_nothing_connects(
    request: pytest.FixtureRequest, listener: Listener, engine: str
) -> None:
    server: LiveServer = request.getfixturevalue(
        "live_server" if engine == "oxigraph" else "rdflib_server"
    )
    query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
    for answer in (
        call(server.endpoint, params={"query": query}),
        call(server.endpoint, "POST", body=form({"query": query}), headers=FORM),
    ):
        assert answer.status == 400
        assert "SERVICE (federated query) is disabled" in answer.text
    from_query = f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}"
    assert call(server.endpoint, params={"query": from_query}).status == 200
    time.sleep(0.3)
    assert listener.connections == []


@pytest.fixture()
def admin_server(dataset_path, config: ServerConfig) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server that accepts updates with the admin token (its own store: updates change it)."""
    store = OxigraphStore.from_file(dataset_path)
    with running(create_app(store, replace(config, admin_token=TOKEN))) as server:
        yield server


def test_load_never_connects(
    live_server: LiveServer, admin_server: LiveServer, listener: Listener
) -> None:
    load = f"LOAD <{listener.url}/data.ttl>".encode()
    headers = {"Content-Type": "application/sparql-update"}
    assert call(live_server.endpoint, "POST", body=load, headers=headers).status == 403
    with_token = {**headers, "Authorization": f"Bearer {TOKEN}"}
    answer = call(admin_server.endpoint, "POST", body=load, headers=with_token)
    assert answer.status == 400 and "LOAD is disabled" in answer.text
    time.sleep(0.3)
    assert listener.connections == []


def test_update_with_the_admin_token(admin_server: LiveServer) -> None:
    update = (
        'INSERT DATA { GRAPH <http://example.org/g> { <http://example.org/s> rdfs:label "新"@zh } }'
    )
    body = form({"update": update})
    assert call(admin_server.endpoint, "POST", body=body, headers=FORM).status == 401
    wrong = {**FORM, "Authorization": "Bearer nope"}
    assert call(admin_server.endpoint, "POST", body=body, headers=wrong).status == 403
    ask = {"query": 'ASK { ?s rdfs:label "新"@zh }'}
    before = call(admin_server.endpoint, params=ask)
    assert '"boolean":false' in before.text
    right = {**FORM, "Authorization": f"Bearer {TOKEN}"}
    assert call(admin_server.endpoint, "POST", body=body, headers=right).status == 204
    after = call(admin_server.endpoint, params=ask)
    assert '"boolean":true' in after.text
    assert after.headers["ETag"] != before.headers["ETag"]  # the version changed
    assert after.headers["Cache-Control"] == "no-cache"
    assert "X-Cache" not in after.headers  # a writable server keeps no answers
    description = call(admin_server.endpoint, headers={"Accept": "text/turtle"}).text
    assert "sd:SPARQL11Update" in description


def test_update_through_sparqlwrapper(admin_server: LiveServer) -> None:
    client = SPARQLWrapper(admin_server.endpoint)
    client.setMethod(POST)
    client.addCustomHttpHeader("Authorization", f"Bearer {TOKEN}")
    client.setQuery("DELETE WHERE { GRAPH ?g { ?d cd:number 6 ; ?p ?o } }")
    client.query()
    client = SPARQLWrapper(admin_server.endpoint)
    client.setQuery("ASK { ?d cd:number 6 }")
    client.setReturnFormat(JSON)
    assert client.queryAndConvert()["boolean"] is False  # type: ignore[index]


def test_updates_reach_every_worker(dataset_path) -> None:  # type: ignore[no-untyped-def]
    from cdkg.server.store.engines import StoreSpec

    store = WorkerPoolStore(StoreSpec(dataset=dataset_path), size=2)
    try:
        store.update('INSERT DATA { GRAPH <http://example.org/g> { <http://x> <http://p> "1" } }')
        assert store.version.endswith("+1")
        answers = {store.ask("ASK { <http://x> <http://p> ?o }") for _ in range(6)}
        assert answers == {True}
    finally:
        store.close()


# --- HTTP: CORS, gzip, validators --------------------------------------------------------


def test_cors(live_server: LiveServer) -> None:
    origin = {"Origin": "https://example.org"}
    answer = call(live_server.endpoint, params={"query": "ASK {}"}, headers=origin)
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    preflight = call(
        live_server.endpoint,
        "OPTIONS",
        headers={**origin, "Access-Control-Request-Method": "POST"},
    )
    assert preflight.status == 200
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in preflight.headers["Access-Control-Allow-Headers"]


def test_gzip_when_accepted(live_server: LiveServer) -> None:
    params = {"query": "SELECT * { ?s ?p ?o }", "format": "tsv"}
    plain = call(live_server.endpoint, params=params)
    zipped = call(live_server.endpoint, params=params, headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in plain.headers
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in zipped.headers["Vary"]
    assert gzip.decompress(zipped.body) == plain.body
    assert len(zipped.body) < len(plain.body)
    assert DUTY_6_LABEL in plain.text


def test_etag_and_304(live_server: LiveServer) -> None:
    params = {"query": "SELECT ?l { ?d cd:number 6 ; rdfs:label ?l }"}
    first = call(live_server.endpoint, params=params)
    etag = first.headers["ETag"]
    assert etag.startswith('W/"')
    assert first.headers["Cache-Control"].startswith("public, max-age=")
    again = call(live_server.endpoint, params=params, headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    assert again.headers["ETag"] == etag
    xml = call(
        live_server.endpoint,
        params=params,
        headers={"Accept": "application/sparql-results+xml", "If-None-Match": etag},
    )
    assert xml.status == 200 and xml.headers["ETag"] != etag


# --- rate limit -----------------------------------------------------------------------------


def test_rate_limit_per_client(oxigraph_store: OxigraphStore, config: ServerConfig) -> None:
    app: Flask = create_app(
        oxigraph_store, replace(config, rate_limit_per_minute=60, rate_limit_burst=2)
    )
    remote = app.test_client()
    remote.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    statuses = [remote.get("/sparql?query=ASK%7B%7D").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    limited = remote.get("/sparql?query=ASK%7B%7D")
    assert int(limited.headers["Retry-After"]) >= 1
    assert remote.get("/healthz").status_code == 200  # probes are not limited
    local = app.test_client()
    local.environ_base["REMOTE_ADDR"] = "127.0.0.1"
    assert {local.get("/sparql?query=ASK%7B%7D").status_code for _ in range(5)} == {200}


def test_rate_limit_off_by_default_on_loopback(live_server: LiveServer) -> None:
    statuses = {call(live_server.endpoint, params={"query": "ASK {}"}).status for _ in range(80)}
    assert statuses == {200}
