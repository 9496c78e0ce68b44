"""Queries in worker processes, killed when they outlive the timeout.

Neither engine can be interrupted: pyoxigraph's Python API has no timeout or cancellation
(oxigraph/oxigraph#1926: "only available in the Rust API and the HTTP server … Currently I
have to run every query inside a subprocess and kill it if a timeout is reached"), and a
Python thread cannot be stopped. So ``WorkerPoolStore`` keeps ``size`` worker processes, each
holding its own copy of the store (opened from the same ``StoreSpec``); a request borrows an
idle worker, sends the call over a pipe and waits at most the timeout. A worker that does not
answer in time is killed (SIGKILL) and replaced in the background, and the request gets
``QueryTimeout``. The overhead is one local-socket round trip per call, about 0.2 ms
(docs/load-test.md).

Each worker has a memory bound (``max_memory_bytes``): a query that makes its worker hold more
is stopped (SIGKILL), answered ``MemoryBoundReached`` (503) and the worker replaced; the other
workers and their queries go on (issue 12: one cross product grew a worker to 10 GB in 30 s).
The bound is watched from this process, not set inside the worker: ``RLIMIT_AS`` bounds address
space, and pyoxigraph reserves far more of it than it uses (RocksDB maps its files, the
allocator reserves arenas), so a limit low enough to matter breaks ordinary queries, and a
failed allocation in Rust aborts the process with no message either way; a cgroup v2
``memory.max`` would be exact but is writable only under a delegating service manager (not in
a plain container: cgroup v1 here). So a watcher thread reads ``/proc/PID/statm`` of every
busy worker every 50 ms and kills a worker whose *anonymous* resident memory (resident less
shared: what the query allocated, not the store's file pages, which the kernel can drop and
which all workers share) passes the bound. Measured on the seed dataset: the issue's query
grows a worker by about 1.3 GB/s, so a 50 ms tick overshoots the bound by some 65 MB; a
worker at rest holds about 10–30 MB. A worker that ends a query above the bound (the
allocator keeps what it freed) is replaced before its next query, and a pool whose workers
need more than the bound just to open the store refuses to start, saying so.

Workers have no network: each moves into a network namespace of its own before it opens the
store (``cdkg.server.store.sandbox``; a worker that cannot refuses to start, unless the documented
opt-out is set), and says which protection it has in the server's log. A Python audit hook
refuses IP connections as a second layer (it sees rdflib's urllib, not pyoxigraph's Rust
client). The endpoint refuses SERVICE and LOAD before any engine sees them as well.

Updates (admin only) go to one worker and into a journal; every worker replays the journal
entries it has not seen before it answers its next call, so all workers converge.
"""

from __future__ import annotations

import atexit
import logging
import os
import pickle
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from . import negotiation
from .base import QueryOptions
from .engines import StoreSpec, open_store
from .errors import EngineUnavailable, QueryError, QueryTimeout
from .sandbox import SandboxError, isolate_network

log = logging.getLogger(__name__)

# A fresh interpreter per worker (``python -m cdkg.server.store.workers FD``), not fork: the server
# runs threads (waitress), which fork does not copy safely; and not multiprocessing's spawn,
# which re-imports the parent's __main__ (a script, stdin, ``python -m cdkg``) in the child.
_METHODS = frozenset(
    {"execute", "stream", "select", "ask", "construct", "graph_sizes", "update", "ping"}
)


