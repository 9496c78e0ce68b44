"""Reading a named query's answer from the table the build stored (:mod:`cdkg.loaders.answers`).

A question of the library whose header says ``# materialise: yes`` is answered once by the
build, its rows numbered in the query's ORDER BY and grouped in pages of ``cd:pageSize``
rows in the graph ``<base>graph/answers``. pyoxigraph evaluates and sorts a whole answer
before LIMIT (at 3,000 jurisdictions 4 s to minutes even for the first page); reading a few
pages by IRI takes milliseconds. So ``/queries/NAME`` and ``cdkg query NAME`` ask
:func:`answer_reader` first: one small SELECT on the table's IRI, which gives the table only
while its ``cd:queryDigest`` is the sha256 of the text the door is about to run (a query
file edited since the build, or a ``--queries`` folder of one's own, runs the text as
before: always correct). :func:`page_query` then writes the SPARQL that reads exactly the
rows of a page — the same table (variables, rows, order) as
``cdkg.queries.paging.paged(text, page)`` on the store, which tests/queries/test_answers.py
checks for every materialised query.

>>> table = AnswerTable("http://e/answers/q", ("n", "x"), row_count=250, page_size=100)
>>> table.pages(Page(7, 95))
[1, 2]
>>> table.pages(Page(10, 300)), table.pages(None)
([], [1, 2, 3])

A large answer keeps only its first rows (``cd:storedRowCount``, the first ten pages): a
page past them, or the whole answer, is not :meth:`AnswerTable.covers` and the door runs the
text.

>>> kept = AnswerTable("http://e/answers/q", ("n",), 5000, 100, stored_rows=1000)
>>> kept.covers(Page(100, 900)), kept.covers(Page(100, 950)), kept.covers(None)
(True, False, False)
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from rdflib.term import Literal, Node

from .library import NamedQuery
from .paging import Page
from .resolver import Selector

__all__ = ["AnswerTable", "answer_reader", "page_query"]

_CD = "https://w3id.org/cdkg/ontology#"
_ROWNUM = "http://www.w3.org/ns/csvw#rownum"
# The reader's own variables, named so that no query's column can take them.
_PAGE, _ROW, _NUMBER = "answer__page", "answer__row", "answer__rownum"


@dataclass(frozen=True)
class AnswerTable:
    """A fresh answer table: its IRI, the SELECT's variables in order, how many rows, and
    how many rows a page holds."""

    iri: str
    variables: tuple[str, ...]
    row_count: int
    page_size: int
    stored_rows: int | None = None
    """The first rows the table holds (None: every row)."""

    def covers(self, page: Page | None) -> bool:
        """Whether the table holds every row of ``page`` (None: the whole answer)."""
        kept = self.row_count if self.stored_rows is None else self.stored_rows
        if page is None or page.limit is None:
            return kept >= self.row_count
        return min(page.offset + page.limit, self.row_count) <= kept

    def pages(self, page: Page | None) -> list[int]:
        """The numbers of the table's pages that hold rows of ``page`` (None: every page)."""
        last = -(-self.row_count // self.page_size)
        if page is None:
            return list(range(1, last + 1))
        first = page.offset // self.page_size + 1
        end = self.row_count if page.limit is None else page.offset + page.limit
        return list(range(first, min(last, -(-end // self.page_size)) + 1))

    def has_more(self, page: Page) -> bool:
        """Whether rows follow ``page`` (the query page's "next" link)."""
        return page.limit is not None and page.offset + page.limit < self.row_count


def digest(text: str) -> str:
    """The sha256 (hex) of a query text, as the build records it (cd:queryDigest)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def answer_reader(
    selector: Selector, query: NamedQuery, base: str, text: str | None = None
) -> AnswerTable | None:
    """The table holding ``query``'s answer, when the dataset has one whose digest is that
    of ``text`` (the text the door is about to run; ``query.text`` when None); else None
    and the door runs the text. Asks nothing of the store for a query that is not
    materialised."""
    if not query.materialise:
        return None
    iri = f"{base}answers/{query.name}"
    rows = selector.select(
        "SELECT ?digest ?rows ?stored ?size ?variables WHERE { "
        f"<{iri}> a <{_CD}AnswerTable> ; <{_CD}queryDigest> ?digest ; "
        f"<{_CD}rowCount> ?rows ; <{_CD}pageSize> ?size ; <{_CD}variables> ?variables . "
        f"OPTIONAL {{ <{iri}> <{_CD}storedRowCount> ?stored }} }}"
    )
    wanted = digest(query.text if text is None else text)
    for row in rows:
        if _text(row.get("digest")) == wanted:
            size = _integer(row.get("size"))
            if size is None or size < 1:
                return None
            return AnswerTable(
                iri,
                tuple(_text(row.get("variables")).split()),
                _integer(row.get("rows")) or 0,
                size,
                _integer(row.get("stored")),
            )
    return None


def _text(term: Node | None) -> str:
    return str(term) if isinstance(term, Literal) else ""


def _integer(term: Node | None) -> int | None:
    try:
        return int(str(term)) if isinstance(term, Literal) else None
    except ValueError:
        return None


def page_query(table: AnswerTable, page: Page | None) -> str:
    """The SPARQL that reads the rows of ``page`` (None: the whole answer) from ``table``:
    the pages that hold them by IRI, the window by ``csvw:rownum``, one OPTIONAL per column
    (an unbound value has no triple), ordered by row number and projecting the query's own
    variables, so that the result is the table ``paged(text, page)`` gives.

    >>> table = AnswerTable("http://e/answers/q", ("n",), row_count=250, page_size=100)
    >>> print(page_query(table, Page(7, 95)))
    SELECT ?n WHERE {
      VALUES ?answer__page { <http://e/answers/q/page/1> <http://e/answers/q/page/2> }
      ?answer__page <https://w3id.org/cdkg/ontology#row> ?answer__row .
      ?answer__row <http://www.w3.org/ns/csvw#rownum> ?answer__rownum .
      FILTER(?answer__rownum > 95 && ?answer__rownum <= 102)
      OPTIONAL { ?answer__row <http://e/answers/q/column/n> ?n }
    }
    ORDER BY ?answer__rownum
    """
    if not table.variables:
        raise ValueError(f"{table.iri}: the table has no variables")
    clash = {_PAGE, _ROW, _NUMBER} & set(table.variables)
    if clash:
        raise ValueError(f"{table.iri}: a column is named like the reader's variable {clash}")
    if page is None or page.limit is None:
        # To the end: every page of the table, found by the table (no long VALUES).
        pages = f"  ?{_PAGE} <{_CD}pageOf> <{table.iri}> ."
    else:
        listed = " ".join(f"<{table.iri}/page/{number}>" for number in table.pages(page))
        pages = f"  VALUES ?{_PAGE} {{ {listed} }}"
    lines = [
        f"SELECT {' '.join(f'?{name}' for name in table.variables)} WHERE {{",
        pages,
        f"  ?{_PAGE} <{_CD}row> ?{_ROW} .",
        f"  ?{_ROW} <{_ROWNUM}> ?{_NUMBER} .",
    ]
    if page is not None and page.limit is not None:
        window = f"?{_NUMBER} > {page.offset} && ?{_NUMBER} <= {page.offset + page.limit}"
        lines.append(f"  FILTER({window})")
    elif page is not None and page.offset:
        lines.append(f"  FILTER(?{_NUMBER} > {page.offset})")
    lines += [
        f"  OPTIONAL {{ ?{_ROW} <{table.iri}/column/{name}> ?{name} }}" for name in table.variables
    ]
    lines += ["}", f"ORDER BY ?{_NUMBER}"]
    return "\n".join(lines)
