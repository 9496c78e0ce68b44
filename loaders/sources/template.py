"""The catalog template: a jurisdiction's catalog as a filled-in CSV or XLSX file, no parser
needed (the format is documented for researchers in data/catalogs/README.md).

CSV (UTF-8, a BOM is allowed): a metadata block of ``field,value`` rows (an optional first row
``field,value,hint`` and any third cell are ignored: ``cdkg template`` puts a hint there), one
blank row, then the duty table: the header ``list_type,number,name,category,description,
departments,basis`` and one row per duty. XLSX: the same in two sheets, "catalog" (the
``field | value`` rows) and "duties" (the header and the rows); other sheets are ignored.
A template written by ``cdkg import`` also has the optional metadata field ``source_file``
(the published original, kept under data/catalogs/sources/) and the optional column
``source_location`` (where each duty stands in it), which become the duties' provenance.

:func:`read_template` is pure: file in, a :class:`TemplateCatalog` (the metadata) and a
:class:`~cdkg.loaders.records.ParseResult` out, with one :class:`ListSection` per list type
declared in ``list_types`` so that :func:`~cdkg.loaders.reconcile.reconcile` checks counts and
numbering 1..N as for the seed catalogs. A row that cannot become a duty is a problem naming
file, line (the CSV line or the XLSX row) and column; a missing or unknown metadata field or
header column is a :class:`SourceError`, because then nothing in the file can be trusted.
:func:`read_template_folder` reads every template under data/catalogs/ and resolves their
jurisdictions against the register and each other.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree

from ..cells import SourceError, spreadsheet_text
from ..normalise.divisions import division_table
from ..records import DutyRecord, ListSection, ListType, OriginalFile, ParseResult, Problem
from ..registers import CatalogEntry, Jurisdiction, place_jurisdiction

TEMPLATE_LAYOUT = "template"
TEMPLATE_FOLDER = "catalogs"  # under data/
SUFFIXES = (".csv", ".xlsx")
CATALOG_SHEET, DUTIES_SHEET, HELP_SHEET = "catalog", "duties", "help"
METADATA_HEADER = ("field", "value", "hint")
DUTY_COLUMNS = ("list_type", "number", "name", "category", "description", "departments", "basis")
# Written by ``cdkg import``: where each duty stands in the published original.
OPTIONAL_COLUMNS = ("source_location",)
LIST_TYPES = tuple(t.value for t in ListType)
_ALLOWED_LIST_TYPES = ", ".join(LIST_TYPES)
LEVELS = ("province", "municipality", "city", "district", "township")

_KEY = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_CODE = re.compile(r"^[1-9]\d{5}$")
# A catalog below county level may give its street's or township's 9- or 12-digit code.
_JURISDICTION_CODE = re.compile(r"^[1-9]\d{5}(?:\d{3}|\d{6})?$")
_DATE = re.compile(r"^\d{4}(?:-(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01]))?)?$")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_BOM = b"\xef\xbb\xbf"
_SOURCE_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*$")


@dataclass(frozen=True)
class MetadataField:
    """One metadata row: ``required`` values must be filled in; an ``optional`` row may be
    left out altogether (every other row must be present, even with an empty value)."""

    name: str
    hint_zh: str
    hint_en: str
    required: bool = True
    optional: bool = False

    @property
    def need(self) -> tuple[str, str]:
        """Whether the value must be filled in, in zh and en."""
        return ("必填", "required") if self.required else ("可空", "may be empty")


METADATA_FIELDS = (
    MetadataField(
        "key",
        "目录标识：小写英文字母、数字和连字符，与文件名相同",
        "catalog key: lowercase ASCII letters, digits, hyphens; the file name without extension",
    ),
    MetadataField("title", "文件标题，照原文", "the document's title as printed"),
    MetadataField(
        "jurisdiction_code",
        "行政区划代码（GB/T 2260，6位；街道、乡镇可填9或12位）",
        "GB/T 2260 division code, 6 digits (9 or 12 for a street or township)",
    ),
    MetadataField("jurisdiction_name", "行政区名称，如 锦江区", "the jurisdiction's Chinese name"),
    MetadataField("jurisdiction_name_en", "英文名称", "English name", False, True),
    MetadataField(
        "jurisdiction_level",
        "层级：province、municipality（直辖市）、city、district（区县旗）或 township（街道乡镇）",
        "province, municipality, city, district (区, 县, 旗) or township (街道, 镇, 乡)",
    ),
    MetadataField(
        "part_of_code",
        "上级行政区代码（GB/T 2260，6位）",
        "the parent's GB/T 2260 code, 6 digits",
    ),
    MetadataField(
        "document_number",
        "文号，如 渝民发〔2021〕6号；未印出则留空",
        "document number as printed; empty if none",
        False,
    ),
    MetadataField("issuer", "发文机关，多个用、分隔；未印出则留空", "issuing bodies", False),
    MetadataField(
        "date", "发文日期：YYYY、YYYY-MM 或 YYYY-MM-DD；未知则留空", "date as printed", False
    ),
    MetadataField(
        "list_types",
        "各清单的事项数，如 self-governance=16 | assistance=23 | cancelled=7",
        "items per list: self-governance=16 | assistance=23 | cancelled=7",
    ),
    MetadataField(
        "source_note", "来源说明（网址、页码等）", "where the text came from", False, True
    ),
)
# Fields only ``cdkg import`` writes (``cdkg template`` does not offer them).
IMPORT_FIELDS = (
    MetadataField(
        "source_file",
        "原件：cdkg import 保存的原始文件，相对 data/catalogs/，如 sources/x.docx",
        "the published original cdkg import kept, relative to data/catalogs/",
        False,
        True,
    ),
)
_FIELDS = {f.name: f for f in (*METADATA_FIELDS, *IMPORT_FIELDS)}


@dataclass(frozen=True)
class TemplateCatalog:
    """A template's metadata block, with the line (or XLSX row) of each field."""

    file: str
    key: str
    title: str
    jurisdiction_code: str
    jurisdiction_name: str
    jurisdiction_name_en: str
    jurisdiction_level: str
    part_of_code: str
    document_number: str
    issuer: str
    date: str
    list_types: tuple[tuple[ListType, int], ...]
    source_note: str = ""
    source_file: str = ""
    lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    sheet: str | None = None  # "catalog" for XLSX; None for CSV

    def where(self, name: str) -> tuple[str, int]:
        """(file, line) of a metadata field, for errors found after reading."""
        return self.file, self.lines.get(name, 0)

    def expected_counts(self) -> str:
        """``list_types`` as the catalogs register writes expected counts."""
        return " | ".join(f"{t.code}={n}" for t, n in self.list_types)

    def catalog_entry(self, file_name: str) -> CatalogEntry:
        """The catalog's row, as if it stood in data/registers/catalogs.csv."""
        first, last = min(self.lines.values(), default=0), max(self.lines.values(), default=0)
        evidence = f"Catalog template {self.file} (metadata lines {first}–{last})."
        if self.source_note:
            evidence += f" Source note: {self.source_note}"
        return CatalogEntry(
            key=self.key,
            file=file_name,
            layout=TEMPLATE_LAYOUT,
            title=self.title,
            document_number=self.document_number,
            issuer=self.issuer,
            date=self.date,
            jurisdiction=self.jurisdiction_code,
            expected_counts=self.expected_counts(),
            evidence=evidence,
        )

    def jurisdiction(self) -> Jurisdiction:
        """The jurisdiction the template declares (keyed by its division code)."""
        return Jurisdiction(
            key=self.jurisdiction_code,
            code=self.jurisdiction_code,
            name_zh=self.jurisdiction_name,
            name_en=self.jurisdiction_name_en or f"Jurisdiction {self.jurisdiction_code}",
            level=self.jurisdiction_level,
            part_of=self.part_of_code,
            note=f"Declared by the catalog template {self.file}.",
        )