def _refuse_network(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: no IP connection or name lookup from a query worker (the second layer,
    under the network namespace: it sees Python's sockets and urllib, not Rust's)."""
    if event == "socket.connect":
        sock = args[0]
        if getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6):
            raise PermissionError("query workers make no network connections")
    elif event in ("socket.getaddrinfo", "urllib.Request"):
        raise PermissionError("query workers make no network connections")


def _worker_main(conn: Connection) -> None:
    """A worker process: receive the StoreSpec, open the store, then answer calls until the
    connection closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the server, which stops us
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        protection = isolate_network()  # first: before anything could open a connection
    except SandboxError as error:
        conn.send(("failed", str(error)))
        return
    log.log(
        logging.INFO if protection.startswith("no network") else logging.WARNING,
        "cdkg query worker %d: %s",
        os.getpid(),
        protection,
    )
    sys.addaudithook(_refuse_network)
    try:
        spec = conn.recv()
        store = open_store(spec)
    except Exception as error:
        conn.send(("failed", f"{type(error).__name__}: {error}"))
        return
    conn.send(("ready", store.version))
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return
        try:
            if method == "stream":
                result = _stream(conn, store, *args)
            else:
                result = None if method == "ping" else getattr(store, method)(*args)
        except QueryError as error:
            conn.send(("error", error))
        except Exception as error:
            log.exception("query worker failed")
            conn.send(("failed", f"{type(error).__name__}: {error}"))
        else:
            conn.send(("ok", result))


_CHUNK = b"c"
"""The first byte of a message holding a piece of a streamed answer (raw bytes, not pickled:
a pickled message begins with the protocol byte 0x80)."""
_STREAMED = "streamed"
"""The result of a "stream" call whose answer went over the pipe in pieces."""


def _stream(conn: Connection, store: Any, query: str, media_type: str, options: Any) -> Any:
    """Run a query for ``WorkerPoolStore.stream``: a large answer goes over the pipe in raw
    pieces while the engine writes it (the usual ("ok", "streamed") follows them; an error
    after some pieces is sent as usual too); a small one is returned whole, as ``execute``."""
    execute_streaming = getattr(store, "execute_streaming", None)
    if execute_streaming is None:
        return store.execute(query, media_type, options)

    def emit(chunk: bytes) -> None:
        conn.send_bytes(_CHUNK + chunk)

    content_type, body = execute_streaming(query, media_type, options, emit)
    return _STREAMED if body is None else (content_type, body)


WATCH_INTERVAL_S = 0.05
"""How often the memory watcher looks at busy workers."""
_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


class MemoryBoundReached(EngineUnavailable):
    """A query made its worker pass the memory bound; the worker was stopped (503)."""


def anonymous_memory(pid: int) -> int | None:
    """Bytes of anonymous resident memory of process ``pid`` (resident less file-backed and
    shared pages, from ``/proc/PID/statm``); None when it cannot be read (gone, not Linux).

    >>> anonymous_memory(os.getpid()) > 0
    True
    """
    try:
        with open(f"/proc/{pid}/statm", "rb") as stream:
            fields = stream.read().split()
        return (int(fields[1]) - int(fields[2])) * _PAGE
    except (OSError, IndexError, ValueError):
        return None


def describe_bytes(size: int) -> str:
    """``size`` as people write it.

    >>> describe_bytes(300 * 1024 * 1024), describe_bytes(2 << 30), describe_bytes(1536 << 20)
    ('300 MB', '2 GB', '1.5 GB')
    """
    if size >= 1 << 30:
        return f"{size / (1 << 30):.3g} GB"
    return f"{size / (1 << 20):.3g} MB"


def memory_message(bound: int) -> str:
    """What a client whose query reached the memory bound is told (en, then zh)."""
    limit = describe_bytes(bound)
    return (
        f"the query needed more than {limit} of memory, the bound of each query worker "
        "(--max-memory), and was stopped; narrow it or add LIMIT. "
        f"查询所需内存超过每个查询进程的上限 {limit}（--max-memory），已被停止；"
        "请缩小查询范围或加 LIMIT。"
    )


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    applied: int = 0
    """How many journal entries (updates) this worker has applied."""
    started: float = field(default_factory=time.monotonic)
    over_memory: int | None = None
    """Set (to the memory seen) when the watcher killed this worker at the bound."""
    streaming: bool = False
    """In the middle of a streamed answer: stopping now leaves the pipe unusable."""


class _Pieces:
    """The pieces of a streamed answer, without the message tag; ``close`` (the WSGI server
    calls it, read to the end or not) ends the worker's session."""

    def __init__(self, first: bytes, messages: Generator[Any, None, None]) -> None:
        self._first: bytes | None = first
        self._messages = messages

    def __iter__(self) -> _Pieces:
        return self

    def __next__(self) -> bytes:
        message, self._first = self._first, None
        if message is None:
            message = next(self._messages)
        return message[len(_CHUNK) :]

    def close(self) -> None:
        self._messages.close()


class WorkerPoolStore:
    """A Store that runs ``spec``'s store in ``size`` worker processes with timeouts and a
    memory bound.

    ``options.timeout_s`` bounds each call, including the wait for a free worker.
    ``max_memory_bytes`` bounds each worker's anonymous memory (None: no bound).

    >>> pool = WorkerPoolStore(StoreSpec(dataset=Path("build/current/dataset.nq")), size=2)
    ... # doctest: +SKIP
    """

    def __init__(
        self,
        spec: StoreSpec,
        size: int = 4,
        start_timeout_s: float = 120.0,
        max_memory_bytes: int | None = None,
    ) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.name = spec.engine
        self.size = size
        self.max_memory_bytes = max_memory_bytes or None
        self._spec = spec
        self._start_timeout_s = start_timeout_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._busy: set[_Worker] = set()
        self._busy_lock = threading.Lock()
        self._journal: list[str] = []
        self._update_lock = threading.Lock()
        self._sizes: tuple[str, dict[str, int]] | None = None
        self._closed = False
        self.kills = 0
        self.stops: Counter[str] = Counter()
        """Workers stopped, by reason: timeout, memory, crash."""
        atexit.register(self.close)
        workers = [self._spawn() for _ in range(size)]
        try:
            versions = {self._await_ready(worker) for worker in workers}
            for worker in workers:
                self._check_resting_memory(worker)
        except EngineUnavailable:
            self.close()
            raise
        self._base_version = versions.pop()
        for worker in workers:
            self._idle.put(worker)
        if self.max_memory_bytes is not None:
            threading.Thread(target=self._watch, name="cdkg-memory-watch", daemon=True).start()

    # --- processes ------------------------------------------------------------------------

    def _spawn(self) -> _Worker:
        ours, theirs = socket.socketpair()
        with ours, theirs:
            process = subprocess.Popen(
                [sys.executable, "-m", __name__, str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
            )
            conn = Connection(ours.detach())
        conn.send(self._spec)
        worker = _Worker(process, conn)
        self._all.add(worker)
        return worker

    def _await_ready(self, worker: _Worker) -> str:
        if not worker.conn.poll(self._start_timeout_s):
            self._kill(worker)
            raise EngineUnavailable(f"a query worker did not start in {self._start_timeout_s} s")
        try:
            status, payload = worker.conn.recv()
        except (EOFError, OSError):
            status, payload = "failed", "the process exited"
        if status != "ready":
            self._kill(worker)
            raise EngineUnavailable(f"a query worker could not open the store: {payload}")
        return str(payload)

    def _check_resting_memory(self, worker: _Worker) -> None:
        """EngineUnavailable when a freshly opened worker already holds more than the bound:
        every query would be stopped."""
        if self.max_memory_bytes is None:
            return
        held = anonymous_memory(worker.process.pid)
        if held is not None and held > self.max_memory_bytes:
            self._kill(worker)
            raise EngineUnavailable(
                f"a query worker holds {describe_bytes(held)} just to open the store, more than "
                f"the memory bound of {describe_bytes(self.max_memory_bytes)}; raise --max-memory"
            )

    def _watch(self) -> None:
        """Kill busy workers past the memory bound (see the module's docstring)."""
        bound = self.max_memory_bytes
        assert bound is not None
        while not self._closed:
            # Under the lock, so that a worker is never killed after its query has ended.
            with self._busy_lock:
                for worker in self._busy:
                    held = anonymous_memory(worker.process.pid)
                    if held is not None and held > bound and worker.over_memory is None:
                        worker.over_memory = held
                        # Only the signal here: the thread waiting on this worker sees the
                        # connection close, answers MemoryBoundReached and replaces it.
                        worker.process.kill()
                        log.warning(
                            "query worker %d held %s, past the memory bound of %s: stopped",
                            worker.process.pid,
                            describe_bytes(held),
                            describe_bytes(bound),
                        )
            time.sleep(WATCH_INTERVAL_S)

    def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("query worker %d did not exit after SIGKILL", worker.process.pid)
        worker.conn.close()

    def _replace(self, worker: _Worker, reason: str) -> None:
        """Kill ``worker`` now and start its successor in the background."""
        self._kill(worker)
        self.kills += 1
        self.stops[reason] += 1
        if self._closed:
            return

        def start() -> None:
            try:
                successor = self._spawn()
                self._await_ready(successor)
                self._check_resting_memory(successor)
            except EngineUnavailable:
                log.exception("could not replace a query worker")
                return
            if self._closed:
                self._kill(successor)
            else:
                self._idle.put(successor)

        threading.Thread(target=start, name="cdkg-worker-respawn", daemon=True).start()

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        for worker in list(self._all):
            self._kill(worker)

    # --- calls ----------------------------------------------------------------------------

    def _exchange(
        self, worker: _Worker, method: str, args: tuple[Any, ...], deadline: float | None
    ) -> Any:
        worker.conn.send((method, args))
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not worker.conn.poll(remaining):
            raise QueryTimeout("timed out")
        status, payload = worker.conn.recv()
        if status == "error":
            raise payload
        if status != "ok":  # a bug, not the client's doing: 500, logged
            raise RuntimeError(f"the query worker failed: {payload}")
        return payload

    def _call(
        self,
        method: str,
        args: tuple[Any, ...],
        timeout_s: float | None,
        journal: str | None = None,
    ) -> Any:
        with self._session(timeout_s) as (worker, deadline):
            result = self._exchange(worker, method, args, deadline)
            if journal is not None:
                self._journal.append(journal)
                worker.applied = len(self._journal)
            return result

    @contextmanager
    def _session(self, timeout_s: float | None) -> Iterator[tuple[_Worker, float | None]]:
        """An idle worker, brought up to date with the journal, for one call; given back
        afterwards, or replaced when the call failed in a way that leaves it unusable (a
        timeout, the memory bound, a crash, a stream the client stopped reading)."""
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {timeout_s:g} s; try again later"
            ) from None
        healthy = False
        reason = "crash"
        with self._busy_lock:
            self._busy.add(worker)
        try:
            while worker.applied < len(self._journal):
                self._exchange(worker, "update", (self._journal[worker.applied],), deadline)
                worker.applied += 1
            yield worker, deadline
            healthy = True
        except QueryError:
            healthy = not worker.streaming
            raise
        except QueryTimeout:
            reason = "timeout"
            raise QueryTimeout(
                f"the query ran longer than {timeout_s:g} s and was stopped; narrow it or add LIMIT"
            ) from None
        except (EOFError, OSError):
            if worker.over_memory is not None and self.max_memory_bytes is not None:
                reason = "memory"
                raise MemoryBoundReached(memory_message(self.max_memory_bytes)) from None
            raise EngineUnavailable(
                "the query worker stopped unexpectedly; it is being restarted"
            ) from None
        except GeneratorExit:  # a streamed answer the client stopped reading
            reason = "cancelled"
            raise
        finally:
            worker.streaming = False
            with self._busy_lock:
                self._busy.discard(worker)
            if healthy and self._over_bound_at_rest(worker):
                healthy, reason = False, "memory"
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker, reason)

    def _over_bound_at_rest(self, worker: _Worker) -> bool:
        """A worker that kept more than the bound after its query (allocators keep what was
        freed) would be stopped in the middle of the next, innocent, query: replace it now."""
        if self.max_memory_bytes is None:
            return False
        held = anonymous_memory(worker.process.pid)
        return held is not None and held > self.max_memory_bytes

    # --- Store ----------------------------------------------------------------------------

    @property
    def version(self) -> str:
        journal = len(self._journal)
        return f"{self._base_version}+{journal}" if journal else self._base_version

    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        result: tuple[str, bytes] = self._call(
            "execute", (query, media_type, options), options.timeout_s
        )
        return result

    def stream(
        self, query: str, media_type: str, options: QueryOptions
    ) -> tuple[str, bytes | Iterator[bytes]]:
        """``execute``, except that a large answer comes as an iterator of pieces, passed on
        as the worker writes them (``cdkg.server.store.results.STREAM_AFTER_BYTES``), so that
        neither process holds it whole. Errors before the first piece are raised here, as by
        ``execute``; the timeout, the row cap and the memory bound still apply after it, and
        are then raised by the iterator, which stops. Closing the iterator before its end
        stops the worker (it is replaced)."""
        messages = self._stream_messages(query, media_type, options)
        first = next(messages)
        if not isinstance(first, bytes) or not first.startswith(_CHUNK):
            for _ in messages:  # the session ends: the worker is given back
                pass
            return first
        return negotiation.by_media_type(media_type).content_type, _Pieces(first, messages)

    def _stream_messages(
        self, query: str, media_type: str, options: QueryOptions
    ) -> Generator[Any, None, None]:
        """The pieces of a streamed answer (raw messages starting with ``_CHUNK``), or the
        whole answer (content type, body) as the only item."""
        with self._session(options.timeout_s) as (worker, deadline):
            worker.conn.send(("stream", (query, media_type, options)))
            while True:
                message = self._receive(worker, deadline)
                if message.startswith(_CHUNK):
                    worker.streaming = True
                    yield message
                    continue
                status, payload = pickle.loads(message)
                worker.streaming = False
                if status == "error":
                    raise payload
                if status != "ok":
                    raise RuntimeError(f"the query worker failed: {payload}")
                if payload != _STREAMED:
                    yield payload
                return

    @staticmethod
    def _receive(worker: _Worker, deadline: float | None) -> bytes:
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        if not worker.conn.poll(remaining):
            raise QueryTimeout("timed out")
        return worker.conn.recv_bytes()

    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        options = options or QueryOptions()
        rows: list[dict[str, Node]] = self._call("select", (query, options), options.timeout_s)
        return rows

    def ask(self, query: str, options: QueryOptions | None = None) -> bool:
        options = options or QueryOptions()
        return bool(self._call("ask", (query, options), options.timeout_s))

    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        options = options or QueryOptions()
        graph: Graph = self._call("construct", (query, options), options.timeout_s)
        return graph

    def graph_sizes(self) -> dict[str, int]:
        version = self.version
        if self._sizes is None or self._sizes[0] != version:
            self._sizes = (version, self._call("graph_sizes", (), None))
        return dict(self._sizes[1])

    def update(self, update: str, timeout_s: float | None = None) -> None:
        """Apply an update on one worker and journal it for the others."""
        with self._update_lock:
            self._call("update", (update,), timeout_s, journal=update)

    def ping(self, timeout_s: float = 5.0) -> None:
        """Round trip to one worker (for health checks and overhead measurement)."""
        self._call("ping", (), timeout_s)


if __name__ == "__main__":
    _worker_main(Connection(int(sys.argv[1])))
