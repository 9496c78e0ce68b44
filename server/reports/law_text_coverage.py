"""Text coverage for ``cdkg laws``: the cited national documents' editions, each with its
text present in the law-texts folder or absent (from the graph ``law-texts`` of the build).

A build without a texts folder has no editions in its graph: the section then says the
article checks were not run and how to run them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from cdkg.server.reports.duties import Selector

__all__ = ["EDITIONS", "EditionRow", "coverage_rows", "text_coverage_lines"]

EDITIONS = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
SELECT DISTINCT ?document ?title ?date ?file WHERE {
  ?edition a cd:Edition ; eli:realizes ?document ; eli:date_document ?date .
  OPTIONAL { ?edition cd:textFile ?file }
  OPTIONAL { ?document rdfs:label ?title FILTER(lang(?title) = "zh") }
}
ORDER BY ?title ?date"""


@dataclass(frozen=True)
class EditionRow:
    """One edition of a cited document: its title, date and text file ("" when absent)."""

    document: str
    title: str
    date: str
    file: str


def coverage_rows(store: Selector) -> list[EditionRow]:
    rows: Iterable[Mapping[str, object]] = store.select(EDITIONS)
    return [
        EditionRow(
            str(row["document"]),
            str(row.get("title") or row["document"]),
            str(row["date"]),
            str(row.get("file") or ""),
        )
        for row in rows
    ]


def text_coverage_lines(rows: list[EditionRow]) -> list[str]:
    """The section's lines: a summary, then one line per document with its editions, each
    marked + (text present) or - (absent).

    >>> text_coverage_lines([EditionRow("x", "甲法", "2010-01-01", "a.md"),
    ...                      EditionRow("x", "甲法", "2015-06-01", "")])
    ['law texts: 1 cited national documents with editions: 1 with texts, 0 without; \
editions 1 of 2 present', '  甲法: +2010-01-01 -2015-06-01']
    >>> text_coverage_lines([])[0][:38]
    'law texts: not checked (no law-texts f'
    """
    if not rows:
        return [
            "law texts: not checked (no law-texts folder in this build: cdkg build "
            "--law-texts DIR, $CDKG_LAW_TEXTS or law_texts in cdkg.toml)"
        ]
    documents: dict[str, list[EditionRow]] = {}
    for row in rows:
        documents.setdefault(row.document, []).append(row)
    with_text = sum(1 for editions in documents.values() if any(e.file for e in editions))
    present = sum(1 for row in rows if row.file)
    lines = [
        f"law texts: {len(documents)} cited national documents with editions: {with_text} "
        f"with texts, {len(documents) - with_text} without; editions {present} of "
        f"{len(rows)} present"
    ]
    for editions in documents.values():
        marks = " ".join(f"{'+' if e.file else '-'}{e.date}" for e in editions)
        lines.append(f"  {editions[0].title}: {marks}")
    return lines