# ---------------------------------------------------------------------------------------------
# Rows


@dataclass(frozen=True)
class Row:
    """One table row: its first and last line (an XLSX row is one line), cells, verbatim text."""

    line: int
    end: int
    cells: tuple[str, ...]
    text: str

    @property
    def blank(self) -> bool:
        return not any(self.cells)


@dataclass
class Sheets:
    """A template split into its two parts, with the sheet names used in messages."""

    metadata: list[Row]
    header: Row | None
    duties: list[Row]
    metadata_sheet: str | None = None
    duties_sheet: str | None = None


def column(sheet: str | None, name: str) -> str:
    """How a message names a column: "column 'x'", with the sheet for XLSX."""
    return f"sheet '{sheet}', column '{name}'" if sheet else f"column '{name}'"


def _csv_rows(text: str) -> list[Row]:
    """Every record of a CSV text with its physical lines (quoted cells may span lines)."""
    lines = _LINE_BREAK.split(text)
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[Row] = []
    previous = 0
    for record in reader:
        start, end = previous + 1, reader.line_num
        previous = end
        cells = tuple(cell.strip() for cell in record)
        rows.append(Row(start, end, cells, "\n".join(lines[start - 1 : end])))
    return rows


def _split_csv(rows: list[Row]) -> Sheets:
    """The metadata block runs up to the blank row before the duty table (blank rows between
    metadata rows are layout) or up to the table's header; the first non-blank row after it
    is the header."""
    index = 0
    while index < len(rows) and rows[index].cells[:1] != ("list_type",):
        if rows[index].blank:
            following = next((row for row in rows[index:] if not row.blank), None)
            if following is None or following.cells[0] not in _FIELDS:
                break
        index += 1
    metadata = [row for row in rows[:index] if not row.blank]
    rest = [row for row in rows[index:] if not row.blank]
    return Sheets(metadata, rest[0] if rest else None, rest[1:])


