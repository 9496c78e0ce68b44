"""Validation: the built graph against ontology/shapes.ttl with pySHACL.

Reasoning has already run, so validation uses no further inference. Results are grouped by
shape and severity for the build report; sh:Violation fails the build, sh:Warning and sh:Info
are findings (e.g. an assistance duty without any legal basis). Every message starts with the
source file and row of its focus node (:func:`locate`), for both validators.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH


@dataclass(frozen=True)
class Finding:
    """One SHACL result, with the focus node's label for a person to read."""

    severity: str  # Violation | Warning | Info
    shape: str
    focus: str
    label: str
    message: str


@dataclass
class ValidationSummary:
    """SHACL results of one build."""

    ran: bool = False
    conforms: bool = True
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)

    @property
    def violations(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "Violation"]

    def counts(self) -> Counter[tuple[str, str]]:
        """(shape, severity) → number of results."""
        return Counter((f.shape, f.severity) for f in self.findings)

    def describe(self) -> str:
        if not self.ran:
            return "skipped (no shapes)"
        by_severity = Counter(f.severity for f in self.findings)
        parts = [f"{by_severity.get(s, 0)} {s.lower()}s" for s in ("Violation", "Warning", "Info")]
        return f"SHACL: {', '.join(parts)} in {self.seconds:.2f} s"


# The source of focus nodes: a duty's own file and row, or (for a citation, a provision, a
# document, a department) the first row of a duty linking to it; a catalog has only its file.
_SOURCE_QUERY = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?focus ?file ?line ?direct WHERE {
  VALUES ?focus { %s }
  {
    ?focus prov:wasDerivedFrom ?source .
    OPTIONAL { ?focus cd:sourceLine ?line }
    BIND(true AS ?direct)
  } UNION {
    ?duty ?link ?focus .
    ?duty cd:sourceLine ?line ; prov:wasDerivedFrom ?source .
    BIND(false AS ?direct)
  }
  ?source rdfs:label ?file .
}"""
Select = Callable[[str], Iterable[dict[str, str]]]
"""Runs a SELECT query, giving each row as variable → lexical value."""


def locate(findings: list[Finding], select: Select, batch: int = 500) -> list[Finding]:
    """The findings with ``file:row:`` in front of each message (when the focus node has a
    source), found with ``select`` over the validated data."""
    foci = sorted({f.focus for f in findings if f.focus.startswith(("http://", "https://"))})
    where: dict[str, tuple[bool, str, int, str]] = {}
    for start in range(0, len(foci), batch):
        values = " ".join(f"<{iri}>" for iri in foci[start : start + batch])
        for row in select(_SOURCE_QUERY % values):
            line = row.get("line", "")  # as stored: a broken graph may hold a non-number
            number = int(line) if line.isdigit() else 0
            found = (row.get("direct") != "true", row["file"], number, line)
            if row["focus"] not in where or found < where[row["focus"]]:
                where[row["focus"]] = found
    located = []
    for finding in findings:
        if finding.focus in where:
            _, file, _, line = where[finding.focus]
            prefix = f"{file}:{line}: " if line else f"{file}: "
            finding = Finding(
                finding.severity,
                finding.shape,
                finding.focus,
                finding.label,
                prefix + finding.message,
            )
        located.append(finding)
    return located


def _rdflib_select(graph: Graph) -> Select:
    def select(query: str) -> Iterable[dict[str, str]]:
        result = graph.query(query)
        names = [str(v) for v in result.vars or []]
        for row in result:
            assert isinstance(row, tuple)
            yield {n: str(v) for n, v in zip(names, row, strict=True) if v is not None}

    return select


def short_name(node: object) -> str:
    """An IRI's local name (after ``#`` or the last ``/``), for severities and shape names;
    both validation engines report with it.

    >>> short_name("http://www.w3.org/ns/shacl#Violation"), short_name("https://w3id.org/cdkg/id/x")
    ('Violation', 'x')
    """
    text = str(node)
    return text.split("#")[-1] if "#" in text else text.rsplit("/", 1)[-1]


def validate(graphs: Sequence[Graph], ontology: Graph, shapes_path: Path) -> ValidationSummary:
    """Validate the union of ``graphs`` (with the ontology for class hierarchy lookups)."""
    if not shapes_path.exists():
        return ValidationSummary()
    started = time.perf_counter()
    data = Graph()
    for graph in graphs:
        for triple in graph:
            data.add(triple)
    for triple in ontology:
        data.add(triple)
    shapes = Graph().parse(shapes_path)
    conforms, results, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True
    )
    assert isinstance(results, Graph)
    summary = ValidationSummary(ran=True, conforms=bool(conforms))
    for result in results.subjects(SH.resultSeverity, None):
        focus = results.value(result, SH.focusNode)
        shape = results.value(result, SH.sourceShape)
        severity = results.value(result, SH.resultSeverity)
        message = results.value(result, SH.resultMessage)
        label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
        # A property shape is anonymous: report it under the node shape that holds it.
        shape = shapes.value(None, SH.property, shape) or shape
        summary.findings.append(
            Finding(
                severity=short_name(severity),
                shape=short_name(shapes.value(shape, RDFS.label) or shape),
                focus=str(focus),
                label=str(label or ""),
                message=str(message or ""),
            )
        )
    summary.findings = locate(summary.findings, _rdflib_select(data))
    summary.findings.sort(key=lambda f: (f.severity, f.shape, f.focus))
    summary.seconds = time.perf_counter() - started
    return summary
