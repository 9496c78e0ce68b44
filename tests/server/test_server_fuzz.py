"""Property: whatever a client sends, the server never answers 5xx (except a query timeout,
503) and keeps answering afterwards.

Random and mutated queries, parameters, headers and bodies go to every route through the
Flask test client, over the worker-pool store with a short timeout (so a mutated query that
happens to be slow is stopped, which is the one allowed 5xx).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from urllib.parse import quote

import pytest
from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store.engines import RdflibStore
from cdkg.server.store.workers import WorkerPoolStore

SEED_QUERIES = [
    "SELECT ?d ?label WHERE { ?d a cd:Duty ; rdfs:label ?label } ORDER BY ?label LIMIT 10",
    "ASK { ?d cd:number 6 }",
    "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d rdfs:label ?l }",
    "DESCRIBE <https://w3id.org/cdkg/id/duty/chongqing/assistance/6>",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    'SELECT * WHERE { ?d cd:citationText ?c FILTER(CONTAINS(?c, "禁毒")) }',
    "PREFIX x: <http://example.org/> SELECT * FROM <http://example.org/g> { ?s x:p ?o }",
    "SELECT * { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    'INSERT DATA { GRAPH <http://example.org/g> { <http://a> <http://b> "c" } }',
    "LOAD <http://127.0.0.1:9/x.ttl>",
    "SELECT (STRLEN(?l) AS ?n) { ?s rdfs:label ?l } GROUP BY ?l HAVING (COUNT(*) > 0)",
    'SELECT * { ?s ?p ?o FILTER(?o < 3 && REGEX(STR(?o), "^协助", "i")) } LIMIT 5',
]
PATHS = [
    "/sparql",
    "/search",
    "/healthz",
    "/metrics",
    "/.well-known/void",
    "/downloads",
    "/downloads/dataset.nq",
    "/downloads/dataset.jsonld",
    "/downloads/%2e%2e%2fmanifest.json",
    "/",
    "/id/duty/chongqing/assistance/6",
    "/id/catalog/chongqing",
    "/ontology",
    "/nowhere",
]
PARAM_NAMES = [
    "query",
    "update",
    "format",
    "output",
    "default-graph-uri",
    "named-graph-uri",
    "using-graph-uri",
    "q",
    "limit",
    "deep",
]
MEDIA_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
    "text/turtle",
    "application/n-triples",
    "application/ld+json",
    "application/rdf+xml",
    "text/html",
    "*/*",
    "application/*",
    "image/png",
]
CONTENT_TYPES = [
    "application/x-www-form-urlencoded",
    "application/sparql-query",
    "application/sparql-update",
    "application/sparql-query; charset=latin-1",
    "application/sparql-query; charset=rot13",
    "application/sparql-query; charset=nonsense",
    "multipart/form-data",
    "multipart/form-data; boundary=x",
    "application/json",
    "text/plain",
    "",
]
TOKENS = [
    "SELECT",
    "ASK",
    "{",
    "}",
    "?x",
    "<http://x>",
    '"禁毒"',
    "SERVICE",
    "GRAPH",
    "FILTER(",
    ")",
    "#",
    "\\",
    "'''",
    '"""',
    "PREFIX",
    ":",
    "a",
    ".",
    ";",
    ",",
    "\x00",
    "\n",
    "LIMIT 1",
]


@st.composite
def queries(draw: st.DrawFn) -> str:
    """A seed query, possibly mutated: slices cut, tokens or random text inserted."""
    text = draw(st.sampled_from(SEED_QUERIES) | st.text(max_size=80))
    for _ in range(draw(st.integers(0, 4))):
        if not text:
            break
        start = draw(st.integers(0, len(text)))
        end = draw(st.integers(start, min(len(text), start + 12)))
        insert = draw(st.sampled_from(TOKENS) | st.text(max_size=6) | st.just(""))
        text = text[:start] + insert + text[end:]
    return text


# What an HTTP client can put in a header: Latin-1 without control characters.
header_text = st.text(
    alphabet=st.characters(max_codepoint=0xFF, blacklist_categories=("Cc",)), max_size=12
)


def accept_headers() -> st.SearchStrategy[str]:
    ranges = st.builds(
        lambda media, q: media + (f";q={q}" if q is not None else ""),
        st.sampled_from(MEDIA_TYPES) | header_text,
        st.none() | st.sampled_from(["0", "0.5", "1", "2", "-1", "x", "nan"]),
    )
    return st.lists(ranges, max_size=4).map(", ".join)


values = queries() | st.text(max_size=40) | st.sampled_from([*MEDIA_TYPES, "json", "csv", "ttl"])
headers = st.fixed_dictionaries(
    {},
    optional={
        "Accept": accept_headers(),
        "Accept-Encoding": st.sampled_from(["gzip", "gzip;q=0", "*", "br", "x;q=y"]),
        "If-None-Match": st.sampled_from(["*", 'W/"x"', '"abc", W/"def"', ""]),
        "Origin": st.sampled_from(["https://example.org", "null", ""]),
        "Authorization": st.sampled_from(["Bearer ", "Bearer x", "Basic abc", "bearer"]),
        "Content-Type": st.sampled_from(CONTENT_TYPES) | header_text,
    },
)


@pytest.fixture(scope="module", params=["pool", "rdflib_store"])
def fuzz_app(request: pytest.FixtureRequest, config: ServerConfig) -> Iterator[Flask]:
    """The default engine in worker processes, and the rdflib engine in process.

    An admin token is configured so that authorised-looking requests reach the update path;
    no fuzzed request carries it, so the data never change."""
    store: WorkerPoolStore | RdflibStore = request.getfixturevalue(request.param)
    yield create_app(store, replace(config, query_timeout_s=2.0, admin_token="never-sent"))


@settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    # weighted towards what exercises the engine: GET/POST /sparql with a query
    method=st.sampled_from(["GET"] * 4 + ["POST"] * 4 + ["PUT", "DELETE", "HEAD", "OPTIONS"]),
    path=st.one_of(
        *[st.just("/sparql")] * 4,
        st.sampled_from(PATHS),
        st.text(max_size=20).map(lambda t: "/" + quote(t)),
    ),
    params=st.lists(
        st.tuples(st.sampled_from(["query"] * 4 + PARAM_NAMES) | st.text(max_size=8), values),
        max_size=4,
    ),
    header_values=headers,
    body=st.none() | queries().map(lambda q: q.encode("utf-8")) | st.binary(max_size=200),
)
def test_never_a_server_error(
    fuzz_app: Flask,
    method: str,
    path: str,
    params: list[tuple[str, str]],
    header_values: dict[str, str],
    body: bytes | None,
) -> None:
    client = fuzz_app.test_client()
    response = client.open(
        path, method=method, query_string=params, headers=header_values, data=body
    )
    if response.status_code >= 500:
        assert response.status_code == 503 and b"timeout" in response.data.lower(), (
            response.status_code,
            response.data[:300],
        )


def test_still_answering_afterwards(fuzz_app: Flask) -> None:
    client = fuzz_app.test_client()
    assert client.get("/healthz?deep=1").get_json()["store"] is True
    response = client.get("/sparql", query_string={"query": "SELECT (COUNT(*) AS ?n) {?s ?p ?o}"})
    assert response.status_code == 200 and b'"92"' in response.data
