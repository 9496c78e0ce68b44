"""`cdkg export`: the duty table as CSV/XLSX read back, and the RDF dumps parsed back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from openpyxl import load_workbook
from reports_data import CHONGQING_6, CHONGQING_6_LABEL, DUTIES, ID

from cdkg.cli import main
from cdkg.loaders.layout import ProjectPaths
from cdkg.server.reports.duties import duty_table
from cdkg.server.reports.exports import HEADER, SEPARATOR
from cdkg.server.store.engines import OxigraphStore

# The real row of data/raw/chongqing.txt line 97, as the export writes it.
CHONGQING_6_ROW = {
    "地区 jurisdiction": "重庆市",
    "清单 catalog": "关于印发《基层群众性自治组织依法协助政府工作事项细化清单》的通知",
    "清单类型 list type": "依法协助事项",
    "序号 number": "6",
    "事项名称 name": CHONGQING_6_LABEL,
    "主题 topics": "禁毒",
    "部门 departments": "公安部门",
    "部门领域 sectors": "公安",
    "法律文件 legal documents": "中华人民共和国禁毒法；重庆市禁毒条例",
    "条款 articles": "《中华人民共和国禁毒法》第17条；《中华人民共和国禁毒法》第19条；"
    "《重庆市禁毒条例》第9条",
    "依据原文 citation text": "《中华人民共和国禁毒法》第十七条、第十九条\n"
    "《重庆市禁毒条例》第九条",
    "来源文件 source file": "chongqing.txt",
    "行号 line": "97",
    "IRI": CHONGQING_6,
}


def export(built: ProjectPaths, *args: str) -> int:
    return main(["--build-dir", str(built.build), "export", *args])


@pytest.fixture(scope="module")
def csv_bytes(built: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("export") / "duties.csv"
    assert export(built, "--format", "csv", "--output", str(path)) == 0
    return path.read_bytes()


def test_csv_has_a_bom_and_one_row_per_duty(csv_bytes: bytes) -> None:
    assert csv_bytes.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM, so Excel reads the Chinese"
    rows = list(csv.DictReader(io.StringIO(csv_bytes.decode("utf-8-sig"), newline="")))
    assert len(rows) == DUTIES
    assert tuple(rows[0]) == HEADER
    assert len({row["IRI"] for row in rows}) == DUTIES
    [row] = [r for r in rows if r["IRI"] == CHONGQING_6]
    assert {k: row[k] for k in CHONGQING_6_ROW} == CHONGQING_6_ROW
    by_jurisdiction: dict[str, int] = {}
    for r in rows:
        by_jurisdiction[r["地区 jurisdiction"]] = by_jurisdiction.get(r["地区 jurisdiction"], 0) + 1
    assert by_jurisdiction == {
        "长治市": 66,
        "重庆市": 27,
        "宁夏回族自治区某城区（名称未印出）": 46,
        "四川省": 59,
        "天津市": 12,
    }


def test_csv_to_standard_output(
    built: ProjectPaths, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert export(built, "--format", "csv") == 0
    out = capsysbinary.readouterr().out
    assert out.startswith(b"\xef\xbb\xbf") and out.count(b"\r\n") >= DUTIES + 1
    assert CHONGQING_6_LABEL.encode("utf-8") in out


def test_xlsx_read_back(built: ProjectPaths, tmp_path: Path) -> None:
    path = tmp_path / "duties.xlsx"
    assert export(built, "--format", "xlsx", "--output", str(path)) == 0
    book = load_workbook(path)
    sheet = book["事项 duties"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == HEADER and len(rows) == DUTIES + 1
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["E"].width >= 30  # 事项名称: long Chinese names
    header = list(HEADER)
    [row] = [r for r in rows[1:] if r[header.index("IRI")] == CHONGQING_6]
    values = {name: row[i] for i, name in enumerate(header)}
    expected = {**CHONGQING_6_ROW, "序号 number": 6, "行号 line": 97}
    assert {k: values[k] for k in expected} == expected
    # Numbers are numeric cells, so a spreadsheet sorts 序号 2 before 10 (issue 17).
    number = sheet.cell(row=rows.index(row) + 1, column=header.index("序号 number") + 1)
    assert number.data_type == "n"
    assert sorted({r[header.index("序号 number")] for r in rows[1:]})[:3] == [1, 2, 3]
    assert book["说明 about"]["B4"].value == SEPARATOR


def test_xlsx_is_not_written_to_a_terminal(
    built: ProjectPaths, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert export(built, "--format", "xlsx") == 2


def test_multi_valued_cells_never_contain_the_separator(dataset: Path) -> None:
    """The separator is safe: no label of a multi-valued field contains "；"."""
    for duty in duty_table(OxigraphStore.from_file(dataset)):
        for name in ("category", "topic", "department", "sector", "document", "article"):
            assert not any(SEPARATOR in label for label in duty.labels(name)), (duty.iri, name)


def _quads(data: bytes, fmt: ox.RdfFormat) -> set[ox.Quad]:
    return set(ox.parse(data, format=fmt))


def test_nq_is_the_built_dataset(
    built: ProjectPaths, dataset: Path, capsysbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert export(built, "--format", "nq") == 0
    assert capsysbinary.readouterr().out == dataset.read_bytes()


def test_ttl_is_the_union_of_the_graphs(built: ProjectPaths, dataset: Path, tmp_path: Path) -> None:
    path = tmp_path / "cdkg.ttl"
    assert export(built, "--format", "ttl", "--output", str(path)) == 0
    text = path.read_text(encoding="utf-8")
    assert "@prefix cd: <https://w3id.org/cdkg/ontology#> ." in text
    triples = {q.triple for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)}
    union = {q.triple for q in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS)}
    assert len(triples) == len(union)
    assert (
        ox.Triple(
            ox.NamedNode(CHONGQING_6),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal(CHONGQING_6_LABEL, language="zh"),
        )
        in triples
    )


def test_jsonld_keeps_graphs_and_uses_the_prefixes(
    built: ProjectPaths, dataset: Path, tmp_path: Path
) -> None:
    path = tmp_path / "cdkg.jsonld"
    assert export(built, "--format", "jsonld", "--output", str(path)) == 0
    document = json.loads(path.read_text(encoding="utf-8"))
    assert document["@context"]["cd"] == "https://w3id.org/cdkg/ontology#"
    graphs = {g["@id"] for g in document["@graph"] if "@graph" in g}
    assert f"{ID}graph/chongqing" in graphs and "https://w3id.org/cdkg/ontology" in graphs
    parsed = _quads(path.read_bytes(), ox.RdfFormat.JSON_LD)
    assert len(parsed) == len(_quads(dataset.read_bytes(), ox.RdfFormat.N_QUADS))
