"""``cdkg serve``: the endpoint on the embedded store (building first if needed), or in front
of an external SPARQL endpoint with --upstream; the limits come from cdkg.server.config's
table, each with its environment variable and default (docs/endpoint.md lists the same).

Serve build/current (a newly published build is served without a restart).
Each limit can also be set by its environment variable; a flag wins.
"""

from __future__ import annotations

import argparse
import os
import sys

from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, ensure_built, paths_of

NAME = "serve"
SUMMARY = "start the SPARQL endpoint (builds first if needed)"


def run(args: argparse.Namespace) -> int:
    """Start the endpoint on the embedded store (building first if needed), or in front of
    an external SPARQL endpoint with --upstream."""
    from cdkg.server.config import SERVE_OPTIONS, config_from_options
    from cdkg.server.serve import serve
    from cdkg.server.store.remote import Upstream, make_auth

    paths = paths_of(args)
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


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg serve``'s options."""
    from cdkg.server.config import SERVE_OPTIONS

    parser.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8000, help="port (default: 8000)")
    parser.add_argument(
        "--engine",
        choices=("oxigraph", "rdflib"),
        default="oxigraph",
        help="query engine (default: oxigraph; rdflib is slower, a second opinion)",
    )
    parser.add_argument("--threads", type=int, default=8, help="HTTP request threads (default: 8)")
    for option in SERVE_OPTIONS:
        parser.add_argument(
            option.flag,
            metavar=option.metavar,
            help=f"{option.help} (default: {option.default}; env {option.env})",
        )
    parser.add_argument(
        "--upstream", metavar="URL", help="serve from this SPARQL endpoint, not the embedded store"
    )
    parser.add_argument(
        "--upstream-auth", choices=("basic", "digest"), help="how to log in to the upstream"
    )
    parser.add_argument("--upstream-user", help="user name at the upstream")
    parser.add_argument(
        "--upstream-password", help="password at the upstream (default: $CDKG_UPSTREAM_PASSWORD)"
    )
