"""docs/benchmarks.md from the JSON of one benchmarks/run.py run (not part of the tests).

    .venv/bin/python benchmarks/report.py [benchmarks/results.json] [docs/benchmarks.md]

Every number in the page comes from the JSON; the targets of issue 7 are checked here, so the
page says "met" or "not met" from the measurement, never from hope. Latencies are medians of
the timed repetitions after one warm-up; "cold" is the warm-up itself (the first time the
server saw the query).
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import BUDGETS, named_queries

ROOT = Path(__file__).resolve().parents[1]
PEER_TITLES = {
    "cdkg-oxigraph": "cdkg (pyoxigraph, cache off)",
    "cdkg-cached": "cdkg as shipped (cache on)",
    "oxigraph": "oxigraph serve",
    "virtuoso": "Virtuoso",
    "cdkg-rdflib": "cdkg (rdflib engine)",
    "rdflib-endpoint": "rdflib-endpoint",
}
SIZE_TITLES = {"real": "the five seed catalogs"}


INTRO = """\
Written by `benchmarks/report.py` from `benchmarks/results.json`, the record of the runs of
`benchmarks/run.py` below (every number below is in that file; `benchmarks/run.py` alone runs
every size and server in one go). To reproduce, on a machine set up with `./dev test` (which
installs Virtuoso and the Oxigraph server):

```sh
.venv/bin/python {command}
.venv/bin/python benchmarks/report.py
```

Machine: {cpus} × {cpu}, {memory:.0f} GiB, {os}, kernel {kernel}. Run time {minutes:.0f} min.
{load}

Versions: {versions}.

