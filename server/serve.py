"""``serve()``: load the built dataset and run the endpoint under waitress.

The store is pyoxigraph (default) or rdflib, loaded from ``build/current/dataset.nq`` (or a
persistent pyoxigraph directory); with ``workers`` > 0 queries run in that many worker
processes so that the query timeout and the memory bound can stop them
(``cdkg.server.store.workers``). The server follows build/current: a newly published build is served
without a restart, and admin updates are journaled in build/updates/
(``cdkg.server.store.live``). With an ``upstream`` the store is a remote SPARQL endpoint instead
(``cdkg.server.store.remote``): nothing is loaded, and the endpoint's own HTTP timeout stops
queries.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

import waitress
from flask import Flask
from waitress.server import BaseWSGIServer, MultiSocketServer

from cdkg.loaders.layout import DATASET_FILE, ProjectPaths, project_paths
from cdkg.ontology.namespace import ONTOLOGY_IRI

from .app import create_app
from .config import (
    IN_MEMORY_QUADS,
    ServerConfig,
    default_client_concurrency,
    default_max_memory,
    default_workers,
)
from .report_routes import warm_report
from .search import INDEX_KEY, SearchIndex
from .store import EngineUnavailable, QueryError, QueryTimeout, Store
from .store.engines import (
    OxigraphStore,
    StoreSpec,
    dataset_quads,
    dataset_version,
    open_store,
)
from .store.journal import JOURNAL_FOLDER
from .store.live import LiveStore
from .store.remote import RemoteStore, Upstream, describe
from .store.workers import WorkerPoolStore, describe_bytes

log = logging.getLogger(__name__)
OUTBUF_HIGH_WATERMARK = 4 << 20


def dataset_file(paths: ProjectPaths) -> Path:
    """The built dataset the server loads; FileNotFoundError says how to make it."""
    path = paths.current / DATASET_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `cdkg build` first")
    return path


def open_server_store(
    paths: ProjectPaths,
    engine: str = "oxigraph",
    workers: int | None = None,
    store_dir: Path | None = None,
    max_memory_bytes: int | None = None,
    placement: str = "auto",
) -> Store:
    """The store for ``paths``' current build: a worker pool when ``workers`` > 0, else an
    in-process store (then queries cannot be timed out). ``None``: one per CPU, 2 to 4.
    ``max_memory_bytes``: each worker's memory bound (None: the machine's default; 0: none).
    ``placement`` (``ServerConfig.store_placement``): whether each worker holds the data in
    memory or reads the published store from disk.

    With ``store_dir`` (pyoxigraph only) the data live in a persistent store there, loaded
    once per dataset version; worker processes open it read-only."""
    workers = default_workers() if workers is None else workers
    # The published folder itself, not the path through build/current: a worker replaced
    # later must open this build even if another has been published meanwhile.
    dataset = dataset_file(paths).resolve()
    if store_dir is not None and workers > 0:
        # load (if needed) here, then let go of it: the workers open it read-only
        OxigraphStore.open_directory(store_dir, dataset)
        gc.collect()
    spec = StoreSpec(
        engine=engine,
        dataset=dataset,
        directory=store_dir,
        version=dataset_version(dataset),
        read_only=store_dir is not None and workers > 0,
        in_memory=engine == "oxigraph" and store_dir is None and held_in_memory(dataset, placement),
    )
    if workers > 0:
        if max_memory_bytes is None:
            max_memory_bytes = default_max_memory(workers)
        return WorkerPoolStore(spec, size=workers, max_memory_bytes=max_memory_bytes)
    return open_store(spec)


def held_in_memory(dataset: Path, placement: str) -> bool:
    """Whether the workers hold ``dataset`` in memory: ``placement`` memory or disk as said;
    auto, when the dataset has at most ``IN_MEMORY_QUADS`` quads (or no manifest says how
    many: then no published store sits beside it either)."""
    if placement != "auto":
        return placement == "memory"
    quads = dataset_quads(dataset)
    return quads is None or quads <= IN_MEMORY_QUADS


def open_live_store(
    paths: ProjectPaths,
    config: ServerConfig,
    engine: str = "oxigraph",
    store_dir: Path | None = None,
) -> LiveStore:
    """The store ``cdkg serve`` serves: ``paths``' current build, followed as new builds are
    published, with admin updates journaled in <build>/updates/ (``cdkg.server.store.live``).

    A ``store_dir`` is loaded once per version and held open by the workers, so with one the
    server does not follow new builds (restart it)."""
    workers = default_workers() if config.workers is None else config.workers

    def open_build() -> Store:
        return open_server_store(
            paths, engine, workers, store_dir, config.max_memory_bytes, config.store_placement
        )

    return LiveStore(
        paths.current,
        open_build,
        paths.build / JOURNAL_FOLDER,
        check_s=config.reload_check_s if store_dir is None else float("inf"),
    )


def open_upstream_store(upstream: Upstream, config: ServerConfig) -> RemoteStore:
    """The store in front of ``upstream``, scoped to cdkg's graphs under ``config.base``;
    what would make its pages wrong is logged (the server starts all the same)."""
    store = upstream.open(scope=(config.base, str(ONTOLOGY_IRI)))
    for problem in store.check():
        log.warning("upstream %s: %s", describe(upstream), problem)
    return store


def warm_up(app: Flask) -> threading.Thread:
    """Build the search index and the check report in the background, so that the first
    /search and the first /report are answered at once."""
    index: SearchIndex = app.extensions[INDEX_KEY]

    def run() -> None:
        try:
            index.entries()
        except Exception:
            log.exception("could not build the search index")
        try:
            warm_report(app)
        except Exception:
            log.exception("could not compute the check report")

    thread = threading.Thread(target=run, name="cdkg-search-warm-up", daemon=True)
    thread.start()
    return thread


def make_server(
    app: Flask, host: str = "127.0.0.1", port: int = 8000, threads: int = 8
) -> BaseWSGIServer | MultiSocketServer:
    """A waitress server for ``app`` (port 0 picks a free port: see ``.effective_port``)."""
    config: ServerConfig = app.extensions["cdkg.config"]
    return waitress.create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        max_request_body_size=config.max_body_bytes,
        ident="cdkg",
        clear_untrusted_proxy_headers=True,
        # A streamed answer waits for a slow client once this much is queued (waitress's
        # default, 16 MB, let a large answer pile up in the server: docs/endpoint.md).
        outbuf_high_watermark=OUTBUF_HIGH_WATERMARK,
    )


_M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter


def return_large_buffers(threshold: int = 256 * 1024) -> bool:
    """Make glibc give every buffer of ``threshold`` bytes or more back to the system when it
    is freed (True when set). By default glibc raises this threshold after each large buffer
    freed, and the megabyte pieces of streamed answers then pile up in its heap, fragmented:
    a server that streamed a 23 MB CSV held 16 MB more after it, against 8 MB with a fixed
    threshold (tests/server/test_streaming.py). Not glibc (musl, macOS): nothing to do."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return bool(libc.mallopt(_M_MMAP_THRESHOLD, threshold))
    except (OSError, AttributeError):
        return False


