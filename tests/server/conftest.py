"""Fixtures for the server tests: a built dataset, both engines, apps and live servers.

``built_paths`` writes a build folder (build/current with dataset.nq, dataset.trig,
manifest.json, as ``cdkg build`` does) from ``fixtures/sample.trig`` — real values from
data/raw, small enough that tests can assert exact counts — into a temporary directory.
``real_paths`` runs the real pipeline (``cdkg.loaders.build.build``) into another temporary
directory, for the tests in test_real_data.py; nothing else here depends on where the data
came from, so any fixture below can be pointed at either.

Live servers are real waitress servers on 127.0.0.1 with a free port, run in a thread.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.serve import make_server
from cdkg.server.store.engines import OxigraphStore, RdflibStore, StoreSpec
from cdkg.server.store.workers import WorkerPoolStore

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SAMPLE = FIXTURES / "sample.trig"

# Real values from data/raw/chongqing.txt, asserted in several tests.
DUTY_6 = "https://w3id.org/cdkg/id/duty/chongqing/assistance/6"
DUTY_6_LABEL = "协助开展禁毒宣传、落实禁毒防范措施"
DUTY_3 = "https://w3id.org/cdkg/id/duty/chongqing/assistance/3"
DUTY_3_LABEL = "协助申领发放居住证"
GRAPH_CHONGQING = "https://w3id.org/cdkg/id/graph/chongqing"
GRAPH_SICHUAN = "https://w3id.org/cdkg/id/graph/sichuan"


def _write_build(current: Path) -> None:
    """Write build/current from the fixture, in the shape of the real build."""
    current.mkdir(parents=True)
    quads = list(ox.parse(path=str(SAMPLE), format=ox.RdfFormat.TRIG))
    ox.serialize(quads, str(current / "dataset.nq"), ox.RdfFormat.N_QUADS)
    shutil.copyfile(SAMPLE, current / "dataset.trig")
    counts: dict[str, int] = {}
    for quad in quads:
        name = str(quad.graph_name.value)  # type: ignore[union-attr]
        counts[name] = counts.get(name, 0) + 1
    digest = hashlib.sha256((current / "dataset.nq").read_bytes()).hexdigest()[:16]
    manifest = {
        "version": digest,
        "built": datetime(2025, 1, 1, tzinfo=UTC).isoformat(),
        "base": "https://w3id.org/cdkg/id/",
        "graphs": counts,
    }
    (current / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (current / "report.md").write_text("# Build report (test fixture)\n", encoding="utf-8")


@pytest.fixture(scope="session")
def built_paths(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    build = tmp_path_factory.mktemp("cdkg-build")
    _write_build(build / "current")
    return ProjectPaths(root=ROOT, build=build)


@pytest.fixture(scope="session")
def real_paths(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """The real dataset built from data/raw (without OWL-RL and SHACL, which take most of the
    build's time and change nothing the server does; CDKG_TEST_FULL_BUILD=1 runs them)."""
    try:
        from cdkg.loaders.build import BuildOptions, build
    except ImportError as error:  # the pipeline is not there yet
        pytest.skip(f"no build pipeline: {error}")
    paths = ProjectPaths(root=ROOT, build=tmp_path_factory.mktemp("cdkg-real-build"))
    full = os.environ.get("CDKG_TEST_FULL_BUILD") == "1"
    build(paths, BuildOptions(reason=full, validate_shapes=full), io.StringIO())
    if not (paths.current / "dataset.nq").is_file():
        pytest.fail("the real build published no dataset")
    return paths


@pytest.fixture(scope="session")
def dataset_path(built_paths: ProjectPaths) -> Path:
    return built_paths.current / "dataset.nq"


@pytest.fixture(scope="session")
def oxigraph_store(dataset_path: Path) -> OxigraphStore:
    return OxigraphStore.from_file(dataset_path)


@pytest.fixture(scope="session")
def rdflib_store(dataset_path: Path) -> RdflibStore:
    return RdflibStore.from_file(dataset_path)


@pytest.fixture(scope="session")
def pool(dataset_path: Path) -> Iterator[WorkerPoolStore]:
    """Two pyoxigraph worker processes shared by the tests (timeouts come per request)."""
    store = WorkerPoolStore(StoreSpec(engine="oxigraph", dataset=dataset_path), size=2)
    yield store
    store.close()


@pytest.fixture(scope="session")
def config(built_paths: ProjectPaths) -> ServerConfig:
    return ServerConfig(paths=built_paths)


@pytest.fixture(scope="session")
def app(oxigraph_store: OxigraphStore, config: ServerConfig) -> Flask:
    """An app over the in-process store, for Flask test-client tests."""
    return create_app(oxigraph_store, config)


@pytest.fixture()
def client(app: Flask):  # type: ignore[no-untyped-def]
    return app.test_client()


@dataclass(frozen=True)
class LiveServer:
    url: str
    app: Flask

    @property
    def endpoint(self) -> str:
        return f"{self.url}/sparql"


@contextmanager
def running(app: Flask, threads: int = 4) -> Iterator[LiveServer]:
    """Run ``app`` under waitress on a free loopback port for the duration of the block."""
    server = make_server(app, "127.0.0.1", 0, threads=threads)
    thread = threading.Thread(target=server.run, name="waitress-test", daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.effective_port}", app)  # type: ignore[union-attr]
    finally:
        # Closed from the server's own loop thread (closing its sockets from here while it
        # waits in select() makes that thread fail with EBADF); the loop ends with no sockets.
        # A waitress task thread may wake the loop at the same moment, so that the loop closes
        # the trigger before this write reaches it: the write then meets a closed pipe (EBADF),
        # and the loop is ending anyway.
        with suppress(OSError):
            server.trigger.pull_trigger(  # type: ignore[union-attr]
                lambda: server.asyncore.close_all(server._map)  # type: ignore[union-attr]
            )
        thread.join(timeout=10)
        server.task_dispatcher.shutdown()  # type: ignore[union-attr]


@pytest.fixture(scope="session")
def live_server(pool: WorkerPoolStore, config: ServerConfig) -> Iterator[LiveServer]:
    """The default set-up: waitress + pyoxigraph in worker processes."""
    with running(create_app(pool, config)) as server:
        yield server


@pytest.fixture(scope="session")
def live_rdflib_server(rdflib_store: RdflibStore, config: ServerConfig) -> Iterator[LiveServer]:
    with running(create_app(rdflib_store, config)) as server:
        yield server


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """An engine object freed on the wrong thread (or any unraisable error) fails the test."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(str(item.fspath)).resolve().parents:
            item.add_marker(
                pytest.mark.filterwarnings("error::pytest.PytestUnraisableExceptionWarning")
            )
