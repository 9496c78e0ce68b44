"""The check report's two pictures as numbers: where each mark goes and what colour it is.

The coverage matrix (a row per topic, a column per jurisdiction, shade = duties) and the
sector bars (duties per department sector, stacked by jurisdiction) are laid out here, as
pure functions of the report's aggregates; ``templates/check_report_charts.html`` draws
them as inline SVG with text kept as text, so the browser sets the Chinese labels in its own
fonts. No markup here; there, only the fixed sizes of the marks and the offsets of their
text.

>>> chart = heatmap(Coverage([("j:1", "重庆市（渝民发）")], [("t:1", "禁毒")], {("t:1", "j:1"): 4}))
>>> (chart.width, chart.height), chart.columns[0].text, chart.rows[0].marks[0].fill
((372, 192), '重庆市', '#08306b')
>>> chart.rows[0].mark, chart.rows[0].total, chart.legend[-1].text
('all', '1/1', '4')
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from .duties import DutyRow

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
"""One colour per jurisdiction in the sector bars, in source-file order."""
EMPTY_CELL = "#f1f3f6"
"""A matrix cell with no duties."""


# --- aggregates -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Coverage:
    """Duties per (topic, jurisdiction): rows are topics, columns jurisdictions."""

    jurisdictions: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    counts: dict[tuple[str, str], int]

    def covered_by(self, topic: str) -> int:
        return sum(1 for j, _ in self.jurisdictions if self.counts.get((topic, j)))

    @property
    def maximum(self) -> int:
        return max(self.counts.values(), default=0)


def jurisdictions_of(duties: Sequence[DutyRow]) -> list[tuple[str, str]]:
    """(IRI, label) of the jurisdictions with duties, in source-file order."""
    seen: dict[str, str] = {}
    for duty in duties:
        if duty.jurisdiction_iri and duty.jurisdiction_iri not in seen:
            seen[duty.jurisdiction_iri] = duty.jurisdiction or duty.jurisdiction_iri
    return list(seen.items())


def coverage(duties: Sequence[DutyRow]) -> Coverage:
    """The jurisdiction × topic matrix; topics present in most jurisdictions first."""
    counts: Counter[tuple[str, str]] = Counter()
    labels: dict[str, str] = {}
    for duty in duties:
        for link in duty.links.get("topic", ()):
            counts[(link.iri, duty.jurisdiction_iri)] += 1
            labels[link.iri] = link.label
    result = Coverage(jurisdictions_of(duties), [], dict(counts))
    totals = Counter[str]()
    for (topic, _), n in counts.items():
        totals[topic] += n
    order = sorted(labels, key=lambda t: (-result.covered_by(t), -totals[t], labels[t]))
    result.topics.extend((topic, labels[topic]) for topic in order)
    return result


@dataclass(frozen=True)
class SectorBars:
    """Duties per sector, split by jurisdiction, and the duties no department names."""

    jurisdictions: list[tuple[str, str]]
    sectors: list[tuple[str, dict[str, int], int]]
    unassigned: dict[str, int]


def sector_bars(duties: Sequence[DutyRow]) -> SectorBars:
    """A duty counts once in each sector its departments belong to."""
    per_sector: dict[str, Counter[str]] = defaultdict(Counter)
    distinct: dict[str, set[str]] = defaultdict(set)
    unassigned: Counter[str] = Counter()
    for duty in duties:
        sectors = duty.links.get("sector", ())
        if not sectors:
            unassigned[duty.jurisdiction_iri] += 1
        for link in sectors:
            per_sector[link.label][duty.jurisdiction_iri] += 1
            distinct[link.label].add(duty.iri)
    rows = [(label, dict(per_sector[label]), len(distinct[label])) for label in per_sector]
    rows.sort(key=lambda row: (-row[2], row[0]))
    return SectorBars(jurisdictions_of(duties), rows, dict(unassigned))


# --- layout -----------------------------------------------------------------------------------


def short_label(label: str) -> str:
    """A jurisdiction label without its parenthesised note, for chart axes.

    >>> short_label("重庆市（渝民发〔2021〕6号）")
    '重庆市'
    """
    return re.sub(r"[（(][^）)]*[）)]", "", label).strip() or label


def blend(t: float) -> str:
    """A sequential blue scale from light (t=0) to dark (t=1).

    >>> blend(0.0), blend(1.0)
    ('#deebf7', '#08306b')
    """
    low, high = (222, 235, 247), (8, 48, 107)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


@dataclass(frozen=True)
class Mark:
    """One mark of a chart at ``x``: a column head, a matrix square, a bar segment
    (``width`` wide) or a legend key — its colour, the text written on or beside it
    (``dark``: white text on a dark shade) and its tooltip."""

    x: float
    fill: str = ""
    text: str = ""
    title: str = ""
    width: float = 0.0
    dark: bool = False


@dataclass(frozen=True)
class Row:
    """A row of a chart, ``y`` its top and ``text_y`` its baseline: the label, the marks, and
    the figure at its end (``total``; ``mark`` ``all`` or ``one`` picks its colour)."""

    label: str
    y: int
    text_y: int
    marks: list[Mark]
    total: str
    total_x: float
    mark: str = ""


@dataclass(frozen=True)
class Heatmap:
    """The coverage matrix laid out: ``label_x`` right-aligns the topics, ``head_y`` is the
    baseline of the column heads, ``count_x`` the centre of the 地区数 column; the shade
    legend starts at (``legend_x``, ``legend_y``)."""

    width: int
    height: int
    label_x: int
    head_y: int
    count_x: int
    cell_w: int
    cell_h: int
    columns: list[Mark]
    rows: list[Row]
    legend_x: int
    legend_y: int
    legend: list[Mark]


def heatmap(cover: Coverage) -> Heatmap:
    """Where the coverage matrix's marks go; shade = square root of the share of the peak."""
    label_w, cell_w, cell_h, head_h, tail_w = 200, 92, 22, 120, 70
    cols, count = len(cover.jurisdictions), len(cover.topics)
    peak = max(1, cover.maximum)
    count_x = round(label_w + cols * cell_w + tail_w / 2)
    columns = [
        Mark(round(label_w + i * cell_w + cell_w / 2), text=short_label(label), title=label)
        for i, (_, label) in enumerate(cover.jurisdictions)
    ]
    rows = []
    for r, (topic, label) in enumerate(cover.topics):
        y = head_h + r * cell_h
        cells = []
        for c, (jurisdiction, j_label) in enumerate(cover.jurisdictions):
            n = cover.counts.get((topic, jurisdiction), 0)
            t = math.sqrt(n / peak) if n else 0.0
            fill = blend(0.15 + 0.85 * t) if n else EMPTY_CELL
            title = f"{j_label} · {label}: {n}"
            cells.append(
                Mark(label_w + c * cell_w, fill, str(n) if n else "", title, dark=t > 0.45)
            )
        k = cover.covered_by(topic)
        mark = "all" if k == cols else ("one" if k == 1 else "")
        rows.append(Row(label, y, round(y + cell_h * 0.7), cells, f"{k}/{cols}", count_x, mark))
    steps = sorted({1, max(1, peak // 4), max(1, peak // 2), peak})
    legend = [
        Mark(label_w + 100 + i * 56, blend(0.15 + 0.85 * math.sqrt(n / peak)), str(n))
        for i, n in enumerate(steps)
    ]
    return Heatmap(
        width=label_w + cols * cell_w + tail_w + 10,
        height=head_h + count * cell_h + 50,
        label_x=label_w - 8,
        head_y=head_h - 8,
        count_x=count_x,
        cell_w=cell_w,
        cell_h=cell_h,
        columns=columns,
        rows=rows,
        legend_x=label_w,
        legend_y=head_h + count * cell_h + 18,
        legend=legend,
    )


@dataclass(frozen=True)
class SectorChart:
    """The sector bars laid out: a key per jurisdiction above them; ``empty`` is where
    （无 none） goes when there is no sector."""

    width: int
    height: int
    label_x: int
    bar_h: int
    empty: tuple[int, int] | None
    keys: list[Mark]
    bars: list[Row]


def sector_chart(bars: SectorBars) -> SectorChart:
    """Where the sector bars' marks go: the longest bar is ``bar_w`` wide."""
    label_w, bar_w, row_h, top = 170, 560, 26, 44
    count = len(bars.sectors)
    peak = max((total for _, _, total in bars.sectors), default=1)
    colours = {iri: PALETTE[i % len(PALETTE)] for i, (iri, _) in enumerate(bars.jurisdictions)}
    keys, x = [], label_w
    for iri, label in bars.jurisdictions:
        if any(iri in split for _, split, _ in bars.sectors):
            keys.append(Mark(x, colours[iri], short_label(label)))
            x += 30 + 14 * len(short_label(label))
    rows = []
    for r, (label, split, total) in enumerate(bars.sectors):
        y = top + r * row_h
        segments, x0 = [], float(label_w)
        for iri, j_label in bars.jurisdictions:
            n = split.get(iri, 0)
            if n:
                w = bar_w * n / peak
                segments.append(Mark(x0, colours[iri], "", f"{label} · {j_label}: {n}", w))
                x0 += w
        rows.append(Row(label, y, round(y + row_h * 0.65), segments, str(total), x0 + 6))
    return SectorChart(
        width=label_w + bar_w + 70,
        height=top + max(1, count) * row_h + 16,
        label_x=label_w - 8,
        bar_h=row_h - 6,
        empty=None if bars.sectors else (label_w, top + 16),
        keys=keys,
        bars=rows,
    )
