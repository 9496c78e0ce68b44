"""The numbered-text reader on its own (notices, web pages and PDFs without tables), and the
template's optional provenance field and column that cdkg import writes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.loaders.cells import SourceError
from cdkg.loaders.imports import read_published
from cdkg.loaders.imports.headers import Vocabulary, load_vocabulary
from cdkg.loaders.imports.mapper import map_document
from cdkg.loaders.sources.template import read_template

ROOT = Path(__file__).resolve().parents[3]
EXAMPLE = ROOT / "tests" / "catalogs" / "fixtures" / "example.csv"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(ROOT / "data" / "registers" / "import-headers.csv")


def test_categories_in_a_higher_numbering_style_inline_basis_and_unplaced_lines(
    tmp_path: Path, vocabulary: Vocabulary
) -> None:
    notice = tmp_path / "notice.md"
    notice.write_text(
        "\n".join(
            [
                "# 某区社区工作事项清单",
                "## 依法协助政府工作事项（共3项）",
                "说明：以下事项由社区协助办理。",
                "（一）社会治安",
                "1、协助维护社会治安。依据：《中华人民共和国宪法》第一百一十一条",
                "2、协助开展禁毒防范",
                "和社区戒毒。",
                "法律依据：《中华人民共和国禁毒法》第十七条",
                "（二）环境保护",
                "3、协助做好噪声环保工作",
                "责任单位：生态环境局",
            ]
        ),
        encoding="utf-8",
    )
    result = map_document(read_published(notice), vocabulary)
    assert [
        (d.number, d.name, d.category, d.basis, d.departments, d.location) for d in result.duties
    ] == [
        (1, "协助维护社会治安。", "社会治安", "《中华人民共和国宪法》第一百一十一条", "", "line 5"),
        (
            2,
            "协助开展禁毒防范和社区戒毒。",
            "社会治安",
            "《中华人民共和国禁毒法》第十七条",
            "",
            "lines 6–8",
        ),
        (3, "协助做好噪声环保工作", "环境保护", "", "生态环境局", "lines 10–11"),
    ]
    (only,) = result.builder.lists
    assert (only.list_type.code, only.declared, only.count) == ("assistance", 3, 3)
    assert [str(u) for u in result.builder.inference.unplaced] == [
        "line 3: text between items, not numbered: 说明：以下事项由社区协助办理。"
    ]
    assert "line 4: category heading '（一）社会治安'" in result.builder.inference.notes


def test_web_page_without_a_table_is_numbered_text(tmp_path: Path, vocabulary: Vocabulary) -> None:
    page = tmp_path / "notice.htm"
    page.write_text(
        "<html><body><p><b>取消事项（2项）</b></p><p>1.社区出具居住证明<br>"
        "设定依据：无</p><p>2.社区开展创卫检查</p></body></html>",
        encoding="gbk",
        errors="strict",
    )
    result = map_document(read_published(page), vocabulary)
    assert [(d.list_type.code, d.number, d.name, d.basis) for d in result.duties] == [
        ("cancelled", 1, "社区出具居住证明", "无"),
        ("cancelled", 2, "社区开展创卫检查", ""),
    ]


def test_duties_before_any_heading_need_a_list_type(tmp_path: Path, vocabulary: Vocabulary) -> None:
    from cdkg.loaders.imports.imported import NoList
    from cdkg.loaders.records import ListType

    text = tmp_path / "list.txt"
    text.write_text("1. 协助维护社会治安\n2. 协助开展禁毒宣传\n", encoding="utf-8")
    with pytest.raises(NoList, match=r"line 1: a duty before any list heading .*give --list-type"):
        map_document(read_published(text), vocabulary)
    result = map_document(read_published(text), vocabulary, ListType.ASSISTANCE)
    assert [(d.list_type, d.number) for d in result.duties] == [
        (ListType.ASSISTANCE, 1),
        (ListType.ASSISTANCE, 2),
    ]


def test_template_source_file_and_location(tmp_path: Path) -> None:
    lines = EXAMPLE.read_text(encoding="utf-8").split("\n")
    header = lines.index("list_type,number,name,category,description,departments,basis")
    lines[header - 1 : header + 2] = [
        "source_file,sources/example.docx",
        "",
        lines[header] + ",source_location",
        lines[header + 1] + ',"table 1, row 2"',
    ]
    template = tmp_path / "example.csv"
    template.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(SourceError, match=r"source_file 'sources/example\.docx': no such file"):
        read_template(template)
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "example.docx").write_bytes(b"original")
    catalog, result = read_template(template)
    assert catalog.source_file == "sources/example.docx"
    assert result.original is not None and result.original.file == "sources/example.docx"
    assert result.original.sha256.startswith("0682c5f2")
    assert [d.source_location for d in result.duties][:2] == ["table 1, row 2", ""]
    assert result.problems == []
