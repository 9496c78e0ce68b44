"""Pages read from the build's answer tables (queries/answers.py) are the pages the query
text gives (``paging.paged(text, page)`` run on the same store): the same variables, every
row exactly once, in the same order — for every materialised query of the library, on the
shipped seeds (the session build of conftest.py) and on 30 generated jurisdictions. A query
text that is not the one the build answered (its digest differs) is not read from a table.
"""

from __future__ import annotations

import dataclasses
import io
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from generated_project import generated_project

from cdkg.loaders.answers import PAGE_SIZE, STORED_ROWS
from cdkg.loaders.build import build
from cdkg.loaders.layout import project_paths
from cdkg.ontology.namespace import PREFIXES
from cdkg.queries.answers import AnswerTable, answer_reader, page_query
from cdkg.queries.library import load_library
from cdkg.queries.paging import DEFAULT_PAGE_SIZE, Page, paged
from cdkg.server.store.engines import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library(ROOT / "queries")
MATERIALISED = sorted(name for name, query in LIBRARY.items() if query.materialise)
BASE = "https://w3id.org/cdkg/id/"
Row = tuple[str | None, ...]


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    project = generated_project(tmp_path_factory.mktemp("answers-generated"), 30)
    result = build(project_paths(project, project / "build"), stream=io.StringIO())
    assert result.ok and result.published
    yield ox.Store.read_only(str(result.published / "store"))


def run(store: ox.Store, text: str) -> tuple[list[str], list[Row]]:
    """Variables and rows (terms as N-Triples text, None when unbound), as the endpoint runs
    a query: the default graph the union of the graphs, its prefixes."""
    solutions = store.query(text, prefixes=PREFIXES, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    rows = [tuple(None if s[n] is None else str(s[n]) for n in names) for s in solutions]
    return names, rows


def table_of(store: ox.Store, name: str) -> AnswerTable:
    table = answer_reader(OxigraphStore(store, "test"), LIBRARY[name], BASE)
    assert table is not None, f"no fresh answer table for {name}"
    return table


def windows(rows: int) -> list[Page | None]:
    """Three pages of 7, a window past the end, one across the first two pages of the
    table, one from an offset to the end, and the whole answer."""
    return [
        Page(7, 0),
        Page(7, 7),
        Page(7, 14),
        Page(7, rows + 3),
        Page(10, PAGE_SIZE - 5),
        Page(None, max(rows - 3, 0)),
        None,
    ]


def test_the_build_pages_like_the_query_page() -> None:
    assert PAGE_SIZE == DEFAULT_PAGE_SIZE


def test_the_materialised_queries_are_the_large_ones() -> None:
    assert MATERIALISED == [
        "assigned-work-cancelled-elsewhere",
        "assistance-duties-with-only-policy-basis",
        "catalog-summary",
        "citations-of-repealed-or-misprinted-documents",
        "duties-without-legal-basis",
        "duty-count-by-catalog",
        "legal-status-unverified",
        "provisional-references",
        "same-topic-different-articles",
        "sectors-by-jurisdiction",
        "topic-coverage-matrix",
    ]


@pytest.mark.parametrize("size", ["store", "generated"])
@pytest.mark.parametrize("name", MATERIALISED)
def test_pages_from_the_table_are_the_pages_of_the_text(
    request: pytest.FixtureRequest, size: str, name: str
) -> None:
    store: ox.Store = request.getfixturevalue(size)
    text = LIBRARY[name].text
    table = table_of(store, name)
    names, whole = run(store, text)
    assert table.row_count == len(whole)
    assert table.stored_rows == min(len(whole), STORED_ROWS)
    assert list(table.variables) == names
    kept = whole[:STORED_ROWS]
    for page in [*windows(len(whole)), *windows(len(kept))]:
        if not table.covers(page):
            # Past the rows the build kept: the door runs the text instead.
            assert page is None or page.limit is None or page.offset + page.limit > STORED_ROWS
            continue
        expected = run(store, text if page is None else paged(text, page))
        assert run(store, page_query(table, page)) == expected, (name, page)
    # Pages of the query page's size, one after the other: every kept row once, in order.
    read: list[Row] = []
    for offset in range(0, len(kept), DEFAULT_PAGE_SIZE):
        assert table.covers(Page(DEFAULT_PAGE_SIZE, offset))
        read += run(store, page_query(table, Page(DEFAULT_PAGE_SIZE, offset)))[1]
    assert read == kept


def test_the_seeds_tables_hold_real_rows(store: ox.Store) -> None:
    table = table_of(store, "duties-without-legal-basis")
    assert table.row_count == 14
    names, rows = run(store, page_query(table, Page(1, 0)))
    first = dict(zip(names, rows[0], strict=True))
    assert first["duty"] == f"<{BASE}duty/sichuan/assistance/26>"
    assert first["label"] == '"协助做好社区矫正工作。"@zh'
    assert first["number"] == '"26"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert table.has_more(Page(13, 0)) and not table.has_more(Page(14, 0))


def test_a_changed_text_is_not_read_from_the_table(store: ox.Store) -> None:
    query = LIBRARY["topic-coverage-matrix"]
    selector = OxigraphStore(store, "test")
    assert answer_reader(selector, query, BASE) is not None
    edited = query.text.replace("ORDER BY", "# edited after the build\nORDER BY")
    assert answer_reader(selector, query, BASE, edited) is None
    assert answer_reader(selector, dataclasses.replace(query, text=edited), BASE) is None
    # Another base (no such table) and a query the build does not answer: no table either.
    assert answer_reader(selector, query, "http://example.org/") is None
    assert answer_reader(selector, LIBRARY["misprinted-titles"], BASE) is None
