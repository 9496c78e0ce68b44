"""Chinese keyword search over duties: ``GET /search?q=禁毒`` — no external index.

Chinese has no word boundaries, so matching is on characters. Texts and the query are
normalised (NFKC, case-folded, whitespace removed). The query is split on whitespace into
terms and every term must match (AND). A term found as a substring of a field scores that
field's weight; otherwise, when at least half of the term's character bigrams occur in the
field, it scores half the weight times that fraction. Weights — name 4, description 2,
citation text 1 — rank a name match above any description or citation match. Ties go to the
shorter name, then the IRI.

Duties are what has ``cd:inCatalog`` (so the index needs no entailed ``a cd:Duty``). The
index is one SELECT over the store, run on first use (start-up stays fast; ``serve``
warms it in the background) and again whenever the dataset version changes.

Answers: JSON by default, ``{"query", "count", "results": [{"iri", "label", "catalog",
"jurisdiction", "score", "field", "snippet"}]}``; HTML when the client prefers text/html or
passes ``format=html``. Parameters: ``q`` (required), ``limit`` (1–200, default 20).
"""

from __future__ import annotations

import json
import threading
import unicodedata
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, request
from rdflib import Literal
from rdflib.term import Node
from werkzeug.exceptions import BadRequest, NotAcceptable

from cdkg.server.reports.links import Linker

from .context import current_config, extension
from .pages import html_page
from .search_page import group_hits
from .store import QueryOptions, Store, negotiation
from .store.negotiation import HTML, Format

blueprint = Blueprint("search", __name__)
INDEX_KEY = "cdkg.search"

INDEX_QUERY = """
PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?duty ?label ?description ?citation ?catalog ?catalogLabel ?jurisdiction ?jurisdictionLabel
WHERE {
  ?duty cd:inCatalog ?catalog ; rdfs:label ?label .
  OPTIONAL { ?duty cd:description ?description }
  OPTIONAL { ?duty cd:citationText ?citation }
  OPTIONAL { ?catalog rdfs:label ?catalogLabel }
  OPTIONAL { ?catalog cd:jurisdiction ?jurisdiction .
             OPTIONAL { ?jurisdiction rdfs:label ?jurisdictionLabel } }
}
"""

WEIGHTS = {"label": 4.0, "description": 2.0, "citation": 1.0}
PARTIAL = 0.5
JSON_FORMAT = Format("json", "application/json", names=("json",))


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised, case-folded, without whitespace; with, for each character of
    the result, the index of the character of ``text`` it came from."""
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if not piece.isspace():
                out.append(piece)
                origin.append(index)
    return "".join(out), origin


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams (a one-character text is its own only gram)."""
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@dataclass(frozen=True)
class Field:
    """One searchable text of a duty, kept with its normalised form."""

    text: str
    normal: str
    origin: tuple[int, ...]
    grams: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Field:
        normal, origin = normalise(text)
        return cls(text, normal, tuple(origin), bigrams(normal))

    def match(self, term: str, grams: frozenset[str]) -> tuple[float, int, int]:
        """(strength 0–1, start, end in ``text``) of ``term`` in this field."""
        position = self.normal.find(term)
        if position >= 0:
            end = self.origin[position + len(term) - 1] + 1
            return 1.0, self.origin[position], end
        if not grams or not self.normal:
            return 0.0, 0, 0
        shared = grams & self.grams
        fraction = len(shared) / len(grams)
        if fraction < 0.5:
            return 0.0, 0, 0
        first = min(self.normal.find(gram) for gram in shared)
        return PARTIAL * fraction, self.origin[first], self.origin[first + 1] + 1


@dataclass(frozen=True)
class Entry:
    """One duty in the index."""

    iri: str
    label: str
    catalog: str
    catalog_label: str
    jurisdiction: str
    jurisdiction_label: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    field: str
    snippet: str


