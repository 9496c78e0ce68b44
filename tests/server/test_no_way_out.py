"""No way out (issue 12): nothing a query or update says opens a connection, in any spelling,
on any engine — refused by the text check, and, with the check bypassed, stopped because the
query workers have no network at all. Also: a long malformed body is answered at once, and
deep nesting is a 400 that names the limit.

Every test here has a real TCP listener on a free 127.0.0.1 port that records each connection
made to it (``test_server_safety.listener``)."""

# ruff: noqa: F811 - the listener and server fixtures are imported from test_server_safety

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, LiveServer
from test_server_safety import (  # noqa: F401 - fixtures, used by name
    FORM,
    TOKEN,
    Listener,
    admin_server,
    call,
    form,
    listener,
    rdflib_server,
)

from cdkg.server.store import QueryError, QueryOptions
from cdkg.server.store.engines import StoreSpec
from cdkg.server.store.sparql_text import MAX_DEPTH
from cdkg.server.store.workers import WorkerPoolStore

JSON = "application/sparql-results+json"
UPDATE = {"Content-Type": "application/sparql-update", "Authorization": f"Bearer {TOKEN}"}


def service_spellings(url: str) -> list[str]:
    """SERVICE as pyoxigraph 0.5.13 reads it (each checked: it fetches ``url``)."""
    base = url.rsplit("/", 1)[0] + "/"
    return [
        f"SELECT * WHERE {{ SERVICESILENT<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?a ?b ?c . ?a ?b trueSERVICE<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ {{}}SERVICE<{url}>{{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE #<http://x>\n <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX : <{base}> SELECT * WHERE {{ service:sparql{{ ?s ?p ?o }} }}",
        f"PREFIX ex: <{base}> SELECT * WHERE {{ SERVICE ex:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ VALUES ?g {{ <{url}> }} SERVICE ?g {{ ?s ?p ?o }} }}",
        f"select * where {{ sErViCe silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ \\u0053ERVICE <{url}> {{ ?s ?p ?o }} }}",
    ]


def load_spellings(url: str) -> list[str]:
    return [
        f"LOADSILENT<{url}/data.ttl>",
        f"load <{url}/data.ttl>",
        f"CLEAR SILENT GRAPH <http://g>;LOAD<{url}/data.ttl>",
        f"INSERT DATA {{}} ; #x\n LoAd <{url}/data.ttl> INTO GRAPH <http://g>",
    ]


# --- the text check, through the endpoint -------------------------------------------------


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_every_spelling_of_service_is_refused_and_nothing_connects(
    request: pytest.FixtureRequest, listener: Listener, engine: str
) -> None:
    server: LiveServer = request.getfixturevalue(
        "live_server" if engine == "oxigraph" else "rdflib_server"
    )
    for query in service_spellings(listener.url):
        for answer in (
            call(server.endpoint, params={"query": query}),
            call(server.endpoint, "POST", body=form({"query": query}), headers=FORM),
        ):
            assert answer.status == 400, query
            assert "SERVICE (federated query) is disabled" in answer.text
    time.sleep(0.3)
    assert listener.connections == []


def test_every_spelling_of_load_is_refused_even_for_the_admin(
    admin_server: LiveServer, listener: Listener
) -> None:
    for update in load_spellings(listener.url):
        answer = call(admin_server.endpoint, "POST", body=update.encode(), headers=UPDATE)
        assert answer.status == 400, update
        assert "LOAD is disabled" in answer.text
    time.sleep(0.3)
    assert listener.connections == []


def test_from_a_remote_iri_is_never_fetched_by_rdflib(
    rdflib_server: LiveServer, listener: Listener
) -> None:
    for query in (
        f"SELECT * FROM <{listener.url}> WHERE {{ ?s ?p ?o }}",
        f"SELECT*FROM<{listener.url}>FROM NAMED<{listener.url}/n>{{ ?s ?p ?o }}",
    ):
        answer = call(rdflib_server.endpoint, params={"query": query})
        assert answer.status == 200
        assert '"bindings":[]' in answer.text.replace(" ", "")  # the graph is not there
    time.sleep(0.3)
    assert listener.connections == []


# --- the workers themselves, with the text check bypassed -----------------------------------


@pytest.fixture(scope="module", params=["oxigraph", "rdflib"])
def own_pool(request: pytest.FixtureRequest, dataset_path: Path) -> Iterator[WorkerPoolStore]:
    """A one-worker pool of its own (the updates below must not touch the shared one)."""
    store = WorkerPoolStore(StoreSpec(engine=request.param, dataset=dataset_path), size=1)
    yield store
    store.close()


