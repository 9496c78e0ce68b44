"""Consistency checks: every ``kind: check`` query of the library, plus the SHACL shapes.

One function, ``run_checks``, does the work for ``cdkg check`` and for the server's /report
(like pySHACL's CLI and HTTP service over one ``validate()``): it runs each check query on a
store, lists the SHACL findings the build already computed (published in its report.json:
:func:`published_validation`) under the shapes of ontology/shapes.ttl, and returns a
``CheckRun`` — results by check with their findings, each finding traced to its duty, the
duty's jurisdiction and its source file and line. ``cdkg.server.reports.check_report`` renders a
run.

A row of a check query is one finding. Its subject is the ``?duty`` (or ``?focus``) variable,
else the first IRI in the row that is a duty, else the first IRI; a ``?message`` (or
``?reason``) variable gives the text, else the row's other values do.

Severities rank error > warning > info; SHACL's sh:Violation / sh:Warning / sh:Info map onto
them. A run *fails* at a threshold when a check at or above it has findings, or could not run.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, SH
from rdflib.term import Node

from cdkg.loaders.layout import BUILD_REPORT
from cdkg.loaders.validation.findings import ShaclResult, ValidationSummary, short_name
from cdkg.queries.library import NamedQuery, Param, format_value

from .charts import Coverage, SectorBars
from .duties import ONLY_BATCH, DutyRow, Selector, duty_table, only
from .duty_counts import coverage_counts, duty_count, jurisdictions, sector_counts

SEVERITY_RANK = {"info": 1, "warning": 2, "error": 3}
THRESHOLDS = ("error", "warning", "info", "never")
SHACL_SEVERITY = {SH.Violation: "error", SH.Warning: "warning", SH.Info: "info"}
SHACL_SEVERITY_NAMES = {"Violation": "error", "Warning": "warning", "Info": "info"}
SUBJECT_VARIABLES = ("duty", "focus", "this")
MESSAGE_VARIABLES = ("message", "reason")
SHAPES_FILE = Path(str(files("cdkg.ontology").joinpath("shapes.ttl")))

_ZH_LABEL = 'FILTER(langMatches(lang(?jurisdictionLabel), "zh"))'
FOCUS_PATTERNS: dict[str, str] = {
    "owner": "?owner cd:hasCitation ?focus",
    "topicOwner": "?owner cd:topicAssignment ?focus",
    "label": "?focus rdfs:label ?label",
    "jurisdiction": "?focus cd:jurisdiction ?jurisdiction",
    "jurisdictionLabel": "?focus cd:jurisdiction ?jurisdiction . "
    f"?jurisdiction rdfs:label ?jurisdictionLabel {_ZH_LABEL}",
    "file": "?focus prov:wasDerivedFrom ?source . ?source cd:fileName ?file",
    "line": "?focus cd:sourceLine ?line",
}
"""What :func:`describe` reads of a focus, one plain join each (:func:`duties.only`); the key
names the variable read, except ``topicOwner``, which is an ``owner`` too."""
_LABELS = ("Label", "_label", "label", "Name", "Title")
_IRI_PARAM = Param("focus", "iri", "<urn:x>")


@dataclass(frozen=True)
class CheckFinding:
    """One row of the check report: what a named query (or, read from the build, a SHACL
    result — :class:`~cdkg.loaders.validation.findings.ShaclResult`) found, traced to its
    duty, source file and row, with the duty's list, number and jurisdiction."""

    focus: str | None
    """The IRI the check reported (usually a duty), if it names one."""
    label: str = ""
    jurisdiction: str = ""
    jurisdiction_iri: str = ""
    file: str = ""
    line: int | None = None
    message: str = ""
    values: Mapping[str, str] = field(default_factory=dict)
    """The query row as text, by variable (empty for SHACL results)."""
    list_type: str = ""
    number: int | None = None
    duty: str | None = None
    """The duty the finding traces to: the focus itself, or the duty owning the focus (a
    citation or a topic assignment of the duty)."""

    @property
    def source(self) -> str:
        if not self.file:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def to_json(self) -> dict[str, object]:
        return {
            "duty": self.duty,
            "focus": self.focus,
            "label": self.label,
            "jurisdiction": self.jurisdiction,
            "jurisdiction_iri": self.jurisdiction_iri or None,
            "file": self.file or None,
            "line": self.line,
            "list_type": self.list_type or None,
            "number": self.number,
            "message": self.message,
            "values": dict(self.values),
        }

    @classmethod
    def from_json(cls, document: Mapping[str, object]) -> CheckFinding:
        """The finding ``to_json`` wrote."""
        line, number = document.get("line"), document.get("number")
        values = document.get("values") or {}
        assert isinstance(values, dict)
        return cls(
            focus=_text_or_none(document.get("focus")),
            label=str(document.get("label") or ""),
            jurisdiction=str(document.get("jurisdiction") or ""),
            jurisdiction_iri=str(document.get("jurisdiction_iri") or ""),
            file=str(document.get("file") or ""),
            line=line if isinstance(line, int) else None,
            message=str(document.get("message") or ""),
            values={str(k): str(v) for k, v in values.items()},
            list_type=str(document.get("list_type") or ""),
            number=number if isinstance(number, int) else None,
            duty=_text_or_none(document.get("duty")),
        )


