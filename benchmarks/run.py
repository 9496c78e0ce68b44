"""One benchmark run of cdkg against its peers, on generated data (not part of the tests).

    .venv/bin/python benchmarks/run.py [--sizes real,5,300,3000] [--output FILE.json] [--merge]

One command may run every size, or one command per size with ``--merge`` (each size then
adds itself to the results file): each size records its own command, commit, start time and
the machine's load average at its start and end.

For each size (``real``: the seed catalogs alone; N: the seeds and N generated jurisdictions
from benchmarks/generate.py) a project folder is made in a temporary directory — the real
registers, ontology, queries and seed sources linked in, the generated catalogs in
data/catalogs/ — and then, in this order, everything bounded in time:

1. ``build``: ``cdkg.loaders.build.build`` in a child process; the stage times it reports,
   its wall time, and the peak memory (RSS) of its process tree, sampled from /proc (the
   build forks workers and a store-loading process).
2. opening: the published store directory opened read-only plus one query, against parsing
   dataset.nq into an in-memory store (what a restart cost before the store was published);
   then ``cdkg --home PROJECT check`` as a user runs it: wall time and peak memory.
3. servers, one at a time, each started on 127.0.0.1 on a free port and stopped by its pid:
   cdkg's endpoint (oxigraph engine; rdflib engine), rdflib-endpoint (``rdflib-endpoint
   serve dataset.nq``; it answers at ``/``), ``oxigraph serve-read-only`` on a store loaded
   with ``oxigraph load`` from the same dataset.nq, and Virtuoso (``virtuoso-t`` with its own
   ini, ports and database; dataset.nq loaded with its bulk loader, ``ld_dir`` +
   ``rdf_loader_run``). For cdkg's servers, first /report, which ``cdkg serve`` computes in
   the background from its start: the time from start to the report answered and the
   server's peak memory meanwhile; then every named query's first page through cdkg's
   named-query door (``GET /queries/NAME?limit=100``, cold and again). For each server:
   load and start-up time, memory after the queries, every named query of queries/
   (defaults bound) sent as an HTTP POST form — the first request after start (its cold
   time), then repeated for median and p95 — and the throughput of 8 concurrent clients
   sending a fixed number of requests cycling through the named queries, stopped at a
   deadline.

Peers that cannot hold a size (rdflib needs about 1 KB of memory per triple and parses some
30 000 triples a second) are skipped with the reason recorded, or stopped once their process
tree holds more than ``MEMORY_LIMIT_BYTES`` (12 GB) while loading. The JSON result holds the
machine, the versions, the command and every number; docs/benchmarks.md is written from it.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# tests/local_servers.py writes Virtuoso's ini for tests/scaling and for this run: one writer,
# kept with the tests (it is a test helper, not part of the installed package).
sys.path.insert(0, str(ROOT / "tests"))
from local_servers import free_port, virtuoso_command, write_virtuoso_ini  # noqa: E402

PYTHON = sys.executable
GENERATOR = ROOT / "benchmarks" / "generate.py"
PEERS_VENV = ROOT / "benchmarks" / ".peers" / "rdflib-endpoint"
PEER_REQUIREMENTS = ROOT / "benchmarks" / "peer-requirements.txt"
CLIENTS = 8

RESULTS_JSON = "application/sparql-results+json"
GRAPH_TYPE = "application/n-triples"


@dataclass
class Budget:
    """How hard to push one size: repetitions per query and time limits (seconds)."""

    repetitions: int
    per_query: float  # stop repeating a query after this long
    request_timeout: float
    server_budget: float  # all queries of one server
    throughput_requests: int
    throughput_deadline: float


BUDGETS = {
    "small": Budget(15, 3, 60, 180, 240, 20),
    "300": Budget(7, 10, 60, 240, 160, 30),
    "3000": Budget(3, 20, 120, 900, 120, 60),
}

# Peers skipped at a size, with the reason recorded in the results.
SKIP = {
    ("rdflib-endpoint", 3000): (
        "cannot hold this size: in the run of 2026-11-24 it held 18.0 GB after 350 s of "
        "loading and was stopped before it could answer; not started again in the "
        "2026-12-06 run, to keep that run within its time"
    ),
    ("cdkg-rdflib", 300): (
        "the same rdflib engine as rdflib-endpoint, measured at this size (cdkg's rdflib "
        "engine is measured at the seed size and at 5 jurisdictions)"
    ),
    ("cdkg-rdflib", 3000): (
        "the same rdflib engine as rdflib-endpoint, which is measured at this size: holding "
        "the dataset twice would not fit beside it"
    ),
}
# A server whose process tree grows past this while loading is stopped and reported. 12 GB
# (half the 24 GB machine the runs are made on) is more than any server that can serve 3,000
# jurisdictions needs (Virtuoso's buffers are capped at 2.7 GB, cdkg and oxigraph serve read
# the store from disk); rdflib-endpoint, which holds about 1 KB per triple, passes it some
# 4 minutes into parsing the 12 M quads of that size, where an 18 GB bound let it parse for
# 350 s before it was stopped — the run still tries it, and records where it stopped.
MEMORY_LIMIT_BYTES = 12 * 1024**3


# --- processes ----------------------------------------------------------------------------


def descendants(pid: int) -> list[int]:
    """``pid`` and every process below it, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat[stat.rindex(")") + 2 :].split()[1])
        children.setdefault(parent, []).append(int(entry.name))
    found, stack = [], [pid]
    while stack:
        current = stack.pop()
        found.append(current)
        stack.extend(children.get(current, []))
    return found


