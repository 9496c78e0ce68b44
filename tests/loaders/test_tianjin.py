"""Tianjin (津民发〔2019〕35号): prose only; the 不得 clauses become excluded duties."""

from pathlib import Path

from cdkg.loaders.records import ListType
from cdkg.loaders.sources import tianjin

RAW = Path(__file__).resolve().parents[2] / "data" / "raw"


def test_excluded_kinds_with_sentence_and_line() -> None:
    result = tianjin.read(RAW / "tianjin.txt")
    assert result.problems == []
    got = [(d.number, d.line, d.name) for d in result.duties]
    assert got == [
        ("1", 32, "承担：属于各部门、街道（乡镇）职责范围内的事项"),
        ("2", 32, "作为行政执法事项的责任主体"),
        ("3", 32, "作为拆迁拆违事项的责任主体"),
        ("4", 32, "作为环境整治事项的责任主体"),
        ("5", 32, "作为城市管理事项的责任主体"),
        ("6", 32, "作为招商引资事项的责任主体"),
        ("7", 36, "建立相应的领导小组、协调小组等组织机构"),
        ("8", 36, "建立专门的活动场所"),
        ("9", 36, "配备专职工作人员"),
        ("10", 38, "开展评比达标和示范创建活动"),
        ("11", 38, "设置“一票否决”事项"),
        ("12", 40, "出具证明：各级党政机关、群团组织、企事业单位、社会组织等职责范围内的证明事项"),
    ]
    assert all(d.list_type is ListType.EXCLUDED and d.number_assigned for d in result.duties)
    second = result.duties[1]
    assert second.description == (
        "不得将居委会作为行政执法、拆迁拆违、环境整治、城市管理、招商引资等事项的责任主体。"
    )
    assert second.source_text.startswith("\u3000\u3000（一）依法规范居委会工作事项。")


def test_approval_rule_recorded_for_the_catalog() -> None:
    result = tianjin.read(RAW / "tianjin.txt")
    assert [line for line, _ in result.catalog_notes] == [34, 34]
    assert "未经批准的工作事项居委会有权予以拒绝" in result.catalog_notes[1][1]
