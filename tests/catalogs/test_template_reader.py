"""The catalog template reader (cdkg.loaders.sources.template) on the CSV and XLSX fixtures,
field by field, and every way a filled-in template can be wrong: each message names the file,
the line (CSV line or XLSX row) and the column."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cdkg.loaders.cells import SourceError
from cdkg.loaders.records import ListType
from cdkg.loaders.registers import load_jurisdictions
from cdkg.loaders.sources.template import (
    TemplateCatalog,
    read_template,
    read_template_folder,
)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLE_CSV = FIXTURES / "example.csv"
EXAMPLE_XLSX = FIXTURES / "example.xlsx"
JURISDICTIONS = load_jurisdictions(ROOT / "data" / "registers" / "jurisdictions.csv")


def csv_lines() -> list[str]:
    return EXAMPLE_CSV.read_text(encoding="utf-8").split("\n")


def write_csv(folder: Path, lines: list[str], name: str = "example.csv") -> Path:
    path = folder / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def replace_line(lines: list[str], start: str, new: str) -> list[str]:
    """The fixture's lines with the (one) line starting with ``start`` replaced."""
    matches = [i for i, line in enumerate(lines) if line.startswith(start)]
    assert len(matches) == 1, start
    return [*lines[: matches[0]], new, *lines[matches[0] + 1 :]]


def messages(path: Path) -> list[str]:
    return [str(p) for p in read_template(path, path.name)[1].problems]


# --- the fixtures, field by field ----------------------------------------------------------


def check_metadata(catalog: TemplateCatalog, first_line: int = 1) -> None:
    assert catalog.key == "example"
    assert catalog.title == "关于印发《示例市城乡社区工作事项清单》的通知"
    assert catalog.jurisdiction_code == "519900"
    assert catalog.jurisdiction_name == "示例市"
    assert catalog.jurisdiction_name_en == "Example City"
    assert catalog.jurisdiction_level == "city"
    assert catalog.part_of_code == "510000"
    assert catalog.document_number == "示民发〔2024〕3号"
    assert catalog.issuer == "示例市民政局"
    assert catalog.date == "2024-05"
    assert catalog.list_types == (
        (ListType.SELF_GOVERNANCE, 3),
        (ListType.ASSISTANCE, 4),
        (ListType.EXCLUDED, 2),
    )
    assert catalog.source_note.startswith("Test fixture, not a real catalog")
    assert catalog.lines["key"] == first_line
    assert catalog.lines["list_types"] == first_line + 10


@pytest.mark.parametrize("path", [EXAMPLE_CSV, EXAMPLE_XLSX], ids=["csv", "xlsx"])
def test_fixture_metadata(path: Path) -> None:
    catalog, _ = read_template(path)
    check_metadata(catalog)
    entry = catalog.catalog_entry(path.name)
    assert (entry.key, entry.file, entry.layout, entry.jurisdiction) == (
        "example",
        path.name,
        "template",
        "519900",
    )
    assert entry.expected() == {"self-governance": 3, "assistance": 4, "excluded": 2}
    jurisdiction = catalog.jurisdiction()
    assert (jurisdiction.key, jurisdiction.level, jurisdiction.part_of) == (
        "519900",
        "city",
        "510000",
    )


@pytest.mark.parametrize(
    ("path", "first_line"), [(EXAMPLE_CSV, 15), (EXAMPLE_XLSX, 2)], ids=["csv", "xlsx"]
)
def test_fixture_duties(path: Path, first_line: int) -> None:
    _, result = read_template(path, "example")
    assert result.problems == []
    assert [(d.list_type.code, d.number) for d in result.duties] == [
        ("self-governance", "1"),
        ("self-governance", "2"),
        ("self-governance", "3"),
        ("assistance", "1"),
        ("assistance", "2"),
        ("assistance", "3"),
        ("assistance", "4"),
        ("excluded", "1"),
        ("excluded", "2"),
    ]
    first = result.duties[0]
    assert first.catalog == "example"
    assert first.line == first_line
    assert first.name == "加强党建引领基层治理"
    assert first.category == "党的建设"
    assert first.description.startswith("宣传和贯彻落实党的理论和路线方针政策")
    assert first.departments == ["组织部、社会工作部"]
    assert first.citation_text == "《中国共产党章程》；《中国共产党支部工作条例（试行）》"
    residence = result.duties[5]
    assert residence.name == "协助申领发放居住证"
    assert residence.description.split("\n") == [
        "1.协助开展《居住证暂行条例》、《重庆市居住证实施办法》等法律法规及政策的宣传教育等。",
        "2.协助做好居住证的申领受理、发放工作。",
    ]
    assert residence.citation_cells == [
        "《居住证暂行条例》第七条、第八条\n《重庆市居住证实施办法》第五条"
    ]
    excluded = result.duties[-1]
    assert (excluded.name, excluded.category, excluded.citation_cells) == (
        "拆迁拆违类",
        "拆迁拆违类",
        [],
    )
    sections = [(s.list_type.code, s.declared, s.heading_line) for s in result.sections]
    assert sections == [("self-governance", 3, 11), ("assistance", 4, 11), ("excluded", 2, 11)]


