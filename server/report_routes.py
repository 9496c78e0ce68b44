"""``/report``, ``/queries`` and ``/queries/<name>``: the check report and the named queries.

* ``/report`` — the consistency report of ``cdkg check`` (``cdkg.server.reports.checks`` and
  ``cdkg.server.reports.check_report``, the same code), generated from the store on first request
  and kept per dataset version. HTML by default; JSON (``format=json``) or Markdown (``format=md``)
  by ``Accept`` or ``format=``. ``fail-on=error|warning|info|never`` sets the threshold the
  verdict is stated at (default error). SHACL runs on the build's dataset file when it holds
  this store's version; otherwise the report says SHACL did not run.
* ``/queries`` — the named-query library (queries/*.rq): name, titles, description, kind,
  severity and parameters with defaults; HTML with a form per query, or JSON.
* ``/queries/<name>`` — runs one query with its parameters bound from the query string
  (``?keyword=禁毒``; an empty value keeps the default) by ``cdkg.queries.library``, which checks
  each value for its type and writes it as a SPARQL term. Results come in every format of
  ``/sparql``, negotiated the same way (``Accept`` or ``format=``), and as an HTML table for
  a browser. 400 names an unknown parameter or a bad value; 404 for an unknown query.
"""

from __future__ import annotations

import json
import logging
import threading
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from markupsafe import escape
from rdflib import Literal, URIRef
from rdflib.term import Node
from werkzeug.exceptions import BadRequest, NotAcceptable, NotFound

from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.queries.library import NamedQuery, Param, load_library
from cdkg.server.reports.check_report import STYLE, render_html, render_markdown
from cdkg.server.reports.checks import (
    SHAPES_FILE,
    THRESHOLDS,
    CheckRun,
    load_data_graph,
    run_checks,
)
from cdkg.server.reports.links import Linker

from .config import ServerConfig
from .context import current_config, current_store, extension
from .protocol import FORMAT_PARAMS
from .store import QueryOptions, Store, negotiation
from .store.engines import dataset_version
from .store.negotiation import HTML, Format
from .store.sparql_text import analyse
from .transport import cache_control, make_etag, matches, not_modified

blueprint = Blueprint("reports", __name__)
log = logging.getLogger(__name__)
REPORTS_KEY = "cdkg.reports"

JSON = Format("json", "application/json", names=("json",))
MARKDOWN = Format("markdown", "text/markdown", names=("md", "markdown"))
REPORT_FORMATS: tuple[Format, ...] = (HTML, JSON, MARKDOWN)
LIST_FORMATS: tuple[Format, ...] = (HTML, JSON)
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
    """Run every check query on ``store``, and SHACL on the build's dataset file when that
    file is the one the store holds."""
    paths = _paths(config)
    dataset = paths.dataset
    notes: list[str] = []
    data = None
    if dataset.is_file() and dataset_version(dataset) == version:
        data = load_data_graph(dataset)
    else:
        notes.append(
            f"SHACL did not run: no dataset file of version {version} under {paths.current}"
        )
    run = run_checks(
        store,
        load_queries(paths.queries),
        data=data,
        shapes_path=SHAPES_FILE,
        version=version,
        dataset=str(dataset) if data is not None else "",
    )
    run.notes.extend(notes)
    return run


@blueprint.record_once
def _install(state: BlueprintSetupState) -> None:
    state.app.extensions[REPORTS_KEY] = ReportCache()


