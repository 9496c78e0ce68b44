"""The /search page for people: hits grouped by jurisdiction, the matched words marked.

Ranking is ``cdkg.server.search``'s; this module only arranges its hits for
``templates/search.html`` — no score is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cdkg.server.reports.links import Linker

if TYPE_CHECKING:
    from cdkg.server.reports.search_engine import Hit


@dataclass
class ShownHit:
    """One hit as the page shows it."""

    label: list[tuple[str, bool]]
    href: str | None
    catalog: str
    snippet: list[tuple[str, bool]]


@dataclass
class Group:
    """The hits of one jurisdiction."""

    jurisdiction: str
    href: str | None
    hits: list[ShownHit] = field(default_factory=list)


def highlight(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, matched) pieces, each occurrence of any of ``words`` marked
    (case-insensitive; overlapping matches merged).

    >>> highlight("协助开展禁毒宣传", ["禁毒"])
    [('协助开展', False), ('禁毒', True), ('宣传', False)]
    >>> highlight("abc", [])
    [('abc', False)]
    """
    folded = text.casefold()
    marked = [False] * len(text)
    for word in (w.casefold() for w in words if w):
        start = folded.find(word)
        while start >= 0:
            for i in range(start, min(len(text), start + len(word))):
                marked[i] = True
            start = folded.find(word, start + 1)
    pieces: list[tuple[str, bool]] = []
    for char, flag in zip(text, marked, strict=True):
        if pieces and pieces[-1][1] == flag:
            pieces[-1] = (pieces[-1][0] + char, flag)
        else:
            pieces.append((char, flag))
    return pieces


def group_hits(hits: list[Hit], query: str, link: Linker) -> list[Group]:
    """``hits`` grouped by jurisdiction (groups in order of their best hit, hits in rank
    order), each label and snippet with the query's words marked."""
    words = query.split()
    groups: dict[str, Group] = {}
    for hit in hits:
        entry = hit.entry
        key = entry.jurisdiction or entry.catalog
        group = groups.get(key)
        if group is None:
            label = entry.jurisdiction_label or entry.catalog_label or "—"
            group = groups[key] = Group(
                label, link(entry.jurisdiction) if entry.jurisdiction else None
            )
        snippet = hit.snippet if hit.field != "label" else ""
        marked = hit.words or words  # what matched: 最低生活保障 for 低保
        group.hits.append(
            ShownHit(
                label=highlight(entry.label, marked),
                href=link(entry.iri),
                catalog=entry.catalog_label,
                snippet=highlight(snippet, marked) if snippet else [],
            )
        )
    return list(groups.values())
