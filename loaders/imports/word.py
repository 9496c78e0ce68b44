"""Word (.docx) → the neutral model, with python-docx.

The body is read in order: paragraphs (list headings, counts, the notice's title and number)
and tables. In a table a horizontally merged cell (``w:gridSpan``) and a vertically merged one
(``w:vMerge``) are expanded into every grid position they cover, so a category printed once
beside three rows stands on each of them; line breaks inside a cell (paragraphs or ``w:br``)
are kept as newlines.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from .model import Cell, Document, Table, TableRow, TextLine, UnreadableFile


def read_docx(path: Path, display: str | None = None) -> Document:
    """Every paragraph and table of a .docx, in reading order."""
    from docx import Document as open_docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table as DocxTable

    file = display or path.name
    try:
        document = open_docx(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise UnreadableFile(f"{file}: not a Word .docx document ({error})") from None
    result = Document(file, "docx")
    paragraphs = tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, DocxTable):
            tables += 1
            result.blocks.append(_table(item, f"table {tables}"))
        else:
            paragraphs += 1
            text = item.text.strip()
            if text:
                result.blocks.append(TextLine(text, f"paragraph {paragraphs}"))
    return result


def _table(table: object, name: str) -> Table:
    """A table's grid with merged cells expanded (see the module docstring)."""
    from docx.table import _Cell

    rows: list[TableRow] = []
    above: list[Cell] = []
    for number, tr in enumerate(table._tbl.tr_lst, start=1):  # type: ignore[attr-defined]
        cells: list[Cell] = []
        for tc in tr.tc_lst:
            column = len(cells)
            if tc.vMerge == "continue":
                first = Cell(above[column].text if column < len(above) else "", merged=True)
            else:
                first = Cell(_Cell(tc, table).text.strip())  # type: ignore[arg-type]
            cells.append(first)
            cells.extend(Cell(first.text, merged=True) for _ in range(tc.grid_span - 1))
        rows.append(TableRow(tuple(cells), f"{name}, row {number}"))
        above = cells
    return Table(name, tuple(rows))