def _decode(data: bytes, display: str) -> str:
    """UTF-8 text (a BOM is dropped); another encoding is an error naming line and column."""
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        where = _column_of_bad_byte(data.decode("utf-8", errors="replace"), line)
        message = (
            f"{where}: not UTF-8 (byte 0x{data[error.start]:02x}); "
            "re-save the file as UTF-8 (Excel: 'CSV UTF-8')"
        )
        raise SourceError(display, line, message) from None


def _column_of_bad_byte(text: str, line: int) -> str:
    """The column holding the first undecodable byte of ``line``, named as in the file."""
    sheets = _split_csv(_csv_rows(text))
    for rows, names in (
        (sheets.metadata, METADATA_HEADER),
        ([sheets.header] if sheets.header else [], ()),
        (sheets.duties, DUTY_COLUMNS),
    ):
        for row in rows:
            if row.line <= line <= row.end:
                index = next((i for i, c in enumerate(row.cells) if "\ufffd" in c), 0)
                return column(None, names[index] if index < len(names) else str(index + 1))
    return "column '?'"


@dataclass(frozen=True)
class XlsxLimits:
    """How much an XLSX catalog may hold, checked before and while openpyxl reads it.

    An XLSX file is a zip archive: a sheet of a few hundred kilobytes can expand to gigabytes
    (issue 12: sheet XML of 1.2 GB without a ``<dimension>`` parsed for 5 minutes at 2.3 GB
    of memory). The sizes are the zip's own record of each member's uncompressed size, read
    from its directory without inflating anything; Python's zipfile never inflates a member
    beyond that size (it stops there and fails the CRC check), so the sum is a true bound on
    what openpyxl will read. The largest real catalog is a few hundred rows and well under
    1 MiB of sheet XML; the defaults leave room for every county of a province in one file.
    """

    uncompressed_bytes: int = 32 * 2**20
    """The whole workbook, all members together, inflated."""
    ratio: int = 100
    """Inflated size over stored size, for a member larger than ``ratio_from_bytes``: a
    real sheet compresses 5–20 times, a bomb thousands of times."""
    ratio_from_bytes: int = 2**20
    rows: int = 20_000
    """Rows of each sheet read (blank rows included)."""


XLSX_LIMITS = XlsxLimits()


def _mib(size: int) -> str:
    return f"{size / 2**20:.1f} MiB"


def _sheet_names(archive: zipfile.ZipFile) -> dict[str, str]:
    """Member path (``xl/worksheets/sheet1.xml``) → sheet name, from the workbook's own small
    parts; empty when they are missing, unreadable or not small."""
    parts = {info.filename: info for info in archive.infolist()}
    names: dict[str, str] = {}
    try:
        if any(
            parts[p].file_size > 2**20 for p in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels")
        ):
            return names
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
        targets = {
            rel.get("Id"): str(rel.get("Target", "")).lstrip("/") for rel in rels if rel.get("Id")
        }
        book = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    except (KeyError, zipfile.BadZipFile, ElementTree.ParseError, OSError):
        return names
    for sheet in book.iter():
        if not sheet.tag.endswith("}sheet"):
            continue
        rel = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
        target = targets.get(rel)
        if target:
            path = target if target.startswith("xl/") else f"xl/{target}"
            names[path] = str(sheet.get("name", ""))
    return names


