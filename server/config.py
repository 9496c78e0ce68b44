"""The server's settings: one frozen dataclass, defaults safe for a public endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from cdkg.ontology.namespace import DEFAULT_BASE
from cdkg.paths import ProjectPaths


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server instance.

    Limits and what a client sees when it hits them (see docs/endpoint.md):

    * ``query_timeout_s`` — a query running longer is killed and answered 503 with a message;
      enforced only when the store runs queries in worker processes (``cdkg.server.workers``).
      ``None`` disables it.
    * ``max_rows`` — a SELECT with more rows, or a CONSTRUCT/DESCRIBE with more triples, is
      answered 400 "result too large" (never silently truncated). ``None`` disables it.
    * ``max_body_bytes`` — a request body over this size is answered 413.
    * ``admin_token`` — ``None`` keeps the endpoint read-only (SPARQL Update answered 403);
      otherwise updates are accepted with ``Authorization: Bearer <token>``.
    * ``rate_limit_per_minute`` / ``rate_limit_burst`` — a token bucket per client address,
      answered 429 with ``Retry-After``; loopback clients are exempt unless
      ``rate_limit_loopback`` (so a local ``cdkg serve`` is never throttled). ``None`` = off.
    * ``allow_service`` — SERVICE makes the engine call another server; refused (400) unless set.
    * ``result_cache_bytes`` — answers kept in memory for a read-only server, keyed on the
      dataset version (``cdkg.server.result_cache``); answered with ``X-Cache: hit``. 0 = off.
    """

    base: str = DEFAULT_BASE
    query_timeout_s: float | None = 30.0
    max_rows: int | None = 100_000
    max_body_bytes: int = 1_000_000
    admin_token: str | None = None
    rate_limit_per_minute: int | None = 600
    rate_limit_burst: int = 60
    rate_limit_loopback: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    allow_service: bool = False
    cache_max_age_s: int = 300
    result_cache_bytes: int = 128 * 1024 * 1024
    search_default_limit: int = 20
    search_max_limit: int = 200
    paths: ProjectPaths | None = None

    @property
    def read_only(self) -> bool:
        return not self.admin_token
