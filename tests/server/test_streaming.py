"""Large answers are streamed: sent as the query worker writes them, never held whole.

Pieces are the same bytes as the whole answer (so a client cannot tell, except by the
memory the server does not use); a real ``cdkg serve`` sends a cross product of a few hundred
thousand rows as CSV, TSV and JSON with its memory flat, every row exactly once; a row cap
or a timeout reached after the first piece cuts the body so that the client sees it is
incomplete; a client that stops reading frees its worker.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest
from local_servers import free_port
from test_serve import wait_for

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.store import QueryOptions, QueryTimeout, results
from cdkg.server.store.engines import OxigraphStore, StoreSpec
from cdkg.server.store.workers import WorkerPoolStore

# IRIs with commas, literals with quotes, CR/LF and Chinese: what the writers must get right.
_DATA = "\n".join(
    f'<http://e.org/{i}> <http://e.org/p> "值 {i}, \\"q\\"\\r\\n" , <http://e.org/a,{i}> .'
    for i in range(2000)
)
_FORMATS = [
    ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", "application/sparql-results+json"),
    ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", "text/csv"),
    ("SELECT ?o WHERE { ?s ?p ?o } ORDER BY ?o", "text/csv"),
    ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", "text/tab-separated-values"),
    ("SELECT ?s ?o WHERE { ?s ?p ?o } ORDER BY ?s ?o", "application/sparql-results+xml"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "application/n-triples"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "text/turtle"),
]


@pytest.fixture(scope="module")
def small_store() -> OxigraphStore:
    store = ox.Store()
    store.load(_DATA.encode(), ox.RdfFormat.TURTLE, to_graph=ox.NamedNode("http://e.org/g"))
    return OxigraphStore(store, "v1")


@pytest.mark.parametrize(("query", "media_type"), _FORMATS)
def test_pieces_are_the_whole_answer(
    small_store: OxigraphStore, query: str, media_type: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = small_store.execute(query, media_type, QueryOptions())[1]
    monkeypatch.setattr(results, "STREAM_AFTER_BYTES", 4096)
    pieces: list[bytes] = []
    content_type, body = small_store.execute_streaming(
        query, media_type, QueryOptions(), pieces.append
    )
    assert content_type.startswith(media_type)
    if media_type in ("application/sparql-results+xml", "text/turtle"):
        assert body == whole and not pieces  # written whole: never streamed
    else:
        assert body is None and len(pieces) > 10
        assert b"".join(pieces) == whole


def test_a_small_answer_is_not_streamed(small_store: OxigraphStore) -> None:
    pieces: list[bytes] = []
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
    _, body = small_store.execute_streaming(query, "text/csv", QueryOptions(), pieces.append)
    assert body is not None and body.count(b"\r\n") == 4 and pieces == []


# --- through a real `cdkg serve` ----------------------------------------------------------

# A cross product on the fixture's 92 quads, cut at 400,000 rows: 38–62 MB in each format.
ROWS = 400_000
CROSS = f"SELECT ?a ?b WHERE {{ ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }} LIMIT {ROWS}"
MEMORY_BOUND = 16 * 1024 * 1024
"""How much the server process may grow while sending an answer of over 36 MB, once a first
one has brought its buffers to their working size."""


def _rss(pid: int) -> int:
    fields = Path(f"/proc/{pid}/statm").read_text().split()
    return int(fields[1]) * os.sysconf("SC_PAGE_SIZE")


SERVE = """
import sys
from pathlib import Path
from cdkg.loaders.layout import ProjectPaths
from cdkg.server.config import ServerConfig
from cdkg.server.serve import serve
config = ServerConfig(max_rows=None, result_cache_bytes=0)
serve(ProjectPaths(root=Path(sys.argv[1]), build=Path(sys.argv[2])), port=int(sys.argv[3]),
      threads=4, workers=1, config=config)
