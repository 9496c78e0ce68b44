"""The neutral model every published format is read into: text lines and tables, each cell
and row with where it stands in the original.

A reader (Word, Excel, web page, PDF, numbered text) only has to say what the document shows,
in order: a line of text (a paragraph, a title row, a line of a text file) or a table (rows of
cells, merged cells already expanded into every cell they cover). Deciding what is a list
heading, a header, a category or a duty is the mapper's job (:mod:`.mapper`), once for all
formats, so that the same catalog gives the same duties whatever it was published as.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Cell:
    """One cell's text; ``merged`` when the text was copied in from a merged cell that covers
    this one (gridSpan/vMerge, colspan/rowspan, an Excel merge), so the mapper can say so."""

    text: str
    merged: bool = False


@dataclass(frozen=True)
class TableRow:
    """A row of a table and its place in the original, e.g. "table 2, row 5"."""

    cells: tuple[Cell, ...]
    location: str

    @property
    def texts(self) -> tuple[str, ...]:
        return tuple(cell.text for cell in self.cells)

    @property
    def blank(self) -> bool:
        return not any(cell.text.strip() for cell in self.cells)


@dataclass(frozen=True)
class Table:
    """A table as published: ``name`` says which ("table 2", "sheet '协助'", "page 3,
    table 1"); ``soft_wraps`` when line breaks inside cells may be mere line wrapping (PDF),
    not breaks the author typed."""

    name: str
    rows: tuple[TableRow, ...]
    soft_wraps: bool = False


@dataclass(frozen=True)
class TextLine:
    """A line of text outside tables (a paragraph, a line of a text file) and its place,
    e.g. "paragraph 4", "line 12", "page 2, line 5"."""

    text: str
    location: str


Block = Table | TextLine


@dataclass
class Document:
    """A published file read into blocks, in reading order."""

    file: str
    format: str  # "docx", "xlsx", "html", "pdf", "text"
    blocks: list[Block] = field(default_factory=list)

    def lines(self) -> list[TextLine]:
        """The text lines only (for metadata: title, document number, issuer, date)."""
        return [block for block in self.blocks if isinstance(block, TextLine)]

    def tables(self) -> list[Table]:
        return [block for block in self.blocks if isinstance(block, Table)]


class UnreadableFile(ValueError):
    """A published file cannot be imported; the message names the file and what to do."""


def expand_grid(
    spans: list[list[tuple[str, int, int]]],
) -> list[list[Cell]]:
    """Rows of (text, colspan, rowspan) cells → a rectangular grid, every covered position
    holding the merged cell's text (marked ``merged``); the HTML and PDF readers share it.

    >>> grid = expand_grid([[("类别", 1, 1), ("事项", 1, 1)], [("治安", 1, 2), ("甲", 1, 1)],
    ...                     [("乙", 1, 1)], [("标题", 2, 1)]])
    >>> [[(c.text, c.merged) for c in row] for row in grid]  # doctest: +NORMALIZE_WHITESPACE
    [[('类别', False), ('事项', False)], [('治安', False), ('甲', False)],
     [('治安', True), ('乙', False)], [('标题', False), ('标题', True)]]
    """
    grid: list[list[Cell | None]] = []
    for row_index, row in enumerate(spans):
        while len(grid) <= row_index:
            grid.append([])
        column = 0
        for text, colspan, rowspan in row:
            current = grid[row_index]
            while column < len(current) and current[column] is not None:
                column += 1
            for down in range(max(rowspan, 1)):
                while len(grid) <= row_index + down:
                    grid.append([])
                target = grid[row_index + down]
                for across in range(max(colspan, 1)):
                    while len(target) <= column + across:
                        target.append(None)
                    target[column + across] = Cell(text, merged=bool(down or across))
            column += max(colspan, 1)
    width = max((len(row) for row in grid), default=0)
    return [[cell or Cell("") for cell in row] + [Cell("")] * (width - len(row)) for row in grid]
