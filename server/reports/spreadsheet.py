"""Cells a spreadsheet shows as text: no live formula is ever made of catalog text.

A catalog row named ``=HYPERLINK("http://…","点击")`` is data. Written as it is into a CSV
file, Excel, LibreOffice and Google Sheets evaluate it as a formula when the file is opened
(CSV or formula injection); written into an XLSX cell by openpyxl, which stores any ``str``
starting with "=" as a formula, it is a live formula in the workbook itself. Following
OWASP's CSV-injection guidance, a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab
or a carriage return is:

* in CSV, prefixed with an apostrophe — spreadsheets show the cell as text, and a person
  still reads the value (the apostrophe is the spreadsheet's own mark for "text");
* in XLSX, kept as it is but stored with the cell type string (``data_type = "s"``), so the
  workbook holds text, not a formula; nothing is added to the value.

Numbers stay numbers in both. Every CSV/XLSX writer of the project goes through
:func:`csv_cell` and :func:`append_row`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""What a spreadsheet may take for the start of a formula (OWASP, CSV Injection)."""
TEXT_MARK = "'"


def looks_like_formula(value: object) -> bool:
    """Whether a spreadsheet could read ``value`` as a formula.

    >>> looks_like_formula('=HYPERLINK("http://127.0.0.1/x","点击")'), looks_like_formula("协助")
    (True, False)
    >>> looks_like_formula(-3), looks_like_formula("-3")
    (False, True)
    """
    return isinstance(value, str) and value.startswith(FORMULA_STARTS)


def csv_cell(value: object) -> object:
    """``value`` as a CSV writer should get it: None as empty, formula-like text behind an
    apostrophe, everything else (numbers included) unchanged.

    >>> csv_cell("@SUM(A1)"), csv_cell(6), csv_cell(None), csv_cell("禁毒")
    ("'@SUM(A1)", 6, '', '禁毒')
    """
    if value is None:
        return ""
    if looks_like_formula(value):
        return TEXT_MARK + str(value)
    return value


def append_row(sheet: Any, values: Iterable[object]) -> None:
    """Append ``values`` as the next row of an openpyxl worksheet, text cells typed as text.

    >>> from openpyxl import Workbook
    >>> sheet = Workbook().active
    >>> append_row(sheet, ["=1+1", 2])
    >>> [(c.value, c.data_type) for c in sheet[1]]
    [('=1+1', 's'), (2, 'n')]
    """
    row = list(values)
    sheet.append(row)
    for cell, value in zip(sheet[sheet.max_row], row, strict=False):
        if isinstance(value, str):
            cell.data_type = "s"
