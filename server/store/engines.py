"""Store engines behind ``cdkg.server.store.base.Store``: pyoxigraph (default) and rdflib.

Both present the same dataset: every named graph of the built dataset, with the default
graph being the union of all named graphs (a query's own FROM, or the protocol's
default-graph-uri / named-graph-uri, replaces that). Standard prefixes (``PREFIXES``) are
predeclared; a query's own PREFIX wins. Results are written by ``cdkg.server.store.results``.

Neither engine can be interrupted once a query runs (pyoxigraph's Python API has no timeout:
oxigraph/oxigraph#1926); ``cdkg.server.store.workers`` runs these stores in worker processes that
are killed on timeout.
"""

from __future__ import annotations

import functools
import hashlib
import json
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import pyoxigraph as ox
import rdflib
import rdflib.plugins.sparql
from pyparsing import ParseException
from rdflib import Dataset, Graph, URIRef
from rdflib.term import Node

from cdkg.loaders.layout import STORE_FOLDER, VERSION_FILE
from cdkg.ontology.namespace import PREFIXES

from . import negotiation
from .base import QueryOptions
from .errors import QueryError, ResultTooLarge
from .negotiation import Format
from .results import (
    Emit,
    check_form,
    serialize_boolean,
    serialize_graph,
    serialize_solutions,
    solution_row,
    stream_solutions,
    stream_triples,
    to_rdflib,
)
from .sparql_text import analyse

if TYPE_CHECKING:
    from .base import Store

ENGINES = ("oxigraph", "rdflib")

_OX_FORMATS = {
    ".nq": ox.RdfFormat.N_QUADS,
    ".trig": ox.RdfFormat.TRIG,
    ".ttl": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
}
_RDFLIB_FORMATS = {".nq": "nquads", ".trig": "trig", ".ttl": "turtle", ".nt": "nt"}
_T = TypeVar("_T")
_GRAPH_SIZES = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"


@dataclass(frozen=True)
class StoreSpec:
    """How to open a store; picklable, so worker processes can open their own copy."""

    engine: str = "oxigraph"
    dataset: Path | None = None
    """An RDF file to load: N-Quads, TriG, Turtle or N-Triples (by extension)."""
    directory: Path | None = None
    """A persistent pyoxigraph store directory (loaded from ``dataset`` if empty)."""
    version: str | None = None
    read_only: bool = False
    in_memory: bool = False
    """Load ``dataset`` into memory even when the build published a store beside it."""


def dataset_quads(path: Path) -> int | None:
    """How many quads the dataset at ``path`` holds, from the build manifest beside it (its
    quads per graph); None without a manifest."""
    manifest = path.parent / "manifest.json"
    if not manifest.is_file():
        return None
    graphs = json.loads(manifest.read_text(encoding="utf-8")).get("graphs")
    if not isinstance(graphs, dict):
        return None
    return sum(count for count in graphs.values() if isinstance(count, int))


def dataset_version(path: Path) -> str:
    """The dataset version: the build manifest's when one sits beside ``path``, else a digest
    of the file."""
    manifest = path.parent / "manifest.json"
    if manifest.is_file():
        version = json.loads(manifest.read_text(encoding="utf-8")).get("version")
        if isinstance(version, str) and version:
            return version
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:20]


def published_store(dataset: Path) -> Path | None:
    """The store directory ``cdkg build`` published with ``dataset``, when it holds that
    dataset's version: opening it takes seconds where parsing the N-Quads takes minutes."""
    directory = dataset.parent / STORE_FOLDER
    marker = directory / VERSION_FILE
    if not marker.is_file():
        return None
    held = marker.read_text(encoding="utf-8").strip()
    return directory if held == dataset_version(dataset) else None


