"""Rendering a check run: a terminal table, Markdown, and a self-contained HTML page.

The HTML report shows each finding with its duty (label, IRI link), jurisdiction and source
file:line; a jurisdiction × topic coverage matrix as a heat map; and a bar chart of duties
per department sector. Both pictures are inline SVG with text kept as text, so the browser
draws the Chinese labels with its own fonts (no raster image, no missing glyphs), laid out by
:mod:`cdkg.server.reports.charts` and drawn by templates/check_report_charts.html; the page
loads nothing from anywhere: no CDN, no script, no web font.

>>> from cdkg.server.reports.checks import CheckResult, CheckRun
>>> run = CheckRun("v1", [CheckResult("demo", "query", "error", "示例", "Demo")], [], "", 0.1)
>>> print(summary_table(run, "error"))
check  title  severity  findings  status
-----  -----  --------  --------  ------
demo   示例   error            0  ok
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from cdkg.loaders.terminal import display_width, pad

from .charts import coverage, heatmap, sector_bars, sector_chart
from .checks import CheckFinding, CheckResult, CheckRun, severity_counts
from .links import safe_href

HrefOf = Callable[[str], str | None]
"""Where a finding links for an IRI; None: show it as text (a
:class:`cdkg.server.reports.links.Linker`, or :func:`~cdkg.server.reports.links.safe_href`)."""
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
OPEN_FINDINGS = 40
"""Findings of a check are shown expanded up to this many; longer lists start folded."""
SHOWN_FINDINGS = 1000
"""Findings of a check listed in report.html, report.md and /report; the rest are counted and
left to report.json (a check at 3,000 jurisdictions has 241,656 findings: listed in full,
report.html would be hundreds of megabytes, more than a browser opens)."""


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


def _more(total: int, shown: int) -> str:
    """The line under a check whose findings are not all listed (zh first, then en).

    >>> for half in _more(241656, 1000).split(" / "):
    ...     print(half)
    共 241656 条，此处列出前 1000 条；全部见 report.json
    Showing 1000 of 241656; all in report.json
    """
    return (
        f"共 {total} 条，此处列出前 {shown} 条；全部见 report.json / "
        f"Showing {shown} of {total}; all in report.json"
    )


def render_markdown(run: CheckRun, threshold: str, shown: int = SHOWN_FINDINGS) -> str:
    """report.md: summary, findings traced to their source lines (the first ``shown`` of
    each check), coverage and sectors."""
    failing = run.failing(threshold)
    counts = severity_counts(run.results)
    out = [
        "# cdkg check report · 一致性检查报告",
        "",
        f"- dataset version: `{run.version}`" + (f" ({run.dataset})" if run.dataset else ""),
        f"- generated: {run.generated}; {run.duty_count} duties; checks ran in {run.seconds:.2f} s",
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
    listed = [r for r in run.results if r.findings or r.error]
    if not listed:
        out.append("None.")
    for r in listed:
        out += [f"### {r.name} ({r.severity}, {len(r.findings)})", ""]
        out += [f"{r.title_zh} · {r.title_en}. {r.description}".strip(), ""]
        if r.error:
            out += [f"**The check could not run**: {_md(r.error)}", ""]
        for f in r.findings[:shown]:
            where = f" — {f.source}" if f.source else ""
            place = f" — {f.jurisdiction}" if f.jurisdiction else ""
            target = f.duty or f.focus
            focus = f" <{target}>" if target else ""
            detail = f" — {_md(f.message)}" if f.message else ""
            out.append(f"- {_md(f.label or '(no label)')}{focus}{place}{where}{detail}")
        if len(r.findings) > shown:
            out += ["", _more(len(r.findings), shown)]
        out.append("")
    cover = run.coverage or coverage(run.duties)
    out += ["## Coverage: duties per topic and jurisdiction", ""]
    out.append("| topic | " + " | ".join(_md(j) for _, j in cover.jurisdictions) + " | in |")
    out.append("|---|" + "---:|" * (len(cover.jurisdictions) + 1))
    for topic, label in cover.topics:
        cells = [str(cover.counts.get((topic, j), "") or "") for j, _ in cover.jurisdictions]
        out.append(f"| {_md(label)} | " + " | ".join(cells) + f" | {cover.covered_by(topic)} |")
    bars = run.sectors or sector_bars(run.duties)
    out += ["", "## Duties per department sector", "", "| sector | duties |", "|---|---:|"]
    out += [f"| {_md(label)} | {total} |" for label, _, total in bars.sectors]
    out.append("")
    return "\n".join(out)


# --- HTML -----------------------------------------------------------------------------------

TEMPLATES = Path(__file__).with_name("templates")
STYLESHEET = Path(__file__).parents[1] / "static" / "cdkg.css"
"""The site's one style sheet, inlined into the self-contained report.html."""
STATE_ZH = {"ok": "通过", "findings": "有发现", "FAIL": "未通过", "not run": "未运行"}


def _finding(f: CheckFinding, link: HrefOf) -> dict[str, object]:
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


def report_context(
    run: CheckRun, threshold: str, link: HrefOf | None = None, shown: int = SHOWN_FINDINGS
) -> dict[str, object]:
    """What templates/check_report_body.html shows of ``run`` at ``threshold``: the first
    ``shown`` findings of each check; ``link`` maps IRIs to hrefs (default: http(s) IRIs
    only). No path of the machine appears."""
    link = link or safe_href
    cover = run.coverage or coverage(run.duties)
    bars = run.sectors or sector_bars(run.duties)
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
            "findings": [_finding(f, link) for f in r.findings[:shown]],
            "total": len(r.findings),
            "more": _more(len(r.findings), shown) if len(r.findings) > shown else "",
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
        "heatmap": heatmap(cover),
        "sectors": sector_chart(bars),
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


def render_html(
    run: CheckRun, threshold: str, link: HrefOf | None = None, shown: int = SHOWN_FINDINGS
) -> str:
    """report.html as ``cdkg check`` writes it: one self-contained page, the site's style
    sheet inline (templates/check_report_file.html), the first ``shown`` findings of each
    check."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True)
    )
    context = report_context(run, threshold, link, shown)
    context["stylesheet"] = Markup(STYLESHEET.read_text(encoding="utf-8"))
    return environment.get_template("check_report_file.html").render(context)
