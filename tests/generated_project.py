"""A project folder with generated catalogs, for tests that need more than the five seeds.

It shares the checkout's registers, ontology, queries and seed sources (symbolic links) and
holds ``jurisdictions`` template catalogs from benchmarks/generate.py in data/catalogs/ —
the way benchmarks/run.py makes a size, small enough for a test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


def generator() -> ModuleType:
    """benchmarks/generate.py as a module (benchmarks/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "cdkg_benchmark_generate", ROOT / "benchmarks" / "generate.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while defining
    spec.loader.exec_module(module)
    return module


def generated_project(folder: Path, jurisdictions: int, seed: int = 42) -> Path:
    """``folder`` made a project with the seeds and ``jurisdictions`` generated catalogs."""
    (folder / "data").mkdir(parents=True)
    for name in ("ontology", "queries"):
        (folder / name).symlink_to(ROOT / name)
    for name in ("registers", "raw", "corrections", "topic-overrides.csv"):
        (folder / "data" / name).symlink_to(ROOT / "data" / name)
    generator().generate(jurisdictions, folder / "data" / "catalogs", seed=seed)
    return folder
