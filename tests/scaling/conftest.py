"""Fixtures for the scaling tests: the real build, and real SPARQL servers on 127.0.0.1.

Started once per session, each on free ports with its own temporary directory, and stopped
by process id at the end:

* Oxigraph server — ``oxigraph serve`` from PyPI's ``oxigraph`` package (the dev extra), with
  ``--union-default-graph`` so that a query without GRAPH sees every graph, as on cdkg's
  embedded store. SPARQL at /query, Graph Store Protocol at /store.
* OpenLink Virtuoso — ``virtuoso-t`` from Debian's ``virtuoso-minimal``, with a fresh database
  directory and the ``virtuoso.ini`` of ``local_servers``. SPARQL at /sparql; Graph Store
  Protocol at /sparql-graph-crud-auth with digest authentication as dba/dba; the grants that
  let the anonymous SPARQL user send SERVICE requests are given through ``isql-vt``.
* cdkg's own endpoint over the built dataset, under waitress in a thread (the SERVICE target).

A missing server binary skips the tests that need it, naming the install command; ``./dev
test`` (and so ``.ci/run``) installs both. Start-up and push times are printed in a "scaling
timings" section at the end of the run.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from local_servers import free_port, virtuoso_command, write_virtuoso_ini
from werkzeug.serving import make_server as make_wsgi_server

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.serve import make_server
from cdkg.server.store.engines import OxigraphStore
from cdkg.server.store.gsp import Build, GraphStore, push, read_build
from cdkg.server.store.remote import RemoteStore, make_auth

ROOT = Path(__file__).resolve().parents[2]
DUTY_6 = "https://w3id.org/cdkg/id/duty/chongqing/assistance/6"
DUTY_6_LABEL = "协助开展禁毒宣传、落实禁毒防范措施"
STARTUP_TIMEOUT_S = 90.0

OXIGRAPH_INSTALL = "pip install oxigraph (the dev extra: pip install -e '.[dev]'; ./dev test)"
VIRTUOSO_INSTALL = "apt-get install virtuoso-minimal (./dev test installs it)"

TIMINGS: dict[str, str] = {}
"""Measurements printed at the end of the session (name → value)."""


def record(name: str, value: str) -> None:
    TIMINGS[name] = value


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if TIMINGS:
        terminalreporter.section("scaling timings")
        for name, value in TIMINGS.items():
            terminalreporter.write_line(f"{name}: {value}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """An engine object freed on the wrong thread (or any unraisable error) fails the test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(
                pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
            )


# --- the build --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def built_paths(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """The real ``cdkg build`` of data/raw, into a temporary build folder."""
    from cdkg.loaders.build import build

    paths = ProjectPaths(root=ROOT, build=tmp_path_factory.mktemp("scaling-build"))
    started = time.perf_counter()
    result = build(paths)
    assert result.published is not None, "\n".join(result.report.errors())
    record("build (real data)", f"{time.perf_counter() - started:.1f} s")
    return paths


@pytest.fixture(scope="session")
def built(built_paths: ProjectPaths) -> Build:
    return read_build(built_paths.current)


@pytest.fixture(scope="session")
def embedded(built: Build) -> OxigraphStore:
    """cdkg's embedded store over the build: the reference answers."""
    return OxigraphStore.from_file(built.dataset)


# --- processes ----------------------------------------------------------------------------


@dataclass
class Process:
    """A server process started by a fixture, stopped by its process id."""

    popen: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self) -> None:
        if self.popen.poll() is None:
            os.kill(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, signal.SIGKILL)
                self.popen.wait(timeout=10)

    def tail(self, lines: int = 30) -> str:
        try:
            text = self.log.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])