def open_store(spec: StoreSpec) -> OxigraphStore | RdflibStore:
    """Open the store ``spec`` describes.

    Raises ValueError for an unknown engine or a spec without data, OSError/SyntaxError for
    unreadable data."""
    if spec.engine == "oxigraph":
        if spec.directory is not None:
            return OxigraphStore.open_directory(
                spec.directory, spec.dataset, spec.version, spec.read_only
            )
        if spec.dataset is None:
            raise ValueError("a store needs a dataset file or a store directory")
        published = None if spec.in_memory else published_store(spec.dataset)
        if published is not None:
            return OxigraphStore.open_published(published, spec.dataset, spec.version)
        return OxigraphStore.from_file(spec.dataset, spec.version)
    if spec.engine == "rdflib":
        if spec.dataset is None:
            raise ValueError("the rdflib engine needs a dataset file")
        return RdflibStore.from_file(spec.dataset, spec.version)
    raise ValueError(f"unknown engine {spec.engine!r}; choose one of {', '.join(ENGINES)}")


# --- pyoxigraph ---------------------------------------------------------------------------


def _named_nodes(iris: Iterable[str]) -> list[ox.NamedNode]:
    try:
        return [ox.NamedNode(iri) for iri in iris]
    except ValueError as error:
        raise QueryError(f"invalid graph IRI: {error}") from None


def _fresh(call: Callable[[], _T]) -> _T:
    """Run ``call``; re-raise a QueryError it raises as a fresh exception.

    pyoxigraph's result iterators must be dropped by the thread that made them (they are
    "unsendable"). An exception's traceback keeps the frames it passed through, and their
    locals, alive — possibly until the garbage collector runs in another thread. So engine
    objects live only inside ``call``, and what leaves it is a new exception with neither
    traceback nor context: the old one, and the frames, are freed here, now."""
    try:
        return call()
    except QueryError as error:
        fresh = type(error)(*error.args)
    raise fresh


