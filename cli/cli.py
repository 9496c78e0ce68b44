"""The one entry point, ``cdkg``: build, serve (more subcommands arrive with their issues).

Thin wrappers over library functions (like pySHACL's CLI over ``validate()``): argument
parsing, exit codes and messages live here, the work lives in cdkg.loaders and cdkg.server.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from cdkg import __version__
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.ontology.namespace import DEFAULT_BASE
from cdkg.settings import SettingsError, law_texts_folder

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2

# Further subcommands, one module each, exposing ``register(commands)`` which adds its
# sub-parser with ``set_defaults(handler=...)``; handlers return the exit status.
COMMAND_MODULES: tuple[str, ...] = (
    "cdkg.check_command",
    "cdkg.export_command",
    "cdkg.import_command",
    "cdkg.laws_command",
    "cdkg.push_command",
    "cdkg.query_command",
    "cdkg.template_command",
)


def _paths(args: argparse.Namespace) -> ProjectPaths:
    return project_paths(
        Path(args.home) if args.home else None, Path(args.build_dir) if args.build_dir else None
    )


def cmd_build(args: argparse.Namespace) -> int:
    """Build the dataset and print the reconciliation table; non-zero on any error (and, with
    --strict, on any finding: a reference no register knows)."""
    from cdkg.loaders.build import build

    paths = _paths(args)
    try:
        law_texts = law_texts_folder(args.law_texts, os.environ, paths.root)
    except SettingsError as problem:
        print(f"cdkg build: {problem}", file=sys.stderr)
        return EXIT_USAGE
    result = build(
        paths,
        base=args.base,
        allow_errors=args.allow_errors,
        reason=not args.no_reasoning,
        strict=args.strict,
        law_texts=law_texts,
    )
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
    else:
        print("nothing published", file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_ERRORS


def ensure_built(paths: ProjectPaths, base: str) -> bool:
    """Build first if there is no published dataset yet (``cdkg serve`` on a fresh clone)."""
    if (paths.current / "dataset.nq").exists():
        return True
    from cdkg.loaders.build import build

    print("no built dataset yet: building first", file=sys.stderr)
    try:
        law_texts = law_texts_folder(None, os.environ, paths.root)
    except SettingsError as error:
        print(f"cdkg serve: {error}", file=sys.stderr)
        return False
    result = build(paths, base=base, law_texts=law_texts)
    if not result.published:
        print("\n".join(result.report.errors()), file=sys.stderr)
    return result.published is not None


def cmd_serve(args: argparse.Namespace) -> int:
    """Start the endpoint on the embedded store (building first if needed), or in front of
    an external SPARQL endpoint with --upstream."""
    from cdkg.server.config import SERVE_OPTIONS, config_from_options
    from cdkg.server.serve import serve
    from cdkg.server.store.remote import Upstream, make_auth

    paths = _paths(args)
    try:
        given = {option.dest: getattr(args, option.dest) for option in SERVE_OPTIONS}
        config = config_from_options(given, os.environ)
    except ValueError as error:
        print(f"cdkg serve: {error}", file=sys.stderr)
        return EXIT_USAGE
    upstream = None
    if args.upstream:
        password = args.upstream_password or os.environ.get("CDKG_UPSTREAM_PASSWORD")
        upstream = Upstream(args.upstream, args.upstream_auth, args.upstream_user, password)
        try:
            make_auth(upstream.auth, upstream.user, upstream.password)
        except ValueError as error:
            print(f"cdkg serve: --upstream: {error}", file=sys.stderr)
            return EXIT_USAGE
    elif not ensure_built(paths, args.base):
        return EXIT_ERRORS
    serve(
        paths,
        host=args.host,
        port=args.port,
        engine=args.engine,
        threads=args.threads,
        config=config,
        upstream=upstream,
    )
    return EXIT_OK


def _serve_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """``cdkg serve`` and its options; the limits come from cdkg.server.config's table, each
    with its environment variable and default (docs/endpoint.md lists the same)."""
    from cdkg.server.config import SERVE_OPTIONS

    serve = commands.add_parser(
        "serve",
        help="start the SPARQL endpoint (builds first if needed)",
        description="Serve build/current (a newly published build is served without a "
        "restart). Each limit can also be set by its environment variable; a flag wins.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    serve.add_argument(
        "--engine",
        choices=("oxigraph", "rdflib"),
        default="oxigraph",
        help="query engine (default: oxigraph; rdflib is slower, a second opinion)",
    )
    serve.add_argument("--threads", type=int, default=8, help="HTTP request threads (default: 8)")
    for option in SERVE_OPTIONS:
        serve.add_argument(
            option.flag,
            metavar=option.metavar,
            help=f"{option.help} (default: {option.default}; env {option.env})",
        )
    serve.add_argument(
        "--upstream", metavar="URL", help="serve from this SPARQL endpoint, not the embedded store"
    )
    serve.add_argument(
        "--upstream-auth", choices=("basic", "digest"), help="how to log in to the upstream"
    )
    serve.add_argument("--upstream-user", help="user name at the upstream")
    serve.add_argument(
        "--upstream-password", help="password at the upstream (default: $CDKG_UPSTREAM_PASSWORD)"
    )
    serve.set_defaults(handler=cmd_serve)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="cdkg", description="Community Duty Knowledge Graph (社区工作事项知识图谱)"
    )
    root.add_argument("--version", action="version", version=f"cdkg {__version__}")
    root.add_argument("--home", help="project folder (default: the checkout, or $CDKG_HOME)")
    root.add_argument("--build-dir", help="build output folder (default: <home>/build)")
    root.add_argument("--base", default=DEFAULT_BASE, help="instance IRI base")
    commands = root.add_subparsers(dest="command", required=True)

    build = commands.add_parser("build", help="build the dataset from data/raw")
    build.add_argument(
        "--allow-errors", action="store_true", help="publish the catalogs that built"
    )
    build.add_argument(
        "--strict",
        action="store_true",
        help="fail (exit 1, publish nothing) on findings too: references no register knows",
    )
    build.add_argument("--no-reasoning", action="store_true", help="skip the OWL-RL closure")
    build.add_argument(
        "--law-texts",
        metavar="DIR",
        help="folder of law texts in the LawRefBook mirror's layout, to check cited articles "
        "(default: $CDKG_LAW_TEXTS, else law_texts in <home>/cdkg.toml)",
    )
    build.set_defaults(handler=cmd_build)

    _serve_parser(commands)
    for module in COMMAND_MODULES:
        importlib.import_module(module).register(commands)
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return int(args.handler(args))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except FileNotFoundError as error:
        print(f"cdkg: {error}", file=sys.stderr)
        return EXIT_USAGE