def start(command: list[str], directory: Path, name: str = "server") -> Process:
    """Start ``command`` in ``directory``, its output going to ``directory/<name>.log``."""
    log = directory / f"{name}.log"
    with log.open("wb") as output:
        popen = subprocess.Popen(
            command,
            cwd=directory,
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    return Process(popen, log)


def wait_until(
    ready: Callable[[], bool], process: Process, what: str, timeout: float = STARTUP_TIMEOUT_S
) -> float:
    """Poll ``ready`` until it holds; the seconds it took. Fails with the server's log."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.popen.poll() is not None:
            pytest.fail(f"{what} exited with {process.popen.returncode}:\n{process.tail()}")
        try:
            if ready():
                return time.perf_counter() - started
        except requests.RequestException:
            pass
        time.sleep(0.1)
    process.stop()
    pytest.fail(f"{what} did not answer within {timeout:g} s:\n{process.tail()}")


def answers_ask(endpoint: str) -> Callable[[], bool]:
    def ready() -> bool:
        response = requests.get(
            endpoint,
            params={"query": "ASK {}"},
            headers={"Accept": "application/sparql-results+json"},
            timeout=2,
        )
        return response.status_code == 200

    return ready


# --- SPARQL servers -----------------------------------------------------------------------


@dataclass
class SparqlServer:
    """A running SPARQL server: where to query and push, with which credentials."""

    name: str
    endpoint: str
    graph_store: str
    startup_s: float
    process: Process
    auth: str | None = None
    user: str | None = None
    password: str | None = None
    pushed: dict[str, float] = field(default_factory=dict)

    def push_args(self) -> list[str]:
        """``cdkg push`` arguments for this server (the password is given by environment)."""
        args = ["--endpoint", self.endpoint, "--graph-store", self.graph_store]
        if self.auth:
            args += ["--auth", self.auth, "--user", str(self.user)]
        return args

    def remote(self, **kwargs: object) -> RemoteStore:
        return RemoteStore(self.endpoint, **kwargs)  # type: ignore[arg-type]

    def graph_store_client(self, **kwargs: object) -> GraphStore:
        auth = make_auth(self.auth, self.user, self.password)
        return GraphStore(self.graph_store, auth, **kwargs)  # type: ignore[arg-type]


def _oxigraph_binary() -> str | None:
    beside_python = Path(sys.executable).with_name("oxigraph")
    if beside_python.is_file():
        return str(beside_python)
    return shutil.which("oxigraph")


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    binary = _oxigraph_binary()
    if binary is None:
        pytest.skip(f"Oxigraph server not installed: {OXIGRAPH_INSTALL}")
    directory = tmp_path_factory.mktemp("oxigraph")
    port = free_port()
    command = [binary, "serve", "--location", str(directory / "store")]
    command += ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    process = start(command, directory)
    base = f"http://127.0.0.1:{port}"
    try:
        seconds = wait_until(answers_ask(f"{base}/query"), process, "oxigraph serve")
        record("oxigraph serve start-up", f"{seconds:.2f} s")
        yield SparqlServer("oxigraph", f"{base}/query", f"{base}/store", seconds, process)
    finally:
        process.stop()


VIRTUOSO_GRANTS = (
    # SERVICE (federated query) by the anonymous /sparql user "SPARQL"; without them Virtuoso
    # answers "SQ070: SECURITY: Must have select privileges on view DB.DBA.SPARQL_SINV_2".
    # (The SPARQL_LOAD_SERVICE_DATA role is not needed for SERVICE.)
    'GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL";',
    'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";',
)


def _isql_binary() -> str | None:
    return shutil.which("isql-vt") or shutil.which("isql")


def isql(sql_port: int, statements: str) -> str:
    """Run SQL as dba through Virtuoso's isql client; the output, or a failed test."""
    binary = _isql_binary()
    assert binary is not None
    done = subprocess.run(
        [binary, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        pytest.fail(f"isql failed on {statements!r}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SparqlServer]:
    binary = shutil.which("virtuoso-t")
    if binary is None or _isql_binary() is None:
        pytest.skip(f"Virtuoso not installed: {VIRTUOSO_INSTALL}")
    directory = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = write_virtuoso_ini(directory, sql_port, http_port)
    process = start(virtuoso_command(binary, ini), directory)
    base = f"http://127.0.0.1:{http_port}"
    try:
        seconds = wait_until(answers_ask(f"{base}/sparql"), process, "virtuoso-t")
        record("virtuoso-t start-up (new database)", f"{seconds:.2f} s")
        isql(sql_port, " ".join(VIRTUOSO_GRANTS))
        yield SparqlServer(
            "virtuoso",
            f"{base}/sparql",
            f"{base}/sparql-graph-crud-auth",
            seconds,
            process,
            auth="digest",
            user="dba",
            password="dba",
        )
    finally:
        process.stop()


SERVERS = ("oxigraph", "virtuoso")

# --- known differences between the servers ------------------------------------------------
# One table, with reasons (used by test_query_agreement.py and test_upstream_serve.py).

# Empty: every named query gives the same answer on all of them. The Virtuoso 7.2 quirks the
# queries are written around are listed in README.md ("What to know about Virtuoso"); a new
# difference goes here as (server, query) → the reason, and is then an expected failure.
KNOWN: dict[tuple[str, str], str] = {}
"""(server, query) → why that server answers differently."""


@pytest.fixture(scope="session", params=SERVERS)
def server(request: pytest.FixtureRequest) -> SparqlServer:
    """Each SPARQL server in turn (started on first use)."""
    sparql_server: SparqlServer = request.getfixturevalue(f"{request.param}_server")
    return sparql_server


@pytest.fixture(scope="session")
def loaded(server: SparqlServer, built: Build) -> SparqlServer:
    """``server`` holding the build (pushed once per session through the library)."""
    return ensure_loaded(server, built)


def ensure_loaded(server: SparqlServer, built: Build) -> SparqlServer:
    if "library" not in server.pushed:
        started = time.perf_counter()
        push(built, server.graph_store_client())
        server.pushed["library"] = time.perf_counter() - started
        record(f"push to {server.name} (library, turtle)", f"{server.pushed['library']:.2f} s")
    return server


# --- cdkg's own endpoint ------------------------------------------------------------------


@dataclass(frozen=True)
class CdkgEndpoint:
    url: str

    @property
    def sparql(self) -> str:
        return f"{self.url}/sparql"


@pytest.fixture(scope="session")
def cdkg_endpoint(embedded: OxigraphStore, built_paths: ProjectPaths) -> Iterator[CdkgEndpoint]:
    """cdkg's endpoint over the build, under waitress on a free loopback port (a thread)."""
    app = create_app(embedded, ServerConfig(paths=built_paths))
    server = make_server(app, "127.0.0.1", 0, threads=4)
    thread = threading.Thread(target=server.run, name="cdkg-endpoint", daemon=True)
    thread.start()
    try:
        yield CdkgEndpoint(f"http://127.0.0.1:{server.effective_port}")  # type: ignore[union-attr]
    finally:
        # Closed from the server's own loop thread (closing its sockets from here while it
        # waits in select() makes that thread fail with EBADF); the loop ends with no sockets.
        server.trigger.pull_trigger(  # type: ignore[union-attr]
            lambda: server.asyncore.close_all(server._map)  # type: ignore[union-attr]
        )
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]


def manifest_graphs(built: Build) -> dict[str, int]:
    data = json.loads((built.dataset.parent / "manifest.json").read_text(encoding="utf-8"))
    return {str(k): int(v) for k, v in data["graphs"].items()}


@contextmanager
def wsgi_server(app: Callable[..., Iterable[bytes]]) -> Iterator[str]:
    """Run a small WSGI ``app`` on a free loopback port; yields its base URL."""
    server = make_wsgi_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="fake-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
