"""Operations: Prometheus metrics at ``/metrics`` and one JSON log line per request.

Metrics (text exposition format 0.0.4), labelled by route (the URL rule, so one series per
endpoint, not per IRI):

* ``cdkg_http_requests_total{route,method,status}``
* ``cdkg_http_request_duration_seconds{route}`` — histogram
* ``cdkg_http_errors_total{route,kind}`` — kind ``client`` (4xx) or ``server`` (5xx)
* ``cdkg_query_timeouts_total{route}``
* ``cdkg_query_worker_stops_total{reason}`` — query workers stopped and replaced: ``timeout``,
  ``memory`` (the memory bound), ``crash``; for the build being served
* ``cdkg_client_concurrency_refused_total`` — requests answered 429 because their client had
  its limit of requests running
* ``cdkg_builds_reloaded_total`` — newly published builds taken up without a restart

The access log goes to the ``cdkg.server.access`` logger, one JSON object per line with
``ts, client, method, path, route, status, bytes, ms`` (no query text: it may be large or
private; the route and status say what happened).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime

from flask import Blueprint, Response

from .context import current_store, extension
from .result_cache import RESULT_CACHE_KEY

blueprint = Blueprint("metrics", __name__)
METRICS_KEY = "cdkg.metrics"
CONCURRENCY_KEY = "cdkg.concurrency"
access_log = logging.getLogger("cdkg.server.access")

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


def _labels(**labels: str) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return "{" + ",".join(f'{k}="{escape(v)}"' for k, v in labels.items()) + "}"


class Metrics:
    """Thread-safe counters and a latency histogram per route."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: Counter[tuple[str, str, str]] = Counter()
        self._errors: Counter[tuple[str, str]] = Counter()
        self._timeouts: Counter[str] = Counter()
        self._buckets: dict[str, list[int]] = {}
        self._sums: dict[str, float] = {}
        self._counts: Counter[str] = Counter()

    def observe(self, route: str, method: str, status: int, seconds: float, timeout: bool) -> None:
        with self._lock:
            self._requests[(route, method, str(status))] += 1
            if status >= 400:
                self._errors[(route, "server" if status >= 500 else "client")] += 1
            if timeout:
                self._timeouts[route] += 1
            buckets = self._buckets.setdefault(route, [0] * len(BUCKETS))
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    buckets[index] += 1
            self._sums[route] = self._sums.get(route, 0.0) + seconds
            self._counts[route] += 1

    def render(self) -> str:
        """The metrics in Prometheus text format."""
        lines: list[str] = []
        with self._lock:
            lines += [
                "# HELP cdkg_http_requests_total HTTP requests by route, method and status.",
                "# TYPE cdkg_http_requests_total counter",
            ]
            for (route, method, status), n in sorted(self._requests.items()):
                labels = _labels(route=route, method=method, status=status)
                lines.append(f"cdkg_http_requests_total{labels} {n}")
            lines += [
                "# HELP cdkg_http_errors_total Error answers by route (client 4xx, server 5xx).",
                "# TYPE cdkg_http_errors_total counter",
            ]
            for (route, kind), n in sorted(self._errors.items()):
                lines.append(f"cdkg_http_errors_total{_labels(route=route, kind=kind)} {n}")
            lines += [
                "# HELP cdkg_query_timeouts_total Queries stopped at the timeout, by route.",
                "# TYPE cdkg_query_timeouts_total counter",
            ]
            for route, n in sorted(self._timeouts.items()):
                lines.append(f"cdkg_query_timeouts_total{_labels(route=route)} {n}")
            lines += [
                "# HELP cdkg_http_request_duration_seconds Time to answer, by route.",
                "# TYPE cdkg_http_request_duration_seconds histogram",
            ]
            name = "cdkg_http_request_duration_seconds"
            for route, buckets in sorted(self._buckets.items()):
                for bound, n in zip(BUCKETS, buckets, strict=True):
                    lines.append(f"{name}_bucket{_labels(route=route, le=repr(bound))} {n}")
                count = self._counts[route]
                lines.append(f"{name}_bucket{_labels(route=route, le='+Inf')} {count}")
                lines.append(f"{name}_sum{_labels(route=route)} {self._sums.get(route, 0.0):.6f}")
                lines.append(f"{name}_count{_labels(route=route)} {count}")
        return "\n".join(lines) + "\n"


def log_request(
    client: str | None,
    method: str,
    path: str,
    route: str,
    status: int,
    size: int | None,
    seconds: float,
) -> None:
    """Write the access-log line of one request."""
    if not access_log.isEnabledFor(logging.INFO):
        return
    record = {
        "ts": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "client": client,
        "method": method,
        "path": path,
        "route": route,
        "status": status,
        "bytes": size,
        "ms": round(seconds * 1000, 2),
    }
    access_log.info(json.dumps(record, ensure_ascii=False))


def render_limits(stops: Mapping[str, int], refused: int, reloads: int) -> str:
    """The workers' stops, the per-client refusals and the reloads in Prometheus text format.

    >>> print(render_limits({"memory": 1}, 2, 0), end="")  # doctest: +ELLIPSIS
    # HELP cdkg_query_worker_stops_total ...
    # TYPE cdkg_query_worker_stops_total counter
    cdkg_query_worker_stops_total{reason="crash"} 0
    cdkg_query_worker_stops_total{reason="memory"} 1
    cdkg_query_worker_stops_total{reason="timeout"} 0
    ...
    cdkg_client_concurrency_refused_total 2
    ...
    cdkg_builds_reloaded_total 0
    """
    name = "cdkg_query_worker_stops_total"
    lines = [
        f"# HELP {name} Query workers stopped and replaced, by reason.",
        f"# TYPE {name} counter",
    ]
    for reason in ("crash", "memory", "timeout"):
        lines.append(f"{name}{_labels(reason=reason)} {stops.get(reason, 0)}")
    for name, text, value in (
        ("cdkg_client_concurrency_refused_total", "Requests over the per-client limit.", refused),
        ("cdkg_builds_reloaded_total", "New builds served without a restart.", reloads),
    ):
        lines += [f"# HELP {name} {text}", f"# TYPE {name} counter", f"{name} {value}"]
    return "\n".join(lines) + "\n"


@blueprint.route("/metrics", methods=["GET"])
def metrics() -> Response:
    store = current_store()
    limits = render_limits(
        getattr(store, "stops", {}),
        extension(CONCURRENCY_KEY).refused,
        getattr(store, "reloads", 0),
    )
    body = extension(METRICS_KEY).render() + extension(RESULT_CACHE_KEY).render() + limits
    return Response(body, content_type="text/plain; version=0.0.4; charset=utf-8")


def now() -> float:
    return time.perf_counter()
