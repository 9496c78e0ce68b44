"""Pushing the built dataset to a SPARQL server: SPARQL 1.1 Graph Store HTTP Protocol.

https://www.w3.org/TR/sparql11-http-rdf-update/ — §5.3 HTTP PUT: "the server MUST … replace
the existing graph content with the enclosed RDF". One PUT per named graph of the build
(``?graph=<iri>``, §4.2 indirect identification), so pushing is a replace, never an append,
and pushing the same build twice leaves the same triples. Bodies are Turtle or N-Triples, one
graph each: Virtuoso refuses N-Quads bodies.

A PUT is idempotent, so a connection error, a timeout or a 5xx is retried with exponential
backoff. Afterwards ``verify`` counts the triples of every graph on the server through its
SPARQL endpoint and compares them with the build's manifest.json.

>>> default_graph_store("http://127.0.0.1:7878/query")
'http://127.0.0.1:7878/store'
>>> default_graph_store("http://127.0.0.1:8890/sparql") is None
True
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pyoxigraph as ox
import requests
from requests.auth import AuthBase

from cdkg.loaders.layout import DATASET_FILE
from cdkg.ontology.namespace import DEFAULT_BASE, ONTOLOGY_IRI, PREFIXES
from cdkg.server.store.remote import RemoteStore, session

# format name -> (Content-Type of the body, pyoxigraph writer)
FORMATS: dict[str, tuple[str, ox.RdfFormat]] = {
    "turtle": ("text/turtle", ox.RdfFormat.TURTLE),
    "ntriples": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
}
MANIFEST_FILE = "manifest.json"
MAX_BACKOFF_S = 30.0


class PushError(Exception):
    """The push cannot go on: the message says which graph and what the server answered."""


def default_graph_store(endpoint: str) -> str | None:
    """The Graph Store URL that goes with a SPARQL endpoint, where the server's layout is
    known: Oxigraph server answers queries at ``/query`` and graphs at ``/store``."""
    parts = urlsplit(endpoint)
    if parts.path.endswith("/query"):
        return urlunsplit(parts._replace(path=parts.path[: -len("query")] + "store", query=""))
    return None


# --- the build ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Build:
    """A built dataset: the N-Quads file and what its manifest says."""

    dataset: Path
    graphs: dict[str, int]
    """Triples per named graph, in manifest order."""
    version: str
    base: str


def read_build(current: Path) -> Build:
    """The build in ``current`` (build/current); FileNotFoundError says how to make it."""
    dataset, manifest = current / DATASET_FILE, current / MANIFEST_FILE
    for path in (dataset, manifest):
        if not path.is_file():
            raise FileNotFoundError(f"{path} does not exist: run `cdkg build` first")
    data = json.loads(manifest.read_text(encoding="utf-8"))
    graphs = {str(iri): int(count) for iri, count in data.get("graphs", {}).items()}
    if not graphs:
        raise PushError(f"{manifest} lists no graphs")
    return Build(dataset, graphs, str(data.get("version", "")), str(data.get("base", DEFAULT_BASE)))


def load(build: Build) -> ox.Store:
    """The build's quads in an in-memory pyoxigraph store (read once, dumped per graph)."""
    store = ox.Store()
    store.bulk_load(path=str(build.dataset), format=ox.RdfFormat.N_QUADS)
    return store


def graph_body(store: ox.Store, graph: str, fmt: str) -> tuple[bytes, int]:
    """One named graph written as ``fmt`` (turtle or ntriples), and its triple count."""
    _, writer = FORMATS[fmt]
    pattern = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
    triples = [quad.triple for quad in pattern]
    if writer == ox.RdfFormat.TURTLE:
        body = ox.serialize(triples, format=writer, prefixes=PREFIXES)
    else:
        body = ox.serialize(triples, format=writer)
    assert body is not None  # no output file: pyoxigraph returns the bytes
    return body, len(triples)


# --- the Graph Store ----------------------------------------------------------------------


