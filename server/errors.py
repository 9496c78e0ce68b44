"""How each error becomes an HTTP response (the engine errors themselves are in
``cdkg.server.store.errors``, which imports no web framework).

Every error body is ``text/plain; charset=utf-8`` with one line a person can act on (SPARQL
clients show the body as is). The statuses, as documented in docs/endpoint.md:

=====  ==========================================================================
400    malformed query (the parser's message with line:column), SERVICE refused,
       LOAD refused, result larger than the row cap (``ResultTooLarge``: the query
       was fine, it asks for too much — add LIMIT), bad parameters (a second
       query/update, a URL or body that is not UTF-8), a missing, repeated or
       malformed Host
401    an update without a Bearer token when an admin token is configured
403    SPARQL Update on a read-only endpoint, or a wrong token
404    unknown path
405    wrong method (``Allow`` says which)
406    no acceptable format (the body lists those available), or an answer the
       negotiated format cannot hold (``NotRepresentable``: a character XML 1.0
       does not allow, a predicate RDF/XML cannot name); ``Vary: Accept``
413    request body over the configured size
415    a POST body that is neither a form nor application/sparql-query/-update, or a
       charset other than UTF-8
429    rate limit (``Retry-After``)
503    query timeout (``QueryTimeout``) or the engine unavailable; the only 5xx a
       client's input can cause
=====  ==========================================================================
"""

from __future__ import annotations

import logging

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from .store.errors import (
    EngineUnavailable,
    NotRepresentable,
    QueryError,
    QueryTimeout,
    ResultTooLarge,
)

log = logging.getLogger(__name__)

# Headers of an HTTP error that the plain-text rendering keeps.
_KEPT_HEADERS = ("Allow", "Retry-After", "WWW-Authenticate")


def plain_error(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A text/plain error response that caches nowhere."""
    response = Response(message.rstrip("\n") + "\n", status=status)
    response.content_type = "text/plain; charset=utf-8"
    response.headers["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


STATUS_ZH = {
    400: "请求有误",
    401: "需要登录",
    403: "不允许",
    404: "找不到该页面",
    405: "不支持该方法",
    406: "没有可提供的格式",
    413: "请求过大",
    415: "不支持的内容类型",
    429: "请求过于频繁",
    503: "暂时无法回答",
}
"""Each status in Chinese, for the error page a browser gets."""


def browser_wants_html() -> bool:
    """True when the request names text/html in its Accept header ahead of any other type
    (a browser navigating): it gets the site's error page; every other client the one line of
    text a SPARQL client shows as is."""
    accept = request.headers.get("Accept", "")
    first = accept.split(",")[0].split(";")[0].strip().lower()
    return first in ("text/html", "application/xhtml+xml")


def html_error(status: int, title: str, message: str, headers: dict[str, str]) -> Response:
    """The site's error page (templates/error.html), Chinese first, English beside it."""
    from .pages import html_page

    response = html_page(
        "error.html",
        status=status,
        status_code=status,
        title_zh=STATUS_ZH.get(status, "出错了"),
        title_en=title,
        message=message,
    )
    response.headers["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response.headers[name] = value
    return response


def _http_error(error: HTTPException) -> Response:
    kept = {k: v for k, v in error.get_headers() if k in _KEPT_HEADERS}
    status = error.code or 500
    if browser_wants_html():
        response = html_error(status, error.name, str(error.description or ""), kept)
    else:
        response = plain_error(status, f"{status} {error.name}: {error.description}", kept)
    if status == 406:  # the answer depends on Accept, so caches must key on it
        response.vary.add("Accept")
    return response


def _query_error(error: QueryError) -> Response:
    kind = "Result too large" if isinstance(error, ResultTooLarge) else "Bad query"
    if browser_wants_html():
        return html_error(400, kind, str(error), {})
    return plain_error(400, f"400 {kind}: {error}")


def _not_representable(error: NotRepresentable) -> Response:
    response = plain_error(406, f"406 Not Acceptable: {error}")
    response.vary.add("Accept")
    return response


def _timeout(error: QueryTimeout) -> Response:
    g.cdkg_timeout = True
    return plain_error(503, f"503 Query timeout: {error}", {"Retry-After": "5"})


def _unavailable(error: EngineUnavailable) -> Response:
    return plain_error(503, f"503 Engine unavailable: {error}", {"Retry-After": "5"})


def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error")
    return plain_error(500, "500 Internal Server Error: the error was logged")


def register_error_handlers(app: Flask) -> None:
    """Render every error of the app as plain text with the statuses above."""
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(QueryError, _query_error)
    app.register_error_handler(NotRepresentable, _not_representable)
    app.register_error_handler(QueryTimeout, _timeout)
    app.register_error_handler(EngineUnavailable, _unavailable)
    app.register_error_handler(Exception, _unexpected)
