"""``cdkg query``: run a named query of the library (queries/*.rq) or a .rq file.

    cdkg query NAME|FILE [--param NAME=VALUE ...] [--format table|csv|json]
               [--limit N] [--offset M]
    cdkg query --list

Runs on the built dataset (building it first if there is none) in the embedded pyoxigraph
store, with the default graph as the union of the named graphs, and prints an aligned table
(Chinese text counted as two columns, long cells cut with …), RFC 4180 CSV (the SPARQL 1.1
CSV results format) or SPARQL 1.1 JSON results.

Parameters are validated by ``cdkg.queries.library`` (a value can never add SPARQL of its own).
An ``iri`` value may be written ``<…>``, as a full IRI, with a known prefix (``id:`` for the
instance base, ``cd:``, …), or, for parameters named after a kind of resource, as the key
under that kind: ``--param jurisdiction=500000``, ``--param duty=chongqing/assistance/6``.
Before running, a value given for a jurisdiction, duty, topic, sector, department, catalog
or document parameter must name such a resource of the dataset, else the error lists the
ones there are.

``--limit N`` and ``--offset M`` page a SELECT's answer (cdkg.queries.paging, the same
``limit`` and ``offset`` as ``/queries/NAME?limit=&offset=``): N rows (at most 10,000) after
skipping M, in the query's ORDER BY; without them the whole answer is printed. A query the
build answered (``# materialise: yes``, cdkg.queries.answers) is read from the build's table
while the query text is the one it answered: the same rows, without evaluating the query.

Exit status: 0 on success (an empty answer included), 1 when the dataset cannot be built or
the query fails to run, 2 for bad usage: an unknown query name (the library is listed), a
bad, unknown or missing parameter (named), a bad --limit or --offset, or a file with a
bad header.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cdkg.loaders.layout import DATASET_FILE
from cdkg.loaders.terminal import display_width, fit
from cdkg.ontology.namespace import PREFIXES
from cdkg.queries.answers import answer_reader, page_query
from cdkg.queries.library import NamedQuery, load_library, parse_query
from cdkg.queries.paging import MAX_PAGE_SIZE, Page, PageError, paged, parse_page
from cdkg.queries.resolver import ParamError, Resolver, describe, resolver_for

from .common import (
    EXIT_ERRORS,
    EXIT_OK,
    EXIT_USAGE,
    add_queries_option,
    ensure_built,
    paths_of,
    queries_of,
)

if TYPE_CHECKING:
    from cdkg.server.store.engines import OxigraphStore

FORMATS = ("table", "csv", "json")
JSON_RESULTS = "application/sparql-results+json"
CSV_RESULTS = "text/csv"
TURTLE = "text/turtle"
NEWLINE_MARK = "↵"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    _XSD + name
    for name in ("integer", "decimal", "double", "float", "int", "long", "positiveInteger")
}
_CD = PREFIXES["cd"]
_RDFS = PREFIXES["rdfs"]
_SKOS = PREFIXES["skos"]


class UsageError(Exception):
    """Bad usage: the message is printed and ``cdkg query`` exits with status 2."""


# --- the store -------------------------------------------------------------------------------


def open_store(dataset: Path) -> OxigraphStore:
    """The built dataset in the embedded pyoxigraph store (cdkg.server.store.engines)."""
    from cdkg.server.store.engines import OxigraphStore

    return OxigraphStore.from_file(dataset)


# --- output ----------------------------------------------------------------------------------


def shorten_iri(iri: str, base: str) -> str:
    """``iri`` written with a prefix when one applies (``id:`` for the instance base)."""
    if iri.startswith(base):
        return "id:" + iri[len(base) :]
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and re.fullmatch(r"[\w.-]*", iri[len(namespace) :]):
            return f"{prefix}:{iri[len(namespace) :]}"
    return iri


def cell_text(term: Mapping[str, str] | None, base: str) -> str:
    """One SPARQL JSON results term as table text: IRIs shortened, literals as their lexical
    form, line breaks shown as ↵ so every row stays on one line."""
    if term is None:
        return ""
    value = term["value"]
    if term["type"] == "uri":
        return shorten_iri(value, base)
    if term["type"] == "bnode":
        return "_:" + value
    return re.sub(r"\s*\r?\n\s*", NEWLINE_MARK, value.strip()).replace("\t", " ")


def render_table(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int = 0,
    numeric: Sequence[bool] = (),
) -> str:
    """An aligned plain-text table: two spaces between columns, a dashed rule under the
    header, numeric columns right-aligned, CJK text measured by display width.

    >>> print(render_table(["名称", "n"], [["禁毒", "3"], ["居住证", "12"]], numeric=[False, True]))
    名称     n
    ------  --
    禁毒     3
    居住证  12
    """
    cells = [[fit(value, width) for value in row] for row in rows]
    widths = [display_width(name) for name in header]
    for row in cells:
        for index, value in enumerate(row):
            widths[index] = max(widths[index], display_width(value))

    def line(values: Sequence[str]) -> str:
        parts = []
        for index, value in enumerate(values):
            pad = " " * (widths[index] - display_width(value))
            right = index < len(numeric) and numeric[index]
            parts.append(pad + value if right else value + pad)
        return "  ".join(parts).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(row) for row in cells)
    return "\n".join(out)


def results_table(
    document: Mapping[str, Any], base: str, width: int, page: Page | None = None
) -> str:
    """A SPARQL JSON results document (SELECT or ASK) as a table with a row count (and,
    for a ``page`` of the answer, which rows of the answer it holds)."""
    if "boolean" in document:
        return "true" if document["boolean"] else "false"
    names: list[str] = list(document["head"]["vars"])
    bindings: list[dict[str, dict[str, str]]] = document["results"]["bindings"]
    rows = [[cell_text(binding.get(name), base) for name in names] for binding in bindings]
    numeric = [
        any(name in b for b in bindings)
        and all(b[name].get("datatype") in _NUMERIC for b in bindings if b.get(name) is not None)
        for name in names
    ]
    table = render_table(names, rows, width, numeric)
    count = f"({len(rows)} row{'' if len(rows) == 1 else 's'})"
    if page is not None and rows:
        count = f"({len(rows)} row{'' if len(rows) == 1 else 's'}: "
        count += f"rows {page.first_row}–{page.last_row(len(rows))} of the answer)"
    return f"{table}\n{count}"


# --- the library -----------------------------------------------------------------------------


def library_table(library: Mapping[str, NamedQuery]) -> str:
    """``--list``: every named query with its kind, titles and parameters (never cut)."""
    rows = []
    for name, query in library.items():
        kind = f"check ({query.severity})" if query.kind == "check" else query.kind
        params = ", ".join(param.name for param in query.params)
        rows.append([name, kind, query.title_zh, query.title_en, params])
    return render_table(["name", "kind", "title@zh", "title@en", "parameters"], rows)


def _is_file(spec: str) -> bool:
    return spec.endswith(".rq") or "/" in spec or Path(spec).is_file()


def resolve(spec: str, folder: Path) -> NamedQuery:
    """The query ``spec`` names: a .rq file (with or without a library header) or a name of
    the library in ``folder``. Raises UsageError for an unknown name or a bad file."""
    if _is_file(spec):
        path = Path(spec)
        if not path.is_file():
            raise UsageError(f"no query file {path}")
        text = path.read_text(encoding="utf-8")
        try:
            return parse_query(path.stem, text, path)
        except ValueError as error:
            if _has_header(text):
                raise UsageError(str(error)) from None
            # An ad-hoc query without a header: run it as it is, with no parameters.
            return NamedQuery(path.stem, "", "", "", "question", None, (), text, path)
    try:
        library = load_library(folder)
    except ValueError as error:
        raise UsageError(f"the query library is broken: {error}") from None
    if spec in library:
        return library[spec]
    close = difflib.get_close_matches(spec, library, n=3)
    hint = f" (did you mean {', '.join(close)}?)" if close else ""
    names = "\n".join(f"  {name}" for name in library) or "  (none)"
    raise UsageError(f"unknown query {spec!r}{hint}; the library ({folder}) has:\n{names}")


def _has_header(text: str) -> bool:
    return re.search(r"^#\s*(title@zh|title@en|kind|param)\s*:", text, re.MULTILINE) is not None


def parse_params(pairs: Sequence[str]) -> dict[str, str]:
    """``NAME=VALUE`` pairs as a dict; UsageError for a pair without ``=`` or a name given
    twice."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, equals, value = pair.partition("=")
        name = name.strip()
        if not equals or not name:
            raise UsageError(f"--param expects NAME=VALUE, got {pair!r}")
        if name in values:
            raise UsageError(f"parameter {name!r} given twice")
        values[name] = value
    return values


