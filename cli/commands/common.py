"""What every sub-command shares: exit codes, the project folders from the global options,
and building first when a command needs a dataset that was never built."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any, Protocol

from cdkg.loaders.layout import ProjectPaths, project_paths

from ..settings import SettingsError, law_texts_folder

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


class Command(Protocol):
    """A sub-command module: its name and one-line summary for ``cdkg --help``, its docstring
    (the first paragraph for the reader of the code, the rest for ``cdkg NAME --help``), its
    options, and ``run``, which returns the exit status."""

    NAME: str
    SUMMARY: str
    __doc__: str | None

    def add_options(self, parser: argparse.ArgumentParser) -> None: ...

    def run(self, args: argparse.Namespace) -> int: ...


def add_command(commands: Any, command: Command) -> argparse.ArgumentParser:
    """Add ``command``'s parser to ``cdkg``'s sub-parsers: ``SUMMARY`` in ``cdkg --help``;
    ``cdkg NAME --help`` prints the docstring after its first paragraph, line breaks kept."""
    doc = command.__doc__
    parser: argparse.ArgumentParser = commands.add_parser(
        command.NAME,
        help=command.SUMMARY,
        description=doc.split("\n\n", 1)[1] if doc else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    command.add_options(parser)
    parser.set_defaults(handler=command.run)
    return parser


def paths_of(args: argparse.Namespace) -> ProjectPaths:
    """The project folders named by ``--home`` and ``--build-dir`` (else the defaults)."""
    return project_paths(
        Path(args.home) if args.home else None, Path(args.build_dir) if args.build_dir else None
    )


def add_queries_option(parser: argparse.ArgumentParser) -> None:
    """``--queries DIR``, for the commands that read the named-query library."""
    parser.add_argument("--queries", help="folder of named queries (default queries/)")


def queries_of(args: argparse.Namespace, paths: ProjectPaths) -> Path:
    """The named-query folder: ``--queries`` when given, else the project's queries/."""
    return Path(args.queries) if args.queries else paths.queries


def ensure_built(paths: ProjectPaths, base: str) -> bool:
    """Build first if there is no published dataset yet (``cdkg serve`` on a fresh clone)."""
    if (paths.dataset).exists():
        return True
    from cdkg.loaders.build import BuildOptions, build

    print("no built dataset yet: building first", file=sys.stderr)
    try:
        law_texts = law_texts_folder(None, os.environ, paths.root)
    except SettingsError as error:
        print(f"cdkg serve: {error}", file=sys.stderr)
        return False
    result = build(paths, BuildOptions(base=base, law_texts=law_texts))
    if not result.published:
        print("\n".join(result.report.errors()), file=sys.stderr)
    return result.published is not None


def dataset_of(args: argparse.Namespace, command: str) -> Path | None:
    """The dataset a reading command (``check``, ``export``) works on: the ``--dataset`` file
    when given, else the published build, built first when there is none; None, after
    printing why, when neither is there."""
    if args.dataset:
        dataset = Path(args.dataset)
        if dataset.is_file():
            return dataset
        print(f"cdkg {command}: no dataset file {dataset}", file=sys.stderr)
        return None
    paths = paths_of(args)
    return paths.dataset if ensure_built(paths, args.base) else None