What was measured, on the same data for every server: the seed catalogs (`real`) and the
seeds plus N jurisdictions from `benchmarks/generate.py` (template-format catalogs read by
the real loader). Each named query of `queries/` (parameters at their defaults) is sent as an
HTTP form POST on 127.0.0.1: one warm-up — the first request for it since the server started,
shown as "cold" — then timed repetitions (median / p95 below; a query whose first answer took
longer than the size's per-query budget, 3 s, 10 s at 300 and 20 s at 3,000 jurisdictions, is
not repeated: its median is that answer); then 8 concurrent clients cycle
through the named queries. Before the queries, cdkg's first /report is fetched (the server
computes it in the background from its start) and `cdkg check` is run on each size's build;
then each named query's first page as its own door serves it, `GET /queries/NAME?limit=100`
as JSON (the first request for it since the start, then once more): where the build keeps
the answer of a large question (its answer table), that page is read by IRI.
cdkg is measured twice: with its result cache off (every request runs in the engine: the
numbers comparable with the peers) and as shipped, where repetitions are answered from the
cache (its cold column is the warm-up). Queries marked (agg.) aggregate (GROUP BY / COUNT /
SUM / AVG)."""


def size_title(size: str) -> str:
    if size in SIZE_TITLES:
        return SIZE_TITLES[size]
    return f"seeds + {int(size):,} generated jurisdictions"


def ms(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds >= 10:
        return f"{seconds:,.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds >= 0.01 else f"{seconds * 1000:.2f} ms"


def gb(count: float | None) -> str:
    return "–" if count is None else f"{count / 1024**3:.2f} GB"


def times(ratio: float) -> str:
    """A ratio with two significant digits however small: 0.64×, 0.0043×.

    >>> times(0.6391), times(0.004285), times(2.549)
    ('0.64×', '0.0043×', '2.55×')
    """
    return f"{ratio:.2f}×" if ratio >= 0.1 else f"{ratio:.2g}×"


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


def timed_out(entry: dict[str, Any]) -> bool:
    return str(entry.get("error", "")).startswith("TimeoutError")


def median_of(peer: dict[str, Any], query: str, size: str | None = None) -> float | None:
    """The median; with ``size``, a query that timed out counts as the request timeout (a
    lower bound, so ratios against it are lower bounds too)."""
    entry = peer.get("queries", {}).get(query, {})
    if size is not None and timed_out(entry):
        return BUDGETS.get(size, BUDGETS["small"]).request_timeout
    value = entry.get("median_s")
    return value if "error" not in entry else None


def ratios(
    sizes: dict[str, Any], size: str, top: str, bottom: str, names: list[str]
) -> list[float]:
    """median(top) / median(bottom) per query in ``names`` both answered."""
    peers = sizes[size].get("peers", {})
    found = []
    for name in names:
        a, b = median_of(peers.get(top, {}), name, size), median_of(peers.get(bottom, {}), name)
        if a and b:
            found.append(a / b)
    return found


def targets(report: dict[str, Any], aggregates: list[str], all_names: list[str]) -> list[str]:
    sizes = report["sizes"]
    lines = ["| Target (issues 7 and 18) | Measured | |", "|---|---|---|"]

    def row(target: str, measured: str, met: bool | None) -> None:
        verdict = "–" if met is None else ("met" if met else "**not met**")
        lines.append(f"| {target} | {measured} | {verdict} |")

    big = sizes.get("3000", {})
    build = big.get("build", {})
    if "wall_s" in build:
        row("Build at 3,000 under 5 min", ms(build["wall_s"]), build["wall_s"] < 300)
        peak = build["peak_rss_tree_bytes"]
        row("Build at 3,000 under 8 GB peak", gb(peak), peak < 8 * 1024**3)
    check = big.get("check", {})
    if "wall_s" in check:
        peak = check["peak_rss_tree_bytes"]
        row(
            "`cdkg check` at 3,000 under 60 s / 8 GB",
            f"{ms(check['wall_s'])}, {gb(peak)} peak",
            check["wall_s"] < 60 and peak < 8 * 1024**3,
        )
    elif check:
        row("`cdkg check` at 3,000 under 60 s / 8 GB", str(check.get("error", "?"))[:200], False)
    served = big.get("peers", {}).get("cdkg-oxigraph", {}).get("report", {})
    if "after_start_s" in served:
        peak = served["peak_rss_tree_bytes"]
        row(
            "/report at 3,000 under 60 s / 8 GB (server start to first report)",
            f"{ms(served['after_start_s'])}, {gb(peak)} peak",
            served["after_start_s"] < 60 and peak < 8 * 1024**3,
        )
    cold_row(big.get("peers", {}).get("cdkg-oxigraph", {}), all_names, row)
    first_page_row(big.get("peers", {}).get("cdkg-oxigraph", {}), all_names, row)
    for peer, label in (("cdkg-oxigraph", "cache off"), ("cdkg-cached", "as shipped")):
        queries = big.get("peers", {}).get(peer, {}).get("queries", {})
        medians = {n: e.get("median_s") for n, e in queries.items() if "median_s" in e}
        if medians:
            slow = sorted((n for n, s in medians.items() if s >= 1), key=lambda n: -medians[n])
            worst = max(medians, key=lambda n: medians[n])
            text = f"{len(medians) - len(slow)}/{len(all_names)} under 1 s; slowest {worst} "
            text += f"{ms(medians[worst])}"
            if slow:
                text += f"; over 1 s: {', '.join(slow)}"
            complete = len(medians) == len(all_names)
            row(
                f"Every named query's median under 1 s at 3,000 ({label})",
                text,
                complete and not slow,
            )
    # The ratio targets are set at 3,000 jurisdictions; the smaller sizes show the trend (at
    # the seed size a query takes milliseconds and HTTP's fixed cost dominates any ratio).
    for size in ("real", "300", "3000"):
        if size not in sizes:
            continue
        judged = size == "3000"
        found = ratios(sizes, size, "cdkg-oxigraph", "oxigraph", all_names)
        if found:
            text = f"geometric mean {geometric_mean(found):.2f}×, worst {max(found):.2f}×"
            # Issue 18 item 1 judges the real size by the geometric mean; issue 7 judged
            # 3,000 by the worst query.
            if size == "real":
                verdict: bool | None = geometric_mean(found) <= 1.5
                target = "cdkg within 1.5× of oxigraph serve, geometric mean (real)"
            else:
                verdict = max(found) <= 1.5 if judged else None
                target = f"cdkg within 1.5× of oxigraph serve ({size})"
            row(target, text, verdict)
        found = ratios(sizes, size, "rdflib-endpoint", "cdkg-oxigraph", aggregates)
        if found:
            text = f"geometric mean {geometric_mean(found):.0f}×, least {min(found):.0f}×"
            text += f" over {len(found)} aggregate queries"
            rdflib = sizes[size]["peers"].get("rdflib-endpoint", {})
            timeouts = sum(timed_out(rdflib.get("queries", {}).get(n, {})) for n in aggregates)
            if timeouts:
                limit = BUDGETS.get(size, BUDGETS["small"]).request_timeout
                text += f" ({timeouts} timed out at {limit:.0f} s: lower bounds)"
            verdict = min(found) >= 20 if judged else None
            row(f"≥ 20× faster than rdflib-endpoint on aggregates ({size})", text, verdict)
        elif judged and "error" in sizes[size]["peers"].get("rdflib-endpoint", {}):
            error = sizes[size]["peers"]["rdflib-endpoint"]["error"]
            text = f"rdflib-endpoint could not serve this size: {error}"
            row(f"≥ 20× faster than rdflib-endpoint on aggregates ({size})", text, None)
    for size in ("real", "300", "3000"):
        found_ratio = throughput_ratio(sizes.get(size, {}).get("peers", {}))
        if found_ratio is not None:
            ours, theirs = found_ratio
            text = f"{ours:.1f} vs {theirs:.1f} req/s: {ours / theirs:.2f}×" if theirs else "–"
            verdict = ours >= theirs if size == "3000" else None
            row(f"Throughput (8 clients, cache off) ≥ oxigraph serve's ({size})", text, verdict)
    real = sizes.get("real", {}).get("peers", {}).get("cdkg-oxigraph", {}).get("queries", {})
    if real:
        medians = {n: e["median_s"] for n, e in real.items() if "median_s" in e}
        over = sorted((n for n, s in medians.items() if s >= 0.02), key=lambda n: -medians[n])
        worst = max(medians, key=lambda n: medians[n])
        text = f"slowest {worst} {ms(medians[worst])}"
        if over:
            text += f"; over 20 ms: {', '.join(f'{n} ({ms(medians[n])})' for n in over)}"
        row("Real data: every named query under 20 ms through HTTP (cache off)", text, not over)
    return lines


def cold_row(peer: dict[str, Any], names: list[str], row: Any) -> None:
    """The target row "every named query under 1 s cold": cold is the first request for the
    query after the server started (the warm-up), with the result cache off — not the
    median of the repetitions that follow it."""
    queries = peer.get("queries", {})
    cold = {n: e["warm_up_s"] for n, e in queries.items() if "warm_up_s" in e and "error" not in e}
    if not cold:
        return
    slow = sorted((n for n, s in cold.items() if s >= 1), key=lambda n: -cold[n])
    worst = max(cold, key=lambda n: cold[n])
    text = f"{len(cold) - len(slow)}/{len(names)} under 1 s cold; slowest {worst} {ms(cold[worst])}"
    if slow:
        text += f"; over 1 s: {', '.join(f'{n} ({ms(cold[n])})' for n in slow)}"
    row(
        "Every named query under 1 s cold at 3,000 (cache off, first request after start)",
        text,
        len(cold) == len(names) and not slow,
    )


def first_page_row(peer: dict[str, Any], names: list[str], row: Any) -> None:
    """The target row "every named query's first page under 1 s cold": the first GET of
    ``/queries/NAME?limit=100`` after the server started (benchmarks/run.py
    ``measure_first_pages``), cache off."""
    pages = peer.get("first_pages", {})
    cold = {n: e["cold_s"] for n, e in pages.items() if "cold_s" in e}
    if not pages:
        return
    failed = sorted(n for n, e in pages.items() if "cold_s" not in e)
    slow = sorted((n for n, s in cold.items() if s >= 1), key=lambda n: -cold[n])
    text = f"{len(cold) - len(slow)}/{len(names)} under 1 s cold"
    if cold:
        worst = max(cold, key=lambda n: cold[n])
        text += f"; slowest {worst} {ms(cold[worst])}"
    if slow:
        text += f"; over 1 s: {', '.join(f'{n} ({ms(cold[n])})' for n in slow)}"
    if failed:
        text += f"; failed: {', '.join(failed)}"
    row(
        "Every named query's first page (100 rows, /queries/NAME) under 1 s cold at 3,000",
        text,
        len(cold) == len(names) and not slow,
    )


def throughput_ratio(peers: dict[str, Any]) -> tuple[float, float] | None:
    """(cdkg's requests per second with the cache off, oxigraph serve's), both measured."""
    ours = peers.get("cdkg-oxigraph", {}).get("throughput", {}).get("requests_per_s")
    theirs = peers.get("oxigraph", {}).get("throughput", {}).get("requests_per_s")
    return None if ours is None or theirs is None else (ours, theirs)


def check_table(sizes: dict[str, Any]) -> list[str]:
    """`cdkg check` per size, and /report in cdkg's server (cache off)."""
    lines = [
        "| Size | `cdkg check` wall | Peak memory | Checks | Findings (error/warning/info) "
        "| Slowest check queries | /report after start | Server peak memory |",
        "|---|---:|---:|---:|---|---|---:|---:|",
    ]
    for size, result in sizes.items():
        check = result.get("check")
        served = result.get("peers", {}).get("cdkg-oxigraph", {}).get("report", {})
        if check is None and not served:
            continue
        check = check or {}
        if "wall_s" in check:
            found = check["findings"]
            cells = [
                ms(check["wall_s"]),
                gb(check["peak_rss_tree_bytes"]),
                str(check["checks"]),
                f"{found['error']:,}/{found['warning']:,}/{found['info']:,}",
                ", ".join(f"{name} {ms(seconds)}" for name, seconds in check["slowest"]),
            ]
        else:
            cells = [str(check.get("error", "not measured"))[:200], "", "", "", ""]
        if "after_start_s" in served:
            cells += [ms(served["after_start_s"]), gb(served["peak_rss_tree_bytes"])]
        else:
            cells += [str(served.get("error", "–"))[:200], ""]
        lines.append("| " + " | ".join([size_title(size), *cells]) + " |")
    return lines


