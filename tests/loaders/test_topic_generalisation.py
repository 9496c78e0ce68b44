"""Topics for text never seen (issue 14, item 6): the scheme in two levels, the general rules
(the scheme's own words, the law → topic table, the category, the department's sector), and
the share of duties that land only in the fallback topic on catalogs the rules were not
written from."""

from __future__ import annotations

import csv
import doctest
import io
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace
from rdflib.collection import Collection

from cdkg.loaders.build import BuildResult, build
from cdkg.loaders.layout import project_paths
from cdkg.loaders.normalise import topics as topics_module
from cdkg.loaders.normalise.departments import DepartmentRegister, split_departments
from cdkg.loaders.normalise.topics import (
    ASSIGNMENT_METHODS,
    FALLBACK_TOPIC,
    PlacedDepartment,
    TopicScheme,
    domains,
    is_fallback_only,
    load_general_rules,
    load_sector_topics,
    load_topics,
)
from cdkg.loaders.records import DutyRecord, ListType
from cdkg.loaders.registers import RegisterError
from cdkg.loaders.sources.template import read_template

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data"
REGISTERS = DATA / "registers"
HELD_OUT = ROOT / "tests" / "catalogs" / "fixtures" / "heldout"
SH = Namespace("http://www.w3.org/ns/shacl#")
CD = Namespace("https://w3id.org/cdkg/ontology#")
ID = Namespace("https://w3id.org/cdkg/id/")


@pytest.fixture(scope="module")
def scheme() -> TopicScheme:
    return TopicScheme.load(DATA)


@pytest.fixture(scope="module")
def register() -> DepartmentRegister:
    return DepartmentRegister.load(REGISTERS / "departments.csv")


def fixture_duties(name: str) -> tuple[str, list[DutyRecord]]:
    catalog, result = read_template(HELD_OUT / name, name)
    assert result.problems == []
    return catalog.key, result.duties


def placed(register: DepartmentRegister, key: str, duty: DutyRecord) -> list[PlacedDepartment]:
    """The duty's departments as the build places them (loaders/graph.py _departments):
    split with the catalog's known names, looked up, unknown ones left out."""
    found: list[PlacedDepartment] = []
    for cell in duty.departments:
        for name in split_departments(cell, register.names(key)):
            entry = register.lookup(key, name)
            if entry is not None:
                found.append((name, entry.sector))
    return found


def fallback_only(
    scheme: TopicScheme, duties: list[DutyRecord], register: DepartmentRegister | None = None
) -> list[str]:
    """Names of the duties placed by nothing but the fallback; with ``register``, the
    duties' departments are placed as the build places them."""
    missed = []
    for duty in duties:
        departments = placed(register, duty.catalog, duty) if register else []
        if is_fallback_only(scheme.assign(duty, departments)):
            missed.append(duty.name)
    return missed


def test_two_levels(scheme: TopicScheme) -> None:
    """Every topic has exactly one domain; domains have none; 15–20 domains."""
    upper = domains(scheme.topics)
    assert 15 <= len(upper) <= 20
    for topic in scheme.topics.values():
        if topic.id in upper:
            assert topic.broader == "", topic.id
        else:
            assert topic.broader in upper, topic.id
    assert len(upper) == 19
    assert len(scheme.topics) - len(upper) == 75
    assert scheme.topics["drug-control"].broader == "domain-public-security"
    assert scheme.topics[FALLBACK_TOPIC].broader == "domain-unclassified"


