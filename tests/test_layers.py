"""The layers of the package, read from its source: imports go one way (issue 13).

ontology ← loaders (build) ← the read side (server/store, server/reports, queries) ← the doors
(the Flask site in server/, the command line in cli/). Each module's imports — at the top or
inside a function — are parsed with ``ast`` and checked against the table below, so a new
upward import fails here with the file, line and the rule it breaks. A second pair of tests
runs a fresh interpreter: the read side, and reading a built dataset from Python, load no web
framework.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
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
# (prefix, layer, rank): the most specific prefix decides; a module may import its own layer
# or a lower rank. ``cdkg`` itself (the version) sits below everything.
LAYERS = (
    ("cdkg.ontology", "ontology", 0),
    ("cdkg.loaders", "loaders", 1),
    ("cdkg.queries", "read side", 2),
    ("cdkg.server.store", "read side", 2),
    ("cdkg.server.reports", "read side", 2),
    ("cdkg.server", "web door", 3),
    ("cdkg", "command-line door", 3),
)
# Imports that cross within one rank, forbidden although the rank is the same.
FORBIDDEN = (
    ("cdkg.server.store", "cdkg.server.reports", "the engines know nothing of reports"),
    ("cdkg.server.store", "cdkg.queries", "the engines know nothing of the named queries"),
    ("cdkg.queries", "cdkg.server", "the named queries know nothing of the engines"),
    ("cdkg.server", "cdkg", "the web door does not call the command line"),
)
WEB_FRAMEWORKS = ("flask", "werkzeug")
TEST_ONLY = ("tests", "benchmarks", "conftest", "local_servers", "pytest")


@dataclass(frozen=True)
class Import:
    """One imported module, where the import is written."""

    importer: str
    target: str
    path: Path
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    """The import name of a source file.

    >>> module_name(ROOT / "server" / "store" / "engines.py")
    'cdkg.server.store.engines'
    >>> module_name(ROOT / "cli" / "commands" / "__init__.py")
    'cdkg.commands'
    """
    folder, *rest = path.relative_to(root).with_suffix("").parts
    parts = [PACKAGES[folder], *rest]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def source_files(root: Path = ROOT) -> list[Path]:
    return sorted(p for folder in PACKAGES for p in (root / folder).rglob("*.py"))


def imports_of(path: Path, modules: set[str], root: Path = ROOT) -> list[Import]:
    """Every module ``path`` imports, relative imports resolved; ``from X import y`` counts as
    an import of ``X.y`` when that is a module, or when X is another distribution
    (``from importlib import resources`` is not ``importlib``)."""
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [Import(name, alias.name, path, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            else:
                base = node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                cdkg_module = base.split(".")[0] == "cdkg" and full not in modules
                found.append(Import(name, base if cdkg_module else full, path, node.lineno))
    return found


def layer_of(module: str) -> tuple[str, int] | None:
    """The layer of a cdkg module (None for another distribution, and for ``cdkg`` itself).

    >>> layer_of("cdkg.server.store.engines")
    ('read side', 2)
    >>> layer_of("cdkg.commands.query")
    ('command-line door', 3)
    """
    if module == "cdkg":
        return None
    for prefix, layer, rank in LAYERS:
        if module == prefix or module.startswith(prefix + "."):
            return layer, rank
    return None


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _most_specific(module: str) -> str:
    return next(p for p, _, _ in LAYERS if _within(module, p))


def violations(root: Path = ROOT) -> list[str]:
    """Every import under ``root`` that breaks a rule, as ``file:line: what — why``."""
    files = source_files(root)
    modules = {module_name(p, root) for p in files}
    problems = []
    for path in files:
        for imp in imports_of(path, modules, root):
            where = f"{imp.path.relative_to(root)}:{imp.line}: {imp.importer} imports {imp.target}"
            top = imp.target.split(".")[0]
            mine, theirs = layer_of(imp.importer), layer_of(imp.target)
            if top in WEB_FRAMEWORKS and mine != ("web door", 3):
                problems.append(f"{where} — only the web door (server/) may import {top}")
            if top in TEST_ONLY:
                problems.append(f"{where} — the package never imports tests or benchmarks")
            if imp.target in ("importlib", "importlib.import_module"):
                problems.append(f"{where} — import modules by name, not by string")
            if mine is None or theirs is None:
                continue
            if theirs[1] > mine[1]:
                problems.append(f"{where} — the {mine[0]} may not import the {theirs[0]}")
            for low, high, why in FORBIDDEN:
                if (
                    _within(imp.importer, low)
                    and _most_specific(imp.importer) == low
                    and _within(imp.target, high)
                    and _most_specific(imp.target) == high
                ):
                    problems.append(f"{where} — {why}")
    return problems


def test_imports_go_one_way() -> None:
    """No module imports a layer above its own; the read side and the loaders load no web
    framework; nothing in the package imports the tests; sub-commands are imported by name."""
    assert violations() == []


def test_the_layer_check_names_each_broken_rule(tmp_path: Path) -> None:
    """The check fires on real files that break each rule: an engine importing the web layer
    and Flask, a loader importing the read side, the web door calling the command line, a
    sub-command loaded by string, the package importing a test helper."""
    files = {
        "server/store/engine.py": "import flask\nfrom ..errors import plain_error\n",
        "server/errors.py": "from flask import Response\n",
        "server/page.py": "from cdkg.commands import query\n",
        "loaders/build.py": "from cdkg.server.store import Store\n",
        "cli/commands/query.py": "from local_servers import free_port\n",
        "cli/cli.py": "import importlib\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert violations(tmp_path) == [
        "cli/cli.py:1: cdkg.cli imports importlib — import modules by name, not by string",
        "cli/commands/query.py:1: cdkg.commands.query imports local_servers.free_port — the "
        "package never imports tests or benchmarks",
        "loaders/build.py:1: cdkg.loaders.build imports cdkg.server.store — the loaders may "
        "not import the read side",
        "server/page.py:1: cdkg.server.page imports cdkg.commands.query — the web door does "
        "not call the command line",
        "server/store/engine.py:1: cdkg.server.store.engine imports flask — only the web door "
        "(server/) may import flask",
        "server/store/engine.py:2: cdkg.server.store.engine imports cdkg.server.errors — the "
        "read side may not import the web door",
    ]


_FRESH = """
import json, sys
{imports}
print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {{"flask", "werkzeug"}})))
"""


def _web_modules_after(imports: str, *args: str) -> tuple[list[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", _FRESH.format(imports=imports), *args],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    lines = result.stdout.strip().splitlines()
    return json.loads(lines[-1]), "\n".join(lines[:-1])


def test_the_read_side_loads_no_web_framework() -> None:
    """Every module of server/store, server/reports and queries, and the build, imported in a
    fresh interpreter: neither Flask nor Werkzeug is loaded."""
    imports = """
