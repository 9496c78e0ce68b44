"""Issue 12, item 6: an XLSX catalog is read with a bound on its inflated size and its rows.

The case of the issue: a small file whose sheet XML expands to far more than any catalog (no
``<dimension>``, so openpyxl cannot know the size up front) used to be parsed for minutes at
gigabytes of memory. Here a real workbook (fixtures/example.xlsx) gets a duties sheet of
~66 MiB of repeated rows that deflates to well under 1 MiB; it is refused before openpyxl
opens it, with the file, the sheet and the limit named, and the other catalogs still build.
"""

from __future__ import annotations

import io
import shutil
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cdkg.loaders.build import BuildOptions, build
from cdkg.loaders.cells import SourceError
from cdkg.loaders.layout import project_paths
from cdkg.loaders.sources.template import XLSX_LIMITS, XlsxLimits, read_template

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE_XLSX = Path(__file__).resolve().parent / "fixtures" / "example.xlsx"
DUTIES_PART = "xl/worksheets/sheet2.xml"  # the fixture's sheet 'duties'
ROW = '<row><c t="inlineStr"><is><t>协助开展禁毒宣传</t></is></c></row>'  # r= is optional


def bomb(target: Path, rows: int = 900_000) -> Path:
    """``example.xlsx`` with its duties sheet replaced by ``rows`` rows and no <dimension>."""
    with (
        zipfile.ZipFile(EXAMPLE_XLSX) as source,
        zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        for info in source.infolist():
            if info.filename != DUTIES_PART:
                out.writestr(info, source.read(info))
                continue
            with out.open(DUTIES_PART, "w") as sheet:
                sheet.write(
                    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns='
                    b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                )
                block = (ROW * 10_000).encode("utf-8")
                for _ in range(rows // 10_000):
                    sheet.write(block)
                sheet.write(b"</sheetData></worksheet>")
    return target


@pytest.fixture(scope="module")
def bomb_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = bomb(tmp_path_factory.mktemp("bomb") / "bomb.xlsx")
    with zipfile.ZipFile(path) as archive:
        part = archive.getinfo(DUTIES_PART)
    assert part.file_size > 60 * 2**20 and path.stat().st_size < 2**20
    return path


def refusal(path: Path, limits: XlsxLimits = XLSX_LIMITS) -> tuple[str, float]:
    started = time.perf_counter()
    with pytest.raises(SourceError) as raised:
        read_template(path, path.name, limits)
    return str(raised.value), time.perf_counter() - started


def test_an_xlsx_that_expands_beyond_the_bound_is_refused_unread(bomb_file: Path) -> None:
    message, seconds = refusal(bomb_file)
    assert message.startswith("bomb.xlsx:0: the workbook expands to ")
    assert f"sheet 'duties' ({DUTIES_PART})" in message
    assert "over the limit of 32.0 MiB" in message
    assert seconds < 1.0


def test_the_ratio_guard_names_the_sheet_and_its_limit(bomb_file: Path) -> None:
    message, seconds = refusal(bomb_file, XlsxLimits(uncompressed_bytes=2**40))
    assert message.startswith(f"bomb.xlsx:0: sheet 'duties' ({DUTIES_PART}) expands ")
    assert "over the limit of 100 times" in message
    assert seconds < 1.0


def test_a_sheet_over_the_row_bound_is_refused_at_the_row_after_it(tmp_path: Path) -> None:
    workbook = load_workbook(EXAMPLE_XLSX)
    duties = workbook["duties"]
    for n in range(1, 31):
        duties.append(["assistance", 100 + n, f"协助事项 {n}"])
    path = tmp_path / "long.xlsx"
    workbook.save(path)
    limit = duties.max_row - 1
    message, _ = refusal(path, XlsxLimits(rows=limit))
    assert message == (
        f"long.xlsx:{limit + 1}: sheet 'duties' has more than {limit} rows, the limit for an "
        "XLSX catalog (XlsxLimits.rows); split the catalog"
    )
    catalog, result = read_template(path, path.name, XlsxLimits(rows=duties.max_row))
    assert catalog.key == "example" and len(result.duties) == 9 + 30


def test_the_build_reports_the_bomb_and_builds_the_other_catalogs(
    bomb_file: Path, tmp_path: Path
) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    shutil.copytree(ROOT / "ontology", tmp_path / "ontology")
    catalogs = tmp_path / "data" / "catalogs"
    shutil.copy(bomb_file, catalogs / "bomb.xlsx")
    shutil.copy(EXAMPLE_XLSX, catalogs / "example.xlsx")
    started = time.perf_counter()
    result = build(
        project_paths(tmp_path, tmp_path / "build"),
        BuildOptions(reason=False, validate_shapes=False, publish_dataset=False),
        io.StringIO(),
    )
    assert time.perf_counter() - started < 60
    errors = result.report.errors()
    assert [e for e in errors if "bomb.xlsx" in e] == [
        "data/catalogs/bomb.xlsx:0: error: the workbook expands to 61.8 MiB (sheet 'duties' "
        f"({DUTIES_PART}) alone 61.8 MiB), over the limit of 32.0 MiB for an XLSX catalog "
        "(XlsxLimits.uncompressed_bytes); split the catalog or save it as CSV"
    ]
    rows = {(r[0], r[1]): r[-1] for r in result.report.rows()}
    assert rows[("example", "assistance")] == "ok"
    assert rows[("chongqing", "assistance")] == "ok"
