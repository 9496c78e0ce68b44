"""The build report: reconciliation per catalog and list type, skipped rows, problems,
references no register knows (findings), the Ningxia copy comparison, reasoning and validation.

Errors are problems of the source itself (counts, numbering, unreadable rows, SHACL
violations): they fail the build. Findings are references the registers lack (a legal title,
a department, a jurisdiction), published as provisional entities: they are warnings, and fail
the build only under ``cdkg build --strict``.

Written as Markdown (for people), JSON (for machines) and a console table (for `cdkg build`).
Every entry names its file and line so a person can check it against the source.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from .rdf.graph import Normalised, Unresolved
from .reasoning.reference import ReasoningSummary
from .reconcile import ListReconciliation
from .records import Problem, Skipped
from .terminal import display_width, pad
from .validation.findings import ValidationSummary


@dataclass
class CatalogReport:
    """Everything the build found about one catalog."""

    key: str
    file: str
    reconciliation: list[ListReconciliation]
    skipped: list[Skipped]
    problems: list[Problem]
    findings: list[str]
    normalised: Normalised = field(default_factory=Normalised)
    corrections: int = 0
    duties: int = 0

    def errors(self) -> list[str]:
        errors = [str(p) for p in self.problems if p.severity == "error"]
        for row in self.reconciliation:
            errors.extend(row.errors)
        return errors


@dataclass
class BuildReport:
    """The whole build's report."""

    catalogs: list[CatalogReport]
    reasoning: ReasoningSummary
    validation: ValidationSummary
    problems: list[Problem] = field(default_factory=list)  # register-level, e.g. stale overrides
    timings: dict[str, float] = field(default_factory=dict)

    def errors(self) -> list[str]:
        errors = [str(p) for p in self.problems if p.severity == "error"]
        errors += [e for c in self.catalogs for e in c.errors()]
        errors.extend(
            f"SHACL violation ({f.shape}) on {f.focus} {f.label}: {f.message}"
            for f in self.validation.violations
        )
        return errors

    @property
    def ok(self) -> bool:
        return not self.errors()

    def findings(self) -> list[Unresolved]:
        """References no register knows, published as provisional entities: warnings for
        review, each with its file, row and the text as printed."""
        return [u for c in self.catalogs for u in c.normalised.unresolved]

    def passes(self, strict: bool = False) -> bool:
        """No errors; and, when ``strict`` (``cdkg build --strict``), no findings either."""
        return self.ok and not (strict and self.findings())

    def normalisation(self) -> list[str]:
        """Shared-normaliser totals: what the registers resolved and what they could not."""
        c = self.catalogs
        duties = sum(x.duties for x in c)
        covered = sum(x.normalised.duties_with_topics for x in c)
        citations = sum(x.normalised.citations for x in c)
        unresolved_titles = sum(1 for x in c for u in x.normalised.unresolved if u.kind == "title")
        documents = len({u.iri for x in c for u in x.normalised.unresolved if u.kind == "title"})
        unmapped = sum(1 for x in c for u in x.normalised.unresolved if u.kind == "department")
        places = len(
            {u.iri for x in c for u in x.normalised.unresolved if u.kind == "jurisdiction"}
        )
        share = 100.0 * covered / duties if duties else 100.0
        return [
            f"legal citations: {citations} parsed, {citations - unresolved_titles} resolved to "
            f"the law register, {unresolved_titles} to {documents} provisional documents, "
            f"{sum(len(x.normalised.misprints) for x in c)} misprinted titles recorded",
            f"departments: {sum(x.normalised.department_links for x in c)} duty→department links, "
            f"{unmapped} to provisional departments",
            f"jurisdictions: {places} provisional",
            f"topics: {covered}/{duties} duties ({share:.0f}%), "
            f"{sum(len(x.normalised.fallback_topics) for x in c)} placed only by a fallback rule",
        ]

    def rows(self) -> list[tuple[str, ...]]:
        """The reconciliation table: catalog, list, declared, parsed, numbering, skipped, status."""
        rows: list[tuple[str, ...]] = []
        for catalog in self.catalogs:
            if not catalog.reconciliation:
                rows.append((catalog.key, "—", "—", "0", "—", str(len(catalog.skipped)), "ERROR"))
            headings = sorted(r.heading_line for r in catalog.reconciliation)
            for row in catalog.reconciliation:
                # A skipped row belongs to the list whose heading precedes it.
                following = [h for h in headings if h > row.heading_line]
                end = following[0] if following else 10**9
                first = row.heading_line if row.heading_line != headings[0] else 0
                skipped = sum(1 for s in catalog.skipped if first <= s.line < end)
                status = "ok" if row.ok else "ERROR"
                if row.ok and row.explained:
                    status = "explained"
                rows.append(
                    (
                        catalog.key,
                        row.list_type.code,
                        _declared(row),
                        str(row.parsed),
                        row.numbers,
                        str(skipped),
                        status,
                    )
                )
        return rows

    def table(self) -> str:
        """The reconciliation table as aligned console text."""
        header = ("catalog", "list", "declared", "parsed", "numbers", "skipped", "status")
        rows = [header, *self.rows()]
        widths = [max(display_width(r[i]) for r in rows) for i in range(len(header))]
        lines = ["  ".join(pad(cell, w) for cell, w in zip(r, widths, strict=True)) for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def markdown(self) -> str:
        out = ["# cdkg build report", ""]
        out.append("## Reconciliation (declared count, parsed count, numbering 1..N)")
        out.append("")
        out.append(
            "A count in brackets is not printed in the source: it is the reviewed expected count "
            "from data/registers/catalogs.csv."
        )
        out.append("")
        out.append("| catalog | list | declared | parsed | numbers | skipped | status |")
        out.append("|---|---|---|---|---|---|---|")
        out.extend("| " + " | ".join(r) + " |" for r in self.rows())
        out += ["", "## Normalisation", ""]
        out.extend(f"- {line}" for line in self.normalisation())
        errors = self.errors()
        out += ["", f"## Errors ({len(errors)})", ""]
        out.extend(f"- {e}" for e in errors) if errors else out.append("None.")
        findings = self.findings()
        out += ["", f"## Findings for review ({len(findings)})", ""]
        out.append(
            "References no register knows, published as provisional entities "
            "(cd:provisional true); `cdkg build --strict` fails on them."
        )
        out.append("")
        out.extend(f"- {f}" for f in findings) if findings else out.append("None.")
        for catalog in self.catalogs:
            out += ["", f"## {catalog.key} ({catalog.file})", ""]
            _section(
                out,
                "Skipped rows",
                [f"{s.file}:{s.line}: {s.reason} — {s.text}" for s in catalog.skipped],
            )
            explained = [e for r in catalog.reconciliation for e in r.explained]
            _section(out, "Explained by the corrections file", explained)
            _section(
                out, "Parser warnings", [str(p) for p in catalog.problems if p.severity != "error"]
            )
            _section(out, "Findings", catalog.findings, bullet=False)
            _section(
                out,
                "Misprinted titles (resolved to the real document)",
                [f"{u.file}:{u.line}: {u.text}" for u in catalog.normalised.misprints],
            )
            _section(
                out,
                "Duties placed only by a fallback topic rule",
                catalog.normalised.fallback_topics,
            )
            if catalog.corrections:
                source = f"data/corrections/{catalog.key}.csv"
                out.append(f"Corrections applied from {source}: {catalog.corrections}")
                out.append("")
        out += ["", "## Reasoning", "", self.reasoning.describe(), ""]
        out.extend(f"- {graph}: +{count}" for graph, count in sorted(self.reasoning.added.items()))
        out += ["", "## Validation (SHACL)", "", self.validation.describe(), ""]
        counts = self.validation.counts()
        if counts:
            out += ["| shape | severity | results |", "|---|---|---|"]
            out.extend(
                f"| {shape} | {severity} | {n} |" for (shape, severity), n in sorted(counts.items())
            )
            out.append("")
            out.extend(
                f"- {f.severity} {f.shape}: {f.focus} {f.label} — {f.message}"
                for f in self.validation.findings[:200]
            )
        out += ["", "## Timings", ""]
        out.extend(f"- {stage}: {seconds:.2f} s" for stage, seconds in self.timings.items())
        return "\n".join(out) + "\n"

    def json(self) -> str:
        data = {
            "ok": self.ok,
            "errors": self.errors(),
            "findings": [
                {"severity": "warning", **asdict(u), "message": str(u)} for u in self.findings()
            ],
            "reconciliation": [
                dict(
                    zip(
                        ("catalog", "list", "declared", "parsed", "numbers", "skipped", "status"),
                        r,
                        strict=True,
                    )
                )
                for r in self.rows()
            ],
            "catalogs": [
                {
                    "key": c.key,
                    "file": c.file,
                    "skipped": [asdict(s) for s in c.skipped],
                    "problems": [asdict(p) for p in c.problems],
                    "findings": c.findings,
                    "misprints": [asdict(u) for u in c.normalised.misprints],
                    "fallback_topics": c.normalised.fallback_topics,
                    "corrections": c.corrections,
                }
                for c in self.catalogs
            ],
            "normalisation": self.normalisation(),
            "reasoning": {"seconds": self.reasoning.seconds, "added": self.reasoning.added},
            "validation": {
                "ran": self.validation.ran,
                "conforms": self.validation.conforms,
                "findings": [asdict(f) for f in self.validation.findings],
            },
            "timings": self.timings,
        }
        return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _section(out: list[str], title: str, items: Sequence[str], bullet: bool = True) -> None:
    if not items:
        return
    out += [f"### {title} ({len(items)})" if bullet else f"### {title}", ""]
    out.extend(f"- {item}" if bullet else item for item in items)
    out.append("")


def _declared(row: ListReconciliation) -> str:
    """The declared count; in brackets when it comes from the register, not a heading."""
    if row.declared is None:
        return "—"
    return str(row.declared) if row.declared_in_source else f"({row.declared})"
