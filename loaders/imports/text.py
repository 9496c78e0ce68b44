"""A plain-text or Markdown notice (.txt/.md) → the neutral model: one line per line of the
file, located by its line number. UTF-8 only (a GBK file is refused naming the first bad
line, as for every source), so no mojibake reaches the catalog."""

from __future__ import annotations

from pathlib import Path

from ..cells import SourceError, read_lines
from .model import Document, TextLine, UnreadableFile


def read_text(path: Path, display: str | None = None) -> Document:
    """Every non-blank line of the file."""
    file = display or path.name
    try:
        lines = read_lines(path)
    except SourceError as error:
        raise UnreadableFile(f"{file}:{error.line}: {error.message}") from None
    document = Document(file, "text")
    document.blocks.extend(
        TextLine(text.strip(), f"line {number}")
        for number, text in enumerate(lines, start=1)
        if text.strip()
    )
    return document
