"""Chinese keyword search over duties: ``GET /search?q=禁毒`` — no external index.

Matching and ranking (words segmented, synonyms, place names and list types) are
``cdkg.server.reports.search_engine``'s; this module answers the request. The index is
built on first use (start-up stays fast; ``serve`` warms it in the background) and again
whenever the dataset version changes.

Answers: JSON by default, ``{"query", "count", "results": [{"iri", "label", "catalog",
"jurisdiction", "score", "field", "snippet", "matches": [{"word", "field", "text"}]}]}``;
HTML when the client prefers text/html or passes ``format=html``. Parameters: ``q``
(required), ``limit`` (1–200, default 20).
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import BadRequest, NotAcceptable

from cdkg.server.reports.search_engine import Hit, SearchIndex

from .context import current_config, extension
from .pages import html_page, page_linker
from .search_page import group_hits
from .store import negotiation
from .store.negotiation import HTML, Format

blueprint = Blueprint("search", __name__)
INDEX_KEY = "cdkg.search"

JSON_FORMAT = Format("json", "application/json", names=("json",))


def page_for(iri: str) -> str | None:
    """This server's page for ``iri`` (``/id/…``) when it serves linked-data pages."""
    base = current_config().base
    if iri.startswith(base) and "linked_data" in current_app.blueprints:
        return "/id/" + iri[len(base) :]
    return None


def hit_json(hit: Hit) -> dict[str, object]:
    entry = hit.entry
    return {
        "iri": entry.iri,
        "page": page_for(entry.iri),
        "label": entry.label,
        "catalog": {"iri": entry.catalog, "label": entry.catalog_label},
        "jurisdiction": {"iri": entry.jurisdiction, "label": entry.jurisdiction_label},
        "score": hit.score,
        "field": hit.field,
        "snippet": hit.snippet,
        "matches": [{"word": m.word, "field": m.field, "text": m.text} for m in hit.matches],
    }


def _limit(config_default: int, config_max: int) -> int:
    raw = request.args.get("limit")
    if raw is None:
        return config_default
    if not raw.isdigit() or not 1 <= int(raw) <= config_max:
        raise BadRequest(f"limit must be a whole number from 1 to {config_max}")
    return int(raw)


@blueprint.route("/search", methods=["GET"])
def search() -> Response:
    config = current_config()
    query = request.args.get("q", "").strip()
    formats = (JSON_FORMAT, HTML)
    fmt = negotiation.choose(request.headers.get("Accept"), request.args.getlist("format"), formats)
    if fmt is None:
        raise NotAcceptable("search results are available as application/json and text/html")
    if not query and fmt is not HTML:
        raise BadRequest("give the words to search for as q=, e.g. /search?q=禁毒")
    limit = _limit(config.search_default_limit, config.search_max_limit)
    index: SearchIndex = extension(INDEX_KEY)
    hits = index.search(query, limit) if query else []
    if fmt is HTML:
        response = html_page(
            "search.html",
            query=query,
            search_text=query,
            count=len(hits),
            limit=limit,
            groups=group_hits(hits, query, page_linker()),
        )
    else:
        document = {"query": query, "count": len(hits), "results": [hit_json(h) for h in hits]}
        body = json.dumps(document, ensure_ascii=False, indent=1)
        response = Response(body, content_type=JSON_FORMAT.content_type)
    response.vary.add("Accept")
    response.headers["Cache-Control"] = "public, max-age=60"
    return response
