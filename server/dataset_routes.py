"""The dataset as a whole: ``/.well-known/void``, ``/downloads`` and ``/healthz``.

Downloads are the files of the current build (TriG and N-Quads as written by ``cdkg build``)
and JSON-LD, generated from the N-Quads on first request and kept in memory, and for people
who work in spreadsheets the duty table as XLSX and CSV (UTF-8 with a byte-order mark) —
``cdkg export``'s functions (cdkg.server.reports.exports) over the store being served. Each
is served with an ETag from the dataset version and, when the client accepts it,
gzip-compressed (compressed once per version, not per request).
"""

from __future__ import annotations

import gzip
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, request
from werkzeug.exceptions import NotAcceptable, NotFound

from cdkg.loaders.layout import DATASET_FILE
from cdkg.ontology.namespace import PREFIXES
from cdkg.server.reports import exports
from cdkg.server.reports.duties import duty_table

from .context import current_config, current_store, extension
from .description import BuildInfo, void_description
from .pages import html_page
from .store import QueryOptions, Store, negotiation
from .store.negotiation import GRAPH_FORMATS, HTML, JSON_LD, N_QUADS, TRIG, Format
from .store.results import serialize_graph
from .transport import cache_control, make_etag, matches, not_modified

blueprint = Blueprint("dataset", __name__)
DOWNLOADS_KEY = "cdkg.downloads"

DUMPS: tuple[tuple[str, Format], ...] = (
    ("dataset.trig", TRIG),
    (DATASET_FILE, N_QUADS),
    ("dataset.jsonld", JSON_LD),
)
_LISTING_JSON = Format("json", "application/json", names=("json",))
XLSX = Format(
    "xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    names=("xlsx",),
)
CSV_BOM = Format("csv", "text/csv", names=("csv",))
TABLES: tuple[tuple[str, Format], ...] = (("duties.xlsx", XLSX), ("duties.csv", CSV_BOM))
"""The duty table, made from the store (not from a file), so always available."""
DESCRIPTIONS = {
    "duties.xlsx": ("事项表（Excel）", "the duty table, one row per duty (Excel)"),
    "duties.csv": ("事项表（CSV，UTF-8 带 BOM）", "the duty table as CSV, UTF-8 with a BOM"),
    "dataset.trig": ("全部数据（TriG，含命名图）", "the whole dataset with its named graphs"),
    DATASET_FILE: ("全部数据（N-Quads）", "the whole dataset, one quad per line"),
    "dataset.jsonld": ("全部数据（JSON-LD）", "the whole dataset as JSON-LD"),
}


@dataclass
class _Blob:
    version: str
    raw: bytes
    compressed: bytes | None = None


