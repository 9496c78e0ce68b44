"""Every docstring example in the package runs, as part of the tests (issue 13).

Each module is imported by its installed name (``cdkg.loaders.terminal``, not
``loaders.terminal``: pytest's ``--doctest-modules`` would import the folders a second time
under their folder names) and its examples run with :mod:`doctest`; a failing example fails
the test named after its module. Modules without examples are skipped, so the count of
modules that have them is visible in the test ids.
"""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Folder → import name, as pyproject's package-dir maps them.
PACKAGES = {
    "cli": "cdkg",
    "ontology": "cdkg.ontology",
    "queries": "cdkg.queries",
    "loaders": "cdkg.loaders",
    "server": "cdkg.server",
}


def module_name(path: Path) -> str:
    """The import name of a source file.

    >>> module_name(ROOT / "loaders" / "rdf" / "terms.py")
    'cdkg.loaders.rdf.terms'
    >>> module_name(ROOT / "cli" / "commands" / "__init__.py")
    'cdkg.commands'
    """
    folder, *rest = path.relative_to(ROOT).with_suffix("").parts
    parts = [PACKAGES[folder], *rest]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def with_examples() -> list[str]:
    """The modules whose source holds a ``>>>`` example."""
    return sorted(
        module_name(path)
        for folder in PACKAGES
        for path in (ROOT / folder).rglob("*.py")
        if ">>> " in path.read_text(encoding="utf-8")
    )


@pytest.mark.parametrize("name", with_examples())
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = [t for t in finder.find(module, name) if t.examples]
    assert tests, f"{name}: '>>> ' in the source but no example doctest can find"
    for test in tests:
        runner.run(test)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


def test_this_module_examples() -> None:
    failures, tried = doctest.testmod(importlib.import_module(__name__))[:2]
    assert tried >= 2 and failures == 0
