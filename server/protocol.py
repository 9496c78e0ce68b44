"""``/sparql``: the SPARQL 1.1 Protocol (https://www.w3.org/TR/sparql11-protocol/).

§2.1 query operation: GET with ``query=``, POST with a form (``query=``), POST direct with
``Content-Type: application/sparql-query``; ``default-graph-uri`` / ``named-graph-uri``
choose the dataset. §2.2 update operation: POST form ``update=`` or direct
``application/sparql-update`` — refused unless an admin token is configured and sent as a
Bearer token. A GET without a query returns the Service Description (§3 of SPARQL 1.1
Service Description). HEAD answers like GET without a body. Exactly one query/update
parameter; the URL and bodies are strictly UTF-8. Relative IRIs in a query resolve against
the endpoint's URL (``endpoint_url``). Errors follow ``cdkg.server.errors``.
"""

from __future__ import annotations

import binascii
import hmac
import re
from dataclasses import dataclass
from typing import Literal
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, redirect, request
from werkzeug.datastructures import MultiDict, WWWAuthenticate
from werkzeug.exceptions import (
    BadRequest,
    Forbidden,
    NotAcceptable,
    Unauthorized,
    UnsupportedMediaType,
)

from .context import current_config, current_store, extension
from .description import service_description
from .result_cache import RESULT_CACHE_KEY, CachedAnswer, KeptWhileStreamed, ResultCache
from .store import QueryOptions, negotiation
from .store.negotiation import GRAPH_FORMATS, HTML, Format
from .store.results import serialize_graph
from .store.sparql_text import analyse, refusal
from .transport import cache_control, make_etag, matches, not_modified, public_root

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
QUERY_BODY = "application/sparql-query"
UPDATE_BODY = "application/sparql-update"
FORMAT_PARAMS = ("format", "output", "results")
MAX_PARAMS = 1000

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


def _check_charset(charset: str | None) -> None:
    """Only UTF-8 is read (SPARQL 1.1 Protocol §2.1.2/2.1.3; W3C test bad_query_non_utf8)."""
    if charset is not None and charset.strip().lower() not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"charset={charset}: this endpoint reads UTF-8 only")


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise BadRequest(
            f"the {where} is not valid UTF-8 (byte {error.start}); send UTF-8"
        ) from None


_BAD_ESCAPE = re.compile(rb"%(?![0-9A-Fa-f]{2})")


def percent_decode(data: bytes) -> bytes:
    """``data`` with its ``%XX`` escapes decoded, exactly as ``urllib.parse.unquote_to_bytes``
    does, but in C: a named query's form body holds hundreds of escapes (its Chinese
    comments), for which the standard library's loop took a third of a millisecond. Quoted-
    printable is percent-encoding with "=" for "%": once every "=" is itself escaped and every
    "%" begins a valid escape, ``binascii.a2b_qp`` decodes exactly the same bytes.

    >>> percent_decode(b"%E7%A6%81%E6%AF%92+%7b%7D=%3D").decode()
    '禁毒+{}=='
    >>> percent_decode(b"100%") == unquote_to_bytes(b"100%")
    True
    """
    if b"%" not in data:
        return data
    if _BAD_ESCAPE.search(data) is not None:  # a "%" without two hex digits: the slow reading
        return unquote_to_bytes(data)
    return binascii.a2b_qp(data.replace(b"=", b"=3D").replace(b"%", b"="))


def parse_params(data: bytes, where: str) -> MultiDict[str, str]:
    """Parameters of a query string or form body, strictly UTF-8 (pure; linear in size).

    Read as ``urllib.parse.parse_qsl`` reads them (``&`` separates, empty pairs are skipped, a
    name without ``=`` has an empty value, ``+`` is a space), in bytes. Werkzeug replaces
    undecodable bytes with U+FFFD, which would run a query other than the one sent; here they
    are a 400 naming where they were.

    >>> parse_params(b"query=ASK%20%7B%7D&format=json", "URL").to_dict()
    {'query': 'ASK {}', 'format': 'json'}
    >>> from urllib.parse import parse_qsl
    >>> text = "a=1+2&&b&c=%3D=&%E5%90%8D=%e5%80%bc"
    >>> list(parse_params(text.encode(), "URL").items(multi=True)) == parse_qsl(
    ...     text, keep_blank_values=True)
    True
    >>> parse_params(b"query=%FF", "URL")
    Traceback (most recent call last):
    werkzeug.exceptions.BadRequest: 400 Bad Request: the URL is not valid UTF-8 once percent-decoded
    """
    _utf8(data, where)  # raw bytes that are not UTF-8: the 400 names the byte
    if data.count(b"&") >= MAX_PARAMS:
        raise BadRequest(f"the {where} has more than {MAX_PARAMS} parameters")
    pairs: list[tuple[str, str]] = []
    try:
        for pair in data.split(b"&"):
            if not pair:
                continue
            name, _, value = pair.partition(b"=")
            pairs.append(
                (
                    percent_decode(name.replace(b"+", b" ")).decode("utf-8"),
                    percent_decode(value.replace(b"+", b" ")).decode("utf-8"),
                )
            )
    except UnicodeDecodeError:
        raise BadRequest(f"the {where} is not valid UTF-8 once percent-decoded") from None
    return MultiDict(pairs)


