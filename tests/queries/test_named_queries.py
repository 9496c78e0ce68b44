"""The named-query library (queries/*.rq): every query's answer on the shipped data.

The shipped sources are built once into a temporary folder (never the checkout's build/)
and loaded into pyoxigraph with the default graph as the union of the named graphs, the way
``cdkg query``, ``cdkg check`` and the endpoint run them. Expected values come from
data/raw; the comment above each test says where. Every query must also give the same
answer on rdflib's engine, and must run without cdkg's predeclared prefixes or a FROM.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Literal, URIRef

from cdkg.queries.library import load_library

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library(ROOT / "queries")
ID = "https://w3id.org/cdkg/id/"
CD = "https://w3id.org/cdkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
CHONGQING = f"{ID}jurisdiction/500000"
SICHUAN = f"{ID}jurisdiction/510000"
CHANGZHI = f"{ID}jurisdiction/140400"
SHANXI = f"{ID}jurisdiction/140000"
TIANJIN = f"{ID}jurisdiction/120000"
NINGXIA = f"{ID}jurisdiction/ningxia-district"
NINGXIA_REGION = f"{ID}jurisdiction/640000"
TODO_LISTS = {"SelfGovernanceDuty", "AssistanceDuty", "SupervisionDuty", "CertificationDuty"}
Row = dict[str, Any]


def duty(key: str) -> str:
    return f"{ID}duty/{key}"


def law(key: str) -> str:
    return f"{ID}law/{key}"


def topic(key: str) -> str:
    return f"{ID}topic/{key}"


def _python(term: ox.NamedNode | ox.BlankNode | ox.Literal | Any) -> Any:
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.startswith(XSD) and datatype[len(XSD) :] in ("integer", "positiveInteger"):
            return int(term.value)
        if datatype == XSD + "boolean":
            return term.value == "true"
    return term.value


def _solutions(store: ox.Store, text: str) -> Iterator[Row]:
    # No ``prefixes=``: a library query must declare every prefix it uses.
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    for solution in result:
        yield {name: _python(solution[name]) for name in names if solution[name] is not None}


def answer(store: ox.Store, name: str, **params: str) -> list[Row]:
    """The rows of a library query (with ``params`` bound), in the query's order."""
    return list(_solutions(store, LIBRARY[name].bind(params)))


def column(rows: list[Row], name: str) -> list[Any]:
    return [row.get(name) for row in rows]


# --- the library as a whole --------------------------------------------------------------------


def test_the_library_has_the_questions_of_issue_6() -> None:
    assert len(LIBRARY) >= 18
    for name in (
        "duties-without-legal-basis",
        "assistance-duties-with-only-policy-basis",
        "citations-of-repealed-or-misprinted-documents",
        "topics-in-every-jurisdiction",
        "topics-in-only-one-jurisdiction",
        "topics-assigned-here-not-there",
        "assigned-work-cancelled-elsewhere",
        "assigned-here-removed-there",
        "departments-ranked",
        "sectors-ranked",
        "sectors-by-jurisdiction",
        "laws-cited-by-most-jurisdictions",
        "legal-basis-national-local-share",
        "same-topic-different-articles",
        "laws-cited-without-article",
        "duty-profile",
        "jurisdiction-profile",
        "search-duties",
    ):
        assert name in LIBRARY, name


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_header_is_complete(name: str) -> None:
    query = LIBRARY[name]
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), "file names are kebab-case English"
    assert re.search(r"[\u4e00-\u9fff]", query.title_zh), "title@zh is Chinese"
    # The home page shows it under the title (issue 17): one line of Chinese.
    assert re.search(r"[\u4e00-\u9fff]", query.summary_zh) and "\n" not in query.summary_zh
    assert query.title_en and not re.search(r"[\u3000-\u9fff]", query.title_en)
    assert len(query.description) > 40
    assert query.kind in ("check", "question")
    assert (query.severity is not None) == (query.kind == "check")
    for param in query.params:
        assert param.description, f"parameter {param.name} has no description"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_runs_anywhere_as_written(store: ox.Store, name: str) -> None:
    """Own PREFIX lines (no predeclared prefixes), no FROM: the default graph is the union."""
    text = LIBRARY[name].text
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    body = re.sub(r"\s#[^\n]*", "", body)  # trailing comments
    assert not re.search(r"\bFROM\b", body, re.IGNORECASE)
    used = set(re.findall(r"(?<![\w<:/#?])([a-z][a-z0-9]*):[A-Za-z_]", body))
    declared = set(re.findall(r"PREFIX\s+([a-z][a-z0-9]*):", body))
    assert used <= declared, f"undeclared prefixes {used - declared}"
    list(_solutions(store, text))


