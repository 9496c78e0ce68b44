"""The server's settings: one frozen dataclass, defaults safe for a public endpoint, and the
``cdkg serve`` options and environment variables that set them (``SERVE_OPTIONS``)."""

from __future__ import annotations

import contextlib
import functools
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

from cdkg.loaders import machine
from cdkg.loaders.layout import ProjectPaths
from cdkg.ontology.namespace import DEFAULT_BASE

GIB = 1 << 30
MIB = 1 << 20


@dataclass(frozen=True)
class ServerConfig:
    """Settings of one server instance.

    Limits and what a client sees when it hits them (see docs/endpoint.md):

    * ``query_timeout_s`` — a query running longer is killed and answered 503 with a message;
      enforced only when the store runs queries in worker processes (``cdkg.server.store.workers``).
      ``None`` disables it.
    * ``max_rows`` — a SELECT with more rows, or a CONSTRUCT/DESCRIBE with more triples, is
      answered 400 "result too large" (never silently truncated). ``None`` disables it.
    * ``max_memory_bytes`` — the memory bound of each query worker; a query that reaches it is
      stopped and answered 503 "memory bound reached", and its worker is replaced. ``None``: the
      machine's default (``default_max_memory``); 0: no bound.
    * ``workers`` — query worker processes; ``None``: one per CPU, 2 to 4.
    * ``client_concurrency`` — requests one client address may have running at once; more are
      answered 429 at once (``Retry-After: 1``). ``None``: the workers less one (at least 1), so
      one client never holds every worker; 0: no limit.
    * ``max_body_bytes`` — a request body over this size is answered 413.
    * ``admin_token`` — ``None`` keeps the endpoint read-only (SPARQL Update answered 403);
      otherwise updates are accepted with ``Authorization: Bearer <token>``.
    * ``rate_limit_per_minute`` / ``rate_limit_burst`` — a token bucket per client address,
      answered 429 with ``Retry-After``. ``None`` = off.
    * ``limit_loopback`` — apply the rate and concurrency limits to loopback clients too; off by
      default, so a local ``cdkg serve`` (and its load test) is never throttled.
    * ``public_url`` — the server's root URL as clients reach it (``https://cdkg.example/``);
      the endpoint's IRI in answers (sd:endpoint, the base IRI of relative IRIs in queries)
      is built from it. ``None``: from the request's Host header, which must then be one
      well-formed host (else 400).
    * ``result_cache_bytes`` — answers kept in memory for a read-only server, keyed on the
      dataset version (``cdkg.server.result_cache``); answered with ``X-Cache: hit``. 0 = off.
    * ``reload_check_s`` — how often (at most) a request looks whether a new build was
      published (``cdkg.server.store.live``).
    * ``store_placement`` — where each query worker reads the data (pyoxigraph engine):
      ``memory`` (its own in-memory store, loaded from dataset.nq), ``disk`` (the store the
      build published, opened read-only) or ``auto``: memory for a dataset of at most
      ``IN_MEMORY_QUADS`` quads, else disk. pyoxigraph's in-memory store answers the named
      queries about 5× faster than its on-disk store (docs/benchmarks-profile.md), at the
      cost of memory and start-up time that grow with the data.
    """

    base: str = DEFAULT_BASE
    public_url: str | None = None
    query_timeout_s: float | None = 30.0
    max_rows: int | None = 100_000
    max_memory_bytes: int | None = None
    workers: int | None = None
    client_concurrency: int | None = None
    max_body_bytes: int = 1_000_000
    admin_token: str | None = None
    rate_limit_per_minute: int | None = 600
    rate_limit_burst: int = 60
    limit_loopback: bool = False
    cors_origins: tuple[str, ...] = ("*",)
    cache_max_age_s: int = 300
    result_cache_bytes: int = 128 * 1024 * 1024
    search_default_limit: int = 20
    search_max_limit: int = 200
    reload_check_s: float = 1.0
    store_placement: str = "auto"
    paths: ProjectPaths | None = None

    @property
    def read_only(self) -> bool:
        return not self.admin_token


