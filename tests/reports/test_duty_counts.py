"""The check report's pictures and duty count from counting queries equal what the full duty
table gives (cdkg.server.reports.duty_counts against cdkg.server.reports.charts), on the
seeds' build; and a check run names its findings' duties with only those looked up."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib.term import Node
from reports_data import DUTIES

from cdkg.queries.library import NamedQuery, load_library
from cdkg.server.reports.charts import coverage, sector_bars
from cdkg.server.reports.checks import SHAPES_FILE, describe, published_validation, run_checks
from cdkg.server.reports.duties import duty_table
from cdkg.server.reports.duty_counts import (
    TOPIC_STATISTICS_QUERY,
    coverage_counts,
    duty_count,
    jurisdictions,
    sector_counts,
    topic_counts,
)
from cdkg.server.store.engines import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def store(dataset: Path) -> OxigraphStore:
    return OxigraphStore.from_file(dataset)


def test_counts_equal_the_duty_table(store: OxigraphStore) -> None:
    table = duty_table(store)
    assert duty_count(store) == len(table) == DUTIES
    listed, per_jurisdiction = jurisdictions(store)
    assert sum(per_jurisdiction.values()) == DUTIES
    expected_cover, counted_cover = coverage(table), coverage_counts(store, listed)
    assert counted_cover == expected_cover
    assert len(counted_cover.jurisdictions) == 5 and len(counted_cover.topics) > 20
    expected_bars, counted_bars = sector_bars(table), sector_counts(store)
    assert counted_bars == expected_bars
    assert counted_bars.sectors and sum(counted_bars.unassigned.values()) > 0


def test_duty_table_of_some_iris(store: OxigraphStore) -> None:
    table = duty_table(store)
    chosen = [table[0].iri, table[-1].iri, "http://example.org/not-a-duty", 'bad "iri']
    assert duty_table(store, chosen) == [table[0], table[-1]]
    assert duty_table(store, []) == []


def test_a_check_run_names_the_duties_of_its_findings(store: OxigraphStore, dataset: Path) -> None:
    run = run_checks(
        store,
        load_library(ROOT / "queries"),
        validation=published_validation(dataset.parent),
        shapes_path=SHAPES_FILE,
    )
    traced = {f.duty for r in run.results for f in r.findings if f.duty}
    assert traced and {d.iri for d in run.duties} >= traced
    assert len(run.duties) < run.duty_count == DUTIES
    every = {d.iri: d for d in duty_table(store)}
    for result in run.results:
        for finding in result.findings:
            if finding.duty:
                duty = every[finding.duty]
                assert (finding.file, finding.line) == (duty.file, duty.line)


def test_traced_duties_equal_the_whole_table_links_included(store: OxigraphStore) -> None:
    """duty_table(store, iris) reads field by field; every duty, every field and every link
    equals the whole table's (DUTIES_QUERY and LINKS_QUERY with their OPTIONAL groups)."""
    table = duty_table(store)
    assert len(table) == DUTIES
    traced = duty_table(store, [d.iri for d in table] + ["http://example.org/not-a-duty"])
    assert [(d, d.links) for d in traced] == [(d, d.links) for d in table]
    assert any(d.links.get("article") for d in traced) and any(
        d.links.get("sector") for d in traced
    )


def test_describe_names_the_owner_of_a_citation(store: OxigraphStore) -> None:
    """A citation is not a duty: describe() gives the duty holding it (its owner)."""
    rows = store.select(
        "SELECT ?duty ?citation WHERE { ?duty cd:hasCitation ?citation } ORDER BY ?citation LIMIT 3"
    )
    described = describe(store, [str(row["citation"]) for row in rows])
    assert {c: info["owner"] for c, info in described.items()} == {
        str(row["citation"]): str(row["duty"]) for row in rows
    }


def test_rows_of_gives_the_rows_of_each_check(store: OxigraphStore) -> None:
    """run_checks(rows_of=...) reads each check's rows from elsewhere (the seam for answer
    tables the build materialises): the same rows give the same findings."""
    library = load_library(ROOT / "queries")
    asked: list[str] = []

    def rows_of(query: NamedQuery) -> list[dict[str, Node]]:
        asked.append(query.name)
        return store.select(query.text)

    def findings(document: dict[str, object]) -> list[object]:
        return [(c["name"], c["count"], c["findings"]) for c in document["checks"]]  # type: ignore[attr-defined, index]

    given = run_checks(store, library, rows_of=rows_of).to_json("error")
    live = run_checks(store, library).to_json("error")
    assert findings(given) == findings(live)
    assert sorted(asked) == sorted(q.name for q in library.values() if q.kind == "check")
    assert any(c["count"] for c in given["checks"])  # type: ignore[attr-defined, index]


def test_topic_counts_from_the_statistics_equal_the_counting_query(store: OxigraphStore) -> None:
    """The seeds' build has the statistics graph: the matrix is read from its
    jurisdiction-topic slice, with the same numbers as counting over the duties."""
    assert store.select(TOPIC_STATISTICS_QUERY), "the build publishes the statistics graph"
    from_statistics = topic_counts(store)
    assert from_statistics == topic_counts(store, statistics=False)
    assert len(from_statistics) > 100 and sum(from_statistics.values()) > DUTIES