def check_xlsx_size(path: Path, display: str, limits: XlsxLimits = XLSX_LIMITS) -> None:
    """Refuse an XLSX file that would expand beyond ``limits`` — before anything is inflated.

    Raises :class:`SourceError` naming the file, the largest sheet (or member) and the limit.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            total = sum(info.file_size for info in members)
            largest = max(members, key=lambda info: info.file_size, default=None)
            bomb = next(
                (
                    info
                    for info in members
                    if info.file_size > limits.ratio_from_bytes
                    and info.file_size > limits.ratio * max(1, info.compress_size)
                ),
                None,
            )
            names = _sheet_names(archive) if total > limits.uncompressed_bytes or bomb else {}
    except (zipfile.BadZipFile, OSError) as error:
        raise SourceError(display, 0, f"not an XLSX workbook: {error}") from None

    def where(info: zipfile.ZipInfo) -> str:
        name = names.get(info.filename)
        return f"sheet '{name}' ({info.filename})" if name else f"part {info.filename}"

    if total > limits.uncompressed_bytes and largest is not None:
        message = (
            f"the workbook expands to {_mib(total)} ({where(largest)} alone "
            f"{_mib(largest.file_size)}), over the limit of {_mib(limits.uncompressed_bytes)} "
            "for an XLSX catalog (XlsxLimits.uncompressed_bytes); split the catalog or save "
            "it as CSV"
        )
        raise SourceError(display, 0, message)
    if bomb is not None:
        ratio = bomb.file_size / max(1, bomb.compress_size)
        message = (
            f"{where(bomb)} expands {ratio:.0f} times ({_mib(bomb.compress_size)} → "
            f"{_mib(bomb.file_size)}), over the limit of {limits.ratio} times for a part "
            f"over {_mib(limits.ratio_from_bytes)} (XlsxLimits.ratio): not a catalog a person "
            "wrote"
        )
        raise SourceError(display, 0, message)


def _xlsx_sheets(path: Path, display: str, limits: XlsxLimits = XLSX_LIMITS) -> Sheets:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    check_xlsx_size(path, display, limits)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise SourceError(display, 0, f"not an XLSX workbook: {error}") from None
    try:
        sheets: dict[str, list[Row]] = {}
        for name in (CATALOG_SHEET, DUTIES_SHEET):
            if name not in workbook.sheetnames:
                message = f"sheet '{name}' not found (the workbook has {workbook.sheetnames})"
                raise SourceError(display, 0, message)
            rows = []
            for number, values in enumerate(workbook[name].iter_rows(values_only=True), 1):
                if number > limits.rows:
                    message = (
                        f"sheet '{name}' has more than {limits.rows} rows, the limit for an "
                        "XLSX catalog (XlsxLimits.rows); split the catalog"
                    )
                    raise SourceError(display, number, message)
                cells = [spreadsheet_text(v) for v in values]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append(Row(number, number, tuple(cells), "\t".join(cells)))
            sheets[name] = rows
    finally:
        workbook.close()
    duties = [row for row in sheets[DUTIES_SHEET] if not row.blank]
    metadata = [row for row in sheets[CATALOG_SHEET] if not row.blank]
    return Sheets(metadata, duties[0] if duties else None, duties[1:], CATALOG_SHEET, DUTIES_SHEET)


# ---------------------------------------------------------------------------------------------
# Metadata


def _metadata(file: str, sheets: Sheets) -> TemplateCatalog:
    """Read and check the metadata rows; the first problem is a :class:`SourceError`."""
    sheet = sheets.metadata_sheet
    rows = sheets.metadata
    if rows and rows[0].cells[:2] == METADATA_HEADER[:2]:
        rows = rows[1:]
    values: dict[str, str] = {}
    lines: dict[str, int] = {}
    for row in rows:
        name = row.cells[0]
        if name not in _FIELDS:
            expected = ", ".join(_FIELDS)
            message = f"{column(sheet, 'field')}: unknown metadata field {name!r}"
            raise SourceError(file, row.line, f"{message}; the fields are {expected}")
        if name in values:
            message = f"{column(sheet, 'field')}: metadata field {name!r} given twice"
            raise SourceError(file, row.line, f"{message} (first on line {lines[name]})")
        values[name] = row.cells[1] if len(row.cells) > 1 else ""
        lines[name] = row.line
    first = rows[0].line if rows else 1
    for spec in METADATA_FIELDS:
        if spec.name not in values and not spec.optional:
            message = f"{column(sheet, 'field')}: metadata field {spec.name!r} is missing"
            raise SourceError(file, first, f"{message} (every field needs its row)")
        if spec.required and not values.get(spec.name):
            message = f"{column(sheet, 'value')}: metadata field {spec.name!r} is empty"
            raise SourceError(file, lines[spec.name], f"{message} ({spec.hint_en})")

    def check(name: str, ok: bool, problem: str) -> None:
        if not ok:
            message = f"{column(sheet, 'value')}: {name} {values[name]!r} {problem}"
            raise SourceError(file, lines[name], f"{message} ({_FIELDS[name].hint_en})")

    check("key", bool(_KEY.match(values["key"])), "is not a valid key")
    code = values["jurisdiction_code"]
    check("jurisdiction_code", bool(_JURISDICTION_CODE.match(code)), "is no code")
    check("part_of_code", bool(_CODE.match(values["part_of_code"])), "is no code")
    check("jurisdiction_level", values["jurisdiction_level"] in LEVELS, "is no level")
    check("date", not values["date"] or bool(_DATE.match(values["date"])), "is no date")
    source_file = values.get("source_file", "")
    check(
        "source_file",
        not source_file or (bool(_SOURCE_FILE.match(source_file)) and ".." not in source_file),
        "is not a relative path of ASCII letters, digits, '.', '-', '_'",
    )
    list_types = _list_types(values["list_types"])
    check("list_types", list_types is not None, "is not 'list-type=count | …'")
    return TemplateCatalog(
        file=file,
        key=values["key"],
        title=values["title"],
        jurisdiction_code=values["jurisdiction_code"],
        jurisdiction_name=values["jurisdiction_name"],
        jurisdiction_name_en=values.get("jurisdiction_name_en", ""),
        jurisdiction_level=values["jurisdiction_level"],
        part_of_code=values["part_of_code"],
        document_number=values["document_number"],
        issuer=values["issuer"],
        date=values["date"],
        list_types=list_types or (),
        source_note=values.get("source_note", ""),
        source_file=source_file,
        lines=lines,
        sheet=sheet,
    )


def _list_types(text: str) -> tuple[tuple[ListType, int], ...] | None:
    """ "self-governance=16 | assistance=23" → ((SELF_GOVERNANCE, 16), (ASSISTANCE, 23)); None
    when a part is malformed, a list type unknown or repeated, or a count not positive."""
    result: list[tuple[ListType, int]] = []
    for part in text.split("|"):
        code, equals, count = (p.strip() for p in part.partition("="))
        if not equals or code not in LIST_TYPES or not count.isdigit() or int(count) < 1:
            return None
        if any(t.code == code for t, _ in result):
            return None
        result.append((ListType(code), int(count)))
    return tuple(result) if result else None


# ---------------------------------------------------------------------------------------------
# Duties


def _header(file: str, sheets: Sheets) -> dict[str, int]:
    """Column name → index; the header must hold the seven columns (in any order), once each."""
    sheet = sheets.duties_sheet
    row = sheets.header
    if row is None:
        last = sheets.metadata[-1].end if sheets.metadata else 0
        expected = ",".join(DUTY_COLUMNS)
        message = f"no duty table: expected a blank row, then the header {expected}"
        raise SourceError(file, last, f"{column(sheet, 'list_type')}: {message}")
    names = list(row.cells)
    while names and not names[-1]:
        names.pop()
    indexes: dict[str, int] = {}
    for index, name in enumerate(names):
        label = name or str(index + 1)
        if name not in DUTY_COLUMNS + OPTIONAL_COLUMNS:
            message = f"unknown column in the duty table header; expected {','.join(DUTY_COLUMNS)}"
            raise SourceError(file, row.line, f"{column(sheet, label)}: {message}")
        if name in indexes:
            raise SourceError(file, row.line, f"{column(sheet, name)}: column given twice")
        indexes[name] = index
    for name in DUTY_COLUMNS:
        if name not in indexes:
            message = f"missing from the duty table header {','.join(names)}"
            raise SourceError(file, row.line, f"{column(sheet, name)}: {message}")
    return indexes


def _duties(catalog: TemplateCatalog, sheets: Sheets, result: ParseResult) -> None:
    """One duty per row; problems name file, line and column."""
    indexes = _header(result.file, sheets)
    declared = dict(catalog.list_types)
    undeclared: set[ListType] = set()
    for row in sheets.duties:
        values = {name: row.cells[i] if i < len(row.cells) else "" for name, i in indexes.items()}
        messages = _row_messages(row, values, len(indexes))
        list_type = ListType(values["list_type"]) if values["list_type"] in LIST_TYPES else None
        if list_type is not None and list_type not in declared and list_type not in undeclared:
            undeclared.add(list_type)
            where = catalog.lines.get("list_types", 0)
            code = list_type.code
            messages.append(("list_type", f"{code!r} is not declared in list_types (line {where})"))
        result.problems.extend(
            Problem(result.file, row.line, f"{column(sheets.duties_sheet, name)}: {message}")
            for name, message in messages
        )
        number, name = values["number"], values["name"]
        if list_type is None or not number.isdecimal() or not name:
            continue
        result.duties.append(_duty(catalog.key, list_type, str(int(number)), values, row))
    result.problems.extend(_numbering_problems(result.duties, result.file, sheets.duties_sheet))
    line = catalog.lines.get("list_types", 0)
    result.sections.extend(ListSection(t, line, declared=n) for t, n in catalog.list_types)
    result.sections.extend(ListSection(t, line) for t in ListType if t in undeclared)


def _row_messages(row: Row, values: Mapping[str, str], width: int) -> list[tuple[str, str]]:
    """(column, problem) for each cell of a duty row that keeps it from being a duty."""
    messages: list[tuple[str, str]] = []
    extra = [i for i in range(width, len(row.cells)) if row.cells[i]]
    if extra:
        messages.append((str(extra[0] + 1), "a cell outside the table's seven columns"))
    code, number = values["list_type"], values["number"]
    allowed = _ALLOWED_LIST_TYPES
    if not code:
        messages.append(("list_type", f"empty; use one of {allowed}"))
    elif code not in LIST_TYPES:
        messages.append(("list_type", f"unknown list type {code!r}; use one of {allowed}"))
    if not number:
        messages.append(("number", "empty item number"))
    elif not number.isdecimal():
        messages.append(("number", f"item number {number!r} is not a whole number"))
    if not values["name"]:
        messages.append(("name", "empty duty name"))
    return messages


def _duty(
    catalog: str, list_type: ListType, number: str, values: Mapping[str, str], row: Row
) -> DutyRecord:
    return DutyRecord(
        catalog=catalog,
        list_type=list_type,
        number=number,
        name=values["name"],
        line=row.line,
        lines=list(range(row.line, row.end + 1)),
        description=values["description"],
        category=values["category"],
        departments=[values["departments"]] if values["departments"] else [],
        citation_cells=[values["basis"]] if values["basis"] else [],
        source_text=row.text,
        source_location=values.get("source_location", ""),
    )


def _numbering_problems(
    duties: Sequence[DutyRecord], file: str, sheet: str | None
) -> list[Problem]:
    """Duplicate and skipped item numbers, at the row where each shows (reconcile() checks
    the same as a checksum per list; this names the row)."""
    problems: list[Problem] = []
    where = column(sheet, "number")
    for list_type in ListType:
        seen: dict[int, int] = {}
        for duty in (d for d in duties if d.list_type is list_type):
            number = int(duty.number)
            if number in seen:
                message = f"{where}: duplicate {list_type.code} item {number}"
                problems.append(
                    Problem(file, duty.line, f"{message} (first on line {seen[number]})")
                )
            else:
                seen[number] = duty.line
        previous = 0
        for number in sorted(seen):
            if number > previous + 1:
                missing = (
                    f"{previous + 1}" if number == previous + 2 else f"{previous + 1}–{number - 1}"
                )
                message = f"{where}: {list_type.code} item {missing} missing before item {number}"
                problems.append(Problem(file, seen[number], message))
            previous = number
    return problems


def read_template(
    path: Path, display: str | None = None, xlsx_limits: XlsxLimits = XLSX_LIMITS
) -> tuple[TemplateCatalog, ParseResult]:
    """Read one filled-in template (.csv or .xlsx).

    ``display`` is how messages name the file (default: the path as given); an XLSX file
    over ``xlsx_limits`` (its inflated size, its rows) is refused unread. Raises
    :class:`SourceError` (file, line, column) when the metadata or the duty table's header is
    missing or unknown; problems with single rows go to ``ParseResult.problems``.

    >>> catalog, result = read_template(Path("tests/catalogs/fixtures/example.csv"))
    >>> catalog.key, len(result.duties)
    ('example', 9)
    """
    file = display or str(path)
    suffix = path.suffix.lower()
    if suffix == ".csv":
        sheets = _split_csv(_csv_rows(_decode(path.read_bytes(), file)))
    elif suffix == ".xlsx":
        sheets = _xlsx_sheets(path, file, xlsx_limits)
    else:
        raise SourceError(file, 0, f"not a catalog template: use {' or '.join(SUFFIXES)}")
    catalog = _metadata(file, sheets)
    result = ParseResult(file=file, original=_original(path, catalog))
    _duties(catalog, sheets, result)
    return catalog, result


def _original(path: Path, catalog: TemplateCatalog) -> OriginalFile | None:
    """The published original named by ``source_file`` (relative to the template's folder),
    with its checksum; a name that is not there is an error on that line."""
    if not catalog.source_file:
        return None
    original = path.parent / catalog.source_file
    if not original.is_file():
        file, line = catalog.where("source_file")
        message = f"source_file {catalog.source_file!r}: no such file under {path.parent}"
        raise SourceError(file, line, f"{column(catalog.sheet, 'value')}: {message}")
    return OriginalFile(catalog.source_file, hashlib.sha256(original.read_bytes()).hexdigest())


# ---------------------------------------------------------------------------------------------
# The folder of templates


@dataclass
class TemplateLoad:
    """One template file as the build uses it: its catalog row, its parse, its checksum.
    ``catalog`` is None when the file could not be read (``result`` then holds the error)."""

    path: Path
    entry: CatalogEntry
    result: ParseResult
    sha256: str
    catalog: TemplateCatalog | None = None


@dataclass
class TemplateFolder:
    """Every template of a folder, and the jurisdictions they add to the register's."""

    loads: list[TemplateLoad] = field(default_factory=list)
    jurisdictions: dict[str, Jurisdiction] = field(default_factory=dict)


def template_files(folder: Path) -> list[Path]:
    """The template files of a folder in name order (Excel's ~$ lock files are not)."""
    if not folder.is_dir():
        return []
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix.lower() in SUFFIXES and p.is_file() and not p.name.startswith("~$")
    )


