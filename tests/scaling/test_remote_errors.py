"""What push and upstream mode do when the other server misbehaves: retries with backoff,
timeouts, partial answers, refusals — against small fake servers on 127.0.0.1."""

from __future__ import annotations

import base64
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import pytest
from conftest import DUTY_6, DUTY_6_LABEL, free_port, wsgi_server
from werkzeug.wrappers import Request, Response

from cdkg.server.store import (
    EngineUnavailable,
    QueryError,
    QueryOptions,
    QueryTimeout,
    ResultTooLarge,
)
from cdkg.server.store.gsp import GraphStore, PushError, Sent
from cdkg.server.store.remote import MAX_GET_URL, RemoteStore, make_auth, with_prefixes

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

JSON = "application/sparql-results+json"
ESCAPED_ROW = (
    '{"head": {"vars": ["l"]}, "results": {"bindings": [{"l": {"type": "literal", '
    '"xml:lang": "ZH", "value": "' + "".join(f"\\u{ord(c):04X}" for c in DUTY_6_LABEL) + '"}}]}}'
).encode()


class Recorder:
    """A fake server answering from a script of responses, recording every request."""

    def __init__(self, *answers: Response | Callable[[], Response]) -> None:
        self.answers = list(answers)
        self.requests: list[dict[str, Any]] = []

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        self.requests.append(
            {
                "method": request.method,
                "args": request.args.to_dict(flat=False),
                "form": request.form.to_dict(flat=False),
                "content_type": request.mimetype,
                "body": request.get_data(),
                "authorization": request.headers.get("Authorization"),
                "accept": request.headers.get("Accept"),
            }
        )
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        response = answer() if callable(answer) and not isinstance(answer, Response) else answer
        return response(environ, start_response)


@pytest.fixture()
def fake() -> Iterator[Callable[[Recorder], str]]:
    servers: list[Any] = []

    def run(app: Recorder) -> str:
        context = wsgi_server(app)
        servers.append(context)
        return context.__enter__()

    yield run
    for context in servers:
        context.__exit__(None, None, None)


# --- the Graph Store client -------------------------------------------------------------


