"""A named query's page for people: parameters as choices, results as a table of labels.

* Parameters: a jurisdiction parameter is a list of the store's jurisdictions by name with
  their code; a value from the URL may be the code (``500000``), the IRI or the Chinese name
  (``重庆市``). A value that names nothing answers in Chinese and English with the closest
  names ("did you mean").
* Results: one column per variable, headed by its label from ``cdkg.queries.columns`` (never
  the variable's name); a column ``x`` with a column ``xLabel`` is one column, the IRI shown by
  its label; numbers are numbers, text has no quotes or language tags, IRIs under the instance
  base link to their pages. The same table downloads as XLSX (numbers as numbers, no live
  formula) and CSV with a byte-order mark.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.styles import Font
from rdflib import Literal, URIRef
from rdflib.term import Node

from cdkg.queries.columns import column_label, label_columns
from cdkg.queries.library import NamedQuery, Param
from cdkg.server.reports.spreadsheet import append_row, csv_cell

from .store import QueryOptions, Store

JURISDICTIONS_QUERY = """
PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?j ?label WHERE {
  { ?catalog cd:jurisdiction ?j } UNION { ?j a cd:Jurisdiction } UNION { ?x cd:partOf ?j }
  ?j rdfs:label ?label FILTER(lang(?label) = "zh" || lang(?label) = "")
}
"""


@dataclass(frozen=True)
class Choice:
    """One value a parameter may take, as a person recognises it."""

    value: str
    label: str
    code: str = ""


def jurisdiction_choices(store: Store, timeout_s: float | None = None) -> list[Choice]:
    """The jurisdictions of the store (those with a catalog and those holding one), by
    code, with their Chinese names."""
    rows = store.select(JURISDICTIONS_QUERY, QueryOptions(timeout_s=timeout_s))
    seen: dict[str, Choice] = {}
    for row in rows:
        iri = str(row["j"])
        seen.setdefault(iri, Choice(iri, str(row["label"]), iri.rstrip("/").rsplit("/", 1)[-1]))
    return sorted(seen.values(), key=lambda c: c.code)


def choices_for(param: Param, jurisdictions: Sequence[Choice]) -> list[Choice] | None:
    """The list a parameter is chosen from, or None for a free value."""
    if param.type == "iri" and param.name.endswith("jurisdiction"):
        return list(jurisdictions)
    return None


class ParamError(ValueError):
    """A value that names nothing: the message is Chinese, then English."""


def resolve_choice(param: Param, raw: str, choices: Sequence[Choice]) -> str:
    """The IRI a person's ``raw`` value means among ``choices``: the IRI itself, a code or a
    name. Stands in for the one parameter resolver shared with ``cdkg query`` (the data
    side's), until that lands.

    >>> c = [Choice("https://w3id.org/cdkg/id/jurisdiction/500000", "重庆市", "500000")]
    >>> p = Param("jurisdiction", "iri", "<x>")
    >>> resolve_choice(p, "500000", c) == resolve_choice(p, "重庆市", c) == c[0].value
    True
    >>> try:
    ...     resolve_choice(p, "重庆", c)
    ... except ParamError as error:
    ...     print(str(error).replace(" · ", "\\n"))
    参数 jurisdiction：没有“重庆”。您是不是要找：重庆市（500000）？
    parameter jurisdiction: no such value 重庆; did you mean 重庆市 (500000)?
    """
    value = raw.strip()
    for choice in choices:
        if value in (choice.value, choice.code, choice.label):
            return choice.value
    if "://" in value:
        return value  # an IRI not in the list: the library checks it as an IRI
    names = {choice.label: choice for choice in choices}
    close = difflib.get_close_matches(value, list(names), n=3, cutoff=0.3)
    close += [c.label for c in choices if value and value in c.label and c.label not in close]
    shown = [f"{names[n].label}（{names[n].code}）" for n in close[:3]]
    shown_en = [f"{names[n].label} ({names[n].code})" for n in close[:3]]
    zh = f"参数 {param.name}：没有“{value}”。"
    en = f"parameter {param.name}: no such value {value}"
    if shown:
        zh += f"您是不是要找：{'、'.join(shown)}？"
        en += f"; did you mean {', '.join(shown_en)}?"
    else:
        zh += f"可选：{'、'.join(c.label for c in choices[:12])}。"
        en += "; choose one from the list"
    raise ParamError(f"{zh} · {en}")


def resolve_values(
    query: NamedQuery, given: Mapping[str, str], jurisdictions: Sequence[Choice]
) -> dict[str, str]:
    """``given`` (from the URL) with every listed parameter's value turned into its IRI."""
    values = dict(given)
    for param in query.params:
        choices = choices_for(param, jurisdictions)
        if choices is not None and param.name in values:
            values[param.name] = resolve_choice(param, values[param.name], choices)
    return values


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
