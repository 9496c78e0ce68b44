"""`cdkg build`: data/raw → parsed records → normalised graphs → reasoning → statistics
(:mod:`cdkg.loaders.statistics`, the counts national questions read) → answers
(:mod:`cdkg.loaders.answers`, the large answers of the library's materialised queries) →
validation → a published dataset and a build report.

Catalogs are the rows of data/registers/catalogs.csv (each read by its layout's parser from
data/raw/) and the filled-in catalog templates under data/catalogs/ (see
:mod:`cdkg.loaders.sources.template`), whose jurisdictions join the register's in memory.
Each catalog is parsed and reconciled on its own: a broken file is reported with its file,
line and problem while the other catalogs still build and are still reported. The dataset is
published only when no error remains (``allow_errors`` publishes the catalogs that built).
References the registers lack (a legal title, a department, a jurisdiction) are not errors:
they are published as provisional entities and listed as findings; ``strict`` (``cdkg build
--strict``, for CI gates) refuses to publish while any finding remains.

Two engines produce the same dataset. ``engine="store"`` (the default) streams the catalogs
into a pyoxigraph store, reasons with rules compiled from the ontology and validates with
SHACL compiled to SPARQL (:mod:`cdkg.loaders.scalable`): it scales to every county of China.
``engine="reference"`` holds rdflib Graphs, closes them with owlrl and validates them with
pySHACL: the original pipeline, kept as the reference the equivalence test compares against.
"""

from __future__ import annotations

import hashlib
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import TextIO, TypeVar

from rdflib import Graph

from cdkg import __version__
from cdkg.loaders.layout import ProjectPaths
from cdkg.ontology.namespace import DEFAULT_BASE, ONTOLOGY_IRI

from .answers import AnswerCount, answer_tokens, answers_graph, read_materialised
from .answers import describe as describe_answers
from .answers import graph_iri as answers_iri
from .cells import SourceError
from .laws.articles import TextReadings, read_folder
from .laws.graph import GRAPH_NAME, law_texts_graph
from .laws.register import LawRegister
from .layout import BUILD_REPORT, DATASET_FILE
from .machine import default_workers
from .normalise.corrections import Correction, apply_corrections, load_corrections
from .normalise.departments import DepartmentRegister, load_sectors
from .normalise.topics import TopicScheme
from .publish import publish
from .rdf.graph import (
    CatalogOutcome,
    Normalised,
    Normalisers,
    TripleSink,
    catalog_graph,
    registers_graph,
)
from .rdf.iris import Minter
from .reasoning.reference import ReasoningSummary, materialise
from .reconcile import ListReconciliation, reconcile
from .records import ParseResult, Problem
from .registers import CatalogEntry, load_catalogs, load_jurisdictions
from .report import BuildReport, CatalogReport
from .scalable import Job, StoreDataset, workdir
from .sources import LAYOUTS
from .sources.template import TEMPLATE_FOLDER, TemplateLoad, is_template, read_template_folder
from .statistics import graph_iri as statistics_iri
from .statistics import statistics_graph, statistics_tokens
from .validation.reference import ValidationSummary, validate

T = TypeVar("T")
ENGINES = ("store", "reference")


@dataclass
class BuildResult:
    """What a build produced: the report, and the published folder when it was published.

    ``details`` times the parts of stages (store loading, sorting, …) for benchmarks."""

    report: BuildReport
    published: Path | None = None
    strict: bool = False
    graph_source: Callable[[], list[Graph]] = field(default=list, repr=False)
    details: dict[str, float] = field(default_factory=dict)
    law_texts: TextReadings | None = None
    """What the law-texts folder gave (None: no folder, the article checks did not run)."""
    _graphs: list[Graph] | None = field(default=None, init=False, repr=False)

    @property
    def ok(self) -> bool:
        """No errors (and no findings, for a strict build)."""
        return self.report.passes(self.strict)

    @property
    def graphs(self) -> list[Graph]:
        """The dataset as rdflib graphs: ontology, registers, then the catalogs. The store
        engine makes them on first use, from its N-Quads (right for tests and small builds,
        not for national scale)."""
        if self._graphs is None:
            self._graphs = self.graph_source()
        return self._graphs


