"""The one entry point, ``cdkg``: the global options and the dispatch to a sub-command.

Thin wrappers over library functions (like pySHACL's CLI over ``validate()``): argument
parsing, exit codes and messages live in this package (one module per sub-command in
``cdkg.commands``), the work lives in cdkg.loaders, cdkg.server.store, cdkg.server.reports and
cdkg.queries. ``cdkg = "cdkg.cli:main"`` is the console script; ``python -m cdkg`` runs the same.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from cdkg import __version__
from cdkg.ontology.namespace import DEFAULT_BASE

from .commands import build, check, export, import_, laws, push, query, serve, template
from .commands.common import EXIT_USAGE, add_command

# In the order ``cdkg --help`` lists them.
COMMANDS = (build, serve, check, export, import_, laws, push, query, template)


def parser() -> argparse.ArgumentParser:
    """The ``cdkg`` parser: global options, then one sub-parser per command."""
    root = argparse.ArgumentParser(
        prog="cdkg", description="Community Duty Knowledge Graph (社区工作事项知识图谱)"
    )
    root.add_argument("--version", action="version", version=f"cdkg {__version__}")
    root.add_argument("--home", help="project folder (default: the checkout, or $CDKG_HOME)")
    root.add_argument("--build-dir", help="build output folder (default: <home>/build)")
    root.add_argument("--base", default=DEFAULT_BASE, help="instance IRI base")
    commands = root.add_subparsers(dest="command", required=True)

    for command in COMMANDS:
        add_command(commands, command)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command line; the exit status (0 ok, 1 errors, 2 usage, 130 interrupted)."""
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except FileNotFoundError as error:
        print(f"cdkg: {error}", file=sys.stderr)
        return EXIT_USAGE
