"""A published document (the neutral model) → lists of duties, once for every format.

Tables: in each table the header row is found wherever it is (title rows above it are read as
headings: a list heading, the notice's title); its columns are mapped by the synonyms and the
content (:mod:`.headers`); a table without a header continues the previous table's columns when
it has as many (a table split over pages); a table whose header is not recognised is refused,
showing the header and the synonyms known. A row repeating the header (printed again on every
page) is dropped, a row whose cells all hold one text is a heading (a list heading, or else a
category for the rows below), and every other row with a name is a duty. A blank category
cell takes the category above, and the report says so, as it says which cells came from a
merged cell. A document without tables is numbered text (:mod:`.numbered`).
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..normalise.numerals import chinese_to_int
from ..records import ListType
from .headers import ColumnMap, Vocabulary, complete_by_content, list_type_of, map_header, normalise
from .imported import CatalogBuilder, ImportedDuty
from .metadata import is_metadata
from .model import Document, Table, TableRow, TextLine
from .numbered import NumberedReader, declared_count, split_number, unwrap

HEADER_SEARCH = 10  # rows of a table searched for its header (title rows stand above it)


class UnrecognisedHeader(ValueError):
    """No row of a table is a header the synonyms recognise."""


@dataclass
class Mapped:
    """The lists and duties of a document, and the report of the import."""

    builder: CatalogBuilder
    lines: list[TextLine] = field(default_factory=list)  # every text line, title rows too

    @property
    def duties(self) -> list[ImportedDuty]:
        return self.builder.duties


def map_document(
    document: Document, vocabulary: Vocabulary, default: ListType | None = None
) -> Mapped:
    """Lists and duties of ``document``; raises :class:`UnrecognisedHeader` or
    :class:`~.imported.NoList` (duties before any heading and no ``default``)."""
    builder = CatalogBuilder(default)
    mapped = Mapped(builder)
    if not document.tables():
        lines = document.lines()
        mapped.lines.extend(lines)
        NumberedReader(vocabulary, builder, is_metadata, soft=document.format == "pdf").read(lines)
    else:
        _TableMapper(vocabulary, mapped).map(document)
    _renumber_restarts(builder)
    return mapped


@dataclass
class _TableMapper:
    vocabulary: Vocabulary
    mapped: Mapped
    previous: tuple[ColumnMap, str] | None = None
    category: str = ""

    @property
    def builder(self) -> CatalogBuilder:
        return self.mapped.builder

    def map(self, document: Document) -> None:
        for block in document.blocks:
            if isinstance(block, TextLine):
                self.line(block.text, block.location)
            else:
                self.table(block)

    def line(self, text: str, location: str) -> None:
        """A paragraph or title row: a list heading, metadata, or text placed nowhere."""
        self.mapped.lines.append(TextLine(text, location))
        list_type = list_type_of(text, self.vocabulary)
        if list_type is not None:
            self.category = ""
            self.builder.open_list(list_type, text, location, declared_count(text))
        elif not is_metadata(text):
            self.builder.unplaced(location, text, "text outside the tables, not a list heading")

    def table(self, table: Table) -> None:
        rows = [row for row in table.rows if not row.blank]
        if not rows:
            return
        found = _find_header(rows, self.vocabulary)
        if found is None:
            if self.previous is None or len(rows[0].cells) != len(self.previous[0].header):
                shown = " | ".join(cell.replace("\n", " ") for cell in rows[0].texts)
                raise UnrecognisedHeader(
                    f"{table.name}: header not recognised: {shown}\n"
                    f"known column names ({self.vocabulary.file}): {self.vocabulary.known()}"
                )
            mapping, first = self.previous[0], 0
            self.builder.inference.notes.append(
                f"{table.name}: no header; continues the columns of {self.previous[1]}"
            )
        else:
            index, mapping = found
            for row in rows[:index]:
                self.line(_joined(row), row.location)
            first = index + 1
            data = [r.texts for r in rows[first:] if not _is_header(r, mapping)]
            complete_by_content(mapping, data)
            self.builder.inference.mappings.append(f"{table.name} (header {rows[index].location}):")
            self.builder.inference.mappings.extend(f"  {line}" for line in mapping.describe())
        self.previous = (mapping, table.name)
        carried = _Carried(table.name)
        for row in rows[first:]:
            self.row(row, mapping, table.soft_wraps, carried)
        self.builder.inference.carried.extend(carried.describe())

    def row(self, row: TableRow, mapping: ColumnMap, soft: bool, carried: _Carried) -> None:
        if _is_header(row, mapping):
            self.builder.inference.notes.append(f"{row.location}: repeated header dropped")
            return
        if _is_heading(row, mapping):
            text = _joined(row)
            list_type = list_type_of(text, self.vocabulary)
            if list_type is not None:
                self.builder.open_list(list_type, text, row.location, declared_count(text))
            else:
                self.category = text
                self.builder.inference.notes.append(
                    f"{row.location}: category heading '{text}' for the rows below"
                )
            return

        def cell(role: str) -> str:
            index = mapping.column(role)
            if index is None or index >= len(row.cells):
                return ""
            value = row.cells[index]
            text = unwrap(value.text.strip(), role) if soft else value.text.strip()
            if value.merged:
                carried.add(role, text, row, merged=True)
            return text

        name = cell("name")
        if not name:
            self.builder.unplaced(row.location, _joined(row), "no duty name in the name column")
            return
        number = _number(cell("number"))
        printed, rest = split_number(name)
        if printed is not None and (number is None or number == printed):
            number, name = printed, rest
        category = cell("category")
        if mapping.column("category") is not None:
            if category:
                self.category = category
            elif self.category:
                category = self.category
                carried.add("category", category, row, merged=False)
        else:
            category = self.category
        description = cell("description")
        remark = cell("remark")
        if remark:
            description = f"{description}\n备注：{remark}" if description else f"备注：{remark}"
        self.builder.add(
            number,
            name,
            row.location,
            category=category,
            description=description,
            departments=cell("departments"),
            basis=cell("basis"),
        )


@dataclass
class _Carried:
    """Cells a row took from a merged cell or from the row above, by column and value."""

    table: str
    runs: dict[tuple[str, str, bool], list[str]] = field(default_factory=dict)

    def add(self, role: str, text: str, row: TableRow, merged: bool) -> None:
        if text:
            self.runs.setdefault((role, text, merged), []).append(row.location)

    def describe(self) -> list[str]:
        lines = []
        for (role, text, merged), locations in self.runs.items():
            how = "merged cell expanded" if merged else "blank cell, carried down"
            rows = ", ".join(loc.removeprefix(f"{self.table}, ") for loc in locations)
            lines.append(f"{self.table}: {role} '{text}' ({how}) on {rows}")
        return lines


def _joined(row: TableRow) -> str:
    """A row's distinct texts in order (a merged title row is one text)."""
    seen: list[str] = []
    for text in row.texts:
        if text.strip() and text not in seen:
            seen.append(text)
    return " ".join(seen)


