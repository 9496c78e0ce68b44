"""Chongqing (渝民发〔2021〕6号): 27 assistance duties, items 19 and 23 without printed numbers."""

from pathlib import Path

import pytest

from cdkg.loaders.records import DutyRecord, ListType
from cdkg.loaders.sources import chongqing

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="module")
def duties() -> dict[str, DutyRecord]:
    result = chongqing.read(RAW / "chongqing.txt")
    assert result.problems == []
    return {d.number: d for d in result.duties}


def test_all_27_items_numbered_once(duties: dict[str, DutyRecord]) -> None:
    assert sorted(duties, key=int) == [str(n) for n in range(1, 28)]
    assert {d.list_type for d in duties.values()} == {ListType.ASSISTANCE}


def test_item_1_field_by_field(duties: dict[str, DutyRecord]) -> None:
    duty = duties["1"]
    assert duty.name == "协助做好社会救助工作"  # printed across lines 31–32
    assert duty.line == 30
    assert duty.summary.startswith("协助开展最低生活保障、特困供养、临时救助的调查核实")
    assert duty.description.startswith("1.协助发现需救助困难群众。")
    assert "②受乡镇人民政府（街道办事处）委托" in duty.description
    assert (
        duty.citation_text == "《社会救助暂行办法》第四条\n《重庆市城乡居民最低生活保障条例》第五条"
    )
    assert duty.departments == ["民政部门"]
    assert not duty.number_assigned


def test_item_6_drug_control(duties: dict[str, DutyRecord]) -> None:
    duty = duties["6"]
    assert duty.name == "协助开展禁毒宣传、落实禁毒防范措施"
    assert duty.line == 97
    assert (
        duty.citation_text == "《中华人民共和国禁毒法》第十七条、第十九条\n《重庆市禁毒条例》第九条"
    )
    assert duty.departments == ["公安部门"]
    assert "\t6" in duty.source_text


def test_item_7_number_after_blank_lines(duties: dict[str, DutyRecord]) -> None:
    duty = duties["7"]
    assert duty.line == 113  # "7" printed alone after an empty tab cell at line 109
    assert duty.name == "协助开展消防宣传教育"
    assert duty.departments == ["消防总队"]


@pytest.mark.parametrize(
    ("number", "line", "name", "department"),
    [
        ("19", 253, "协助管理宗教事务", "民族宗教部门"),
        ("23", 314, "协助做好物业管理工作", "住房城乡建设部门"),
    ],
)
def test_lost_numbers_recovered_from_sequence(
    duties: dict[str, DutyRecord], number: str, line: int, name: str, department: str
) -> None:
    duty = duties[number]
    assert duty.number_assigned
    assert (duty.line, duty.name, duty.departments) == (line, name, [department])
    assert any("from the sequence" in note for note in duty.notes)


def test_item_19_citation_with_paragraph(duties: dict[str, DutyRecord]) -> None:
    assert duties["19"].citation_text == (
        "《宗教事务条例》第六条第三款\n《重庆市宗教事务条例》第三十八条、第六十九条"
    )


def test_item_2_shared_suffix_department_cell_kept_verbatim(duties: dict[str, DutyRecord]) -> None:
    assert duties["2"].departments == ["生态环境、公安、文化旅游部门"]
    assert duties["2"].citation_text == "《重庆市环境噪音污染防治法》第七条"


def test_truncated_file_is_an_error_naming_the_file(tmp_path: Path) -> None:
    text = (RAW / "chongqing.txt").read_text(encoding="utf-8").split("\n")
    (tmp_path / "chongqing.txt").write_text("\n".join(text[:20]), encoding="utf-8")
    result = chongqing.read(tmp_path / "chongqing.txt")
    assert result.duties == []
    assert result.problems and result.problems[0].file == "chongqing.txt"


def test_unknown_header_is_an_error_naming_the_line(tmp_path: Path) -> None:
    text = (RAW / "chongqing.txt").read_text(encoding="utf-8").replace("\t主管单位", "\t责任单位")
    (tmp_path / "chongqing.txt").write_text(text, encoding="utf-8")
    result = chongqing.read(tmp_path / "chongqing.txt")
    assert result.duties == []
    assert "unknown table header" in result.problems[0].message
    assert result.problems[0].line == 15
