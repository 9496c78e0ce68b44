"""The named queries that read the statistics graph give the answers their old text gave by
scanning the duties — on the seeds and on 30 generated jurisdictions.

tests/queries/scan/ keeps each rewritten query's text as it was before (commit 32cb395):
the reference. Both texts run on the same build; the rows must be the same (as multisets:
ties in ORDER BY may come in either order), and the order of the sort keys the same.
Without the statistics graph the new text answers nothing: it reads no duty.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from generated_project import generated_project

from cdkg.loaders.build import build
from cdkg.loaders.layout import project_paths
from cdkg.loaders.statistics import graph_iri
from cdkg.queries.library import load_library
from cdkg.server.query_page import projection

ROOT = Path(__file__).resolve().parents[2]
SCAN = Path(__file__).parent / "scan"
LIBRARY = load_library(ROOT / "queries")
ID = "https://w3id.org/cdkg/id/"
REWRITTEN = sorted(path.stem for path in SCAN.glob("*.rq"))
# Parameters other than the defaults: the whole country, and documents cited anywhere.
VARIANTS = {
    "departments-ranked": {"jurisdiction": f"<{ID}jurisdiction/100000>"},
    "laws-cited-by-most-jurisdictions": {"min_jurisdictions": "1"},
}
Rows = list[tuple[str, ...]]


def store_of(build_folder: Path, project: Path) -> ox.Store:
    result = build(project_paths(project, build_folder), stream=io.StringIO())
    assert result.ok and result.published
    store = ox.Store()  # in memory: the test removes the statistics graph from it
    store.bulk_load(path=str(result.published / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    yield store_of(tmp_path_factory.mktemp("seeds"), ROOT)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    project = generated_project(tmp_path_factory.mktemp("generated"), 30)
    yield store_of(project / "build", project)


def answer(store: ox.Store, text: str) -> Rows:
    solutions = store.query(text, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [tuple(str(row[n]) if row[n] is not None else "" for n in names) for row in solutions]


def with_values(text: str, values: dict[str, str]) -> str:
    """The text with each parameter's VALUES default replaced (as the library binds it)."""
    for name, term in values.items():
        text, count = re.subn(
            rf"(VALUES\s+\?{name}\s*\{{\s*)\S+(\s*\}})", rf"\g<1>{term}\g<2>", text
        )
        assert count == 1, name
    return text


def cases() -> list[tuple[str, dict[str, str]]]:
    return [(name, {}) for name in REWRITTEN] + sorted(VARIANTS.items())


def test_the_scan_texts_are_the_rewritten_queries() -> None:
    assert len(REWRITTEN) == 9
    for name in REWRITTEN:
        assert "cd:refJurisdiction" in LIBRARY[name].text or "cd:ref" in LIBRARY[name].text
        assert "cd:ref" not in (SCAN / f"{name}.rq").read_text(encoding="utf-8")


@pytest.mark.parametrize("size", ["seeds", "generated"])
@pytest.mark.parametrize(("name", "values"), cases(), ids=lambda v: str(v) if v else "")
def test_same_answer_as_the_scan(
    request: pytest.FixtureRequest, size: str, name: str, values: dict[str, str]
) -> None:
    store: ox.Store = request.getfixturevalue(size)
    new = answer(store, with_values(LIBRARY[name].text, values))
    old = answer(store, with_values((SCAN / f"{name}.rq").read_text(encoding="utf-8"), values))
    assert Counter(new) == Counter(old)
    assert len(new) >= 1
    order = re.search(r"ORDER BY (.*)$", LIBRARY[name].text, flags=re.MULTILINE)
    assert order is not None
    keys = [v for v in re.findall(r"\?(\w+)", order.group(1))]
    columns = projection(LIBRARY[name].text)
    positions = [columns.index(k) for k in keys]
    assert [tuple(r[p] for p in positions) for r in new] == [
        tuple(r[p] for p in positions) for r in old
    ]


def test_without_the_statistics_graph_the_answer_is_empty(tmp_path: Path, seeds: ox.Store) -> None:
    """The rewritten queries read only the statistics: no duty is scanned any more."""
    store = ox.Store()
    graph = ox.NamedNode(str(graph_iri(ID)))
    store.extend(q for q in seeds if q.graph_name != graph)
    for name in REWRITTEN:
        assert answer(store, LIBRARY[name].text) == [], name
