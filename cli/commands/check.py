"""``cdkg check``: the named consistency checks and SHACL, with a report and an exit status.

Builds first if there is no dataset, opens the store the build published beside
build/current/dataset.nq read-only (a dataset without one, e.g. ``--dataset FILE``, is
loaded into an in-memory store, which at national scale costs more than the checks), runs
every ``kind: check`` query of queries/, lists the SHACL findings the build published in its
report.json by shape of ontology/shapes.ttl (a dataset without a build report beside it is
validated with the shapes compiled to SPARQL, on the same store), prints the summary
table (or ``--format json``), and writes report.md, report.html and report.json
into build/current/check/ (beside the build's own report.md), or check/ beside the file
given by ``--dataset``, or ``--output DIR``.

Without ``--dataset`` and ``--no-shacl``, the run ``cdkg build`` kept in build/current/check/
(``cdkg.server.reports.check_files``) is reused when it is of the published dataset's version
and was computed under the same check queries and shapes — seconds instead of minutes at
national scale; otherwise the checks run live. The output says which.

Exit status: 0 when no check at or above ``--fail-on`` (error | warning | info | never;
default error) has findings, 1 otherwise or when a check could not run, 2 for bad usage
(e.g. no dataset and the build failed, or a query file with a bad header).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from cdkg.queries.library import load_library
from cdkg.server.reports.check_files import (
    LIVE_NOTE,
    REPORT_FOLDER,
    dependencies,
    load_run,
    write_reports,
)
from cdkg.server.reports.check_report import summary_table
from cdkg.server.reports.checks import SHAPES_FILE, THRESHOLDS, published_validation, run_checks

from .common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    add_queries_option,
    dataset_of,
    paths_of,
    queries_of,
)

NAME = "check"
SUMMARY = "run the named consistency checks and SHACL; write report.md and report.html"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg check``'s options."""
    parser.add_argument(
        "--fail-on",
        choices=THRESHOLDS,
        default="error",
        help="exit non-zero when a check of this severity or above has findings (default error)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="what to print: the summary table (default) or the full report as JSON",
    )
    parser.add_argument(
        "--output",
        help="folder for report.md, report.html and report.json "
        "(default: check/ beside the dataset, i.e. build/current/check)",
    )
    add_queries_option(parser)
    parser.add_argument("--dataset", help="an N-Quads/TriG file to check instead of the build")
    parser.add_argument("--no-shacl", action="store_true", help="run the check queries only")


def run(args: argparse.Namespace) -> int:
    from cdkg.loaders.validation.shacl import validate_store
    from cdkg.server.store.engines import OxigraphStore, dataset_version, published_store

    paths = paths_of(args)
    dataset = dataset_of(args, "check")
    if dataset is None:
        return EXIT_USAGE
    try:
        library = load_library(queries_of(args, paths))
    except ValueError as error:
        print(f"cdkg check: {error}", file=sys.stderr)
        return EXIT_USAGE
    started = time.perf_counter()
    run, why = None, "--dataset or --no-shacl given"
    if not args.dataset and not args.no_shacl:
        run, why = load_run(
            dataset.parent / REPORT_FOLDER, dataset_version(dataset), dependencies(library)
        )
    if run is None:
        published = published_store(dataset)
        store = (
            OxigraphStore.open_published(published, dataset)
            if published is not None
            else OxigraphStore.from_file(dataset)
        )
        validation = None
        if not args.no_shacl:
            validation = published_validation(dataset.parent) or validate_store(
                store.native, SHAPES_FILE
            )
        run = run_checks(
            store,
            library,
            validation=validation,
            shapes_path=SHAPES_FILE,
            version=store.version,
            dataset=str(dataset),
        )
        run.notes.append(LIVE_NOTE.format(why=why))
        run.seconds = time.perf_counter() - started
    output = Path(args.output) if args.output else dataset.parent / REPORT_FOLDER
    report = write_reports(run, output, args.fail_on)
    failing = run.failing(args.fail_on)
    if args.format == "json":
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(summary_table(run, args.fail_on))
        print()
        print(f"{len(run.results)} checks on {run.duty_count} duties in {run.seconds:.2f} s")
        print(f"note: {run.notes[-1]}")
        print(f"report: {output / 'report.html'} (and report.md, report.json)")
    if failing:
        names = ", ".join(r.name for r in failing)
        print(f"cdkg check: failing at --fail-on {args.fail_on}: {names}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK
