"""Where the time of one /sparql request goes (a measurement, not part of the tests).

    .venv/bin/python benchmarks/overhead.py PROJECT [--repetitions 15] [--profile]

PROJECT is a built project folder (``benchmarks/run.py --work DIR`` leaves one in
DIR/size-real/project). Every named query of queries/ is timed, the median of
``--repetitions`` runs after a warm-up, at each layer of the request, the one below first:

1. ``engine``: pyoxigraph in this process on the published store, the answer written as
   SPARQL JSON by pyoxigraph — what ``oxigraph serve`` does, without HTTP;
2. ``store``: ``OxigraphStore.execute`` in this process (cdkg's writing of the answer);
3. ``worker``: ``WorkerPoolStore.execute`` (the round trip to a query worker);
4. ``flask``: a form POST through Flask's test client (routing, request hooks, the protocol,
   the text check, negotiation; result cache off);
5. ``http``: a form POST on a new connection to a real ``cdkg serve`` (waitress) in its own
   process, as benchmarks/run.py sends it;
6. ``oxigraph``: the same POST to ``oxigraph serve-read-only`` on the same store, when the
   ``oxigraph`` command is installed.

The layers take turns within each round of repetitions (the machine's load weighs on all
alike). Each layer's added cost is its time less the layer below's. ``--profile`` also prints the
functions the ``flask`` layer spends its time in (cProfile, parent process only).
"""

from __future__ import annotations

import argparse
import cProfile
import itertools
import math
import pstats
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))
import run  # noqa: E402  (the benchmark's named queries, HTTP request and server start)

RESULTS_JSON = "application/sparql-results+json"


def median_times(calls: dict[str, Callable[[], object]], repetitions: int) -> dict[str, float]:
    """Median seconds of each call over ``repetitions`` rounds after one warm-up, the calls
    taking turns within each round, so that a machine whose load changes (other processes)
    weighs on every layer alike."""
    times: dict[str, list[float]] = {name: [] for name in calls}
    for call in calls.values():
        call()
    for _ in range(repetitions):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


def geometric_mean(values: list[float]) -> float:
    return math.exp(sum(math.log(v) for v in values) / len(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", type=Path)
    parser.add_argument("--repetitions", type=int, default=15)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated query names")
    args = parser.parse_args()

    import pyoxigraph as ox

    from cdkg.loaders.layout import project_paths
    from cdkg.ontology.namespace import PREFIXES
    from cdkg.server.app import create_app
    from cdkg.server.config import ServerConfig
    from cdkg.server.store import QueryOptions
    from cdkg.server.store.engines import OxigraphStore, StoreSpec, dataset_version
    from cdkg.server.store.workers import WorkerPoolStore

    paths = project_paths(args.project, args.project / "build")
    current = paths.current.resolve()
    dataset = current / "dataset.nq"
    version = dataset_version(dataset)
    queries = [q for q in run.named_queries() if q.accept == RESULTS_JSON]
    if args.only:
        wanted = set(args.only.split(","))
        queries = [q for q in queries if q.name in wanted]
    base = "http://127.0.0.1/sparql"
    native = ox.Store.read_only(str(current / "store"))
    store = OxigraphStore(native, version)
    options = QueryOptions(base_iri=base, max_rows=100_000)
    pool = WorkerPoolStore(StoreSpec(dataset=dataset, version=version), size=1)
    config = ServerConfig(rate_limit_per_minute=None, result_cache_bytes=0, paths=paths)
    client = create_app(pool, config).test_client()

    def engine(text: str) -> Callable[[], object]:
        def call() -> object:
            answer = native.query(
                text, prefixes=PREFIXES, base_iri=base, use_default_graph_as_union=True
            )
            return answer.serialize(format=ox.QueryResultsFormat.JSON)  # type: ignore[union-attr]

        return call

    def flask(text: str) -> Callable[[], object]:
        def call() -> object:
            response = client.post(
                "/sparql", data={"query": text}, headers={"Accept": RESULTS_JSON}
            )
            assert response.status_code == 200, response.data[:300]
            return response.data

        return call

    layers: dict[str, Callable[[str], Callable[[], object]]] = {
        "engine": engine,
        "store": lambda text: lambda: store.execute(text, RESULTS_JSON, options),
        "worker": lambda text: lambda: pool.execute(text, RESULTS_JSON, options),
        "flask": flask,
    }
    servers = []
    cdkg = run.start(
        "cdkg",
        [
            run.PYTHON,
            "-c",
            run.SERVE,
            str(args.project),
            str(port := run.free_port()),
            "oxigraph",
            "30",
            "0",
        ],
        f"http://127.0.0.1:{port}/sparql",
        Path("/tmp") / "overhead-cdkg.log",
    )
    servers.append(cdkg)
    run.wait_ready(cdkg, 120)
    layers["http"] = lambda text: lambda: run.request(cdkg.url, text, RESULTS_JSON, 60)
    binary = shutil.which("oxigraph") or str(Path(run.PYTHON).parent / "oxigraph")
    if Path(binary).exists():
        port = run.free_port()
        location = str(current / "store")
        oxigraph = run.start(
            "oxigraph",
            [
                binary,
                "serve-read-only",
                "--location",
                location,
                "--bind",
                f"127.0.0.1:{port}",
                "--union-default-graph",
            ],
            f"http://127.0.0.1:{port}/query",
            Path("/tmp") / "overhead-oxigraph.log",
        )
        servers.append(oxigraph)
        run.wait_ready(oxigraph, 60)
        layers["oxigraph"] = lambda text: lambda: run.request(oxigraph.url, text, RESULTS_JSON, 60)
    try:
        table: dict[str, dict[str, float]] = {}
        for query in queries:
            calls = {name: make(query.text) for name, make in layers.items()}
            table[query.name] = median_times(calls, args.repetitions)
            row = " ".join(f"{table[query.name][name] * 1000:7.2f}" for name in layers)
            print(f"{query.name[:44]:44s} {row}", flush=True)
        print(f"{'(ms, median)':44s} " + " ".join(f"{name:>7s}" for name in layers))
        names = list(layers)
        print("\nmean added by each layer over the one below (ms):")
        for lower, upper in itertools.pairwise(names):
            if upper == "oxigraph":
                continue
            added = [row[upper] - row[lower] for row in table.values()]
            print(f"  {upper:8s} {statistics.mean(added) * 1000:6.3f}")
        if "oxigraph" in layers:
            ratios = [row["http"] / row["oxigraph"] for row in table.values()]
            print(
                f"\ncdkg ÷ oxigraph serve: geometric mean {geometric_mean(ratios):.2f}, "
                f"worst {max(ratios):.2f}"
            )
            ratios = [row["engine"] / row["oxigraph"] for row in table.values()]
            print(f"in-process engine ÷ oxigraph serve: {geometric_mean(ratios):.2f}")
        if args.profile:
            profiler = cProfile.Profile()
            calls = [flask(q.text) for q in queries]
            profiler.enable()
            for _ in range(args.repetitions):
                for call in calls:
                    call()
            profiler.disable()
            stats = pstats.Stats(profiler).sort_stats("tottime")
            stats.print_stats(30)
    finally:
        for server in servers:
            server.stop()
        pool.close()


if __name__ == "__main__":
    main()
