"""``cdkg template``: write an empty catalog template to fill in (CSV or XLSX).

Fill in the value of every metadata field and one row per duty, save the file as
data/catalogs/<key>.csv (or .xlsx), and ``cdkg build`` reads it like the seed catalogs. The
format is described in data/catalogs/README.md. The CSV's third column and the XLSX's "help"
sheet are hints only; the reader ignores them.

The format follows --format, else the --output file's suffix, else CSV. Without --output the
template goes to standard output (XLSX only when that is not a terminal). An existing file is
not overwritten without --force: it may be a catalog someone has filled in.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

from cdkg.loaders.sources.template import (
    CATALOG_SHEET,
    DUTIES_SHEET,
    DUTY_COLUMNS,
    HELP_SHEET,
    LEVELS,
    LIST_TYPES,
    METADATA_FIELDS,
    METADATA_HEADER,
    MetadataField,
)

from .common import EXIT_OK, EXIT_USAGE

FORMATS = ("csv", "xlsx")
# The rows of the duty table an XLSX template offers the list_type drop-down on.
VALIDATED_ROWS = 5000

LIST_TYPE_HELP = {
    "self-governance": (
        "依法履行／依法自治事项：居（村）民委员会依法自行承担的工作",
        "duties the committee performs itself by law",
    ),
    "assistance": ("依法协助政府工作事项", "duties it assists the government with by law"),
    "supervision": ("监督事项", "matters it supervises"),
    "certification": ("出具证明事项", "certificates it issues"),
    "cancelled": ("取消事项：不再由社区承担", "duties cancelled: no longer the community's"),
    "excluded": ("负面／不得承担事项", "work that may never be put on the community"),
}
DUTY_COLUMN_HELP = {
    "list_type": ("清单类型，取值见下", "list type, one of the values below"),
    "number": ("清单内序号，每类清单从 1 起连续编号", "item number, 1..N within each list type"),
    "name": ("事项名称，照原文", "the duty's name as printed"),
    "category": ("清单自身的类别／分类（可空）", "the catalog's own grouping (optional)"),
    "description": ("具体内容（可空）", "what the duty involves (optional)"),
    "departments": (
        "主管／指导部门，多个用“、”或“；”分隔（可空）",
        "responsible departments, separated by 、 or ；(optional)",
    ),
    "basis": (
        "依据原文，多个依据用“；”或换行分隔（可空）",
        "the legal basis as printed; several separated by ； or line breaks (optional)",
    ),
}


NAME = "template"
SUMMARY = "write an empty catalog template (CSV or XLSX) to fill in"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg template``'s options."""
    parser.add_argument("--format", choices=FORMATS, help="default: from --output, else csv")
    parser.add_argument("--output", help="file to write (default: standard output)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing file")


def _hint(spec: MetadataField) -> str:
    """The hint cell of a metadata row: what to fill in, and whether it must be, zh / en."""
    need_zh, need_en = spec.need
    return f"{spec.hint_zh}（{need_zh}） / {spec.hint_en} ({need_en})"


