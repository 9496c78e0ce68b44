"""The national named queries read from the statistics graph against their old text that
scanned every duty, cold, through pyoxigraph directly (not part of the tests; issue 18).

    .venv/bin/python benchmarks/statistics_timing.py --jurisdictions 3000 --work /tmp/stats3000

makes (or reuses) the project ``WORK/project`` with the seeds and N generated jurisdictions
as benchmarks/run.py does, builds it unless ``WORK/project/build/current`` exists, counts the
statistics into the published store if that build predates them (timed: the statistics
stage's cost at that size), then runs each query of tests/queries/scan/ — the old text — and
its rewritten text in queries/, each in a fresh process that opens the store read-only and
reads every row three times: the first answer after a restart, and the better of two more
(what the endpoint with its result cache off pays once the store is warm). Prints one line
per query and writes WORK/statistics-timing.json.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import run  # noqa: E402  (benchmarks/ is not a package)
from paging_timing import timed  # noqa: E402  (one query in a fresh process: first and best)

SCAN = ROOT / "tests" / "queries" / "scan"
PYTHON = sys.executable

ADD_STATISTICS = """
import sys, time, pyoxigraph as ox
from rdflib import URIRef
from cdkg.loaders.rdf.nquads import graph_line
from cdkg.loaders.statistics import graph_iri, statistics_tokens
store_path, base, target = sys.argv[1], sys.argv[2], sys.argv[3]
store = ox.Store(store_path)
name = str(graph_iri(base))
if next(iter(store.quads_for_pattern(None, None, None, ox.NamedNode(name))), None) is not None:
    print("present")
    sys.exit(0)
started = time.perf_counter()
count = 0
with open(target, "w", encoding="utf-8") as out:
    for s, p, o in statistics_tokens(store, base):
        out.write(graph_line(s, p, o, name) + "\\n")
        count += 1
counted = time.perf_counter() - started
store.bulk_load(path=target, format=ox.RdfFormat.N_QUADS)
store.flush()
print(counted, time.perf_counter() - started, count)
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jurisdictions", default="3000", help="a number, or 'real'")
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args(argv)
    project = args.work / "project"
    result: dict[str, object] = {"jurisdictions": args.jurisdictions}
    if not project.exists():
        run.make_project(project, args.jurisdictions)
    published = project / "build" / "current"
    if not published.exists():
        result["build"] = run.run_build(project, 3600)
        result["build"].pop("progress", None)  # type: ignore[attr-defined]
        print("build", json.dumps(result["build"]), flush=True)
    store = published.resolve() / "store"
    added = subprocess.run(
        [
            PYTHON,
            "-c",
            ADD_STATISTICS,
            str(store),
            "https://w3id.org/cdkg/id/",
            str(args.work / "statistics.nq"),
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    if added != ["present"]:
        counted, total, triples = added
        result["statistics"] = {
            "count_s": float(counted),
            "with_load_s": float(total),
            "triples": int(triples),
        }
        print("statistics", result["statistics"], flush=True)
    queries: dict[str, object] = {}
    for old in sorted(SCAN.glob("*.rq")):
        new = ROOT / "queries" / old.name
        before = timed(store, old.read_text(encoding="utf-8"), args.timeout, 3)
        after = timed(store, new.read_text(encoding="utf-8"), args.timeout, 3)
        queries[old.stem] = {"scan": before, "statistics": after}
        print(f"{old.stem}: scan {before}, statistics {after}", flush=True)
    result["queries"] = queries
    result["when"] = time.strftime("%Y-%m-%d %H:%M:%S")
    (args.work / "statistics-timing.json").write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
