"""``cdkg serve --upstream``: cdkg's pages and endpoint in front of Oxigraph server and Virtuoso.

A real ``cdkg serve`` process (no local store) serves from each server after ``cdkg push``:
the linked-data page of a real duty, named queries through its /sparql, search, VoID, and
the errors a client sees when the upstream refuses a query.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests
from conftest import (
    DUTY_6,
    DUTY_6_LABEL,
    KNOWN,
    ROOT,
    Process,
    SparqlServer,
    ensure_loaded,
    free_port,
    record,
    start,
    wait_until,
)
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from cdkg.loaders.layout import ProjectPaths
from cdkg.queries.library import load_library
from cdkg.server.store import EngineUnavailable, QueryOptions, ResultTooLarge
from cdkg.server.store.engines import OxigraphStore
from cdkg.server.store.gsp import Build
from cdkg.server.store.remote import RemoteStore, make_auth

DUTY_6_PAGE = "/id/duty/chongqing/assistance/6"


@dataclass(frozen=True)
class Upstreamed:
    url: str
    server: SparqlServer
    process: Process


def serve_upstream(
    paths: ProjectPaths, endpoint: str, directory: object, *extra: str
) -> tuple[Process, str, float]:
    port = free_port()
    command = [sys.executable, "-m", "cdkg", "--home", str(paths.root)]
    command += ["--build-dir", str(paths.build), "serve", "--port", str(port)]
    command += ["--upstream", endpoint, *extra]
    process = start(command, directory, "cdkg-serve")  # type: ignore[arg-type]
    url = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200

    seconds = wait_until(ready, process, "cdkg serve --upstream")
    return process, url, seconds


@pytest.fixture(scope="module")
def upstreamed(
    loaded: SparqlServer,
    built_paths: ProjectPaths,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Upstreamed]:
    directory = tmp_path_factory.mktemp(f"upstream-{loaded.name}")
    process, url, seconds = serve_upstream(built_paths, loaded.endpoint, directory)
    record(f"cdkg serve --upstream {loaded.name} start-up", f"{seconds:.2f} s")
    try:
        yield Upstreamed(url, loaded, process)
    finally:
        process.stop()


def test_the_page_of_a_real_duty(upstreamed: Upstreamed) -> None:
    html = requests.get(f"{upstreamed.url}{DUTY_6_PAGE}", headers={"Accept": "text/html"})
    assert html.status_code == 200
    assert DUTY_6_LABEL in html.text

    turtle = requests.get(f"{upstreamed.url}{DUTY_6_PAGE}", headers={"Accept": "text/turtle"})
    assert turtle.status_code == 200
    assert turtle.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=turtle.text, format="turtle")
    assert (URIRef(DUTY_6), RDFS.label, Literal(DUTY_6_LABEL, lang="zh")) in graph


def test_an_unknown_duty_is_404(upstreamed: Upstreamed) -> None:
    missing = requests.get(f"{upstreamed.url}/id/duty/chongqing/assistance/999")
    assert missing.status_code == 404


def test_named_queries_through_the_endpoint(
    upstreamed: Upstreamed, embedded: OxigraphStore
) -> None:
    """Each named question runs through cdkg's /sparql on the upstream and gives as many rows
    as on the embedded store (the answers themselves are compared in
    test_query_agreement.py)."""
    questions = [q for q in load_library(ROOT / "queries").values() if q.kind == "question"]
    if not questions:
        pytest.skip("queries/ has no question yet")
    for query in questions:
        response = requests.post(
            f"{upstreamed.url}/sparql",
            data={"query": query.text},
            headers={"Accept": "application/sparql-results+json"},
            timeout=120,
        )
        if (upstreamed.server.name, query.name) in KNOWN:
            continue  # a known difference of that server (conftest.KNOWN)
        assert response.status_code == 200, (query.name, response.text)
        assert response.headers["Content-Type"] == "application/sparql-results+json; charset=utf-8"
        rows = response.json()["results"]["bindings"]
        assert len(rows) == len(embedded.select(query.text)), query.name


def test_a_duty_query_answers_in_utf8(upstreamed: Upstreamed) -> None:
    """Chinese comes back as UTF-8, never as \\uXXXX escapes (Virtuoso writes those)."""
    query = f"SELECT ?label WHERE {{ <{DUTY_6}> rdfs:label ?label }}"  # rdfs: predeclared
    response = requests.get(
        f"{upstreamed.url}/sparql",
        params={"query": query},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert response.status_code == 200, response.text
    assert DUTY_6_LABEL.encode("utf-8") in response.content
    assert response.json()["results"]["bindings"][0]["label"]["value"] == DUTY_6_LABEL


def test_search_and_void(upstreamed: Upstreamed, built: Build) -> None:
    found = requests.get(f"{upstreamed.url}/search", params={"q": "禁毒"}).json()
    assert DUTY_6 in [hit["iri"] for hit in found["results"]]

    void = requests.get(f"{upstreamed.url}/.well-known/void", headers={"Accept": "text/turtle"})
    graph = Graph().parse(data=void.text, format="turtle")
    totals = {int(o) for o in graph.objects(None, URIRef("http://rdfs.org/ns/void#triples"))}
    assert sum(built.graphs.values()) in totals  # Virtuoso's own graphs are not counted

    health = requests.get(f"{upstreamed.url}/healthz", params={"deep": "1"}).json()
    assert health["engine"] == "remote"
    assert health["store"] is True


def test_a_bad_query_gets_the_upstream_message(upstreamed: Upstreamed) -> None:
    response = requests.get(
        f"{upstreamed.url}/sparql", params={"query": "SELECT * WHERE { ?s ?p }"}
    )
    assert response.status_code == 400
    assert response.text.startswith("400 Bad query: the upstream endpoint refused the query")


def test_the_row_cap_holds(loaded: SparqlServer) -> None:
    store = loaded.remote()
    with pytest.raises(ResultTooLarge):
        store.select("SELECT * WHERE { ?s ?p ?o } LIMIT 50", QueryOptions(max_rows=10))
    body = store.execute(
        "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
        "text/tab-separated-values",
        QueryOptions(max_rows=10),
    )[1]
    assert len(body.decode("utf-8").splitlines()) == 6


def test_virtuoso_behind_digest_authentication(virtuoso_server: SparqlServer, built: Build) -> None:
    """Virtuoso's /sparql-auth with the upstream's digest credentials."""
    ensure_loaded(virtuoso_server, built)
    endpoint = virtuoso_server.endpoint + "-auth"
    anonymous = requests.get(endpoint, params={"query": "ASK {}"})
    assert anonymous.status_code == 401
    store = RemoteStore(endpoint, auth=make_auth("digest", "dba", "dba"))
    assert store.ask(f"ASK {{ <{DUTY_6}> ?p ?o }}")
    assert store.graph_sizes() == built.graphs
    wrong = RemoteStore(endpoint, auth=make_auth("digest", "dba", "wrong"))
    with pytest.raises(EngineUnavailable, match="refused the credentials"):
        wrong.ask("ASK {}")


def test_serve_refuses_incomplete_credentials(built_paths: ProjectPaths) -> None:
    command = [sys.executable, "-m", "cdkg", "--home", str(built_paths.root), "serve"]
    command += ["--upstream", "http://127.0.0.1:9/sparql", "--upstream-auth", "digest"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "needs a user and a password" in done.stderr


def test_start_up_warns_about_an_empty_default_graph(
    oxigraph_server: SparqlServer,
    built_paths: ProjectPaths,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Oxigraph without --union-default-graph: the log says what to change."""
    directory = tmp_path_factory.mktemp("oxigraph-plain")
    port = free_port()
    binary = oxigraph_server.process.popen.args[0]  # type: ignore[index]
    plain = start([binary, "serve", "--bind", f"127.0.0.1:{port}"], directory, "oxigraph")
    try:
        endpoint = f"http://127.0.0.1:{port}/query"
        wait_until(lambda: requests.get(endpoint, params={"query": "ASK {}"}).ok, plain, "oxigraph")
        body = f'<{DUTY_6}> <{RDFS.label}> "{DUTY_6_LABEL}"@zh .\n'.encode()
        graph = "https://w3id.org/cdkg/id/graph/chongqing"
        put = requests.put(
            f"http://127.0.0.1:{port}/store",
            params={"graph": graph},
            data=body,
            headers={"Content-Type": "application/n-triples"},
        )
        assert put.ok
        upstream, _, _ = serve_upstream(built_paths, endpoint, directory)
        try:
            time.sleep(0.5)
        finally:
            upstream.stop()
        assert "--union-default-graph" in upstream.tail()
    finally:
        plain.stop()
