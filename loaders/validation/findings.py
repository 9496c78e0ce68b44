"""SHACL findings, whichever engine found them: the types both validators return and the
build publishes in report.json, and :func:`locate`, which puts each focus node's source file
and row in front of its message.

Kept apart from the validators so that the read side (``cdkg check``, /report), which reads
the published findings back, loads neither pySHACL nor the compiled shapes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class ShaclResult:
    """One SHACL validation result (an ``sh:ValidationResult``: severity, shape, focus node,
    path, message), with the focus node's label for a person to read.

    Published in the build's report.json, where ``cdkg check`` and /report read them back
    instead of validating the dataset again and trace each to its duty as a row of the check
    report (:class:`cdkg.server.reports.checks.CheckFinding`)."""

    severity: str  # Violation | Warning | Info
    shape: str
    focus: str
    label: str
    message: str
    """The result message, after ``file:row: `` (``source``) when the focus has a source."""
    path: str = ""
    """The local name of the property shape's path (sh:resultPath), if any."""
    source: str = ""
    """``file:row`` or ``file`` of the focus node (:func:`locate`), if it has one."""

    @property
    def detail(self) -> str:
        """The message as the shape gives it, without the source in front.

        >>> ShaclResult("Warning", "S", "urn:x", "", "a.txt:3: no basis", "p", "a.txt:3").detail
        'no basis'
        """
        prefix = f"{self.source}: "
        return self.message[len(prefix) :] if self.message.startswith(prefix) else self.message


@dataclass
class ValidationSummary:
    """SHACL results of one build."""

    ran: bool = False
    conforms: bool = True
    seconds: float = 0.0
    findings: list[ShaclResult] = field(default_factory=list)

    @property
    def violations(self) -> list[ShaclResult]:
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
# Two queries, each starting from the foci, rather than one UNION under a shared VALUES:
# pyoxigraph does not carry the VALUES into the branches, so the linking branch joined every
# duty's links of the whole dataset once per batch (886 s of a 3,000-catalog build's
# validation for 23,013 findings; 4.9 s against 0.17 s for the 2,364 findings at 300).
_PREFIXES = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""
_SOURCE_QUERIES = (
    _PREFIXES
    + """SELECT ?focus ?file ?line ?direct WHERE {
  VALUES ?focus { %s }
  ?focus prov:wasDerivedFrom ?source .
  ?source rdfs:label ?file .
  OPTIONAL { ?focus cd:sourceLine ?line }
  BIND(true AS ?direct)
}""",
    _PREFIXES
    + """SELECT ?focus ?file ?line ?direct WHERE {
  VALUES ?focus { %s }
  ?duty ?link ?focus .
  ?duty cd:sourceLine ?line ; prov:wasDerivedFrom ?source .
  ?source rdfs:label ?file .
  BIND(false AS ?direct)
}""",
)
Select = Callable[[str], Iterable[dict[str, str]]]
"""Runs a SELECT query, giving each row as variable → lexical value."""


def locate(findings: list[ShaclResult], select: Select, batch: int = 500) -> list[ShaclResult]:
    """The findings with ``file:row:`` in front of each message (when the focus node has a
    source), found with ``select`` over the validated data."""
    foci = sorted({f.focus for f in findings if f.focus.startswith(("http://", "https://"))})
    where: dict[str, tuple[bool, str, int, str]] = {}
    for start in range(0, len(foci), batch):
        values = " ".join(f"<{iri}>" for iri in foci[start : start + batch])
        rows = (row for query in _SOURCE_QUERIES for row in select(query % values))
        for row in rows:
            line = row.get("line", "")  # as stored: a broken graph may hold a non-number
            number = int(line) if line.isdigit() else 0
            found = (row.get("direct") != "true", row["file"], number, line)
            if row["focus"] not in where or found < where[row["focus"]]:
                where[row["focus"]] = found
    located = []
    for finding in findings:
        if finding.focus in where:
            _, file, _, line = where[finding.focus]
            source = f"{file}:{line}" if line else file
            finding = replace(finding, message=f"{source}: {finding.message}", source=source)
        located.append(finding)
    return located


def short_name(node: object) -> str:
    """An IRI's local name (after ``#`` or the last ``/``), for severities and shape names;
    both validation engines report with it.

    >>> short_name("http://www.w3.org/ns/shacl#Violation"), short_name("https://w3id.org/cdkg/id/x")
    ('Violation', 'x')
    """
    text = str(node)
    return text.split("#")[-1] if "#" in text else text.rsplit("/", 1)[-1]
