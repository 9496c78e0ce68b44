"""A bounded load test of a running cdkg endpoint (not part of pytest).

N concurrent clients (default 8) send M requests in all (default 2,000), cycling through the
named queries of queries/ with their default parameters, over GET, POST form and POST direct,
in the result formats each query form allows. Every answer must be 200; the script prints
p50/p90/p99/max latency, throughput and the errors, and exits 1 if there was any error.

    cdkg serve &                                   # or: python -m cdkg serve
    python benchmarks/load_test.py --url http://127.0.0.1:8000

``--overhead`` instead measures what running queries in worker processes (the timeout
mechanism, cdkg.server.store.workers) costs per call, against the same store in process:

    python benchmarks/load_test.py --overhead build/current/dataset.nq
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import statistics
import sys
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cdkg.queries.library import NamedQuery, load_library
from cdkg.server.store.sparql_text import analyse

ROOT = Path(__file__).resolve().parent.parent
RESULT_TYPES = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/ld+json"]
METHODS = ["GET", "POST-form", "POST-direct"]


@dataclass(frozen=True)
class Call:
    name: str
    method: str
    accept: str
    query: str


def plan(library: dict[str, NamedQuery], total: int) -> list[Call]:
    """``total`` calls cycling through queries × methods × formats, deterministically."""
    combos = []
    for name, named in sorted(library.items()):
        form = analyse(named.text).form
        types = GRAPH_TYPES if form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES
        combos += [Call(name, m, t, named.text) for m in METHODS for t in types]
    if not combos:
        raise SystemExit("no named queries in queries/: nothing to send")
    return list(itertools.islice(itertools.cycle(combos), total))


def send(connection: http.client.HTTPConnection, call: Call) -> tuple[int, int]:
    """One request; (status, body bytes)."""
    headers = {"Accept": call.accept, "Accept-Encoding": "gzip"}
    if call.method == "GET":
        path = "/sparql?" + urllib.parse.urlencode({"query": call.query})
        connection.request("GET", path, headers=headers)
    elif call.method == "POST-form":
        body = urllib.parse.urlencode({"query": call.query}).encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request("POST", "/sparql", body=body, headers=headers)
    else:
        headers["Content-Type"] = "application/sparql-query"
        connection.request("POST", "/sparql", body=call.query.encode(), headers=headers)
    response = connection.getresponse()
    return response.status, len(response.read())


def run(url: str, calls: list[Call], clients: int, timeout: float) -> int:
    parsed = urllib.parse.urlsplit(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 80
    pending = iter(enumerate(calls))
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[str] = Counter()
    per_query: dict[str, list[float]] = {}

    def client() -> None:
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                break
            _, call = item
            started = time.perf_counter()
            try:
                status, _ = send(connection, call)
                outcome = str(status)
            except (OSError, http.client.HTTPException) as error:
                outcome = type(error).__name__
                connection.close()
                connection = http.client.HTTPConnection(host, port, timeout=timeout)
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                statuses[outcome] += 1
                per_query.setdefault(call.name, []).append(elapsed)
        connection.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started

    latencies.sort()
    errors = sum(n for status, n in statuses.items() if status != "200")

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000

    print(f"endpoint        {url}")
    print(f"clients         {clients}")
    print(f"requests        {len(latencies)} in {wall:.1f} s ({len(latencies) / wall:.0f}/s)")
    print(
        f"latency (ms)    p50 {pct(0.50):.1f}  p90 {pct(0.90):.1f}  p99 {pct(0.99):.1f}"
        f"  max {latencies[-1] * 1000:.1f}"
    )
    print(f"statuses        {dict(sorted(statuses.items()))}")
    print(f"errors          {errors}")
    for name, times in sorted(per_query.items()):
        print(f"  {name:32} n={len(times):5}  p50 {statistics.median(times) * 1000:.1f} ms")
    return 1 if errors else 0


def overhead(dataset: Path, library: dict[str, NamedQuery], repeat: int) -> int:
    """Per-call cost of the worker pool versus the same store in process."""
    from cdkg.server.store import QueryOptions
    from cdkg.server.store.engines import OxigraphStore, StoreSpec
    from cdkg.server.store.workers import WorkerPoolStore

    started = time.perf_counter()
    local = OxigraphStore.from_file(dataset)
    loaded = time.perf_counter() - started
    started = time.perf_counter()
    pool = WorkerPoolStore(StoreSpec(dataset=dataset), size=2)
    pooled = time.perf_counter() - started
    print(f"load in process {loaded * 1000:.0f} ms; start 2 workers {pooled * 1000:.0f} ms")
    queries = {"ask-trivial": "ASK {}"} | {n: q.text for n, q in sorted(library.items())}
    options = QueryOptions(timeout_s=30.0, max_rows=100_000)
    try:
        for name, text in queries.items():
            form = analyse(text).form
            media = "text/turtle" if form in ("CONSTRUCT", "DESCRIBE") else RESULT_TYPES[0]
            row = [name]
            for store in (local, pool):
                times = []
                for _ in range(repeat):
                    t0 = time.perf_counter()
                    store.execute(text, media, options)
                    times.append(time.perf_counter() - t0)
                times.sort()
                row.append(f"{statistics.median(times) * 1e3:.3f}")
                row.append(f"{times[int(0.99 * (len(times) - 1))] * 1e3:.3f}")
            print("{:24} in-process p50 {} ms p99 {} ms | workers p50 {} ms p99 {} ms".format(*row))
    finally:
        pool.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--timeout", type=float, default=60.0, help="per request, seconds")
    parser.add_argument("--queries", type=Path, default=ROOT / "queries")
    parser.add_argument("--overhead", type=Path, metavar="DATASET", help="measure worker cost")
    parser.add_argument("--repeat", type=int, default=300, help="calls per query (--overhead)")
    args = parser.parse_args(argv)
    library = load_library(args.queries)
    if args.overhead:
        return overhead(args.overhead, library, args.repeat)
    return run(args.url.rstrip("/"), plan(library, args.requests), args.clients, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
