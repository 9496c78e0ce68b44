"""Where the query workers read the data: their own in-memory copy, or the published store.

pyoxigraph's in-memory store answers the named queries about five times faster than its
on-disk store opened read-only (docs/benchmarks-profile.md), so ``cdkg serve`` holds a dataset
of the seeds' size in memory by default and reads a large one from disk.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import DUTY_3, DUTY_3_LABEL

from cdkg.loaders.layout import STORE_FOLDER, ProjectPaths
from cdkg.server.config import IN_MEMORY_QUADS, config_from_options
from cdkg.server.serve import held_in_memory, open_server_store
from cdkg.server.store import QueryOptions
from cdkg.server.store.engines import dataset_quads


def test_the_manifest_says_how_many_quads(real_paths: ProjectPaths) -> None:
    dataset = real_paths.current / "dataset.nq"
    lines = sum(1 for line in dataset.read_text(encoding="utf-8").splitlines() if line.strip())
    assert dataset_quads(dataset) == lines
    assert held_in_memory(dataset, "auto")
    assert held_in_memory(dataset, "memory")
    assert not held_in_memory(dataset, "disk")


def test_a_large_dataset_is_read_from_disk(tmp_path: Path) -> None:
    manifest = {"version": "v", "graphs": {"https://w3id.org/cdkg/id/graph/a": IN_MEMORY_QUADS}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert held_in_memory(tmp_path / "dataset.nq", "auto")
    manifest["graphs"]["https://w3id.org/cdkg/id/graph/b"] = 1
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    assert not held_in_memory(tmp_path / "dataset.nq", "auto")
    assert held_in_memory(tmp_path / "dataset.nq", "memory")
    # no manifest: no published store beside the file either, so it is loaded
    assert held_in_memory(tmp_path / "elsewhere" / "dataset.nq", "auto")


@pytest.mark.parametrize("placement", ["memory", "disk"])
def test_both_placements_answer_the_same(real_paths: ProjectPaths, placement: str) -> None:
    assert (real_paths.current / STORE_FOLDER).is_dir(), "the build publishes a store"
    store = open_server_store(real_paths, workers=1, placement=placement)
    try:
        assert store._spec.in_memory is (placement == "memory")  # type: ignore[attr-defined]
        sizes = store.graph_sizes()
        assert sum(sizes.values()) == dataset_quads(real_paths.current / "dataset.nq")
        rows = store.select(
            f"SELECT ?label WHERE {{ <{DUTY_3}> rdfs:label ?label }}", QueryOptions(timeout_s=10)
        )
        assert [str(row["label"]) for row in rows] == [DUTY_3_LABEL]
    finally:
        store.close()  # type: ignore[attr-defined]


def test_the_option_and_its_variable() -> None:
    assert config_from_options({}, {}).store_placement == "auto"
    assert config_from_options({"store": "disk"}, {"CDKG_STORE": "memory"}).store_placement == (
        "disk"
    )
    assert config_from_options({}, {"CDKG_STORE": "Memory"}).store_placement == "memory"
    with pytest.raises(ValueError, match="CDKG_STORE: 'ram' is not one of auto, memory, disk"):
        config_from_options({}, {"CDKG_STORE": "ram"})
