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

from .model import Document, UnreadableFile

Reader = Callable[[Path, str | None], Document]
SUFFIXES = (".docx", ".xlsx", ".html", ".htm", ".pdf", ".txt", ".md")
"""The kinds of file a reader exists for."""


def reader_for(suffix: str) -> Reader | None:
    """The reader of files with ``suffix`` (None: no reader). A reader's module (python-docx,
    pdfplumber, lxml, openpyxl) is imported when a file of its kind is read, so that code which
    needs only this package's vocabulary (the list-heading names the query resolver uses)
    loads none of them.

    >>> reader_for(".docx").__name__, reader_for(".doc")
    ('read_docx', None)
    """
    if suffix == ".docx":
        from .word import read_docx

        return read_docx
    if suffix == ".xlsx":
        from .excel import read_xlsx

        return read_xlsx
    if suffix in (".html", ".htm"):
        from .webpage import read_html

        return read_html
    if suffix == ".pdf":
        from .pdf import read_pdf

        return read_pdf
    if suffix in (".txt", ".md"):
        from .text import read_text

        return read_text
    return None


def read_published(path: Path, display: str | None = None) -> Document:
    """The file read by the reader its suffix names; :class:`UnreadableFile` otherwise."""
    reader = reader_for(path.suffix.lower())
    if reader is None:
        known = " ".join(sorted(SUFFIXES))
        raise UnreadableFile(
            f"{display or path.name}: cannot import a {path.suffix or 'suffix-less'} file "
            f"(known: {known}); a .doc or .xls must be saved as .docx/.xlsx first"
        )
    return reader(path, display)
