"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

§2.1 query operation: GET with ``query=``, POST with a form (``query=``), POST direct with
``Content-Type: application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
choose the dataset. §2.2 update operation: POST form ``update=`` or direct
``application/sparql-update`` — refused unless an admin token is configured and sent as a
Bearer token. A GET without a query returns the Service Description (§3 of SPARQL 1.1
Service Description). Errors follow ``cdkg.server.errors``.
"""

from __future__ import annotations

import codecs
import hmac
from dataclasses import dataclass
from typing import Literal

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.datastructures import MultiDict, WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    Unauthorized,
    UnsupportedMediaType,
)

from . import negotiation
from .context import current_config, current_store, extension
from .description import service_description
from .negotiation import GRAPH_FORMATS, HTML, Format
from .result_cache import RESULT_CACHE_KEY, CachedAnswer, ResultCache
from .results import serialize_graph
from .sparql_text import analyse
from .store import QueryOptions
from .transport import cache_control, make_etag, matches, not_modified

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
FORMAT_PARAMS = ("format", "output", "results")

SERVICE_REFUSED = (
    "SERVICE (federated query) is disabled on this endpoint: it would make the server send "
    "requests to other servers. Run the query against each endpoint yourself."
)
LOAD_REFUSED = "LOAD is disabled on this endpoint: it would make the server fetch data."
READ_ONLY = (
    "SPARQL Update is disabled: this endpoint is read-only. Change the data by rebuilding "
    "(cdkg build), or start the server with an admin token."
)


@dataclass(frozen=True)
class SparqlRequest:
    """What a protocol request asks for, independent of how it was sent."""

    operation: Literal["query", "update"] | None
    text: str | None
    default_graph_uris: tuple[str, ...] = ()
    named_graph_uris: tuple[str, ...] = ()
    format_params: tuple[str, ...] = ()


def _single(values: list[str], name: str) -> str | None:
    if len(values) > 1:
        raise BadRequest(f"the {name} parameter was given {len(values)} times; give it once")
    return values[0] if values else None


def _decode(body: bytes, charset: str | None) -> str:
    try:
        codec = codecs.lookup(charset or "utf-8").name
    except LookupError:
        raise UnsupportedMediaType(f"unknown charset {charset!r}; send UTF-8") from None
    try:
        return body.decode(codec)
    except UnicodeDecodeError as error:
        raise BadRequest(f"the request body is not valid {codec}: {error}") from None
    except LookupError:  # a codec that is not a text encoding, e.g. charset=rot13
        raise UnsupportedMediaType(f"{charset!r} is not a text encoding; send UTF-8") from None


def read_request(
    method: str,
    mimetype: str,
    charset: str | None,
    args: MultiDict[str, str],
    form: MultiDict[str, str],
    body: bytes,
) -> SparqlRequest:
    """Interpret a protocol request (pure: no Flask globals).

    Raises BadRequest for contradictory or repeated parameters, UnsupportedMediaType for a
    POST body of another type."""
    if method == "GET":
        params = args
        if args.getlist("update"):
            raise BadRequest(
                "updates must be sent with POST (form update= or application/sparql-update)"
            )
        text = _single(params.getlist("query"), "query")
        operation: Literal["query", "update"] | None = "query" if text is not None else None
    elif mimetype == FORM:
        params = form
        query = _single(form.getlist("query"), "query")
        update = _single(form.getlist("update"), "update")
        if query is not None and update is not None:
            raise BadRequest("give either query= or update=, not both")
        text = query if query is not None else update
        operation = "query" if query is not None else ("update" if update is not None else None)
    elif mimetype in (QUERY_BODY, UPDATE_BODY):
        params = args
        text = _decode(body, charset)
        operation = "query" if mimetype == QUERY_BODY else "update"
        if args.getlist("query") or args.getlist("update"):
            raise BadRequest(f"a {mimetype} request carries the operation in its body only")
    elif not mimetype and not body:
        params, text, operation = args, None, None
    else:
        raise UnsupportedMediaType(
            f"POST a form ({FORM}), {QUERY_BODY} or {UPDATE_BODY}; not {mimetype or 'no type'}"
        )
    if params.getlist("using-graph-uri") or params.getlist("using-named-graph-uri"):
        raise BadRequest("using-graph-uri / using-named-graph-uri are not supported")
    formats = tuple(v for name in FORMAT_PARAMS for v in params.getlist(name))
    return SparqlRequest(
        operation=operation,
        text=text,
        default_graph_uris=tuple(params.getlist("default-graph-uri")),
        named_graph_uris=tuple(params.getlist("named-graph-uri")),
        format_params=formats,
    )


def _not_acceptable(formats: tuple[Format, ...]) -> NotAcceptable:
    offered = ", ".join(f"{f.media_type} (format={f.names[0]})" for f in formats)
    return NotAcceptable(f"this answer is available as: {offered}")


@blueprint.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    sparql_request = read_request(
        request.method,
        request.mimetype,
        request.mimetype_params.get("charset"),
        request.args,
        request.form if request.mimetype == FORM else MultiDict(),
        request.get_data(cache=False) if request.mimetype in (QUERY_BODY, UPDATE_BODY) else b"",
    )
    if sparql_request.operation == "update":
        return _update(sparql_request)
    if sparql_request.operation == "query" and sparql_request.text is not None:
        return _query(sparql_request, sparql_request.text)
    if request.method == "GET":
        return _service_description(sparql_request)
    raise BadRequest("no operation: send query= (or update=) as a form, or a SPARQL body")


def _query(sparql_request: SparqlRequest, text: str) -> Response:
    config, store = current_config(), current_store()
    info = analyse(text)
    if info.is_update:
        if config.read_only:
            raise Forbidden(READ_ONLY)
        raise BadRequest("this is an update: send it as update= or application/sparql-update")
    if info.service and not config.allow_service:
        raise BadRequest(SERVICE_REFUSED)
    formats = negotiation.formats_for_form(info.form)
    fmt = negotiation.choose(request.headers.get("Accept"), sparql_request.format_params, formats)
    if fmt is None:
        if info.form is None:  # not recognisably a query: let the parser say what is wrong
            fmt = formats[0]
        else:
            raise _not_acceptable(formats)
    etag = make_etag(
        store.version,
        "sparql",
        text,
        "|".join(sparql_request.default_graph_uris),
        "|".join(sparql_request.named_graph_uris),
        fmt.key,
    )
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if request.method == "GET" and matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    cache: ResultCache = extension(RESULT_CACHE_KEY)
    answer = cache.get(etag) if cache.enabled else None
    if answer is None:
        options = QueryOptions(
            default_graph_uris=sparql_request.default_graph_uris,
            named_graph_uris=sparql_request.named_graph_uris,
            timeout_s=config.query_timeout_s,
            max_rows=config.max_rows,
        )
        content_type, body = store.execute(text, fmt.media_type, options)
        answer = CachedAnswer(content_type, body)
        if cache.enabled:
            cache.put(etag, answer)
        cached = "miss"
    else:
        cached = "hit"
    response = Response(answer.body, content_type=answer.content_type)
    if cache.enabled:
        response.headers["X-Cache"] = cached
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


def _update(sparql_request: SparqlRequest) -> Response:
    config, store = current_config(), current_store()
    if config.read_only or config.admin_token is None:
        raise Forbidden(READ_ONLY)
    authorization = request.headers.get("Authorization", "")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized(
            "SPARQL Update needs the admin token as 'Authorization: Bearer <token>'",
            www_authenticate=WWWAuthenticate("bearer", {"realm": "cdkg"}),
        )
    if not hmac.compare_digest(token.strip().encode(), config.admin_token.encode()):
        raise Forbidden("the admin token is wrong")
    text = sparql_request.text or ""
    info = analyse(text)
    if info.load:
        raise BadRequest(LOAD_REFUSED)
    if info.service and not config.allow_service:
        raise BadRequest(SERVICE_REFUSED)
    if info.form in negotiation.QUERY_FORMS:
        raise BadRequest("this is a query: send it as query=, not update=")
    update = getattr(store, "update", None)
    if update is None:
        raise Forbidden(f"the {store.name} store does not accept updates")
    update(text, timeout_s=config.query_timeout_s)
    return Response(status=204)


def _service_description(sparql_request: SparqlRequest) -> Response:
    config, store = current_config(), current_store()
    accept = request.headers.get("Accept")
    if not sparql_request.format_params and _prefers_html(accept) and _has_home_page():
        return redirect("/", code=303)  # type: ignore[return-value]
    fmt = negotiation.choose(accept, sparql_request.format_params, GRAPH_FORMATS)
    if fmt is None:
        raise _not_acceptable(GRAPH_FORMATS)
    etag = make_etag(store.version, "service-description", request.url_root, fmt.key)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    graph = service_description(
        f"{request.url_root}sparql",
        config.base,
        store.graph_sizes(),
        updates=not config.read_only,
    )
    response = Response(serialize_graph(graph, fmt), content_type=fmt.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


def _prefers_html(accept: str | None) -> bool:
    ranges = negotiation.parse_accept(accept)
    html = negotiation.quality(HTML, [r for r in ranges if r.type != "*"])
    return html > 0 and html >= max(negotiation.quality(f, ranges) for f in GRAPH_FORMATS)


def _has_home_page() -> bool:
    return any(rule.rule == "/" for rule in current_app.url_map.iter_rules())