def check_names(query: NamedQuery, raw: Mapping[str, str]) -> None:
    """UsageError for parameters ``query`` does not have (before anything is built)."""
    if raw and not query.params:
        raise UsageError(
            f"{query.name} takes no parameters (given: {', '.join(raw)})"
            + ("; a file needs a library header to declare them" if query.path else "")
        )
    try:
        for name in raw:
            query.param(name)
    except ValueError as error:
        raise UsageError(str(error)) from None


def bind(resolver: Resolver, query: NamedQuery, raw: Mapping[str, str]) -> str:
    """The query text with ``raw`` resolved (cdkg.queries.resolver: a code, an IRI or a
    Chinese name) and bound. Raises UsageError naming the parameter, in Chinese and English,
    with "did you mean" or the resources there are."""
    try:
        return query.bind(resolver.resolve(query, raw))
    except ParamError as error:
        more = f"\n{describe(error.candidates)}" if error.candidates else ""
        raise UsageError(f"{error.en}{more}\n{error.zh}") from None
    except ValueError as error:
        raise UsageError(str(error)) from None


# --- the command -----------------------------------------------------------------------------


NAME = "query"
SUMMARY = "run a named query (queries/*.rq) or a .rq file on the built dataset"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg query``'s options."""
    parser.add_argument("query", nargs="?", help="a query name (see --list) or a .rq file")
    parser.add_argument(
        "--param",
        "-p",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a parameter value (repeat for more); a jurisdiction, list type or topic by code, "
        "IRI or Chinese name (jurisdiction=重庆市, list_type=协助); see --list",
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=FORMATS,
        default="table",
        help="table: aligned text (default); csv: SPARQL CSV results; json: SPARQL JSON results",
    )
    parser.add_argument(
        "--limit",
        metavar="N",
        help=f"print N rows of a SELECT's answer (1..{MAX_PAGE_SIZE}), in its ORDER BY",
    )
    parser.add_argument(
        "--offset", metavar="M", help="skip the answer's first M rows (with --limit: a page)"
    )
    parser.add_argument("--list", action="store_true", help="list the named queries")
    add_queries_option(parser)
    parser.add_argument(
        "--width",
        type=int,
        default=40,
        help="table format: cut cells wider than this many columns (0: never; default 40)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        return _run(args)
    except UsageError as error:
        print(f"cdkg query: {error}", file=sys.stderr)
        return EXIT_USAGE


def _run(args: argparse.Namespace) -> int:
    from cdkg.server.store import QueryError

    paths = paths_of(args)
    folder = queries_of(args, paths)
    if args.list:
        try:
            library = load_library(folder)
        except ValueError as error:
            raise UsageError(f"the query library is broken: {error}") from None
        print(library_table(library))
        return EXIT_OK
    if not args.query:
        raise UsageError("name a query or a .rq file (cdkg query --list shows the library)")
    query = resolve(args.query, folder)
    raw = parse_params(args.param)
    check_names(query, raw)
    page = page_of(args.limit, args.offset)
    if not ensure_built(paths, args.base):
        return EXIT_ERRORS
    store = open_store(paths.current / DATASET_FILE)
    text = bind(resolver_for(store, args.base, paths.registers), query, raw)
    form = _form(text)
    table = answer_reader(store, query, args.base, text) if form == "SELECT" else None
    if table is not None and table.covers(page):
        text = page_query(table, page)  # the build's table: a page by IRI, no sort
    elif page is not None:
        text = page_text(text, form, page)
    try:
        if form in ("CONSTRUCT", "DESCRIBE"):
            if args.format != "table":
                raise UsageError(f"a {form} answer is a graph: use --format table (Turtle)")
            _, body = store.execute(text, TURTLE, _options())
            sys.stdout.write(body.decode("utf-8"))
        elif args.format == "csv":
            _, body = store.execute(text, CSV_RESULTS, _options())
            sys.stdout.write(body.decode("utf-8"))
        else:
            _, body = store.execute(text, JSON_RESULTS, _options())
            if args.format == "json":
                sys.stdout.write(body.decode("utf-8").rstrip("\n") + "\n")
            else:
                print(results_table(json.loads(body), args.base, args.width, page))
    except QueryError as error:
        print(f"cdkg query: {query.name}: {error}", file=sys.stderr)
        return EXIT_ERRORS
    return EXIT_OK


def page_of(limit: str | None, offset: str | None) -> Page | None:
    """The page ``--limit`` and ``--offset`` ask for (None: the whole answer); UsageError
    naming the option for a bad value."""
    try:
        return parse_page(limit, offset)
    except PageError as error:
        raise UsageError(f"--{error.param}: {error.en}") from None


def page_text(text: str, form: str | None, page: Page) -> str:
    """``text`` limited to ``page``; UsageError for a query that is not a SELECT or that
    cannot be paged (no ORDER BY, or a LIMIT of its own)."""
    if form != "SELECT":
        raise UsageError(f"--limit and --offset page a SELECT's answer, not {form}")
    try:
        return paged(text, page)
    except PageError as error:
        raise UsageError(error.en) from None


def _form(text: str) -> str | None:
    from cdkg.server.store.sparql_text import analyse

    return analyse(text).form


def _options() -> Any:
    from cdkg.server.store import QueryOptions

    return QueryOptions()