def snippet(text: str, start: int, end: int, width: int = 24) -> str:
    """``text`` around [start, end) on one line, with ellipses where cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def _text(node: Node | None) -> str:
    return str(node) if node is not None else ""


def _prefer_zh(current: str, node: Node | None) -> str:
    """Keep the first label, but let a @zh label replace one in another language."""
    if node is None:
        return current
    if not current or (isinstance(node, Literal) and node.language == "zh"):
        return str(node)
    return current


def build_entries(rows: list[dict[str, Node]]) -> list[Entry]:
    """Group the index query's rows into one entry per duty."""
    grouped: dict[str, dict[str, object]] = {}
    for row in rows:
        iri = _text(row.get("duty"))
        item = grouped.setdefault(
            iri,
            {
                "label": "",
                "description": [],
                "citation": [],
                "catalog": "",
                "catalogLabel": "",
                "jurisdiction": "",
                "jurisdictionLabel": "",
            },
        )
        for key in ("label", "catalogLabel", "jurisdictionLabel"):
            item[key] = _prefer_zh(str(item[key]), row.get(key))
        for key in ("catalog", "jurisdiction"):
            item[key] = item[key] or _text(row.get(key))
        for key in ("description", "citation"):
            values = item[key]
            assert isinstance(values, list)
            value = _text(row.get(key))
            if value and value not in values:
                values.append(value)
    entries = []
    for iri, item in sorted(grouped.items()):
        texts = {
            "label": str(item["label"]),
            "description": "\n".join(item["description"]),  # type: ignore[arg-type]
            "citation": "\n".join(item["citation"]),  # type: ignore[arg-type]
        }
        entries.append(
            Entry(
                iri=iri,
                label=texts["label"],
                catalog=str(item["catalog"]),
                catalog_label=str(item["catalogLabel"]),
                jurisdiction=str(item["jurisdiction"]),
                jurisdiction_label=str(item["jurisdictionLabel"]),
                fields={name: Field.of(text) for name, text in texts.items()},
            )
        )
    return entries


def rank(entries: list[Entry], query: str, limit: int) -> list[Hit]:
    """The best ``limit`` entries for ``query`` (see the module docstring for the scoring)."""
    terms = [normalise(term)[0] for term in query.split()]
    terms = [term for term in terms if term]
    if not terms:
        return []
    grams = {term: bigrams(term) for term in terms}
    hits: list[Hit] = []
    for entry in entries:
        total, best = 0.0, (0.0, "", 0, 0)
        for term in terms:
            term_best = (0.0, "", 0, 0)
            for name, field in entry.fields.items():
                strength, start, end = field.match(term, grams[term])
                score = strength * WEIGHTS[name]
                if score > term_best[0]:
                    term_best = (score, name, start, end)
            if term_best[0] == 0.0:
                break
            total += term_best[0]
            best = max(best, term_best, key=lambda b: b[0])
        else:
            _, name, start, end = best
            text = entry.fields[name].text
            hits.append(Hit(entry, round(total, 3), name, snippet(text, start, end)))
    hits.sort(key=lambda hit: (-hit.score, len(hit.entry.label), hit.entry.iri))
    return hits[:limit]


class SearchIndex:
    """The duties of a store, indexed for ``rank``; rebuilt when the store's version changes."""

    def __init__(self, store: Store, timeout_s: float | None = None) -> None:
        self._store = store
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[Entry] = []

    def entries(self) -> list[Entry]:
        version = self._store.version
        with self._lock:
            if self._version != version:
                rows = self._store.select(INDEX_QUERY, QueryOptions(timeout_s=self._timeout_s))
                self._entries = build_entries(rows)
                self._version = version
            return self._entries

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        return rank(self.entries(), query, limit)


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
    }


def page_linker() -> Linker:
    """Links of this server's pages: /id/… when it serves linked-data pages."""
    base, root = current_config().base, request.script_root
    if "linked_data" in current_app.blueprints:
        return Linker(base, f"{root}/id/", f"{root}/ontology")
    return Linker(base)


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
