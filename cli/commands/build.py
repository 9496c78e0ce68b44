"""``cdkg build``: build the dataset from data/ and print the reconciliation table.

    cdkg build [--strict] [--law-texts DIR] [--allow-errors] [--no-reasoning] [--no-check]

Reads the source catalogs (data/raw/, data/catalogs/) and the reviewed registers
(data/registers/, data/corrections/), maps every duty to RDF, adds what OWL-RL entails,
validates with SHACL (ontology/shapes.ttl) and publishes build/current/: the dataset as
N-Quads and TriG, a manifest and the build report. It prints one line per catalog and list —
declared count, parsed count, numbering 1..N, skipped rows — then the normalisation,
reasoning, validation and law-text summaries. Once published, it runs ``cdkg check``'s checks
on the published store and keeps the run in build/current/check/ (the reports, and the run
that ``cdkg check`` and /report reuse while the dataset, check queries and shapes are
unchanged); ``--no-check`` skips that. A check run that fails is reported and changes
neither what was published nor the exit status.

Exit status: 0 when published; 1 on a source error (a count that disagrees with its heading,
a broken numbering, an unreadable row), a SHACL violation, or, with --strict, a finding (a
legal title, department or jurisdiction no register knows); 2 for bad usage.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..settings import SettingsError, law_texts_folder
from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, paths_of

NAME = "build"
SUMMARY = "build the dataset from data/raw and data/catalogs"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg build``'s options."""
    parser.add_argument(
        "--allow-errors", action="store_true", help="publish the catalogs that built"
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1, publish nothing) on findings too: references no register knows",
    )
    parser.add_argument("--no-reasoning", action="store_true", help="skip the OWL-RL closure")
    parser.add_argument(
        "--no-check",
        action="store_true",
        help="do not run the checks on the published dataset (cdkg check then runs them live)",
    )
    parser.add_argument(
        "--law-texts",
        metavar="DIR",
        help="folder of law texts in the LawRefBook mirror's layout, to check cited articles "
        "(default: $CDKG_LAW_TEXTS, else law_texts in <home>/cdkg.toml)",
    )


def run(args: argparse.Namespace) -> int:
    """Build the dataset and print the reconciliation table; non-zero on any error (and, with
    --strict, on any finding: a reference no register knows)."""
    from cdkg.loaders.build import BuildOptions, build  # here: other commands do not load it

    paths = paths_of(args)
    try:
        law_texts = law_texts_folder(args.law_texts, os.environ, paths.root)
    except SettingsError as problem:
        print(f"cdkg build: {problem}", file=sys.stderr)
        return EXIT_USAGE
    options = BuildOptions(
        base=args.base,
        allow_errors=args.allow_errors,
        reason=not args.no_reasoning,
        strict=args.strict,
        law_texts=law_texts,
    )
    result = build(paths, options)
    report = result.report
    print(report.table())
    print()
    for line in report.normalisation():
        print(line)
    print(f"reasoning: {report.reasoning.describe()}")
    print(f"validation: {report.validation.describe()}")
    print(f"law texts: {result.law_texts.describe() if result.law_texts else 'not checked'}")
    findings = report.findings()
    if findings:
        print(f"\n{len(findings)} finding(s) for review (published as provisional):")
        for finding in findings:
            print(f"  {finding}")
    errors = report.errors()
    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for error in errors:
            print(f"  {error}", file=sys.stderr)
    if args.strict and findings and report.ok:
        print(f"\n--strict: {len(findings)} finding(s) fail the build", file=sys.stderr)
    if result.published:
        print(f"dataset: {result.published} (report: {result.published / 'report.md'})")
        if not args.no_check:
            _check(paths.dataset, paths.queries)
    else:
        print("nothing published", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERRORS


def _check(dataset: Path, queries: Path) -> None:
    """Run the checks on the published dataset and keep the run (read side:
    ``cdkg.server.reports.check_files``); any error is printed, never raised."""
    try:
        from cdkg.server.reports.check_files import check_published

        run, folder = check_published(dataset, queries)
    except Exception as error:  # the build is published whatever the checks do
        print(f"check: not run: {type(error).__name__}: {error}", file=sys.stderr)
        return
    found = sum(len(result.findings) for result in run.results)
    print(
        f"check: {len(run.results)} checks, {found} findings in {run.seconds:.2f} s "
        f"(report: {folder / 'report.html'})"
    )
