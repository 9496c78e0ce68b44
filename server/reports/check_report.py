"""Rendering a check run: a terminal table, Markdown, and a self-contained HTML page.

The HTML report shows each finding with its duty (label, IRI link), jurisdiction and source
file:line; a jurisdiction × topic coverage matrix as a heat map; and a bar chart of duties
per department sector. Both pictures are inline SVG with text kept as text, so the browser
draws the Chinese labels with its own fonts (no raster image, no missing glyphs), and the
page loads nothing from anywhere: no CDN, no script, no web font.

>>> from cdkg.server.reports.checks import CheckResult, CheckRun
>>> run = CheckRun("v1", [CheckResult("demo", "query", "error", "示例", "Demo")], [], "", 0.1)
>>> print(summary_table(run, "error"))
check  title  severity  findings  status
-----  -----  --------  --------  ------
demo   示例   error            0  ok
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cdkg.loaders.terminal import display_width, pad

from .checks import CheckFinding, CheckResult, CheckRun, severity_counts
from .duties import DutyRow
from .links import safe_href

Linker = Callable[[str], str | None]
"""Where a finding links for an IRI; None: show it as text (see
cdkg.server.reports.links.safe_href)."""
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
OPEN_FINDINGS = 40
"""Findings of a check are shown expanded up to this many; longer lists start folded."""


# --- aggregates for the pictures -----------------------------------------------------------


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


# --- terminal -------------------------------------------------------------------------------


def status(result: CheckResult, threshold: str) -> str:
    if result.error is not None:
        return "not run"
    if result.fails(threshold):
        return "FAIL"
    return "findings" if result.findings else "ok"


def summary_table(run: CheckRun, threshold: str) -> str:
    """The check, severity, findings table printed by ``cdkg check``."""
    header = ("check", "title", "severity", "findings", "status")
    rows = [
        (r.name, r.title_zh, r.severity, str(len(r.findings)), status(r, threshold))
        for r in run.results
    ]
    widths = [max(display_width(row[i]) for row in (header, *rows)) for i in range(5)]
    lines = []
    for row in (header, tuple("-" * w for w in widths), *rows):
        cells = [
            pad(cell, widths[i], right=(i == 3 and row is not header)) for i, cell in enumerate(row)
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


# --- Markdown -----------------------------------------------------------------------------


def _md(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(run: CheckRun, threshold: str) -> str:
    """report.md: summary, findings traced to their source lines, coverage and sectors."""
    failing = run.failing(threshold)
    counts = severity_counts(run.results)
    out = [
        "# cdkg check report · 一致性检查报告",
        "",
        f"- dataset version: `{run.version}`" + (f" ({run.dataset})" if run.dataset else ""),
        f"- generated: {run.generated}; {len(run.duties)} duties; checks ran in "
        f"{run.seconds:.2f} s",
        f"- findings: {counts['error']} error, {counts['warning']} warning, {counts['info']} info",
        f"- threshold: {threshold} — "
        + ("**FAIL**: " + ", ".join(r.name for r in failing) if failing else "**ok**"),
        *(f"- note: {note}" for note in run.notes),
        "",
        "## Summary",
        "",
        "| check | title | severity | findings | status |",
        "|---|---|---|---:|---|",
    ]
    for r in run.results:
        out.append(
            f"| {_md(r.name)} | {_md(r.title_zh)} · {_md(r.title_en)} | {r.severity} | "
            f"{len(r.findings)} | {status(r, threshold)} |"
        )
    out += ["", "## Findings", ""]
    shown = [r for r in run.results if r.findings or r.error]
    if not shown:
        out.append("None.")
    for r in shown:
        out += [f"### {r.name} ({r.severity}, {len(r.findings)})", ""]
        out += [f"{r.title_zh} · {r.title_en}. {r.description}".strip(), ""]
        if r.error:
            out += [f"**The check could not run**: {_md(r.error)}", ""]
        for f in r.findings:
            where = f" — {f.source}" if f.source else ""
            place = f" — {f.jurisdiction}" if f.jurisdiction else ""
            target = f.duty or f.focus
            focus = f" <{target}>" if target else ""
            detail = f" — {_md(f.message)}" if f.message else ""
            out.append(f"- {_md(f.label or '(no label)')}{focus}{place}{where}{detail}")
        out.append("")
    cover = coverage(run.duties)
    out += ["## Coverage: duties per topic and jurisdiction", ""]
    out.append("| topic | " + " | ".join(_md(j) for _, j in cover.jurisdictions) + " | in |")
    out.append("|---|" + "---:|" * (len(cover.jurisdictions) + 1))
    for topic, label in cover.topics:
        cells = [str(cover.counts.get((topic, j), "") or "") for j, _ in cover.jurisdictions]
        out.append(f"| {_md(label)} | " + " | ".join(cells) + f" | {cover.covered_by(topic)} |")
    bars = sector_bars(run.duties)
    out += ["", "## Duties per department sector", "", "| sector | duties |", "|---|---:|"]
    out += [f"| {_md(label)} | {total} |" for label, _, total in bars.sectors]
    out.append("")
    return "\n".join(out)


# --- SVG pictures -------------------------------------------------------------------------


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def short_label(label: str) -> str:
    """A jurisdiction label without its parenthesised note, for chart axes."""
    return re.sub(r"[（(][^）)]*[）)]", "", label).strip() or label


def _blend(t: float) -> str:
    """A sequential blue scale from light (t=0) to dark (t=1)."""
    low, high = (222, 235, 247), (8, 48, 107)
    r, g, b = (round(a + (z - a) * t) for a, z in zip(low, high, strict=True))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(cover: Coverage) -> str:
    """The coverage matrix: a row per topic, a column per jurisdiction, shade = duties."""
    label_w, cell_w, cell_h, head_h, tail_w = 200, 92, 22, 120, 70
    cols, rows = len(cover.jurisdictions), len(cover.topics)
    width = label_w + cols * cell_w + tail_w + 10
    height = head_h + rows * cell_h + 50
    peak = max(1, cover.maximum)
    parts = [
        f'<svg class="heatmap" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="heatmap-title">',
        '<title id="heatmap-title">地区 × 主题覆盖矩阵 Jurisdiction × topic coverage</title>',
    ]
    for i, (_, label) in enumerate(cover.jurisdictions):
        x = label_w + i * cell_w + cell_w / 2
        parts.append(
            f'<text class="col" x="{x:.0f}" y="{head_h - 8}" '
            f'transform="rotate(-35 {x:.0f} {head_h - 8})">{_e(short_label(label))}'
            f"<title>{_e(label)}</title></text>"
        )
    parts.append(
        f'<text class="col" x="{label_w + cols * cell_w + tail_w / 2:.0f}" y="{head_h - 8}" '
        'text-anchor="middle">地区数</text>'
    )
    for r, (topic, label) in enumerate(cover.topics):
        y = head_h + r * cell_h
        parts.append(
            f'<text class="row" x="{label_w - 8}" y="{y + cell_h * 0.7:.0f}" '
            f'text-anchor="end">{_e(label)}</text>'
        )
        for c, (jurisdiction, j_label) in enumerate(cover.jurisdictions):
            n = cover.counts.get((topic, jurisdiction), 0)
            t = math.sqrt(n / peak) if n else 0.0
            fill = _blend(0.15 + 0.85 * t) if n else "#f1f3f6"
            x = label_w + c * cell_w
            parts.append(
                f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" height="{cell_h - 2}" '
                f'fill="{fill}"><title>{_e(j_label)} · {_e(label)}: {n}</title></rect>'
            )
            if n:
                ink = " on-dark" if t > 0.45 else ""
                parts.append(
                    f'<text class="n{ink}" x="{x + cell_w / 2:.0f}" y="{y + cell_h * 0.7:.0f}" '
                    f'text-anchor="middle">{n}</text>'
                )
        k = cover.covered_by(topic)
        mark = " all" if k == cols else (" one" if k == 1 else "")
        parts.append(
            f'<text class="k{mark}" x="{label_w + cols * cell_w + tail_w / 2:.0f}" '
            f'y="{y + cell_h * 0.7:.0f}" text-anchor="middle">{k}/{cols}</text>'
        )
    legend_y = head_h + rows * cell_h + 18
    parts.append(f'<text class="legend" x="{label_w}" y="{legend_y + 12}">事项数 duties:</text>')
    steps = sorted({1, max(1, peak // 4), max(1, peak // 2), peak})
    for i, n in enumerate(steps):
        x = label_w + 100 + i * 56
        parts.append(
            f'<rect x="{x}" y="{legend_y}" width="22" height="16" '
            f'fill="{_blend(0.15 + 0.85 * math.sqrt(n / peak))}"/>'
            f'<text class="legend" x="{x + 27}" y="{legend_y + 12}">{n}</text>'
        )
    parts.append("</svg>")
    return "\n".join(parts)


def sector_svg(bars: SectorBars) -> str:
    """Horizontal bars: duties per department sector, stacked by jurisdiction."""
    label_w, bar_w, row_h, top = 170, 560, 26, 44
    rows = len(bars.sectors)
    width, height = label_w + bar_w + 70, top + max(1, rows) * row_h + 16
    peak = max((total for _, _, total in bars.sectors), default=1)
    colours = {iri: PALETTE[i % len(PALETTE)] for i, (iri, _) in enumerate(bars.jurisdictions)}
    present = [
        (iri, label)
        for iri, label in bars.jurisdictions
        if any(iri in split for _, split, _ in bars.sectors)
    ]
    parts = [
        f'<svg class="bars" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        'aria-labelledby="bars-title">',
        '<title id="bars-title">各部门领域的事项数 Duties per department sector</title>',
    ]
    x = label_w
    for iri, label in present:
        parts.append(
            f'<rect x="{x}" y="8" width="14" height="14" fill="{colours[iri]}"/>'
            f'<text class="legend" x="{x + 19}" y="20">{_e(short_label(label))}</text>'
        )
        x += 30 + 14 * len(short_label(label))
    if not bars.sectors:
        parts.append(f'<text class="legend" x="{label_w}" y="{top + 16}">（无 none）</text>')
    for r, (label, split, total) in enumerate(bars.sectors):
        y = top + r * row_h
        parts.append(
            f'<text class="row" x="{label_w - 8}" y="{y + row_h * 0.65:.0f}" '
            f'text-anchor="end">{_e(label)}</text>'
        )
        x0 = float(label_w)
        for iri, j_label in bars.jurisdictions:
            n = split.get(iri, 0)
            if not n:
                continue
            w = bar_w * n / peak
            parts.append(
                f'<rect x="{x0:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                f'fill="{colours[iri]}"><title>{_e(label)} · {_e(j_label)}: {n}</title></rect>'
            )
            x0 += w
        parts.append(f'<text class="n" x="{x0 + 6:.1f}" y="{y + row_h * 0.65:.0f}">{total}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


# --- HTML -----------------------------------------------------------------------------------

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = Path(__file__).parents[1] / "static" / "cdkg.css"
"""The site's one style sheet, inlined into the self-contained report.html."""
STATE_ZH = {"ok": "通过", "findings": "有发现", "FAIL": "未通过", "not run": "未运行"}