import importlib, pkgutil
import cdkg.loaders.build, cdkg.queries, cdkg.server.reports, cdkg.server.store
for package in (cdkg.queries, cdkg.server.reports, cdkg.server.store):
    for info in pkgutil.iter_modules(package.__path__):
        importlib.import_module(f"{package.__name__}.{info.name}")
print(len([m for m in sys.modules if m.startswith(("cdkg.server.store.", "cdkg.server.reports."))]))
"""
    web, printed = _web_modules_after(imports)
    assert web == []
    assert int(printed) >= 15  # the modules really were imported


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_reading_a_built_dataset_loads_no_web_framework(tmp_path: Path, engine: str) -> None:
    """A script opens a built dataset (the server tests' fixture, written as build/current)
    and runs a named query of queries/: real answers, and no web framework in sys.modules."""
    current = tmp_path / "build" / "current"
    current.mkdir(parents=True)
    sample = ROOT / "tests" / "server" / "fixtures" / "sample.trig"
    quads = list(ox.parse(path=str(sample), format=ox.RdfFormat.TRIG))
    ox.serialize(quads, str(current / "dataset.nq"), ox.RdfFormat.N_QUADS)
    imports = """
from pathlib import Path
from cdkg.loaders.layout import ProjectPaths
from cdkg.queries.library import load_library
from cdkg.server.store.engines import StoreSpec, open_store
paths = ProjectPaths(root=Path(sys.argv[1]), build=Path(sys.argv[2]))
store = open_store(StoreSpec(dataset=paths.dataset, engine=sys.argv[3]))
query = load_library(paths.queries)["catalog-summary"]  # reads the duties, not statistics
rows = store.select(query.bind({}))
print(json.dumps(sorted([str(r["catalog"]).rsplit("/", 1)[1], int(r["duties"])] for r in rows)))
"""
    web, printed = _web_modules_after(imports, str(ROOT), str(tmp_path / "build"), engine)
    assert json.loads(printed) == [["chongqing", 2], ["sichuan", 1], ["sichuan", 2]]
    assert web == []


def test_examples_hold() -> None:
    """The examples in this module's docstrings run (the suite runs without --doctest-modules)."""
    import doctest

    result = doctest.testmod(sys.modules[__name__])
    assert result.attempted >= 4 and result.failed == 0