class OxigraphStore:
    """The embedded pyoxigraph store: the endpoint's default engine.

    >>> store = OxigraphStore(ox.Store(), "v1")
    >>> store.update('INSERT DATA { GRAPH <http://g> { <http://s> rdfs:label "名"@zh } }')
    >>> store.select("SELECT ?l { ?s rdfs:label ?l }")[0]["l"].value
    '名'
    """

    name = "oxigraph"

    def __init__(self, store: ox.Store, version: str) -> None:
        self._store = store
        self._base_version = version
        self._updates = 0
        self._copy_on_write: Path | None = None

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store itself, for the store build's compiled SHACL checks
        (``cdkg check`` on a dataset without a build report)."""
        return self._store

    @classmethod
    def open_published(
        cls, directory: Path, dataset: Path, version: str | None = None
    ) -> OxigraphStore:
        """Open a published store directory read-only (so any number of worker processes can
        share it). An admin's first update switches this store to an in-memory copy loaded
        from ``dataset``: the published dataset itself never changes."""
        opened = cls.open_directory(directory, None, version or dataset_version(dataset), True)
        opened._copy_on_write = dataset
        return opened

    @classmethod
    def from_file(cls, path: Path, version: str | None = None) -> OxigraphStore:
        """Load an RDF file (N-Quads, TriG, Turtle, N-Triples) into an in-memory store.

        Raises OSError if unreadable, SyntaxError if invalid, ValueError for an unknown
        extension."""
        store = ox.Store()
        store.bulk_load(path=str(path), format=_file_format(path, _OX_FORMATS))
        return cls(store, version or dataset_version(path))

    @classmethod
    def open_directory(
        cls,
        directory: Path,
        dataset: Path | None = None,
        version: str | None = None,
        read_only: bool = False,
    ) -> OxigraphStore:
        """Open a persistent store. Opened for writing with a ``dataset``, it is (re)loaded from
        it unless it already holds that dataset's version (recorded in ``VERSION_FILE``)."""
        marker = directory / VERSION_FILE
        if version is None:
            if dataset is not None:
                version = dataset_version(dataset)
            elif marker.is_file():
                version = marker.read_text(encoding="utf-8").strip()
        if read_only:
            store = ox.Store.read_only(str(directory))
        else:
            store = ox.Store(str(directory))
            held = marker.read_text(encoding="utf-8").strip() if marker.is_file() else None
            if dataset is not None and (len(store) == 0 or held != version):
                store.clear()
                store.bulk_load(path=str(dataset), format=_file_format(dataset, _OX_FORMATS))
                store.flush()
                marker.write_text(f"{version}\n", encoding="utf-8")
        return cls(store, version or f"store-{len(store)}")

    @property
    def version(self) -> str:
        if self._updates:
            return f"{self._base_version}+{self._updates}"
        return self._base_version

    def _query(self, query: str, options: QueryOptions) -> object:
        kwargs: dict[str, object] = {"prefixes": PREFIXES}
        if options.base_iri is not None:
            kwargs["base_iri"] = options.base_iri
        if options.default_graph_uris or options.named_graph_uris:
            kwargs["default_graph"] = _named_nodes(options.default_graph_uris)
            kwargs["named_graphs"] = _named_nodes(options.named_graph_uris)
        elif not (
            options.dataset_clause
            if options.dataset_clause is not None
            else analyse(query).dataset_clause
        ):
            kwargs["use_default_graph_as_union"] = True
        try:
            return self._store.query(query, **kwargs)  # type: ignore[arg-type]
        except SyntaxError as error:
            raise QueryError(f"syntax error: {error}") from None
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        fmt = negotiation.by_media_type(media_type)
        body = _fresh(lambda: self._execute(query, fmt, options, None))
        assert body is not None
        return fmt.content_type, body

    def execute_streaming(
        self, query: str, media_type: str, options: QueryOptions, emit: Emit
    ) -> tuple[str, bytes | None]:
        """``execute``, except that an answer larger than ``STREAM_AFTER_BYTES`` in a format
        written in pieces goes to ``emit`` as the engine produces it (body None then); a
        ResultTooLarge or QueryError can follow pieces already emitted."""
        fmt = negotiation.by_media_type(media_type)
        return fmt.content_type, _fresh(lambda: self._execute(query, fmt, options, emit))

    def _execute(
        self, query: str, fmt: Format, options: QueryOptions, emit: Emit | None
    ) -> bytes | None:
        result = self._query(query, options)
        try:
            if isinstance(result, ox.QueryBoolean):
                check_form(fmt, graph_result=False)
                return serialize_boolean(bool(result), fmt)
            if isinstance(result, ox.QuerySolutions):
                check_form(fmt, graph_result=False)
                return stream_solutions(result, fmt, options.max_rows, emit)
            check_form(fmt, graph_result=True)
            return stream_triples(result, fmt, options.max_rows, emit)  # type: ignore[arg-type]
        except (OSError, ValueError, RuntimeError, SyntaxError) as error:
            # pyoxigraph evaluates lazily: evaluation errors surface while writing.
            raise QueryError(f"the query failed: {error}") from None

    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        options = options or QueryOptions()
        return _fresh(lambda: self._select(query, options))

    def _select(self, query: str, options: QueryOptions) -> list[dict[str, Node]]:
        result = self._query(query, options)
        if not isinstance(result, ox.QuerySolutions):
            raise QueryError("select() needs a SELECT query")
        rows: list[dict[str, Node]] = []
        names = [variable.value for variable in result.variables]
        for solution in _capped(result, options.max_rows):
            rows.append(solution_row(solution, names))
        return rows

    def ask(self, query: str, options: QueryOptions | None = None) -> bool:
        return _fresh(lambda: self._ask(query, options or QueryOptions()))

    def _ask(self, query: str, options: QueryOptions) -> bool:
        result = self._query(query, options)
        if not isinstance(result, ox.QueryBoolean):
            raise QueryError("ask() needs an ASK query")
        return bool(result)

    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        options = options or QueryOptions()
        return _fresh(lambda: self._construct(query, options))

    def _construct(self, query: str, options: QueryOptions) -> Graph:
        result = self._query(query, options)
        if not isinstance(result, ox.QueryTriples):
            raise QueryError("construct() needs a CONSTRUCT or DESCRIBE query")
        graph = Graph()
        for name, iri in PREFIXES.items():
            graph.bind(name, iri)
        for triple in _capped(result, options.max_rows):
            graph.add(
                (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))
            )
        return graph

    def graph_sizes(self) -> dict[str, int]:
        rows = self.select(_GRAPH_SIZES, QueryOptions())
        return {str(row["g"]): int(row["n"]) for row in rows if "g" in row}  # type: ignore[call-overload]

    def update(self, update: str, timeout_s: float | None = None) -> None:
        """Run a SPARQL Update (the server only calls this for an authorised admin).

        ``timeout_s`` is ignored: an in-process engine cannot be interrupted."""
        if self._copy_on_write is not None:
            self._store = OxigraphStore.from_file(self._copy_on_write)._store
            self._copy_on_write = None
        try:
            self._store.update(update, prefixes=PREFIXES)
        except SyntaxError as error:
            raise QueryError(f"syntax error: {error}") from None
        except (OSError, ValueError, RuntimeError) as error:
            raise QueryError(f"the update failed: {error}") from None
        self._updates += 1


