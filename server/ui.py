"""``/`` — the query UI: YASGUI served from this server, with cdkg's named queries preloaded.

YASGUI (``@zazuko/yasgui``, pinned in package.json with its lock file) is installed by
``npm ci`` into node_modules/ and served from there under ``/static/yasgui/``: no CDN, no
font or script from another host. The page switches off everything in YASGUI that would call
an outside service — the endpoint catalogue (DBpedia, Wikidata), the LOV class and property
autocompleters, prefix.cc — and keeps prefix completion (from cdkg's own prefixes) and
variable completion. The site's Content-Security-Policy (server/app.py) limits the page to this
origin, so a browser refuses any request elsewhere even if a future YASGUI version tried one;
the page's own script is server/static/ui.js, its style server/static/cdkg.css.

The example list is the named-query library (queries/*.rq, read by ``cdkg.queries.library``), each
query loaded unchanged — parameters keep the defaults written in their VALUES clauses.

When node_modules is missing, the page says how to install it and still offers a plain HTML
form that posts to ``/sparql``.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, abort, render_template, request, send_file
from werkzeug.exceptions import BadRequest

from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.ontology.namespace import CD, ONTOLOGY_IRI, PREFIXES
from cdkg.queries.columns import COLUMN_LABELS
from cdkg.queries.library import NamedQuery, load_library

from .context import current_config, current_store, extension
from .headers import with_style_hashes
from .home import OverviewCache
from .pages import page_linker, site_context
from .query_page import projection, result_table, table_csv, table_xlsx
from .store import QueryOptions, negotiation
from .store.sparql_text import analyse, refusal

blueprint = Blueprint("ui", __name__, template_folder="templates")
blueprint.app_context_processor(site_context)  # the site header's sections, on every page
OVERVIEW_KEY = "cdkg.overview"


@blueprint.record_once
def _install(state: Any) -> None:
    state.app.extensions[OVERVIEW_KEY] = OverviewCache()


log = logging.getLogger(__name__)

YASGUI_PACKAGE = "@zazuko/yasgui"
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map")
INSTALL_COMMAND = "npm ci"


# --- named queries ------------------------------------------------------------------------


@dataclass
class Library:
    """The named queries the page lists, and the files it could not read (with why)."""

    queries: list[NamedQuery] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def load_examples(folder: Path) -> Library:
    """Every named query in ``folder`` (queries/*.rq, read by cdkg.queries.library): questions
    first, then checks, by name. A file with a bad header is reported on the page, not fatal."""
    library = Library()
    queries = load_library(folder, library.errors)
    for error in library.errors:
        log.warning("named query not listed: %s", error)
    library.queries = sorted(queries.values(), key=lambda q: (q.kind != "question", q.kind, q.name))
    return library


# --- configuration of the page ------------------------------------------------------------


def _paths() -> ProjectPaths:
    paths = current_config().paths
    return paths if paths is not None else project_paths()


def yasgui_dir(paths: ProjectPaths) -> Path:
    """Where ``npm ci`` puts YASGUI's built files."""
    return paths.root / "node_modules" / YASGUI_PACKAGE / "build"


def yasgui_version(paths: ProjectPaths) -> str | None:
    """The installed YASGUI version, or None when its files are missing."""
    folder = yasgui_dir(paths)
    if not all((folder / name).is_file() for name in YASGUI_FILES[:2]):
        return None
    package = folder.parent / "package.json"
    try:
        version = json.loads(package.read_text(encoding="utf-8")).get("version")
    except (OSError, ValueError):
        version = None
    return str(version) if version else "unknown"


_SHOWN = ("cd", "rdf", "rdfs", "skos", "prov", "dct")


def default_query(prefixes: Mapping[str, str]) -> str:
    """The editor's text in a new tab: cdkg's prefixes and a first question."""
    lines = [f"PREFIX {name}: <{iri}>" for name, iri in prefixes.items() if name in _SHOWN]
    lines += [
        "",
        "# 各清单的事项 · duties by catalog",
        "SELECT ?duty ?label ?catalog WHERE {",
        "  ?duty a cd:Duty ; rdfs:label ?label ; cd:inCatalog ?catalog .",
        "}",
        "LIMIT 100",
    ]
    return "\n".join(lines) + "\n"


def page_config(base: str, examples: list[NamedQuery]) -> dict[str, Any]:
    """Everything the page's script needs, as JSON."""
    return {
        "endpointPath": request.script_root + "/sparql",
        "idPath": request.script_root + "/id/",
        "ontologyPath": request.script_root + "/ontology",
        "base": base,
        "ontologyIri": str(ONTOLOGY_IRI),
        "ontologyNamespace": str(CD._NS),
        "prefixes": dict(PREFIXES),
        "defaultQuery": default_query(PREFIXES),
        "columns": {name: list(labels) for name, labels in COLUMN_LABELS.items()},
        "tablePath": request.script_root + "/results",
        "examples": [
            {
                "name": q.name,
                "title": q.title_zh or q.title_en or q.name,
                "text": q.text,
            }
            for q in examples
        ],
    }


def _plain_form_formats() -> list[tuple[str, list[tuple[str, str]]]]:
    """The plain form's format selector, from the endpoint's media-type table."""
    return [
        ("SELECT / ASK", [(f.names[0], f.media_type) for f in negotiation.RESULT_FORMATS]),
        (
            "CONSTRUCT / DESCRIBE",
            [(f.names[0], f.media_type) for f in negotiation.GRAPH_FORMATS if f.key != "nquads"],
        ),
    ]


# YASGUI's result table (its column resizer) adds two fixed <style> elements of its own: the
# grip rules when a table is drawn, and a cursor rule while a column is dragged (default
# dragCursor). The page's policy allows exactly these texts by hash, read from the installed
# yasgui.min.js — never 'unsafe-inline'. tests/server/test_ui_browser.py fails on a violation.
_INJECTED_STYLE = re.compile(r"createStyle\(\w+,`([^`\\$]*)`\)")
DRAG_CURSOR_STYLE = "*{cursor:col-resize!important}"


def style_hash(text: str) -> str:
    """The CSP hash source of a <style> element's text.

    >>> style_hash(DRAG_CURSOR_STYLE)
    'sha256-c0O6TmFAkgpNbHxKAa1BrveWHHopjEtC47i0PzMudxg='
    """
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "sha256-" + base64.b64encode(digest).decode("ascii")


@functools.lru_cache(maxsize=4)
def _injected_styles(script: Path, mtime_ns: int) -> tuple[str, ...]:
    texts = _INJECTED_STYLE.findall(script.read_text(encoding="utf-8"))
    return tuple(style_hash(text) for text in (*texts, DRAG_CURSOR_STYLE))


def yasgui_style_hashes(paths: ProjectPaths) -> tuple[str, ...]:
    """Hashes of the <style> texts the installed YASGUI injects (none when not installed)."""
    script = yasgui_dir(paths) / YASGUI_FILES[0]
    try:
        return _injected_styles(script, script.stat().st_mtime_ns)
    except OSError:
        return ()


# --- routes -------------------------------------------------------------------------------


@blueprint.get("/")
def index() -> Response:
    """The query page."""
    config = current_config()
    paths = _paths()
    library = load_examples(paths.queries)
    version = yasgui_version(paths)
    cache: OverviewCache = extension(OVERVIEW_KEY)
    html = render_template(
        "ui_index.html",
        overview=cache.get(current_store(), config.query_timeout_s),
        groups=[
            (
                "研究问题",
                "Research questions",
                [q for q in library.queries if q.kind == "question"],
            ),
            ("一致性检查", "Consistency checks", [q for q in library.queries if q.kind == "check"]),
        ],
        yasgui_version=version,
        install_command=INSTALL_COMMAND,
        package=YASGUI_PACKAGE,
        examples=library.queries,
        library_errors=library.errors,
        ui_config=page_config(config.base, library.queries),
        formats=_plain_form_formats(),
        default_query=default_query(PREFIXES),
    )
    response = Response(html, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = with_style_hashes(yasgui_style_hashes(paths))
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Language"] = "zh"
    return response


@blueprint.get("/static/yasgui/<name>")
def yasgui_file(name: str) -> Response:
    """One of YASGUI's built files, from node_modules (only the files the page uses)."""
    if name not in YASGUI_FILES:
        abort(404)
    path = yasgui_dir(_paths()) / name
    if not path.is_file():
        abort(404, f"{YASGUI_PACKAGE} is not installed: run `{INSTALL_COMMAND}`")
    response = send_file(path, max_age=86400, conditional=True)
    if name.endswith((".js", ".css")):
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        response.headers["Content-Type"] = f"{kind}; charset=utf-8"
    return response


@blueprint.get("/favicon.ico")
def favicon() -> Response:
    """No icon: an empty answer, so browsers opening /sparql results log no 404."""
    response = Response(status=204)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


TABLE_FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


@blueprint.post("/results")
def result_download() -> Response:
    """The query page's "download the result": the editor's SELECT run again (with the
    endpoint's limits and refusals) and answered as the named-query pages' table, as XLSX or
    CSV with a BOM (server/query_page.py)."""
    config, store = current_config(), current_store()
    text, fmt = request.form.get("query", ""), request.form.get("format", "")
    if fmt not in TABLE_FORMATS:
        raise BadRequest("format 须为 xlsx 或 csv · format must be xlsx or csv")
    info = analyse(text)
    if info.form != "SELECT":
        raise BadRequest("只能下载 SELECT 查询的结果 · only a SELECT's result is a table")
    refused = refusal(info)
    if refused is not None:
        raise BadRequest(refused)
    options = QueryOptions(timeout_s=config.query_timeout_s, max_rows=config.max_rows)
    rows = store.select(text, options)
    names = projection(text) + [v for v in dict.fromkeys(n for r in rows for n in r)]
    table = result_table(list(dict.fromkeys(names)), rows, page_linker())
    body = table_xlsx(table, "查询结果") if fmt == "xlsx" else table_csv(table)
    response = Response(body, content_type=TABLE_FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="cdkg-result.{fmt}"'
    response.headers["Cache-Control"] = "no-store"
    return response