def read_template_folder(
    folder: Path,
    known: Mapping[str, Jurisdiction],
    taken_keys: Collection[str] = (),
    root: Path | None = None,
) -> TemplateFolder:
    """Read every template of ``folder``; a file that fails is kept as a broken load.

    Besides each file's own checks: the key must be the file name's stem and unused (by
    ``taken_keys``, the catalogs register's keys, or another template); ``part_of_code`` must
    be a jurisdiction of ``known`` (the register) or of another template; templates declaring
    one code must agree on it. Messages name files relative to ``root`` when given.
    """
    loads: list[TemplateLoad] = []
    keys = set(taken_keys)
    for path in template_files(folder):
        display = str(path.relative_to(root)) if root and path.is_relative_to(root) else str(path)
        sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
        try:
            catalog, result = read_template(path, display)
            file, line = catalog.where("key")
            if catalog.key != path.stem:
                message = f"key {catalog.key!r} is not the file name's stem {path.stem!r}"
                raise SourceError(file, line, f"{column(catalog.sheet, 'value')}: {message}")
            if catalog.key in keys:
                message = f"key {catalog.key!r} is already a catalog's key"
                raise SourceError(file, line, f"{column(catalog.sheet, 'value')}: {message}")
        except SourceError as error:
            loads.append(_broken(path, display, sha256, error))
            continue
        keys.add(catalog.key)
        entry = catalog.catalog_entry(path.name)
        loads.append(TemplateLoad(path, entry, result, sha256, catalog))
    jurisdictions = _resolve_jurisdictions(loads, known)
    return TemplateFolder(loads, jurisdictions)