def _capped(rows: Iterable[_T], limit: int | None) -> Iterator[_T]:
    for count, row in enumerate(rows, start=1):
        if limit is not None and count > limit:
            raise ResultTooLarge(f"the result has more than {limit} rows or triples")
        yield row


_F = TypeVar("_F")


def _file_format(path: Path, table: dict[str, _F]) -> _F:
    try:
        return table[path.suffix.lower()]
    except KeyError:
        raise ValueError(f"cannot tell the RDF format of {path.name}") from None


# --- rdflib -------------------------------------------------------------------------------


_F2 = TypeVar("_F2", bound=Callable[..., object])


def _serialised(method: _F2) -> _F2:
    """Run the method under the instance's lock."""

    @functools.wraps(method)
    def locked(self: RdflibStore, *args: object, **kwargs: object) -> object:
        with self._lock:
            return method(self, *args, **kwargs)

    return locked  # type: ignore[return-value]


def _solutions_from_json(document: bytes, fmt: Format) -> bytes:
    parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions)
    return serialize_solutions(parsed, fmt, None)


class RdflibStore:
    """rdflib's SPARQL engine over an rdflib Dataset: slower, a second opinion on answers.

    FROM never fetches anything over the network: rdflib's ``SPARQL_LOAD_GRAPHS`` is switched
    off, so FROM <g> only reads a graph the dataset already holds.

    rdflib's SPARQL engine is not thread-safe (concurrent queries fail at random inside its
    parser), so one lock serialises every call; the worker pool gives parallelism instead.
    """

    name = "rdflib"

    def __init__(self, dataset: Dataset, version: str) -> None:
        # rdflib otherwise dereferences FROM/FROM NAMED IRIs it does not hold (a network call).
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
        self._lock = threading.RLock()
        self._dataset = dataset
        self._base_version = version
        self._updates = 0

    @classmethod
    def from_file(cls, path: Path, version: str | None = None) -> RdflibStore:
        dataset = Dataset(default_union=True)
        dataset.parse(str(path), format=_file_format(path, _RDFLIB_FORMATS))
        return cls(dataset, version or dataset_version(path))

    @property
    def version(self) -> str:
        if self._updates:
            return f"{self._base_version}+{self._updates}"
        return self._base_version

    def _dataset_for(self, options: QueryOptions) -> Dataset:
        if not (options.default_graph_uris or options.named_graph_uris):
            return self._dataset
        chosen = Dataset(default_union=False)
        try:
            for iri in options.default_graph_uris:
                for triple in self._dataset.get_context(URIRef(iri)):
                    chosen.default_graph.add(triple)
            for iri in options.named_graph_uris:
                graph = chosen.graph(URIRef(iri))
                for triple in self._dataset.get_context(URIRef(iri)):
                    graph.add(triple)
        except Exception as error:  # rdflib rejects odd IRIs with assorted exception types
            raise QueryError(f"invalid graph IRI: {error}") from None
        return chosen

    def _query(self, query: str, options: QueryOptions) -> rdflib.query.Result:
        dataset = self._dataset_for(options)
        try:
            result = dataset.query(query, initNs=PREFIXES, base=options.base_iri)
            if result.type == "SELECT":
                _ = result.bindings  # evaluate now, so evaluation errors are caught here
            return result
        except ParseException as error:
            raise QueryError(f"syntax error: {error}") from None
        except QueryError:
            raise
        except Exception as error:
            # rdflib reports bad queries with many exception types, some of them bare
            # Exception ("Unknown namespace prefix"); at this boundary they are the user's.
            raise QueryError(f"the query failed: {error}") from None

    @_serialised
    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        fmt = negotiation.by_media_type(media_type)
        result = self._query(query, options)
        # rdflib may keep this frame alive in a reference cycle, so the pyoxigraph objects
        # that write the answer live only in the helpers' frames (see _fresh).
        if result.type == "ASK":
            check_form(fmt, graph_result=False)
            return fmt.content_type, serialize_boolean(bool(result.askAnswer), fmt)
        if result.type == "SELECT":
            check_form(fmt, graph_result=False)
            if options.max_rows is not None and len(result.bindings) > options.max_rows:
                raise ResultTooLarge(
                    f"the result has more than {options.max_rows} rows; "
                    "add LIMIT or narrow the query"
                )
            document = result.serialize(format="json")
            assert document is not None
            return fmt.content_type, _fresh(lambda: _solutions_from_json(document, fmt))
        check_form(fmt, graph_result=True)
        graph = result.graph
        assert graph is not None
        if options.max_rows is not None and len(graph) > options.max_rows:
            raise ResultTooLarge(
                f"the result has more than {options.max_rows} triples; "
                "add LIMIT or narrow the query"
            )
        return fmt.content_type, _fresh(lambda: serialize_graph(graph, fmt))

    @_serialised
    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        options = options or QueryOptions()
        result = self._query(query, options)
        if result.type != "SELECT":
            raise QueryError("select() needs a SELECT query")
        if options.max_rows is not None and len(result.bindings) > options.max_rows:
            raise ResultTooLarge(f"the result has more than {options.max_rows} rows")
        return [
            {str(var): value for var, value in row.items() if value is not None}
            for row in result.bindings
        ]

    @_serialised
    def ask(self, query: str, options: QueryOptions | None = None) -> bool:
        result = self._query(query, options or QueryOptions())
        if result.type != "ASK":
            raise QueryError("ask() needs an ASK query")
        return bool(result.askAnswer)

    @_serialised
    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        options = options or QueryOptions()
        result = self._query(query, options)
        if result.type not in ("CONSTRUCT", "DESCRIBE") or result.graph is None:
            raise QueryError("construct() needs a CONSTRUCT or DESCRIBE query")
        if options.max_rows is not None and len(result.graph) > options.max_rows:
            raise ResultTooLarge(f"the result has more than {options.max_rows} triples")
        graph = Graph()
        for name, iri in PREFIXES.items():
            graph.bind(name, iri)
        for triple in result.graph:
            graph.add(triple)
        return graph

    @_serialised
    def graph_sizes(self) -> dict[str, int]:
        return {
            str(graph.identifier): len(graph)
            for graph in self._dataset.graphs()
            if len(graph) and graph.identifier != rdflib.graph.DATASET_DEFAULT_GRAPH_ID
        }

    @_serialised
    def update(self, update: str, timeout_s: float | None = None) -> None:
        """Run a SPARQL Update (the server only calls this for an authorised admin).

        ``timeout_s`` is ignored: an in-process engine cannot be interrupted."""
        try:
            self._dataset.update(update, initNs=PREFIXES)
        except ParseException as error:
            raise QueryError(f"syntax error: {error}") from None
        except Exception as error:  # see _query: rdflib's error types are not specific
            raise QueryError(f"the update failed: {error}") from None
        self._updates += 1


if TYPE_CHECKING:

    def _implements_store(oxigraph: OxigraphStore, rdflib_store: RdflibStore) -> list[Store]:
        """mypy checks here that both engines implement the Store protocol."""
        return [oxigraph, rdflib_store]
