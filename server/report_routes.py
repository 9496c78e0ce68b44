"""``/report``, ``/queries`` and ``/queries/<name>``: the check report and the named queries.

* ``/report`` — the consistency report of ``cdkg check`` (``cdkg.server.reports.checks`` and
  ``cdkg.server.reports.check_report``, the same code), generated from the store on first request
  and kept per dataset version. HTML by default; JSON (``format=json``) or Markdown (``format=md``)
  by ``Accept`` or ``format=``. ``fail-on=error|warning|info|never`` sets the threshold the
  verdict is stated at (default error). The SHACL findings are the build's (its report.json)
  when that build holds this store's version; otherwise the report says they are not shown.
* ``/queries`` — the named-query library (queries/*.rq): name, titles, description, kind,
  severity and parameters with defaults; HTML with a form per query, or JSON.
* ``/queries/<name>`` — runs one query with its parameters bound from the query string
  (``?keyword=禁毒``; an empty value keeps the default) by ``cdkg.queries.library``, which checks
  each value for its type and writes it as a SPARQL term. Results come in every format of
  ``/sparql``, negotiated the same way (``Accept`` or ``format=``), and as an HTML table for
  a browser. ``limit`` and ``offset`` page a SELECT's answer (``cdkg.queries.paging``): the
  HTML table shows ``DEFAULT_PAGE_SIZE`` rows at a time with links to the next page, the other
  formats give the whole answer unless they are given. A query the build answered
  (``# materialise: yes``) is read from the build's table (``cdkg.queries.answers``) while
  its text is the one the table answers. 400 names an unknown parameter or a bad value; 404
  for an unknown query.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Flask, Response, request
from flask.blueprints import BlueprintSetupState
from rdflib.term import Node
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound

from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.queries.answers import AnswerTable, answer_reader, page_query
from cdkg.queries.library import NamedQuery, Param, load_library
from cdkg.queries.paging import (
    DEFAULT_PAGE_SIZE,
    PAGE_PARAMS,
    Page,
    PageError,
    paged,
    parse_page,
    refusal,
)
from cdkg.queries.resolver import ParamError, Resolver, kind_of, resolver_for
from cdkg.server.reports.check_files import LIVE_NOTE, REPORT_FOLDER, dependencies, load_run
from cdkg.server.reports.check_report import render_markdown, report_context
from cdkg.server.reports.checks import (
    SHAPES_FILE,
    THRESHOLDS,
    CheckRun,
    published_validation,
    run_checks,
)

from .config import ServerConfig
from .context import current_config, current_store, extension
from .pages import html_page, page_linker
from .protocol import FORMAT_PARAMS
from .query_page import Table, pager, projection, result_table, table_csv, table_xlsx
from .store import QueryOptions, Store, negotiation
from .store.engines import dataset_version
from .store.negotiation import HTML, Format
from .store.sparql_text import analyse
from .transport import cache_control, make_etag, matches, not_modified

blueprint = Blueprint("reports", __name__, template_folder="reports/templates")
log = logging.getLogger(__name__)
REPORTS_KEY = "cdkg.reports"

JSON = Format("json", "application/json", names=("json",))
MARKDOWN = Format("markdown", "text/markdown", names=("md", "markdown"))
REPORT_FORMATS: tuple[Format, ...] = (HTML, JSON, MARKDOWN)
LIST_FORMATS: tuple[Format, ...] = (HTML, JSON)
XLSX_RESULT = Format(
    "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", names=("xlsx",)
)
CSV_RESULT = Format("csv-bom", "text/csv", names=("csv",))
"""A named query's table for spreadsheets (``format=csv``): Chinese column labels, labels
for IRIs, a byte-order mark; ``Accept: text/csv`` still gets the SPARQL 1.1 CSV of /sparql."""
THRESHOLD_PARAM = "fail-on"


# --- the report, cached per dataset version --------------------------------------------------


class ReportCache:
    """The latest check run; recomputed when the store's version changes. One run at a
    time: concurrent first requests wait for the same run instead of starting their own."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run: CheckRun | None = None

    def get(self, store: Store, config: ServerConfig) -> CheckRun:
        with self._lock:
            version = store.version
            if self._run is None or self._run.version != version:
                self._run = build_report(store, config, version)
            return self._run


