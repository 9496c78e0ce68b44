"""Shared cell and row utilities for every source layout.

The sources are text exports of Word/PDF tables. Two physical layouts occur:

* tab-separated rows, one table row per line (Ningxia district, Changzhi): ``tsv_row``;
* "tab-led" cells, one cell per line that starts with a tab, continued by following lines that
  do not (Chongqing, Sichuan): ``tab_led_cells``.

Both need the same cleaning: strip the <b>/<p> tags left by the export, drop the spaces a PDF
inserted when it wrapped a line in the middle of a Chinese phrase, and unify full/half-width
brackets. Parsers keep verbatim text for provenance and use these cleaned forms for values.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

_TAGS = re.compile(r"</?(?:b|p|strong|br)\s*/?>", re.IGNORECASE)
_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef《》〈〉“”‘’"
# A run of spaces between two CJK characters (or CJK punctuation) is a wrap artefact.
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])[ \u3000\u00a0]+(?=[{_CJK}])")
_SPACES = re.compile(r"[ \u3000\u00a0]+")


class SourceError(Exception):
    """A source file cannot be read or parsed; names the file and line."""

    def __init__(self, file: str, line: int, message: str) -> None:
        super().__init__(f"{file}:{line}: {message}")
        self.file = file
        self.line = line
        self.message = message


def spreadsheet_text(value: object) -> str:
    """An XLSX cell's value as Excel prints it, for the template reader and the import reader
    alike: whole numbers without ".0", dates as ISO dates, booleans as TRUE/FALSE.

    >>> spreadsheet_text(3.0), spreadsheet_text(None), spreadsheet_text(" 协助 ")
    ('3', '', '协助')
    >>> spreadsheet_text(True), spreadsheet_text(datetime(2024, 5, 1, 9, 30))
    ('TRUE', '2024-05-01')
    """
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def read_lines(path: Path) -> list[str]:
    """Read a source as UTF-8 lines (no line endings).

    A file in another encoding is an error naming the first line that is not UTF-8, so a
    GBK export is refused loudly instead of becoming mojibake in the graph.
    """
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        byte = data[error.start]
        message = f"not UTF-8 (byte 0x{byte:02x}); re-save the file as UTF-8"
        raise SourceError(path.name, line, message) from None
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def strip_tags(text: str) -> str:
    """Remove the <b>, <p> (and similar) tags left by the HTML export."""
    return _TAGS.sub(" ", text)


def clean(text: str) -> str:
    """The value of a cell: tags removed, wrap spaces inside Chinese dropped, runs of spaces
    collapsed, trimmed. Brackets are kept as printed (use ``fold_noise`` to compare copies)."""
    text = strip_tags(text)
    text = _SPACE_IN_CJK.sub("", text)
    text = _SPACES.sub(" ", text)
    # "1. xx" keeps its space; spaces around CJK brackets are wrap noise too.
    text = re.sub(r"\s*([（）《》〈〉])\s*", r"\1", text)
    return text.strip()


def join_wrapped(parts: Sequence[str]) -> str:
    """Join a cell's physical lines: a break right after a Chinese character (not after
    punctuation) and before Chinese text is a wrap and disappears; other breaks are kept."""
    out = ""
    for part in parts:
        part = part.rstrip()
        if not part:
            continue
        if out and re.search(r"[\u4e00-\u9fff]$", out) and re.match(rf"^[{_CJK}]", part):
            out += part
        elif out:
            out += "\n" + part
        else:
            out = part
    return out


def fold_noise(text: str) -> str:
    """A comparison key that ignores formatting noise: tags, all spacing, and the
    full-/half-width forms of brackets and punctuation (NFKC)."""
    text = strip_tags(text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


_NUMBER_PREFIX = re.compile(r"^\s*(\d+)\s*[.．、]\s*")


def split_number_prefix(text: str) -> tuple[str | None, str]:
    """'1.加强党建引领' → ('1', '加强党建引领'); text without a number → (None, text)."""
    match = _NUMBER_PREFIX.match(text)
    if not match:
        return None, text
    return match.group(1), text[match.end() :]


_DECLARED = re.compile(r"[（(]\s*(\d+)\s*项\s*[）)]")


def declared_count(text: str) -> tuple[str, int | None]:
    """'一、党的建设 （3项）' → ('一、党的建设', 3); a heading without a count → (text, None)."""
    match = _DECLARED.search(text)
    if not match:
        return clean(text), None
    return clean(text[: match.start()] + text[match.end() :]), int(match.group(1))


def tsv_row(line: str) -> list[str]:
    """The raw cells of a tab-separated row (uncleaned, so provenance stays verbatim)."""
    return line.split("\t")


@dataclass
class Cell:
    """One tab-led cell: its text lines and the source line where it starts."""

    line: int
    parts: list[str]
    lead: str = ""  # non-tab text printed before the tab on the starting line (e.g. " ")
    text_line: int | None = None  # first line with text (a number may follow a blank tab)

    @property
    def text(self) -> str:
        return join_wrapped(self.parts)

    @property
    def value(self) -> str:
        return clean(self.text)

    @property
    def raw(self) -> str:
        return "\n".join(self.parts)


def tab_led_cells(lines: Sequence[str], start: int = 0, end: int | None = None) -> Iterator[Cell]:
    """Cells of a 'tab-led' table: a line that contains a tab starts a new cell with the text
    after the tab; a line without a tab continues the current cell; blank lines are ignored.

    Line numbers are 1-based. Text before the first tab of a starting line (normally empty) is
    kept in ``lead``: Chongqing prints a lost item number as a single space there.
    """
    current: Cell | None = None
    stop = len(lines) if end is None else end
    for index in range(start, stop):
        line = lines[index]
        number = index + 1
        if "\t" in line:
            lead, _, rest = line.partition("\t")
            # A row of several tabs on one line: each further tab starts another cell.
            pieces = rest.split("\t")
            if current is not None:
                yield current
            for piece in pieces[:-1]:
                yield _cell(number, piece, lead)
                lead = ""
            current = _cell(number, pieces[-1], lead)
        elif line.strip():
            if current is None:
                current = Cell(number, [line], text_line=number)
            else:
                current.parts.append(line)
                current.text_line = current.text_line or number
    if current is not None:
        yield current


def _cell(number: int, piece: str, lead: str) -> Cell:
    if piece.strip():
        return Cell(number, [piece], lead, text_line=number)
    return Cell(number, [], lead)


_INTEGER = re.compile(r"^\d{1,4}$")


@dataclass
class NumberedRow:
    """A table row of a tab-led layout: the printed number (None when the number cell is
    blank) and the cells that follow it up to the next row."""

    number: str | None
    line: int
    cells: list[Cell]

    @property
    def last_line(self) -> int:
        last = self.line
        for cell in self.cells:
            last = max(last, cell.line + max(len(cell.parts) - 1, 0))
        return last


def group_numbered_rows(cells: Sequence[Cell]) -> tuple[list[Cell], list[NumberedRow]]:
    """Group tab-led cells into rows that each start with a number cell.

    Returns (cells before the first row — the header —, rows). A cell whose value is a bare
    integer starts a row. A cell printed after a whitespace-only lead (" \\t名称") also starts
    a row whose number was lost in the text; its number is None and the cell itself is the
    row's first content cell. Parsers number such rows from the sequence and say so.
    """
    header: list[Cell] = []
    rows: list[NumberedRow] = []
    for cell in cells:
        value = cell.value
        if _INTEGER.match(value):
            rows.append(NumberedRow(value, cell.text_line or cell.line, []))
        elif cell.lead and not cell.lead.strip() and rows:
            rows.append(NumberedRow(None, cell.line, [cell]))
        elif rows:
            rows[-1].cells.append(cell)
        else:
            header.append(cell)
    return header, rows
