"""HTTP concerns shared by every route: the Host check, validators and caching, gzip, CORS.

ETags are weak (``W/"…"``): they are derived from the dataset version and what was asked, so
a client revalidates without the server running anything again, and the same tag stands
for the identity and the gzip encoding of one representation.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterable, Mapping

from flask import Request, Response, request
from werkzeug.exceptions import BadRequest

from .store.negotiation import accepts_encoding

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


# RFC 9110 §7.2 Host = uri-host [ ":" port ]: a name or IPv4 address (labels of letters,
# digits, "-" and "_", which container names use), or an IPv6 literal. No comma, no space.
_LABEL = r"[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?"
_HOST = re.compile(rf"(?:{_LABEL}(?:\.{_LABEL})*\.?|\[[0-9A-Fa-f:.]{{2,45}}\])(?::[0-9]{{1,5}})?")


def host_problem(environ: Mapping[str, object]) -> str | None:
    """Why the request's Host header is unacceptable, or None (pure: a WSGI environ in).

    The Host becomes the endpoint's IRI in answers (sd:endpoint, the base IRI of queries,
    links), so it must be one well-formed host: RFC 9112 §3.2 requires exactly one Host on
    HTTP/1.1 (waitress joins repeated headers with ", ", which no host contains).

    >>> host_problem({"HTTP_HOST": "127.0.0.1:8000", "SERVER_PROTOCOL": "HTTP/1.1"}) is None
    True
    >>> host_problem({"HTTP_HOST": "cdkg_web:8000", "SERVER_PROTOCOL": "HTTP/1.1"}) is None
    True
    >>> host_problem({"HTTP_HOST": "[::1]:8000", "SERVER_PROTOCOL": "HTTP/1.1"}) is None
    True
    >>> host_problem({"HTTP_HOST": "a.example, b.example", "SERVER_PROTOCOL": "HTTP/1.1"})
    "the Host header must name one host (host or host:port), not 'a.example, b.example'"
    >>> host_problem({"SERVER_PROTOCOL": "HTTP/1.1"})
    'an HTTP/1.1 request needs a Host header'
    """
    host = environ.get("HTTP_HOST")
    if host is None:
        if environ.get("SERVER_PROTOCOL") == "HTTP/1.0":
            return None  # HTTP/1.0 has no Host: the server's own name is used
        return "an HTTP/1.1 request needs a Host header"
    if not isinstance(host, str) or len(host) > 260 or not _HOST.fullmatch(host):
        return f"the Host header must name one host (host or host:port), not {str(host)[:80]!r}"
    return None


def check_host() -> None:
    """``before_request`` hook of every route: 400 naming what is wrong with the Host."""
    problem = host_problem(request.environ)
    if problem is not None:
        raise BadRequest(problem)


def public_root(public_url: str | None, url_root: str) -> str:
    """The server's root URL as clients see it, ending in "/": the configured public URL, or
    else the request's (scheme, checked Host, script root).

    >>> public_root("https://cdkg.example/kg", "http://127.0.0.1:8000/")
    'https://cdkg.example/kg/'
    >>> public_root(None, "http://127.0.0.1:8000/")
    'http://127.0.0.1:8000/'
    """
    root = public_url or url_root
    return root if root.endswith("/") else f"{root}/"


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
        or response.is_streamed  # a streamed answer is never held whole, not even to zip it
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