def template_csv() -> bytes:
    """The empty CSV template: UTF-8 with a BOM (so Excel shows the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(METADATA_HEADER)
    for spec in METADATA_FIELDS:
        writer.writerow([spec.name, "", _hint(spec)])
    writer.writerow([])
    writer.writerow(DUTY_COLUMNS)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def template_xlsx() -> bytes:
    """The empty XLSX template: "catalog" and "duties" sheets with drop-down lists for
    jurisdiction_level and list_type, and a protected (read-only) "help" sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    bold = Font(bold=True)
    catalog = workbook.active
    assert catalog is not None
    catalog.title = CATALOG_SHEET
    catalog.append(list(METADATA_HEADER))
    for spec in METADATA_FIELDS:
        catalog.append([spec.name, None, _hint(spec)])
    for row in range(2, len(METADATA_FIELDS) + 2):
        catalog.cell(row, 2).number_format = "@"  # text: codes and dates stay as typed
    levels = DataValidation(type="list", formula1=f'"{",".join(LEVELS)}"', allow_blank=True)
    levels.error = "jurisdiction_level: " + ", ".join(LEVELS)
    levels.showErrorMessage = True
    catalog.add_data_validation(levels)
    level_row = 2 + [f.name for f in METADATA_FIELDS].index("jurisdiction_level")
    levels.add(f"B{level_row}")
    for letter, width in (("A", 24), ("B", 50), ("C", 80)):
        catalog.column_dimensions[letter].width = width

    duties = workbook.create_sheet(DUTIES_SHEET)
    duties.append(list(DUTY_COLUMNS))
    duties.freeze_panes = "A2"
    list_types = DataValidation(type="list", formula1=f'"{",".join(LIST_TYPES)}"')
    list_types.error = "list_type: " + ", ".join(LIST_TYPES)
    list_types.showErrorMessage = True
    duties.add_data_validation(list_types)
    list_types.add(f"A2:A{VALIDATED_ROWS}")
    for letter, width in zip("ABCDEFG", (16, 8, 40, 16, 50, 30, 50), strict=True):
        duties.column_dimensions[letter].width = width

    help_sheet = workbook.create_sheet(HELP_SHEET)
    for name, zh, en in _help_rows():
        help_sheet.append([name, zh, en])
        if not zh and not en:
            help_sheet.cell(help_sheet.max_row, 1).font = bold
    for sheet in (catalog, duties):
        for cell in sheet[1]:
            cell.font = bold
    for letter, width in (("A", 24), ("B", 60), ("C", 70)):
        help_sheet.column_dimensions[letter].width = width
    for row in help_sheet.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    help_sheet.protection.sheet = True  # read-only: the help is not part of the catalog
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _help_rows() -> list[tuple[str, str, str]]:
    """(name, 说明, description) rows of the help sheet; a row with only a name is a heading."""
    rows: list[tuple[str, str, str]] = [
        ("cdkg 目录模板 / cdkg catalog template", "", ""),
        (
            "",
            "填好后另存为 data/catalogs/<key>.xlsx，运行 cdkg build。说明见 "
            "data/catalogs/README.md。",
            "Save as data/catalogs/<key>.xlsx and run cdkg build; see data/catalogs/README.md.",
        ),
        (f"sheet '{CATALOG_SHEET}'", "", ""),
    ]
    for spec in METADATA_FIELDS:
        need_zh, need_en = spec.need
        rows.append((spec.name, f"{spec.hint_zh}（{need_zh}）", f"{spec.hint_en} ({need_en})"))
    rows.append((f"sheet '{DUTIES_SHEET}'", "", ""))
    rows.extend((name, zh, en) for name, (zh, en) in DUTY_COLUMN_HELP.items())
    rows.append(("list_type", "", ""))
    rows.extend((code, zh, en) for code, (zh, en) in LIST_TYPE_HELP.items())
    return rows


def _format(args: argparse.Namespace) -> str:
    if args.format:
        return str(args.format)
    if args.output and Path(args.output).suffix.lower() == ".xlsx":
        return "xlsx"
    return "csv"


def run(args: argparse.Namespace) -> int:
    fmt = _format(args)
    data = template_xlsx() if fmt == "xlsx" else template_csv()
    if not args.output or args.output == "-":
        if fmt == "xlsx" and sys.stdout.isatty():
            print("cdkg template: XLSX is binary; give --output FILE", file=sys.stderr)
            return EXIT_USAGE
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return EXIT_OK
    output = Path(args.output)
    if output.exists() and not args.force:
        print(f"cdkg template: {output} exists (use --force to overwrite it)", file=sys.stderr)
        return EXIT_USAGE
    output.write_bytes(data)
    print(f"wrote {output} ({fmt}); fill it in and save it under data/catalogs/", file=sys.stderr)
    return EXIT_OK
