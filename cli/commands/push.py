"""``cdkg push``: upload the built dataset to a SPARQL server, then check what arrived.

Every named graph of build/current (the ontology, the registers, one graph per catalog) is
sent with one HTTP PUT of the SPARQL 1.1 Graph Store Protocol (``?graph=<iri>``), which
replaces that graph on the server: pushing twice leaves the same data. One progress line per
graph (triples, size, seconds). Then the triples of every graph are counted through the
server's SPARQL endpoint and compared with manifest.json: any difference is reported and the
exit status is 1.

Examples:

  oxigraph serve --location store --bind 127.0.0.1:7878 --union-default-graph
  cdkg push --endpoint http://127.0.0.1:7878/query        (graph store: /store, derived)

  cdkg push --endpoint http://127.0.0.1:8890/sparql \\
      --graph-store http://127.0.0.1:8890/sparql-graph-crud-auth \\
      --auth digest --user dba                          (password: $CDKG_PUSH_PASSWORD)
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from .common import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, paths_of

PASSWORD_ENV = "CDKG_PUSH_PASSWORD"


NAME = "push"
SUMMARY = "upload the built dataset to a SPARQL server (Graph Store Protocol PUT)"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg push``'s options."""
    parser.add_argument("--endpoint", required=True, help="the server's SPARQL query URL")
    parser.add_argument(
        "--graph-store",
        help="the Graph Store Protocol URL (default: derived for Oxigraph, /query → /store)",
    )
    parser.add_argument("--auth", choices=("basic", "digest"), help="HTTP authentication")
    parser.add_argument("--user", help="user name for --auth")
    parser.add_argument("--password", help=f"password for --auth (default: ${PASSWORD_ENV})")
    parser.add_argument(
        "--format",
        choices=("turtle", "ntriples"),
        default="turtle",
        help="body format of each graph (default: turtle)",
    )
    parser.add_argument("--retries", type=int, default=3, help="retries per graph (default: 3)")
    parser.add_argument(
        "--timeout", type=float, default=600.0, help="seconds to wait for one graph's answer"
    )
    parser.add_argument(
        "--prune",
        action="store_true",
        help="also delete cdkg graphs on the server that this build does not have",
    )


def run(args: argparse.Namespace) -> int:
    """Push, verify; 0 when every graph arrived with the manifest's triple count."""
    from cdkg.server.store import EngineUnavailable, QueryError, QueryTimeout, gsp
    from cdkg.server.store.remote import RemoteStore, make_auth

    graph_store = args.graph_store or gsp.default_graph_store(args.endpoint)
    if graph_store is None:
        print(
            "cdkg push: give --graph-store: only Oxigraph's (/query → /store) can be derived "
            "(Virtuoso: http://HOST:8890/sparql-graph-crud-auth with --auth digest)",
            file=sys.stderr,
        )
        return EXIT_USAGE
    password = args.password if args.password is not None else os.environ.get(PASSWORD_ENV)
    try:
        auth = make_auth(args.auth, args.user, password)
    except ValueError as error:
        print(f"cdkg push: {error} (--user, and --password or ${PASSWORD_ENV})", file=sys.stderr)
        return EXIT_USAGE
    if args.retries < 0:
        print("cdkg push: --retries must be 0 or more", file=sys.stderr)
        return EXIT_USAGE

    build = gsp.read_build(paths_of(args).current)
    target = gsp.GraphStore(graph_store, auth, retries=args.retries, timeout_s=args.timeout)
    print(
        f"pushing build {build.version or '?'} ({len(build.graphs)} graphs, "
        f"{sum(build.graphs.values()):,} triples) to {graph_store} as {args.format}"
    )
    width = max(len(graph) for graph in build.graphs)
    started = time.perf_counter()
    try:
        sent = gsp.push(
            build, target, args.format, progress=lambda s: print(s.line(width), flush=True)
        )
    except gsp.PushError as error:
        print(f"cdkg push: {error}", file=sys.stderr)
        return EXIT_ERRORS
    size = sum(s.size for s in sent)
    print(
        f"sent {len(sent)} graphs, {sum(s.triples for s in sent):,} triples, "
        f"{size / 1024 / 1024:,.1f} MiB in {time.perf_counter() - started:.2f} s"
    )

    endpoint = RemoteStore(args.endpoint, auth=auth, scope=gsp.scope(build), timeout_s=args.timeout)
    try:
        result = gsp.verify(build, endpoint)
        if args.prune:
            for graph in result.extra:
                target.delete(graph)
                print(f"  deleted {graph}")
            result = gsp.verify(build, endpoint)
    except gsp.PushError as error:
        print(f"cdkg push: {error}", file=sys.stderr)
        return EXIT_ERRORS
    except (QueryError, QueryTimeout, EngineUnavailable) as error:
        print(
            f"cdkg push: could not count the triples at {args.endpoint}: {error}", file=sys.stderr
        )
        return EXIT_ERRORS
    finally:
        endpoint.close()
    for line in result.lines():
        print(line, file=sys.stderr if not result.ok else sys.stdout)
    if result.extra and not args.prune:
        print("  (--prune deletes graphs that are not in this build)")
    if not result.ok:
        print(
            f"cdkg push: {len(result.mismatches)} graph(s) differ from manifest.json",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    print(f"verified: every graph on {args.endpoint} has the manifest's triple count")
    return EXIT_OK
