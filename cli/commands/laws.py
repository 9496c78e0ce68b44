"""``cdkg laws``: how much of what the catalogs cite the law register knows, and what to add.

``cdkg laws`` prints the register's coverage of the current build — cited documents by kind,
registered and provisional (national ones counted apart, since the national register should
know them all) — then each provisional document with its kind, level, the law it implements,
the closest registered title and the findings (file:row, text as printed) that cite it.

``cdkg laws suggest`` prints one data/registers/laws.csv row per provisional document, ready
for review: its id is the provisional id (rename it to a slug before adding the row), its
facts are those read from the title, confidence "unverified", source "cdkg laws suggest from
<file>:<line>" (the first citation). Nothing is written to the register.

Both read build/current (dataset.nq and report.json), or the build given by ``--dataset``.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdkg.loaders.laws.register import COLUMNS
from cdkg.loaders.layout import BUILD_REPORT
from cdkg.server.reports.duties import Selector
from cdkg.server.reports.law_text_coverage import coverage_rows, text_coverage_lines

from .common import EXIT_OK, EXIT_USAGE, paths_of

_DOCUMENTS = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?document (SAMPLE(?label) AS ?title) (SAMPLE(?type) AS ?kind) (SAMPLE(?lvl) AS ?level)
       (SAMPLE(?prov) AS ?provisional) (SAMPLE(?juris) AS ?jurisdiction)
       (SAMPLE(?impl) AS ?implements) (SAMPLE(?implLabel) AS ?implementsTitle)
       (SAMPLE(?sugg) AS ?suggested) (SAMPLE(?suggLabel) AS ?suggestedTitle)
       (SAMPLE(?sim) AS ?similarity) (COUNT(DISTINCT ?citation) AS ?citations)
WHERE {
  ?citation cd:citedDocument ?document .
  OPTIONAL { ?document rdfs:label ?label FILTER(lang(?label) = "zh") }
  OPTIONAL { ?document cd:documentType ?type }
  OPTIONAL { ?document cd:level ?lvl }
  OPTIONAL { ?document cd:provisional ?prov }
  OPTIONAL { ?document cd:issuingJurisdiction ?juris }
  OPTIONAL { ?document cd:implements ?impl OPTIONAL { ?impl rdfs:label ?implLabel } }
  OPTIONAL { ?document cd:suggestedDocument ?sugg OPTIONAL { ?sugg rdfs:label ?suggLabel }
             OPTIONAL { ?document cd:suggestionSimilarity ?sim } }
}
GROUP BY ?document
ORDER BY ?document"""


@dataclass
class CitedDocument:
    """A document the build's citations point to, with what the graph says of it."""

    iri: str
    title: str
    kind: str
    level: str
    provisional: bool
    citations: int
    jurisdiction: str = ""
    implements: str = ""
    implements_title: str = ""
    suggested: str = ""
    suggested_title: str = ""
    similarity: str = ""
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.iri.rsplit("/", 1)[-1]


def cited_documents(store: Selector, findings: Sequence[Mapping[str, Any]]) -> list[CitedDocument]:
    """Every cited document of the build, with the build's findings for provisional ones."""
    by_iri: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        if finding.get("kind") == "title":
            by_iri.setdefault(str(finding.get("iri", "")), []).append(dict(finding))
    documents = []
    for row in store.select(_DOCUMENTS):
        text = {name: str(value) for name, value in row.items()}
        iri = text["document"]
        documents.append(
            CitedDocument(
                iri=iri,
                title=text.get("title", ""),
                kind=text.get("kind", ""),
                level=text.get("level", ""),
                provisional=text.get("provisional", "").lower() == "true",
                citations=int(text.get("citations", "0")),
                jurisdiction=text.get("jurisdiction", "").rsplit("/", 1)[-1],
                implements=text.get("implements", ""),
                implements_title=text.get("implementsTitle", ""),
                suggested=text.get("suggested", ""),
                suggested_title=text.get("suggestedTitle", ""),
                similarity=text.get("similarity", ""),
                findings=by_iri.get(iri, []),
            )
        )
    return documents


