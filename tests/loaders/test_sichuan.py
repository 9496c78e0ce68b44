"""Sichuan (准入制度指导意见 征求意见稿): 附件1 20 自治, 附件2 32 协助, 附件3 7 负面."""

from pathlib import Path

import pytest

from cdkg.loaders.records import DutyRecord, ListType
from cdkg.loaders.sources import sichuan

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


@pytest.fixture(scope="module")
def duties() -> dict[tuple[ListType, str], DutyRecord]:
    result = sichuan.read(RAW / "sichuan.txt")
    assert result.problems == []
    return {(d.list_type, d.number): d for d in result.duties}


@pytest.mark.parametrize(
    ("list_type", "count"),
    [(ListType.SELF_GOVERNANCE, 20), (ListType.ASSISTANCE, 32), (ListType.EXCLUDED, 7)],
)
def test_counts_and_numbering(
    duties: dict[tuple[ListType, str], DutyRecord], list_type: ListType, count: int
) -> None:
    numbers = sorted(int(n) for t, n in duties if t is list_type)
    assert numbers == list(range(1, count + 1))


def test_self_governance_3_number_after_blank_tab(duties: dict) -> None:
    duty = duties[(ListType.SELF_GOVERNANCE, "3")]
    assert duty.line == 51
    assert duty.name.startswith("村民委员会应当尊重并支持集体经济组织依法独立进行经济活动的自主权")
    assert duty.citation_text == "《中华人民共和国村民委员会组织法》第八条"


def test_self_governance_7_four_citations(duties: dict) -> None:
    duty = duties[(ListType.SELF_GOVERNANCE, "7")]
    assert duty.citation_text.split("\n") == [
        "《中华人民共和国城市居民委员会组织法》第十五条",
        "《中华人民共和国村民委员会组织法》第二十七条",
        "《四川省〈中华人民共和国村民委员会组织法〉实施办法》第八条、第十三条、第二十六条",
        "《四川省〈中华人民共和国城市居民委员会组织法〉实施办法》第八条",
    ]


def test_assistance_group_carried_down(duties: dict) -> None:
    first = duties[(ListType.ASSISTANCE, "1")]
    second = duties[(ListType.ASSISTANCE, "2")]
    assert (first.category, first.name) == ("社会治安", "协助维护社会治安。")
    assert (second.category, second.name) == ("社会治安", "协助开展禁毒防范和社区戒毒。")
    assert second.citation_text == "《中华人民共和国禁毒法》第十七条、第三十四条"
    assert second.line == 174
    assert duties[(ListType.ASSISTANCE, "8")].category == "社区教育"
    assert duties[(ListType.ASSISTANCE, "10")].category == "民政"


def test_assistance_empty_basis_stays_empty(duties: dict) -> None:
    for number in range(26, 33):
        duty = duties[(ListType.ASSISTANCE, str(number))]
        assert duty.citation_text == ""
        assert duty.category == "其他"
    assert duties[(ListType.ASSISTANCE, "26")].name == "协助做好社区矫正工作。"


def test_assistance_25_basis_verbatim(duties: dict) -> None:
    duty = duties[(ListType.ASSISTANCE, "25")]
    assert duty.name == "协助做好与居民利益相关的劳动就业工作。"
    assert duty.citation_text == (
        "《中华人民共和国城市居民委员会组织法》\n《关于加强和改进城市社区居民委员会建设工作的意见》"
        "\n《社区矫正法》"
    )


def test_excluded_kinds(duties: dict) -> None:
    names = [duties[(ListType.EXCLUDED, str(n))].name for n in range(1, 8)]
    assert names == [
        "行政执法类",
        "拆迁拆违类",
        "环境整治类",
        "城市管理类",
        "招商引资类",
        "协税护税类",
        "生产安全类",
    ]
    assert duties[(ListType.EXCLUDED, "2")].description.startswith("鉴定违章搭建的建筑物")


def test_note_under_attachment_3_is_reported_as_skipped() -> None:
    result = sichuan.read(RAW / "sichuan.txt")
    assert [(s.line, s.text[:2]) for s in result.skipped] == [(377, "备注"), (378, "纳入")]
