"""Opening stores (cdkg.server.store.engines, cdkg.server.serve): files, persistent directories,
versions, and the worker pool's start-up and shutdown."""

from __future__ import annotations

import gc
import json
import shutil
from pathlib import Path

import pytest

from cdkg.loaders.layout import VERSION_FILE, ProjectPaths
from cdkg.server.serve import open_server_store
from cdkg.server.store import QueryOptions
from cdkg.server.store.engines import (
    OxigraphStore,
    RdflibStore,
    StoreSpec,
    dataset_version,
    open_store,
)
from cdkg.server.store.workers import WorkerPoolStore


def test_version_comes_from_the_manifest(dataset_path: Path, built_paths: ProjectPaths) -> None:
    manifest = json.loads((built_paths.current / "manifest.json").read_text())
    assert dataset_version(dataset_path) == manifest["version"]
    assert OxigraphStore.from_file(dataset_path).version == manifest["version"]


def test_version_without_a_manifest_is_a_digest(dataset_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "data.nq"
    shutil.copyfile(dataset_path, copy)
    assert len(dataset_version(copy)) == 20
    copy.write_text(copy.read_text() + "<http://a> <http://b> <http://c> .\n")
    assert dataset_version(copy) != dataset_version(dataset_path)


def test_other_file_formats(tmp_path: Path) -> None:
    sample = Path(__file__).parent / "fixtures" / "sample.trig"
    assert OxigraphStore.from_file(sample).ask("ASK { ?d a cd:Duty }")
    assert RdflibStore.from_file(sample).ask("ASK { ?d a cd:Duty }")
    with pytest.raises(ValueError, match="cannot tell the RDF format"):
        OxigraphStore.from_file(tmp_path / "data.xyz")


@pytest.mark.parametrize(
    "spec",
    [StoreSpec(engine="virtuoso", dataset=Path("x.nq")), StoreSpec(), StoreSpec(engine="rdflib")],
)
def test_bad_specs(spec: StoreSpec) -> None:
    with pytest.raises(ValueError):
        open_store(spec)


def test_persistent_directory(dataset_path: Path, tmp_path: Path) -> None:
    directory = tmp_path / "store"
    store = OxigraphStore.open_directory(directory, dataset_path)
    sizes = store.graph_sizes()
    assert (directory / VERSION_FILE).read_text().strip() == store.version
    del store
    gc.collect()
    again = OxigraphStore.open_directory(directory)  # no dataset: what it holds, its version
    assert again.graph_sizes() == sizes
    assert again.version == dataset_version(dataset_path)
    del again
    gc.collect()
    pool = WorkerPoolStore(StoreSpec(directory=directory, read_only=True), size=1)
    try:
        assert pool.graph_sizes() == sizes
    finally:
        pool.close()


def test_serve_with_a_store_directory(built_paths: ProjectPaths, tmp_path: Path) -> None:
    store = open_server_store(built_paths, workers=1, store_dir=tmp_path / "store")
    try:
        assert store.ask("ASK { ?d cd:number 6 }", QueryOptions(timeout_s=10))
        assert store.version == dataset_version(built_paths.current / "dataset.nq")
    finally:
        store.close()  # type: ignore[attr-defined]


def test_pool_close_stops_every_worker(dataset_path: Path) -> None:
    pool = WorkerPoolStore(StoreSpec(dataset=dataset_path), size=2)
    processes = [worker.process for worker in pool._all]
    pool.ping()
    pool.close()
    assert all(process.poll() is not None for process in processes)


def test_a_pool_that_cannot_open_the_store_says_why(tmp_path: Path) -> None:
    from cdkg.server.store import EngineUnavailable

    with pytest.raises(EngineUnavailable, match="could not open the store"):
        WorkerPoolStore(StoreSpec(dataset=tmp_path / "missing.nq"), size=1)


@pytest.mark.parametrize("engine", ["oxigraph_store", "rdflib_store"])
def test_concurrent_queries_from_server_threads(
    request: pytest.FixtureRequest, engine: str
) -> None:
    """Bug: rdflib's SPARQL engine fails at random when two threads query at once (waitress
    runs several); RdflibStore now serialises its calls."""
    import threading

    store = request.getfixturevalue(engine)
    queries = [
        "ASK { ?d cd:number 6 }",
        "SELECT ?d ?l { ?d cd:inCatalog ?c ; rdfs:label ?l OPTIONAL { ?d cd:description ?x } }",
    ]
    errors: list[Exception] = []

    def run(query: str) -> None:
        for _ in range(10):
            try:
                store.execute(query, "application/sparql-results+json", QueryOptions())
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=run, args=(queries[i % 2],)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
