"""Issue 12, item 5: catalog text that looks like a formula is exported as text.

A template catalog (fixtures/catalogs/formulas.csv) names a duty
``=HYPERLINK("http://127.0.0.1/x","点击")``; it is built with the real build into a temporary
copy of the project, then ``cdkg export --format xlsx|csv`` is read back: the workbook holds a
string cell (openpyxl's ``data_type`` "s"), never a formula, and the CSV cell starts with an
apostrophe; the value stays readable and numbers stay numbers.
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from reports_data import ROOT

from cdkg.cli import main
from cdkg.loaders.build import BuildOptions, build
from cdkg.loaders.layout import project_paths
from cdkg.server.reports.exports import HEADER

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "catalogs" / "formulas.csv"
HYPERLINK = '=HYPERLINK("http://127.0.0.1/x","点击")'
PLUS = "+86 协助开展禁毒防范和社区戒毒。"
DUTY_1 = "https://w3id.org/cdkg/id/duty/formulas/assistance/1"
DUTY_2 = "https://w3id.org/cdkg/id/duty/formulas/assistance/2"
NAME, NUMBER, LINE = "事项名称 name", "序号 number", "行号 line"


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("formulas")
    shutil.copytree(ROOT / "data", root / "data")
    shutil.copytree(ROOT / "ontology", root / "ontology")
    shutil.copy(FIXTURE, root / "data" / "catalogs" / FIXTURE.name)
    paths = project_paths(root, root / "build")
    result = build(paths, BuildOptions(validate_shapes=False), io.StringIO())
    assert result.published is not None, result.report.errors()
    return paths.current / "dataset.nq"


def export(dataset: Path, fmt: str, output: Path) -> Path:
    args = ["export", "--dataset", str(dataset), "--format", fmt, "--output", str(output)]
    assert main(args) == 0
    return output


def test_xlsx_formula_text_is_a_string_cell(dataset: Path, tmp_path: Path) -> None:
    book = load_workbook(export(dataset, "xlsx", tmp_path / "duties.xlsx"))
    sheet = book["事项 duties"]
    header = [cell.value for cell in sheet[1]]
    assert tuple(header) == HEADER
    rows = {row[header.index("IRI")].value: row for row in sheet.iter_rows(min_row=2)}
    name = rows[DUTY_1][header.index(NAME)]
    assert (name.value, name.data_type) == (HYPERLINK, "s")
    plus = rows[DUTY_2][header.index(NAME)]
    assert (plus.value, plus.data_type) == (PLUS, "s")
    line = rows[DUTY_2][header.index(LINE)]
    assert (line.value, line.data_type) == (16, "n")
    assert not [c.coordinate for row in sheet.iter_rows() for c in row if c.data_type == "f"]


def test_csv_formula_text_starts_with_an_apostrophe(dataset: Path, tmp_path: Path) -> None:
    text = export(dataset, "csv", tmp_path / "duties.csv").read_bytes().decode("utf-8-sig")
    rows = {row["IRI"]: row for row in csv.DictReader(io.StringIO(text, newline=""))}
    assert rows[DUTY_1][NAME] == "'" + HYPERLINK
    assert rows[DUTY_2][NAME] == "'" + PLUS
    assert rows[DUTY_2][NUMBER] == "2"
    assert rows[DUTY_2][LINE] == "16"
    assert "\r\n=" not in text and ",=" not in text and ',"=' not in text
