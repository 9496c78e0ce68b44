"""A named query's answer for people: a table of labels, and that table as XLSX and CSV.

(Parameters are resolved by ``cdkg.queries.resolver``, the one resolver of every door; an
answer is paged by ``cdkg.queries.paging``.)

* one column per variable, headed by its label from ``cdkg.queries.columns`` (never
  the variable's name); a column ``x`` with a column ``xLabel`` is one column, the IRI shown by
  its label; numbers are numbers, text has no quotes or language tags, IRIs under the instance
  base link to their pages. The same table downloads as XLSX (numbers as numbers, no live
  formula) and CSV with a byte-order mark.
* the page shows one page of rows (``DEFAULT_PAGE_SIZE``, or ``limit``) with links to the
  previous and next page, its number and the rows it holds (:class:`Pager`); the downloads
  give the whole answer.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from rdflib import XSD, Literal, URIRef
from rdflib.term import Node

from cdkg.queries.columns import column_label, label_columns
from cdkg.queries.paging import Page
from cdkg.server.reports.spreadsheet import append_row, csv_cell

# --- the result table ----------------------------------------------------------------------

_SELECT = re.compile(r"\bSELECT\b(.*?)(?:\bWHERE\b|\{)", re.IGNORECASE | re.DOTALL)
_ALIAS = re.compile(r"\(.*?\bAS\s+[?$](\w+)\s*\)", re.IGNORECASE | re.DOTALL)


def projection(text: str) -> list[str]:
    """The variables a SELECT's first projection names, in order ([] for ``SELECT *``);
    comment lines are skipped.

    >>> projection("# ?x\\nSELECT DISTINCT ?a (COUNT(?b) AS ?n) ?c WHERE { }")
    ['a', 'n', 'c']
    """
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    found = _SELECT.search(body)
    if found is None:
        return []
    clause = _ALIAS.sub(lambda m: f" ?{m.group(1)} ", found.group(1))
    return list(dict.fromkeys(re.findall(r"[?$](\w+)", clause)))


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    en: str
    numeric: bool = False


@dataclass(frozen=True)
class Cell:
    text: str = ""
    href: str | None = None
    number: int | float | None = None


@dataclass
class Table:
    """Rows of a SELECT ready for people: labelled columns, plain cells."""

    columns: list[Column] = field(default_factory=list)
    rows: list[list[Cell]] = field(default_factory=list)


_NUMERIC = ("integer", "decimal", "double", "float", "int", "long", "short", "byte")


def plain_number(term: Node) -> int | float | None:
    """The number a literal holds, or None for anything else.

    >>> from rdflib.namespace import XSD
    >>> plain_number(Literal("4", datatype=XSD.integer)), plain_number(Literal("4"))
    (4, None)
    """
    if not isinstance(term, Literal) or term.datatype is None:
        return None
    if not str(term.datatype).rsplit("#", 1)[-1].endswith(_NUMERIC):
        return None
    value = term.toPython()
    if isinstance(value, bool) or not isinstance(value, int | float):
        try:
            return float(value)
        except (TypeError, ValueError):
            return None
    return value


def result_table(
    names: Sequence[str], rows: Sequence[Mapping[str, Node]], link: Callable[[str], str | None]
) -> Table:
    """The table people see of a SELECT's ``rows`` (see the module docstring)."""
    folded = label_columns(names)
    shown = [name for name in names if name not in set(folded.values())]
    table = Table()
    numeric = {
        name: bool(rows) and all(plain_number(r[name]) is not None for r in rows if name in r)
        for name in shown
    }
    for name in shown:
        zh, en = column_label(name)
        table.columns.append(Column(name, zh, en, numeric[name] and any(name in r for r in rows)))
    for row in rows:
        cells = []
        for name in shown:
            term = row.get(name)
            if term is None:
                cells.append(Cell())
                continue
            label = row.get(folded[name]) if name in folded else None
            if isinstance(term, URIRef):
                href = link(str(term))
                cells.append(Cell(str(label) if label is not None else str(term), href))
            elif isinstance(term, Literal) and term.datatype == XSD.boolean:
                cells.append(Cell("是" if term.toPython() is True else "否"))
            else:
                cells.append(Cell(str(term), None, plain_number(term)))
        table.rows.append(cells)
    return table


def table_csv(table: Table) -> bytes:
    """The table as CSV for spreadsheets: UTF-8 with a BOM, Chinese headers, CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.zh for c in table.columns])
    for row in table.rows:
        writer.writerow(
            [csv_cell(cell.number if cell.number is not None else cell.text) for cell in row]
        )
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def table_xlsx(table: Table, title: str) -> bytes:
    """The table as an XLSX workbook: bold Chinese header, numbers as numbers, text as text."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = re.sub(r"[\[\]:*?/\\]", "", title)[:31] or "result"
    append_row(sheet, [c.zh for c in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        append_row(sheet, [cell.number if cell.number is not None else cell.text for cell in row])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- pages of the answer -------------------------------------------------------------------


@dataclass(frozen=True)
class Pager:
    """Where a page of rows is in the answer, for the page's navigation (上一页/下一页)."""

    number: int
    first_row: int
    last_row: int
    previous_href: str | None
    next_href: str | None


def pager(page: Page, shown: int, more: bool, href: Callable[[Page], str]) -> Pager | None:
    """The navigation of ``page`` holding ``shown`` rows, ``more`` when rows follow it;
    ``href`` is a page's URL. None for a whole answer that fits on its first page.

    >>> nav = pager(Page(100, 100), 37, False, lambda p: f"?offset={p.offset}")
    >>> (nav.number, nav.first_row, nav.last_row, nav.previous_href, nav.next_href)
    (2, 101, 137, '?offset=0', None)
    >>> pager(Page(100, 0), 37, False, str) is None
    True
    """
    before = page.previous()
    if before is None and not more:
        return None
    return Pager(
        number=page.number,
        first_row=page.first_row,
        last_row=page.last_row(shown),
        previous_href=href(before) if before is not None else None,
        next_href=href(page.next()) if more else None,
    )