def _local_links(app: Flask, base: str) -> Linker:
    """IRIs under the instance base link to this server's /id/ pages when it serves them,
    ontology terms to /ontology; other IRIs only when they are http(s)
    (cdkg.server.reports.links)."""
    served = "linked_data" in app.blueprints
    root = request.script_root
    if not served:
        return Linker(base)
    return Linker(base, f"{root}/id/", f"{root}/ontology")


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
    if fmt is JSON:
        body = json.dumps(run.to_json(threshold), ensure_ascii=False, indent=1)
    elif fmt is MARKDOWN:
        body = render_markdown(run, threshold)
    else:
        link = _local_links(current_app, config.base)
        style = url_for("reports.report_style")
        body = render_html(run, threshold, link, stylesheet=style)
    response = Response(body, content_type=fmt.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


@blueprint.get("/report.css")
def report_style() -> Response:
    """The report's style sheet (cdkg.server.reports.check_report.STYLE, which ``cdkg check`` writes
    inline into its self-contained report.html), served so that /report needs no inline style."""
    response = Response(STYLE, content_type="text/css; charset=utf-8")
    response.headers["Cache-Control"] = "public, max-age=3600"
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


_RESULT_CHOICES = (
    ("html", "HTML table"),
    ("json", "JSON"),
    ("csv", "CSV"),
    ("tsv", "TSV"),
    ("xml", "XML"),
)


def _query_form(query: NamedQuery, root: str) -> str:
    fields = "".join(
        f'<label>{escape(p.name)} <span class="muted">({escape(p.type)})</span> '
        f'<input name="{escape(p.name)}" value="{escape(_raw_default(p))}" size="40"></label>'
        f' <span class="muted">{escape(p.description)}</span><br>'
        for p in query.params
    )
    choices = "".join(f'<option value="{k}">{v}</option>' for k, v in _RESULT_CHOICES)
    return (
        f'<form method="get" action="{escape(root)}/queries/{escape(query.name)}">{fields}'
        f'<select name="format">{choices}</select> <button type="submit">运行 Run</button></form>'
    )


def _page(title: str, body: str) -> str:
    return (
        '<!doctype html>\n<html lang="zh"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} · cdkg</title>"
        f'<link rel="stylesheet" href="{escape(url_for("static", filename="queries.css"))}">'
        "</head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def _listing_html(library: dict[str, NamedQuery], root: str) -> str:
    parts = [
        "<h1>命名查询 Named queries</h1>",
        f'<p class="muted">{len(library)} queries from queries/*.rq; parameters go in the '
        f'query string. <a href="{escape(root)}/report">一致性检查报告 Check report</a> · '
        f'<a href="{escape(root)}/queries?format=json">JSON</a></p>',
    ]
    ordered = sorted(library.values(), key=lambda q: (q.kind != "question", q.name))
    for query in ordered:
        kind = query.kind + (f" · {query.severity}" if query.severity else "")
        parts.append(
            f'<section class="query" id="{escape(query.name)}"><h2>'
            f'<a href="{escape(root)}/queries/{escape(query.name)}">{escape(query.title_zh)}</a>'
            f' · {escape(query.title_en)} <span class="muted">({escape(kind)})</span></h2>'
            f"<p><code>{escape(query.name)}</code> — {escape(query.description)}</p>"
            f"{_query_form(query, root)}</section>"
        )
    return _page("命名查询 Named queries", "\n".join(parts))


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
        response = Response(_listing_html(library, root), content_type=fmt.content_type)
    response.headers["Cache-Control"] = "no-cache"
    response.vary.add("Accept")
    return response


def _bound_text(query: NamedQuery) -> str:
    values: dict[str, str] = {}
    for name in request.args:
        if name in FORMAT_PARAMS:
            continue
        given = request.args.getlist(name)
        if len(given) > 1:
            raise BadRequest(f"parameter {name!r} was given {len(given)} times; give it once")
        if given[0] != "":
            values[name] = given[0]
    try:
        return query.bind(values)
    except ValueError as error:
        raise BadRequest(str(error)) from None


def _cell(term: Node, link: Linker) -> str:
    if isinstance(term, URIRef):
        href = link(str(term))
        if href is None:
            return f'<span class="iri">{escape(str(term))}</span>'
        return f'<a class="iri" href="{escape(href)}">{escape(str(term))}</a>'
    if isinstance(term, Literal) and term.language:
        return f'{escape(str(term))} <span class="muted">@{escape(term.language)}</span>'
    return str(escape(str(term)))


def _results_html(query: NamedQuery, text: str, form: str | None, options: QueryOptions) -> str:
    store, config = current_store(), current_config()
    root, link = request.script_root, _local_links(current_app, config.base)
    head = (
        f'<h1>{escape(query.title_zh)} <span class="muted">{escape(query.title_en)}</span>'
        f'</h1><p class="muted"><code>{escape(query.name)}</code> — '
        f'{escape(query.description)} <a href="{escape(root)}/queries">all queries</a></p>'
        f"{_query_form(query, root)}"
    )
    if form in ("CONSTRUCT", "DESCRIBE"):
        _, body = store.execute(text, negotiation.TURTLE.media_type, options)
        result = f"<pre>{escape(body.decode('utf-8'))}</pre>"
    elif form == "ASK":
        result = f"<p>{'true' if store.ask(text, options) else 'false'}</p>"
    else:
        rows = store.select(text, options)
        names = list(dict.fromkeys(name for row in rows for name in row))
        header = "".join(f"<th>{escape(name)}</th>" for name in names)
        body_rows = "".join(
            "<tr>"
            + "".join(f"<td>{_cell(row[name], link) if name in row else ''}</td>" for name in names)
            + "</tr>"
            for row in rows
        )
        result = (
            f'<p class="muted">{len(rows)} rows</p>'
            f"<table><thead><tr>{header}</tr></thead><tbody>{body_rows}</tbody></table>"
        )
    return _page(query.title_zh, head + result)


@blueprint.get("/queries/<name>")
def run_query(name: str) -> Response:
    config, store = current_config(), current_store()
    query = _library().get(name)
    if query is None:
        raise NotFound(f"no named query {name!r}; the list is at /queries")
    text = _bound_text(query)
    form = analyse(text).form
    fmt = _choose((*negotiation.formats_for_form(form), HTML))
    etag = make_etag(store.version, "named-query", name, text, fmt.key)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    options = QueryOptions(timeout_s=config.query_timeout_s, max_rows=config.max_rows)
    if fmt is HTML:
        response = Response(
            _results_html(query, text, form, options), content_type=HTML.content_type
        )
    else:
        content_type, body = store.execute(text, fmt.media_type, options)
        response = Response(body, content_type=content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response
