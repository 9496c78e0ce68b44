"""Search a researcher trusts (issue 17 item 6), on the shipped data: synonyms from
data/registers/search-synonyms.csv, words segmented with jieba, place names and list types
searchable, and the matched texts returned for the page to mark."""

from __future__ import annotations

from pathlib import Path

import pytest
from reports_data import ROOT

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.reports.search_engine import (
    SearchIndex,
    Segmenter,
    Synonyms,
    load_synonyms,
    query_parts,
)
from cdkg.server.store.engines import OxigraphStore

ID = "https://w3id.org/cdkg/id/"
REGISTER = ROOT / "data" / "registers" / "search-synonyms.csv"


@pytest.fixture(scope="module")
def index(built: ProjectPaths) -> SearchIndex:
    return SearchIndex(OxigraphStore.from_file(built.current / "dataset.nq"))


def jurisdictions(hits: list) -> set[str]:  # type: ignore[type-arg]
    return {hit.entry.jurisdiction_label for hit in hits}


def test_dibao_finds_the_minimum_living_allowance_of_sichuan_and_changzhi(
    index: SearchIndex,
) -> None:
    # sichuan.txt line 216 (附件2 item 10) and changzhi.txt line 160 (附件2 item 25) print
    # 最低生活保障, never 低保; before the synonym register 低保 found neither.
    hits = index.search("低保", 200)
    found = {hit.entry.iri for hit in hits}
    assert {f"{ID}duty/sichuan/assistance/10", f"{ID}duty/changzhi/assistance/25"} <= found
    assert {"四川省", "长治市"} <= jurisdictions(hits)
    sichuan = next(h for h in hits if h.entry.iri == f"{ID}duty/sichuan/assistance/10")
    assert [(m.word, m.text) for m in sichuan.matches] == [("低保", "最低生活保障")]
    assert sichuan.words == ["最低生活保障"]
    # Both spellings find the same duties.
    assert found == {hit.entry.iri for hit in index.search("最低生活保障", 200)}


def test_a_place_name_finds_its_duties(index: SearchIndex) -> None:
    # The Ningxia district's catalog (46 duties: 16 + 23 + 7) is searchable by its label; 长治市
    # (66 duties) by its name and by 山西省, the province it lies in (cd:partOf).
    by_place = [h for h in index.search("某城区", 200) if h.matches[0].field == "place"]
    assert len(by_place) == 46
    assert jurisdictions(by_place) == {"宁夏回族自治区某城区（名称未印出）"}
    changzhi = [h for h in index.search("长治市", 200) if h.entry.jurisdiction_label == "长治市"]
    assert len(changzhi) == 66
    assert {h.entry.iri for h in index.search("山西", 200)} == {
        h.entry.iri for h in index.search("长治", 200)
    }


def test_a_list_type_and_a_place_together(index: SearchIndex) -> None:
    # ningxia-district.txt (三) 取消工作事务目录: 7 duties.
    hits = index.search("宁夏 取消", 200)
    assert len(hits) == 7 and all("/cancelled/" in hit.entry.iri for hit in hits)
    assert all(hit.matches[0].field == "place" for hit in hits)  # 宁夏: the district's region
    # 取消 is in the list type's label 取消事项, or in a description (a higher weight).
    assert {hit.matches[1].field for hit in hits} <= {"list", "description"}


def test_words_are_segmented_and_a_whole_part_is_found_first() -> None:
    synonyms = load_synonyms(REGISTER)
    segmenter = Segmenter(synonyms.words)
    assert query_parts("城市低保", segmenter, synonyms) == [("城市低保", ("城市", "低保"))]
    assert query_parts("最低生活保障 禁毒", segmenter, synonyms) == [
        ("最低生活保障", ("最低生活保障",)),
        ("禁毒", ("禁毒",)),
    ]


def test_segmented_query_matches_words_apart(index: SearchIndex) -> None:
    # 城市低保 is printed nowhere; sichuan.txt line 216 has 城市居民最低生活保障.
    hits = index.search("城市低保", 50)
    assert f"{ID}duty/sichuan/assistance/10" in {hit.entry.iri for hit in hits}


def test_the_register_is_reviewed(tmp_path: Path) -> None:
    synonyms = load_synonyms(REGISTER)
    assert synonyms.of("计生") == {"计生", "计划生育"}
    assert {"残疾人联合会", "残疾人"} <= synonyms.of("残联")
    assert len(synonyms.groups) >= 10
    bad = tmp_path / "search-synonyms.csv"
    bad.write_text("words,source,reason\n低保,,\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"search-synonyms.csv:2: column words"):
        load_synonyms(bad)
    bad.write_text("words,source,reason\n低保|最低生活保障,,why\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r":2: every synonym row needs a source"):
        load_synonyms(bad)
    assert Synonyms().of("x") == {"x"}