def test_csv_provenance_spans_quoted_lines() -> None:
    """A quoted cell with line breaks: the duty keeps its first line and all its lines, and
    its verbatim source text is those lines."""
    _, result = read_template(EXAMPLE_CSV)
    residence = result.duties[5]
    assert (residence.line, residence.lines) == (21, [21, 22, 23])
    assert residence.source_text == "\n".join(csv_lines()[20:23])


def test_bom_crlf_and_hint_column_are_accepted(tmp_path: Path) -> None:
    lines = ["field,value,hint", *csv_lines()]
    lines[1] = "key,example,小写字母 / lowercase"
    path = tmp_path / "example.csv"
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8"))
    catalog, result = read_template(path)
    check_metadata(catalog, first_line=2)
    assert len(result.duties) == 9 and result.problems == []


# --- row errors: file, line and column -------------------------------------------------------


def test_unknown_list_type(tmp_path: Path) -> None:
    lines = replace_line(csv_lines(), "assistance,1,", "assistence,1,协助维护社会治安。,,,公安局,")
    path = write_csv(tmp_path, lines)
    line = lines.index("assistence,1,协助维护社会治安。,,,公安局,") + 1
    assert messages(path) == [
        f"example.csv:{line}: error: column 'list_type': unknown list type 'assistence'; "
        "use one of self-governance, assistance, supervision, certification, cancelled, "
        "excluded",
        f"example.csv:{line + 1}: error: column 'number': assistance item 1 missing before item 2",
    ]


@pytest.mark.parametrize(
    ("row", "column_message"),
    [
        (",2,协助开展禁毒防范和社区戒毒。,,,,", "column 'list_type': empty"),
        ("assistance,,协助开展禁毒防范和社区戒毒。,,,,", "column 'number': empty item number"),
        ("assistance,2a,协助开展禁毒防范和社区戒毒。,,,,", "column 'number': item number '2a'"),
        ("assistance,2,,,,,", "column 'name': empty duty name"),
        ("assistance,2,协助开展禁毒防范和社区戒毒。,,,,,x", "column '8': a cell outside"),
    ],
)
def test_row_errors_name_line_and_column(tmp_path: Path, row: str, column_message: str) -> None:
    lines = replace_line(csv_lines(), "assistance,2,", row)
    found = messages(write_csv(tmp_path, lines))
    assert any(m.startswith(f"example.csv:20: error: {column_message}") for m in found), found


def test_list_type_not_declared(tmp_path: Path) -> None:
    lines = [*csv_lines(), "supervision,1,监督物业服务,,,住房城乡建设局,"]
    found = messages(write_csv(tmp_path, lines))
    assert found == [
        f"example.csv:{len(lines)}: error: column 'list_type': 'supervision' is not declared "
        "in list_types (line 11)"
    ]


def test_duplicate_and_missing_numbers(tmp_path: Path) -> None:
    lines = replace_line(csv_lines(), "assistance,4,", "assistance,3,协助做好噪声环保工作,,,,")
    lines = replace_line(lines, "excluded,1,", "excluded,3,行政执法类,,,,")
    found = messages(write_csv(tmp_path, lines))
    assert found == [
        "example.csv:24: error: column 'number': duplicate assistance item 3 (first on line 21)",
        "example.csv:26: error: column 'number': excluded item 1 missing before item 2",
    ]


def test_xlsx_row_error_names_sheet_row_and_column(tmp_path: Path) -> None:
    workbook = load_workbook(EXAMPLE_XLSX)
    workbook["duties"]["A4"] = "assistence"
    path = tmp_path / "example.xlsx"
    workbook.save(path)
    found = messages(path)
    assert found[0].startswith(
        "example.xlsx:4: error: sheet 'duties', column 'list_type': unknown list type"
    )


# --- file errors: SourceError ------------------------------------------------------------------