# --- defaults sized for the machine --------------------------------------------------------


def default_workers() -> int:
    """Query workers: one per CPU, at least 2 (a slow query never blocks every other) and at
    most 4 (each holds its own store)."""
    return machine.default_workers(at_least=2, at_most=4)


def machine_memory() -> int | None:
    """Physical memory, or the container's memory limit when that is lower (cgroup v2
    ``memory.max`` or v1 ``memory.limit_in_bytes``); None when neither can be read."""
    sizes: list[int] = []
    with contextlib.suppress(ValueError, OSError):
        sizes.append(os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    for limit in ("memory.max", "memory/memory.limit_in_bytes"):
        try:
            text = (Path("/sys/fs/cgroup") / limit).read_text(encoding="ascii").strip()
        except OSError:
            continue
        if text.isdigit() and 0 < int(text) < 1 << 60:
            sizes.append(int(text))
    return min(sizes) if sizes else None


def default_max_memory(workers: int, memory: int | None = None) -> int:
    """The memory bound per query worker: 2 GiB, or a fair share of the machine's memory when
    that is less — the machine divided among the workers and one more share for the server
    process and everything else.

    >>> default_max_memory(2, memory=24 * GIB) == 2 * GIB
    True
    >>> default_max_memory(3, memory=4 * GIB) == GIB
    True
    """
    memory = machine_memory() if memory is None else memory
    if memory is None:
        return 2 * GIB
    return min(2 * GIB, memory // (max(1, workers) + 1))


def default_client_concurrency(workers: int) -> int:
    """Requests one client may run at once: every worker but one, so that another client
    always finds a free worker (at least 1).

    >>> default_client_concurrency(4), default_client_concurrency(2), default_client_concurrency(1)
    (3, 1, 1)
    """
    return max(1, workers - 1)


# --- parsing option values (pure) -----------------------------------------------------------

_SIZE = re.compile(r"(?P<number>\d+(?:\.\d+)?)\s*(?P<unit>[KMGT]?)(?:I?B)?", re.IGNORECASE)
_UNITS = {"": 1, "K": 1 << 10, "M": MIB, "G": GIB, "T": 1 << 40}
_OFF = frozenset({"0", "off", "none", "no"})
_Limit = TypeVar("_Limit")


def _off_is_none(parse: Callable[[str], _Limit]) -> Callable[[str], _Limit | None]:
    """``parse`` for a limit that ``0`` or ``off`` (``none``, ``no``) switches off: None.
    The text reaches ``parse`` stripped of surrounding white space."""

    @functools.wraps(parse)
    def parsed(text: str) -> _Limit | None:
        text = text.strip()
        return None if text.lower() in _OFF else parse(text)

    return parsed


@_off_is_none
def parse_size(text: str) -> int | None:
    """Bytes from ``2G``, ``512M``, ``1.5GiB``, ``300MB`` or a plain number (binary units);
    ``0`` or ``off`` is None (no bound). ValueError says what is accepted.

    >>> parse_size("2G") == 2 * GIB, parse_size("512m") == 512 * MIB, parse_size("off")
    (True, True, None)
    >>> parse_size("1.5GiB") == 3 * GIB // 2
    True
    >>> parse_size("lots")
    Traceback (most recent call last):
    ValueError: 'lots' is not a size like 2G, 512M or 300MB
    """
    match = _SIZE.fullmatch(text)
    if match is None:
        raise ValueError(f"{text!r} is not a size like 2G, 512M or 300MB")
    size = int(float(match["number"]) * _UNITS[match["unit"].upper()])
    return size or None


@_off_is_none
def parse_seconds(text: str) -> float:
    """Seconds (``30``, ``2.5``, ``30s``); ``0`` or ``off`` is None.

    >>> parse_seconds("30s"), parse_seconds("0.5"), parse_seconds("off")
    (30.0, 0.5, None)
    """
    try:
        seconds = float(text.lower().removesuffix("s"))
    except ValueError:
        raise ValueError(f"{text!r} is not a number of seconds") from None
    if not seconds > 0:  # also refuses nan
        raise ValueError(f"{text!r}: give a positive number of seconds, or 0 for none")
    return seconds


@_off_is_none
def parse_count(text: str) -> int:
    """A whole number ≥ 0; ``0`` or ``off`` is None (no limit).

    >>> parse_count("100000"), parse_count("100_000"), parse_count("off")
    (100000, 100000, None)
    """
    if not text.replace("_", "").isdigit():
        raise ValueError(f"{text!r} is not a whole number (0 or off for none)")
    return int(text)


def parse_positive(text: str) -> int:
    """A whole number ≥ 1.

    >>> parse_positive("3")
    3
    """
    count = parse_count(text)
    if count is None:
        raise ValueError(f"{text!r}: give a whole number of at least 1")
    return count


def parse_flag(text: str) -> bool:
    """yes/no, true/false, on/off, 1/0.

    >>> parse_flag("yes"), parse_flag("0")
    (True, False)
    """
    value = text.strip().lower()
    if value in ("1", "yes", "true", "on"):
        return True
    if value in ("0", "no", "false", "off", ""):
        return False
    raise ValueError(f"{text!r} is not yes or no")


STORE_PLACEMENTS = ("auto", "memory", "disk")
IN_MEMORY_QUADS = 2_000_000
"""``auto`` holds a dataset of at most this many quads in each worker's memory: the seeds
(about 22,000) and 300 generated jurisdictions (1.3 M; some 3 s to load per worker) are
held, 3,000 (16 M: minutes and gigabytes per worker) is read from disk."""


def parse_placement(text: str) -> str:
    """auto, memory or disk.

    >>> parse_placement(" Memory ")
    'memory'
    >>> parse_placement("ram")
    Traceback (most recent call last):
    ValueError: 'ram' is not one of auto, memory, disk
    """
    value = text.strip().lower()
    if value not in STORE_PLACEMENTS:
        raise ValueError(f"{text!r} is not one of {', '.join(STORE_PLACEMENTS)}")
    return value


def _text(text: str) -> str | None:
    return text or None


def parse_public_url(text: str) -> str | None:
    """An absolute http(s) URL without query or fragment: the server's root as clients
    reach it (behind a proxy), the base for relative IRIs and the service description's
    sd:endpoint instead of the request's Host.

    >>> parse_public_url("https://cdkg.example/kg")
    'https://cdkg.example/kg'
    >>> parse_public_url("cdkg.example")
    Traceback (most recent call last):
    ValueError: 'cdkg.example' is not an absolute http(s) URL without query or fragment
    """
    from urllib.parse import urlsplit

    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"{text!r} is not an absolute http(s) URL without query or fragment")
    return text


# --- the options of ``cdkg serve`` -----------------------------------------------------------


@dataclass(frozen=True)
class ServeOption:
    """One ``cdkg serve`` option: its flag, environment variable and ServerConfig field."""

    flag: str
    env: str
    field: str
    parse: Callable[[str], Any]
    default: str
    help: str
    metavar: str = "N"

    @property
    def dest(self) -> str:
        return self.flag.removeprefix("--").replace("-", "_")


SERVE_OPTIONS: tuple[ServeOption, ...] = (
    ServeOption(
        "--admin-token",
        "CDKG_ADMIN_TOKEN",
        "admin_token",
        _text,
        "none: read-only",
        "accept SPARQL Update with 'Authorization: Bearer TOKEN'; prefer the environment "
        "variable, a command line is visible to every user of the machine",
        "TOKEN",
    ),
    ServeOption(
        "--query-timeout",
        "CDKG_QUERY_TIMEOUT",
        "query_timeout_s",
        parse_seconds,
        "30",
        "seconds a query may run before it is stopped (503); 0: no timeout",
        "SECONDS",
    ),
    ServeOption(
        "--max-rows",
        "CDKG_MAX_ROWS",
        "max_rows",
        parse_count,
        "100000",
        "rows (or triples) an answer may have; more is a 400 'result too large'; 0: no cap",
    ),
    ServeOption(
        "--max-memory",
        "CDKG_MAX_MEMORY",
        "max_memory_bytes",
        parse_size,
        "2G, or the machine's memory / (workers + 1) when less",
        "memory bound of each query worker, e.g. 2G or 512M; a query reaching it is stopped "
        "(503) and the worker replaced; 0: no bound",
        "SIZE",
    ),
    ServeOption(
        "--workers",
        "CDKG_WORKERS",
        "workers",
        parse_positive,
        "one per CPU, 2 to 4",
        "query worker processes, each with its own copy of the store",
    ),
    ServeOption(
        "--client-concurrency",
        "CDKG_CLIENT_CONCURRENCY",
        "client_concurrency",
        parse_count,
        "workers - 1, at least 1",
        "requests one client address may have running at once; more are answered 429 at once; "
        "0: no limit",
    ),
    ServeOption(
        "--rate-limit",
        "CDKG_RATE_LIMIT",
        "rate_limit_per_minute",
        parse_count,
        "600",
        "requests per minute per client address (429 with Retry-After past it); 0: no limit",
    ),
    ServeOption(
        "--rate-burst",
        "CDKG_RATE_BURST",
        "rate_limit_burst",
        parse_positive,
        "60",
        "requests a client may make at once before the per-minute rate applies",
    ),
    ServeOption(
        "--public-url",
        "CDKG_PUBLIC_URL",
        "public_url",
        parse_public_url,
        "none: the request's own URL (Host checked)",
        "the server's root URL as clients reach it, e.g. behind a proxy "
        "(https://cdkg.example/): the base for relative IRIs and the service description's "
        "endpoint",
        "URL",
    ),
    ServeOption(
        "--store",
        "CDKG_STORE",
        "store_placement",
        parse_placement,
        f"auto: memory up to {IN_MEMORY_QUADS:,} quads, else disk",
        "where each query worker reads the data: memory (its own copy, loaded from "
        "dataset.nq; fastest) or disk (the published store, opened read-only)",
        "auto|memory|disk",
    ),
    ServeOption(
        "--limit-loopback",
        "CDKG_LIMIT_LOOPBACK",
        "limit_loopback",
        parse_flag,
        "no",
        "apply the rate and concurrency limits to clients on 127.0.0.1/::1 too",
        "yes|no",
    ),
)


def config_from_options(
    given: Mapping[str, str | None],
    environ: Mapping[str, str],
    base: ServerConfig | None = None,
) -> ServerConfig:
    """The ServerConfig for ``cdkg serve``: each option from its flag (``given``, keyed by
    ``ServeOption.dest``; None when absent), else its environment variable, else the default.
    ValueError names the flag or the variable and what is wrong.

    >>> config = config_from_options({"max_memory": "512M"}, {"CDKG_QUERY_TIMEOUT": "10"})
    >>> config.max_memory_bytes == 512 * MIB, config.query_timeout_s, config.max_rows
    (True, 10.0, 100000)
    >>> config_from_options({"max_memory": "0"}, {}).max_memory_bytes
    0
    >>> config_from_options({}, {"CDKG_WORKERS": "0"})
    Traceback (most recent call last):
    ValueError: CDKG_WORKERS: '0': give a whole number of at least 1
    """
    config = base or ServerConfig()
    known = {f.name for f in fields(ServerConfig)}
    changes: dict[str, Any] = {}
    for option in SERVE_OPTIONS:
        assert option.field in known, option.field
        value, source = given.get(option.dest), option.flag
        if value is None:
            value, source = environ.get(option.env), option.env
        if value is None:
            continue
        try:
            parsed = option.parse(value)
        except ValueError as error:
            raise ValueError(f"{source}: {error}") from None
        if option.field == "max_memory_bytes" and parsed is None:
            parsed = 0  # an explicit "no bound", not "the default"
        if option.field == "client_concurrency" and parsed is None:
            parsed = 0
        changes[option.field] = parsed
    return replace(config, **changes)
