"""``RemoteStore``: the Store protocol over an external SPARQL 1.1 endpoint (upstream mode).

``cdkg serve --upstream URL`` puts the UI, named queries, reports, search and linked-data
pages in front of a shared server — Oxigraph server, OpenLink Virtuoso, any SPARQL 1.1
endpoint — instead of the embedded store. Every call becomes one SPARQL Protocol request:

* by GET, or by form POST when the URL would be long. Never a POST of
  ``application/sparql-query``: Virtuoso does not answer one (the request hangs).
* Answers are read whatever format the server chose (SPARQL JSON/XML/CSV/TSV, N-Triples,
  Turtle, RDF/XML), then written again by pyoxigraph in the format the client negotiated, with
  the row cap (``cdkg.server.store.results``): a client gets UTF-8 Chinese and the same media types
  as from the embedded store, although Virtuoso writes ``\\uXXXX`` escapes in its JSON.
* cdkg's standard prefixes (``PREFIXES``) are predeclared, as on the embedded store: a prefix
  the query uses but does not declare is added to its prologue.
* Nothing that would make the upstream server connect elsewhere is forwarded: SERVICE (and
  LOAD, and too deep a nesting) is refused here, as the endpoint refuses it, whoever calls
  (``QueryError``, 400) — the upstream may well allow federated queries for its own users.
* Timeouts: the read timeout is the request's ``timeout_s`` (``QueryTimeout``, 503), and so
  is a partial answer (Virtuoso's "anytime query", flagged by ``X-SQL-State``). An
  unreachable server, refused credentials or a 5xx are ``EngineUnavailable`` (503); a 4xx
  is the query's fault (``QueryError``, 400, with the server's own message).

The default graph is the server's: start Oxigraph with ``--union-default-graph`` (``check``
warns when the default graph is empty while cdkg's graphs are not); Virtuoso's default graph is
the union of all its graphs. ``graph_sizes`` counts only cdkg's graphs (those under the
``scope`` IRIs), so Virtuoso's own system graphs stay out of VoID and the service description.

The version (for ETags and the search index) is a digest of those graph sizes, refreshed every
``refresh_s`` seconds: a push that changes the data changes it. A change that keeps every
graph's triple count (one corrected label) is seen only after a restart of ``cdkg serve``.

>>> store = RemoteStore("http://127.0.0.1:7878/query")
>>> store.name
'remote'
>>> with_prefixes("SELECT * { ?s rdfs:label ?l }").splitlines()[0]
'PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>'
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar
from urllib.parse import urlencode

import pyoxigraph as ox
import requests
from rdflib import Graph
from rdflib.term import Node
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth, HTTPDigestAuth
from urllib3.util.retry import Retry

from cdkg.ontology.namespace import DEFAULT_BASE, ONTOLOGY_IRI, PREFIXES

from . import negotiation
from .base import QueryOptions
from .errors import EngineUnavailable, QueryError, QueryTimeout, ResultTooLarge
from .negotiation import Format
from .results import (
    check_form,
    serialize_boolean,
    serialize_solutions,
    serialize_triples,
    solution_row,
    to_rdflib,
)
from .sparql_text import Analysis, analyse, refusal, upstream_refusal

if TYPE_CHECKING:
    from .base import Store

AUTH_SCHEMES = ("basic", "digest")
MAX_GET_URL = 2000
"""Longer requests go as a form POST (URL limits of servers and proxies)."""
CONNECT_TIMEOUT_S = 5.0
DEFAULT_TIMEOUT_S = 60.0

RESULTS_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "text/tab-separated-values;q=0.5"
)
GRAPH_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.5"

GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
_DEFAULT_GRAPH_HAS_DATA = "ASK { ?s ?p ?o }"
_TIMEOUT_MESSAGES = ("S1T00", "SR171", "timed out", "timeout")
_T = TypeVar("_T")


def make_auth(scheme: str | None, user: str | None, password: str | None) -> AuthBase | None:
    """HTTP authentication for ``requests``: ``basic``, ``digest`` or none.

    Raises ValueError for an unknown scheme, or a scheme without user and password.

    >>> make_auth(None, None, None) is None
    True
    >>> type(make_auth("digest", "dba", "dba")).__name__
    'HTTPDigestAuth'
    """
    if scheme is None:
        if user is not None and password is not None:
            return HTTPBasicAuth(user, password)
        return None
    if scheme not in AUTH_SCHEMES:
        raise ValueError(f"unknown authentication {scheme!r}: use {' or '.join(AUTH_SCHEMES)}")
    if not user or password is None:
        raise ValueError(f"{scheme} authentication needs a user and a password")
    return HTTPDigestAuth(user, password) if scheme == "digest" else HTTPBasicAuth(user, password)


def session(auth: AuthBase | None = None, connect_retries: int = 2) -> requests.Session:
    """A pooled HTTP session that retries only failed connections (never a request the server
    may have started to run)."""
    http = requests.Session()
    http.auth = auth
    retry = Retry(
        total=connect_retries,
        connect=connect_retries,
        read=False,  # re-raise: a read timeout is the query's timeout, never retried
        status=0,
        other=0,
        backoff_factor=0.2,
        allowed_methods=None,
    )
    adapter = HTTPAdapter(max_retries=retry)
    http.mount("http://", adapter)
    http.mount("https://", adapter)
    return http


def with_prefixes(query: str, info: Analysis | None = None) -> str:
    """``query`` with cdkg's standard prefixes that it uses but does not declare added in
    front (the embedded store predeclares them; another server may not know them).

    ``info``: ``analyse(query)`` when the caller has it already (the reading is linear in
    the query's size, as every scan of a request's text in the server process)."""
    info = info or analyse(query)
    missing = [
        f"PREFIX {name}: <{iri}>"
        for name, iri in PREFIXES.items()
        if name in info.prefixes_used and name not in info.prefixes_declared
    ]
    return "\n".join([*missing, query]) if missing else query


def _message(response: requests.Response) -> str:
    """The first lines of an error answer (servers put the parser's message there)."""
    text = response.text.strip() or response.reason or ""
    lines = [line for line in text.splitlines() if line.strip()][:4]
    return " ".join(line.strip() for line in lines)[:600]


@dataclass(frozen=True)
class _Answer:
    """One upstream answer: the body and the format the server wrote it in."""

    body: bytes
    media_type: str


class RemoteStore:
    """A remote SPARQL 1.1 endpoint behind the ``Store`` protocol.

    ``endpoint``: the query URL (Oxigraph ``http://host:7878/query``, Virtuoso
    ``http://host:8890/sparql``). ``auth``: from ``make_auth``, when the endpoint needs it.
    ``scope``: IRI prefixes of the graphs that are cdkg's (``graph_sizes`` counts only those;
    empty: every graph). ``timeout_s``: the read timeout when a call gives none.
    """

    name = "remote"

    def __init__(
        self,
        endpoint: str,
        *,
        auth: AuthBase | None = None,
        scope: Sequence[str] = (DEFAULT_BASE, str(ONTOLOGY_IRI)),
        timeout_s: float = DEFAULT_TIMEOUT_S,
        refresh_s: float = 60.0,
        http: requests.Session | None = None,
    ) -> None:
        self.endpoint = endpoint
        self.scope = tuple(scope)
        self.timeout_s = timeout_s
        self.refresh_s = refresh_s
        self._http = http or session(auth)
        if http is not None and auth is not None:
            self._http.auth = auth
        self._lock = threading.Lock()
        self._sizes: dict[str, int] | None = None
        self._sizes_at = 0.0

    # --- HTTP ---------------------------------------------------------------------------

    def _params(self, query: str, options: QueryOptions) -> list[tuple[str, str]]:
        """The protocol parameters; QueryError for a text the upstream must never see."""
        info = analyse(query)
        refused = refusal(info) or upstream_refusal(query, info)
        if refused is not None:
            raise QueryError(refused)
        params = [("query", with_prefixes(query, info))]
        params += [("default-graph-uri", iri) for iri in options.default_graph_uris]
        params += [("named-graph-uri", iri) for iri in options.named_graph_uris]
        return params

    def _send(self, query: str, accept: str, options: QueryOptions) -> _Answer:
        """Run ``query`` on the endpoint; the answer as the server wrote it.

        Raises QueryError (4xx), QueryTimeout, EngineUnavailable (unreachable, 401/403, 5xx)."""
        params = self._params(query, options)
        encoded = urlencode(params)
        timeout = options.timeout_s or self.timeout_s
        headers = {"Accept": accept}
        try:
            if len(self.endpoint) + 1 + len(encoded) <= MAX_GET_URL:
                response = self._http.get(
                    self.endpoint,
                    params=encoded,
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT_S, timeout),
                )
            else:
                headers["Content-Type"] = "application/x-www-form-urlencoded"
                response = self._http.post(
                    self.endpoint,
                    data=encoded.encode("ascii"),
                    headers=headers,
                    timeout=(CONNECT_TIMEOUT_S, timeout),
                )
        except requests.exceptions.ReadTimeout:
            raise QueryTimeout(
                f"the upstream endpoint did not answer within {timeout:g} s"
            ) from None
        except requests.exceptions.RequestException as error:
            raise EngineUnavailable(
                f"cannot reach the upstream endpoint {self.endpoint}: {type(error).__name__}"
            ) from None
        status = response.status_code
        if status in (401, 403):
            raise EngineUnavailable(
                f"the upstream endpoint refused the credentials ({status}): {_message(response)}"
            )
        if 400 <= status < 500:
            raise QueryError(f"the upstream endpoint refused the query: {_message(response)}")
        if status >= 500:
            message = _message(response)
            if any(marker.lower() in message.lower() for marker in _TIMEOUT_MESSAGES):
                raise QueryTimeout(f"the upstream endpoint stopped the query: {message}")
            raise EngineUnavailable(f"the upstream endpoint failed ({status}): {message}")
        state = response.headers.get("X-SQL-State")
        if state:  # Virtuoso's "anytime query": a partial answer when its own limit struck
            detail = response.headers.get("X-SQL-Message", "")
            raise QueryTimeout(
                f"the upstream endpoint stopped the query and sent a partial answer "
                f"({state} {detail}); cdkg never serves partial answers"
            )
        media_type = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        return _Answer(response.content, media_type)

    # --- Store protocol -----------------------------------------------------------------

    @property
    def version(self) -> str:
        """A digest of the upstream's cdkg graph sizes (see the module docstring)."""
        sizes = self.graph_sizes()
        digest = hashlib.sha256(json.dumps(sorted(sizes.items())).encode("utf-8"))
        return f"upstream-{digest.hexdigest()[:16]}"

    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        fmt = negotiation.by_media_type(media_type)
        graph_result = fmt in negotiation.GRAPH_FORMATS
        answer = self._send(query, GRAPH_ACCEPT if graph_result else RESULTS_ACCEPT, options)
        return fmt.content_type, _guarded(lambda: _rewrite(answer, fmt, options.max_rows))

    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        options = options or QueryOptions()
        answer = self._send(query, RESULTS_ACCEPT, options)
        return _guarded(lambda: _rows(answer, options.max_rows))

    def ask(self, query: str, options: QueryOptions | None = None) -> bool:
        answer = self._send(query, RESULTS_ACCEPT, options or QueryOptions())
        return _guarded(lambda: _boolean(answer))

    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        options = options or QueryOptions()
        answer = self._send(query, GRAPH_ACCEPT, options)
        graph = Graph()
        for name, iri in PREFIXES.items():
            graph.bind(name, iri)
        for triple in _guarded(lambda: _triples(answer, options.max_rows)):
            graph.add(triple)
        return graph

    def graph_sizes(self) -> dict[str, int]:
        """Triples per cdkg graph on the endpoint (cached for ``refresh_s`` seconds)."""
        with self._lock:
            if self._sizes is not None and time.monotonic() - self._sizes_at < self.refresh_s:
                return dict(self._sizes)
        sizes = self.count_graphs()
        with self._lock:
            self._sizes, self._sizes_at = sizes, time.monotonic()
        return dict(sizes)

    # --- beyond the protocol ------------------------------------------------------------

    def count_graphs(self) -> dict[str, int]:
        """Triples per graph under ``scope``, counted now by the endpoint (SPARQL COUNT)."""
        sizes: dict[str, int] = {}
        for row in self.select(GRAPH_SIZES, QueryOptions(timeout_s=self.timeout_s)):
            name, count = str(row.get("g", "")), row.get("n")
            if count is not None and self.in_scope(name):
                sizes[name] = int(str(count))
        return sizes

    def in_scope(self, graph: str) -> bool:
        return not self.scope or graph.startswith(self.scope)

    def check(self) -> list[str]:
        """What would make pages wrong, as sentences for the server log (empty: all well).

        Never raises: an unreachable endpoint is one of the problems reported."""
        try:
            sizes = self.graph_sizes()
            if not sizes:
                return [f"the upstream endpoint {self.endpoint} holds no cdkg graph: run cdkg push"]
            if not self.ask(_DEFAULT_GRAPH_HAS_DATA, QueryOptions(timeout_s=self.timeout_s)):
                return [
                    f"the default graph of {self.endpoint} is empty although it holds cdkg's "
                    "graphs: queries without GRAPH find nothing (start Oxigraph with "
                    "--union-default-graph)"
                ]
        except (QueryError, QueryTimeout, EngineUnavailable) as error:
            return [str(error)]
        return []

    def close(self) -> None:
        self._http.close()