def test_put_retries_5xx_with_backoff(fake: Callable[[Recorder], str]) -> None:
    app = Recorder(Response("busy", 503), Response("busy", 502), Response("", 201))
    url = fake(app)
    waits: list[float] = []
    store = GraphStore(f"{url}/store", make_auth("basic", "u", "p"), retries=3, sleep=waits.append)
    status, attempts = store.put("https://w3id.org/g", b"<a:s> <a:p> <a:o> .\n", "text/turtle")
    assert (status, attempts) == (201, 3)
    assert waits == [0.5, 1.0]
    assert [r["method"] for r in app.requests] == ["PUT"] * 3
    assert {r["args"]["graph"][0] for r in app.requests} == {"https://w3id.org/g"}
    assert {r["content_type"] for r in app.requests} == {"text/turtle"}
    assert {r["body"] for r in app.requests} == {b"<a:s> <a:p> <a:o> .\n"}
    assert app.requests[0]["authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_put_gives_up_after_the_retries(fake: Callable[[Recorder], str]) -> None:
    url = fake(Recorder(Response("down for maintenance", 503)))
    waits: list[float] = []
    store = GraphStore(f"{url}/store", retries=2, sleep=waits.append)
    with pytest.raises(PushError, match=r"after 3 attempts: 503 SERVICE UNAVAILABLE: down"):
        store.put("https://w3id.org/g", b"", "text/turtle")
    assert waits == [0.5, 1.0]


def test_a_refused_body_is_not_retried(fake: Callable[[Recorder], str]) -> None:
    app = Recorder(Response("Unsupported Content-Type application/n-quads", 415))
    url = fake(app)
    store = GraphStore(f"{url}/store", retries=5, sleep=lambda _: None)
    with pytest.raises(PushError, match="415"):
        store.put("https://w3id.org/g", b"", "application/n-quads")
    assert len(app.requests) == 1


def test_connection_errors_are_retried() -> None:
    waits: list[float] = []
    store = GraphStore(f"http://127.0.0.1:{free_port()}/store", retries=2, sleep=waits.append)
    with pytest.raises(PushError, match="after 3 attempts: ConnectionError"):
        store.put("https://w3id.org/g", b"", "text/turtle")
    assert waits == [0.5, 1.0]


def test_delete_treats_404_as_done(fake: Callable[[Recorder], str]) -> None:
    url = fake(Recorder(Response("no such graph", 404)))
    assert GraphStore(f"{url}/store").delete("https://w3id.org/g") == (404, 1)


def test_progress_line() -> None:
    line = Sent("https://w3id.org/cdkg/id/graph/chongqing", 2076, 182_476, 0.0312, 2).line(45)
    assert line == (
        "  https://w3id.org/cdkg/id/graph/chongqing           2,076 triples      178.2 KiB  "
        "  0.03 s  (2 attempts)"
    )


# --- RemoteStore ------------------------------------------------------------------------


def test_answers_are_rewritten_as_utf8(fake: Callable[[Recorder], str]) -> None:
    """Virtuoso's \\uXXXX JSON and upper-case language tag come out as cdkg writes them."""
    app = Recorder(Response(ESCAPED_ROW, content_type=JSON))
    store = RemoteStore(fake(app) + "/sparql")
    content_type, body = store.execute("SELECT ?l {}", JSON, QueryOptions())
    assert content_type == "application/sparql-results+json; charset=utf-8"
    assert DUTY_6_LABEL.encode("utf-8") in body
    assert b"\\u" not in body
    row = store.select("SELECT ?l {}")[0]
    assert str(row["l"]) == DUTY_6_LABEL
    assert app.requests[0]["method"] == "GET"
    assert app.requests[0]["accept"].startswith(JSON)


def test_long_queries_go_as_a_form_never_as_a_sparql_query_body(
    fake: Callable[[Recorder], str],
) -> None:
    app = Recorder(Response('{"head": {}, "boolean": true}', content_type=JSON))
    store = RemoteStore(fake(app) + "/sparql")
    long_query = "ASK { " + " ".join(f"<{DUTY_6}> ?p{i} ?o{i} ." for i in range(60)) + " }"
    assert len(long_query) > MAX_GET_URL
    assert store.ask(long_query, QueryOptions(default_graph_uris=("https://w3id.org/g",)))
    sent = app.requests[0]
    assert sent["method"] == "POST"
    assert sent["content_type"] == "application/x-www-form-urlencoded"
    assert sent["form"]["query"] == [long_query]
    assert sent["form"]["default-graph-uri"] == ["https://w3id.org/g"]


def test_standard_prefixes_are_declared_for_the_upstream() -> None:
    text = with_prefixes("PREFIX cd: <http://other/> SELECT * { ?s rdfs:label ?l ; cd:x ?y }")
    assert text.startswith("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n")
    assert "PREFIX cd: <https://w3id.org" not in text  # the query's own PREFIX wins
    assert with_prefixes("ASK { <urn:x:y> ?p ?o }") == "ASK { <urn:x:y> ?p ?o }"


def test_a_slow_upstream_is_a_timeout(fake: Callable[[Recorder], str]) -> None:
    def slow() -> Response:
        time.sleep(2)
        return Response('{"head": {}, "boolean": true}', content_type=JSON)

    store = RemoteStore(fake(Recorder(slow)) + "/sparql")
    with pytest.raises(QueryTimeout, match=r"did not answer within 0\.5 s"):
        store.ask("ASK {}", QueryOptions(timeout_s=0.5))


def test_a_partial_answer_is_a_timeout(fake: Callable[[Recorder], str]) -> None:
    partial = Response(ESCAPED_ROW, content_type=JSON)
    partial.headers["X-SQL-State"] = "S1TAT"
    partial.headers["X-SQL-Message"] = "RC...: Returning incomplete results"
    store = RemoteStore(fake(Recorder(partial)) + "/sparql")
    with pytest.raises(QueryTimeout, match="partial answer"):
        store.select("SELECT ?l {}")


@pytest.mark.parametrize(
    ("answer", "error", "message"),
    [
        (Response("Virtuoso 37000 Error SP030: syntax error", 400), QueryError, "SP030"),
        (Response("Virtuoso S1T00 Error SR171: Transaction timed out", 500), QueryTimeout, "SR171"),
        (Response("Virtuoso 42000 Error SQ200: Stack Overflow", 500), EngineUnavailable, "SQ200"),
        (Response("", 401), EngineUnavailable, "refused the credentials"),
        (Response("<html/>", content_type="text/html"), EngineUnavailable, "not SPARQL results"),
        (Response("{not json", content_type=JSON), EngineUnavailable, "could not be read"),
    ],
)
def test_upstream_errors(
    fake: Callable[[Recorder], str], answer: Response, error: type[Exception], message: str
) -> None:
    store = RemoteStore(fake(Recorder(answer)) + "/sparql")
    with pytest.raises(error, match=message):
        store.select("SELECT * {}")


def test_an_unreachable_upstream() -> None:
    store = RemoteStore(f"http://127.0.0.1:{free_port()}/sparql")
    with pytest.raises(EngineUnavailable, match="cannot reach"):
        store.select("SELECT * {}")
    assert "cannot reach" in store.check()[0]


def test_the_row_cap_on_a_rewritten_answer(fake: Callable[[Recorder], str]) -> None:
    rows = ",".join(f'{{"n": {{"type": "literal", "value": "{i}"}}}}' for i in range(5))
    document = ('{"head": {"vars": ["n"]}, "results": {"bindings": [' + rows + "]}}").encode()
    store = RemoteStore(fake(Recorder(Response(document, content_type=JSON))) + "/sparql")
    with pytest.raises(ResultTooLarge):
        store.execute("SELECT ?n {}", "text/csv", QueryOptions(max_rows=4))
    assert store.execute("SELECT ?n {}", "text/csv", QueryOptions(max_rows=5))[1].count(b"\n") == 6


def test_graph_sizes_keep_to_cdkg_graphs(fake: Callable[[Recorder], str]) -> None:
    bindings = [
        ("https://w3id.org/cdkg/id/graph/chongqing", 2076),
        ("https://w3id.org/cdkg/ontology", 689),
        ("http://www.openlinksw.com/schemas/virtrdf#", 2479),
    ]
    rows = ",".join(
        f'{{"g": {{"type": "uri", "value": "{g}"}}, "n": {{"type": "typed-literal", '
        f'"datatype": "http://www.w3.org/2001/XMLSchema#integer", "value": "{n}"}}}}'
        for g, n in bindings
    )
    document = ('{"head": {"vars": ["g", "n"]}, "results": {"bindings": [' + rows + "]}}").encode()
    app = Recorder(Response(document, content_type=JSON))
    store = RemoteStore(fake(app) + "/sparql")
    assert store.graph_sizes() == {
        "https://w3id.org/cdkg/id/graph/chongqing": 2076,
        "https://w3id.org/cdkg/ontology": 689,
    }
    version = store.version
    assert version.startswith("upstream-")
    assert store.version == version
    assert len(app.requests) == 1  # cached for refresh_s


@pytest.mark.parametrize(
    ("query", "reason"),
    [
        ('DEFINE get:soft "replace" SELECT * FROM <http://127.0.0.1:9/x> { ?s ?p ?o }', "DEFINE"),
        ('define input:grab-all "yes" SELECT * { ?s ?p ?o }', "DEFINE"),
        ("SELECT (<bif:http_get>('http://127.0.0.1:9/') AS ?v) {}", "built-in"),
        ("PREFIX b: <bif:> SELECT (b:file_to_string('/etc/passwd') AS ?v) {}", "built-in"),
        ("SELECT (bif:http_get('http://127.0.0.1:9/') AS ?v) {}", "built-in"),
        ("SELECT (sql:fetch('x') AS ?v) {}", "built-in"),
    ],
)
def test_virtuoso_extensions_that_fetch_never_reach_the_upstream(
    fake: Callable[[Recorder], str], query: str, reason: str
) -> None:
    """Issue 12: Virtuoso's DEFINE pragmas (get:soft loads a remote FROM graph) and its SQL
    built-ins (bif:http_get, bif:file_to_string) could make the upstream server fetch or read
    files; cdkg refuses them before forwarding anything."""
    app = Recorder(
        Response('{"head": {"vars": []}, "results": {"bindings": []}}', content_type=JSON)
    )
    store = RemoteStore(fake(app) + "/sparql")
    with pytest.raises(QueryError, match=reason):
        store.select(query)
    assert app.requests == []
    store.select("SELECT ?undefined { }")  # a variable named like the pragma is fine
    assert len(app.requests) == 1
