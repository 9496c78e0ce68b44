"""A web page (.html/.htm) → the neutral model, with lxml's HTML parser.

lxml rather than html5lib: python-docx needs lxml already, and libxml2's parser is fast and
tolerant of the broken markup government sites publish (unclosed cells, stray tags); html5lib
is a second, pure-Python parser that would add nothing the tables here need.

Every ``<table>`` becomes a table with ``rowspan``/``colspan`` expanded; text outside tables
becomes lines (block elements and ``<br>`` end a line), located by their line in the HTML
source, so a page without a table is read as numbered text. The encoding is UTF-8 when the
bytes are UTF-8, else the page's declared charset, else GB18030 (a superset of GBK/GB2312).
"""

from __future__ import annotations

import re
from pathlib import Path

from .model import Document, Table, TableRow, TextLine, UnreadableFile, expand_grid

_BLOCKS = frozenset(
    {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section", "article"}
    | {"header", "footer", "blockquote", "pre", "tr"}
)
_SKIP = frozenset({"script", "style", "head", "title", "noscript", "template"})
_CHARSET = re.compile(rb"""charset\s*=\s*["']?([A-Za-z0-9_-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\f\v\u00a0]+")


def _encoding(data: bytes) -> str:
    """UTF-8 if the bytes decode as such, else the declared charset, else GB18030.

    >>> _encoding("依据".encode("gbk")), _encoding("依据".encode())
    ('gb18030', 'utf-8')
    """
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        declared = _CHARSET.search(data[:4096])
        name = declared.group(1).decode("ascii").lower() if declared else "gb18030"
        return "gb18030" if name in ("gbk", "gb2312", "gb18030", "utf-8") else name


def read_html(path: Path, display: str | None = None) -> Document:
    """Every table and every line of text outside tables, in document order."""
    import lxml.html
    from lxml import etree

    file = display or path.name
    data = path.read_bytes()
    try:
        parser = lxml.html.HTMLParser(encoding=_encoding(data))
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, LookupError, ValueError) as error:
        raise UnreadableFile(f"{file}: not a readable HTML page ({error})") from None
    walker = _Walker(Document(file, "html"))
    body = root.find("body")
    walker.walk(body if body is not None else root)
    walker.flush()
    return walker.document


class _Walker:
    """Collects lines and tables in document order."""

    def __init__(self, document: Document) -> None:
        self.document = document
        self.buffer: list[str] = []
        self.line = 0
        self.tables = 0

    def flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self.buffer)).strip()
        if text:
            self.document.blocks.append(TextLine(text, f"line {self.line}"))
        self.buffer = []

    def add(self, text: str | None, line: int | None) -> None:
        if text and text.strip():
            if not "".join(self.buffer).strip():
                self.line = line or self.line
            self.buffer.append(text.replace("\n", " "))

    def walk(self, element: object) -> None:
        tag = getattr(element, "tag", None)
        if not isinstance(tag, str) or tag in _SKIP:  # comments, processing instructions
            self.add(getattr(element, "tail", None), getattr(element, "sourceline", None))
            return
        line = element.sourceline  # type: ignore[attr-defined]
        if tag == "table":
            self.flush()
            self.tables += 1
            self.document.blocks.append(_table(element, f"table {self.tables}"))
        elif tag == "br":
            self.flush()
        else:
            block = tag in _BLOCKS
            if block:
                self.flush()
            self.add(element.text, line)  # type: ignore[attr-defined]
            for child in element:  # type: ignore[attr-defined]
                self.walk(child)
            if block:
                self.flush()
        self.add(element.tail, line)  # type: ignore[attr-defined]


def _cell_text(element: object) -> str:
    """A cell's text with ``<br>`` and block elements as line breaks."""
    lines: list[str] = [""]

    def walk(node: object, top: bool) -> None:
        tag = getattr(node, "tag", None)
        if isinstance(tag, str) and tag not in _SKIP:
            if tag == "br" or (tag in _BLOCKS and lines[-1].strip()):
                lines.append("")
            lines[-1] += node.text or ""  # type: ignore[attr-defined]
            for child in node:  # type: ignore[attr-defined]
                walk(child, False)
            if tag in _BLOCKS and lines[-1].strip():
                lines.append("")
        if not top:
            lines[-1] += getattr(node, "tail", None) or ""

    walk(element, True)
    return "\n".join(t for t in (_SPACE.sub(" ", line).strip() for line in lines) if t)


def _span(element: object, name: str) -> int:
    value = str(element.get(name, "1")).strip()  # type: ignore[attr-defined]
    return int(value) if value.isdigit() and int(value) > 0 else 1


def _table(table: object, name: str) -> Table:
    rows = table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")  # type: ignore[attr-defined]
    spans = [
        [
            (_cell_text(cell), _span(cell, "colspan"), _span(cell, "rowspan"))
            for cell in row.xpath("./td|./th")
        ]
        for row in rows
    ]
    grid = expand_grid(spans)
    return Table(
        name,
        tuple(
            TableRow(tuple(cells), f"{name}, row {number}")
            for number, cells in enumerate(grid, start=1)
        ),
    )