def warm_report(app: Flask) -> None:
    """Compute the check report of the store ``app`` serves now, so that the first /report
    is answered from the cache (``cdkg serve`` calls it in the background at start)."""
    with app.app_context():
        cache: ReportCache = extension(REPORTS_KEY)
        cache.get(current_store(), current_config())


def _paths(config: ServerConfig) -> ProjectPaths:
    return config.paths if config.paths is not None else project_paths()


def load_queries(folder: Path) -> dict[str, NamedQuery]:
    """The library by name; a file with a bad header is logged and left out (the UI page
    lists such errors), so one broken file does not take the others down."""
    errors: list[str] = []
    library = load_library(folder, errors)
    for error in errors:
        log.warning("named query left out: %s", error)
    return library


def build_report(store: Store, config: ServerConfig, version: str) -> CheckRun:
    """The check run the build kept beside the dataset when it is of this store's version
    and was computed under today's check queries and shapes (seconds at national scale,
    :mod:`cdkg.server.reports.check_files`); else every check query run on ``store``, with
    the SHACL findings of the build's report when that build is the one the store holds."""
    paths = _paths(config)
    dataset = paths.dataset
    library = load_queries(paths.queries)
    notes: list[str] = []
    data = None
    why = f"the store holds version {version}, not the published build's"
    if dataset.is_file() and dataset_version(dataset) == version:
        kept, why = load_run(dataset.parent / REPORT_FOLDER, version, dependencies(library))
        if kept is not None:
            return kept
        data = published_validation(dataset.parent)
    if data is None:
        notes.append(f"SHACL not shown: no build report of version {version} under {paths.current}")
    run = run_checks(
        store,
        library,
        validation=data,
        shapes_path=SHAPES_FILE,
        version=version,
        dataset=str(dataset) if data is not None else "",
    )
    run.notes.extend(notes)
    run.notes.append(LIVE_NOTE.format(why=why))
    return run


@blueprint.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.extensions[REPORTS_KEY] = ReportCache()


def _threshold() -> str:
    values = request.args.getlist(THRESHOLD_PARAM)
    if len(values) > 1:
        raise BadRequest(f"{THRESHOLD_PARAM} was given {len(values)} times; give it once")
    value = values[0] if values else "error"
    if value not in THRESHOLDS:
        raise BadRequest(f"{THRESHOLD_PARAM} must be one of {', '.join(THRESHOLDS)}: {value!r}")
    return value


def _choose(formats: tuple[Format, ...]) -> Format:
    fmt = negotiation.choose(
        request.headers.get("Accept"),
        [v for name in FORMAT_PARAMS for v in request.args.getlist(name)],
        formats,
    )
    if fmt is None:
        offered = ", ".join(f"{f.media_type} (format={f.names[0]})" for f in formats)
        raise NotAcceptable(f"this answer is available as: {offered}")
    return fmt


@blueprint.get("/report")
def report() -> Response:
    config, store = current_config(), current_store()
    fmt, threshold = _choose(REPORT_FORMATS), _threshold()
    etag = make_etag(store.version, "report", fmt.key, threshold, request.script_root)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    cache: ReportCache = extension(REPORTS_KEY)
    run = cache.get(store, config)
    body = ""
    if fmt is JSON:
        body = json.dumps(run.to_json(threshold), ensure_ascii=False, indent=1)
    elif fmt is MARKDOWN:
        body = render_markdown(run, threshold)
    if fmt is HTML:
        link = page_linker()
        response = html_page("report.html", **report_context(run, threshold, link))
    else:
        response = Response(body, content_type=fmt.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


# --- named queries ----------------------------------------------------------------------------


def _library() -> dict[str, NamedQuery]:
    return load_queries(_paths(current_config()).queries)


def _raw_default(param: Param) -> str:
    """A parameter's default as a person types it (no <> or quotes)."""
    term = param.default
    if param.type == "iri":
        return term[1:-1]
    if param.type == "string" and term.startswith('"'):
        return term[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return term


def describe_query(query: NamedQuery, root: str) -> dict[str, object]:
    """One query of the /queries listing, as JSON."""
    return {
        "name": query.name,
        "url": f"{root}/queries/{query.name}",
        "title": {"zh": query.title_zh, "en": query.title_en},
        "description": query.description,
        "kind": query.kind,
        "severity": query.severity,
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "description": p.description,
            }
            for p in query.params
        ],
    }