class Downloads:
    """The build's dump files, read (or generated) once per dataset version."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._cache: dict[str, _Blob] = {}
        self._lock = threading.Lock()

    def available(self) -> list[tuple[str, Format]]:
        """The RDF dumps of the build folder (none without one)."""
        if self.folder is None:
            return []
        have_nq = (self.folder / DATASET_FILE).is_file()
        return [
            (name, fmt)
            for name, fmt in DUMPS
            if (self.folder / name).is_file() or (name == "dataset.jsonld" and have_nq)
        ]

    def blob(self, name: str, store: Store) -> _Blob:
        """The bytes of download ``name`` for ``store``'s version; NotFound for anything not
        in ``available()`` or ``TABLES``."""
        version = store.version
        tables = dict(TABLES)
        if name not in tables and (name not in dict(self.available()) or self.folder is None):
            raise NotFound(f"no download named {name!r}; see /downloads")
        with self._lock:
            cached = self._cache.get(name)
            if cached is None or cached.version != version:
                if name in tables:
                    raw = _table(store, name)
                else:
                    assert self.folder is not None
                    raw = self._read(self.folder, name)
                cached = _Blob(version, raw)
                self._cache[name] = cached
            return cached

    @staticmethod
    def _read(folder: Path, name: str) -> bytes:
        if name == "dataset.jsonld" and not (folder / name).is_file():
            quads = ox.parse(path=str(folder / DATASET_FILE), format=ox.RdfFormat.N_QUADS)
            written = ox.serialize(quads, format=ox.RdfFormat.JSON_LD, prefixes=PREFIXES)
            assert written is not None
            return written
        return (folder / name).read_bytes()

    def compressed(self, blob: _Blob) -> bytes:
        with self._lock:
            if blob.compressed is None:
                blob.compressed = gzip.compress(blob.raw, compresslevel=6, mtime=0)
            return blob.compressed


def _table(store: Store, name: str) -> bytes:
    """The duty table of ``store`` as ``cdkg export`` writes it (XLSX, or CSV with a BOM)."""
    duties = duty_table(store)
    return (
        exports.to_xlsx(duties, store.version) if name.endswith(".xlsx") else exports.to_csv(duties)
    )


@blueprint.route("/.well-known/void", methods=["GET"])
def void() -> Response:
    config, store = current_config(), current_store()
    fmt = negotiation.choose(
        request.headers.get("Accept"), request.args.getlist("format"), GRAPH_FORMATS
    )
    if fmt is None:
        raise NotAcceptable(
            "VoID is available as " + ", ".join(f.media_type for f in GRAPH_FORMATS)
        )
    etag = make_etag(store.version, "void", request.url_root, fmt.key)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    downloads: Downloads = extension(DOWNLOADS_KEY)
    graph = void_description(
        request.url_root,
        config.base,
        store.graph_sizes(),
        BuildInfo.read(downloads.folder),
        downloads.available(),
    )
    response = Response(serialize_graph(graph, fmt), content_type=fmt.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


@blueprint.route("/downloads", methods=["GET"])
@blueprint.route("/downloads/", methods=["GET"])
def downloads_index() -> Response:
    downloads: Downloads = extension(DOWNLOADS_KEY)
    folder = downloads.folder
    files = [
        {
            "name": name,
            "url": f"{request.url_root}downloads/{name}",
            "media_type": fmt.media_type,
            "bytes": (folder / name).stat().st_size
            if folder and (folder / name).is_file()
            else None,
        }
        for name, fmt in (*TABLES, *downloads.available())
    ]
    fmt = negotiation.choose(
        request.headers.get("Accept"), request.args.getlist("format"), (_LISTING_JSON, HTML)
    )
    if fmt is HTML:
        for item in files:
            zh, en = DESCRIPTIONS.get(str(item["name"]), ("", ""))
            item.update(zh=zh, en=en, href=f"{request.script_root}/downloads/{item['name']}")
        response = html_page("downloads.html", files=files)
    else:
        response = Response(
            json.dumps({"downloads": files}, ensure_ascii=False, indent=1),
            content_type=_LISTING_JSON.content_type,
        )
    response.vary.add("Accept")
    return response


@blueprint.route("/downloads/<name>", methods=["GET"])
def download(name: str) -> Response:
    config, store = current_config(), current_store()
    downloads: Downloads = extension(DOWNLOADS_KEY)
    fmt = dict((*TABLES, *downloads.available())).get(name)
    if fmt is None:
        raise NotFound(f"no download named {name!r}; see /downloads")
    etag = make_etag(store.version, "download", name)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching)
    blob = downloads.blob(name, store)
    if negotiation.accepts_encoding(request.headers.get("Accept-Encoding"), "gzip"):
        response = Response(downloads.compressed(blob), content_type=fmt.content_type)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(blob.raw, content_type=fmt.content_type)
    if fmt is CSV_BOM:
        response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.headers["Content-Disposition"] = f'attachment; filename="cdkg-{name}"'
    response.vary.add("Accept-Encoding")
    return response


@blueprint.route("/healthz", methods=["GET"])
def healthz() -> Response:
    """Liveness: cheap, never runs a query; ``?deep=1`` also runs an ASK on the store."""
    store = current_store()
    document: dict[str, object] = {"status": "ok", "engine": store.name, "version": store.version}
    if request.args.get("deep"):
        document["store"] = store.ask("ASK { ?s ?p ?o }", QueryOptions(timeout_s=5.0))
    response = Response(json.dumps(document, ensure_ascii=False), content_type="application/json")
    response.headers["Cache-Control"] = "no-store"
    return response
