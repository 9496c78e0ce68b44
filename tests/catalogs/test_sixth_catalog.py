"""Issue 14's target: catalogs from places the project never saw build and publish on the
first run, through `cdkg build` itself, with no register edited by hand.

The two fixtures (tests/catalogs/fixtures/sixth/) are typed into the template as a new user
would: a province (湖南省) whose implementing measures for the 城市居民委员会组织法 are printed
six ways, national laws and regulations no seed catalog cites (some repealed), departments with
place prefixes; and a district of 成都市, a city the old jurisdiction register lacked, with an
excluded row whose departments cell is empty. What the registers cannot know becomes a
provisional entity and a finding for review; `--strict` turns those findings into a failure.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from cdkg.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "sixth"
ID = "https://w3id.org/cdkg/id/"
PREFIXES = """
PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
"""
HUNAN_MEASURES = "湖南省实施〈中华人民共和国城市居民委员会组织法〉办法"


def project(tmp_path: Path) -> Path:
    """A copy of the project's data and ontology with the two new catalogs added."""
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    for fixture in FIXTURES.glob("*.csv"):
        shutil.copy(fixture, root / "data" / "catalogs" / fixture.name)
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, Path]:
    root = project(tmp_path_factory.mktemp("sixth"))
    status = main(["--home", str(root), "build"])
    return status, root


@pytest.fixture(scope="module")
def store(built: tuple[int, Path]) -> ox.Store:
    _, root = built
    store = ox.Store()
    store.bulk_load(
        path=str(root / "build" / "current" / "dataset.nq"), format=ox.RdfFormat.N_QUADS
    )
    return store


@pytest.fixture(scope="module")
def report(built: tuple[int, Path]) -> dict[str, Any]:
    _, root = built
    data: dict[str, Any] = json.loads(
        (root / "build" / "current" / "report.json").read_text(encoding="utf-8")
    )
    return data