def source_error(path: Path) -> str:
    with pytest.raises(SourceError) as caught:
        read_template(path, path.name)
    return str(caught.value)


@pytest.mark.parametrize(
    ("start", "new", "expected"),
    [
        (
            "issuer,",
            "",
            "example.csv:1: column 'field': metadata field 'issuer' is missing",
        ),
        (
            "issuer,",
            "issued_by,示例市民政局",
            "example.csv:9: column 'field': unknown metadata field 'issued_by'",
        ),
        ("date,", "date,2024/05", "example.csv:10: column 'value': date '2024/05' is no date"),
        (
            "jurisdiction_code,",
            "jurisdiction_code,5199",
            "example.csv:3: column 'value': jurisdiction_code '5199' is no code",
        ),
        (
            "key,",
            "key,示例",
            "example.csv:1: column 'value': key '示例' is not a valid key",
        ),
        (
            "list_types,",
            "list_types,assistance=4; excluded=2",
            "example.csv:11: column 'value': list_types 'assistance=4; excluded=2' is not",
        ),
        (
            "jurisdiction_level,",
            "jurisdiction_level,county",
            "example.csv:6: column 'value': jurisdiction_level 'county' is no level",
        ),
        (
            "title,",
            "title,",
            "example.csv:2: column 'value': metadata field 'title' is empty",
        ),
        (
            "list_type,number",
            "list_type,number,name,category,remarks,departments,basis",
            "example.csv:14: column 'remarks': unknown column in the duty table header",
        ),
        (
            "list_type,number",
            "list_type,number,name,category,description,departments",
            "example.csv:14: column 'basis': missing from the duty table header",
        ),
    ],
    ids=[
        "blank-row-inside-metadata",
        "unknown-field",
        "bad-date",
        "bad-code",
        "bad-key",
        "bad-list-types",
        "bad-level",
        "empty-title",
        "unknown-column",
        "missing-column",
    ],
)
def test_file_errors(tmp_path: Path, start: str, new: str, expected: str) -> None:
    message = source_error(write_csv(tmp_path, replace_line(csv_lines(), start, new)))
    assert message.startswith(expected), message


def test_missing_metadata_field(tmp_path: Path) -> None:
    lines = [line for line in csv_lines() if not line.startswith("issuer,")]
    message = source_error(write_csv(tmp_path, lines))
    assert message == (
        "example.csv:1: column 'field': metadata field 'issuer' is missing "
        "(every field needs its row)"
    )


def test_blank_rows_between_metadata_rows(tmp_path: Path) -> None:
    lines = csv_lines()
    catalog, result = read_template(write_csv(tmp_path, [*lines[:5], "", ",", *lines[5:]]))
    assert catalog.issuer == "示例市民政局" and catalog.lines["issuer"] == 11
    assert len(result.duties) == 9 and result.problems == []


def test_optional_metadata_rows_may_be_left_out(tmp_path: Path) -> None:
    lines = [
        line
        for line in csv_lines()
        if not line.startswith(("source_note,", "jurisdiction_name_en"))
    ]
    catalog, result = read_template(write_csv(tmp_path, lines))
    assert (catalog.source_note, catalog.jurisdiction_name_en) == ("", "")
    assert catalog.jurisdiction().name_en == "Jurisdiction 519900"
    assert len(result.duties) == 9


def test_another_encoding_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "example.csv"
    path.write_bytes(EXAMPLE_CSV.read_text(encoding="utf-8").encode("gb18030"))
    assert source_error(path) == (
        "example.csv:2: column 'value': not UTF-8 (byte 0xb9); "
        "re-save the file as UTF-8 (Excel: 'CSV UTF-8')"
    )


def test_gbk_in_a_duty_row_names_its_column(tmp_path: Path) -> None:
    lines = csv_lines()
    data = "\n".join(lines[:19]).encode("utf-8") + b"\n"
    data += "assistance,1,协助维护社会治安。,社会治安,,公安局,".encode("gb18030")
    path = tmp_path / "example.csv"
    path.write_bytes(data)
    assert source_error(path).startswith("example.csv:20: column 'name': not UTF-8")


def test_xlsx_without_duties_sheet(tmp_path: Path) -> None:
    workbook = load_workbook(EXAMPLE_XLSX)
    workbook["duties"].title = "items"
    path = tmp_path / "example.xlsx"
    workbook.save(path)
    assert source_error(path).startswith("example.xlsx:0: sheet 'duties' not found")


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "example.xlsx"
    path.write_bytes(EXAMPLE_CSV.read_bytes())
    assert source_error(path).startswith("example.xlsx:0: not an XLSX workbook")


