"""Excel (.xlsx) as published → the neutral model, with openpyxl.

Each sheet is one table (its name first, as a line: a sheet called 依法协助事项 names its
list); title rows above the header stay in the table, where the mapper finds the header
wherever it is. A merged range's value is copied into every cell it covers, so a category
merged down five rows stands on each of them. Row locations are Excel row numbers.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from ..cells import spreadsheet_text
from .model import Cell, Document, Table, TableRow, TextLine, UnreadableFile


def read_xlsx(path: Path, display: str | None = None) -> Document:
    """Every sheet of a workbook as a line (its name) and a table."""
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    file = display or path.name
    try:
        workbook = load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as error:
        raise UnreadableFile(f"{file}: not an Excel .xlsx workbook ({error})") from None
    result = Document(file, "xlsx")
    for sheet in workbook.worksheets:
        name = f"sheet '{sheet.title}'"
        grid = [
            [Cell(spreadsheet_text(v)) for v in row] for row in sheet.iter_rows(values_only=True)
        ]
        for merged in sheet.merged_cells.ranges:
            top = grid[merged.min_row - 1][merged.min_col - 1].text
            for row in range(merged.min_row, merged.max_row + 1):
                for column in range(merged.min_col, merged.max_col + 1):
                    if (row, column) != (merged.min_row, merged.min_col):
                        grid[row - 1][column - 1] = Cell(top, merged=True)
        rows = tuple(
            TableRow(tuple(cells), f"{name}, row {number}")
            for number, cells in enumerate(grid, start=1)
        )
        result.blocks.append(TextLine(sheet.title, name))
        result.blocks.append(Table(name, rows))
    workbook.close()
    return result
