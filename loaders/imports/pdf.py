"""A PDF with a text layer → the neutral model, with pdfplumber.

Each page's ruled tables become tables (a cell merged across rows or columns is copied into
every position it covers, found by its box); the text outside them becomes lines, in reading
order with the tables, so a PDF without tables is read as numbered text. Line breaks inside a
PDF cell are mostly the renderer's wrapping, so its tables say ``soft_wraps`` and the mapper
joins wrapped lines. A PDF with no text at all is a scan: refused, since reading it would need
OCR, which this project does not guess at.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .model import Block, Cell, Document, Table, TableRow, TextLine, UnreadableFile

SCANNED = (
    "has no text layer (a scanned image?): run OCR on it first (e.g. ocrmypdf) or use the "
    "Word/Excel/web version of the catalog"
)


def read_pdf(path: Path, display: str | None = None) -> Document:
    """Tables and text lines of every page, in reading order."""
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    file = display or path.name
    result = Document(file, "pdf")
    try:
        with pdfplumber.open(path) as pdf:
            if not any(page.chars for page in pdf.pages):
                raise UnreadableFile(f"{file}: {SCANNED}")
            count = 0
            for number, page in enumerate(pdf.pages, start=1):
                blocks, count = _page(page, number, count)
                result.blocks.extend(blocks)
    except (PDFSyntaxError, PdfminerException) as error:
        raise UnreadableFile(f"{file}: not a readable PDF ({error})") from None
    return result


def _page(page: Any, number: int, count: int) -> tuple[list[Block], int]:
    """One page's tables and lines ordered by their top edge; ``count`` numbers tables
    across the document."""
    placed: list[tuple[float, Block]] = []
    found = page.find_tables()
    boxes = [table.bbox for table in found]
    for table in found:
        count += 1
        placed.append((table.bbox[1], _table(table, f"page {number}, table {count}")))

    def outside(obj: dict[str, Any]) -> bool:
        middle_x = (obj.get("x0", 0) + obj.get("x1", 0)) / 2
        middle_y = (obj.get("top", 0) + obj.get("bottom", 0)) / 2
        return not any(x0 <= middle_x <= x1 and t <= middle_y <= b for x0, t, x1, b in boxes)

    lines = page.filter(outside).extract_text_lines(return_chars=False)
    for index, line in enumerate(lines, start=1):
        if line["text"].strip():
            text = TextLine(line["text"].strip(), f"page {number}, line {index}")
            placed.append((line["top"], text))
    placed.sort(key=lambda item: item[0])
    return [block for _, block in placed], count


def _table(table: Any, name: str) -> Table:
    """A pdfplumber table with merged cells expanded by their boxes."""
    texts = table.extract()
    by_box: dict[tuple[float, ...], str] = {}
    for row, row_texts in zip(table.rows, texts, strict=True):
        for box, text in zip(row.cells, row_texts, strict=True):
            if box is not None:
                by_box[tuple(box)] = (text or "").strip()
    rows: list[TableRow] = []
    for index, row in enumerate(table.rows, start=1):
        cells: list[Cell] = []
        top = row.bbox[1]
        for position, box in enumerate(row.cells):
            if box is not None:
                cells.append(Cell(by_box[tuple(box)]))
                continue
            x = _column_x(table, position)
            cover = next(
                (b for b in by_box if b[0] <= x < b[2] and b[1] <= top + 0.5 < b[3]),
                None,
            )
            cells.append(Cell(by_box[cover], merged=True) if cover else Cell(""))
        rows.append(TableRow(tuple(cells), f"{name}, row {index}"))
    return Table(name, tuple(rows), soft_wraps=True)


def _column_x(table: Any, position: int) -> float:
    """A point inside grid column ``position`` (the left edge of its first cell, nudged)."""
    column = table.columns[position]
    left = min(box[0] for box in column.cells if box is not None)
    return float(left) + 0.5