@pytest.mark.parametrize(
    "name",
    sorted(name for name, query in LIBRARY.items() if query.kind == "check"),
)
def test_checks_trace_findings_to_the_source(store: ox.Store, name: str) -> None:
    """A check's rows name the duty, its label, jurisdiction, source file and line."""
    result = store.query(LIBRARY[name].text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = {variable.value for variable in result.variables}
    required = {"duty", "label", "jurisdiction", "jurisdictionLabel", "file", "line", "message"}
    assert required <= names


# --- the same answers on rdflib ------------------------------------------------------------------

# Non-default parameters, so binding is compared on both engines too.
EXTRA_RUNS: list[tuple[str, dict[str, str]]] = [
    ("topics-assigned-here-not-there", {"jurisdiction": SHANXI, "other_jurisdiction": NINGXIA}),
    ("departments-ranked", {"jurisdiction": NINGXIA_REGION}),
    ("jurisdiction-profile", {"jurisdiction": NINGXIA_REGION}),
    ("duty-profile", {"duty": duty("changzhi/assistance/25")}),
    ("search-duties", {"keyword": "居住证"}),
    ("laws-cited-by-most-jurisdictions", {"min_jurisdictions": "4"}),
]


NUMBERS = {XSD + name for name in ("integer", "positiveInteger", "decimal", "double", "float")}


def _comparable(value: Any, datatype: str | None, language: str | None) -> tuple[Any, ...]:
    # pyoxigraph reads xsd:positiveInteger as xsd:integer: numbers compare by value.
    if datatype in NUMBERS:
        return ("number", Decimal(str(value)))
    return (str(value), language or None)


def _oxigraph_set(store: ox.Store, text: str) -> set[tuple[Any, ...]]:
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    rows = set()
    for solution in result:
        row = []
        for name in names:
            term = solution[name]
            if term is None:
                row.append(None)
            elif isinstance(term, ox.Literal):
                row.append(_comparable(term.value, term.datatype.value, term.language))
            else:
                row.append((term.value, None))
        rows.add(tuple(row))
    return rows


def _rdflib_set(dataset: Dataset, text: str) -> set[tuple[Any, ...]]:
    rows = set()
    for solution in dataset.query(text):
        row: list[Any] = []
        for term in solution:  # type: ignore[union-attr]
            if term is None:
                row.append(None)
            elif isinstance(term, Literal):
                datatype = str(term.datatype) if term.datatype else None
                row.append(_comparable(str(term), datatype, term.language))
            else:
                assert isinstance(term, URIRef)
                row.append((str(term), None))
        rows.add(tuple(row))
    return rows


@pytest.mark.parametrize(
    ("name", "params"),
    [(name, {}) for name in sorted(LIBRARY)] + EXTRA_RUNS,
    ids=[*sorted(LIBRARY), *(f"{n}-{'-'.join(p)}" for n, p in EXTRA_RUNS)],
)
def test_rdflib_gives_the_same_answer(
    store: ox.Store, rdflib_dataset: Dataset, name: str, params: dict[str, str]
) -> None:
    text = LIBRARY[name].bind(params)
    expected = _oxigraph_set(store, text)
    assert _rdflib_set(rdflib_dataset, text) == expected


# --- parameters --------------------------------------------------------------------------------


def test_unknown_parameter_is_named() -> None:
    with pytest.raises(ValueError, match=r"unknown parameter 'region'.*jurisdiction"):
        LIBRARY["departments-ranked"].bind({"region": CHONGQING})


def test_bad_iri_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'jurisdiction'.*not an absolute IRI"):
        LIBRARY["departments-ranked"].bind({"jurisdiction": "重庆"})
    with pytest.raises(ValueError, match="'duty'"):
        LIBRARY["duty-profile"].bind({"duty": "<https://w3id.org/x> } ; DROP ALL ; {"})


def test_bad_integer_is_refused() -> None:
    with pytest.raises(ValueError, match=r"'min_jurisdictions'.*not an integer"):
        LIBRARY["laws-cited-by-most-jurisdictions"].bind({"min_jurisdictions": "two"})


def test_keyword_cannot_inject(store: ox.Store) -> None:
    rows = answer(store, "search-duties", keyword='禁毒" } FILTER(false) VALUES ?x { "')
    assert rows == []


# --- checks ------------------------------------------------------------------------------------


def test_duties_without_legal_basis(store: ox.Store) -> None:
    # Every list that prints a basis column (依据 / 设定依据 / 法律法规依据; the 出具证明, 取消
    # and 负面 lists print none) and the duties whose printed cell is empty — 14, counted in
    # data/raw: sichuan.txt 附件2 items 26–32 (lines 297–327); ningxia-district.txt 依法履行
    # items 3, 5, 6, 7, 8 and 16 (lines 13, 17, 19, 20, 21, 35: the fifth, 设定依据, tab field
    # is empty); changzhi.txt line 167: 附件2 item 34 ends with an empty 依据 cell.
    rows = answer(store, "duties-without-legal-basis")
    found = {row["duty"]: (row["line"], row["file"]) for row in rows}
    sichuan = {
        duty(f"sichuan/assistance/{n}"): (line, "sichuan.txt")
        for n, line in zip(range(26, 33), (297, 302, 307, 312, 317, 322, 327), strict=True)
    }
    ningxia = {
        duty(f"ningxia-district/self-governance/{n}"): (line, "ningxia-district.txt")
        for n, line in zip((3, 5, 6, 7, 8, 16), (13, 17, 19, 20, 21, 35), strict=True)
    }
    assert found == {**sichuan, **ningxia, duty("changzhi/assistance/34"): (167, "changzhi.txt")}
    assert len(rows) == 14
    assert Counter(row["listLabel"] for row in rows) == {
        "依法协助事项": 8,
        "依法履行（自治）事项": 6,
    }
    assert rows[0]["label"] == "协助做好社区矫正工作。" and rows[0]["jurisdictionLabel"] == "四川省"
    assert all(row["citationText"] == "" and row["emptyCell"] is True for row in rows)


def test_assistance_duties_with_only_policy_basis(store: ox.Store) -> None:
    # sichuan.txt line 219 (item 11, one 通知); ningxia-district.txt line 47 (item 5, four
    # policy documents) and line 57 (item 11, two 意见); changzhi.txt line 157 (item 11,
    # 长治市…落户实施方案) and line 160 (items 25 and 26, 中办发〔2010〕27号 only).
    rows = answer(store, "assistance-duties-with-only-policy-basis")
    per_duty = Counter(row["duty"] for row in rows)
    assert per_duty == {
        duty("sichuan/assistance/11"): 1,
        duty("ningxia-district/assistance/5"): 4,
        duty("ningxia-district/assistance/11"): 2,
        duty("changzhi/assistance/11"): 1,
        duty("changzhi/assistance/25"): 1,
        duty("changzhi/assistance/26"): 1,
    }
    assert {row["documentType"] for row in rows} == {"规范性文件"}
    by_duty = {row["duty"]: row for row in rows}
    assert by_duty[duty("changzhi/assistance/25")]["document"] == law(
        "urban-community-residents-committee-building-opinions-2010"
    )
    assert by_duty[duty("changzhi/assistance/25")]["line"] == 160
    # Item 5's basis also names a 国家卫生健康委 guidance: still policy, so still listed.
    assert law("birth-registration-improvement-guidance-2021") in {
        row["document"] for row in rows if row["duty"] == duty("ningxia-district/assistance/5")
    }


def test_citations_of_repealed_or_misprinted_documents(store: ox.Store) -> None:
    rows = answer(store, "citations-of-repealed-or-misprinted-documents")
    assert len(rows) == 22
    assert sum(row.get("misprint", False) for row in rows) == 17  # the build report's count
    by_duty = {row["duty"]: row for row in rows}
    # changzhi.txt line 139, item 15: 《中华人民共和国婚姻法》第四十三条 — repealed when the
    # Civil Code took effect (verified), replaced by 民法典.
    marriage = by_duty[duty("changzhi/self-governance/15")]
    assert (marriage["status"], marriage["statusConfidence"]) == ("repealed", "verified")
    assert marriage["replacedBy"] == law("prc-civil-code")
    assert marriage["message"] == (
        "cites 《中华人民共和国婚姻法》: repealed (verified); replaced by 《中华人民共和国民法典》"
    )
    # chongqing.txt line 239 (item 17, row from line 235): 《疫苗流通和预防接种管理条例》.
    vaccine = by_duty[duty("chongqing/assistance/17")]
    assert (vaccine["line"], vaccine["statusConfidence"]) == (235, "likely")
    assert vaccine["replacedByLabel"] == "中华人民共和国疫苗管理法"
    # chongqing.txt item 2 (line 46) prints 《重庆市环境噪音污染防治法》: misprinted and repealed.
    noise = by_duty[duty("chongqing/assistance/2")]
    assert noise["misprint"] is True and noise["citedTitle"] == "重庆市环境噪音污染防治法"
    assert noise["documentLabel"] == "重庆市环境噪声污染防治办法"
    assert "repealed (likely)" in noise["message"] and "is a misprint" in noise["message"]
    # sichuan.txt 附件1 prints 《四川省〈中华人民共和国城市居民委员会〉实施办法》 eight times.
    sichuan = [row for row in rows if row["jurisdiction"] == SICHUAN]
    assert len(sichuan) == 8
    assert {row["citedTitle"] for row in sichuan} == {
        "四川省〈中华人民共和国城市居民委员会〉实施办法"
    }


def test_assigned_work_cancelled_elsewhere(store: ox.Store) -> None:
    rows = answer(store, "assigned-work-cancelled-elsewhere")
    # One row per assigned duty and topic (never per pair of duties): 66 on the seeds.
    assert len(rows) == 66
    assert len({(row["duty"], row["topic"]) for row in rows}) == 66
    by_duty_topic = {(row["duty"], row["topicLabel"]): row for row in rows}
    # chongqing.txt line 97, item 6 协助开展禁毒宣传… against ningxia-district.txt 取消
    # item 4 (社区吸毒人员排查), the first of its two 禁毒 items (4 and 5) by IRI.
    drugs = by_duty_topic[(duty("chongqing/assistance/6"), "禁毒")]
    assert (drugs["sameJurisdiction"], drugs["otherJurisdictions"]) == (False, 1)
    assert drugs["removedDuty"] == duty("ningxia-district/cancelled/4")
    assert drugs["removedLabel"] == "社区吸毒人员排查"
    assert drugs["removedJurisdiction"] == NINGXIA
    # changzhi.txt 附件4: twelve certificates, against 天津市's 不得…出具证明 (tianjin.txt line 40).
    tianjin_12 = [row for row in rows if row["removedDuty"] == duty("tianjin/excluded/12")]
    assert {row["duty"] for row in tianjin_12} == {
        duty(f"changzhi/certification/{n}") for n in range(1, 13)
    }
    # 长治市 附件3 item 3 (城市管理): two other jurisdictions take the topic off communities,
    # 四川省 (负面 城市管理类) and 天津市 (作为城市管理事项的责任主体).
    assert (
        by_duty_topic[(duty("changzhi/supervision/3"), "城市管理与市政服务")]["otherJurisdictions"]
        == 2
    )
    # Contradictions within one catalog come first, with the catalog's own removed duty as the
    # example: 四川省 assigns 劝阻并报告违法建设行为 (附件2 item 19) and excludes 拆迁拆违类
    # (附件3 item 2); 四川省 is not the only one to remove that topic.
    same = [row for row in rows if row["sameJurisdiction"]]
    assert len(same) == 13 and rows[: len(same)] == same
    illegal = by_duty_topic[(duty("sichuan/assistance/19"), "违法建设治理")]
    assert illegal["sameJurisdiction"] is True
    assert (illegal["removedDuty"], illegal["removedJurisdiction"]) == (
        duty("sichuan/excluded/2"),
        SICHUAN,
    )
    assert all(row["removedJurisdiction"] == row["jurisdiction"] for row in same)
    assert {row["listType"].removeprefix(CD) for row in rows} <= TODO_LISTS
    assert {row["removedListType"].removeprefix(CD) for row in rows} == {
        "CancelledDuty",
        "ExcludedDuty",
    }
    first = rows[0]
    assert first["message"].startswith(f"topic {first['topicLabel']}: this catalog's own ")
    assert drugs["message"] == (
        "topic 禁毒: 取消事项 list has 「社区吸毒人员排查」 (宁夏回族自治区某城区（名称未印出）); "
        "removed in 1 other jurisdiction(s)"
    )


def test_laws_cited_without_article(store: ox.Store) -> None:
    rows = answer(store, "laws-cited-without-article")
    assert len(rows) == 99 and len({row["duty"] for row in rows}) == 37
    assert Counter(row["jurisdictionLabel"] for row in rows) == {
        "宁夏回族自治区某城区（名称未印出）": 90,
        "四川省": 6,
        "长治市": 3,
    }
    found = {(row["duty"], row["document"]) for row in rows}
    # sichuan.txt line 184: item 4 cites 《中华人民共和国消防法》 without an article;
    # changzhi.txt: 附件2 item 32 维护妇女权益 cites 《中华人民共和国妇女权益保障法》 alone.
    assert (duty("sichuan/assistance/4"), law("prc-fire-protection-law")) in found
    assert (duty("changzhi/assistance/32"), law("prc-women-rights-protection-law")) in found
    # Policy documents cited whole are not imprecise.
    assert {row["documentType"] for row in rows} <= {
        "法律",
        "行政法规",
        "部门规章",
        "地方性法规",
        "地方政府规章",
    }
    # chongqing.txt cites an article every time.
    assert CHONGQING not in {row["jurisdiction"] for row in rows}


# --- topics ------------------------------------------------------------------------------------


def test_topics_in_every_jurisdiction(store: ox.Store) -> None:
    rows = answer(store, "topics-in-every-jurisdiction")
    # Four jurisdictions publish to-do lists; 天津市 publishes only prohibitions.
    assert {row["of"] for row in rows} == {4} and {row["jurisdictions"] for row in rows} == {4}
    assert len(rows) == 14
    assert column(rows, "topic")[:3] == [
        topic("infectious-disease-control"),
        topic("floating-population"),
        topic("public-order"),
    ]
    assert column(rows, "duties")[:3] == [10, 10, 10]
    assert {topic("drug-control"), topic("family-planning")}.isdisjoint(column(rows, "topic"))
    assert rows[-1]["topicLabel"] == "精神卫生与心理健康" and rows[-1]["duties"] == 4


def test_topics_in_only_one_jurisdiction(store: ox.Store) -> None:
    rows = answer(store, "topics-in-only-one-jurisdiction")
    found = {row["topic"]: (row["jurisdictionLabel"], row["duties"]) for row in rows}
    assert found == {
        topic("rural-collective-economy"): ("四川省", 3),
        topic("consumer-rights-and-prices"): ("四川省", 2),
        topic("party-building"): ("宁夏回族自治区某城区（名称未印出）", 4),
        topic("grid-and-information-management"): ("宁夏回族自治区某城区（名称未印出）", 2),
        topic("animal-disease-control"): ("宁夏回族自治区某城区（名称未印出）", 1),
        topic("national-security"): ("宁夏回族自治区某城区（名称未印出）", 1),
        topic("housing-safety"): ("宁夏回族自治区某城区（名称未印出）", 1),
        # chongqing.txt item 8 (养犬管理, line 128); changzhi.txt 附件4 (12 certificates).
        topic("dog-management"): ("重庆市", 1),
        topic("certification"): ("长治市", 12),
    }


def test_topics_assigned_here_not_there(store: ox.Store) -> None:
    rows = answer(store, "topics-assigned-here-not-there")  # 重庆市, not 四川省
    assert [(row["topicLabel"], row["duties"]) for row in rows] == [
        ("人口与计划生育", 3),  # chongqing.txt items 12–14
        ("突发事件应对与应急管理", 2),
        ("养犬管理", 1),
        ("反家庭暴力", 1),
        ("宗教事务", 1),
    ]
    assert not any(row["otherRemoves"] for row in rows)
    # 山西省 (through 长治市) against 宁夏回族自治区 (through its district): the district
    # cancelled 社区吸毒人员排查, so 禁毒 is removed there, not merely absent.
    rows = answer(
        store,
        "topics-assigned-here-not-there",
        jurisdiction=SHANXI,
        other_jurisdiction=NINGXIA_REGION,
    )
    assert {row["topic"]: (row["duties"], row["otherRemoves"]) for row in rows} == {
        topic("certification"): (12, False),
        topic("urban-management"): (1, False),
        topic("residence-permit"): (1, False),
        topic("drug-control"): (1, True),
    }


def test_topic_coverage_matrix(store: ox.Store) -> None:
    rows = answer(store, "topic-coverage-matrix")
    assert len(rows) == 165
    # Every duty–topic link is counted once: 282 links, 251 assigned and 31 removed.
    assert sum(column(rows, "assigned")) == 251 and sum(column(rows, "removed")) == 31
    cell = {(row["topic"], row["jurisdiction"]): (row["assigned"], row["removed"]) for row in rows}
    # ningxia-district.txt: 依法协助 item 10 assigns family planning; 取消 items 1 and 7 remove it.
    assert cell[(topic("family-planning"), NINGXIA)] == (1, 2)
    assert cell[(topic("family-planning"), CHANGZHI)] == (7, 0)
    # tianjin.txt lines 32–38: 不得 put 职责范围内的事项, 领导小组, 活动场所, 专职人员,
    # 评比达标 and 一票否决 on residents' committees — six prohibitions on how they are run.
    assert cell[(topic("community-burden-reduction"), TIANJIN)] == (0, 6)


# --- departments and sectors -------------------------------------------------------------------


def test_sectors_ranked(store: ox.Store) -> None:
    rows = answer(store, "sectors-ranked")
    assert len(rows) == 36
    assert [(row["sectorLabel"], row["duties"], row["jurisdictions"]) for row in rows[:3]] == [
        ("卫生健康", 18, 2),
        ("公安", 14, 2),
        ("社会工作", 14, 1),
    ]
    # Only 重庆市 and the Ningxia district print departments.
    assert max(column(rows, "jurisdictions")) == 2


def test_departments_ranked(store: ox.Store) -> None:
    rows = answer(store, "departments-ranked")  # 重庆市
    assert len(rows) == 16 and {row["placeLabel"] for row in rows} == {"重庆市"}
    assert [(row["departmentLabel"], row["duties"]) for row in rows[:3]] == [
        ("公安部门", 7),
        ("卫生健康部门", 7),
        ("相关部门", 4),
    ]
    assert rows[0]["sectorLabel"] == "公安"
    # A region includes its district: 宁夏回族自治区 → the district's 社会工作部 first.
    rows = answer(store, "departments-ranked", jurisdiction=NINGXIA_REGION)
    assert (rows[0]["departmentLabel"], rows[0]["duties"], rows[0]["place"]) == (
        "社会工作部",
        14,
        NINGXIA,
    )
    assert answer(store, "departments-ranked", jurisdiction=SICHUAN) == []


def test_sectors_by_jurisdiction(store: ox.Store) -> None:
    rows = answer(store, "sectors-by-jurisdiction")
    assert Counter(column(rows, "jurisdiction")) == {NINGXIA: 35, CHONGQING: 16}
    ningxia = [row for row in rows if row["jurisdiction"] == NINGXIA]
    assert (ningxia[0]["sectorLabel"], ningxia[0]["duties"], ningxia[0]["percent"]) == (
        "社会工作",
        14,
        36,
    )
    chongqing = [row for row in rows if row["jurisdiction"] == CHONGQING]
    assert {row["sectorLabel"] for row in chongqing[:2]} == {"公安", "卫生健康"}
    assert chongqing[0]["percent"] == 26  # 7 of Chongqing's 27 duties


# --- legal bases -------------------------------------------------------------------------------


def test_laws_cited_by_most_jurisdictions(store: ox.Store) -> None:
    rows = answer(store, "laws-cited-by-most-jurisdictions")
    assert len(rows) == 42 and min(column(rows, "jurisdictions")) == 2
    top = rows[0]
    assert (top["document"], top["jurisdictions"], top["duties"]) == (
        law("prc-urban-residents-committee-organization-law"),
        4,
        37,
    )
    rows = answer(store, "laws-cited-by-most-jurisdictions", min_jurisdictions="4")
    assert column(rows, "documentLabel") == [
        "中华人民共和国城市居民委员会组织法",
        "中华人民共和国消防法",
        "中华人民共和国传染病防治法",
        "中华人民共和国安全生产法",
        "中华人民共和国禁毒法",
        "中华人民共和国精神卫生法",
    ]


def test_legal_basis_national_local_share(store: ox.Store) -> None:
    rows = answer(store, "legal-basis-national-local-share")
    found = {
        row["jurisdictionLabel"]: (
            row["citations"],
            row["national"],
            row["local"],
            row["nationalPercent"],
        )
        for row in rows
    }
    assert found == {
        "长治市": (72, 68, 4, 94),
        "宁夏回族自治区某城区（名称未印出）": (154, 119, 35, 77),
        "四川省": (80, 57, 23, 71),
        "重庆市": (40, 24, 16, 60),
    }
    assert sum(row["citations"] for row in rows) == 346  # the build report's citations
    assert column(rows, "jurisdiction")[0] == CHANGZHI


def test_same_topic_different_articles(store: ox.Store) -> None:
    rows = answer(store, "same-topic-different-articles")
    assert len(rows) == 87
    assert len({(row["topic"], row["document"]) for row in rows}) == 16
    education = {
        row["jurisdiction"]: row["article"]
        for row in rows
        if row["document"] == law("prc-education-law")
    }
    # changzhi.txt line 160 item 14 《教育法》第五十一条; sichuan.txt line 202 第五十二条.
    assert education == {CHANGZHI: 51, SICHUAN: 52}
    drug = {
        (row["jurisdiction"], row["article"]): row["inJurisdictions"]
        for row in rows
        if row["topic"] == topic("drug-control")
    }
    # 《禁毒法》第十七条 everywhere; 第十九条 only in 重庆市; 第三十四条 in 四川省 and 长治市.
    assert drug == {
        (SICHUAN, 17): 3,
        (CHONGQING, 17): 3,
        (CHANGZHI, 17): 3,
        (CHONGQING, 19): 1,
        (SICHUAN, 34): 2,
        (CHANGZHI, 34): 2,
    }
    # The same articles everywhere (传染病防治法 第九条 in three places) is not a difference.
    assert law("prc-infectious-disease-prevention-law") not in column(rows, "document")


def test_misprinted_titles(store: ox.Store) -> None:
    rows = answer(store, "misprinted-titles")
    assert len(rows) == 9 and sum(column(rows, "duties")) == 17
    assert (rows[0]["citedTitle"], rows[0]["documentLabel"], rows[0]["duties"]) == (
        "四川省〈中华人民共和国城市居民委员会〉实施办法",
        "四川省〈中华人民共和国城市居民委员会组织法〉实施办法",
        8,
    )
    titles = {row["citedTitle"]: row["document"] for row in rows}
    assert titles["中华人民共和国预防未成年犯罪法"] == law(
        "prc-juvenile-delinquency-prevention-law"
    )


def test_legal_status_unverified(store: ox.Store) -> None:
    rows = answer(store, "legal-status-unverified")
    assert len(rows) == 149
    assert Counter(column(rows, "statusConfidence")) == {"unverified": 140, "likely": 9}
    assert (rows[0]["documentLabel"], rows[0]["duties"], rows[0]["jurisdictions"]) == (
        "关于加强和改进城市社区居民委员会建设工作的意见",
        18,
        3,
    )
    # The verified repeal of 婚姻法 is not listed; the likely repeal of 疫苗流通… is.
    documents = set(column(rows, "document"))
    assert law("prc-marriage-law") not in documents
    assert law("vaccine-circulation-and-vaccination-regulations") in documents


# --- profiles, search, catalogs ----------------------------------------------------------------


def test_duty_profile(store: ox.Store) -> None:
    # chongqing.txt line 97: 依法协助 item 6, 公安部门, 《中华人民共和国禁毒法》第十七条、
    # 第十九条 and 《重庆市禁毒条例》第九条.
    rows = answer(store, "duty-profile")
    facts: dict[str, list[Any]] = {}
    for row in rows:
        facts.setdefault(row["property"].rsplit("#", 1)[-1].rsplit("/", 1)[-1], []).append(
            row["value"]
        )
    assert facts["label"] == ["协助开展禁毒宣传、落实禁毒防范措施"]
    assert facts["number"] == [6] and facts["sourceLine"] == [97]
    assert facts["type"] == [CD + "AssistanceDuty"]
    assert facts["jurisdiction"] == [CHONGQING] and facts["fileName"] == ["chongqing.txt"]
    assert facts["topic"] == [topic("drug-control")]
    assert facts["department"] == [f"{ID}department/500000/public-security-department"]
    assert facts["sector"] == [f"{ID}sector/public-security"]
    assert facts["hasLegalBasis"] == [
        law("chongqing-narcotics-control-regulations/art-9"),
        law("prc-narcotics-control-law/art-17"),
        law("prc-narcotics-control-law/art-19"),
    ]
    assert facts["isProvisionOf"] == [
        law("chongqing-narcotics-control-regulations"),
        law("prc-narcotics-control-law"),
    ]
    assert facts["citationText"] == [
        "《中华人民共和国禁毒法》第十七条、第十九条\n《重庆市禁毒条例》第九条"
    ]
    labels = {row["propertyLabel"] for row in rows}
    assert {"名称", "编号", "所属主题", "源文件行号"} <= labels
    assert column(rows, "position") == sorted(column(rows, "position"))


def test_jurisdiction_profile(store: ox.Store) -> None:
    rows = answer(store, "jurisdiction-profile")  # 山西省: its city 长治市's four lists
    assert {row["placeLabel"] for row in rows} == {"长治市"}
    found = {
        row["listType"].removeprefix(CD): (row["duties"], row["withLegalBasis"]) for row in rows
    }
    assert found == {
        "AssistanceDuty": (34, 33),
        "CertificationDuty": (12, 0),
        "SelfGovernanceDuty": (16, 16),
        "SupervisionDuty": (4, 4),
    }
    assert {row["documentNumber"] for row in rows} == {"长民发〔2017〕124号"}
    rows = answer(store, "jurisdiction-profile", jurisdiction=CHONGQING)
    assert [(row["duties"], row["numbersAssigned"], row["departments"]) for row in rows] == [
        (27, 2, 16)
    ]
    rows = answer(store, "jurisdiction-profile", jurisdiction=NINGXIA_REGION)
    assert [(row["listLabel"], row["duties"]) for row in rows] == [
        ("依法协助事项", 23),
        ("取消事项", 7),
        ("依法履行（自治）事项", 16),
    ]


def test_search_duties(store: ox.Store) -> None:
    rows = answer(store, "search-duties")  # 禁毒
    assert [(row["duty"], row["rank"], row["line"]) for row in rows] == [
        (duty("sichuan/assistance/2"), 1, 174),
        (duty("chongqing/assistance/6"), 1, 97),
        (duty("changzhi/assistance/2"), 1, 148),
        # ningxia-district.txt line 30: 宣传教育, whose description names 禁毒.
        (duty("ningxia-district/self-governance/13"), 2, 30),
    ]
    rows = answer(store, "search-duties", keyword="居住证")
    assert column(rows, "matchedIn") == ["name", "name", "name", "name", "citation"]
    assert rows[-1]["duty"] == duty("chongqing/assistance/5")  # 《居住证暂行条例》 in its basis
    assert len(answer(store, "search-duties", keyword="")) == 210
    assert answer(store, "search-duties", keyword="不存在的词") == []


def test_catalog_summary(store: ox.Store) -> None:
    rows = answer(store, "catalog-summary")
    assert len(rows) == 12 and sum(column(rows, "duties")) == 210
    for row in rows:  # every list is numbered 1…n without gaps
        assert (row["first"], row["last"]) == (1, row["duties"])
    by_list = {(row["file"], row["listType"].removeprefix(CD)): row for row in rows}
    assert by_list[("chongqing.txt", "AssistanceDuty")]["numbersAssigned"] == 2
    assert by_list[("tianjin.txt", "ExcludedDuty")]["numbersAssigned"] == 12
    assert by_list[("changzhi.txt", "AssistanceDuty")]["withLegalBasis"] == 33
    assert by_list[("ningxia-district.txt", "SelfGovernanceDuty")]["withDepartment"] == 16
    assert by_list[("sichuan.txt", "AssistanceDuty")]["withTopic"] == 32


def test_duty_count_by_catalog(store: ox.Store) -> None:
    rows = answer(store, "duty-count-by-catalog")
    counts = {(row["catalog"], row["listType"].removeprefix(CD)): row["duties"] for row in rows}
    # The declared (ningxia-district) and numbered counts of DESIGN.md's source table.
    assert counts == {
        (f"{ID}catalog/ningxia-district", "SelfGovernanceDuty"): 16,
        (f"{ID}catalog/ningxia-district", "AssistanceDuty"): 23,
        (f"{ID}catalog/ningxia-district", "CancelledDuty"): 7,
        (f"{ID}catalog/chongqing", "AssistanceDuty"): 27,
        (f"{ID}catalog/changzhi", "SelfGovernanceDuty"): 16,
        (f"{ID}catalog/changzhi", "AssistanceDuty"): 34,
        (f"{ID}catalog/changzhi", "SupervisionDuty"): 4,
        (f"{ID}catalog/changzhi", "CertificationDuty"): 12,
        (f"{ID}catalog/sichuan", "SelfGovernanceDuty"): 20,
        (f"{ID}catalog/sichuan", "AssistanceDuty"): 32,
        (f"{ID}catalog/sichuan", "ExcludedDuty"): 7,
        (f"{ID}catalog/tianjin", "ExcludedDuty"): 12,
    }


def test_duties_with_assigned_numbers(store: ox.Store) -> None:
    rows = answer(store, "duties-with-assigned-numbers")
    assert len(rows) == 14
    # chongqing.txt lines 253 and 314 start with a blank 序号 cell.
    chongqing = [(row["number"], row["line"]) for row in rows if row["jurisdiction"] == CHONGQING]
    assert chongqing == [(19, 253), (23, 314)]
    assert {row["duty"] for row in rows if row["jurisdiction"] == TIANJIN} == {
        duty(f"tianjin/excluded/{n}") for n in range(1, 13)
    }
    assert all(row.get("note") for row in rows)


# --- cd:number is an xsd:integer (issue 17 item 8) ---------------------------------------------


def test_number_is_an_integer_that_matches_and_sorts(store: ox.Store) -> None:
    # Every list is numbered from 1: one duty numbered 1 per list (the README's table: 3 + 1 +
    # 4 + 3 + 1 = 12 lists in the five sources), and 10 sorts after 2 (重庆市 1..27).
    ones = list(_solutions(store, f"PREFIX cd: <{CD}> SELECT ?d WHERE {{ ?d cd:number 1 }}"))
    assert len(ones) == 12
    ordered = _solutions(
        store,
        f"""PREFIX cd: <{CD}> SELECT ?number WHERE {{
              ?d cd:number ?number ; cd:inCatalog ?c FILTER(STRENDS(STR(?c), "chongqing"))
            }} ORDER BY ?number""",
    )
    assert [row["number"] for row in ordered] == list(range(1, 28))
    # The seeds print plain numbers or none: no cd:numberAsPrinted is written.
    assert not store.query(
        f"ASK {{ ?d <{CD}numberAsPrinted> ?p }}", use_default_graph_as_union=True
    )


# --- what A assigns that B forbids or cancels (issue 17 item 5) -------------------------------


def test_assigned_here_removed_there_chongqing_sichuan(store: ox.Store) -> None:
    # chongqing.txt 依法协助 items 2 (line 46), 7 (113), 10 (155), 20 (267: the number's line)
    # share a topic with sichuan.txt 附件3 负面事项 环境整治类 (357), 生产安全类 (373) and
    # 拆迁拆违类 (353).
    rows = answer(store, "assigned-here-removed-there")
    pairs = [
        (row["topicLabel"], row["label"], row["line"], row["removedLabel"], row["removedLine"])
        for row in rows
    ]
    assert pairs == [
        ("安全生产", "协助做好安全生产的监督管理", 267, "生产安全类", 373),
        ("消防安全", "协助开展消防宣传教育", 113, "生产安全类", 373),
        ("生态环境保护与环境整治", "协助做好噪声环保工作", 46, "环境整治类", 357),
        ("违法建设治理", "协助查处违法建筑", 155, "拆迁拆违类", 353),
    ]
    assert {(row["assigningLabel"], row["removingLabel"]) for row in rows} == {("重庆市", "四川省")}
    assert {(row["listLabel"], row["removedListLabel"]) for row in rows} == {
        ("依法协助事项", "负面（不得承担）事项")
    }


def test_assigned_here_removed_there_counts_places_inside_a(store: ox.Store) -> None:
    # 山西省 holds 长治市 (cd:partOf): its duties count as 山西's; the Ningxia district's 取消
    # list (ningxia-district.txt lines 84–90) removes 计划生育 and 统计 work 长治 assigns.
    rows = answer(
        store, "assigned-here-removed-there", jurisdiction=SHANXI, other_jurisdiction=NINGXIA
    )
    assert rows and {row["assigning"] for row in rows} == {CHANGZHI}
    assert {row["removedListLabel"] for row in rows} == {"取消事项"}
    assert not answer(
        store, "assigned-here-removed-there", jurisdiction=SICHUAN, other_jurisdiction=CHONGQING
    )