def test_a_worker_cannot_connect_even_when_asked_directly(
    own_pool: WorkerPoolStore, listener: Listener
) -> None:
    """The store is called as the endpoint would after its checks: nothing refuses SERVICE
    but the worker's lack of network."""
    options = QueryOptions(timeout_s=20)
    with pytest.raises(QueryError, match=r"(?i)unreachable|network|connect"):
        own_pool.execute(
            f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}", JSON, options
        )
    silent = own_pool.select(
        f"SELECT * WHERE {{ SERVICE SILENT <{listener.url}> {{ ?s ?p ?o }} }}", options
    )
    assert silent in ([], [{}])  # SILENT: the failure becomes one empty solution
    load = f"LOAD <{listener.url}/data.ttl>"
    if own_pool.name == "oxigraph":
        before = own_pool.version
        with pytest.raises(QueryError, match=r"(?i)unreachable|network|connect"):
            own_pool.update(load, timeout_s=20)
        assert own_pool.version == before  # nothing was journaled
    else:  # rdflib's LOAD fetches nothing at all (SPARQL_LOAD_GRAPHS is off): a no-op
        own_pool.update(load, timeout_s=20)
    own_pool.ping()  # the worker is still there
    time.sleep(0.3)
    assert listener.connections == []


def isolated_child(code: str, *, user: int | None = None) -> str:
    """Run ``code`` in a fresh interpreter after ``isolate_network()`` (as ``user`` if given);
    its standard output."""
    become = f"os.setgid({user}); os.setuid({user})\n" if user is not None else ""
    program = (  # imported first: the other user may not read the interpreter's files
        "import os, socket\n"
        + "from cdkg.server.store.sandbox import isolate_network\n"
        + become
        + "print(isolate_network({}))\n"
        + code
    )
    done = subprocess.run(
        [sys.executable, "-c", program],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


CONNECT = """
client = socket.socket()
client.settimeout(2)
try:
    client.connect(("127.0.0.1", PORT))
    print("connected")
except OSError as error:
    print(error.errno)
"""


def test_an_isolated_process_reaches_nothing(listener: Listener) -> None:
    out = isolated_child(CONNECT.replace("PORT", str(listener.port)))
    assert out.splitlines() == ["no network (a network namespace of its own)", "101"]  # ENETUNREACH
    time.sleep(0.3)
    assert listener.connections == []


def test_without_root_a_user_namespace_isolates(listener: Listener) -> None:
    """As an unprivileged user (no CAP_SYS_ADMIN), the second way: a user namespace."""
    if os.geteuid() != 0:
        pytest.skip("needs root to become another user")
    if Path("/proc/sys/user/max_user_namespaces").read_text().strip() == "0":
        pytest.skip("user namespaces are disabled on this host")
    out = isolated_child(CONNECT.replace("PORT", str(listener.port)), user=65534)
    assert out.splitlines() == ["no network (a user and network namespace of its own)", "101"]
    time.sleep(0.3)
    assert listener.connections == []


# --- linear reading and deep nesting, through the endpoint ---------------------------------


def test_a_long_malformed_body_is_answered_at_once(live_server: LiveServer) -> None:
    """900 KB of the shape that made the former lexer quadratic (3.7 s for 16 KB)."""
    body = ("SELECT * WHERE { ?s ?p '''" + "\\'" * 450_000).encode()
    started = time.perf_counter()
    answer = call(
        live_server.endpoint,
        "POST",
        body=body,
        headers={"Content-Type": "application/sparql-query"},
    )
    elapsed = time.perf_counter() - started
    assert answer.status == 400
    assert elapsed < 2.0, f"{elapsed:.2f} s"


NESTED = {
    "braces": "SELECT * WHERE " + "{" * 10_000 + "}" * 10_000,
    "parentheses": "ASK { FILTER(" + "(" * 10_000 + "1" + ")" * 10_000 + ") }",
}


@pytest.mark.parametrize("query", NESTED.values(), ids=NESTED.keys())
def test_ten_thousand_nested_brackets_are_a_400_naming_the_limit(
    live_server: LiveServer, query: str
) -> None:
    """They crashed a worker (a stack overflow, answered 503 "out of memory?")."""
    answer = call(live_server.endpoint, "POST", body=form({"query": query}), headers=FORM)
    assert answer.status == 400
    assert f"the limit is {MAX_DEPTH}" in answer.text
    ok = call(live_server.endpoint, params={"query": "ASK { ?s ?p ?o }"})
    assert ok.status == 200 and '"boolean":true' in ok.text
