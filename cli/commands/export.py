"""``cdkg export``: the duty table as CSV/XLSX, or the dataset as Turtle, N-Quads, JSON-LD.

CSV and XLSX have one row per duty: jurisdiction, catalog, list type, number, name,
category, topics, departments, sectors, legal documents, articles, citation text, source
file and line, IRI. A cell with several values joins them with the full-width semicolon
"；" (see cdkg.server.reports.exports). CSV is UTF-8 with a byte-order mark so Excel shows the
Chinese.

Text formats (csv, ttl, nq, jsonld) go to standard output when no --output is given; xlsx
is binary and needs --output (or standard output redirected to a file).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .common import EXIT_OK, EXIT_USAGE, dataset_of

FORMATS = ("csv", "xlsx", "ttl", "nq", "jsonld")


NAME = "export"
SUMMARY = "write the duties as CSV/XLSX or the dataset as ttl/nq/jsonld"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg export``'s options."""
    parser.add_argument(
        "--format",
        choices=FORMATS,
        required=True,
        help="csv, xlsx: the duty table (one row per duty); ttl, nq, jsonld: the whole dataset",
    )
    parser.add_argument("--output", help="file to write (default: standard output)")
    parser.add_argument("--dataset", help="an N-Quads file to export instead of the build")


def export_bytes(dataset: Path, fmt: str) -> bytes:
    """The bytes of one export of ``dataset`` (a built dataset.nq)."""
    from cdkg.server.reports import exports

    if fmt in exports.RDF_FORMATS:
        return exports.rdf_dump(dataset, fmt)
    from cdkg.server.reports.duties import duty_table
    from cdkg.server.store.engines import OxigraphStore

    store = OxigraphStore.from_file(dataset)
    duties = duty_table(store)
    if fmt == "csv":
        return exports.to_csv(duties)
    return exports.to_xlsx(duties, store.version)


def run(args: argparse.Namespace) -> int:
    dataset = dataset_of(args, "export")
    if dataset is None:
        return EXIT_USAGE
    if args.format == "xlsx" and not args.output and sys.stdout.isatty():
        print("cdkg export: xlsx is binary; give --output FILE", file=sys.stderr)
        return EXIT_USAGE
    body = export_bytes(dataset, args.format)
    if args.output:
        output = Path(args.output)
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_bytes(body)
        print(f"wrote {output} ({len(body)} bytes, {args.format})", file=sys.stderr)
    else:
        sys.stdout.flush()
        sys.stdout.buffer.write(body)
        sys.stdout.buffer.flush()
    return EXIT_OK
