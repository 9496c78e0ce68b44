"""Exports for people who live in spreadsheets, and RDF dumps for everyone else.

The duty table (``cdkg.server.reports.duties``) is written one row per duty with the columns of
``COLUMNS``. A cell holding several values (topics, departments, sectors, legal documents,
articles, categories) joins them with ``SEPARATOR`` — the full-width semicolon "；", which
no label in the data contains — sorted, so the same data always gives the same file. The
citation text is the catalog's 依据 cell verbatim, line breaks included.

* CSV: UTF-8 with a byte-order mark, so Excel opens the Chinese text correctly; RFC 4180
  quoting, CRLF line ends.
* XLSX (openpyxl): bold header, first row frozen, auto-filter, column widths fitted to the
  text (CJK characters counted double), long text wrapped.

Neither ever holds a live formula: a text cell starting with = + - @ (a catalog row named
``=HYPERLINK(…)``) is written as text by ``cdkg.server.reports.spreadsheet`` — behind an apostrophe
in CSV, typed as a string cell in XLSX.
* Turtle: the union of all named graphs (each triple once), with cdkg's prefixes.
* N-Quads: the built dataset.nq byte for byte (named graphs kept).
* JSON-LD: the dataset with its named graphs, compacted with cdkg's prefixes as @context.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Sequence
from pathlib import Path

import pyoxigraph as ox
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from rdflib import Dataset

from cdkg.ontology.namespace import PREFIXES

from .check_report import display_width
from .duties import DutyRow
from .spreadsheet import append_row, csv_cell

SEPARATOR = "；"
BOM = "\ufeff"
TABLE_FORMATS = ("csv", "xlsx")
RDF_FORMATS = ("ttl", "nq", "jsonld")
FORMATS = (*TABLE_FORMATS, *RDF_FORMATS)


def _labels(name: str) -> Callable[[DutyRow], str]:
    """The column of one multi-valued field: its labels joined with :data:`SEPARATOR`."""
    return lambda duty: SEPARATOR.join(duty.labels(name))


COLUMNS: tuple[tuple[str, Callable[[DutyRow], object]], ...] = (
    ("地区 jurisdiction", lambda d: d.jurisdiction),
    ("清单 catalog", lambda d: d.catalog),
    ("清单类型 list type", lambda d: d.list_type),
    ("序号 number", lambda d: d.number),
    ("事项名称 name", lambda d: d.name),
    ("类别 category", _labels("category")),
    ("主题 topics", _labels("topic")),
    ("部门 departments", _labels("department")),
    ("部门领域 sectors", _labels("sector")),
    ("法律文件 legal documents", _labels("document")),
    ("条款 articles", _labels("article")),
    ("依据原文 citation text", lambda d: d.citation_text),
    ("来源文件 source file", lambda d: d.file),
    ("行号 line", lambda d: d.line),
    ("IRI", lambda d: d.iri),
)
HEADER = tuple(name for name, _ in COLUMNS)
_WRAPPED = {"事项名称 name", "依据原文 citation text", "清单 catalog", "条款 articles"}
_MAX_WIDTH = 60


def rows(duties: Sequence[DutyRow]) -> list[list[object]]:
    """The table body: one list of cell values per duty, in ``HEADER`` order."""
    return [[value(duty) for _, value in COLUMNS] for duty in duties]


def to_csv(duties: Sequence[DutyRow]) -> bytes:
    """The duty table as CSV, UTF-8 with BOM."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for row in rows(duties):
        writer.writerow(csv_cell(cell) for cell in row)
    return (BOM + buffer.getvalue()).encode("utf-8")


def to_xlsx(duties: Sequence[DutyRow], version: str = "") -> bytes:
    """The duty table as an Excel workbook (sheet 事项 duties, plus 说明 about)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "事项 duties"
    append_row(sheet, HEADER)
    for row in rows(duties):
        append_row(sheet, row)
    bold = Font(bold=True)
    for cell in sheet[1]:
        cell.font = bold
        cell.alignment = Alignment(vertical="center")
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for index, name in enumerate(HEADER, start=1):
        letter = get_column_letter(index)
        longest = max(
            (
                display_width(line)
                for cell in sheet[letter]
                for line in str(cell.value if cell.value is not None else "").splitlines()
            ),
            default=8,
        )
        sheet.column_dimensions[letter].width = min(_MAX_WIDTH, max(8, longest + 2))
        if name in _WRAPPED:
            for cell in sheet[letter][1:]:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    about = book.create_sheet("说明 about")
    append_row(about, ["cdkg: 社区工作事项知识图谱 Community Duty Knowledge Graph"])
    append_row(about, ["数据版本 dataset version", version])
    append_row(about, ["事项数 duties", len(duties)])
    append_row(about, ["多值分隔符 multi-value separator", SEPARATOR])
    about["A1"].font = bold
    about.column_dimensions["A"].width = 36
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def union_turtle(dataset: Path) -> bytes:
    """Every triple of the dataset's named graphs, once, as Turtle with cdkg's prefixes."""
    quads = ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    triples = sorted({quad.triple for quad in quads}, key=str)
    written = ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)
    assert written is not None
    return written


def dataset_jsonld(dataset: Path) -> bytes:
    """The dataset (named graphs kept) as JSON-LD compacted with cdkg's prefixes."""
    graphs = Dataset()
    graphs.parse(str(dataset), format="nquads")
    text = graphs.serialize(format="json-ld", context=dict(PREFIXES), auto_compact=True)
    return text.encode("utf-8")


def rdf_dump(dataset: Path, fmt: str) -> bytes:
    """``dataset`` (the built N-Quads) as ttl, nq or jsonld."""
    if fmt == "nq":
        return dataset.read_bytes()
    if fmt == "ttl":
        return union_turtle(dataset)
    if fmt == "jsonld":
        return dataset_jsonld(dataset)
    raise ValueError(f"unknown RDF format {fmt!r}; choose one of {', '.join(RDF_FORMATS)}")
