"""The statistics graph (loaders/statistics.py) against counts made here, in Python, from the
duties themselves: on the shipped seeds and on 30 generated jurisdictions
(benchmarks/generate.py, built in a temporary project that links the checkout's registers).

The expected counts are computed from plain rows (a duty's list, catalog, jurisdiction,
topics, departments and their sectors, citations and their documents), not with the slices'
SPARQL, so a slice that counted the wrong thing fails here.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from generated_project import generated_project

from cdkg.loaders.build import BuildResult, build
from cdkg.loaders.layout import project_paths
from cdkg.loaders.statistics import SLICES, graph_iri, observation_path

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/cdkg/id/"
CD = "https://w3id.org/cdkg/ontology#"
QB = "http://purl.org/linked-data/cube#"
TO_DO = {
    f"{CD}{name}Duty" for name in ("SelfGovernance", "Assistance", "Supervision", "Certification")
}
REMOVED = {f"{CD}CancelledDuty", f"{CD}ExcludedDuty"}
Key = tuple[str, ...]


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    result = build(project_paths(ROOT, tmp_path_factory.mktemp("seeds")), stream=io.StringIO())
    yield opened(result)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ox.Store]:
    project = generated_project(tmp_path_factory.mktemp("generated"), 30)
    result = build(project_paths(project, project / "build"), stream=io.StringIO())
    yield opened(result)


def opened(result: BuildResult) -> ox.Store:
    assert result.ok and result.published
    return ox.Store.read_only(str(result.published / "store"))


def select(store: ox.Store, where: str) -> list[dict[str, str]]:
    solutions = store.query(
        f"PREFIX cd: <{CD}> SELECT * WHERE {{ {where} }}", use_default_graph_as_union=True
    )
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: row[n].value for n in names if row[n] is not None} for row in solutions]


def published(store: ox.Store) -> dict[str, dict[Key, dict[str, int]]]:
    """slice name → dimension values (in the slice's order) → measure property → count."""
    graph = ox.NamedNode(str(graph_iri(ID)))
    nodes: dict[str, dict[str, str]] = defaultdict(dict)
    for quad in store.quads_for_pattern(None, None, None, graph):
        nodes[quad.subject.value][quad.predicate.value] = quad.object.value
    found: dict[str, dict[Key, dict[str, int]]] = {part.name: {} for part in SLICES}
    for properties in nodes.values():
        if f"{QB}dataSet" not in properties:
            continue
        part = next(p for p in SLICES if properties[f"{QB}dataSet"] == f"{ID}statistics/{p.name}")
        key = tuple(properties[str(prop)] for _, prop in part.dimensions)  # IRIs and codes
        found[part.name][key] = {str(prop): int(properties[str(prop)]) for _, prop in part.measures}
    return found


def expected(store: ox.Store) -> dict[str, dict[Key, dict[str, int]]]:
    """Every slice counted in Python from rows of the duties."""
    duties = select(
        store,
        "?duty a ?list ; cd:inCatalog ?catalog . ?catalog cd:jurisdiction ?jurisdiction . "
        f"FILTER(?list IN ({', '.join(f'<{c}>' for c in TO_DO | REMOVED)}))",
    )
    place = {d["duty"]: d["jurisdiction"] for d in duties}
    topics = select(store, "?duty cd:topic ?topic")
    departments = select(store, "?duty cd:department ?department")
    sectors = defaultdict(set)
    for row in select(store, "?department cd:sector ?sector"):
        sectors[row["department"]].add(row["sector"])
    citations = select(
        store,
        "?duty cd:hasCitation ?citation . GRAPH ?g { ?citation cd:citedDocument ?document }",
    )
    levels: dict[str, set[str]] = defaultdict(set)
    for row in select(store, "?document cd:level ?level"):
        levels[row["document"]].add(row["level"])
    to_do = {d["duty"] for d in duties if d["list"] in TO_DO}

    sets: dict[str, dict[Key, dict[str, set[str]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(set))
    )

    def add(slice_name: str, key: Key, measure: str, value: str) -> None:
        sets[slice_name][key][f"{CD}{measure}"].add(value)

    for d in duties:
        add("catalog-list-type", (d["catalog"], d["list"]), "dutyCount", d["duty"])
        if d["duty"] in to_do:
            add("jurisdiction", (d["jurisdiction"],), "dutyCount", d["duty"])
            sets["jurisdiction"][(d["jurisdiction"],)][f"{CD}dutyWithDepartmentCount"]
    for row in departments:
        duty = row["duty"]
        if duty not in to_do:
            continue
        j = place[duty]
        add("jurisdiction", (j,), "dutyWithDepartmentCount", duty)
        add("jurisdiction-department", (j, row["department"]), "dutyCount", duty)
        for sector in sectors[row["department"]]:
            add("jurisdiction-sector", (j, sector), "dutyCount", duty)
            add("sector", (sector,), "dutyCount", duty)
            add("sector", (sector,), "jurisdictionCount", j)
            add("sector", (sector,), "departmentCount", row["department"])
    for row in topics:
        duty, topic = row["duty"], row["topic"]
        if duty not in place:
            continue
        key = (place[duty], topic)
        sets["jurisdiction-topic"][key][f"{CD}assignedDutyCount"]
        sets["jurisdiction-topic"][key][f"{CD}removedDutyCount"]
        add(
            "jurisdiction-topic",
            key,
            "assignedDutyCount" if duty in to_do else "removedDutyCount",
            duty,
        )
        if duty in to_do:
            add("topic", (topic,), "dutyCount", duty)
            add("topic", (topic,), "jurisdictionCount", place[duty])
    for row in citations:
        duty, document = row["duty"], row["document"]
        add("jurisdiction-document", (place[duty], document), "citationCount", row["citation"])
        add("jurisdiction-document", (place[duty], document), "dutyCount", duty)
        add("document", (document,), "dutyCount", duty)
        add("document", (document,), "jurisdictionCount", place[duty])
        for level in levels.get(document, ()):
            add("jurisdiction-level", (place[duty], level), "citationCount", row["citation"])
            add("jurisdiction-level", (place[duty], level), "documentCount", document)
    return {
        name: {key: {m: len(v) for m, v in measures.items()} for key, measures in by_key.items()}
        for name, by_key in sets.items()
    }


@pytest.mark.parametrize("size", ["seeds", "generated"])
@pytest.mark.parametrize("part", [p.name for p in SLICES])
def test_slice_agrees_with_counts_over_the_duties(
    request: pytest.FixtureRequest, size: str, part: str
) -> None:
    store: ox.Store = request.getfixturevalue(size)
    ours, theirs = published(store)[part], expected(store)[part]
    assert ours == theirs
    assert len(ours) >= 3  # not vacuous: every slice has observations


def test_seed_values(seeds: ox.Store) -> None:
    """Counts the catalog register states: 重庆市 prints one list, 27 assistance duties
    (data/registers/catalogs.csv, expected_counts)."""
    found = published(seeds)
    chongqing = (f"{ID}catalog/chongqing", f"{CD}AssistanceDuty")
    assert found["catalog-list-type"][chongqing] == {f"{CD}dutyCount": 27}
    # 天津市 publishes only prohibitions: no observation in the to-do slice.
    assert (f"{ID}jurisdiction/120000",) not in found["jurisdiction"]


def test_generated_size(generated: ox.Store) -> None:
    """30 generated jurisdictions plus the five seeds' own."""
    assert len(published(generated)["jurisdiction"]) == 30 + 4


def test_structure_is_named_and_documented(seeds: ox.Store) -> None:
    """Every slice is a qb:DataSet with a structure, zh and en labels; no blank nodes."""
    graph = ox.NamedNode(str(graph_iri(ID)))
    quads = list(seeds.quads_for_pattern(None, None, None, graph))
    assert not [q for q in quads if isinstance(q.subject, ox.BlankNode)]
    assert not [q for q in quads if isinstance(q.object, ox.BlankNode)]
    for part in SLICES:
        dataset = ox.NamedNode(f"{ID}statistics/{part.name}")
        labels = {
            q.object.language
            for q in seeds.quads_for_pattern(dataset, None, None, graph)
            if isinstance(q.object, ox.Literal) and q.object.language
        }
        assert labels == {"zh", "en"}
        components = list(
            seeds.quads_for_pattern(
                ox.NamedNode(f"{dataset.value}/structure"),
                ox.NamedNode(f"{QB}component"),
                None,
                graph,
            )
        )
        assert len(components) == len(part.dimensions) + len(part.measures)


def test_observation_iris_are_paths_of_their_dimensions() -> None:
    assert observation_path(f"{ID}department/500000/minzheng", ID) == "department/500000/minzheng"
    assert observation_path(f"{CD}CancelledDuty", ID) == "CancelledDuty"
