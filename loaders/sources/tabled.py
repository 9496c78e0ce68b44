"""Helpers for the tab-led table layout shared by the Chongqing and Sichuan sources."""

from __future__ import annotations

from collections.abc import Sequence

from ..cells import Cell, NumberedRow
from ..records import Problem


def check_header(
    file: str, header: Sequence[Cell], expected: Sequence[str], problems: list[Problem]
) -> bool:
    """The header's non-empty cells must be exactly the expected column titles, in order;
    otherwise the table has a layout this parser does not know, which is an error."""
    found = [cell.value for cell in header if cell.value]
    if found != list(expected):
        line = header[0].line if header else 0
        problems.append(
            Problem(file, line, f"unknown table header {found!r}; expected {list(expected)!r}")
        )
        return False
    return True


def row_source_text(lines: Sequence[str], start: int, end: int) -> str:
    """The verbatim physical lines start..end (1-based, inclusive), trailing blanks dropped."""
    return "\n".join(lines[start - 1 : end]).rstrip()


def row_spans(rows: Sequence[NumberedRow], last_line: int) -> list[tuple[int, int]]:
    """(first, last) source line of each row: a row ends where the next one begins."""
    spans = []
    for index, row in enumerate(rows):
        first = min([row.line, *[c.line for c in row.cells]])
        end = rows[index + 1].line - 1 if index + 1 < len(rows) else last_line
        if index + 1 < len(rows) and rows[index + 1].cells:
            end = min(end, min(c.line for c in rows[index + 1].cells) - 1)
        spans.append((first, end))
    return spans


def numbers_in_sequence(
    file: str, rows: Sequence[NumberedRow], problems: list[Problem]
) -> list[tuple[str, bool, str]]:
    """The number of each row as (number, assigned, note). A row whose number was lost in the
    text gets the number between its neighbours, but only when both neighbours agree
    (previous + 2 == next); anything else is an error naming the line."""
    result: list[tuple[str, bool, str]] = []
    for index, row in enumerate(rows):
        if row.number is not None:
            result.append((row.number, False, ""))
            continue
        previous = int(rows[index - 1].number or 0) if index > 0 else 0
        following = rows[index + 1].number if index + 1 < len(rows) else None
        if following is not None and int(following) != previous + 2:
            problems.append(
                Problem(file, row.line, "item number missing and not recoverable from sequence")
            )
        number = str(previous + 1)
        note = (
            f"序号 not printed in the source (line {row.line} starts with a blank number cell); "
            f"numbered {number} from the sequence {previous} → {following or 'end'}"
        )
        result.append((number, True, note))
    return result
