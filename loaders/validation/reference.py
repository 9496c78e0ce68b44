"""Validation: the built graph against ontology/shapes.ttl with pySHACL.

Reasoning has already run, so validation uses no further inference. Results are grouped by
shape and severity for the build report; sh:Violation fails the build, sh:Warning and sh:Info
are findings (e.g. an assistance duty without any legal basis). Every message starts with the
source file and row of its focus node (:func:`~cdkg.loaders.validation.findings.locate`), for
both validators.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from pyshacl import validate as shacl_validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS, SH

from .findings import Select, ShaclResult, ValidationSummary, locate, short_name

__all__ = ["ShaclResult", "ValidationSummary", "validate"]


def _rdflib_select(graph: Graph) -> Select:
    def select(query: str) -> Iterable[dict[str, str]]:
        result = graph.query(query)
        names = [str(v) for v in result.vars or []]
        for row in result:
            assert isinstance(row, tuple)
            yield {n: str(v) for n, v in zip(names, row, strict=True) if v is not None}

    return select


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
        path = results.value(result, SH.resultPath)
        label = data.value(focus, RDFS.label) if isinstance(focus, URIRef) else None
        # A property shape is anonymous: report it under the node shape that holds it.
        shape = shapes.value(None, SH.property, shape) or shape
        summary.findings.append(
            ShaclResult(
                severity=short_name(severity),
                shape=short_name(shapes.value(shape, RDFS.label) or shape),
                focus=str(focus),
                label=str(label or ""),
                message=str(message or ""),
                path=short_name(path) if path is not None else "",
            )
        )
    summary.findings = locate(summary.findings, _rdflib_select(data))
    summary.findings.sort(key=lambda f: (f.severity, f.shape, f.focus))
    summary.seconds = time.perf_counter() - started
    return summary