# --- reading answers ----------------------------------------------------------------------


def _guarded(call: Callable[[], _T]) -> _T:
    """Run ``call``, which reads an answer with pyoxigraph; an error leaves as a fresh
    exception raised after the ``except`` block, so that no traceback keeps an engine object
    alive to be freed on another thread (see ``cdkg.server.store.engines._fresh``)."""
    try:
        return call()
    except (QueryError, EngineUnavailable) as error:
        fresh: Exception = type(error)(*error.args)
    except (SyntaxError, ValueError, OSError) as error:
        fresh = EngineUnavailable(f"the upstream answer could not be read: {error}")
    raise fresh


def _answer_format(answer: _Answer, of_type: Callable[[str], _T | None], expected: str) -> _T:
    """The format of the upstream's answer by its media type (``of_type``, pyoxigraph's
    ``from_media_type``); an answer without one, or of another kind, is an unusable upstream."""
    fmt = of_type(answer.media_type) if answer.media_type else None
    if fmt is None:
        raise EngineUnavailable(
            f"the upstream endpoint answered {answer.media_type or 'without a type'}, "
            f"not {expected}"
        )
    return fmt


def _results_format(answer: _Answer) -> ox.QueryResultsFormat:
    return _answer_format(answer, ox.QueryResultsFormat.from_media_type, "SPARQL results")


