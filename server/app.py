"""The app factory: ``create_app(store, config)`` wires the routes to one store.

Route modules, each a blueprint with one job: ``protocol`` (/sparql), ``dataset_routes``
(/.well-known/void, /downloads, /healthz), ``search`` (/search), ``metrics`` (/metrics), ``ui``
(/), ``linked_data`` (instance IRIs) and ``report_routes`` (/report, /reports). Cross-cutting
behaviour runs in request hooks here: rate limit and per-client concurrency before, then CORS, gzip,
metrics and the access log after.

>>> from cdkg.server.store.engines import OxigraphStore
>>> import pyoxigraph
>>> app = create_app(OxigraphStore(pyoxigraph.Store(), "v0"), ServerConfig())
>>> app.test_client().get("/healthz").status_code
200
"""

from __future__ import annotations

import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import TooManyRequests

from . import dataset_routes, linked_data, metrics, protocol, report_routes, search, ui
from .config import ServerConfig, default_client_concurrency
from .context import CONFIG_KEY, STORE_KEY
from .dataset_routes import DOWNLOADS_KEY, Downloads
from .errors import plain_error, register_error_handlers
from .headers import secure
from .metrics import CONCURRENCY_KEY, METRICS_KEY, Metrics, log_request
from .ratelimit import ConcurrencyLimiter, RateLimiter
from .result_cache import RESULT_CACHE_KEY, ResultCache
from .search import INDEX_KEY, SearchIndex
from .store import Store
from .store.workers import MemoryBoundReached
from .transport import check_host, cors, gzip_response

RATELIMIT_KEY = "cdkg.ratelimit"
_UNLIMITED_PATHS = frozenset({"/healthz", "/metrics"})
_UNLIMITED_PREFIXES = ("/static/",)  # files only: a page's scripts load in parallel


def create_app(store: Store, config: ServerConfig) -> Flask:
    """A Flask app serving ``store`` with ``config``."""
    app = Flask("cdkg.server")
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.config["MAX_FORM_MEMORY_SIZE"] = config.max_body_bytes
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.extensions[STORE_KEY] = store
    app.extensions[CONFIG_KEY] = config
    app.extensions[METRICS_KEY] = Metrics()
    app.extensions[RATELIMIT_KEY] = RateLimiter(
        config.rate_limit_per_minute, config.rate_limit_burst, config.limit_loopback
    )
    app.extensions[CONCURRENCY_KEY] = ConcurrencyLimiter(
        _client_concurrency(store, config), config.limit_loopback
    )
    app.extensions[INDEX_KEY] = SearchIndex(store, config.query_timeout_s)
    app.extensions[RESULT_CACHE_KEY] = ResultCache(
        config.result_cache_bytes if config.read_only else 0
    )
    current = config.paths.current if config.paths is not None else None
    app.extensions[DOWNLOADS_KEY] = Downloads(current if current and current.is_dir() else None)

    register_error_handlers(app)
    app.before_request(check_host)  # one well-formed Host, before it can reach an answer
    app.register_error_handler(MemoryBoundReached, _memory_bound_reached)
    for module in (protocol, dataset_routes, search, metrics, ui, linked_data, report_routes):
        app.register_blueprint(module.blueprint)

    _install_hooks(app, config)
    return app


def _client_concurrency(store: Store, config: ServerConfig) -> int | None:
    """The configured per-client limit, else every query worker of ``store`` but one (no
    limit for an in-process store)."""
    if config.client_concurrency is not None:
        return config.client_concurrency
    workers = int(getattr(store, "size", 0))
    return default_client_concurrency(workers) if workers > 0 else None


def _memory_bound_reached(error: MemoryBoundReached) -> Response:
    return plain_error(503, f"503 Memory bound reached: {error}")


def _install_hooks(app: Flask, config: ServerConfig) -> None:
    limiter: RateLimiter = app.extensions[RATELIMIT_KEY]
    slots: ConcurrencyLimiter = app.extensions[CONCURRENCY_KEY]
    recorder: Metrics = app.extensions[METRICS_KEY]

    @app.before_request
    def start() -> None:
        g.cdkg_started = time.perf_counter()
        if request.path in _UNLIMITED_PATHS or request.path.startswith(_UNLIMITED_PREFIXES):
            return
        client = request.remote_addr
        wait = limiter.retry_after(client)
        if wait is not None:
            raise TooManyRequests(
                f"too many requests from {client}; retry in {wait:g} s · "
                f"{client} 请求过于频繁，请 {wait:g} 秒后重试",
                retry_after=max(1, round(wait)),
            )
        if not slots.enter(client):
            raise TooManyRequests(
                f"{client} already has {slots.limit} request(s) running, the limit per client "
                "(--client-concurrency); send the next when one has finished · "
                f"{client} 已有 {slots.limit} 个请求在运行（每个客户端的上限），请等其完成后再发送",
                retry_after=1,
            )
        g.cdkg_slot = client

    @app.teardown_request
    def leave(error: BaseException | None) -> None:
        if "cdkg_slot" in g:
            slots.leave(g.pop("cdkg_slot"))

    @app.after_request
    def hold_while_streaming(response: Response) -> Response:
        """A streamed answer keeps its client's slot (and its query worker) until its last
        piece is sent: the request itself ends before its body is written."""
        if response.is_streamed and "cdkg_slot" in g:
            client = g.pop("cdkg_slot")
            response.call_on_close(lambda: slots.leave(client))
        return response

    # after_request hooks run in reverse order: record (last) sees the final response.
    @app.after_request
    def record(response: Response) -> Response:
        started = g.get("cdkg_started")
        seconds = time.perf_counter() - started if started is not None else 0.0
        route = request.url_rule.rule if request.url_rule is not None else "(unmatched)"
        timeout = bool(g.get("cdkg_timeout"))
        recorder.observe(route, request.method, response.status_code, seconds, timeout)
        log_request(
            request.remote_addr,
            request.method,
            request.path,
            route,
            response.status_code,
            None if response.is_streamed else response.calculate_content_length(),  # it reads
            seconds,
        )
        return response

    @app.after_request
    def compress(response: Response) -> Response:
        return gzip_response(request, response)

    @app.after_request
    def allow_origins(response: Response) -> Response:
        return cors(request, response, config.cors_origins)

    @app.after_request
    def security_headers(response: Response) -> Response:
        return secure(response)