def load_normalisers(paths: ProjectPaths) -> Normalisers:
    """The reviewed registers every catalog is normalised against."""
    registers = paths.registers
    sectors = load_sectors(registers / "sectors.csv")
    return Normalisers(
        laws=LawRegister.load(registers / "laws.csv"),
        departments=DepartmentRegister.load(
            registers / "departments.csv", registers / "sectors.csv"
        ),
        sectors=sectors,
        topics=TopicScheme.load(paths.data),
        jurisdictions=load_jurisdictions(registers / "jurisdictions.csv"),
    )


class Progress:
    """One progress line per stage on standard error, with its duration."""

    def __init__(self, stream: TextIO | None = None, total: int = 6) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.total = total
        self.step = 0
        self.timings: dict[str, float] = {}

    def run(self, name: str, action: Callable[[], T], detail: Callable[[T], str]) -> T:
        self.step += 1
        started = time.perf_counter()
        value = action()
        elapsed = time.perf_counter() - started
        self.timings[name] = elapsed
        line = f"[{self.step}/{self.total}] {name}: {detail(value)} ({elapsed:.2f} s)"
        print(line, file=self.stream, flush=True)
        return value


@dataclass(frozen=True)
class BuildOptions:
    """How one build runs, chosen once (by ``cdkg build`` or a test) and passed down whole:
    both engines read the same choices, so a new option is added here and nowhere else.

    ``engine``: "store" or "reference" (see the module docstring). ``workers``: processes
    that write the catalogs' graphs (store engine; None: one per CPU, up to 4; 0 writes them
    in this process). ``law_texts``: a folder of law texts in the LawRefBook mirror's layout,
    read into the graph ``law-texts`` (None: skipped).

    >>> BuildOptions(engine="rdflib")
    Traceback (most recent call last):
    ValueError: unknown engine 'rdflib'; choose one of store, reference
    """

    base: str = DEFAULT_BASE
    publish_dataset: bool = True
    allow_errors: bool = False
    reason: bool = True
    validate_shapes: bool = True
    engine: str = "store"
    workers: int | None = None
    strict: bool = False
    law_texts: Path | None = None

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise ValueError(f"unknown engine {self.engine!r}; choose one of {', '.join(ENGINES)}")

    def publishable(self, report: BuildReport) -> bool:
        """Whether to publish: errors stop it unless ``allow_errors``; findings only when
        ``strict``."""
        held = self.strict and bool(report.findings())
        return self.publish_dataset and (report.ok or self.allow_errors) and not held


