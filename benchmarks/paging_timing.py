"""The first page of each named query against its whole answer, cold, through pyoxigraph
directly (not part of the tests; issue 18: "the first page under 1 s").

    .venv/bin/python benchmarks/paging_timing.py --store /work/b3000/build/current/store
    .venv/bin/python benchmarks/paging_timing.py --jurisdictions 300 --work /tmp/paging300

Either times an existing published store (``--store``, opened read-only), or makes (or
reuses) the project ``WORK/project`` with the seeds and N generated jurisdictions as
benchmarks/run.py does and builds it unless ``WORK/project/build/current`` exists. Then, for
every SELECT of queries/ (or those named with ``--query``), runs the first page
(``LIMIT DEFAULT_PAGE_SIZE``, appended by cdkg.queries.paging as the query page does) and the
whole answer, each in a fresh process that reads every row ``--runs`` times (default 3):
the first answer after a restart, and the best of the others. Prints one line per query and
writes ``--out`` (JSON).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import run  # noqa: E402  (benchmarks/ is not a package)

from cdkg.queries.library import load_library  # noqa: E402
from cdkg.queries.paging import DEFAULT_PAGE_SIZE, Page, paged  # noqa: E402

PYTHON = sys.executable

ONE_QUERY = """
import sys, time, pyoxigraph as ox
store = ox.Store.read_only(sys.argv[1])
text = open(sys.argv[2], encoding="utf-8").read()
times = []
for _ in range(int(sys.argv[3])):
    started = time.perf_counter()
    rows = sum(1 for _ in store.query(text, use_default_graph_as_union=True))
    times.append(time.perf_counter() - started)
print(times[0], min(times[1:] or times), rows)
"""


def timed(store: Path, text: str, timeout: float, runs: int) -> tuple[float, float, int] | str:
    """(first run in a fresh process, the best of the other runs in it, rows)."""
    with tempfile.NamedTemporaryFile("w", suffix=".rq", encoding="utf-8") as query:
        query.write(text)
        query.flush()
        try:
            done = subprocess.run(
                [PYTHON, "-c", ONE_QUERY, str(store), query.name, str(runs)],
                capture_output=True,
                text=True,
                timeout=timeout,
                check=True,
            )
        except subprocess.TimeoutExpired:
            return f"> {timeout:.0f} s"
        except subprocess.CalledProcessError as error:
            return f"error: {error.stderr.strip().splitlines()[-1]}"
    first, again, rows = done.stdout.split()
    return float(first), float(again), int(rows)


def shown(result: tuple[float, float, int] | str) -> str:
    if isinstance(result, str):
        return result
    first, again, rows = result
    return f"{first * 1000:,.0f} / {again * 1000:,.0f} ms ({rows:,} rows)"


def store_of(args: argparse.Namespace) -> Path:
    if args.store is not None:
        return Path(args.store)
    if args.work is None:
        raise SystemExit("give --store, or --jurisdictions and --work")
    project = args.work / "project"
    if not project.exists():
        run.make_project(project, args.jurisdictions)
    published = project / "build" / "current"
    if not published.exists():
        built = run.run_build(project, 3600)
        built.pop("progress", None)
        print("build", json.dumps(built), flush=True)
    return published.resolve() / "store"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a published store folder to time")
    parser.add_argument("--jurisdictions", default="300", help="a number, or 'real'")
    parser.add_argument("--work", type=Path, help="where to make and build the project")
    parser.add_argument("--query", action="append", default=[], help="only these queries")
    parser.add_argument("--timeout", type=float, default=300.0)
    parser.add_argument("--runs", type=int, default=3, help="runs per process (first, best)")
    parser.add_argument("--out", type=Path, default=Path("paging-timing.json"))
    args = parser.parse_args(argv)
    store = store_of(args)
    library = load_library(ROOT / "queries")
    names = args.query or [
        name for name, query in library.items() if re.search(r"^\s*SELECT\b", query.text, re.M)
    ]
    result: dict[str, object] = {"store": str(store), "page": DEFAULT_PAGE_SIZE}
    queries: dict[str, object] = {}
    for name in names:
        text = library[name].text
        first = timed(store, paged(text, Page(DEFAULT_PAGE_SIZE)), args.timeout, args.runs)
        whole = timed(store, text, args.timeout, args.runs)
        queries[name] = {"first_page": first, "whole": whole}
        print(f"{name}: first page {shown(first)}; whole {shown(whole)}", flush=True)
    result["queries"] = queries
    result["when"] = time.strftime("%Y-%m-%d %H:%M:%S")
    args.out.write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