def _broken(path: Path, display: str, sha256: str, error: SourceError) -> TemplateLoad:
    """A file that cannot be built: reported under its file name, with no duties."""
    result = ParseResult(file=display, problems=[Problem(error.file, error.line, error.message)])
    entry = CatalogEntry(path.stem, path.name, TEMPLATE_LAYOUT, "", "", "", "", "", "", "")
    return TemplateLoad(path, entry, result, sha256)


def _resolve_jurisdictions(
    loads: list[TemplateLoad], known: Mapping[str, Jurisdiction]
) -> dict[str, Jurisdiction]:
    """The jurisdictions the templates add to the register's: each declared one placed by
    :func:`~cdkg.loaders.registers.place_jurisdiction` (GB/T 2260 divisions with their
    ancestors, townships under their county, provisional ones for codes nothing knows), a
    parent declared by another template first. Templates declaring one code differently are
    broken (the source contradicts itself); an unknown code or parent never is."""
    declared: dict[str, TemplateCatalog] = {}
    for index, load in enumerate(loads):
        catalog = load.catalog
        if catalog is None:
            continue
        code = catalog.jurisdiction_code
        if code in known:
            _warn_if_differs(load.result, catalog, known[code])
            continue
        first = declared.get(code)
        if first is None:
            declared[code] = catalog
        elif _differs(first, catalog):
            file, line = catalog.where("jurisdiction_code")
            message = f"jurisdiction {code} is declared differently in {first.file}"
            error = SourceError(file, line, f"{column(catalog.sheet, 'value')}: {message}")
            loads[index] = _broken(load.path, catalog.file, load.sha256, error)
    table = division_table()
    accepted: dict[str, Jurisdiction] = {}
    # Parents first: a template whose parent another template declares waits for it.
    order = sorted(declared, key=lambda c: _depth(c, declared))
    results: dict[str, ParseResult] = {}
    for load in loads:
        if load.catalog is not None:
            results.setdefault(load.catalog.jurisdiction_code, load.result)
    for code in order:
        catalog = declared[code]
        placement = place_jurisdiction(catalog.jurisdiction(), {**known, **accepted}, table)
        for name, message in placement.warnings:
            file, line = catalog.where(name)
            results[code].problems.append(
                Problem(file, line, f"{column(catalog.sheet, 'value')}: {message}", "warning")
            )
        added = placement.added
        if code in added and added[code].provisional:
            added[code] = dataclasses.replace(
                added[code], line=catalog.where("jurisdiction_code")[1]
            )
        accepted.update(added)
    return accepted