def build(
    paths: ProjectPaths, options: BuildOptions | None = None, stream: TextIO | None = None
) -> BuildResult:
    """Run the pipeline with ``options`` (the defaults when None); progress lines go to
    ``stream`` (standard error when None)."""
    options = options or BuildOptions()
    folder = options.law_texts
    progress = Progress(stream, total=9 if folder else 8)
    minter = Minter(options.base)
    normalisers = progress.run(
        "registers",
        lambda: load_normalisers(paths),
        lambda n: (
            f"{len(n.laws)} legal documents, {len(n.departments)} departments, "
            f"{len(n.topics)} topics, {len(n.jurisdictions)} jurisdictions"
        ),
    )
    entries = load_catalogs(paths.registers / "catalogs.csv", normalisers.jurisdictions)
    parsed = progress.run(
        "parse",
        lambda: (
            [_parse(paths, entry) for entry in entries]
            + _parse_templates(paths, entries, normalisers)
        ),
        _describe_parsed,
    )
    readings = None
    if folder is not None:
        published = [(p.catalog, p.result) for p in parsed if p.ok]
        readings = progress.run(
            "law texts",
            lambda: read_folder(folder, published, normalisers.laws, minter),
            lambda r: r.describe(),
        )
    if options.engine == "store":
        return _build_in_store(paths, options, progress, parsed, normalisers, minter, readings)
    outcomes = progress.run(
        "normalise",
        lambda: [_normalise(paths, p, normalisers, minter) for p in parsed],
        _describe_outcomes,
    )
    ontology = Graph(identifier=ONTOLOGY_IRI).parse(paths.ontology / "cdkg.ttl")
    registers = registers_graph(normalisers, minter)
    catalog_graphs = [o.graph for o, p in zip(outcomes, parsed, strict=True) if o and p.ok]
    if readings is not None:
        catalog_graphs.append(law_texts_graph(readings, minter))
    reasoning = progress.run(
        "reason",
        lambda: (
            materialise(ontology, registers, catalog_graphs)
            if options.reason
            else ReasoningSummary()
        ),
        lambda s: s.describe(),
    )
    statistics = progress.run(
        "statistics",
        lambda: statistics_graph([ontology, registers, *catalog_graphs], options.base),
        lambda g: f"{len(g)} triples in {g.identifier}",
    )
    counts: list[AnswerCount] = []
    answers = progress.run(
        "answers",
        lambda: answers_graph(
            [ontology, registers, *catalog_graphs, statistics],
            options.base,
            read_materialised(paths.queries),
            counts,
        ),
        lambda g: describe_answers(counts, len(g)),
    )
    validation = progress.run(
        "validate",
        lambda: (
            validate([registers, *catalog_graphs], ontology, paths.ontology / "shapes.ttl")
            if options.validate_shapes
            else ValidationSummary()
        ),
        lambda v: v.describe(),
    )
    report = _report(parsed, outcomes, normalisers, reasoning, validation, progress)
    result = BuildResult(
        report,
        strict=options.strict,
        graph_source=lambda: [ontology, registers, *catalog_graphs, statistics, answers],
        law_texts=readings,
    )
    if options.publishable(report):
        sizes = {str(g.identifier): len(g) for g in result.graphs}
        result.published = _write_dataset(
            paths,
            progress,
            report,
            _manifest(options.base, sizes, parsed, report),
            lambda files, manifest: publish(paths.build, result.graphs, files, manifest),
        )
    else:
        progress.run("write", lambda: None, lambda _: _not_published(report, options.strict))
    return result


def _report(
    parsed: list[Parsed],
    outcomes: list[CatalogOutcome | None],
    normalisers: Normalisers,
    reasoning: ReasoningSummary,
    validation: ValidationSummary,
    progress: Progress,
) -> BuildReport:
    """The build report, the same for both engines."""
    duty_keys = [
        (p.catalog.key, d.list_type.code, d.number) for p in parsed for d in p.result.duties
    ]
    return BuildReport(
        catalogs=[_catalog_report(p, o) for p, o in zip(parsed, outcomes, strict=True)],
        problems=normalisers.topics.check_overrides(duty_keys),
        reasoning=reasoning,
        validation=validation,
        timings=progress.timings,
    )


def _manifest(
    base: str, graphs: dict[str, int], parsed: list[Parsed], report: BuildReport
) -> dict[str, object]:
    """manifest.json: the version, when, the base, triples per graph, the sources' hashes."""
    return {
        "cdkg": __version__,
        "built": datetime.now(UTC).isoformat(timespec="seconds"),
        "base": base,
        "graphs": graphs,
        "sources": {p.catalog.file: p.sha256 for p in parsed},
        "ok": report.ok,
    }


Writer = Callable[[dict[str, Callable[[Path], None]], dict[str, object]], Path]
"""An engine's publish step: (extra files by name, manifest) → the published folder."""


def _write_dataset(
    paths: ProjectPaths,
    progress: Progress,
    report: BuildReport,
    manifest: dict[str, object],
    write: Writer,
) -> Path:
    """The publish stage of both engines: the dataset with report.md, report.json and the
    manifest, written by the engine's ``write``; the folder published as build/current."""
    files: dict[str, Callable[[Path], None]] = {
        "report.md": lambda path: _write(path, report.markdown()),
        BUILD_REPORT: lambda path: _write(path, report.json()),
    }
    return progress.run(
        "write",
        lambda: write(files, manifest),
        lambda folder: f"{paths.current} → {folder.name}",
    )


