"""HTTP concerns shared by every route: validators and caching, gzip, CORS.

ETags are weak (``W/"…"``): they are derived from the dataset version and what was asked, so
a client revalidates without the server running anything again, and the same tag stands
for the identity and the gzip encoding of one representation.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Iterable

from flask import Request, Response

from .negotiation import accepts_encoding

_COMPRESSIBLE = (
    "text/",
    "application/sparql-results+",
    "application/json",
    "application/ld+json",
    "application/rdf+xml",
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/xml",
    "application/javascript",
)
_MIN_GZIP_BYTES = 512


def make_etag(version: str, *parts: str) -> str:
    """A weak ETag for one representation of one dataset version."""
    digest = hashlib.sha256("\x1f".join((version, *parts)).encode("utf-8")).hexdigest()
    return f'W/"{digest[:32]}"'


def _opaque(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith("W/") else tag


def matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison of an If-None-Match header with ``etag`` (RFC 9110 §13.1.2)."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    wanted = _opaque(etag)
    return any(_opaque(tag) == wanted for tag in if_none_match.split(","))


def not_modified(etag: str, cache_control: str, vary: Iterable[str] = ()) -> Response:
    """The 304 answer: no body, the validators and caching headers only."""
    response = Response(status=304)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = cache_control
    for header in vary:
        response.vary.add(header)
    return response


def cache_control(max_age_s: int, read_only: bool) -> str:
    """Cache-Control for data answers: a read-only dataset changes only with a new build (and
    a new ETag), so caches may keep it; with updates enabled every use revalidates."""
    if not read_only:
        return "no-cache"
    return f"public, max-age={max_age_s}"


def gzip_response(request: Request, response: Response) -> Response:
    """Compress a text response when the client accepts gzip (after_request hook)."""
    response.vary.add("Accept-Encoding")
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or not (response.mimetype or "").startswith(_COMPRESSIBLE)
        or not accepts_encoding(request.headers.get("Accept-Encoding"), "gzip")
    ):
        return response
    body = response.get_data()
    if len(body) < _MIN_GZIP_BYTES:
        return response
    response.set_data(gzip.compress(body, compresslevel=5, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    return response


def cors(request: Request, response: Response, origins: tuple[str, ...]) -> Response:
    """Allow cross-origin GET/POST from ``origins`` ("*" for any), preflight included."""
    origin = request.headers.get("Origin")
    if not origins or not origin:
        return response
    if "*" in origins:
        response.headers["Access-Control-Allow-Origin"] = "*"
    elif origin in origins:
        response.headers["Access-Control-Allow-Origin"] = origin
        response.vary.add("Origin")
    else:
        return response
    response.headers["Access-Control-Expose-Headers"] = "ETag, Content-Type, Retry-After"
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            "Accept, Content-Type, Authorization, If-None-Match"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
    return response
