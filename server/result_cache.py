"""Answers to queries kept in memory, for a dataset that does not change while it is served.

A published dataset is immutable (a new build is a new version), so the answer to the same
query text, with the same dataset clauses and in the same format, is the same bytes until the
version changes. At national scale an aggregate over every duty takes seconds in the
embedded store; the UI's examples, the named queries and the report ask the same questions
again and again. The cache is keyed on the dataset version (the same key as the ETag), so a
new build or a changed upstream never serves an old answer; it is bounded in bytes and
forgets the least recently used answers first. Answers larger than a quarter of the budget
are not kept, so one large export cannot push every other answer out. Only a read-only
server caches (an update would change the data under the key).
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass

log = logging.getLogger(__name__)

RESULT_CACHE_KEY = "cdkg.result_cache"


@dataclass(frozen=True)
class CachedAnswer:
    content_type: str
    body: bytes


class ResultCache:
    """A thread-safe least-recently-used map from a key to an answer, bounded in bytes."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[str, CachedAnswer] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_bytes > 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._answers)

    def get(self, key: str) -> CachedAnswer | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: str, answer: CachedAnswer) -> bool:
        """Keep ``answer``; False when it is too large to keep."""
        size = len(answer.body)
        if not self.enabled or size > self.max_bytes // 4:
            return False
        with self._lock:
            previous = self._answers.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.body)
            self._answers[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._answers.popitem(last=False)
                self._bytes -= len(dropped.body)
        return True

    def render(self) -> str:
        """The cache's counters in Prometheus text format (appended to /metrics)."""
        with self._lock:
            values = (self.hits, self.misses, len(self._answers), self._bytes)
        rows = [
            ("cdkg_result_cache_hits_total", "counter", "Queries answered from the cache."),
            ("cdkg_result_cache_misses_total", "counter", "Queries the store had to run."),
            ("cdkg_result_cache_entries", "gauge", "Answers held."),
            ("cdkg_result_cache_bytes", "gauge", "Bytes of the answers held."),
        ]
        lines = []
        for (name, kind, text), value in zip(rows, values, strict=True):
            lines += [f"# HELP {name} {text}", f"# TYPE {name} {kind}", f"{name} {value}"]
        return "\n".join(lines) + "\n"


class KeptWhileStreamed:
    """The pieces of a streamed answer, passed on as they come and kept in ``cache`` under
    ``key`` once complete — unless they grow past what the cache keeps of one answer (a
    quarter of its budget): then they are let go, and the server holds one piece at a time.

    An error from the pieces (the timeout, the row cap, the memory bound, after the first
    piece was sent) is logged and raised on: the WSGI server then closes the connection
    without ending the chunked body, so the client sees an incomplete answer, never a short
    one that looks whole."""

    def __init__(
        self, pieces: Iterator[bytes], cache: ResultCache, key: str, content_type: str
    ) -> None:
        self._pieces, self._cache, self._key, self._type = pieces, cache, key, content_type
        self._kept: list[bytes] | None = [] if cache.enabled else None
        self._size = 0

    def __iter__(self) -> KeptWhileStreamed:
        return self

    def __next__(self) -> bytes:
        try:
            piece = next(self._pieces)
        except StopIteration:
            if self._kept is not None:
                self._cache.put(self._key, CachedAnswer(self._type, b"".join(self._kept)))
                self._kept = None
            raise
        except Exception as error:
            log.warning("a streamed answer was cut after %d bytes: %s", self._size, error)
            raise
        self._size += len(piece)
        if self._kept is not None:
            if self._size > self._cache.max_bytes // 4:
                self._kept = None
            else:
                self._kept.append(piece)
        return piece

    def close(self) -> None:
        close = getattr(self._pieces, "close", None)
        if close is not None:
            close()