"""


@contextmanager
def _serving(script: str, paths: ProjectPaths) -> Iterator[tuple[str, int]]:
    """``script`` (a ``serve()`` call) in its own process on a free loopback port: the
    endpoint's URL and the process id, stopped (SIGTERM, then SIGKILL) at the end."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-c", script, str(paths.root), str(paths.build), str(port)],
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", 60)
        yield f"http://127.0.0.1:{port}/sparql", process.pid
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@pytest.fixture(scope="module")
def cdkg_serve(built_paths: ProjectPaths) -> Iterator[tuple[str, int]]:
    """``serve()`` (what ``cdkg serve`` runs) in its own process: one query worker, no row
    cap, the result cache off (it would keep answers up to 32 MB: see the cache test)."""
    with _serving(SERVE, built_paths) as served:
        yield served


def _fetch(url: str, query: str, accept: str) -> tuple[http.client.HTTPResponse, bytes]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    body = urllib.parse.urlencode({"query": query})
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    connection.request("POST", parts.path, body=body, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def _expected_rows(built_paths: ProjectPaths) -> list[tuple[str, str]]:
    """The rows pyoxigraph itself gives for ``CROSS`` on the same dataset."""
    store = ox.Store()
    store.bulk_load(path=str(built_paths.current / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    answer = store.query(CROSS, use_default_graph_as_union=True)
    assert isinstance(answer, ox.QuerySolutions)
    return sorted((row["a"].value, row["b"].value) for row in answer)  # type: ignore[union-attr]


def _rows(data: bytes, media_type: str) -> list[tuple[str, str]]:
    if media_type == "application/sparql-results+json":
        bindings = json.loads(data)["results"]["bindings"]
        return sorted((row["a"]["value"], row["b"]["value"]) for row in bindings)
    if media_type == "text/csv":
        table = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        assert table[0] == ["a", "b"]
        return sorted((a, b) for a, b in table[1:])
    lines = data.decode("utf-8").split("\n")
    assert lines[0] == "?a\t?b" and lines[-1] == ""
    return sorted(tuple(cell[1:-1] for cell in line.split("\t")) for line in lines[1:-1])  # type: ignore[misc]


def test_a_large_answer_is_streamed_with_the_servers_memory_flat(
    cdkg_serve: tuple[str, int], built_paths: ProjectPaths
) -> None:
    url, pid = cdkg_serve
    expected = _expected_rows(built_paths)
    assert len(expected) == ROWS
    # The first large answer raises the allocator's and waitress's buffers to their working
    # size (some 10-20 MB, whatever the answer's size); the answers after it must not add to it.
    warm_up, _ = _fetch(url, CROSS, "text/tab-separated-values")
    assert warm_up.status == 200
    formats = ("text/tab-separated-values", "text/csv", "application/sparql-results+json")
    for media_type in formats:
        before = _rss(pid)
        peak = [before]
        done = threading.Event()

        def watch(peak: list[int] = peak, done: threading.Event = done) -> None:
            while not done.is_set():
                peak[0] = max(peak[0], _rss(pid))
                time.sleep(0.01)

        watcher = threading.Thread(target=watch)
        watcher.start()
        try:
            response, data = _fetch(url, CROSS, media_type)
        finally:
            done.set()
            watcher.join()
        assert response.status == 200, data[:300]
        assert response.getheader("Transfer-Encoding") == "chunked"  # sent as written
        assert len(data) > 36 * 1024 * 1024
        grown = peak[0] - before
        assert grown < MEMORY_BOUND, f"{media_type}: the server grew by {grown >> 20} MB"
        assert _rows(data, media_type) == expected  # every row, exactly once


# --- limits after the first piece, the cache ---------------------------------------------

LIMITED = SERVE.replace(
    "ServerConfig(max_rows=None, result_cache_bytes=0)",
    "ServerConfig(max_rows=30_000, result_cache_bytes=8 << 20)",
)


@pytest.fixture(scope="module")
def limited_serve(built_paths: ProjectPaths) -> Iterator[str]:
    """``serve()`` with one query worker, a row cap of 30,000 and an 8 MB result cache (it
    keeps answers up to 2 MB)."""
    with _serving(LIMITED, built_paths) as (url, _):
        yield url


def _asks(url: str) -> bool:
    response, data = _fetch(url, "ASK {}", "application/sparql-results+json")
    return response.status == 200 and json.loads(data)["boolean"] is True


def test_the_row_cap_after_the_first_piece_cuts_the_body(limited_serve: str) -> None:
    """More rows than the cap, found after the first piece was sent: the chunked body is not
    ended, so the client knows the answer is incomplete; the worker goes on serving. Before
    the first piece, the cap is the usual 400."""
    with pytest.raises(http.client.IncompleteRead):
        _fetch(limited_serve, CROSS, "text/tab-separated-values")
    assert _asks(limited_serve)
    small = CROSS.replace(f"LIMIT {ROWS}", "LIMIT 30001").replace("?a ?b", "(1 AS ?n)")
    response, data = _fetch(limited_serve, small, "text/csv")  # 60 KB: no piece sent yet
    assert response.status == 400 and b"more than 30000 rows" in data


def test_a_client_that_stops_reading_frees_its_worker(limited_serve: str) -> None:
    parts = urllib.parse.urlsplit(limited_serve)
    for _ in range(3):  # more than the server's one worker
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
        query = urllib.parse.urlencode({"query": CROSS.replace(f"LIMIT {ROWS}", "LIMIT 29000")})
        connection.request(
            "GET", f"{parts.path}?{query}", headers={"Accept": "text/tab-separated-values"}
        )
        response = connection.getresponse()
        assert response.status == 200
        assert len(response.read(1 << 20)) == 1 << 20
        connection.close()  # gone in the middle of the answer
    assert _asks(limited_serve)


def test_a_streamed_answer_is_cached_when_the_cache_would_keep_it(limited_serve: str) -> None:
    """A streamed answer of about 1.5 MB is kept and answered from the cache the second
    time; one of about 2.5 MB is not kept (the cache keeps answers up to 2 MB)."""
    for rows, kept in ((14_000, True), (25_000, False)):
        query = CROSS.replace(f"LIMIT {ROWS}", f"LIMIT {rows}")
        first, data = _fetch(limited_serve, query, "text/tab-separated-values")
        assert first.getheader("Transfer-Encoding") == "chunked"
        assert len(data) > (1 << 20) and (len(data) < 2 << 20) == kept, len(data)
        second, again = _fetch(limited_serve, query, "text/tab-separated-values")
        assert again == data and data.count(b"\n") == rows + 1
        assert second.getheader("X-Cache") == ("hit" if kept else "miss")


def test_head_of_a_large_answer(limited_serve: str) -> None:
    """HEAD answers like GET without a body: the worker writing the answer is stopped."""
    parts = urllib.parse.urlsplit(limited_serve)
    query = urllib.parse.urlencode({"query": CROSS.replace(f"LIMIT {ROWS}", "LIMIT 29000")})
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    connection.request("HEAD", f"{parts.path}?{query}", headers={"Accept": "text/csv"})
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b""
    assert response.getheader("Content-Type") == "text/csv; charset=utf-8"
    connection.close()
    assert _asks(limited_serve)


def test_the_timeout_after_the_first_piece_stops_the_stream(dataset_path: Path) -> None:
    """The deadline counts from the request, pieces or not: a stream still running at the
    timeout ends with QueryTimeout (over HTTP: a cut body), its worker is replaced."""
    pool = WorkerPoolStore(StoreSpec(dataset=dataset_path), size=1)
    try:
        everything = "SELECT ?a ?b ?c WHERE { ?a ?p ?x . ?b ?q ?y . ?c ?r ?z }"  # 778,688 rows
        started = time.monotonic()
        _, pieces = pool.stream(
            everything, "application/sparql-results+json", QueryOptions(timeout_s=0.5)
        )
        assert not isinstance(pieces, bytes)
        received = 0
        with pytest.raises(QueryTimeout, match=r"longer than 0\.5 s"):
            for piece in pieces:
                received += len(piece)
        assert received > 0 and time.monotonic() - started < 5
        assert pool.stops["timeout"] == 1
        assert pool.ask("ASK {}", QueryOptions(timeout_s=60)) is True  # its successor answers
    finally:
        pool.close()
