"""The shipped sources built once for the named-query tests (test_named_queries, test_paging),
read by both engines: pyoxigraph and rdflib's."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from cdkg.loaders.build import build
from cdkg.loaders.layout import project_paths

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sources built into a temporary build folder."""
    paths = project_paths(ROOT, tmp_path_factory.mktemp("named-queries-build"))
    result = build(paths)
    assert result.published is not None, result.report.errors()
    return paths.current / "dataset.nq"


@pytest.fixture(scope="session")
def store(dataset: Path) -> ox.Store:
    loaded = ox.Store()
    loaded.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    return loaded


@pytest.fixture(scope="session")
def rdflib_dataset(dataset: Path) -> Dataset:
    loaded = Dataset(default_union=True)
    loaded.parse(str(dataset), format="nquads")
    return loaded