def _depth(code: str, declared: Mapping[str, TemplateCatalog]) -> int:
    """How many templates up the declared part_of chain goes (a cycle stops the count)."""
    depth, seen = 0, {code}
    parent = declared[code].part_of_code
    while parent in declared and parent not in seen:
        seen.add(parent)
        depth += 1
        parent = declared[parent].part_of_code
    return depth


def _differs(first: TemplateCatalog, other: TemplateCatalog) -> bool:
    fields = ("jurisdiction_name", "jurisdiction_level", "part_of_code")
    return any(getattr(first, f) != getattr(other, f) for f in fields)


def _warn_if_differs(result: ParseResult, catalog: TemplateCatalog, known: Jurisdiction) -> None:
    """A template for a register jurisdiction uses the register's row; say so if they differ."""
    for name, theirs in (
        ("jurisdiction_name", known.name_zh),
        ("jurisdiction_level", known.level),
        ("part_of_code", known.part_of),
    ):
        mine = getattr(catalog, name)
        if mine != theirs:
            file, line = catalog.where(name)
            message = (
                f"{column(catalog.sheet, 'value')}: {name} {mine!r} differs from "
                f"{theirs!r} in data/registers/jurisdictions.csv, which is used"
            )
            result.problems.append(Problem(file, line, message, severity="warning"))


def is_template(entry: CatalogEntry) -> bool:
    """Whether a catalog row comes from a template (its file is under data/catalogs/)."""
    return entry.layout == TEMPLATE_LAYOUT