def _configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        logging.getLogger("waitress.queue").setLevel(logging.ERROR)


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(
    paths: ProjectPaths | None = None,
    host: str = "127.0.0.1",
    port: int = 8000,
    engine: str = "oxigraph",
    threads: int = 8,
    *,
    workers: int | None = None,
    store_dir: Path | None = None,
    config: ServerConfig | None = None,
    upstream: Upstream | None = None,
) -> None:
    """Serve ``paths``' current build until interrupted, or ``upstream``'s data if given.

    ``workers`` query processes (0: queries run in the server process, without timeout or
    memory bound; None: ``config.workers``); ``config`` overrides the defaults (its ``paths``
    is set to ``paths``)."""
    _configure_logging()
    return_large_buffers()
    paths = paths or project_paths()
    config = resolve(replace(config or ServerConfig(), paths=paths), workers)
    started = time.perf_counter()
    store: Store
    if upstream is not None:
        store = open_upstream_store(upstream, config)
        backend = f"upstream {describe(upstream)}"
    else:
        store = open_live_store(paths, config, engine, store_dir)
        backend = f"{engine}, {_limits(config)}"
    app = create_app(store, config)
    warm_up(app)
    server = make_server(app, host, port, threads)
    log.info(
        "cdkg endpoint on http://%s:%s/sparql (%s, version %s, ready in %.1f s)",
        host,
        port,
        backend,
        _version(store),
        time.perf_counter() - started,
    )
    if threading.current_thread() is threading.main_thread():
        # SIGTERM (systemd, docker stop, kill) stops like Ctrl-C: workers are stopped too.
        # SIGINT is installed explicitly as well: a process started in the background by a
        # non-interactive shell inherits SIGINT as *ignored*, and Python then installs no
        # Ctrl-C handler of its own — the server would ignore SIGINT forever.
        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)
    try:
        server.run()
    finally:
        close = getattr(store, "close", None)
        if close is not None:
            close()


def resolve(config: ServerConfig, workers: int | None = None) -> ServerConfig:
    """``config`` with the defaults that depend on the machine filled in: the workers, their
    memory bound and the per-client concurrency (``workers`` overrides the config's)."""
    count = workers if workers is not None else config.workers
    count = default_workers() if count is None else count
    memory = config.max_memory_bytes
    if memory is None and count > 0:
        memory = default_max_memory(count)
    concurrency = config.client_concurrency
    if concurrency is None:
        concurrency = default_client_concurrency(count) if count > 0 else 0
    return replace(config, workers=count, max_memory_bytes=memory, client_concurrency=concurrency)


def _limits(config: ServerConfig) -> str:
    """The limits in force, for the start-up line."""
    parts = [f"{config.workers} query workers", f"store {config.store_placement}"]
    if config.workers:
        memory = config.max_memory_bytes
        parts.append(f"memory bound {describe_bytes(memory) if memory else 'none'} each")
    timeout = config.query_timeout_s
    parts.append(f"timeout {f'{timeout:g} s' if timeout else 'none'}")
    parts.append(f"{config.client_concurrency or 'unlimited'} requests at once per client")
    if not config.limit_loopback:
        parts.append("loopback not limited")
    if config.read_only:
        parts.append("read-only")
    else:
        parts.append(f"updates journaled in {JOURNAL_FOLDER}/")
    return ", ".join(parts)


def _version(store: Store) -> str:
    """The store's version for the start-up line; an unreachable upstream is not fatal."""
    try:
        return store.version
    except (EngineUnavailable, QueryTimeout, QueryError) as error:
        return f"unknown ({error})"