def _not_published(report: BuildReport, strict: bool) -> str:
    if report.ok and strict:
        return f"not published (--strict: {len(report.findings())} findings above)"
    return "not published (errors above)"


@dataclass
class Parsed:
    """A catalog's parse, reconciliation and any fatal error."""

    catalog: CatalogEntry
    result: ParseResult
    reconciliation: list[ListReconciliation]
    sha256: str = ""
    corrections: list[Correction] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        errors = [p for p in self.result.problems if p.severity == "error"]
        return not errors and all(r.ok for r in self.reconciliation)


def _describe_parsed(results: list[Parsed], listed: int = 8) -> str:
    """'ningxia-district 46, chongqing 27, …' — summarised beyond a few catalogs, so a
    national-scale build prints one short line, not thousands of names."""
    duties = sum(len(r.result.duties) for r in results)
    if len(results) <= listed:
        return ", ".join(f"{r.catalog.key} {len(r.result.duties)}" for r in results)
    return f"{duties} duties from {len(results)} catalogs"


def _write(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")


def _parse(paths: ProjectPaths, entry: CatalogEntry) -> Parsed:
    path = paths.raw / entry.file
    result = ParseResult(file=entry.file)
    corrections: list[Correction] = []
    try:
        if not path.exists():
            raise SourceError(entry.file, 0, f"file not found under {paths.raw}")
        parser = LAYOUTS.get(entry.layout)
        if parser is None:
            raise SourceError(entry.file, 0, f"unknown layout {entry.layout!r} in catalogs.csv")
        result = parser(path)
        corrections_file = paths.corrections / f"{entry.key}.csv"
        if corrections_file.exists():
            corrections = load_corrections(corrections_file)
            result = apply_corrections(result, corrections)
    except SourceError as error:
        result.problems.append(Problem(error.file, error.line, error.message))
    explanations = {(c.list, c.number): c.reason for c in corrections if c.field == "explain"}
    sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else ""
    rows = reconcile(entry.key, result, explanations, entry.expected())
    return Parsed(entry, result, rows, sha, corrections)


def _parse_templates(
    paths: ProjectPaths, entries: list[CatalogEntry], normalisers: Normalisers
) -> list[Parsed]:
    """Every catalog template under data/catalogs/, reconciled like a seed; the jurisdictions
    they declare are added to ``normalisers.jurisdictions`` (in memory, not the register)."""
    folder = read_template_folder(
        paths.data / TEMPLATE_FOLDER,
        normalisers.jurisdictions,
        taken_keys=[entry.key for entry in entries],
        root=paths.root,
    )
    normalisers.jurisdictions.update(folder.jurisdictions)
    return [_reconcile_template(load) for load in folder.loads]


def _reconcile_template(load: TemplateLoad) -> Parsed:
    rows = reconcile(load.entry.key, load.result, {}, load.entry.expected())
    return Parsed(load.entry, load.result, rows, load.sha256)


def _source_path(paths: ProjectPaths, entry: CatalogEntry) -> Path:
    """Seed sources live in data/raw/, catalog templates in data/catalogs/."""
    folder = paths.data / TEMPLATE_FOLDER if is_template(entry) else paths.raw
    return folder / entry.file


def _normalise(
    paths: ProjectPaths,
    parsed: Parsed,
    normalisers: Normalisers,
    minter: Minter,
    sink: TripleSink | None = None,
) -> CatalogOutcome | None:
    path = _source_path(paths, parsed.catalog)
    if not path.exists() or parsed.catalog.jurisdiction not in normalisers.jurisdictions:
        return None  # a missing file, or a template whose metadata could not be read
    label = str(path.relative_to(paths.root)) if path.is_relative_to(paths.root) else path.name
    return catalog_graph(
        parsed.result, parsed.catalog, path.read_bytes(), normalisers, minter, label, sink
    )


def _build_in_store(
    paths: ProjectPaths,
    options: BuildOptions,
    progress: Progress,
    parsed: list[Parsed],
    normalisers: Normalisers,
    minter: Minter,
    readings: TextReadings | None,
) -> BuildResult:
    """The stages after parsing, for the store engine (:mod:`cdkg.loaders.scalable`)."""
    scratch = workdir(paths.build, persistent=options.publish_dataset)
    ontology = Graph(identifier=ONTOLOGY_IRI).parse(paths.ontology / "cdkg.ttl")
    dataset = StoreDataset(
        Path(scratch.name), ontology, reason=options.reason, persistent=options.publish_dataset
    )
    workers = default_workers() if options.workers is None else options.workers
    base = options.base

    def normalise() -> list[CatalogOutcome | None]:
        dataset.write_graph(
            minter.graph("registers"), lambda sink: registers_graph(normalisers, minter, sink)
        )
        jobs = [
            Job(
                minter.graph(p.catalog.key),
                partial(_normalise, paths, p, normalisers, minter),
                keep=p.ok,  # a catalog with errors is reported, not published
            )
            for p in parsed
        ]
        outcomes = dataset.write_graphs(jobs, workers)
        if readings is not None:
            dataset.write_graph(
                minter.graph(GRAPH_NAME), lambda sink: law_texts_graph(readings, minter, sink)
            )
        dataset.load()
        return outcomes

    outcomes = progress.run(
        "normalise",
        normalise,
        _describe_outcomes,
    )
    reasoning = progress.run("reason", dataset.reason, lambda s: s.describe())
    progress.run(
        "statistics",
        lambda: dataset.add_graph(statistics_iri(base), statistics_tokens(dataset.store, base)),
        lambda count: f"{count} triples in {statistics_iri(base)}",
    )
    counts: list[AnswerCount] = []
    progress.run(
        "answers",
        lambda: dataset.add_graph(
            answers_iri(base),
            answer_tokens(dataset.store, base, read_materialised(paths.queries), counts),
        ),
        lambda count: describe_answers(counts, count),
    )
    validation = progress.run(
        "validate",
        lambda: (
            dataset.validate(paths.ontology / "shapes.ttl", materialised=options.reason)
            if options.validate_shapes
            else ValidationSummary()
        ),
        lambda v: v.describe(),
    )
    report = _report(parsed, outcomes, normalisers, reasoning, validation, progress)
    result = BuildResult(report, strict=options.strict, details=dataset.details, law_texts=readings)
    if options.publishable(report):
        sizes = {name: dataset.sizes[name] for name in dataset.order}
        folder = _write_dataset(
            paths,
            progress,
            report,
            _manifest(base, sizes, parsed, report),
            lambda files, manifest: dataset.publish(paths.build, files, manifest),
        )
        result.published = folder
        scratch.cleanup()
        result.graph_source = lambda: dataset.graphs(folder / DATASET_FILE)
    else:
        progress.run("write", lambda: None, lambda _: _not_published(report, options.strict))
        dataset.close()
        # The scratch folder lives as long as the result may still need its lines.
        result.graph_source = lambda: (scratch, dataset.graphs())[1]
    return result


def _describe_outcomes(outcomes: list[CatalogOutcome | None]) -> str:
    """The normalise stage's progress line, the same for both engines."""
    written = [o for o in outcomes if o]
    return f"{sum(o.duty_count for o in written)} duties in {len(written)} graphs"


def _catalog_report(parsed: Parsed, outcome: CatalogOutcome | None) -> CatalogReport:
    return CatalogReport(
        key=parsed.catalog.key,
        file=parsed.catalog.file,
        reconciliation=parsed.reconciliation,
        skipped=parsed.result.skipped,
        problems=parsed.result.problems,
        findings=parsed.result.findings,
        normalised=outcome.normalised if outcome else Normalised(),
        corrections=len(parsed.corrections),
        duties=len(parsed.result.duties),
    )


__all__ = ["BuildOptions", "BuildResult", "ValidationSummary", "build", "load_normalisers"]