@dataclass
class GraphStore:
    """A Graph Store Protocol endpoint, with retries on what may pass (connection errors,
    timeouts, 5xx, 429): ``retries`` more attempts, waiting ``backoff_s`` × 2ⁿ between them."""

    url: str
    auth: AuthBase | None = None
    retries: int = 3
    backoff_s: float = 0.5
    timeout_s: float = 600.0
    sleep: Callable[[float], None] = time.sleep
    http: requests.Session = field(default_factory=session)

    def __post_init__(self) -> None:
        self.http.auth = self.auth

    def put(self, graph: str, body: bytes, content_type: str) -> tuple[int, int]:
        """Replace ``graph`` with ``body``; returns (status, attempts). Raises PushError."""
        return self._send("PUT", graph, body, {"Content-Type": content_type})

    def delete(self, graph: str) -> tuple[int, int]:
        """Drop ``graph`` (404, already absent, counts as done)."""
        return self._send("DELETE", graph, None, {}, absent_ok=True)

    def _send(
        self,
        method: str,
        graph: str,
        body: bytes | None,
        headers: dict[str, str],
        absent_ok: bool = False,
    ) -> tuple[int, int]:
        attempt = 0
        while True:
            attempt += 1
            outcome = self._attempt(method, graph, body, headers, absent_ok)
            if outcome.done:
                return outcome.status, attempt
            if not outcome.retry or attempt > self.retries:
                tried = f" after {attempt} attempts" if attempt > 1 else ""
                raise PushError(f"{method} {graph}{tried}: {outcome.message}")
            self.sleep(min(MAX_BACKOFF_S, self.backoff_s * 2 ** (attempt - 1)))

    def _attempt(
        self,
        method: str,
        graph: str,
        body: bytes | None,
        headers: dict[str, str],
        absent_ok: bool,
    ) -> _Outcome:
        try:
            response = self.http.request(
                method,
                self.url,
                params={"graph": graph},
                data=body,
                headers=headers,
                timeout=(10.0, self.timeout_s),
            )
        except requests.exceptions.RequestException as error:
            return _Outcome(0, done=False, retry=True, message=f"{type(error).__name__}: {error}")
        status = response.status_code
        if response.ok or (absent_ok and status == 404):
            return _Outcome(status, done=True)
        message = f"{status} {response.reason}: {_first_lines(response.text)}"
        if status in (401, 403):
            message += " (check --auth, --user and the password)"
        return _Outcome(status, done=False, retry=status >= 500 or status == 429, message=message)


@dataclass(frozen=True)
class _Outcome:
    """One request's result: done, or worth retrying or not, and what went wrong."""

    status: int
    done: bool
    retry: bool = False
    message: str = ""


def _first_lines(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()][:3]
    return " ".join(lines)[:400] or "(no message)"


# --- push and verify ----------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    """One graph uploaded."""

    graph: str
    triples: int
    size: int
    seconds: float
    attempts: int

    def line(self, width: int = 0) -> str:
        """The progress line; ``width`` pads the graph IRI so that the columns align."""
        again = f"  ({self.attempts} attempts)" if self.attempts > 1 else ""
        return (
            f"  {self.graph:<{width}}  {self.triples:>9,} triples  {self.size / 1024:>9,.1f} KiB  "
            f"{self.seconds:6.2f} s{again}"
        )


def push(
    build: Build,
    target: GraphStore,
    fmt: str = "turtle",
    progress: Callable[[Sent], None] | None = None,
) -> list[Sent]:
    """PUT every graph of ``build`` to ``target``, in manifest order. Raises PushError."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: use {' or '.join(FORMATS)}")
    content_type, _ = FORMATS[fmt]
    store = load(build)
    sent: list[Sent] = []
    for graph in build.graphs:
        started = time.perf_counter()
        body, triples = graph_body(store, graph, fmt)
        _, attempts = target.put(graph, body, content_type)
        done = Sent(graph, triples, len(body), time.perf_counter() - started, attempts)
        sent.append(done)
        if progress is not None:
            progress(done)
    return sent


@dataclass(frozen=True)
class Verification:
    """Triple counts on the server against the manifest's."""

    expected: dict[str, int]
    found: dict[str, int]

    @property
    def mismatches(self) -> list[tuple[str, int, int | None]]:
        """(graph, expected, found — None when the graph is missing) for every difference."""
        return [
            (graph, count, self.found.get(graph))
            for graph, count in self.expected.items()
            if self.found.get(graph) != count
        ]

    @property
    def extra(self) -> list[str]:
        """cdkg graphs on the server that this build does not have (stale catalogs)."""
        return sorted(set(self.found) - set(self.expected))

    @property
    def ok(self) -> bool:
        return not self.mismatches

    def lines(self) -> list[str]:
        out = [
            f"  MISMATCH {graph}: manifest {expected:,}, endpoint "
            + ("missing" if found is None else f"{found:,}")
            for graph, expected, found in self.mismatches
        ]
        out += [
            f"  not in this build: {graph} ({self.found[graph]:,} triples)" for graph in self.extra
        ]
        return out


def scope(build: Build) -> tuple[str, ...]:
    """IRI prefixes of the graphs a cdkg build makes (its graph/ folder and the ontology)."""
    return (build.base + "graph/", str(ONTOLOGY_IRI))


def verify(build: Build, endpoint: RemoteStore) -> Verification:
    """Count the triples of every cdkg graph on ``endpoint`` and compare with ``build``."""
    return Verification(dict(build.graphs), endpoint.count_graphs())
