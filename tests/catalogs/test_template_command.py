"""`cdkg template`: the empty template it writes reads back once filled in (two duties)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cdkg.cli import main
from cdkg.loaders.cells import SourceError
from cdkg.loaders.sources.template import DUTY_COLUMNS, METADATA_FIELDS, read_template

METADATA = {
    "key": "filled",
    "title": "关于印发《某区社区工作事项清单》的通知",
    "jurisdiction_code": "510104",
    "jurisdiction_name": "锦江区",
    "jurisdiction_name_en": "Jinjiang District",
    "jurisdiction_level": "district",
    "part_of_code": "510100",
    "document_number": "",
    "issuer": "某区民政局",
    "date": "2023",
    "list_types": "assistance=2",
    "source_note": "",
}
DUTIES = [
    [
        "assistance",
        "1",
        "协助维护社会治安。",
        "社会治安",
        "",
        "公安分局",
        "《中华人民共和国宪法》第一百一十一条",
    ],
    ["assistance", "2", "协助开展禁毒宣传", "", "", "公安分局；禁毒办", ""],
]


def check_filled(path: Path) -> None:
    catalog, result = read_template(path)
    assert (catalog.key, catalog.jurisdiction_code, catalog.part_of_code) == (
        "filled",
        "510104",
        "510100",
    )
    assert (catalog.issuer, catalog.date, catalog.document_number) == ("某区民政局", "2023", "")
    assert result.problems == []
    assert [(d.number, d.name, d.departments) for d in result.duties] == [
        ("1", "协助维护社会治安。", ["公安分局"]),
        ("2", "协助开展禁毒宣传", ["公安分局；禁毒办"]),
    ]


def test_csv_template_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "filled.csv"
    assert main(["template", "--output", str(path)]) == 0
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # so that Excel shows the Chinese
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["field", "value", "hint"]
    assert [r[0] for r in rows[1 : len(METADATA_FIELDS) + 1]] == [f.name for f in METADATA_FIELDS]
    assert all(r[1] == "" and r[2] for r in rows[1 : len(METADATA_FIELDS) + 1])
    assert rows[-2:] == [[], list(DUTY_COLUMNS)]
    # The empty template is not a catalog yet: its first empty required value is the error.
    with pytest.raises(SourceError, match=r"filled.csv:2: column 'value': metadata field 'key'"):
        read_template(path)
    for row in rows[1 : len(METADATA_FIELDS) + 1]:
        row[1] = METADATA[row[0]]
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([*rows, *DUTIES])
    check_filled(path)


def test_xlsx_template_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "filled.xlsx"
    assert main(["template", "--output", str(path)]) == 0  # format from the suffix
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["catalog", "duties", "help"]
    assert workbook["help"].protection.sheet
    validations = {
        str(v.sqref): v.formula1 for s in workbook for v in s.data_validations.dataValidation
    }
    assert (
        validations["A2:A5000"]
        == '"'
        + ",".join(
            (
                "self-governance",
                "assistance",
                "supervision",
                "certification",
                "cancelled",
                "excluded",
            )
        )
        + '"'
    )
    assert '"province,municipality,city,district,township"' in validations.values()
    catalog = workbook["catalog"]
    for row in catalog.iter_rows(min_row=2):
        row[1].value = METADATA[str(row[0].value)]
    for duty in DUTIES:
        workbook["duties"].append([int(duty[1]) if i == 1 else v for i, v in enumerate(duty)])
    workbook.save(path)
    check_filled(path)


def test_template_to_standard_output(capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    assert main(["template", "--format", "csv"]) == 0
    out = capsysbinary.readouterr().out
    assert out.decode("utf-8-sig").splitlines()[-1] == ",".join(DUTY_COLUMNS)


def test_existing_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "mine.csv"
    path.write_text("a filled-in catalog", encoding="utf-8")
    assert main(["template", "--output", str(path)]) == 2
    assert path.read_text(encoding="utf-8") == "a filled-in catalog"
    assert main(["template", "--output", str(path), "--force"]) == 0
    assert path.read_text(encoding="utf-8-sig").startswith("field,value,hint")