def read_request(
    method: str,
    mimetype: str,
    charset: str | None,
    query_string: bytes,
    body: bytes,
) -> SparqlRequest:
    """Interpret a protocol request from its raw parts (pure: no Flask globals).

    HEAD is read as GET. Exactly one query or update parameter: a query in both the URL and
    the form body, or twice in either, is a 400. Raises BadRequest for contradictory,
    repeated or undecodable parameters, UnsupportedMediaType for a POST body of another type
    or a charset other than UTF-8."""
    args = parse_params(query_string, "URL")
    if method in ("GET", "HEAD"):
        params = args
        if args.getlist("update"):
            raise BadRequest(
                "updates must be sent with POST (form update= or application/sparql-update)"
            )
        text = _single(params.getlist("query"), "query")
        operation: Literal["query", "update"] | None = "query" if text is not None else None
    elif mimetype == FORM:
        _check_charset(charset)
        if args.getlist("query") or args.getlist("update"):
            raise BadRequest(
                "a form POST carries query= or update= in its body only, not also in the URL"
            )
        params = parse_params(body, "form body")
        query = _single(params.getlist("query"), "query")
        update = _single(params.getlist("update"), "update")
        if query is not None and update is not None:
            raise BadRequest("give either query= or update=, not both")
        text = query if query is not None else update
        operation = "query" if query is not None else ("update" if update is not None else None)
    elif mimetype in (QUERY_BODY, UPDATE_BODY):
        _check_charset(charset)
        params = args
        text = _utf8(body, "request body")
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


@blueprint.route("/sparql", methods=["GET", "HEAD", "POST"])
def sparql() -> Response:
    sparql_request = read_request(
        request.method,
        request.mimetype,
        request.mimetype_params.get("charset"),
        request.query_string,
        request.get_data(cache=False) if request.method == "POST" else b"",
    )
    if sparql_request.operation == "update":
        return _update(sparql_request)
    if sparql_request.operation == "query" and sparql_request.text is not None:
        return _query(sparql_request, sparql_request.text)
    if request.method in ("GET", "HEAD"):
        return _service_description(sparql_request)
    raise BadRequest("no operation: send query= (or update=) as a form, or a SPARQL body")


def _query(sparql_request: SparqlRequest, text: str) -> Response:
    config, store = current_config(), current_store()
    info = analyse(text)
    if info.is_update:
        if config.read_only:
            raise Forbidden(READ_ONLY)
        raise BadRequest("this is an update: send it as update= or application/sparql-update")
    refused = refusal(info)  # SERVICE, LOAD, too deep: never reaches an engine
    if refused is not None:
        raise BadRequest(refused)
    formats = negotiation.formats_for_form(info.form)
    fmt = negotiation.choose(request.headers.get("Accept"), sparql_request.format_params, formats)
    if fmt is None:
        if info.form is None:  # not recognisably a query: let the parser say what is wrong
            fmt = formats[0]
        else:
            raise _not_acceptable(formats)
    base_iri = endpoint_url()
    etag = make_etag(
        store.version,
        "sparql",
        text,
        "|".join(sparql_request.default_graph_uris),
        "|".join(sparql_request.named_graph_uris),
        fmt.key,
        base_iri,
    )
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if request.method != "POST" and matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    cache: ResultCache = extension(RESULT_CACHE_KEY)
    answer = cache.get(etag) if cache.enabled else None
    if answer is None:
        options = QueryOptions(
            default_graph_uris=sparql_request.default_graph_uris,
            named_graph_uris=sparql_request.named_graph_uris,
            timeout_s=config.query_timeout_s,
            max_rows=config.max_rows,
            base_iri=base_iri,
            dataset_clause=info.dataset_clause,
        )
        stream = getattr(store, "stream", None)
        if stream is None:
            content_type, body = store.execute(text, fmt.media_type, options)
        else:
            content_type, body = stream(text, fmt.media_type, options)
        if isinstance(body, bytes):
            answer = CachedAnswer(content_type, body)
            if cache.enabled:
                cache.put(etag, answer)
            response = Response(answer.body, content_type=answer.content_type)
        else:  # a large answer, sent as the worker writes it (docs/endpoint.md, Streaming)
            pieces = KeptWhileStreamed(body, cache, etag, content_type)
            response = Response(pieces, content_type=content_type)
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
    refused = refusal(info)  # LOAD stays refused for the admin too: it fetches from anywhere
    if refused is not None:
        raise BadRequest(refused)
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
    endpoint = endpoint_url()
    etag = make_etag(store.version, "service-description", endpoint, fmt.key)
    caching = cache_control(config.cache_max_age_s, config.read_only)
    if matches(request.headers.get("If-None-Match"), etag):
        return not_modified(etag, caching, ("Accept",))
    graph = service_description(
        endpoint,
        config.base,
        store.graph_sizes(),
        updates=not config.read_only,
    )
    response = Response(serialize_graph(graph, fmt), content_type=fmt.content_type)
    response.headers["ETag"] = etag
    response.headers["Cache-Control"] = caching
    response.vary.add("Accept")
    return response


def endpoint_url() -> str:
    """This endpoint's URL: the base of relative IRIs in queries and the service
    description's sd:endpoint. Built from the configured public URL when there is one, else
    from the request's Host, which ``cdkg.server.app`` has checked (one, well-formed)."""
    return f"{public_root(current_config().public_url, request.url_root)}sparql"


def _prefers_html(accept: str | None) -> bool:
    ranges = negotiation.parse_accept(accept)
    html = negotiation.quality(HTML, [r for r in ranges if r.type != "*"])
    return html > 0 and html >= max(negotiation.quality(f, ranges) for f in GRAPH_FORMATS)


def _has_home_page() -> bool:
    return any(rule.rule == "/" for rule in current_app.url_map.iter_rules())
