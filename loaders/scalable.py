"""The scalable build: catalogs streamed as N-Quads lines into a pyoxigraph store, reasoned
with compiled rules, validated with compiled SHACL, published with the store directory.

The reference build (``BuildOptions(engine="reference")``) holds every catalog as an rdflib
Graph, closes their union with owlrl and validates it with pySHACL: right for five catalogs,
out of reach for three thousand. This one writes the same triples (``cdkg.loaders.rdf.graph``
fills a :class:`~cdkg.loaders.rdf.nquads.LineSink` instead of a Graph), so it publishes the same
``dataset.nq``, byte for byte:

1. **normalise** — each graph's lines go to a file on disk as soon as the graph is written;
   :class:`~cdkg.loaders.reasoning.rules.GraphRules` sees each triple on the way. Then the files
   are bulk-loaded into the build store (a pyoxigraph RocksDB directory when publishing).
2. **reason** — the rules' joins run to a fixpoint; the entailments the reference keeps are
   added to the store (and to a file), each in the graph of its subject.
3. **validate** — ``ontology/shapes.ttl`` compiled to SPARQL (:mod:`cdkg.loaders.validation.shacl`).
4. **write** — ``dataset.nq`` is the lines sorted by ``sort`` (C locale: byte order, which for
   UTF-8 is Python's code-point order), ``dataset.trig`` the same graph by graph, and the store
   directory itself is published beside them as ``store/``, so the server opens it read-only
   in seconds instead of parsing N-Quads.

Nothing here keeps more than one catalog's lines in memory; the reasoner keeps one entry per
subject and per entailed triple.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import itertools
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import pyoxigraph as ox
from rdflib import Dataset, Graph, URIRef

from .layout import DATASET_FILE, STORE_FOLDER, VERSION_FILE
from .publish import owned_prefix, publish_folder, published_folders, remove_orphans, stable_graph
from .rdf.graph import new_graph
from .rdf.nquads import LineSink, graph_line, lines_of
from .reasoning.reference import ReasoningSummary
from .reasoning.rules import GraphReasoning, GraphRules, RuleSet, StreamReasoner, asserted_among
from .validation.reference import ValidationSummary
from .validation.shacl import validate_store

T = TypeVar("T")


class StoreDataset:
    """A dataset being built: line files in ``workdir``, then the store.

    ``persistent``: build the store as a RocksDB directory (published with the dataset);
    otherwise in memory (a build that is not published)."""

    def __init__(self, workdir: Path, ontology: Graph, *, reason: bool, persistent: bool) -> None:
        self.workdir = workdir
        self.persistent = persistent
        self.order: list[str] = []
        self.sizes: dict[str, int] = {}
        self.details: dict[str, float] = {}
        self._lines_files: list[Path] = []
        self._asserted = (workdir / "asserted.nq").open("wb")
        self._chunks: list[tuple[str, int, int]] = []  # graph, offset, length in asserted.nq
        self._entailed_chunks: dict[str, tuple[int, int]] = {}  # the same in entailed.nq
        self._derived: list[tuple[str, Path]] = []  # graphs added after reasoning, one file each
        self._store: ox.Store | None = None
        self._reasoning = ReasoningSummary(enabled=reason)
        self._reasoner: StreamReasoner | None = None
        self._rules: RuleSet | None = None
        self._graphs = 0
        self._loader = _Loader(workdir / STORE_FOLDER) if persistent else None
        self._outputs: list[_Background] = []
        self._version = ""
        ontology_file = workdir / "ontology.nq"
        lines = lines_of(str(ontology.identifier), stable_graph(ontology))
        text = "".join(f"{line}\n" for line in lines)
        ontology_file.write_text(text, encoding="utf-8")
        if self._loader is not None:
            self._loader.write(text.encode("utf-8"))
        self._lines_files.append(ontology_file)
        self._record(str(ontology.identifier), len(lines))
        if reason:
            started = time.perf_counter()
            self._rules = RuleSet.from_ontology(ontology)
            self._reasoner = StreamReasoner(self._rules)
            self._reasoning.seconds += time.perf_counter() - started

    def _record(self, graph: str, count: int) -> None:
        if graph not in self.sizes:
            self.order.append(graph)
        self.sizes[graph] = self.sizes.get(graph, 0) + count

    # -- normalise ------------------------------------------------------------------------

    def write_graph(self, identifier: URIRef, fill: Callable[[LineSink], T | None]) -> T | None:
        """Let ``fill`` write one named graph (registers first, then catalogs in build order)
        and append its lines to the dataset."""
        result = _write_one(identifier, fill, self._rules)
        self._append(identifier, result)
        return result.value

    def write_graphs(self, jobs: Sequence[Job[T]], workers: int = 1) -> list[T | None]:
        """Write many graphs, in ``workers`` forked processes (0: in this one; a handful of
        graphs are always written here). Forked, the jobs need not be picklable, only their
        results; lines and findings are merged in the order of ``jobs``, so the dataset does
        not depend on ``workers``. A job whose
        ``keep`` is false is run for its value only (a catalog with errors is reported but
        not published)."""
        values: list[T | None] = []
        if workers < 1 or len(jobs) < 8 * workers:
            results: Iterable[_Written[T]] = (
                _write_one(job.identifier, job.fill, self._rules if job.keep else None)
                for job in jobs
            )
            for job, result in zip(jobs, results, strict=True):
                values.append(self._take(job, result))
            return values
        # The workers append each graph's lines to asserted.nq and to the loading process
        # themselves, one graph at a time under a lock, and send back only what the graph
        # needs merged: the main process never holds more than a graph's findings.
        global _JOBS, _RULES, _OUTPUT
        context = multiprocessing.get_context("fork")
        self._asserted.flush()
        loader_fd = self._loader.fileno() if self._loader is not None else None
        _JOBS, _RULES = list(jobs), self._rules
        _OUTPUT = _Output(self.workdir / "asserted.nq", loader_fd, context.Lock())
        try:
            with context.Pool(workers) as pool:
                results = pool.imap(_write_job, range(len(jobs)), chunksize=4)
                for job, result in zip(jobs, results, strict=True):
                    values.append(self._take(job, result))
        finally:
            _JOBS, _RULES, _OUTPUT = [], None, None
        return values

    def _take(self, job: Job[T], result: _Written[T]) -> T | None:
        if job.keep:
            self._append(job.identifier, result)
        return result.value

    def _append(self, identifier: URIRef, result: _Written[T]) -> None:
        if result.value is None and not result.count:
            return  # nothing to write (a catalog whose source could not be read)
        if self._reasoner is not None and result.found is not None:
            self._reasoner.add_graph(self._graphs, result.found)
        if result.chunk is None:  # written here, not by a worker
            offset = self._asserted.tell()
            data = result.text.encode("utf-8")
            self._asserted.write(data)
            if self._loader is not None:
                self._loader.write(data)
            result.chunk = (offset, len(data))
        self._chunks.append((str(identifier), *result.chunk))
        self._record(str(identifier), result.count)
        self._graphs += 1

    def load(self) -> None:
        """All asserted graphs are written. A persistent store has been loading them all along
        (in another process, fed as the graphs were written); an in-memory one loads now."""
        self._asserted.close()
        self._lines_files.append(self.workdir / "asserted.nq")
        if self._loader is None:
            started = time.perf_counter()
            self._store = ox.Store()
            for path in self._lines_files:
                self._store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
            self.details["load"] = time.perf_counter() - started

    def _ready(self) -> None:
        """Wait for the loading process, then open its store here."""
        if self._loader is not None:
            started = time.perf_counter()
            self.details["load"] = self._loader.finish()
            self.details["load_wait"] = time.perf_counter() - started
            self._loader = None
            self._store = ox.Store(str(self.workdir / STORE_FOLDER))

    @property
    def store(self) -> ox.Store:
        self._ready()
        if self._store is None:
            raise RuntimeError("the dataset is not loaded yet")
        return self._store

    # -- reason ---------------------------------------------------------------------------

    def reason(self) -> ReasoningSummary:
        """Add the entailments (see :class:`~cdkg.loaders.reasoning.rules.StreamReasoner`)."""
        summary = self._reasoning
        if self._reasoner is None:
            self._ready()
            return summary
        started = time.perf_counter()
        files = list(self._lines_files)

        def asserted(keys: set[str]) -> set[str]:
            begun = time.perf_counter()
            found = asserted_among(keys, files)
            self.details["entail_check"] = time.perf_counter() - begun
            self.details["entail_checked_keys"] = len(keys)
            return found

        entailments = self._reasoner.finish(asserted)
        self.details["entail_finish"] = time.perf_counter() - started
        self._reasoner = None  # its indexes are no longer needed
        graph_names = self.order[1:]  # registers, then the catalogs
        path = self.workdir / "entailed.nq"
        with path.open("wb") as out:
            for index, group in itertools.groupby(entailments, key=lambda e: e.graph):
                name = graph_names[index]
                data = "".join(f"{e.subject} {e.predicate} {e.obj} <{name}> .\n" for e in group)
                encoded = data.encode("utf-8")
                self._entailed_chunks[name] = (out.tell(), len(encoded))
                out.write(encoded)
                if self._loader is not None:
                    self._loader.write(encoded)
        self._lines_files.append(path)
        if self._loader is None:
            self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self._ready()
        for entailment in entailments:
            name = graph_names[entailment.graph]
            summary.added[name] = summary.added.get(name, 0) + 1
        for name, count in summary.added.items():
            self._record(name, count)
        summary.engine = "OWL-RL rules compiled from owlrl's closure of the ontology"
        summary.seconds += time.perf_counter() - started
        return summary

    # -- derived graphs -------------------------------------------------------------------

    def add_graph(self, identifier: URIRef, triples: Iterable[tuple[str, str, str]]) -> int:
        """Add a graph computed from the reasoned store (the statistics), its distinct
        triples given as N-Triples tokens (:func:`cdkg.loaders.rdf.nquads.token`): its lines
        go to a file of their own and into the store, and nothing is entailed from them.
        Only before the outputs start (validation or publishing starts them). Returns its
        size."""
        if self._outputs:
            raise RuntimeError(f"graph {identifier} added after the outputs were started")
        name, path = str(identifier), self.workdir / f"derived-{len(self._derived)}.nq"
        count = 0
        with path.open("w", encoding="utf-8") as out:
            for subject, predicate, obj in triples:
                out.write(graph_line(subject, predicate, obj, name) + "\n")
                count += 1
        self.store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
        self._lines_files.append(path)
        self._derived.append((name, path))
        self._record(name, count)
        return count

    # -- validate -------------------------------------------------------------------------

    def validate(self, shapes: Path, materialised: bool = False) -> ValidationSummary:
        """SHACL on the store; ``materialised``: the reasoning ran (see
        :class:`cdkg.loaders.validation.shacl.ShapeCompiler`). Writing dataset.nq and
        dataset.trig starts here, in the background, overlapping the checks."""
        self._prepare_outputs()
        started = time.perf_counter()
        summary = validate_store(self.store, shapes, materialised=materialised)
        self.details["validate"] = time.perf_counter() - started
        return summary

    # -- results --------------------------------------------------------------------------

    def _prepare_outputs(self) -> None:
        """Start writing dataset.nq (sorted by ``sort``, then hashed) and dataset.trig into
        the work folder, in background threads: they overlap waiting for the store and the
        validation queries (which run in pyoxigraph without the GIL)."""
        if self._outputs:
            return
        nquads, trig = self.workdir / DATASET_FILE, self.workdir / "dataset.trig"

        def sort_and_hash() -> None:
            started = time.perf_counter()
            sort_lines(self._lines_files, nquads, self.workdir)
            digest = hashlib.sha256()
            with nquads.open("rb") as stream:
                for block in iter(lambda: stream.read(1 << 20), b""):
                    digest.update(block)
            self._version = digest.hexdigest()[:16]
            self.details["sort"] = time.perf_counter() - started

        def write_trig() -> None:
            started = time.perf_counter()
            self.write_trig(trig)
            self.details["trig"] = time.perf_counter() - started

        self._outputs = [_Background(sort_and_hash), _Background(write_trig)]

    def _outputs_ready(self) -> str:
        """Wait for dataset.nq and dataset.trig in the work folder; the dataset version."""
        self._prepare_outputs()
        for output in self._outputs:
            output.join()
        return self._version

    def write_trig(self, target: Path) -> None:
        """The dataset as TriG: one block per named graph in build order, holding the graph's
        lines in N-Triples form (which TriG reads) — asserted in the order they were written,
        then the entailed ones, sorted. Made from the line files with one byte replacement
        per graph (a line's graph term and its newline end every N-Quads line, and cannot
        occur inside a literal, where a newline is written \\n), not a serialiser."""
        files = {
            "ontology": self.workdir / "ontology.nq",
            "asserted": self.workdir / "asserted.nq",
            "entailed": self.workdir / "entailed.nq",
        }
        where: dict[str, list[tuple[str, int, int]]] = {}
        ontology = self.order[0]
        where[ontology] = [("ontology", 0, files["ontology"].stat().st_size)]
        for name, offset, length in self._chunks:
            where.setdefault(name, []).append(("asserted", offset, length))
        for name, (offset, length) in self._entailed_chunks.items():
            where.setdefault(name, []).append(("entailed", offset, length))
        for index, (name, path) in enumerate(self._derived):
            files[f"derived-{index}"] = path
            where.setdefault(name, []).append((f"derived-{index}", 0, path.stat().st_size))
        with contextlib.ExitStack() as stack:
            streams = {
                key: stack.enter_context(path.open("rb"))
                for key, path in files.items()
                if path.exists()
            }
            out = stack.enter_context(target.open("wb"))
            out.write(b"# cdkg dataset: one block per named graph (TriG 1.1)\n\n")
            for name in self.order:
                suffix = f" <{name}> .\n".encode()
                out.write(f"<{name}> {{\n".encode())
                for key, offset, length in where.get(name, []):
                    stream = streams[key]
                    stream.seek(offset)
                    out.write(stream.read(length).replace(suffix, b" .\n"))
                out.write(b"}\n\n")

    def graphs(self, nquads: Path | None = None) -> list[Graph]:
        """The dataset as rdflib graphs, in build order (for tests and small builds)."""
        if nquads is None:
            self._outputs_ready()
            nquads = self.workdir / DATASET_FILE
        dataset = Dataset()
        dataset.parse(str(nquads), format="nquads")
        graphs = []
        for name in self.order:
            graph = new_graph(URIRef(name))
            for triple in dataset.graph(URIRef(name)):
                graph.add(triple)
            graphs.append(graph)
        return graphs

    def publish(
        self,
        build_dir: Path,
        extra_files: dict[str, Callable[[Path], None]],
        manifest: dict[str, object],
    ) -> Path:
        """Publish dataset.nq, dataset.trig, the store directory and the extra files
        atomically (see :func:`cdkg.loaders.publish.publish_folder`)."""

        def fill(staging: Path) -> str:
            started = time.perf_counter()
            version = self._outputs_ready()
            self.details["outputs_wait"] = time.perf_counter() - started
            for name in (DATASET_FILE, "dataset.trig"):
                os.replace(self.workdir / name, staging / name)
            store = self.store
            if self.persistent:
                started = time.perf_counter()
                store.flush()
                self.close()
                # The same version published before has the same store: the new folder gets
                # hard links to that one's files (which a running server may have open), so
                # the published folder stays complete until build/current has moved on.
                if not _link_published_store(build_dir, version, staging / STORE_FOLDER):
                    os.replace(self.workdir / STORE_FOLDER, staging / STORE_FOLDER)
                marker = staging / STORE_FOLDER / VERSION_FILE
                marker.write_text(f"{version}\n", encoding="utf-8")
                self.details["store"] = time.perf_counter() - started
            return version

        return publish_folder(build_dir, fill, extra_files, manifest)

    def close(self) -> None:
        """Release the store (a RocksDB directory is closed when its last handle goes)."""
        self._store = None
        gc.collect()
        if not self._asserted.closed:
            self._asserted.close()
        if self._loader is not None:
            self._loader.kill()
            self._loader = None


_LOAD = (
    "import sys, pyoxigraph as ox; "
    "ox.Store(sys.argv[1]).bulk_load(input=sys.stdin.buffer, format=ox.RdfFormat.N_QUADS, "
    "lenient=True)"
)


class _Loader:
    """A process bulk-loading N-Quads from its standard input into a RocksDB store directory,
    so that loading overlaps writing the graphs (pyoxigraph's loader holds the GIL while it
    reads from Python, so a thread would not overlap)."""

    def __init__(self, directory: Path) -> None:
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 (closed in finish())
        self._started = time.perf_counter()
        self._process = subprocess.Popen(
            [sys.executable, "-c", _LOAD, str(directory)],
            stdin=subprocess.PIPE,
            stderr=self._errors,
        )

    def fileno(self) -> int:
        """The loader's input, for writers in forked processes (flushed first)."""
        stdin = self._process.stdin
        assert stdin is not None
        stdin.flush()
        return stdin.fileno()

    def write(self, data: bytes) -> None:
        stdin = self._process.stdin
        assert stdin is not None
        try:
            stdin.write(data)
        except BrokenPipeError:
            self.finish()  # raises with the loader's message

    def finish(self) -> float:
        """Close the input, wait for the load to end; the seconds it took since it started.
        Raises RuntimeError with the loader's message if it failed."""
        if self._process.stdin is not None and not self._process.stdin.closed:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        code = self._process.wait()
        self._errors.seek(0)
        message = self._errors.read().decode("utf-8", "replace").strip()
        self._errors.close()
        if code != 0:
            raise RuntimeError(f"loading the build store failed ({code}): {message[-2000:]}")
        return time.perf_counter() - self._started

    def kill(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()


@dataclass(frozen=True)
class Job(Generic[T]):
    """One graph to write: ``fill`` writes its triples into the sink it is given."""

    identifier: URIRef
    fill: Callable[[LineSink], T | None]
    keep: bool = True


@dataclass
class _Written(Generic[T]):
    """One written graph: ``fill``'s value, its lines (or where a worker wrote them), their
    number, and what the single-premise rules found in them."""

    value: T | None
    text: str
    count: int
    found: GraphReasoning | None
    chunk: tuple[int, int] | None = None  # offset and length in asserted.nq


@dataclass(frozen=True)
class _Output:
    """Where forked workers append lines: asserted.nq and the loading process's input."""

    path: Path
    loader_fd: int | None
    lock: Any  # a multiprocessing Lock

    def append(self, data: bytes) -> tuple[int, int]:
        with self.lock:
            with self.path.open("ab") as out:
                out.write(data)
                end = out.tell()
            if self.loader_fd is not None:
                view = memoryview(data)
                while view:
                    view = view[os.write(self.loader_fd, view) :]
        return end - len(data), len(data)


_JOBS: list[Job[Any]] = []  # read by forked workers
_RULES: RuleSet | None = None
_OUTPUT: _Output | None = None


def _write_one(
    identifier: URIRef, fill: Callable[[LineSink], T | None], rules: RuleSet | None
) -> _Written[T]:
    """Run ``fill`` on a fresh sink."""
    observer = GraphRules(rules) if rules is not None else None
    sink = LineSink(identifier, observer)
    value = fill(sink)
    found = observer.result(sink) if observer is not None else None
    lines = sink.release()
    return _Written(value, "".join(f"{line}\n" for line in lines), len(lines), found)


def _write_job(index: int) -> _Written[Any]:
    """In a worker: write one job's graph and append its lines (kept jobs only)."""
    job = _JOBS[index]
    result = _write_one(job.identifier, job.fill, _RULES if job.keep else None)
    if job.keep and _OUTPUT is not None and result.count:
        result.chunk = _OUTPUT.append(result.text.encode("utf-8"))
    result.text = ""
    return result


class _Background:
    """A function running in a thread; :meth:`join` re-raises what it raised."""

    def __init__(self, target: Callable[[], None]) -> None:
        self._error: BaseException | None = None

        def run() -> None:
            try:
                target()
            except BaseException as error:  # handed to join()
                self._error = error

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()

    def join(self) -> None:
        self._thread.join()
        if self._error is not None:
            raise self._error


def sort_lines(sources: list[Path], target: Path, scratch: Path) -> None:
    """``sort -u`` in the C locale (GNU sort works on files larger than memory); Python's
    sort when no ``sort`` is installed. Both give code-point order. The sort's buffer is
    capped at 1 GiB: it runs beside the store's loader, and at 3,000 jurisdictions (2.6 GB of
    lines) a buffer of a quarter of memory took 3.3 GB for no gain in time (10.5 s either way
    on sorted input, benchmarks/run.py)."""
    command = shutil.which("sort")
    if command is not None:
        memory = "1G"
        env = {**os.environ, "LC_ALL": "C"}
        subprocess.run(
            [command, "-u", "-S", memory, "-T", str(scratch), "-o", str(target)]
            + [str(s) for s in sources],
            check=True,
            env=env,
        )
        return
    lines: set[str] = set()
    for source in sources:
        lines.update(source.read_text(encoding="utf-8").splitlines())
    target.write_text("".join(f"{line}\n" for line in sorted(lines)), encoding="utf-8")


def _link_published_store(build_dir: Path, version: str, target: Path) -> bool:
    """Hard-link the store of an already published folder of ``version`` into ``target``
    (no data copied, the published one untouched); False when there is none or the file
    system cannot link."""
    for folder in published_folders(build_dir / "datasets", version):
        store = folder / STORE_FOLDER
        if not store.is_dir():
            continue
        try:
            shutil.copytree(store, target, copy_function=os.link)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            return False
        return True
    return False


WORK_PREFIX = ".work-"


def workdir(build_dir: Path, persistent: bool) -> tempfile.TemporaryDirectory[str]:
    """A scratch folder beside the datasets (same file system, so the store directory is
    moved, not copied, into the published folder). Its name carries this process's id; the
    work folders of builds that were killed are removed first (those of builds still running
    are kept: :func:`cdkg.loaders.publish.remove_orphans`)."""
    if persistent:
        build_dir.mkdir(parents=True, exist_ok=True)
        remove_orphans(build_dir, WORK_PREFIX)
        return tempfile.TemporaryDirectory(prefix=owned_prefix(WORK_PREFIX), dir=build_dir)
    return tempfile.TemporaryDirectory(prefix="cdkg-build-")


__all__ = ["STORE_FOLDER", "Job", "StoreDataset", "sort_lines", "workdir"]