def _rdf_format(answer: _Answer) -> ox.RdfFormat:
    return _answer_format(answer, ox.RdfFormat.from_media_type, "RDF")


def _rewrite(answer: _Answer, fmt: Format, max_rows: int | None) -> bytes:
    """The upstream answer in ``fmt``, written by pyoxigraph with the row cap."""
    if fmt in negotiation.GRAPH_FORMATS:
        quads = ox.parse(answer.body, _rdf_format(answer))
        return serialize_triples((quad.triple for quad in quads), fmt, max_rows)
    parsed = ox.parse_query_results(answer.body, _results_format(answer))
    if isinstance(parsed, ox.QueryBoolean):
        check_form(fmt, graph_result=False)
        return serialize_boolean(bool(parsed), fmt)
    check_form(fmt, graph_result=False)
    return serialize_solutions(parsed, fmt, max_rows)


def _rows(answer: _Answer, max_rows: int | None) -> list[dict[str, Node]]:
    parsed = ox.parse_query_results(answer.body, _results_format(answer))
    if not isinstance(parsed, ox.QuerySolutions):
        raise QueryError("select() needs a SELECT query")
    names = [variable.value for variable in parsed.variables]
    rows: list[dict[str, Node]] = []
    for count, solution in enumerate(parsed, start=1):
        if max_rows is not None and count > max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} rows")
        rows.append(solution_row(solution, names))
    return rows