def coverage_lines(documents: Sequence[CitedDocument]) -> list[str]:
    """Register coverage: cited documents registered vs provisional, national apart, by kind."""
    registered = [d for d in documents if not d.provisional]
    provisional = [d for d in documents if d.provisional]
    national = [d for d in documents if d.level == "national"]
    national_provisional = sum(1 for d in national if d.provisional)
    lines = [
        f"cited documents: {len(documents)} — {len(registered)} registered, "
        f"{len(provisional)} provisional",
        f"national documents: {len(national)} — {len(national) - national_provisional} "
        f"registered, {national_provisional} provisional",
        f"citations: {sum(d.citations for d in documents)} — "
        f"{sum(d.citations for d in registered)} to registered documents, "
        f"{sum(d.citations for d in provisional)} to provisional ones",
        "by kind (registered / provisional):",
    ]
    kinds = Counter((d.kind, d.provisional) for d in documents)
    for kind in sorted({d.kind for d in documents}):
        lines.append(f"  {kind or '—'}: {kinds[(kind, False)]} / {kinds[(kind, True)]}")
    return lines


def provisional_lines(documents: Sequence[CitedDocument]) -> list[str]:
    """Each provisional document, what was read from its title, and its findings."""
    lines = []
    for d in (d for d in documents if d.provisional):
        lines.append(f"{d.id}  《{d.title}》  {d.kind}, {d.level}, {d.citations} citation(s)")
        if d.implements:
            lines.append(f"  implements: 《{d.implements_title}》 <{d.implements}>")
        if d.suggested:
            lines.append(
                f"  closest registered: 《{d.suggested_title}》 <{d.suggested}> "
                f"(similarity {d.similarity})"
            )
        for finding in d.findings:
            lines.append(f"  {finding['file']}:{finding['line']}: {finding['text']}")
    return lines


def suggested_rows(documents: Sequence[CitedDocument]) -> list[dict[str, str]]:
    """One register row per provisional document (the columns of data/registers/laws.csv)."""
    rows = []
    for d in (d for d in documents if d.provisional):
        first = d.findings[0] if d.findings else {}
        where = f"{first.get('file', '?')}:{first.get('line', '?')}"
        notes = []
        if d.implements:
            notes.append(f"implements {d.implements.rsplit('/', 1)[-1]}")
        if d.suggested:
            notes.append(
                f"closest registered: {d.suggested.rsplit('/', 1)[-1]} 《{d.suggested_title}》 "
                f"(similarity {d.similarity}): an alias or misprint of it?"
            )
        values = {
            "id": d.id,
            "canonical_title": d.title,
            "doc_type": d.kind,
            "level": d.level,
            "issuing_jurisdiction": d.jurisdiction or ("100000" if d.level == "national" else ""),
            "status": "unknown",
            "source": f"cdkg laws suggest from {where}",
            "confidence": "unverified",
            "note": "; ".join(notes),
        }
        rows.append({column: values.get(column, "") for column in COLUMNS})
    return rows


NAME = "laws"
SUMMARY = "law register coverage of the current build, provisional documents, suggestions"


def add_options(parser: argparse.ArgumentParser) -> None:
    """``cdkg laws``'s options."""
    parser.add_argument("action", nargs="?", choices=("suggest",), help="print register rows")
    parser.add_argument("--dataset", help="a built dataset.nq (default build/current/dataset.nq)")


def run(args: argparse.Namespace) -> int:
    from cdkg.server.store.engines import OxigraphStore

    dataset = Path(args.dataset) if args.dataset else paths_of(args).dataset
    if not dataset.is_file():
        print(f"cdkg laws: no built dataset at {dataset}; run cdkg build", file=sys.stderr)
        return EXIT_USAGE
    report = dataset.parent / BUILD_REPORT
    findings = (
        json.loads(report.read_text(encoding="utf-8")).get("findings", [])
        if report.is_file()
        else []
    )
    store = OxigraphStore.from_file(dataset)
    documents = cited_documents(store, findings)
    if args.action == "suggest":
        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(suggested_rows(documents))
        return EXIT_OK
    print("\n".join(coverage_lines(documents)))
    provisional = provisional_lines(documents)
    print(f"\nprovisional documents ({sum(d.provisional for d in documents)}):")
    print("\n".join(provisional) if provisional else "none")
    print("\n" + "\n".join(text_coverage_lines(coverage_rows(store))))
    return EXIT_OK
