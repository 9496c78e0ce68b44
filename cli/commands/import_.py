"""``cdkg import``: a catalog as the government published it → a catalog template to review.

The whole path:
  1. find the catalog on the government's site and download it as published: a Word (.docx),
     Excel (.xlsx), web page (.html/.htm), PDF with a text layer (.pdf) or text (.txt/.md)
     file (save a .doc/.xls as .docx/.xlsx first; OCR a scanned PDF first);
  2. cdkg import FILE --key KEY --jurisdiction CODE|名称 --preview
     prints what it inferred (metadata, column mapping, lists with their counts, carried-down
     cells, every row or line it could not place) and writes nothing; add --title,
     --jurisdiction or --list-type where it says something is missing;
  3. the same without --preview writes data/catalogs/KEY.csv and keeps a copy of the file as
     data/catalogs/sources/KEY.<suffix>; each duty records where it stands in the original;
  4. review the CSV against the original (fix names, categories, departments, basis);
  5. cdkg build: the catalog joins the graph, and each duty's page shows where it came from.
See data/catalogs/README.md ("Importing a published catalog").
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from cdkg.loaders.cells import SourceError
from cdkg.loaders.imports.headers import load_vocabulary
from cdkg.loaders.imports.imported import NoList
from cdkg.loaders.imports.importer import Options, Planned, plan_import
from cdkg.loaders.imports.mapper import UnrecognisedHeader
from cdkg.loaders.imports.model import UnreadableFile
from cdkg.loaders.records import ListType
from cdkg.loaders.registers import load_jurisdictions
from cdkg.loaders.sources.template import _KEY, LIST_TYPES, TEMPLATE_FOLDER, read_template

from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, paths_of

SOURCES_FOLDER = "sources"  # under data/catalogs/: the originals, as published


NAME = "import"
SUMMARY = "import a published catalog (.docx .xlsx .html .pdf .txt .md) into a template"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg import``'s options."""
    parser.add_argument("file", metavar="FILE", help="the catalog as published")
    parser.add_argument("--key", required=True, help="catalog key: [a-z0-9-], e.g. guizhou")
    parser.add_argument(
        "--jurisdiction",
        metavar="CODE|名称",
        help="GB/T 2260 code or Chinese name (default: the place named in the title)",
    )
    parser.add_argument("--title", help="the document's title (default: as printed)")
    parser.add_argument(
        "--list-type",
        choices=LIST_TYPES,
        help="the list of duties printed before any list heading",
    )
    parser.add_argument("--output", help="template to write (default: data/catalogs/KEY.csv)")
    parser.add_argument(
        "--preview", action="store_true", help="print what it infers; write nothing"
    )
    parser.add_argument("--force", action="store_true", help="overwrite an existing template")


def run(args: argparse.Namespace) -> int:
    paths = paths_of(args)
    source = Path(args.file)
    if not _KEY.match(args.key):
        print(
            f"cdkg import: --key {args.key!r}: use lowercase letters, digits, '-'", file=sys.stderr
        )
        return EXIT_USAGE
    if not source.is_file():
        print(f"cdkg import: {source}: no such file", file=sys.stderr)
        return EXIT_USAGE
    output = Path(args.output) if args.output else paths.data / TEMPLATE_FOLDER / f"{args.key}.csv"
    copy_name = f"{SOURCES_FOLDER}/{args.key}{source.suffix.lower()}"
    options = Options(
        key=args.key,
        jurisdiction=args.jurisdiction,
        title=args.title,
        list_type=ListType(args.list_type) if args.list_type else None,
        source_file=copy_name,
    )
    try:
        vocabulary = load_vocabulary(paths.registers / "import-headers.csv")
        register_ = load_jurisdictions(paths.registers / "jurisdictions.csv")
        planned = plan_import(source, options, vocabulary, register_)
    except (UnreadableFile, UnrecognisedHeader) as error:
        print(f"cdkg import: {error}", file=sys.stderr)
        return EXIT_ERRORS
    except NoList as error:
        print(f"cdkg import: {error}", file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(report(planned)))
    if planned.missing:
        for option, why in planned.missing:
            print(f"cdkg import: give {option}: {why}", file=sys.stderr)
        return EXIT_USAGE
    if args.preview:
        print(f"\npreview: nothing written (would write {output} and {output.parent / copy_name})")
        return EXIT_OK
    if output.exists() and not args.force:
        print(f"cdkg import: {output} exists (use --force to overwrite it)", file=sys.stderr)
        return EXIT_USAGE
    copy = output.parent / copy_name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, copy)
    output.write_text(planned.template(), encoding="utf-8")
    try:
        _, result = read_template(output)
    except SourceError as error:  # a bug here, not the user's: say so loudly
        print(f"cdkg import: the template written does not read back: {error}", file=sys.stderr)
        return EXIT_ERRORS
    print(
        f"\nwrote {output} ({len(result.duties)} duties) and {copy}; review the CSV against the "
        "original, then run cdkg build"
    )
    return EXIT_OK


def report(planned: Planned) -> list[str]:
    """What the import inferred, section by section."""
    document, inference = planned.document, planned.mapped.builder.inference
    lines = [f"cdkg import: {document.file} ({document.format})", "metadata printed:"]
    lines.extend(f"  {line}" for line in planned.printed.describe())
    place = planned.jurisdiction
    if place is not None:
        lines.append(
            f"jurisdiction: {place.code} {place.name_zh} ({place.level}, part of "
            f"{place.part_of}) from {planned.jurisdiction_from}"
        )
    if inference.mappings:
        lines.append("column mapping:")
        lines.extend(f"  {line}" for line in inference.mappings)
    lines.append("lists:")
    lines.extend(f"  {item.describe()}" for item in planned.mapped.builder.lists)
    for title, entries in (
        ("carried-down cells", inference.carried),
        ("notes", inference.notes),
        (f"not placed ({len(inference.unplaced)})", [str(u) for u in inference.unplaced]),
    ):
        if entries:
            lines.append(f"{title}:")
            lines.extend(f"  {entry}" for entry in entries)
    return lines