def build_table(sizes: dict[str, Any]) -> list[str]:
    lines = [
        "| Size | Duties | Quads (entailed) | Parse | Normalise | Reason | Statistics "
        "| Answers | Validate | Write | Build wall | Then the check run | Peak memory "
        "| Store on disk | Restart: open store | Restart: parse N-Quads |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, result in sizes.items():
        build = result.get("build", {})
        if "wall_s" not in build:
            lines.append(f"| {size} | {build.get('error', '?')[:200]} |" + " |" * 14)
            continue
        stages = build["stages_s"]
        opened = result.get("open", {})
        cells = [
            size_title(size),
            f"{build['duties']:,}",
            f"{build['quads']:,} ({build['entailed']:,})",
            *(
                ms(stages.get(k))
                for k in ("parse", "normalise", "reason", "statistics", "answers", "validate")
            ),
            ms(stages.get("write")),
            ms(build["wall_s"]),
            ms(build.get("check_run_s")),
            gb(build["peak_rss_tree_bytes"]),
            gb(build["store_bytes"]),
            ms(opened.get("store_s")),
            ms(opened.get("parse_s")),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def server_table(peers: dict[str, Any]) -> list[str]:
    lines = [
        "| Server | Load | Ready | Memory after queries | Throughput (8 clients) | Errors | Note |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    reference = peers.get("oxigraph", {}).get("throughput", {}).get("requests_per_s")
    for name, peer in peers.items():
        title = PEER_TITLES.get(name, name)
        if "skipped" in peer or "error" in peer:
            reason = peer.get("skipped") or peer.get("error", "")
            lines.append(f"| {title} | | | | | | {reason[:300]} |")
            continue
        throughput = peer.get("throughput", {})
        note = "; ".join(peer.get("notes", []))
        cells = [
            title,
            ms(peer.get("load_s")),
            ms(peer.get("start_s")),
            gb(peer.get("rss_bytes")),
            f"{throughput.get('requests_per_s', 0):.1f} req/s ({throughput.get('ok', 0)} done)"
            + (
                f", {times(throughput['requests_per_s'] / reference)} oxigraph serve's"
                if reference and name != "oxigraph" and "requests_per_s" in throughput
                else ""
            ),
            str(throughput.get("errors", "")),
            note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def query_table(
    peers: dict[str, Any], names: list[str], aggregates: set[str], size: str
) -> list[str]:
    shown = [p for p in PEER_TITLES if p in peers and "queries" in peers[p]]
    head = ["Named query", *(PEER_TITLES[p] for p in shown)]
    base, oxigraph, rdflib = (
        peers.get(p, {}) for p in ("cdkg-oxigraph", "oxigraph", "rdflib-endpoint")
    )
    pages = base.get("first_pages", {})
    if pages:
        head.append("cdkg first page, /queries/NAME (cold / again)")
    head += ["cdkg ÷ oxigraph", "rdflib-endpoint ÷ cdkg"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for name in names:
        cells = [f"{name}{' (agg.)' if name in aggregates else ''}"]
        for peer in shown:
            entry = peers[peer]["queries"].get(name, {})
            if timed_out(entry):
                limit = BUDGETS.get(size, BUDGETS["small"]).request_timeout
                cells.append(f"> {limit:.0f} s")
            elif "error" in entry:
                cells.append("error")
            elif "skipped" in entry:
                cells.append("not run")
            else:
                text = f"{ms(entry.get('median_s'))} / {ms(entry.get('p95_s'))}"
                if "warm_up_s" in entry:
                    text += f" (cold {ms(entry['warm_up_s'])})"
                if peer == "cdkg-cached":
                    text = f"{ms(entry.get('median_s'))} (cold {ms(entry.get('warm_up_s'))})"
                cells.append(text)
        if pages:
            page = pages.get(name, {})
            if "cold_s" in page:
                cells.append(f"{ms(page['cold_s'])} / {ms(page.get('again_s'))}")
            else:
                cells.append("error" if "error" in page else "–")
        a, b = median_of(base, name), median_of(oxigraph, name)
        c = median_of(rdflib, name, size)
        cells.append(f"{a / b:.2f}×" if a and b else "–")
        bound = "≥ " if timed_out(rdflib.get("queries", {}).get(name, {})) else ""
        cells.append(f"{bound}{c / a:.0f}×" if a and c else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return lines


PROFILE = ROOT / "docs" / "benchmarks-profile.md"
"""Where the time goes, written from a profile (not from a run's JSON): included when present."""


def load_line(report: dict[str, Any]) -> str:
    """The machine's load average (1 min, 5 min, 15 min) at the start and end of each size's
    run, or of the whole run: on a shared machine every number depends on it."""

    def triple(values: list[float] | None) -> str:
        return "?" if not values else "/".join(f"{v:.1f}" for v in values)

    parts = []
    for size, result in order(report["sizes"]).items():
        run = result.get("run", {})
        if run:
            parts.append(
                f"{size}: {triple(run.get('load_average_start'))} → "
                f"{triple(run.get('load_average_end'))} (commit {run.get('commit', '?')}, "
                f"{run.get('started', '?')}, {run.get('total_s', 0) / 60:.0f} min)"
            )
    if not parts:
        machine = report["machine"]
        parts.append(
            f"{triple(machine.get('load_average_start'))} → "
            f"{triple(machine.get('load_average_end'))}"
        )
    return "Load average (1/5/15 min) at start → end: " + "; ".join(parts) + "."


def order(sizes: dict[str, Any]) -> dict[str, Any]:
    """Sizes smallest first (``real`` is the seeds alone), however the runs added them."""
    return dict(sorted(sizes.items(), key=lambda item: -1 if item[0] == "real" else int(item[0])))


def run_minutes(report: dict[str, Any]) -> float:
    """The run's length: the sum of its sizes' when each records its own (``--merge``)."""
    timed = [r["run"]["total_s"] for r in report["sizes"].values() if "total_s" in r.get("run", {})]
    return (sum(timed) if timed else report.get("total_s", 0)) / 60


def profile_section() -> list[str]:
    """docs/benchmarks-profile.md under its own heading, when it is there."""
    if not PROFILE.is_file():
        return []
    text = PROFILE.read_text(encoding="utf-8").strip().splitlines()
    if text and text[0].startswith("# "):
        text = text[1:]  # the file's own title; the section heading replaces it
    return ["## Where the time goes", "", *text, ""]


def render(report: dict[str, Any]) -> str:
    queries = named_queries()
    names = [q.name for q in queries]
    aggregates = [q.name for q in queries if q.aggregate]
    machine, versions = report["machine"], report["versions"]
    report = {**report, "sizes": order(report["sizes"])}
    out = [
        "# Benchmarks",
        "",
        *INTRO.format(
            command=report["command"].split(" ", 1)[1],
            cpus=machine["cpus"],
            cpu=machine["cpu"],
            memory=machine["memory_bytes"] / 1024**3,
            os=machine["os"],
            kernel=machine["kernel"],
            minutes=run_minutes(report),
            load=load_line(report),
            versions="; ".join(f"{k} {v}" for k, v in versions.items()),
        ).splitlines(),
        "",
        "## Targets",
        "",
        *targets(report, aggregates, names),
        "",
        *profile_section(),
        "## Build, and restart from disk",
        "",
        *build_table(report["sizes"]),
        "",
    ]
    checks = check_table(report["sizes"])
    if len(checks) > 2:
        out += ["## `cdkg check` and /report", "", *checks, ""]
    for size, result in report["sizes"].items():
        peers = result.get("peers", {})
        if not peers:
            continue
        build = result.get("build", {})
        out += [f"## {size_title(size)}: {build.get('quads', 0):,} quads", ""]
        if result.get("note"):
            # Said of a size measured apart from the others (another commit or day).
            out += [str(result["note"]), ""]
        out += [
            *server_table(peers),
            "",
            *query_table(peers, names, set(aggregates), size),
            "",
        ]
        differences = result.get("row_differences", {})
        if differences:
            out.append("Row counts that differ from cdkg's (peer, cdkg):")
            for peer, found in differences.items():
                text = ", ".join(f"{q} {a} vs {b}" for q, (a, b) in found.items())
                out.append(f"- {PEER_TITLES.get(peer, peer)}: {text}")
            out.append("")
        errors = [
            f"- {PEER_TITLES.get(peer, peer)}, {query}: {entry['error'][:160]}"
            for peer, data in peers.items()
            for query, entry in data.get("queries", {}).items()
            if "error" in entry
        ]
        if errors:
            out += ["Errors:", *(" ".join(e.split()) for e in errors), ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str]) -> int:
    source = Path(argv[0]) if argv else ROOT / "benchmarks" / "results.json"
    target = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "benchmarks.md"
    report = json.loads(source.read_text(encoding="utf-8"))
    target.write_text(render(report), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
