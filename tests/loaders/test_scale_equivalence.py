"""The scalable store engine and the reference engine (rdflib + owlrl + pySHACL) build the
same dataset from the shipped sources: the same bytes, and the same SHACL findings."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.loaders.build import build
from cdkg.paths import project_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory):
    results = {}
    for engine in ("store", "reference"):
        paths = project_paths(ROOT, tmp_path_factory.mktemp(engine))
        results[engine] = (build(paths, engine=engine), paths)
    return results


def test_same_dataset_bytes(both) -> None:
    store, reference = (both[e][1].current / "dataset.nq" for e in ("store", "reference"))
    assert store.read_bytes() == reference.read_bytes()
    assert len(store.read_bytes().splitlines()) == 15928


def test_same_shacl_findings(both) -> None:
    def findings(engine: str) -> list[tuple[str, str, str, str]]:
        report = both[engine][0].report
        return sorted((f.focus, f.shape, f.severity, f.message) for f in report.validation.findings)

    store, reference = findings("store"), findings("reference")
    assert store == reference
    assert len([f for f in store if f[2] == "Warning"]) == 8
    assert len([f for f in store if f[2] == "Info"]) == 3


def test_same_reasoning_count(both) -> None:
    added = {e: both[e][0].report.reasoning.total for e in ("store", "reference")}
    assert added == {"store": 4087, "reference": 4087}