@pytest.mark.parametrize(
    ("topic", "domain", "label"),
    [
        ("road-traffic-safety", "domain-safety-and-emergencies", "道路交通安全"),
        ("drowning-prevention", "domain-safety-and-emergencies", "防溺水"),
        ("marriage-registration", "domain-social-affairs", "婚姻登记与婚俗改革"),
        ("funeral-management", "domain-social-affairs", "殡葬管理"),
        ("place-names", "domain-social-affairs", "地名与门牌"),
        ("household-registration", "domain-population", "户籍与居民身份证"),
        ("foreign-nationals", "domain-population", "境外人员服务管理"),
        ("united-front", "domain-party", "统一战线与侨务"),
        ("telecom-infrastructure", "domain-urban-and-housing", "通信基础设施"),
        ("land-and-real-estate", "domain-environment", "土地与不动产"),
        ("water-conservancy", "domain-environment", "水利与河湖管护"),
        ("agricultural-production", "domain-agriculture-and-rural", "农业生产"),
        ("market-supervision", "domain-economy", "市场监管与食品药品安全"),
        ("labour-rights", "domain-employment-and-insurance", "劳动者权益保障"),
    ],
)
def test_topics_the_seeds_never_needed(
    scheme: TopicScheme, topic: str, domain: str, label: str
) -> None:
    """Subjects of community work the five seeds happen not to mention, each under one
    domain, with both labels, both definitions and a note giving its reason."""
    row = scheme.topics[topic]
    assert (row.broader, row.label_zh) == (domain, label)
    assert row.label_en and row.definition_en and row.definition_zh and row.note


def test_held_out_fallback_share(scheme: TopicScheme) -> None:
    """xihu-district.csv, 52 duties written before the general rules: 11 fallback-only
    (21.2%) on the reviewed rules alone, 0 (0.0%) with the general rules. Not blind: the
    keyword lists were written after seeing those 11, though never with their phrases."""
    _, duties = fixture_duties("xihu-district.csv")
    assert len(duties) == 52
    missed = fallback_only(scheme, duties)
    assert missed == []
    without_general = TopicScheme(scheme.topics, scheme.rules, scheme.overrides)
    assert len(fallback_only(without_general, duties)) == 11


def test_first_blind_fixture_now_development_set(scheme: TopicScheme) -> None:
    """blind-tianhe.csv, 32 duties: measured blind once on the rules of c688ebb, 13
    fallback-only (40.6%). It was then part of the development set of the rules that
    followed (new topics, the law → topic table, sector → topic), so its 0 now is not a
    blind number; see test_second_blind_fixture for that."""
    _, duties = fixture_duties("blind-tianhe.csv")
    assert len(duties) == 32
    assert fallback_only(scheme, duties) == []


def test_second_blind_fixture(scheme: TopicScheme, register: DepartmentRegister) -> None:
    """blind-nanming.csv, 90 duties (self-governance, assistance, certification, excluded,
    cancelled), written and committed (2ed18a8) before any rule change after c688ebb and not
    read while the rules were changed. Before: 18 of 90 (20.0%) fallback-only on the rules of
    c688ebb. After the new topics, the wider keywords, the law → topic table and the
    department → sector → topic table, measured once: 2 of 90 (2.2%), the same through a real
    build with the fixture in data/catalogs/ (report: 2 placed only by a fallback rule). The
    two: self-governance 11 (a family-virtue appraisal, whose only words are names of awards)
    and excluded 7 (selling commercial insurance, a subject no topic covers). Every placed duty
    was placed by its own words or its citations; the department rule placed none."""
    _, duties = fixture_duties("blind-nanming.csv")
    assert len(duties) == 90
    missed = fallback_only(scheme, duties, register)
    assert len(missed) <= 2, missed
    assert len(missed) / len(duties) <= 0.05, missed


def test_general_rules_by_law_and_category(scheme: TopicScheme) -> None:
    """A duty whose words say nothing is placed by the law it cites, else by its category."""
    cited = DutyRecord(
        "new",
        ListType.ASSISTANCE,
        "1",
        "协助做好有关工作",
        1,
        citation_cells=["《中华人民共和国禁毒法》第十七条"],
    )
    assert [(a.topic, a.method) for a in scheme.assign(cited)] == [("drug-control", "legal-basis")]
    grouped = DutyRecord("new", ListType.ASSISTANCE, "2", "协助做好有关工作", 2, category="消防")
    assert [(a.topic, a.method) for a in scheme.assign(grouped)] == [("fire-safety", "category")]


