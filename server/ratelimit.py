"""Per-client limits: a token bucket (requests per minute) and a concurrency limit (requests
running at once), both keyed by client address.

A client may make ``burst`` requests at once and ``per_minute`` a minute on average; past
that it is answered 429 with ``Retry-After``. Independently, it may have at most
``ConcurrencyLimiter.limit`` requests running at once — by default every query worker but one,
so that one client can never hold every worker and a cheap query from anyone else always
finds one free (issue 12: two slow queries made a trivial ASK wait 29.5 s). A request over
that limit is answered 429 at once rather than made to wait: a waiting request would hold one
of the server's threads, which is the same starvation one level up, and the client knows
best whether to retry.

Loopback clients are exempt from both unless ``limit_loopback`` — so a local ``cdkg serve``
(and its load test) is never throttled, while a server exposed on a public address is. Behind
a reverse proxy every client is the proxy: limit at the proxy instead.

>>> limiter = RateLimiter(per_minute=60, burst=2)
>>> [limiter.retry_after("203.0.113.9", now=0.0) for _ in range(3)]
[None, None, 1.0]
>>> slots = ConcurrencyLimiter(limit=1)
>>> slots.enter("203.0.113.9"), slots.enter("203.0.113.9"), slots.enter("198.51.100.7")
(True, False, True)
>>> slots.leave("203.0.113.9"); slots.enter("203.0.113.9")
True
"""

from __future__ import annotations

import ipaddress
import threading
import time
from collections import Counter


def is_exempt(client: str | None, limit_loopback: bool) -> bool:
    """No limit applies to ``client``: unknown, or on loopback when loopback is not limited.

    >>> is_exempt("127.0.0.1", False), is_exempt("127.0.0.1", True), is_exempt("::1", False)
    (True, False, True)
    """
    if client is None:
        return True
    if limit_loopback:
        return False
    try:
        return ipaddress.ip_address(client).is_loopback
    except ValueError:
        return False


class RateLimiter:
    """Token buckets keyed by client address (thread-safe)."""

    def __init__(
        self,
        per_minute: int | None,
        burst: int,
        limit_loopback: bool = False,
        max_clients: int = 10_000,
    ) -> None:
        self._rate = (per_minute or 0) / 60.0
        self._burst = float(max(1, burst))
        self._enabled = bool(per_minute)
        self._limit_loopback = limit_loopback
        self._max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, client: str | None, now: float | None = None) -> float | None:
        """None if ``client`` may proceed (and count it), else seconds until it may."""
        if not self._enabled or is_exempt(client, self._limit_loopback):
            return None
        assert client is not None
        now = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.get(client, (self._burst, now))
            tokens = min(self._burst, tokens + (now - last) * self._rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                self._prune(now)
                return None
            self._buckets[client] = (tokens, now)
            return round((1.0 - tokens) / self._rate, 1) if self._rate else 60.0

    def _prune(self, now: float) -> None:
        """Forget clients whose buckets have refilled, when there are too many."""
        if len(self._buckets) <= self._max_clients:
            return
        full_after = self._burst / self._rate if self._rate else 0.0
        for client, (_, last) in list(self._buckets.items()):
            if now - last >= full_after:
                del self._buckets[client]


class ConcurrencyLimiter:
    """How many requests each client address has running; ``limit`` at most (thread-safe).

    ``limit`` None or 0 turns it off. Every ``enter`` that returned True is followed by one
    ``leave`` (the app calls it when the request ends, whatever the outcome)."""

    def __init__(self, limit: int | None, limit_loopback: bool = False) -> None:
        self.limit = limit or None
        self._limit_loopback = limit_loopback
        self._running: Counter[str] = Counter()
        self._lock = threading.Lock()
        self.refused = 0

    def applies(self, client: str | None) -> bool:
        return self.limit is not None and not is_exempt(client, self._limit_loopback)

    def enter(self, client: str | None) -> bool:
        """Count a request of ``client`` as running; False (and not counted) when the client
        already has ``limit`` running."""
        if not self.applies(client):
            return True
        assert client is not None and self.limit is not None
        with self._lock:
            if self._running[client] >= self.limit:
                self.refused += 1
                return False
            self._running[client] += 1
            return True

    def leave(self, client: str | None) -> None:
        if not self.applies(client):
            return
        assert client is not None
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]

    def running(self, client: str) -> int:
        with self._lock:
            return self._running[client]
