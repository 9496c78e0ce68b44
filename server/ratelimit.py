"""A per-client rate limit: a token bucket per client address.

A client may make ``burst`` requests at once and ``per_minute`` a minute on average; past
that it is answered 429 with ``Retry-After``. Loopback clients are exempt unless
``limit_loopback`` — so a local ``cdkg serve`` (and its load test) is never throttled, while a
server exposed on a public address is. Behind a reverse proxy every client is the proxy:
limit at the proxy instead.

>>> limiter = RateLimiter(per_minute=60, burst=2)
>>> [limiter.retry_after("203.0.113.9", now=0.0) for _ in range(3)]
[None, None, 1.0]
"""

from __future__ import annotations

import ipaddress
import threading
import time


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

    def _exempt(self, client: str) -> bool:
        if self._limit_loopback:
            return False
        try:
            return ipaddress.ip_address(client).is_loopback
        except ValueError:
            return False

    def retry_after(self, client: str | None, now: float | None = None) -> float | None:
        """None if ``client`` may proceed (and count it), else seconds until it may."""
        if not self._enabled or client is None or self._exempt(client):
            return None
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