def _boolean(answer: _Answer) -> bool:
    parsed = ox.parse_query_results(answer.body, _results_format(answer))
    if not isinstance(parsed, ox.QueryBoolean):
        raise QueryError("ask() needs an ASK query")
    return bool(parsed)


def _triples(answer: _Answer, max_rows: int | None) -> list[tuple[Node, Node, Node]]:
    triples: list[tuple[Node, Node, Node]] = []
    for count, quad in enumerate(ox.parse(answer.body, _rdf_format(answer)), start=1):
        if max_rows is not None and count > max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} triples")
        triples.append((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
    return triples


# --- configuration ------------------------------------------------------------------------


@dataclass(frozen=True)
class Upstream:
    """How ``cdkg serve --upstream`` reaches the endpoint (picklable, printable without the
    password)."""

    endpoint: str
    auth: str | None = None
    user: str | None = None
    password: str | None = None
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __repr__(self) -> str:
        return f"Upstream({self.endpoint!r}, auth={self.auth!r}, user={self.user!r})"

    def open(self, scope: Iterable[str] = (DEFAULT_BASE, str(ONTOLOGY_IRI))) -> RemoteStore:
        """The store for this endpoint; ValueError for incomplete credentials."""
        return RemoteStore(
            self.endpoint,
            auth=make_auth(self.auth, self.user, self.password),
            scope=tuple(scope),
            timeout_s=self.timeout_s,
        )


def describe(upstream: Upstream) -> str:
    """One line for logs, never with the password."""
    who = f" as {upstream.user} ({upstream.auth or 'basic'})" if upstream.user else ""
    return f"{upstream.endpoint}{who}"


if TYPE_CHECKING:

    def _implements_store(remote: RemoteStore) -> Store:
        """mypy checks here that RemoteStore implements the Store protocol."""
        return remote