def _finding(f: CheckFinding, link: Linker) -> dict[str, object]:
    target = f.duty or f.focus
    return {
        "label": f.label or target or "",
        "href": link(target) if target else None,
        "where": f"{f.list_type} 第{f.number}项" if f.list_type and f.number else "",
        "jurisdiction": f.jurisdiction,
        "source": f.source,
        "message": f.message,
    }


def public_note(note: str) -> str:
    """A note of the run without the folders of the machine it ran on (file names kept).

    >>> public_note("SHACL not shown: no build report of version v1 under /home/x/build/current")
    'SHACL not shown: no build report of version v1 under current'
    """
    return re.sub(r"(?:[A-Za-z]:)?[/\\][^\s:;,]*[/\\]([^\s/\\:;,]+)", r"\1", note)


def report_context(run: CheckRun, threshold: str, link: Linker | None = None) -> dict[str, object]:
    """What templates/check_report_body.html shows of ``run`` at ``threshold``; ``link`` maps
    IRIs to hrefs (default: http(s) IRIs only). No path of the machine appears."""
    link = link or safe_href
    cover, bars = coverage(run.duties), sector_bars(run.duties)
    summary = []
    for r in run.results:
        state = status(r, threshold)
        summary.append(
            {
                "anchor": f"check-{r.name}" if r.findings or r.error else "",
                "title_zh": r.title_zh,
                "title_en": r.title_en,
                "severity": r.severity,
                "severity_zh": SEVERITY_ZH[r.severity],
                "count": len(r.findings),
                "state_class": state.replace(" ", "-"),
                "state_zh": STATE_ZH.get(state, state),
                "time": _time(r),
            }
        )
    sections = [
        {
            "anchor": f"check-{r.name}",
            "title_zh": r.title_zh,
            "title_en": r.title_en,
            "severity": r.severity,
            "severity_zh": SEVERITY_ZH[r.severity],
            "description": r.description,
            "error": r.error,
            "open": len(r.findings) <= OPEN_FINDINGS,
            "findings": [_finding(f, link) for f in r.findings],
        }
        for r in run.results
        if r.findings or r.error
    ]
    return {
        "heading": "社区工作事项一致性检查报告",
        "run": run,
        "threshold": threshold,
        "failing": run.failing(threshold),
        "counts": severity_counts(run.results),
        "dataset_name": Path(run.dataset).name if run.dataset else "",
        "notes": [public_note(note) for note in run.notes],
        "summary": summary,
        "sections": sections,
        "heatmap": Markup(heatmap_svg(cover)),
        "sectors": Markup(sector_svg(bars)),
        "everywhere": sum(
            1 for t, _ in cover.topics if cover.covered_by(t) == len(cover.jurisdictions)
        ),
        "only_one": sum(1 for t, _ in cover.topics if cover.covered_by(t) == 1),
        "unassigned": "、".join(
            f"{label} {bars.unassigned[iri]}"
            for iri, label in bars.jurisdictions
            if bars.unassigned.get(iri)
        ),
    }


def _time(result: CheckResult) -> str:
    return "SHACL" if result.source == "shacl" else f"{result.seconds * 1000:.0f} ms"


def render_html(run: CheckRun, threshold: str, link: Linker | None = None) -> str:
    """report.html as ``cdkg check`` writes it: one self-contained page, the site's style
    sheet inline (templates/check_report_file.html)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    context = report_context(run, threshold, link)
    context["stylesheet"] = Markup(STYLESHEET.read_text(encoding="utf-8"))
    return environment.get_template("check_report_file.html").render(context)
