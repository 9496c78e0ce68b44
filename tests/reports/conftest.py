"""Fixtures for the report, check and export tests: one real build of the shipped sources.

``built`` runs ``cdkg build`` once per session into a temporary folder (never the checkout's
build/), so every value asserted here comes from data/raw. fixtures/queries/ holds two check
queries and one question written for these tests, so they do not depend on which queries
the library (queries/) holds today; values asserted are in reports_data.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from reports_data import ROOT

from cdkg.loaders.build import build
from cdkg.loaders.layout import ProjectPaths, project_paths


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """The shipped sources built into a temporary build folder."""
    paths = project_paths(ROOT, tmp_path_factory.mktemp("reports-build"))
    result = build(paths)
    assert result.published is not None, result.report.errors()
    return paths


@pytest.fixture(scope="session")
def dataset(built: ProjectPaths) -> Path:
    return built.current / "dataset.nq"