@pytest.mark.parametrize(
    ("title", "topic"),
    [
        ("中华人民共和国道路交通安全法", "road-traffic-safety"),
        ("中华人民共和国出境入境管理法", "foreign-nationals"),
        ("殡葬管理条例", "funeral-management"),
        ("地名管理条例", "place-names"),
        ("中华人民共和国户口登记条例", "household-registration"),
        ("不动产登记暂行条例", "land-and-real-estate"),
        ("保障农民工工资支付条例", "labour-rights"),
        ("中华人民共和国水法", "water-conservancy"),
        ("中华人民共和国药品管理法", "market-supervision"),
        ("中华人民共和国归侨侨眷权益保护法", "united-front"),
        ("婚姻登记条例", "marriage-registration"),
        ("中华人民共和国兵役法", "national-defence"),
    ],
)
def test_law_to_topic_table_over_the_national_register(
    scheme: TopicScheme, title: str, topic: str
) -> None:
    """A registered national document cited with nothing else to go by places the duty in
    its subject's topic; every title here is a row of laws-national.csv."""
    with (REGISTERS / "laws-national.csv").open(encoding="utf-8", newline="") as handle:
        titles = {row["title"] for row in csv.DictReader(handle)}
    assert title in titles
    duty = DutyRecord(
        "new", ListType.ASSISTANCE, "1", "协助做好有关工作", 1, citation_cells=[f"《{title}》"]
    )
    assigned = scheme.assign(duty)
    assert topic in {a.topic for a in assigned}
    assert {a.method for a in assigned} == {"legal-basis"}