def _listing(library: dict[str, NamedQuery]) -> list[tuple[str, str, list[NamedQuery]]]:
    """The library grouped for people: research questions, then consistency checks."""
    ordered = sorted(library.values(), key=lambda q: q.name)
    return [
        ("研究问题", "Research questions", [q for q in ordered if q.kind == "question"]),
        ("一致性检查", "Consistency checks", [q for q in ordered if q.kind == "check"]),
    ]


@blueprint.get("/queries")
@blueprint.get("/queries/")
def queries() -> Response:
    fmt = _choose(LIST_FORMATS)
    library, root = _library(), request.script_root
    if fmt is JSON:
        document = {"queries": [describe_query(q, root) for q in library.values()]}
        response = Response(
            json.dumps(document, ensure_ascii=False, indent=1), content_type=fmt.content_type
        )
    else:
        response = html_page("queries.html", groups=_listing(library))
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept")
    return response


def _given_values(query: NamedQuery) -> dict[str, str]:
    """The query string's parameter values (an empty value keeps the default)."""
    values: dict[str, str] = {}
    for name in request.args:
        if name in FORMAT_PARAMS or name in PAGE_PARAMS:
            continue
        given = request.args.getlist(name)
        if len(given) > 1:
            raise BadRequest(
                f"参数 {name} 给了 {len(given)} 次，只能给一次 · "
                f"parameter {name!r} was given {len(given)} times; give it once"
            )
        if given[0] != "":
            values[name] = given[0]
    return values


def _bind(query: NamedQuery, values: dict[str, str]) -> str:
    try:
        return query.bind(values)
    except ValueError as error:
        raise BadRequest(f"参数有误 · {error}") from None


def _form_fields(
    query: NamedQuery, values: dict[str, str], resolver: Resolver
) -> list[dict[str, object]]:
    """Each parameter as the form shows it: its label, current value and its choices (a
    resource parameter's list from the resolver: jurisdictions by name with code, list
    types, topics)."""
    fields = []
    for param in query.params:
        listed = param.type == "iri" and kind_of(param.name) is not None
        fields.append(
            {
                "name": param.name,
                "type": param.type,
                "description": param.description,
                "value": values.get(param.name, _raw_default(param)),
                "choices": resolver.choices(param.name) if listed else None,
            }
        )
    return fields


RESULT_DOWNLOADS = (("csv", "CSV"), ("xlsx", "Excel"), ("tsv", "TSV"), ("json", "JSON"))