# --- the folder: keys and jurisdictions ------------------------------------------------------


def folder_problems(folder: Path, taken: tuple[str, ...] = ()) -> dict[str, list[str]]:
    result = read_template_folder(folder, JURISDICTIONS, taken, root=folder)
    return {load.path.name: [str(p) for p in load.result.problems] for load in result.loads}


def test_folder_adds_jurisdictions_in_part_of_order(tmp_path: Path) -> None:
    """A district whose parent is another template's city (read later by name) is accepted."""
    shutil.copy(EXAMPLE_CSV, tmp_path / "example.csv")
    lines = replace_line(csv_lines(), "key,", "key,a-district")
    lines = replace_line(lines, "jurisdiction_code,", "jurisdiction_code,519901")
    lines = replace_line(lines, "jurisdiction_level,", "jurisdiction_level,district")
    lines = replace_line(lines, "part_of_code,", "part_of_code,519900")
    write_csv(tmp_path, lines, "a-district.csv")
    folder = read_template_folder(tmp_path, JURISDICTIONS, root=tmp_path)
    assert [load.entry.key for load in folder.loads] == ["a-district", "example"]
    assert all(load.result.problems == [] for load in folder.loads)
    assert {code: j.part_of for code, j in folder.jurisdictions.items()} == {
        "519900": "510000",
        "519901": "519900",
    }
    assert "519900" not in JURISDICTIONS  # the register itself is never changed


def test_unknown_part_of_code(tmp_path: Path) -> None:
    """Issue 14: a parent nothing knows never breaks the catalog; its jurisdiction is
    provisional, under its province (the code's first two digits), for review."""
    write_csv(tmp_path, replace_line(csv_lines(), "part_of_code,", "part_of_code,519800"))
    folder = read_template_folder(tmp_path, JURISDICTIONS, root=tmp_path)
    assert [str(p) for load in folder.loads for p in load.result.problems] == []
    placed = folder.jurisdictions["519900"]
    assert (placed.part_of, placed.provisional, placed.line) == ("510000", True, 3)


def test_key_must_be_the_file_stem_and_unused(tmp_path: Path) -> None:
    write_csv(tmp_path, csv_lines(), "other.csv")
    write_csv(tmp_path, replace_line(csv_lines(), "key,", "key,chongqing"), "chongqing.csv")
    assert folder_problems(tmp_path, ("chongqing",)) == {
        "chongqing.csv": [
            "chongqing.csv:1: error: column 'value': key 'chongqing' is already a catalog's key"
        ],
        "other.csv": [
            "other.csv:1: error: column 'value': key 'example' is not the file name's stem 'other'"
        ],
    }


def test_same_code_declared_differently(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_CSV, tmp_path / "example.csv")
    lines = replace_line(csv_lines(), "key,", "key,second")
    write_csv(
        tmp_path,
        replace_line(lines, "jurisdiction_name,", "jurisdiction_name,样例市"),
        "second.csv",
    )
    problems = folder_problems(tmp_path)
    assert problems["example.csv"] == []
    assert problems["second.csv"] == [
        "second.csv:3: error: column 'value': jurisdiction 519900 is declared differently in "
        "example.csv"
    ]


def test_register_jurisdiction_is_used_with_a_warning(tmp_path: Path) -> None:
    lines = replace_line(csv_lines(), "jurisdiction_code,", "jurisdiction_code,500000")
    lines = replace_line(lines, "jurisdiction_name,", "jurisdiction_name,重庆")
    write_csv(tmp_path, lines)
    folder = read_template_folder(tmp_path, JURISDICTIONS, root=tmp_path)
    assert folder.jurisdictions == {}
    (load,) = folder.loads
    assert load.entry.jurisdiction == "500000"
    warnings = [str(p) for p in load.result.problems]
    assert warnings[0] == (
        "example.csv:4: warning: column 'value': jurisdiction_name '重庆' differs from "
        "'重庆市' in data/registers/jurisdictions.csv, which is used"
    )
    assert all(p.severity == "warning" for p in load.result.problems)


def test_lock_files_and_other_files_are_not_templates(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE_CSV, tmp_path / "example.csv")
    (tmp_path / "~$example.xlsx").write_bytes(b"lock")
    (tmp_path / "README.md").write_text("notes", encoding="utf-8")
    assert list(folder_problems(tmp_path)) == ["example.csv"]
