"""The store of ``cdkg serve``: the published build, followed while the server runs, with the
admin's updates kept in a journal on disk.

``LiveStore`` is a Store in front of the store of one build (a ``WorkerPoolStore``, or an
in-process store). At most once every ``check_s`` a request looks at the published build
(one ``stat`` of build/current/manifest.json, which ``cdkg build`` replaces by swapping the
build/current symlink); when another build has been published, a new store is opened on it
in the background while the old one keeps answering, then swapped in between two requests.
The old store is closed when the last request that was using it has finished, so nothing in
flight fails. Everything keyed on the version — ETags, the result cache, the search index,
the report and the dumps — follows, because the version is the new build's. If the new
build cannot be opened, the error is logged and the old one stays (the same publication is
not tried again).

Updates: see ``cdkg.server.store.journal``. Each update is written to the journal (fsync'd) and
then applied; one that fails is taken back out. On opening a build the journal for that
build's version is replayed; a journal for another version is set aside.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rdflib import Graph
from rdflib.term import Node

from .base import QueryOptions, Store
from .errors import QueryError
from .journal import UpdateJournal

log = logging.getLogger(__name__)

Opener = Callable[[], Store]
"""Opens the store of the build published now."""


def publication(current: Path) -> tuple[int, int] | None:
    """What identifies the published build: build/current/manifest.json's inode and
    modification time (a new build is a new folder, so a new file); None when there is none.

    One ``stat``, a few microseconds: cheap enough to run on a request."""
    try:
        status = os.stat(current / "manifest.json")
    except OSError:
        return None
    return status.st_ino, status.st_mtime_ns


@dataclass(eq=False)
class _Generation:
    """The store of one build and the requests using it."""

    store: Store
    base: str
    journal: UpdateJournal | None
    published: tuple[int, int] | None
    in_flight: int = 0
    retired: bool = False

    @property
    def version(self) -> str:
        if self.journal is None:
            return self.store.version
        return self.journal.version(self.base)


def _close(store: Store) -> None:
    close = getattr(store, "close", None)
    if close is not None:
        close()


class _Leased:
    """The pieces of a streamed answer, with the lease of their build ended by ``close``."""

    def __init__(self, pieces: Iterator[bytes], lease: ExitStack) -> None:
        self._pieces, self._lease = pieces, lease

    def __iter__(self) -> _Leased:
        return self

    def __next__(self) -> bytes:
        return next(self._pieces)

    def close(self) -> None:
        try:
            close = getattr(self._pieces, "close", None)
            if close is not None:
                close()
        finally:
            self._lease.close()


class LiveStore:
    """A Store that serves the build published under ``current`` and follows new ones.

    ``open_build`` opens the store of the build published now; ``journal_folder`` holds the
    update journal (None: updates stay in memory, as the store underneath keeps them)."""

    def __init__(
        self,
        current: Path,
        open_build: Opener,
        journal_folder: Path | None,
        check_s: float = 1.0,
    ) -> None:
        self._current = current
        self._open_build = open_build
        self._journal_folder = journal_folder
        self._check_s = check_s
        self._lock = threading.Lock()
        """Guards the generation, the in-flight counts and the swap."""
        self._update_lock = threading.Lock()
        """Serialises updates with each other and with the swap."""
        self._next_check = time.monotonic() + check_s
        self._opening = False
        self._tried: tuple[int, int] | None = None
        self._closed = False
        self.reloads = 0
        published = publication(current)
        with self._update_lock:
            self._generation = self._attach(self._open_build(), published)
        self.name = self._generation.store.name

    # --- opening and swapping -------------------------------------------------------------

    def _attach(self, store: Store, published: tuple[int, int] | None) -> _Generation:
        """``store`` with its build's journal replayed (the caller holds the update lock: the
        journal file may be set aside here, so no update may be written meanwhile)."""
        try:
            base = store.version
            journal = None
            if self._journal_folder is not None:
                journal = UpdateJournal.open(self._journal_folder, base)
                for update in journal.entries:
                    self._apply(store, update)
            return _Generation(store, base, journal, published)
        except BaseException:
            _close(store)
            raise

    @staticmethod
    def _apply(store: Store, update: str, timeout_s: float | None = None) -> None:
        apply = getattr(store, "update", None)
        if apply is None:
            raise QueryError(f"the {store.name} store does not accept updates")
        apply(update, timeout_s=timeout_s)

    def _check(self) -> None:
        """Start opening a newly published build, at most once every ``check_s``."""
        now = time.monotonic()
        if now < self._next_check or self._closed:
            return
        self._next_check = now + self._check_s
        published = publication(self._current)
        with self._lock:
            if (
                published is None
                or published == self._generation.published
                or published == self._tried
                or self._opening
            ):
                return
            self._opening = True
            self._tried = published
        threading.Thread(
            target=self._reload, args=(published,), name="cdkg-reload", daemon=True
        ).start()

    def _reload(self, published: tuple[int, int]) -> None:
        started = time.perf_counter()
        try:
            store = self._open_build()  # the slow part, while the old store answers
            with self._update_lock:
                generation = self._attach(store, published)
                with self._lock:
                    old, self._generation = self._generation, generation
                    self._opening = False
                    old.retired = True
                    idle = old.in_flight == 0
                    self.reloads += 1
        except Exception:
            log.exception("a new build was published but could not be opened; serving the old")
            with self._lock:
                self._opening = False
            return
        if self._closed:
            self.close()
        log.info(
            "serving the newly published build, version %s (was %s; opened in %.1f s)",
            generation.version,
            old.version,
            time.perf_counter() - started,
        )
        if idle:
            _close(old.store)

    @contextmanager
    def _lease(self) -> Iterator[_Generation]:
        """The current generation, kept open until the block ends."""
        self._check()
        with self._lock:
            generation = self._generation
            generation.in_flight += 1
        try:
            yield generation
        finally:
            with self._lock:
                generation.in_flight -= 1
                last = generation.retired and generation.in_flight == 0
            if last:
                _close(generation.store)

    def close(self) -> None:
        """Close the store (and one being opened is closed when it is ready)."""
        self._closed = True
        with self._lock:
            generation = self._generation
            generation.retired = True
            idle = generation.in_flight == 0
        if idle:
            _close(generation.store)

    # --- Store ----------------------------------------------------------------------------

    @property
    def version(self) -> str:
        self._check()
        return self._generation.version

    @property
    def size(self) -> int:
        """Query workers of the current store (0 for an in-process store)."""
        return int(getattr(self._generation.store, "size", 0))

    @property
    def store(self) -> Store:
        """The store of the build being served now."""
        return self._generation.store

    def execute(self, query: str, media_type: str, options: QueryOptions) -> tuple[str, bytes]:
        with self._lease() as generation:
            return generation.store.execute(query, media_type, options)

    def stream(
        self, query: str, media_type: str, options: QueryOptions
    ) -> tuple[str, bytes | Iterator[bytes]]:
        """``execute``, a large answer in pieces when the store can stream
        (``WorkerPoolStore.stream``); the build stays leased until the last piece."""
        with ExitStack() as stack:
            generation = stack.enter_context(self._lease())
            stream = getattr(generation.store, "stream", None)
            if stream is None:
                return generation.store.execute(query, media_type, options)
            content_type, body = stream(query, media_type, options)
            if isinstance(body, bytes):
                return content_type, body
            return content_type, _Leased(body, stack.pop_all())
        raise AssertionError("unreachable")  # pragma: no cover (mypy: ExitStack may swallow)

    def select(self, query: str, options: QueryOptions | None = None) -> list[dict[str, Node]]:
        with self._lease() as generation:
            return generation.store.select(query, options)

    def ask(self, query: str, options: QueryOptions | None = None) -> bool:
        with self._lease() as generation:
            return generation.store.ask(query, options)

    def construct(self, query: str, options: QueryOptions | None = None) -> Graph:
        with self._lease() as generation:
            return generation.store.construct(query, options)

    def graph_sizes(self) -> dict[str, int]:
        with self._lease() as generation:
            return generation.store.graph_sizes()

    def update(self, update: str, timeout_s: float | None = None) -> None:
        """Journal ``update`` (on disk, fsync'd), then apply it; a failed one is taken back."""
        with self._update_lock, self._lease() as generation:
            journal = generation.journal
            if journal is not None:
                journal.append(update)
            try:
                self._apply(generation.store, update, timeout_s)
            except BaseException:
                if journal is not None:
                    journal.drop_last()
                raise

    def ping(self, timeout_s: float = 5.0) -> None:
        with self._lease() as generation:
            ping: Any = getattr(generation.store, "ping", None)
            if ping is not None:
                ping(timeout_s)

    @property
    def stops(self) -> dict[str, int]:
        """Query workers stopped by the current store, by reason (timeout, memory, crash)."""
        return dict(getattr(self._generation.store, "stops", {}))