@blueprint.get("/queries/<name>")
def run_query(name: str) -> Response:
    config, store = current_config(), current_store()
    query = _library().get(name)
    if query is None:
        raise NotFound(
            f"没有名为 {name} 的问题，全部问题见 /queries · "
            f"no named query {name!r}; the list is at /queries"
        )
    given = _given_values(query)
    resolver = resolver_for(store, config.base, _paths(config).registers)
    try:
        values = resolver.resolve(query, given)
    except ParamError as error:
        raise BadRequest(f"{error.zh} · {error.en}") from None
    except ValueError as error:
        raise BadRequest(f"参数有误 · {error}") from None
    text = _bind(query, values)
    form = analyse(text).form
    asked = [v for key in FORMAT_PARAMS for v in request.args.getlist(key)]
    if form == "SELECT" and asked[:1] == ["csv"]:
        fmt = CSV_RESULT  # the table for spreadsheets; Accept: text/csv keeps SPARQL's CSV
    else:
        table_formats = (XLSX_RESULT,) if form == "SELECT" else ()
        fmt = _choose((*negotiation.formats_for_form(form), *table_formats, HTML))
    page = _page(text, form, fmt)
    shown = page.widened(1) if page is not None and fmt is HTML else page
    stored = answer_reader(store, query, config.base, text) if form == "SELECT" else None
    if stored is not None and not stored.covers(shown):
        stored = None  # past the first pages the build kept: the text runs
    if stored is not None:
        run = page_query(stored, shown)  # the build's table: the page by IRI, no sort
    else:
        run = text if shown is None else _paged(text, shown)
    etag = make_etag(store.version, "named-query", name, run, fmt.key)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    options = QueryOptions(timeout_s=config.query_timeout_s, max_rows=config.max_rows)
    if fmt is HTML:
        response = _results_page(query, run, form, options, values, resolver, page, stored)
    elif fmt in (XLSX_RESULT, CSV_RESULT):
        table = _table(run, options)
        body = table_xlsx(table, query.title_zh) if fmt is XLSX_RESULT else table_csv(table)
        response = Response(body, content_type=fmt.content_type)
        response.headers["Content-Disposition"] = (
            f'attachment; filename="{query.name}.{fmt.names[0]}"'
        )
    else:
        content_type, raw = store.execute(run, fmt.media_type, options)
        response = Response(raw, content_type=content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


def _page(text: str, form: str | None, fmt: Format) -> Page | None:
    """The rows ``limit`` and ``offset`` ask for: a page of DEFAULT_PAGE_SIZE for the HTML
    table of a SELECT that can be paged (cdkg.queries.paging.refusal), the whole answer
    otherwise unless they are given; 400 naming the parameter for a bad value or for paging
    an answer that is not a SELECT's."""
    given = {name: request.args.getlist(name) for name in PAGE_PARAMS}
    for name, values in given.items():
        if len(values) > 1:
            raise BadRequest(
                f"参数 {name} 给了 {len(values)} 次，只能给一次 · "
                f"parameter {name!r} was given {len(values)} times; give it once"
            )
    if form != "SELECT":
        if any(given.values()):
            raise BadRequest(
                "limit 和 offset 只用于 SELECT 查询的结果 · limit and offset page a SELECT's answer"
            )
        return None
    default = DEFAULT_PAGE_SIZE if fmt is HTML and refusal(text) is None else None
    try:
        return parse_page(request.args.get("limit"), request.args.get("offset"), default)
    except PageError as error:
        raise BadRequest(f"{error.zh} · {error.en}") from None


def _paged(text: str, page: Page) -> str:
    try:
        return paged(text, page)
    except PageError as error:
        raise BadRequest(f"{error.zh} · {error.en}") from None


def _table(text: str, options: QueryOptions) -> Table:
    rows = current_store().select(text, options)
    names = _variables(text, rows)
    return result_table(names, rows, page_linker())


def _variables(text: str, rows: list[dict[str, Node]]) -> list[str]:
    """The SELECT's variables in order: the projection when written out, else as found."""
    found = list(dict.fromkeys(name for row in rows for name in row))
    projected = projection(text)
    return projected + [v for v in found if v not in projected]


def _results_page(
    query: NamedQuery,
    text: str,
    form: str | None,
    options: QueryOptions,
    values: dict[str, str],
    resolver: Resolver,
    page: Page | None = None,
    answers: AnswerTable | None = None,
) -> Response:
    store = current_store()
    table, graph_text, answer = None, None, None
    if form in ("CONSTRUCT", "DESCRIBE"):
        _, body = store.execute(text, negotiation.TURTLE.media_type, options)
        graph_text = body.decode("utf-8")
    elif form == "ASK":
        answer = store.ask(text, options)
    else:
        table = _table(text, options)
    shown = {k: v for k, v in values.items()}
    navigation = None
    if table is not None and page is not None and page.limit is not None:
        more = len(table.rows) > page.limit
        del table.rows[page.limit :]
        navigation = pager(page, len(table.rows), more, lambda p: _page_href(query, shown, p))
    downloads = [
        (label, f"{request.script_root}/queries/{query.name}?{urlencode({**shown, 'format': key})}")
        for key, label in RESULT_DOWNLOADS
    ]
    return html_page(
        "query.html",
        query=query,
        fields=_form_fields(query, values, resolver),
        table=table,
        graph_text=graph_text,
        answer=answer,
        downloads=downloads if table is not None else [],
        pager=navigation,
        first_row=page.first_row if page is not None else 1,
        answered=answers is not None,
    )


def _page_href(query: NamedQuery, values: dict[str, str], page: Page) -> str:
    """The URL of one page of ``query``'s answer with ``values``."""
    where = {**values, "offset": str(page.offset), "limit": str(page.limit)}
    if page.limit == DEFAULT_PAGE_SIZE:
        del where["limit"]
    if page.offset == 0:
        del where["offset"]
    search = f"?{urlencode(where)}" if where else ""
    return f"{request.script_root}/queries/{query.name}{search}"
