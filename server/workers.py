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

Workers also refuse outbound connections through a Python audit hook (defence in depth for
rdflib, whose SERVICE and FROM use urllib; the endpoint already refuses SERVICE and LOAD
before any engine sees them).

Updates (admin only) go to one worker and into a journal; every worker replays the journal
entries it has not seen before it answers its next call, so all workers converge.
"""

from __future__ import annotations

import atexit
import logging
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from .errors import EngineUnavailable
from .store import QueryError, QueryOptions, QueryTimeout
from .stores import StoreSpec, open_store

log = logging.getLogger(__name__)

# A fresh interpreter per worker (``python -m cdkg.server.workers FD``), not fork: the server
# runs threads (waitress), which fork does not copy safely; and not multiprocessing's spawn,
# which re-imports the parent's __main__ (a script, stdin, ``python -m cdkg``) in the child.
_METHODS = frozenset({"execute", "select", "ask", "construct", "graph_sizes", "update", "ping"})


def _refuse_network(event: str, args: tuple[Any, ...]) -> None:
    """Audit hook: no IP connection or name lookup from a query worker."""
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
            result = None if method == "ping" else getattr(store, method)(*args)
        except QueryError as error:
            conn.send(("error", error))
        except Exception as error:
            log.exception("query worker failed")
            conn.send(("failed", f"{type(error).__name__}: {error}"))
        else:
            conn.send(("ok", result))


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    applied: int = 0
    """How many journal entries (updates) this worker has applied."""
    started: float = field(default_factory=time.monotonic)


class WorkerPoolStore:
    """A Store that runs ``spec``'s store in ``size`` worker processes with timeouts.

    ``options.timeout_s`` bounds each call, including the wait for a free worker.

    >>> pool = WorkerPoolStore(StoreSpec(dataset=Path("build/current/dataset.nq")), size=2)
    ... # doctest: +SKIP
    """

    def __init__(self, spec: StoreSpec, size: int = 4, start_timeout_s: float = 120.0) -> None:
        if size < 1:
            raise ValueError("a worker pool needs at least one worker")
        self.name = spec.engine
        self.size = size
        self._spec = spec
        self._start_timeout_s = start_timeout_s
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._journal: list[str] = []
        self._update_lock = threading.Lock()
        self._sizes: tuple[str, dict[str, int]] | None = None
        self._closed = False
        self.kills = 0
        atexit.register(self.close)
        workers = [self._spawn() for _ in range(size)]
        versions = {self._await_ready(worker) for worker in workers}
        self._base_version = versions.pop()
        for worker in workers:
            self._idle.put(worker)

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

    def _kill(self, worker: _Worker) -> None:
        self._all.discard(worker)
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            log.error("query worker %d did not exit after SIGKILL", worker.process.pid)
        worker.conn.close()

    def _replace(self, worker: _Worker) -> None:
        """Kill ``worker`` now and start its successor in the background."""
        self._kill(worker)
        self.kills += 1
        if self._closed:
            return

        def start() -> None:
            try:
                successor = self._spawn()
                self._await_ready(successor)
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
        if method not in _METHODS:
            raise ValueError(method)
        deadline = None if timeout_s is None else time.monotonic() + timeout_s
        try:
            worker = self._idle.get(timeout=timeout_s)
        except queue.Empty:
            raise QueryTimeout(
                f"all {self.size} query workers stayed busy for {timeout_s:g} s; try again later"
            ) from None
        healthy = False
        try:
            while worker.applied < len(self._journal):
                self._exchange(worker, "update", (self._journal[worker.applied],), deadline)
                worker.applied += 1
            result = self._exchange(worker, method, args, deadline)
            if journal is not None:
                self._journal.append(journal)
                worker.applied = len(self._journal)
            healthy = True
            return result
        except QueryError:
            healthy = True
            raise
        except QueryTimeout:
            raise QueryTimeout(
                f"the query ran longer than {timeout_s:g} s and was stopped; narrow it or add LIMIT"
            ) from None
        except (EOFError, OSError):
            raise EngineUnavailable(
                "the query worker stopped unexpectedly (out of memory?); it is being restarted"
            ) from None
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._replace(worker)

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