def _text_or_none(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass
class CheckResult:
    """One check (a named query, or one SHACL shape at one severity) and its findings."""

    name: str
    source: str  # "query" | "shacl"
    severity: str
    title_zh: str
    title_en: str
    description: str = ""
    findings: list[CheckFinding] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None
    """Why the check could not run (it then fails at every threshold but ``never``)."""

    def fails(self, threshold: str) -> bool:
        if threshold == "never":
            return False
        if self.error is not None:
            return True
        return bool(self.findings) and SEVERITY_RANK[self.severity] >= SEVERITY_RANK[threshold]

    def to_json(self, threshold: str) -> dict[str, object]:
        return {
            "name": self.name,
            "source": self.source,
            "severity": self.severity,
            "title": {"zh": self.title_zh, "en": self.title_en},
            "description": self.description,
            "count": len(self.findings),
            "fails": self.fails(threshold),
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "findings": [finding.to_json() for finding in self.findings],
        }

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> CheckResult:
        """The check ``to_json`` wrote (its verdict is recomputed at any threshold)."""
        title = document.get("title") or {}
        return cls(
            name=str(document["name"]),
            source=str(document["source"]),
            severity=str(document["severity"]),
            title_zh=str(title.get("zh", "")),
            title_en=str(title.get("en", "")),
            description=str(document.get("description") or ""),
            findings=[CheckFinding.from_json(f) for f in document.get("findings") or []],
            seconds=float(document.get("seconds") or 0.0),
            error=_text_or_none(document.get("error")),
        )


@dataclass
class CheckRun:
    """All checks of one run over one dataset version."""

    version: str
    results: list[CheckResult]
    duties: list[DutyRow]
    """The duties the findings name (not every duty: ``duty_count`` counts those)."""
    generated: str
    seconds: float
    duty_count: int = 0
    coverage: Coverage | None = None
    """Duties per topic and jurisdiction, for the report's matrix (None: not counted)."""
    sectors: SectorBars | None = None
    """Duties per department sector and jurisdiction, for the report's bars."""
    dataset: str = ""
    shacl_seconds: float | None = None
    """How long the build's SHACL validation took (None: no SHACL findings were listed)."""
    notes: list[str] = field(default_factory=list)
    """Remarks for the reader, e.g. why SHACL did not run."""

    def failing(self, threshold: str) -> list[CheckResult]:
        return [result for result in self.results if result.fails(threshold)]

    def to_json(self, threshold: str, pictures: bool = False) -> dict[str, object]:
        """The machine-readable report (``cdkg check --format json``, /report as JSON); with
        ``pictures``, the counts of the report's two pictures too, so that
        :meth:`from_json` gives back a run that renders the same report (the build's check
        run, kept beside the dataset: :mod:`cdkg.server.reports.check_files`)."""
        document: dict[str, object] = {
            "version": self.version,
            "dataset": self.dataset or None,
            "generated": self.generated,
            "seconds": round(self.seconds, 3),
            "shacl_seconds": None if self.shacl_seconds is None else round(self.shacl_seconds, 3),
            "threshold": threshold,
            "ok": not self.failing(threshold),
            "notes": list(self.notes),
            "duties": self.duty_count,
            "summary": {
                severity: sum(len(r.findings) for r in self.results if r.severity == severity)
                for severity in ("error", "warning", "info")
            },
            "checks": [result.to_json(threshold) for result in self.results],
        }
        if pictures:
            document["coverage"] = None if self.coverage is None else coverage_json(self.coverage)
            document["sectors"] = None if self.sectors is None else sectors_json(self.sectors)
        return document

    @classmethod
    def from_json(cls, document: Mapping[str, Any]) -> CheckRun:
        """The run ``to_json`` wrote (with ``pictures``, its pictures too; the duties the
        findings name are not kept: the findings carry what the report shows of them)."""
        shacl = document.get("shacl_seconds")
        coverage, sectors = document.get("coverage"), document.get("sectors")
        return cls(
            version=str(document["version"]),
            results=[CheckResult.from_json(c) for c in document.get("checks") or []],
            duties=[],
            generated=str(document.get("generated") or ""),
            seconds=float(document.get("seconds") or 0.0),
            duty_count=int(document.get("duties") or 0),
            coverage=None if coverage is None else coverage_from_json(coverage),
            sectors=None if sectors is None else sectors_from_json(sectors),
            dataset=str(document.get("dataset") or ""),
            shacl_seconds=None if shacl is None else float(shacl),
            notes=[str(note) for note in document.get("notes") or []],
        )


def coverage_json(cover: Coverage) -> dict[str, object]:
    """A Coverage as JSON (counts as [topic, jurisdiction, n] rows).

    >>> counts = {("http://t", "http://j"): 2}
    >>> cover = Coverage([("http://j", "甲")], [("http://t", "禁毒")], counts)
    >>> coverage_from_json(coverage_json(cover)) == cover
    True
    """
    return {
        "jurisdictions": [list(pair) for pair in cover.jurisdictions],
        "topics": [list(pair) for pair in cover.topics],
        "counts": [[topic, place, n] for (topic, place), n in cover.counts.items()],
    }


def coverage_from_json(document: Mapping[str, Any]) -> Coverage:
    return Coverage(
        [(str(iri), str(label)) for iri, label in document["jurisdictions"]],
        [(str(iri), str(label)) for iri, label in document["topics"]],
        {(str(topic), str(place)): int(n) for topic, place, n in document["counts"]},
    )


def sectors_json(bars: SectorBars) -> dict[str, object]:
    """SectorBars as JSON.

    >>> bars = SectorBars([("http://j", "甲")], [("公安", {"http://j": 3}, 3)], {"http://j": 1})
    >>> sectors_from_json(sectors_json(bars)) == bars
    True
    """
    return {
        "jurisdictions": [list(pair) for pair in bars.jurisdictions],
        "sectors": [[label, dict(split), total] for label, split, total in bars.sectors],
        "unassigned": dict(bars.unassigned),
    }


def sectors_from_json(document: Mapping[str, Any]) -> SectorBars:
    return SectorBars(
        [(str(iri), str(label)) for iri, label in document["jurisdictions"]],
        [
            (str(label), {str(k): int(v) for k, v in split.items()}, int(total))
            for label, split, total in document["sectors"]
        ],
        {str(k): int(v) for k, v in document["unassigned"].items()},
    )


@dataclass(frozen=True)
class _Raw:
    """A finding as a check reported it, before it is traced to its duty."""

    check: CheckResult
    focus: str | None
    message: str | None
    values: dict[str, str] = field(default_factory=dict)
    iris: frozenset[str] = frozenset()
    """The variables of ``values`` that were IRIs."""


# --- query checks -------------------------------------------------------------------------


def check_queries(library: Mapping[str, NamedQuery]) -> list[NamedQuery]:
    """The library's checks, most severe first, then by name."""
    checks = [q for q in library.values() if q.kind == "check"]
    return sorted(checks, key=lambda q: (-SEVERITY_RANK.get(q.severity or "info", 0), q.name))


def _row_text(value: Node) -> str:
    return str(value)


def _subject(row: Mapping[str, Node], duties: Mapping[str, DutyRow]) -> str | None:
    for name in SUBJECT_VARIABLES:
        if isinstance(row.get(name), URIRef):
            return str(row[name])
    iris = [str(value) for value in row.values() if isinstance(value, URIRef)]
    for iri in iris:
        if iri in duties:
            return iri
    return iris[0] if iris else None


def _explicit_message(row: Mapping[str, Node]) -> str | None:
    for name in MESSAGE_VARIABLES:
        if name in row:
            return _row_text(row[name])
    return None


def _message(finding: CheckFinding, iris: frozenset[str], shown: Iterable[str] = ()) -> str:
    """The row's values a reader has not already seen in the finding's duty columns: no
    empty values, nothing the duty columns show, and no IRI that a ``?xLabel`` names."""
    seen = {
        finding.focus,
        finding.label,
        finding.jurisdiction,
        finding.jurisdiction_iri,
        finding.file,
        finding.source,
        str(finding.line),
        finding.list_type,
        str(finding.number),
        "",
        *shown,
    }
    values = finding.values
    return "; ".join(
        f"{name}: {value}"
        for name, value in values.items()
        if value not in seen
        and name not in SUBJECT_VARIABLES
        and not (name in iris and any(f"{name}{suffix}" in values for suffix in _LABELS))
    )


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _finding(
    focus: str | None,
    message: str | None,
    values: Mapping[str, str],
    duties: Mapping[str, DutyRow],
    described: Mapping[str, dict[str, str]],
    iris: frozenset[str] = frozenset(),
) -> CheckFinding:
    duty = duties.get(focus or "")
    if duty is None and focus is not None:
        duty = duties.get(described.get(focus, {}).get("owner", ""))
    if duty is not None:
        finding = CheckFinding(
            focus,
            duty.name,
            duty.jurisdiction,
            duty.jurisdiction_iri,
            duty.file,
            duty.line,
            message or "",
            values,
            duty.list_type,
            duty.number,
            duty.iri,
        )
    else:
        info = {**described.get(focus or "", {}), **{k: v for k, v in values.items() if v}}
        finding = CheckFinding(
            focus,
            info.get("label", info.get("name", "")),
            info.get("jurisdictionLabel", ""),
            info.get("jurisdiction", ""),
            info.get("file", ""),
            _int(info["line"]) if "line" in info else None,
            message or "",
            values,
        )
    if message is None:
        shown = (duty.list_class, duty.catalog_iri, duty.catalog) if duty is not None else ()
        finding = replace(finding, message=_message(finding, iris, shown))
    return finding


def describe(selector: Selector, iris: Iterable[str]) -> dict[str, dict[str, str]]:
    """Label, jurisdiction and source of resources that are not duties, and the duty that
    owns a citation or topic assignment (one plain join per field and batch, as the duty
    table reads duties: see :func:`cdkg.server.reports.duties.only`)."""
    terms = []
    for iri in sorted(set(iris)):
        try:
            format_value(_IRI_PARAM, iri)
        except ValueError:
            continue
        terms.append(iri)
    described: dict[str, dict[str, str]] = {}
    for start in range(0, len(terms), ONLY_BATCH):
        batch = terms[start : start + ONLY_BATCH]
        for key, pattern in FOCUS_PATTERNS.items():
            name = "owner" if key == "topicOwner" else key
            for row in selector.select(only(pattern, f"?focus ?{name}", batch, "focus")):
                info = described.setdefault(str(row["focus"]), {})
                value = row[name]
                zh = isinstance(value, Literal) and (value.language or "").startswith("zh")
                if name not in info or zh:
                    info[name] = str(value)
    return described


RowsOf = Callable[[NamedQuery], list[dict[str, Node]]]
"""Where a check's rows come from instead of running its query on the store (e.g. an answer
table the build materialised); raising means the check could not run."""


def run_query_check(
    selector: Selector, query: NamedQuery, rows_of: RowsOf | None = None
) -> tuple[CheckResult, list[dict[str, Node]]]:
    """Run one check query (or read its rows with ``rows_of``); its rows become findings once
    the duties they name are known."""
    result = CheckResult(
        query.name,
        "query",
        query.severity or "error",
        query.title_zh,
        query.title_en,
        query.description,
    )
    started = time.perf_counter()
    try:
        rows = rows_of(query) if rows_of is not None else selector.select(query.text)
    except Exception as error:  # any engine error: the check is reported as not run
        result.error = f"{type(error).__name__}: {error}"
        rows = []
    result.seconds = time.perf_counter() - started
    return result, rows


def _raw_findings(
    result: CheckResult, rows: Iterable[Mapping[str, Node]], duties: Mapping[str, DutyRow]
) -> list[_Raw]:
    raw: list[_Raw] = []
    for row in rows:
        focus = _subject(row, duties)
        values = {name: _row_text(value) for name, value in row.items()}
        iris = frozenset(name for name, value in row.items() if isinstance(value, URIRef))
        raw.append(_Raw(result, focus, _explicit_message(row), values, iris))
    return raw


# --- SHACL --------------------------------------------------------------------------------


def published_validation(folder: Path) -> ValidationSummary | None:
    """The SHACL findings the build published in ``folder`` (report.json), with the seconds
    validation took; None when the folder holds no build report or validation did not run.

    ``cdkg check`` and /report reuse them: the build has validated the dataset already (with
    pySHACL or with the shapes compiled to SPARQL), and validating it again would mean a full
    rdflib copy of the dataset (12 M quads at national scale)."""
    report = folder / BUILD_REPORT
    if not report.is_file():
        return None
    document = json.loads(report.read_text(encoding="utf-8"))
    validation = document.get("validation") or {}
    if not validation.get("ran"):
        return None
    return ValidationSummary(
        ran=True,
        conforms=bool(validation.get("conforms", True)),
        seconds=float((document.get("timings") or {}).get("validate", 0.0)),
        findings=[ShaclResult(**finding) for finding in validation.get("findings", [])],
    )


def _severity(node: Node | None) -> str:
    """cdkg's severity for a SHACL severity (sh:Violation when none is given)."""
    return SHACL_SEVERITY.get(node, "error") if isinstance(node, URIRef) else "error"


def _declared_severity(shapes: Graph, shape: Node) -> str:
    """The most severe severity a node shape can report: its property shapes' (each
    sh:Violation unless declared), and its own when it has constraints of its own."""
    properties = list(shapes.objects(shape, SH.property))
    declared = [shapes.value(p, SH.severity) for p in properties]
    if not properties or (shape, SH.sparql, None) in shapes:
        declared.append(shapes.value(shape, SH.severity))
    ranks = [_severity(s) for s in declared]
    return max(ranks, key=lambda s: SEVERITY_RANK[s])


def shacl_checks(
    validation: ValidationSummary, shapes_path: Path
) -> tuple[list[CheckResult], list[_Raw]]:
    """One CheckResult per (node shape, severity), shapes without findings included, and the
    raw findings of ``validation`` (the build's SHACL results) under them."""
    shapes = Graph().parse(shapes_path)
    checks: dict[tuple[str, str], CheckResult] = {}
    comments: dict[str, str] = {}

    def check(name: str, severity: str) -> CheckResult:
        key = (name, severity)
        if key not in checks:
            comment = comments.get(name, "")
            first = comment.split(". ", 1)[0].rstrip(".")
            checks[key] = CheckResult(
                f"shacl:{name}",
                "shacl",
                severity,
                f"SHACL 形状 {name}",
                first or f"SHACL shape {name}",
                comment,
            )
        return checks[key]

    for shape in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        name = short_name(shapes.value(shape, RDFS.label) or shape)
        comments[name] = str(shapes.value(shape, RDFS.comment) or "")
        check(name, _declared_severity(shapes, shape))
    raw: list[_Raw] = []
    for found in validation.findings:
        text = found.detail
        if found.path:
            text = f"{text} ({found.path})" if text else found.path
        severity = SHACL_SEVERITY_NAMES.get(found.severity, "error")
        raw.append(_Raw(check(found.shape, severity), found.focus or None, text))
    return list(checks.values()), raw


# --- the run ------------------------------------------------------------------------------


def run_checks(
    selector: Selector,
    library: Mapping[str, NamedQuery],
    *,
    validation: ValidationSummary | None = None,
    shapes_path: Path | None = SHAPES_FILE,
    version: str = "",
    dataset: str = "",
    rows_of: RowsOf | None = None,
) -> CheckRun:
    """Run every check query of ``library`` on ``selector`` (or read its rows with
    ``rows_of``) and, when ``validation`` (the
    build's SHACL results: :func:`published_validation`) and ``shapes_path`` are given, list
    its findings by shape. Findings name their duty (label, jurisdiction, file and line)
    from the store's duty table."""
    started = time.perf_counter()
    results: list[CheckResult] = []
    answered: list[tuple[CheckResult, list[dict[str, Node]]]] = []
    for query in check_queries(library):
        result, rows = run_query_check(selector, query, rows_of)
        results.append(result)
        answered.append((result, rows))
    shacl_seconds: float | None = None
    shacl_raw: list[_Raw] = []
    if validation is not None and shapes_path is not None and shapes_path.is_file():
        shacl_results, shacl_raw = shacl_checks(validation, shapes_path)
        shacl_seconds = validation.seconds
        results.extend(sorted(shacl_results, key=lambda r: (-SEVERITY_RANK[r.severity], r.name)))
    # Only the duties the findings name are looked up (the whole duty table is minutes of
    # queries at national scale): every IRI of a check's rows and every SHACL focus, then
    # the duties owning the foci that are not duties (a citation, a topic assignment).
    # A row that names its subject (?duty, ?focus) needs only that one looked up; a row
    # that does not, every IRI in it (the subject is then the first that is a duty). The
    # findings show no links (topics, documents…), so none are read.
    named: set[str] = set()
    for _, rows in answered:
        for row in rows:
            subject = next(
                (row[n] for n in SUBJECT_VARIABLES if isinstance(row.get(n), URIRef)), None
            )
            if subject is not None:
                named.add(str(subject))
            else:
                named.update(str(v) for v in row.values() if isinstance(v, URIRef))
    named |= {r.focus for r in shacl_raw if r.focus}
    by_iri = {duty.iri: duty for duty in duty_table(selector, named, links=False)}
    pending = [raw for result, rows in answered for raw in _raw_findings(result, rows, by_iri)]
    pending.extend(shacl_raw)
    described = describe(selector, [r.focus for r in pending if r.focus and r.focus not in by_iri])
    owners = {info["owner"] for info in described.values() if "owner" in info}
    by_iri.update((d.iri, d) for d in duty_table(selector, owners - by_iri.keys(), links=False))
    for raw_finding in pending:
        raw_finding.check.findings.append(
            _finding(
                raw_finding.focus,
                raw_finding.message,
                raw_finding.values,
                by_iri,
                described,
                raw_finding.iris,
            )
        )
    for result in results:
        result.findings.sort(key=lambda f: (f.file, f.line or 0, f.focus or "", f.message))
    listed, per_jurisdiction = jurisdictions(selector)
    return CheckRun(
        version=version,
        results=results,
        duties=sorted(by_iri.values(), key=_source_order),
        duty_count=duty_count(selector),
        coverage=coverage_counts(selector, listed),
        sectors=sector_counts(selector, listed, per_jurisdiction),
        generated=datetime.now(UTC).replace(microsecond=0).isoformat(),
        seconds=time.perf_counter() - started,
        dataset=dataset,
        shacl_seconds=shacl_seconds,
    )


def _source_order(duty: DutyRow) -> tuple[str, int, str, int, str]:
    """The duty table's order: file, line, list, number."""
    return (duty.file, duty.line or 0, duty.list_class, duty.number or 0, duty.iri)


def severity_counts(results: Sequence[CheckResult]) -> dict[str, int]:
    """Findings per severity."""
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    for result in results:
        counts[result.severity] += len(result.findings)
    return counts