def rows(store: ox.Store, query: str) -> list[tuple[str, ...]]:
    solutions = store.query(PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    return [tuple(term.value if term is not None else "" for term in row) for row in solutions]


def cited(store: ox.Store, catalog: str, list_type: str, number: int) -> set[tuple[str, ...]]:
    """(document IRI, document label, provision IRI or '') of one duty's citations."""
    duty = f"<{ID}duty/{catalog}/{list_type}/{number}>"
    return set(
        rows(
            store,
            f"""SELECT ?doc ?label ?provision WHERE {{
                {duty} cd:hasCitation ?c . ?c cd:citedDocument ?doc . ?doc rdfs:label ?label .
                OPTIONAL {{ ?c cd:citedProvision ?provision }} }}""",
        )
    )


def test_the_build_publishes_on_the_first_run(built: tuple[int, Path], report: dict[str, Any]):
    status, root = built
    assert status == 0
    assert (root / "build" / "current" / "dataset.nq").is_file()
    assert report["errors"] == []
    counts = {
        (r["catalog"], r["list"]): (r["declared"], r["parsed"], r["status"])
        for r in report["reconciliation"]
        if r["catalog"] in ("hunan-province", "chengdu-jinjiang")
    }
    assert counts == {
        ("hunan-province", "self-governance"): ("13", "13", "ok"),
        ("hunan-province", "assistance"): ("12", "12", "ok"),
        ("hunan-province", "cancelled"): ("2", "2", "ok"),
        ("hunan-province", "excluded"): ("2", "2", "ok"),
        ("chengdu-jinjiang", "self-governance"): ("1", "1", "ok"),
        ("chengdu-jinjiang", "assistance"): ("2", "2", "ok"),
        ("chengdu-jinjiang", "excluded"): ("1", "1", "ok"),
    }


def test_the_implementing_measures_printed_six_ways_are_one_provisional_document(
    store: ox.Store,
) -> None:
    """《…《…〉 办法》, <…>, （…）…〉, no outer brackets, without 中华人民共和国: one document,
    provisional, a provincial 地方性法规 of 湖南省 implementing the national law."""
    documents = {
        doc
        for number in (1, 2, 3, 4, 5, 9, 11, 13)
        for doc, label, _ in cited(store, "hunan-province", "self-governance", number)
        if label == HUNAN_MEASURES
    }
    assert len(documents) == 1
    (document,) = documents
    assert document.startswith(f"{ID}law/provisional-")
    facts = rows(
        store,
        f"""SELECT ?provisional ?implements ?level ?kind ?issuer WHERE {{
            <{document}> cd:provisional ?provisional ; cd:implements ?implements ;
                cd:level ?level ; cd:documentType ?kind ; cd:issuingJurisdiction ?issuer }}""",
    )
    assert facts == [
        (
            "true",
            f"{ID}law/prc-urban-residents-committee-organization-law",
            "provincial",
            "地方性法规",
            f"{ID}jurisdiction/430000",
        )
    ]


@pytest.mark.parametrize(
    ("list_type", "number", "label", "article"),
    [
        (
            "self-governance",
            2,
            HUNAN_MEASURES,
            13,
        ),  # 《…《…〉 办法》第十三条: the 〉 is not the title's end
        ("self-governance", 3, HUNAN_MEASURES, 5),  # 第 五 条
        ("self-governance", 4, HUNAN_MEASURES, 10),  # opened with 《, closed with 〉
        ("self-governance", 5, HUNAN_MEASURES, 15),  # no outer brackets
        ("self-governance", 10, "中华人民共和国无障碍环境建设法", 20),  # 第 二十条
        ("assistance", 2, "森林防火条例", 25),  # 国务院《森林防火条例》第 二十五 条
        ("assistance", 11, "中华人民共和国食品安全法", 101),  # article on the next line
    ],
)
def test_damaged_citations_reach_their_article(
    store: ox.Store, list_type: str, number: int, label: str, article: int
) -> None:
    found = {
        provision.rsplit("/", 1)[-1]
        for _, doc_label, provision in cited(store, "hunan-province", list_type, number)
        if doc_label == label
    }
    assert found == {f"art-{article}"}


NATIONAL = {
    # (list type, number): the registered title a citation resolves to
    ("self-governance", 6): "志愿服务条例",
    ("self-governance", 7): "中华人民共和国慈善法",  # printed 《慈善法》
    ("self-governance", 8): "中华人民共和国个人信息保护法",
    ("self-governance", 10): "中华人民共和国无障碍环境建设法",
    ("assistance", 1): "中华人民共和国兵役法",
    ("assistance", 2): "森林防火条例",
    ("assistance", 3): "城镇燃气管理条例",
    ("assistance", 4): "中华人民共和国法律援助法",
    ("assistance", 5): "中华人民共和国献血法",
    ("assistance", 6): "中华人民共和国统计法",
    ("assistance", 7): "殡葬管理条例",  # 国务院令第628号 on the line before the title
    ("assistance", 8): "信访条例",
    ("assistance", 9): "计划生育技术服务管理条例",
    ("cancelled", 2): "卖淫嫖娼人员收容教育办法",
}


@pytest.mark.parametrize(("duty", "title"), sorted(NATIONAL.items()))
def test_national_laws_no_seed_cites_resolve_registered_and_dated(
    store: ox.Store, duty: tuple[str, int], title: str
) -> None:
    documents = [doc for doc, label, _ in cited(store, "hunan-province", *duty) if label == title]
    assert documents, f"{duty} does not cite {title}"
    document = documents[0]
    assert not document.startswith(f"{ID}law/provisional-")
    facts = rows(
        store,
        f"""SELECT ?date ?level (EXISTS {{ <{document}> cd:provisional true }} AS ?p) WHERE {{
            <{document}> eli:date_document ?date ; cd:level ?level }}""",
    )
    assert len(facts) == 1
    date, level, provisional = facts[0]
    assert (len(date), level, provisional) == (10, "national", "false")


@pytest.mark.parametrize(
    "title", ["信访条例", "计划生育技术服务管理条例", "卖淫嫖娼人员收容教育办法"]
)
def test_repealed_regulations_are_marked_no_longer_in_force(store: ox.Store, title: str) -> None:
    facts = rows(
        store,
        f"""SELECT DISTINCT ?status ?in_force WHERE {{
            ?doc rdfs:label "{title}"@zh ; cd:status ?status ; eli:in_force ?in_force }}""",
    )
    assert facts == [("repealed", "http://data.europa.eu/eli/ontology#InForce-notInForce")]


@pytest.mark.parametrize(
    ("catalog", "list_type", "number", "printed", "sector"),
    [
        ("hunan-province", "self-governance", 3, "县民政局", "civil-affairs"),
        ("hunan-province", "self-governance", 8, "县人社局", "human-resources-social-security"),
        ("hunan-province", "assistance", 2, "县林业局", "natural-resources-planning"),
        ("hunan-province", "assistance", 10, "派出所", "public-security"),
        ("hunan-province", "assistance", 11, "市场监管所", "market-regulation"),
        ("hunan-province", "assistance", 5, "县卫健委", "health"),
        ("chengdu-jinjiang", "assistance", 1, "区民政局", "civil-affairs"),
        ("chengdu-jinjiang", "assistance", 2, "区退役军人事务局", "veterans-affairs"),
    ],
)
def test_departments_with_place_prefixes_find_their_sector(
    store: ox.Store, catalog: str, list_type: str, number: int, printed: str, sector: str
) -> None:
    duty = f"<{ID}duty/{catalog}/{list_type}/{number}>"
    sectors = rows(store, f"SELECT ?sector WHERE {{ {duty} cd:department/cd:sector ?sector }}")
    assert (f"{ID}sector/{sector}",) in sectors, printed


def test_a_district_of_chengdu_names_its_real_city(store: ox.Store) -> None:
    chain = rows(
        store,
        f"""SELECT ?name ?city ?cityName ?province WHERE {{
            <{ID}catalog/chengdu-jinjiang> cd:jurisdiction ?district .
            ?district rdfs:label ?name ; cd:partOf ?city .
            ?city rdfs:label ?cityName ; cd:partOf ?province .
            FILTER(LANG(?name) = "zh" && LANG(?cityName) = "zh")
            FILTER(?province = <{ID}jurisdiction/510000>) }}""",
    )
    assert ("锦江区", f"{ID}jurisdiction/510100", "成都市", f"{ID}jurisdiction/510000") in chain


def test_an_excluded_row_without_departments_is_valid(
    store: ox.Store, report: dict[str, Any]
) -> None:
    validation = report["validation"]
    assert validation["conforms"] is True
    assert not [f for f in validation["findings"] if f["severity"] == "Violation"]
    departments = rows(
        store, f"SELECT ?d WHERE {{ <{ID}duty/chengdu-jinjiang/excluded/1> cd:department ?d }}"
    )
    assert departments == []


def test_a_duty_whose_departments_cell_is_empty_is_a_warning_naming_file_and_row(
    report: dict[str, Any],
) -> None:
    """The template allows an empty departments cell on any row: the self-governance row of
    the 锦江区 catalog is published, and the gap is a warning for review."""
    warnings = [
        f["message"]
        for f in report["validation"]["findings"]
        if f["shape"] == "DutyDepartmentShape"
    ]
    assert [(w.split(": ")[0], w.split(": ")[-1]) for w in warnings] == [
        (
            "data/catalogs/chengdu-jinjiang.csv:15",
            "duty names no department although its catalog prints a department column",
        )
    ]


def test_what_the_registers_lack_is_listed_for_review(report: dict[str, Any]) -> None:
    """Every finding names file, row and the text as printed; nothing else is a finding (the
    national laws resolve, the departments are placed by rule)."""
    hunan, chengdu = "data/catalogs/hunan-province.csv", "data/catalogs/chengdu-jinjiang.csv"
    found = {(f["file"], f["line"], f["kind"], f["text"]) for f in report["findings"]}
    assert all(f["severity"] == "warning" for f in report["findings"])
    measures = {(hunan, line, "title", HUNAN_MEASURES) for line in (15, 16, 17, 18, 24, 26, 28)}
    assert found == measures | {
        (hunan, 20, "title", "湖南省实施〈城市居民委员会组织法〉办法"),
        (hunan, 26, "title", "湖南省城市社区居民委员会选举规程"),
        (hunan, 27, "title", "湖南省爱国卫生条例"),
        (hunan, 46, "department", "湖南省地方志编纂院"),
        (chengdu, 16, "title", "四川省最低生活保障实施办法"),
    }


def test_strict_fails_on_the_same_input_and_publishes_nothing(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert main(["--home", str(root), "build", "--strict"]) == 1
    assert not (root / "build" / "current").exists()
