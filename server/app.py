"""The app factory: ``create_app(store, config)`` wires the routes to one store.

Route modules, each a blueprint with one job: ``protocol`` (/sparql), ``dataset_routes``
(/.well-known/void, /downloads, /healthz), ``search`` (/search), ``metrics`` (/metrics), and —
when present — ``ui`` (/) and ``linked_data`` (instance IRIs). Cross-cutting behaviour runs in
request hooks here: rate limit before, then CORS, gzip, metrics and the access log after.

>>> from cdkg.server.stores import OxigraphStore
>>> import pyoxigraph
>>> app = create_app(OxigraphStore(pyoxigraph.Store(), "v0"), ServerConfig())
>>> app.test_client().get("/healthz").status_code
200
"""

from __future__ import annotations

import importlib
import time

from flask import Flask, Response, g, request
from werkzeug.exceptions import TooManyRequests

from . import dataset_routes, metrics, protocol, search
from .config import ServerConfig
from .context import CONFIG_KEY, STORE_KEY
from .dataset_routes import DOWNLOADS_KEY, Downloads
from .errors import register_error_handlers
from .metrics import METRICS_KEY, Metrics, log_request
from .ratelimit import RateLimiter
from .result_cache import RESULT_CACHE_KEY, ResultCache
from .search import INDEX_KEY, SearchIndex
from .store import Store
from .transport import cors, gzip_response

RATELIMIT_KEY = "cdkg.ratelimit"
OPTIONAL_BLUEPRINTS = ("ui", "linked_data", "reports")
_UNLIMITED_PATHS = frozenset({"/healthz", "/metrics"})


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
        config.rate_limit_per_minute, config.rate_limit_burst, config.rate_limit_loopback
    )
    app.extensions[INDEX_KEY] = SearchIndex(store, config.query_timeout_s)
    app.extensions[RESULT_CACHE_KEY] = ResultCache(
        config.result_cache_bytes if config.read_only else 0
    )
    current = config.paths.current if config.paths is not None else None
    app.extensions[DOWNLOADS_KEY] = Downloads(current if current and current.is_dir() else None)

    register_error_handlers(app)
    for module in (protocol, dataset_routes, search, metrics):
        app.register_blueprint(module.blueprint)
    for name in OPTIONAL_BLUEPRINTS:
        try:
            optional = importlib.import_module(f"cdkg.server.{name}")
        except ModuleNotFoundError as error:
            if error.name != f"cdkg.server.{name}":
                raise
            continue
        app.register_blueprint(optional.blueprint)

    _install_hooks(app, config)
    return app


def _install_hooks(app: Flask, config: ServerConfig) -> None:
    limiter: RateLimiter = app.extensions[RATELIMIT_KEY]
    recorder: Metrics = app.extensions[METRICS_KEY]

    @app.before_request
    def start() -> None:
        g.cdkg_started = time.perf_counter()
        if request.path in _UNLIMITED_PATHS:
            return
        wait = limiter.retry_after(request.remote_addr)
        if wait is not None:
            raise TooManyRequests(
                f"too many requests from {request.remote_addr}; retry in {wait:g} s",
                retry_after=max(1, round(wait)),
            )

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
            response.calculate_content_length(),
            seconds,
        )
        return response

    @app.after_request
    def compress(response: Response) -> Response:
        return gzip_response(request, response)

    @app.after_request
    def allow_origins(response: Response) -> Response:
        return cors(request, response, config.cors_origins)
