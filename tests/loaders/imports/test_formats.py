"""Every published format gives the same duties, field by field: the readers of
cdkg.loaders.imports on files the tests write (tests/loaders/imports/published.py), through the one
mapper, with the report of what was inferred on the way."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from cdkg.loaders import imports
from cdkg.loaders.imports import (
    catalog,
    excel,
    headers,
    jurisdiction,
    mapper,
    metadata,
    model,
    numbered,
    read_published,
    webpage,
)
from cdkg.loaders.imports.headers import Vocabulary, load_vocabulary
from cdkg.loaders.imports.mapper import Mapped, UnrecognisedHeader, map_document
from cdkg.loaders.imports.metadata import read_metadata
from cdkg.loaders.imports.model import UnreadableFile

from . import published

ROOT = Path(__file__).resolve().parents[3]
FORMATS = tuple(published.WRITERS)


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return load_vocabulary(ROOT / "data" / "registers" / "import-headers.csv")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not published.FONT.exists():
        pytest.skip(f"{published.FONT} missing: install fonts-wqy-microhei (./dev test does)")
    path = tmp_path_factory.mktemp("published")
    for name, write in published.WRITERS.items():
        write(path / f"guizhou.{name}")
    published.write_scanned_pdf(path / "scanned.pdf")
    return path


@pytest.fixture(scope="module")
def mapped(folder: Path, vocabulary: Vocabulary) -> dict[str, Mapped]:
    return {
        name: map_document(read_published(folder / f"guizhou.{name}"), vocabulary)
        for name in FORMATS
    }


def fields(result: Mapped) -> list[dict[str, str]]:
    return [
        {
            "list_type": d.list_type.code,
            "number": str(d.number),
            "name": d.name,
            "category": d.category,
            "description": d.description,
            "departments": d.departments,
            "basis": d.basis,
        }
        for d in result.duties
    ]


@pytest.mark.parametrize("name", FORMATS)
def test_every_format_gives_the_same_duties(mapped: dict[str, Mapped], name: str) -> None:
    expected = published.items()
    assert len(expected) == 9
    assert fields(mapped[name]) == expected


@pytest.mark.parametrize("name", FORMATS)
def test_lists_with_their_declared_counts(mapped: dict[str, Mapped], name: str) -> None:
    lists = [
        (item.list_type.code, item.count, item.declared) for item in mapped[name].builder.lists
    ]
    # The text notice prints the excluded heading without its count.
    excluded = None if name == "txt" else 2
    assert lists == [("self-governance", 3, 3), ("assistance", 4, 4), ("excluded", 2, excluded)]


@pytest.mark.parametrize(
    ("name", "location"),
    [
        ("docx", "table 2, row 6"),  # title row, header, items 1–2, repeated header, item 3
        ("xlsx", "sheet '协助政府工作事项', row 5"),
        ("html", "table 2, row 4"),
        ("pdf", "page 2, table 2, row 4"),
        ("txt", "lines 36–42"),  # the item, its labelled lines, continuations
    ],
)
def test_each_duty_knows_where_it_stands_in_the_original(
    mapped: dict[str, Mapped], name: str, location: str
) -> None:
    duty = next(d for d in mapped[name].duties if (d.list_type.code, d.number) == ("assistance", 3))
    assert duty.name == "协助申领发放居住证"
    assert duty.location == location


@pytest.mark.parametrize("name", ["docx", "html", "pdf", "txt"])
def test_metadata_printed_in_the_document(mapped: dict[str, Mapped], name: str) -> None:
    printed = read_metadata(mapped[name].lines)
    assert (printed.title, printed.document_number, printed.issuer, printed.date) == (
        published.TITLE,
        published.NUMBER,
        published.ISSUER,
        "2024-05-10",
    )


def test_word_merged_cells_repeated_header_and_carried_category(mapped: dict[str, Mapped]) -> None:
    inference = mapped["docx"].builder.inference
    assert inference.carried == [
        "table 2: category '社会治安' (merged cell expanded) on row 4",
        "table 2: category '社会治安' (blank cell, carried down) on row 6",
    ]
    assert "table 2, row 5: repeated header dropped" in inference.notes
    # The heading of the assistance list is a title row merged across the table (gridSpan).
    assert mapped["docx"].builder.lists[1].location == "table 2, row 1"
    assert "  '法律依据' → basis (header synonym)" in inference.mappings
    # Nothing dropped silently: the notice's body paragraph is reported, with the reason.
    assert [str(u) for u in inference.unplaced] == [
        f"paragraph 3: text outside the tables, not a list heading: {published.BODY}"
    ]


def test_excel_header_below_title_rows_one_list_per_sheet(mapped: dict[str, Mapped]) -> None:
    inference = mapped["xlsx"].builder.inference
    assert [m for m in inference.mappings if not m.startswith(" ")] == [
        "sheet '依法履行事项' (header sheet '依法履行事项', row 3):",
        "sheet '协助政府工作事项' (header sheet '协助政府工作事项', row 2):",
        "sheet '负面事项' (header sheet '负面事项', row 2):",
    ]
    assert inference.carried == [
        "sheet '协助政府工作事项': category '社会治安' (merged cell expanded) on row 4, row 5"
    ]
    assert inference.unplaced == []


def test_pdf_table_split_over_pages_repeats_its_header(mapped: dict[str, Mapped]) -> None:
    inference = mapped["pdf"].builder.inference
    tables = [m for m in inference.mappings if not m.startswith(" ")]
    assert tables == [
        "page 1, table 1 (header page 1, table 1, row 1):",
        "page 2, table 2 (header page 2, table 2, row 1):",
        "page 3, table 3 (header page 3, table 3, row 1):",
        "page 3, table 4 (header page 3, table 4, row 1):",
    ]
    assert inference.carried == [
        "page 2, table 2: category '社会治安' (merged cell expanded) on row 3, row 4"
    ]


def test_scanned_pdf_is_refused(folder: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"scanned\.pdf: has no text layer \(a scanned image"):
        read_published(folder / "scanned.pdf")


def test_unrecognised_header_is_refused_with_the_header_and_the_synonyms(
    tmp_path: Path, vocabulary: Vocabulary
) -> None:
    page = tmp_path / "odd.html"
    page.write_text(
        "<p>一、依法协助政府工作事项</p><table><tr><th>编码</th><th>工作</th><th>说明</th></tr>"
        "<tr><td>1</td><td>协助维护社会治安</td><td>无</td></tr></table>",
        encoding="utf-8",
    )
    with pytest.raises(UnrecognisedHeader) as error:
        map_document(read_published(page), vocabulary)
    message = str(error.value)
    assert message.startswith("table 1: header not recognised: 编码 | 工作 | 说明\n")
    assert "name: 事项名称/工作事务名称/主要工作事项/自治事项/具体内容/协助工作主要事项" in message
    assert "import-headers.csv" in message


def test_unknown_suffix_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFile, match=r"cannot import a \.doc file .*save.*as \.docx"):
        read_published(tmp_path / "old.doc")


def test_columns_mapped_by_content_when_the_header_does_not_say(vocabulary: Vocabulary) -> None:
    table = model.Table(
        "table 1",
        tuple(
            model.TableRow(tuple(model.Cell(t) for t in texts), f"table 1, row {n}")
            for n, texts in enumerate(
                [
                    ("", "事项名称", "", "备注"),
                    ("1", "协助维护社会治安。", "《中华人民共和国宪法》第一百一十一条", "公安局"),
                    (
                        "2",
                        "协助开展禁毒防范",
                        "《中华人民共和国禁毒法》第十七条",
                        "公安分局、禁毒办",
                    ),
                ],
                start=1,
            )
        ),
    )
    document = model.Document(
        "x.docx", "docx", [model.TextLine("二、依法协助政府工作事项", "paragraph 1"), table]
    )
    result = map_document(document, vocabulary)
    assert result.builder.inference.mappings == [
        "table 1 (header table 1, row 1):",
        "  '(column 1, no header)' → number (content: 100% of cells look like number)",
        "  '事项名称' → name (header synonym)",
        "  '(column 3, no header)' → basis (content: 100% of cells look like basis)",
        "  '备注' → remark (header synonym)",
    ]
    assert [(d.number, d.basis, d.description) for d in result.duties] == [
        (1, "《中华人民共和国宪法》第一百一十一条", "备注：公安局"),
        (2, "《中华人民共和国禁毒法》第十七条", "备注：公安分局、禁毒办"),
    ]


def test_doctests() -> None:
    for module in (
        imports,
        catalog,
        excel,
        headers,
        jurisdiction,
        mapper,
        metadata,
        model,
        numbered,
        webpage,
    ):
        failures, _ = doctest.testmod(module)
        assert failures == 0, module.__name__