def test_law_table_coverage_of_national_laws_and_regulations(scheme: TopicScheme) -> None:
    """Of the 958 national 法律 and 行政法规 in the register, 482 have a title that names a
    topic's subject (measured; most of the rest are trade, finance, shipping, state organs
    and criminal law, which no community list cites)."""
    laws = [r for r in scheme.general if r.method == "legal-basis"]
    with (REGISTERS / "laws-national.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["doc_type"] in ("法律", "行政法规")]
    mapped = [r for r in rows if any(rule.regex.search(r["title"]) for rule in laws)]
    assert len(rows) == 958
    assert len(mapped) >= 482


def test_department_sector_rule(scheme: TopicScheme, register: DepartmentRegister) -> None:
    """A duty with nothing in its words, citations or category is placed by its department's
    sector when that sector has one subject (消防救援 → fire-safety), the department's name
    as the matched text; a broad sector (民政) places nothing, and the words come first."""
    blank = DutyRecord("new", ListType.ASSISTANCE, "1", "协助做好有关工作", 1)
    brigade = placed(register, "new", replace(blank, departments=["区消防救援大队"]))
    assert [sector for _, sector in brigade] == ["fire-rescue"]
    [assignment] = scheme.assign(blank, brigade)
    assert (assignment.topic, assignment.method, assignment.matched_text) == (
        "fire-safety",
        "department",
        "区消防救援大队",
    )
    assert assignment.rule.startswith("sector-topics.csv:")
    assert is_fallback_only(scheme.assign(blank, [("区民政局", "civil-affairs")]))
    worded = DutyRecord("new", ListType.ASSISTANCE, "2", "协助开展禁毒宣传", 2)
    assert [a.topic for a in scheme.assign(worded, brigade)] == ["drug-control"]


def test_assignment_methods_match_the_shapes() -> None:
    """Every method an assignment can record is allowed by ontology/shapes.ttl, and no other."""
    shapes = Graph().parse(ROOT / "ontology" / "shapes.ttl")
    [values] = [
        shapes.value(prop, SH["in"]) for prop in shapes.subjects(SH.path, CD.assignmentMethod)
    ]
    assert list(Collection(shapes, values)) == [Literal(m) for m in ASSIGNMENT_METHODS]


def test_general_rule_file_errors(tmp_path: Path) -> None:
    topics = load_topics(REGISTERS / "topics.csv")
    path = tmp_path / "topic-keywords.csv"
    path.write_text("topic,keywords,laws,note\ndomain-health,卫生,,why\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"topic-keywords.csv:2: 'domain-health' is not"):
        load_general_rules(path, topics)
    path.write_text("topic,keywords,laws,note\ndrug-control,禁毒,,\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r":2: topic drug-control has no note"):
        load_general_rules(path, topics)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ("police,public-order,why\n", r"sector-topics.csv:2: unknown sector 'police'"),
        (
            "fire-rescue,fire-safety,why\nfire-rescue,fire-safety,why\n",
            r":3: duplicate sector fire-rescue \(line 2\)",
        ),
        ("fire-rescue,domain-health,why\n", r":2: 'domain-health' is not a topic rules may"),
        ("fire-rescue,unclassified,why\n", r":2: 'unclassified' is not a topic rules may"),
        ("fire-rescue,fire-safety,\n", r":2: sector fire-rescue has no note"),
    ],
)
def test_sector_topic_file_errors(tmp_path: Path, rows: str, message: str) -> None:
    topics = load_topics(REGISTERS / "topics.csv")
    path = tmp_path / "sector-topics.csv"
    path.write_text("sector,topic,note\n" + rows, encoding="utf-8")
    with pytest.raises(RegisterError, match=message):
        load_sector_topics(path, topics, {"fire-rescue", "civil-affairs"})


def test_shipped_sector_topics_name_real_sectors(scheme: TopicScheme) -> None:
    """The shipped table loads against sectors.csv; broad sectors are deliberately absent."""
    assert scheme.sector_topics["fire-rescue"].topic == "fire-safety"
    assert scheme.sector_topics["water-resources"].topic == "water-conservancy"
    for broad in ("civil-affairs", "human-resources-social-security", "mass-organizations"):
        assert broad not in scheme.sector_topics


def test_doctests() -> None:
    assert doctest.testmod(topics_module).failed == 0


TINY = """key,tiny-new
title,某区社区工作事项清单（topic test）
jurisdiction_code,520102
jurisdiction_name,南明区
jurisdiction_level,district
part_of_code,520100
document_number,
issuer,
date,2025
list_types,assistance=2

list_type,number,name,category,description,departments,basis
assistance,1,协助做好有关工作,,,消防救援大队,
assistance,2,协助做好有关工作,,,民政局,
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """A real build of the project's data with two template catalogs added: a two-duty one
    whose duties say nothing but their departments, and blind-nanming.csv."""
    tmp = tmp_path_factory.mktemp("topics")
    shutil.copytree(DATA, tmp / "data")
    shutil.copytree(ROOT / "ontology", tmp / "ontology")
    (tmp / "data" / "catalogs" / "tiny-new.csv").write_text(TINY, encoding="utf-8")
    shutil.copy(HELD_OUT / "blind-nanming.csv", tmp / "data" / "catalogs" / "blind-nanming.csv")
    return build(project_paths(tmp, tmp / "build"), stream=io.StringIO())


def test_build_records_the_department_rule(built: BuildResult) -> None:
    """Through the build: the fire brigade's duty is published with a topic assignment of
    method "department" and the brigade as matched text, valid under the shapes; the civil
    affairs bureau's duty (a broad sector) is reported as placed only by the fallback."""
    [tiny] = [c for c in built.report.catalogs if c.key == "tiny-new"]
    assert tiny.errors() == []
    assert [line.split()[-2:] for line in tiny.normalised.fallback_topics] == [
        ["2", "协助做好有关工作"]
    ]
    graph = Graph()
    for part in built.graphs:
        graph += part
    record = ID["duty/tiny-new/assistance/1"]
    [assignment] = graph.objects(record, CD.topicAssignment)
    assert graph.value(assignment, CD.assignedTopic) == ID["topic/fire-safety"]
    assert graph.value(assignment, CD.assignmentMethod) == Literal("department")
    assert graph.value(assignment, CD.matchedText) == Literal("消防救援大队")


def test_second_blind_fixture_through_the_build(built: BuildResult) -> None:
    """The build report of blind-nanming.csv lists the same 2 of 90 duties placed only by the
    fallback as test_second_blind_fixture (the fixture's rows without departments are SHACL
    findings of their own, which this test does not concern)."""
    [nanming] = [c for c in built.report.catalogs if c.key == "blind-nanming"]
    assert nanming.duties == 90
    assert len(nanming.normalised.fallback_topics) <= 2, nanming.normalised.fallback_topics