def tree_rss(pid: int) -> int:
    """Resident memory of a process tree, in bytes."""
    total = 0
    for member in descendants(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


class PeakSampler:
    """Samples a process tree's RSS every ``interval`` seconds; ``peak`` is the largest."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        self.peak = 0
        self._pid = pid
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(interval,), daemon=True)
        self._thread.start()

    def _run(self, interval: float) -> None:
        while not self._stop.wait(interval):
            self.peak = max(self.peak, tree_rss(self._pid))

    def stop(self) -> int:
        self._stop.set()
        self._thread.join()
        return self.peak


@dataclass
class Started:
    """A server process this script started (in its own process group)."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def stop(self) -> None:
        """Stop the server by its pid (its process group: the server and its workers)."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(20)


def start(name: str, command: list[str], url: str, log: Path, cwd: Path | None = None) -> Started:
    stream = log.open("wb")
    process = subprocess.Popen(
        command, stdout=stream, stderr=subprocess.STDOUT, cwd=cwd, start_new_session=True
    )
    return Started(name, process, url, log)


def wait_ready(server: Started, timeout: float) -> float:
    """Seconds until the server answers ASK {} with 200; raises RuntimeError otherwise."""
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        rss = tree_rss(server.process.pid)
        if rss > MEMORY_LIMIT_BYTES:
            raise RuntimeError(
                f"{server.name} held {rss / 1024**3:.1f} GB after "
                f"{time.perf_counter() - started:.0f} s of loading, over the "
                f"{MEMORY_LIMIT_BYTES / 1024**3:.0f} GB this benchmark allows; stopped"
            )
        if server.process.poll() is not None:
            tail = server.log.read_text(errors="replace")[-1500:]
            raise RuntimeError(f"{server.name} exited ({server.process.returncode}): {tail}")
        try:
            status, _, _ = request(server.url, "ASK {}", RESULTS_JSON, 5)
            if status == 200:
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.25)
    raise RuntimeError(f"{server.name} not ready after {timeout:.0f} s")


def request(url: str, query: str, accept: str, timeout: float) -> tuple[int, bytes, float]:
    """One SPARQL query as an HTTP POST form; (status, body, seconds to the last byte)."""
    parts = urllib.parse.urlsplit(url)
    body = urllib.parse.urlencode({"query": query}).encode("utf-8")
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept}
    started = time.perf_counter()
    host = parts.hostname or "127.0.0.1"
    connection = http.client.HTTPConnection(host, parts.port, timeout=timeout)
    try:
        connection.request("POST", parts.path or "/", body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, time.perf_counter() - started


def get(url: str, timeout: float) -> tuple[int, bytes, float]:
    """One HTTP GET; (status, body, seconds to the last byte)."""
    parts = urllib.parse.urlsplit(url)
    started = time.perf_counter()
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout
    )
    try:
        connection.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""))
        response = connection.getresponse()
        data = response.read()
    finally:
        connection.close()
    return response.status, data, time.perf_counter() - started


# --- the project folder and the build -------------------------------------------------------


def make_project(folder: Path, size: str) -> Path:
    """A project folder sharing the checkout's registers, ontology, queries and seeds, with
    ``size`` generated catalogs in data/catalogs/."""
    (folder / "data").mkdir(parents=True)
    for name in ("ontology", "queries"):
        (folder / name).symlink_to(ROOT / name)
    for name in ("registers", "raw", "corrections", "topic-overrides.csv"):
        (folder / "data" / name).symlink_to(ROOT / "data" / name)
    if size != "real":
        catalogs = folder / "data" / "catalogs"
        subprocess.run(
            [PYTHON, str(GENERATOR), "--jurisdictions", size, "--output", str(catalogs)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return folder


BUILD = """
import json, sys, time
from pathlib import Path
from cdkg.loaders.layout import project_paths
from cdkg.loaders.build import build
root = Path(sys.argv[1])
started = time.perf_counter()
paths = project_paths(root, root / "build")
result = build(paths, stream=sys.stderr)
wall = time.perf_counter() - started
# What `cdkg build` does next: the checks run once on the published store and are kept
# beside it (build/current/check/), for cdkg check and /report to reuse.
from cdkg.server.reports.check_files import check_published
started = time.perf_counter()
check_published(paths.dataset, paths.queries)
check_run = time.perf_counter() - started
manifest = json.loads((result.published / "manifest.json").read_text())
print(json.dumps({
    "wall_s": wall, "check_run_s": check_run, "ok": result.ok, "stages_s": result.report.timings,
    "details_s": result.details, "quads": sum(manifest["graphs"].values()),
    "graphs": len(manifest["graphs"]),
    "duties": sum(c.duties for c in result.report.catalogs),
    "entailed": result.report.reasoning.total,
    "findings": len(result.report.validation.findings),
    "dataset_nq_bytes": (result.published / "dataset.nq").stat().st_size,
    "store_bytes": sum(p.stat().st_size for p in (result.published / "store").rglob("*")),
}))
"""


def run_build(project: Path, timeout: float) -> dict[str, Any]:
    process = subprocess.Popen(
        [PYTHON, "-c", BUILD, str(project)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    sampler = PeakSampler(process.pid)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        sampler.stop()
        return {"error": f"build not finished after {timeout:.0f} s"}
    peak = sampler.stop()
    if process.returncode != 0:
        return {"error": err.decode(errors="replace")[-2000:]}
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    result["peak_rss_tree_bytes"] = peak
    result["progress"] = [line for line in err.decode().splitlines() if line.startswith("[")]
    return result


OPEN = """
import sys, time, pyoxigraph as ox
folder, mode = sys.argv[1], sys.argv[2]
query = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a <https://w3id.org/cdkg/ontology#Duty> }"
started = time.perf_counter()
if mode == "store":
    store = ox.Store.read_only(folder + "/store")
else:
    store = ox.Store()
    store.bulk_load(path=folder + "/dataset.nq", format=ox.RdfFormat.N_QUADS)
rows = list(store.query(query, use_default_graph_as_union=True))
print(time.perf_counter() - started, rows[0]["n"].value)
"""


def open_times(published: Path) -> dict[str, Any]:
    """Seconds to a first answer: the published store opened read-only, and dataset.nq
    parsed into memory (each in a fresh process)."""
    found: dict[str, Any] = {}
    for mode in ("store", "parse"):
        done = subprocess.run(
            [PYTHON, "-c", OPEN, str(published), mode],
            capture_output=True,
            text=True,
            timeout=1800,
            check=True,
        )
        seconds, duties = done.stdout.split()
        found[f"{mode}_s"] = float(seconds)
        found["duties"] = int(duties)
    return found


CDKG = Path(PYTHON).parent / "cdkg"


def measure_check(project: Path, timeout: float) -> dict[str, Any]:
    """``cdkg --home PROJECT check`` on the published build, as a user runs it: its wall time,
    the peak memory (RSS) of its process, its exit status (1 when a check has findings at
    ``--fail-on error``: the generated catalogs have some) and what its report.json counts."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(CDKG), "--home", str(project), "check", "--fail-on", "never"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    sampler = PeakSampler(process.pid)
    try:
        _, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        sampler.stop()
        return {"error": f"cdkg check not finished after {timeout:.0f} s"}
    wall = time.perf_counter() - started
    peak = sampler.stop()
    if process.returncode != 0:
        return {"error": err.decode(errors="replace")[-2000:], "exit": process.returncode}
    report = json.loads(
        (project / "build" / "current" / "check" / "report.json").read_text(encoding="utf-8")
    )
    return {
        "wall_s": wall,
        "peak_rss_tree_bytes": peak,
        "checks_s": report["seconds"],
        "checks": len(report["checks"]),
        "duties": report["duties"],
        "findings": report["summary"],
        "not_run": [c["name"] for c in report["checks"] if c["error"]],
        "slowest": sorted(
            ((c["name"], c["seconds"]) for c in report["checks"] if c["source"] == "query"),
            key=lambda pair: -pair[1],
        )[:3],
    }


# --- servers ----------------------------------------------------------------------------------

SERVE = """
import sys
from pathlib import Path
from cdkg.loaders.layout import project_paths
from cdkg.server.config import ServerConfig
from cdkg.server.serve import serve
root, port, engine, timeout = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3], float(sys.argv[4])
cache = int(sys.argv[5])
workers = None if engine == "oxigraph" else 1
config = ServerConfig(
    query_timeout_s=timeout, max_rows=None, rate_limit_per_minute=None, result_cache_bytes=cache
)
serve(project_paths(root, root / "build"), port=port, engine=engine, workers=workers,
      config=config)
"""


@dataclass
class Peer:
    """A server under test, once started: where it answers, and how long loading took."""

    name: str
    server: Started
    load_s: float | None = None
    notes: list[str] = field(default_factory=list)
    start_s: float | None = None  # when loading needs the server running first


def start_cdkg(project: Path, name: str, work: Path, budget: Budget) -> Peer:
    """cdkg's endpoint: ``cdkg-oxigraph`` and ``cdkg-rdflib`` with the result cache off (what
    the engine does with every question), ``cdkg-cached`` as shipped (cache on: the timed
    repetitions after the warm-up are answered from memory)."""
    engine = "rdflib" if name == "cdkg-rdflib" else "oxigraph"
    cache = str(ServerDefaults.RESULT_CACHE_BYTES if name == "cdkg-cached" else 0)
    port = free_port()
    timeout = str(budget.request_timeout)
    server = start(
        name,
        [PYTHON, "-c", SERVE, str(project), str(port), engine, timeout, cache],
        f"http://127.0.0.1:{port}/sparql",
        work / f"{name}.log",
    )
    return Peer(server.name, server)


class ServerDefaults:
    RESULT_CACHE_BYTES = 128 * 1024 * 1024  # cdkg.server.config.ServerConfig's default


def rdflib_endpoint_binary() -> Path:
    """rdflib-endpoint in its own virtual environment, made from benchmarks/
    peer-requirements.txt on first use (PyPI)."""
    binary = PEERS_VENV / "bin" / "rdflib-endpoint"
    if not binary.exists():
        subprocess.run([PYTHON, "-m", "venv", str(PEERS_VENV)], check=True)
        pip = [str(PEERS_VENV / "bin" / "python"), "-m", "pip", "install", "-q"]
        subprocess.run([*pip, "-r", str(PEER_REQUIREMENTS)], check=True)
    return binary


def start_rdflib_endpoint(published: Path, work: Path) -> Peer:
    binary = str(rdflib_endpoint_binary())
    port = free_port()
    command = [binary, "serve", str(published / "dataset.nq"), "--host", "127.0.0.1"]
    server = start(
        "rdflib-endpoint",
        [*command, "--port", str(port)],
        f"http://127.0.0.1:{port}/",  # rdflib-endpoint answers SPARQL at /
        work / "rdflib-endpoint.log",
    )
    return Peer(server.name, server)


def start_oxigraph(published: Path, work: Path) -> Peer:
    binary = shutil.which("oxigraph") or str(Path(PYTHON).parent / "oxigraph")
    location = work / "oxigraph-store"
    started = time.perf_counter()
    subprocess.run(
        [binary, "load", "--location", str(location), "--file", str(published / "dataset.nq")],
        check=True,
        capture_output=True,
        timeout=1800,
    )
    load = time.perf_counter() - started
    port = free_port()
    bind = ["--bind", f"127.0.0.1:{port}", "--union-default-graph"]
    server = start(
        "oxigraph",
        [binary, "serve-read-only", "--location", str(location), *bind],
        f"http://127.0.0.1:{port}/query",
        work / "oxigraph.log",
    )
    return Peer(server.name, server, load)


def isql(port: int, statements: str, timeout: float) -> str:
    binary = shutil.which("isql-vt") or shutil.which("isql") or "isql-vt"
    done = subprocess.run(
        [binary, f"127.0.0.1:{port}", "dba", "dba", f"exec={statements}"],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
        raise RuntimeError(f"isql failed on {statements!r}: {done.stdout} {done.stderr}")
    return done.stdout


def start_virtuoso(published: Path, work: Path, quads: int) -> Peer:
    binary = shutil.which("virtuoso-t")
    if binary is None:
        raise FileNotFoundError("virtuoso-t is not installed (Debian: virtuoso-opensource)")
    directory = work / "virtuoso"
    directory.mkdir()
    sql_port, http_port = free_port(), free_port()
    # Virtuoso's guide: about 85 000 buffers (8 KB pages) per GB of memory it may use.
    buffers = min(340_000, max(20_000, quads // 20))
    data = published.resolve()
    ini = write_virtuoso_ini(
        directory,
        sql_port,
        http_port,
        buffers=buffers,
        dirty_buffers=buffers * 3 // 4,
        extra_dirs=[data],
        threads_per_query=2,
        result_set_max_rows=10_000_000,
        uriqa=False,
    )
    server = start(
        "virtuoso",
        virtuoso_command(binary, ini),
        f"http://127.0.0.1:{http_port}/sparql",
        work / "virtuoso-console.log",
        cwd=directory,
    )
    ready = wait_ready(server, 120)
    started = time.perf_counter()
    isql(
        sql_port,
        f"ld_dir('{data}', 'dataset.nq', 'urn:cdkg:bulk-load'); rdf_loader_run(); checkpoint;",
        3600,
    )
    load = time.perf_counter() - started
    return Peer(server.name, server, load, [f"NumberOfBuffers={buffers}"], ready)


# --- queries ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    name: str
    text: str
    accept: str
    aggregate: bool


@functools.cache
def named_queries() -> list[Query]:
    """The named queries, read once: every server of the run answers the same texts."""
    sys.path.insert(0, str(ROOT))
    from cdkg.queries.library import load_library
    from cdkg.server.store.sparql_text import analyse

    queries = []
    for name, named in sorted(load_library(ROOT / "queries").items()):
        form = analyse(named.text).form
        accept = GRAPH_TYPE if form in ("CONSTRUCT", "DESCRIBE") else RESULTS_JSON
        aggregate = bool(re.search(r"\b(GROUP\s+BY|COUNT|SUM|AVG)\b", named.text, re.I))
        queries.append(Query(name, named.text, accept, aggregate))
    return queries


def rows_in(body: bytes, accept: str) -> int | None:
    if accept != RESULTS_JSON:
        return len([line for line in body.splitlines() if line.strip()])
    try:
        parsed = json.loads(body)
    except ValueError:
        return None
    if "boolean" in parsed:
        return 1
    return len(parsed.get("results", {}).get("bindings", []))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def measure_queries(peer: Peer, queries: list[Query], budget: Budget) -> dict[str, Any]:
    """Per named query: warm-up, then up to ``budget.repetitions`` timed requests."""
    results: dict[str, Any] = {}
    deadline = time.perf_counter() + budget.server_budget
    for query in queries:
        if time.perf_counter() > deadline:
            results[query.name] = {"skipped": "server budget spent"}
            continue
        entry: dict[str, Any] = {}
        try:
            status, body, seconds = request(
                peer.server.url, query.text, query.accept, budget.request_timeout
            )
        except (OSError, http.client.HTTPException) as error:
            results[query.name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        entry["warm_up_s"] = seconds
        if status != 200:
            entry["error"] = f"HTTP {status}: {body[:300].decode(errors='replace')}"
            results[query.name] = entry
            continue
        entry["rows"] = rows_in(body, query.accept)
        times: list[float] = []
        # A query whose first answer took longer than the per-query budget is not repeated
        # (its median is that answer): at 3,000 jurisdictions a repetition of the slowest
        # questions would double the run for no new information.
        spent = time.perf_counter() + budget.per_query - seconds
        while len(times) < budget.repetitions and time.perf_counter() < spent:
            try:
                status, body, seconds = request(
                    peer.server.url, query.text, query.accept, budget.request_timeout
                )
            except (OSError, http.client.HTTPException) as error:
                entry["error"] = f"{type(error).__name__}: {error}"
                break
            if status != 200:
                entry["error"] = f"HTTP {status}"
                break
            times.append(seconds)
        if not times:
            times = [entry["warm_up_s"]]
            entry["note"] = "only the warm-up finished within the budget"
        entry.update(
            runs=len(times),
            median_s=statistics.median(times),
            p95_s=percentile(times, 0.95),
        )
        results[query.name] = entry
    return results


def measure_throughput(peer: Peer, queries: list[Query], budget: Budget) -> dict[str, Any]:
    """``CLIENTS`` threads share ``budget.throughput_requests`` requests cycling through the
    named queries; no new request after the deadline."""
    lock = threading.Lock()
    issued = [0]
    outcomes: list[tuple[bool, float]] = []
    stop_at = time.perf_counter() + budget.throughput_deadline

    def client() -> None:
        while True:
            with lock:
                if issued[0] >= budget.throughput_requests or time.perf_counter() > stop_at:
                    return
                query = queries[issued[0] % len(queries)]
                issued[0] += 1
            try:
                status, _, seconds = request(
                    peer.server.url, query.text, query.accept, budget.request_timeout
                )
                ok = status == 200
            except (OSError, http.client.HTTPException):
                ok, seconds = False, budget.request_timeout
            with lock:
                outcomes.append((ok, seconds))

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    done = [seconds for ok, seconds in outcomes if ok]
    return {
        "clients": CLIENTS,
        "requests": len(outcomes),
        "ok": len(done),
        "errors": len(outcomes) - len(done),
        "seconds": elapsed,
        "requests_per_s": len(done) / elapsed if elapsed else 0.0,
        "median_s": statistics.median(done) if done else None,
    }


REPORT_TIMEOUT = 900.0
CHECK_TIMEOUT = 900.0
FIRST_PAGE = 100
"""Rows of the first page asked of every named query (cdkg.queries.paging.DEFAULT_PAGE_SIZE)."""


def measure_first_pages(peer: Peer, queries: list[Query], budget: Budget) -> dict[str, Any]:
    """Per named query, its first page through cdkg's named-query door, as a person or a
    program reads a large answer: ``GET /queries/NAME?limit=100&format=json`` (a CONSTRUCT
    is answered whole). ``cold_s`` is the first request for it since the server started
    (measured before the /sparql requests, so nothing of it is cached or warm), ``again_s``
    a second one. Issue 18: every named query's first page under 1 s cold."""
    base = peer.server.url.rsplit("/", 1)[0]
    results: dict[str, Any] = {}
    for query in queries:
        paged = "" if query.accept == GRAPH_TYPE else f"limit={FIRST_PAGE}&"
        url = f"{base}/queries/{query.name}?{paged}format=json"
        if query.accept == GRAPH_TYPE:
            url = f"{base}/queries/{query.name}?format=nt"
        try:
            status, body, cold = get(url, budget.request_timeout)
            if status != 200:
                results[query.name] = {
                    "error": f"HTTP {status}: {body[:300].decode(errors='replace')}"
                }
                continue
            # Asked again only when it was quick: a slow first page would cost as much again.
            again = get(url, budget.request_timeout)[2] if cold < budget.per_query / 4 else None
        except (OSError, http.client.HTTPException) as error:
            results[query.name] = {"error": f"{type(error).__name__}: {error}"}
            continue
        results[query.name] = {
            "cold_s": cold,
            "again_s": again,
            "rows": rows_in(body, query.accept),
        }
    return results


def measure_report(peer: Peer, started: float, timeout: float) -> dict[str, Any]:
    """/report on a cdkg server just started. ``cdkg serve`` computes the check report in
    the background from its start (warm_report), so the first GET waits for it:
    ``after_start_s`` is the time from starting the server to the first report answered,
    ``first_s`` that GET alone, ``again_s`` a second GET (rendered from the cached run).
    Measured before the named queries, which the background work would otherwise slow."""
    url = peer.server.url.rsplit("/", 1)[0] + "/report"
    try:
        status, body, first = get(url, timeout)
        if status != 200:
            return {"error": f"HTTP {status}: {body[:300].decode(errors='replace')}"}
        after_start = time.perf_counter() - started
        _, again_body, again = get(url, timeout)
    except (OSError, http.client.HTTPException) as error:
        return {"error": f"{type(error).__name__}: {error}"}
    return {
        "after_start_s": after_start,
        "first_s": first,
        "again_s": again,
        "html_bytes": len(again_body),
        "rss_bytes": tree_rss(peer.server.process.pid),
    }


def run_peer(
    name: str, project: Path, published: Path, work: Path, size: str, build: dict[str, Any]
) -> dict[str, Any]:
    budget = BUDGETS.get(size, BUDGETS["small"])
    skip = SKIP.get((name, int(size) if size.isdigit() else 0))
    if skip:
        return {"skipped": skip}
    queries = named_queries()
    peer: Peer | None = None
    sampler: PeakSampler | None = None
    result: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        if name.startswith("cdkg-"):
            peer = start_cdkg(project, name, work, budget)
        elif name == "rdflib-endpoint":
            peer = start_rdflib_endpoint(published, work)
        elif name == "oxigraph":
            peer = start_oxigraph(published, work)
        elif name == "virtuoso":
            peer = start_virtuoso(published, work, int(build.get("quads", 0)))
        else:
            raise ValueError(name)
        sampler = PeakSampler(peer.server.process.pid) if name.startswith("cdkg-") else None
        ready = wait_ready(peer.server, 1800)
        result["start_s"] = peer.start_s if peer.start_s is not None else ready
        result["load_s"] = peer.load_s
        result["ready_after_s"] = time.perf_counter() - started
        result["notes"] = peer.notes
        if sampler is not None:
            result["report"] = measure_report(peer, started, REPORT_TIMEOUT)
            result["report"]["peak_rss_tree_bytes"] = sampler.stop()
            result["first_pages"] = measure_first_pages(peer, queries, budget)
        result["queries"] = measure_queries(peer, queries, budget)
        result["throughput"] = measure_throughput(peer, queries, budget)
        result["rss_bytes"] = tree_rss(peer.server.process.pid)
    except (OSError, RuntimeError, subprocess.SubprocessError, ValueError) as error:
        result["error"] = f"{type(error).__name__}: {error}"
    finally:
        if sampler is not None:
            sampler.stop()
        if peer is not None:
            peer.server.stop()
    return result


# --- the run ------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    memory = next(
        int(line.split()[1]) * 1024
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal:")
    )
    release = dict(
        line.split("=", 1)
        for line in Path("/etc/os-release").read_text().splitlines()
        if "=" in line
    )
    return {
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "memory_bytes": memory,
        "os": release.get("PRETTY_NAME", "").strip('"'),
        "kernel": platform.release(),
        "load_average_start": os.getloadavg(),
    }


def versions() -> dict[str, str]:
    import pyoxigraph
    import rdflib

    found = {
        "python": platform.python_version(),
        "pyoxigraph": pyoxigraph.__version__,
        "rdflib": rdflib.__version__,
    }
    commands = {
        "oxigraph": [
            shutil.which("oxigraph") or str(Path(PYTHON).parent / "oxigraph"),
            "--version",
        ],
        "virtuoso": [shutil.which("virtuoso-t") or "virtuoso-t", "+version"],
        "rdflib-endpoint": [
            str(PEERS_VENV / "bin" / "python"),
            "-c",
            "import importlib.metadata as m; print(m.version('rdflib-endpoint'))",
        ],
    }
    for name, command in commands.items():
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=30)
            text = (done.stdout + done.stderr).strip().splitlines()
            found[name] = " ".join(text[:2]) if text else "?"
        except OSError:
            found[name] = "not installed"
    return found


PEERS = ("cdkg-oxigraph", "cdkg-cached", "oxigraph", "virtuoso", "cdkg-rdflib", "rdflib-endpoint")


def row_differences(peers: dict[str, Any]) -> dict[str, dict[str, list[int | None]]]:
    """Per peer, the named queries whose row count differs from cdkg's embedded store's
    (peer's count, cdkg's count): a fast wrong answer is not a fast answer."""
    base = peers.get("cdkg-oxigraph", {}).get("queries", {})
    found: dict[str, dict[str, list[int | None]]] = {}
    for name, peer in peers.items():
        for query, entry in peer.get("queries", {}).items():
            expected = base.get(query, {}).get("rows")
            if "rows" in entry and expected is not None and entry["rows"] != expected:
                found.setdefault(name, {})[query] = [entry["rows"], expected]
    return found


def commit() -> str:
    """The checkout's commit (with ``+`` when its tracked files have changes)."""
    try:
        head = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "diff", "--quiet", "HEAD"], check=False
        ).returncode
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return head + ("+" if dirty else "")


def run_size(
    size: str,
    work: Path,
    peers: tuple[str, ...],
    command: str,
    save: Callable[[dict[str, Any]], None] = lambda _: None,
) -> dict[str, Any]:
    """Every measurement of one size, with how it was run: the command, the commit, when,
    and the machine's load average at its start and end (other work on the machine shows
    in every number; the record says how much there was). ``save`` is given the record so
    far after each step (marked ``"partial": true``), so that a run stopped after an hour
    keeps what it measured."""
    run: dict[str, Any] = {
        "command": command,
        "commit": commit(),
        "started": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "load_average_start": os.getloadavg(),
    }
    started = time.perf_counter()

    def progress(partial: dict[str, Any]) -> None:
        save({"run": {**run, "partial": True}, **partial})

    result = measure_size(size, work, peers, progress)
    run["load_average_end"] = os.getloadavg()
    run["total_s"] = time.perf_counter() - started
    return {"run": run, **result}


def measure_size(
    size: str,
    work: Path,
    peers: tuple[str, ...],
    progress: Callable[[dict[str, Any]], None] = lambda _: None,
) -> dict[str, Any]:
    folder = work / f"size-{size}"
    print(f"== {size}: project", file=sys.stderr, flush=True)
    project = make_project(folder / "project", size)
    print(f"== {size}: build", file=sys.stderr, flush=True)
    build = run_build(project, 1800)
    result: dict[str, Any] = {"build": build}
    if "error" in build:
        return result
    published = (project / "build" / "current").resolve()
    print(f"== {size}: open", file=sys.stderr, flush=True)
    result["open"] = open_times(published)
    print(f"== {size}: cdkg check", file=sys.stderr, flush=True)
    result["check"] = measure_check(project, CHECK_TIMEOUT)
    result["peers"] = {}
    progress(result)
    for name in peers:
        print(f"== {size}: {name}", file=sys.stderr, flush=True)
        result["peers"][name] = run_peer(name, project, published, folder, size, build)
        progress(result)
    result["row_differences"] = row_differences(result["peers"])
    shutil.rmtree(folder / "oxigraph-store", ignore_errors=True)
    shutil.rmtree(folder / "virtuoso", ignore_errors=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="real,5,300,3000")
    parser.add_argument("--peers", default=",".join(PEERS))
    parser.add_argument("--output", default=str(ROOT / "benchmarks" / "results.json"))
    parser.add_argument("--work", help="scratch folder (default: a temporary one, removed)")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="add the sizes measured to those already in --output (replacing the same sizes) "
        "instead of starting it afresh: one command per size, one results file",
    )
    args = parser.parse_args(argv)
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    peers = tuple(p.strip() for p in args.peers.split(",") if p.strip())
    started = time.perf_counter()
    if "rdflib-endpoint" in peers:
        rdflib_endpoint_binary()  # installed before its version is asked
    command = " ".join([Path(PYTHON).name, "benchmarks/run.py", *(argv or sys.argv[1:])])
    output = Path(args.output)
    earlier = {}
    if args.merge and output.is_file():
        earlier = json.loads(output.read_text(encoding="utf-8")).get("sizes", {})
    report: dict[str, Any] = {
        "command": command,
        "machine": machine(),
        "versions": versions(),
        "sizes": {size: found for size, found in earlier.items() if size not in sizes},
    }
    with scratch(args.work) as work:
        for size in sizes:

            def save(partial: dict[str, Any], size: str = size) -> None:
                report["sizes"][size] = partial
                output.write_text(json.dumps(report, indent=1), encoding="utf-8")

            report["sizes"][size] = run_size(size, work, peers, command, save)
            output.write_text(json.dumps(report, indent=1), encoding="utf-8")
    report["machine"]["load_average_end"] = os.getloadavg()
    report["total_s"] = time.perf_counter() - started
    Path(args.output).write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"results: {args.output} ({report['total_s'] / 60:.1f} min)", file=sys.stderr)
    return 0


@contextlib.contextmanager
def scratch(folder: str | None) -> Iterator[Path]:
    if folder:
        path = Path(folder)
        path.mkdir(parents=True, exist_ok=True)
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="cdkg-bench-") as name:
        yield Path(name)


if __name__ == "__main__":
    sys.exit(main())
