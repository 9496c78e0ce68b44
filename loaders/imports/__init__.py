"""Catalogs as governments publish them (Word, Excel, web page, PDF, numbered text) → the
catalog template (data/catalogs/README.md), for ``cdkg import``.

One pure reader per format turns the file into the neutral model of :mod:`.model` (lines and
tables, every cell and row with its place in the original); one mapper (:mod:`.mapper`, with
:mod:`.numbered` for numbered text) turns that into lists of duties and a report of everything
it inferred; :mod:`.catalog` writes the template rows. Column names and list headings come
from the reviewed data/registers/import-headers.csv.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .excel import read_xlsx
from .model import Document, UnreadableFile
from .pdf import read_pdf
from .text import read_text
from .webpage import read_html
from .word import read_docx

READERS: dict[str, Callable[[Path, str | None], Document]] = {
    ".docx": read_docx,
    ".xlsx": read_xlsx,
    ".html": read_html,
    ".htm": read_html,
    ".pdf": read_pdf,
    ".txt": read_text,
    ".md": read_text,
}


def read_published(path: Path, display: str | None = None) -> Document:
    """The file read by the reader its suffix names; :class:`UnreadableFile` otherwise."""
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        known = " ".join(sorted(READERS))
        raise UnreadableFile(
            f"{display or path.name}: cannot import a {path.suffix or 'suffix-less'} file "
            f"(known: {known}); a .doc or .xls must be saved as .docx/.xlsx first"
        )
    return reader(path, display)