def _is_heading(row: TableRow, mapping: ColumnMap) -> bool:
    """A row merged across the table (every cell one text), or with its only text outside
    the name column: a list or category heading, not a duty."""
    filled = [i for i, t in enumerate(row.texts) if t.strip()]
    if (
        len(row.cells) > 1
        and len({row.texts[i] for i in filled}) == 1
        and len(filled) == len(row.cells)
    ):
        return True
    return len(filled) == 1 and filled[0] != mapping.column("name")


def _find_header(rows: Sequence[TableRow], vocabulary: Vocabulary) -> tuple[int, ColumnMap] | None:
    for index, row in enumerate(rows[:HEADER_SEARCH]):
        mapping = map_header(row.texts, vocabulary)
        if mapping is not None:
            return index, mapping
    return None


def _is_header(row: TableRow, mapping: ColumnMap) -> bool:
    return [normalise(t) for t in row.texts] == [normalise(t) for t in mapping.header]


def _number(text: str) -> int | None:
    """An item number cell: '3', '3.', '（三）' → 3; anything else None.

    >>> _number("3."), _number("十二"), _number("")
    (3, 12, None)
    """
    digits = text.strip().strip(".、．（）()")
    if digits.isdigit():
        return int(digits)
    try:
        return chinese_to_int(digits) if digits else None
    except (ValueError, KeyError):
        return None


def _renumber_restarts(builder: CatalogBuilder) -> None:
    """A list numbered afresh under each category (1, 2, 1, 2, 3) is numbered 1..N, and the
    report says so; gaps and duplicates are left for the build to report."""
    for item in builder.lists:
        indexes = [i for i, d in enumerate(builder.duties) if d.list_type is item.list_type]
        numbers = [builder.duties[i].number for i in indexes]
        restarts = any(b < a for a, b in itertools.pairwise(numbers))
        if not restarts:
            continue
        for position, index in enumerate(indexes, start=1):
            builder.duties[index] = dataclasses.replace(builder.duties[index], number=position)
        builder.inference.notes.append(
            f"{item.list_type.code}: numbering restarts within the list (printed "
            f"{', '.join(map(str, numbers))}); numbered 1..{len(numbers)} in document order"
        )
