"""Paging a named query's answer: ``limit`` and ``offset``, the same at every door.

Some questions have an answer as large as the data (a row per duty, or per jurisdiction and
topic: 558k rows at 3,000 jurisdictions). People read them a page at a time: the query page
shows the first ``DEFAULT_PAGE_SIZE`` rows with links to the next, ``cdkg query`` takes
``--limit/--offset`` and ``/queries/NAME`` takes ``?limit=&offset=`` in every format.

The library's files stay as they are (portable SPARQL, each with a top-level ``ORDER BY``
that orders the rows totally, so that pages never overlap or skip a row); a page is the file's
text with ``LIMIT n OFFSET m`` appended after its solution modifiers — written by this
module from validated integers, so a value can never add SPARQL of its own. A query that
already ends in LIMIT, OFFSET or a trailing VALUES, or has no ORDER BY, is refused: its pages
would not be defined.

>>> window = parse_page("7", "14")
>>> window.number, window.first_row, window.last_row(7)
(3, 15, 21)
>>> paged("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", window).splitlines()[-2:]
['LIMIT 7', 'OFFSET 14']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "DEFAULT_PAGE_SIZE",
    "MAX_OFFSET",
    "MAX_PAGE_SIZE",
    "PAGE_PARAMS",
    "Page",
    "PageError",
    "paged",
    "parse_page",
    "refusal",
    "solution_modifiers",
]

PAGE_PARAMS = ("limit", "offset")
"""The names paging takes at every door; no named query may declare a parameter so named."""
DEFAULT_PAGE_SIZE = 100
"""Rows the query page shows at a time when ``limit`` is not given."""
MAX_PAGE_SIZE = 10_000
"""The largest page: a whole answer is asked for by giving no ``limit`` (downloads)."""
MAX_OFFSET = 1_000_000_000

_INTEGER = re.compile(r"^\s*[0-9]{1,10}\s*$")
# What can hide a brace or a keyword: strings (long ones first), IRIs and comments.
_HIDDEN = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|<[^<>\"{}|^`\\\s]*>"
    r"|#[^\n\r]*",
    re.DOTALL,
)


class PageError(ValueError):
    """A bad ``limit`` or ``offset``, or a query that cannot be paged; the message names the
    parameter, in Chinese and English."""

    def __init__(self, param: str, zh: str, en: str) -> None:
        self.param = param
        self.zh = zh
        self.en = en
        super().__init__(f"{en} / {zh}")


@dataclass(frozen=True)
class Page:
    """Which rows of an answer: ``limit`` rows (None: to the end) after skipping ``offset``."""

    limit: int | None
    offset: int = 0

    @property
    def number(self) -> int:
        """The page's number counted from 1 (第 n 页), when pages are ``limit`` rows."""
        return self.offset // self.limit + 1 if self.limit else 1

    @property
    def first_row(self) -> int:
        """The answer's row number (from 1) the page starts at."""
        return self.offset + 1

    def last_row(self, shown: int) -> int:
        """The answer's row number of the page's last row when it holds ``shown`` rows."""
        return self.offset + shown

    def next(self) -> Page:
        """The page after this one (same size)."""
        return Page(self.limit, self.offset + (self.limit or 0))

    def previous(self) -> Page | None:
        """The page before this one (same size; the first page starts at row 1), or None on
        the first page.

        >>> Page(7, 3).previous(), Page(7, 0).previous()
        (Page(limit=7, offset=0), None)
        """
        if self.offset == 0:
            return None
        return Page(self.limit, max(0, self.offset - (self.limit or self.offset)))

    def widened(self, extra: int) -> Page:
        """The same start with ``extra`` more rows: asking for one row more than is shown
        tells whether a next page exists without counting the answer."""
        return Page(None if self.limit is None else self.limit + extra, self.offset)


def _integer(param: str, raw: str, low: int, high: int) -> int:
    if not _INTEGER.match(raw):
        raise PageError(
            param,
            f"参数 {param} 须为 {low} 到 {high} 的整数：“{raw}”",
            f"parameter {param!r} must be a whole number from {low} to {high}: {raw!r}",
        )
    value = int(raw)
    if not low <= value <= high:
        raise PageError(
            param,
            f"参数 {param} 须在 {low} 到 {high} 之间：{value}",
            f"parameter {param!r} must be from {low} to {high}: {value}",
        )
    return value


def parse_page(
    limit: str | None, offset: str | None, default_limit: int | None = None
) -> Page | None:
    """The page that ``limit`` and ``offset`` (raw text, None or empty when not given) ask
    for; None when neither is given and there is no ``default_limit`` (the whole answer).

    Raises PageError naming the parameter for a value that is not a whole number, a limit
    outside 1..MAX_PAGE_SIZE or an offset outside 0..MAX_OFFSET.

    >>> parse_page(None, None), parse_page(None, "", 100)
    (None, Page(limit=100, offset=0))
    >>> try:
    ...     parse_page("0", None)
    ... except PageError as error:
    ...     print(error.param, error.en)
    limit parameter 'limit' must be from 1 to 10000: 0
    """
    given_limit = limit is not None and limit != ""
    given_offset = offset is not None and offset != ""
    if not given_limit and not given_offset and default_limit is None:
        return None
    size = _integer("limit", limit, 1, MAX_PAGE_SIZE) if given_limit else default_limit  # type: ignore[arg-type]
    start = _integer("offset", offset, 0, MAX_OFFSET) if given_offset else 0  # type: ignore[arg-type]
    return Page(size, start)


def solution_modifiers(text: str) -> str:
    """What follows the query's last closing brace, with comments, strings and IRIs taken
    out: its top-level solution modifiers (``ORDER BY …``).

    >>> solution_modifiers('SELECT * WHERE { ?s ?p "}" } # }\\nORDER BY ?s')
    ' \\nORDER BY ?s'
    """
    plain = _HIDDEN.sub(lambda m: "" if m.group(0).startswith("#") else '""', text)
    return plain[plain.rfind("}") + 1 :]


def refusal(text: str) -> PageError | None:
    """Why ``text`` cannot be paged (no top-level ORDER BY: its rows have no order that
    pages could follow; or a LIMIT, OFFSET or trailing VALUES of its own), or None.

    >>> refusal("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s") is None
    True
    """
    tail = solution_modifiers(text)
    if re.search(r"\b(LIMIT|OFFSET|VALUES)\b", tail, re.IGNORECASE):
        return PageError(
            "limit",
            "查询本身已有 LIMIT、OFFSET 或末尾的 VALUES，不能再分页",
            "the query already ends with LIMIT, OFFSET or VALUES; it cannot be paged",
        )
    if not re.search(r"\bORDER\s+BY\b", tail, re.IGNORECASE):
        return PageError(
            "limit",
            "查询没有 ORDER BY，分页无法保证每行只出现一次",
            "the query has no top-level ORDER BY, so its pages would not be defined",
        )
    return None


def paged(text: str, page: Page) -> str:
    """``text`` (a SELECT with a top-level ORDER BY) limited to ``page``; PageError when it
    cannot be paged (see :func:`refusal`)."""
    refused = refusal(text)
    if refused is not None:
        raise refused
    lines = [text.rstrip("\n"), ""]
    if page.limit is not None:
        lines[-1:] = [f"LIMIT {page.limit}", ""]
    if page.offset:
        lines[-1:] = [f"OFFSET {page.offset}", ""]
    return "\n".join(lines)
