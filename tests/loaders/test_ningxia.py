"""Ningxia district: 依法履行 16, 依法协助 23, 取消 7, printed nine times."""

from pathlib import Path

import pytest

from cdkg.loaders.records import DutyRecord, ListType
from cdkg.loaders.sources import ningxia

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="module")
def parsed():
    return ningxia.read(RAW / "ningxia-district.txt")


@pytest.fixture(scope="module")
def duties(parsed) -> dict[tuple[ListType, str], DutyRecord]:
    assert parsed.problems == []
    return {(d.list_type, d.number): d for d in parsed.duties}


def test_declared_counts_match(parsed) -> None:
    declared = {s.list_type: s.declared for s in parsed.sections}
    assert declared == {
        ListType.SELF_GOVERNANCE: 16,
        ListType.ASSISTANCE: 23,
        ListType.CANCELLED: 7,
    }
    for list_type, count in declared.items():
        assert sorted(int(d.number) for d in parsed.duties if d.list_type is list_type) == list(
            range(1, count + 1)
        )


def test_category_declared_counts(parsed) -> None:
    assistance = next(s for s in parsed.sections if s.list_type is ListType.ASSISTANCE)
    assert assistance.category_declared["四、民生服务"] == 9
    assert assistance.category_declared["十、自然资源"] == 1  # printed "十、自然 资源 (1项)"


def test_continuation_rows_are_merged(duties) -> None:
    duty = duties[(ListType.ASSISTANCE, "14")]
    assert duty.name == "社会治安综合治理工作"
    assert duty.lines == [62, 63, 64, 65]
    assert duty.departments == ["政法委", "信访局 公安分局", "司法局", "公安分局 市场监管分局"]
    assert duty.citation_cells[:2] == ["《中华人民共和国反有组织犯罪法》。", "《信访工作条例》。"]
    assert "发现辖区有传销、涉嫌非法集资或电信网络诈骗行为的" in duty.description


def test_self_governance_1_wrapped_name_and_category(duties) -> None:
    duty = duties[(ListType.SELF_GOVERNANCE, "1")]
    assert duty.name == "加强党建引领基层治理"  # printed "加强党建引领 基层治理"
    assert duty.category == "一、党的建设"
    assert duty.line == 10
    assert duty.departments[1] == "党建引领基层治理协调机制 成员单位"


def test_bold_name_cleaned(duties) -> None:
    duty = duties[(ListType.SELF_GOVERNANCE, "15")]
    assert duty.name == "居务监督委员会监督"  # printed "<b>15.居务监督委员会监督</b>"
    assert duty.category == "五、自我监督"


def test_cancelled_4(duties) -> None:
    duty = duties[(ListType.CANCELLED, "4")]
    assert duty.name == "社区吸毒人员排查"
    assert duty.description == "协助辖区派出所开展吸毒人员排查。"
    assert duty.departments == ["公安分局 (禁毒委)"]
    assert duty.remark == "由辖区派出所负责社区戒毒工作。"
    assert duty.line == 87


def test_catch_all_rows_are_skipped_with_reason(parsed) -> None:
    assert [(s.line, s.reason.split(" ")[0]) for s in parsed.skipped] == [
        (36, "catch-all"),
        (79, "catch-all"),
    ]


def test_nine_copies_compared(parsed) -> None:
    copies = ningxia.find_copies(ningxia.read_lines(RAW / "ningxia-district.txt"))
    assert [c.start + 1 for c in copies] == [7, 92, 177, 262, 347, 432, 517, 602, 687]
    assert "9 of 9 copies match" in parsed.findings[0]


def test_a_copy_with_different_content_is_reported(tmp_path: Path) -> None:
    lines = (RAW / "ningxia-district.txt").read_text(encoding="utf-8").split("\n")
    # Change the content of copy 4's 取消 item 6 (line 344): a real difference, not noise.
    assert lines[343].startswith("6\t协助执行工作")
    lines[343] = lines[343].replace("法院系统", "公安分局")
    # And add pure formatting noise to copy 5's line 350: must not count as a difference.
    lines[349] = "<b>" + lines[349].replace("（", "(").replace("）", ")") + "</b>"
    path = tmp_path / "ningxia-district.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    result = ningxia.read(path)
    differing = [f for f in result.findings if "differs" in f]
    assert differing == [
        "- copy 4 (lines 262–346) differs in content: replace at line(s) 344 "
        "(loaded copy: line(s) 89)"
    ]
    assert "8 of 9 copies match" in result.findings[0]
