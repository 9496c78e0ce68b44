"""SHACL validation of the built graph: the shipped data conform; a broken duty is caught."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDFS, Graph, URIRef

from cdkg.loaders.build import BuildOptions, BuildResult, build
from cdkg.loaders.layout import project_paths
from cdkg.loaders.validation.reference import validate

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/cdkg/id/"
CD = "https://w3id.org/cdkg/ontology#"


@pytest.fixture(scope="module")
def result() -> BuildResult:
    return build(project_paths(ROOT), BuildOptions(publish_dataset=False))


def test_shipped_data_have_no_violations(result: BuildResult) -> None:
    validation = result.report.validation
    assert validation.ran and validation.violations == []


def test_assistance_duties_without_basis_are_warnings(result: BuildResult) -> None:
    warned = sorted(
        f.focus.removeprefix(f"{ID}duty/")
        for f in result.report.validation.findings
        if f.shape == "AssistanceBasisShape"
    )
    # Sichuan 附件2 26–32 print an empty 依据 cell; Changzhi 附件2 34 too.
    assert warned == ["changzhi/assistance/34"] + [f"sichuan/assistance/{n}" for n in range(26, 33)]
    assert {f.severity for f in result.report.validation.findings} <= {"Warning", "Info"}


def test_catalogs_without_department_column_are_info(result: BuildResult) -> None:
    infos = sorted(
        f.focus.removeprefix(f"{ID}catalog/")
        for f in result.report.validation.findings
        if f.shape == "CatalogDepartmentShape"
    )
    assert infos == ["changzhi", "sichuan", "tianjin"]


def test_a_broken_duty_is_caught(result: BuildResult) -> None:
    ontology, registers, *catalogs = result.graphs
    chongqing = next(g for g in catalogs if str(g.identifier).endswith("/chongqing"))
    broken = Graph(identifier=chongqing.identifier)
    for triple in chongqing:
        broken.add(triple)
    duty = URIRef(f"{ID}duty/chongqing/assistance/3")
    broken.remove((duty, RDFS.label, None))
    broken.remove((duty, URIRef(f"{CD}topic"), None))
    broken.remove((duty, URIRef(f"{CD}department"), None))
    broken.add((duty, URIRef(f"{CD}inCatalog"), URIRef(f"{ID}catalog/sichuan")))
    others = [g for g in catalogs if g is not chongqing]
    summary = validate([registers, broken, *others], ontology, ROOT / "ontology" / "shapes.ttl")
    messages = sorted(f.message for f in summary.violations if f.focus == str(duty))
    # Issue 14: every message names the duty's source file and row.
    assert messages == [
        "data/raw/chongqing.txt:56: a duty must belong to exactly one catalog",
        "data/raw/chongqing.txt:56: a duty needs at least one cross-jurisdiction topic",
        "data/raw/chongqing.txt:56: a duty needs exactly one Chinese label (its name)",
    ]
    # A duty without departments in a catalog that prints them is a warning for review (the
    # template allows an empty cell), never a violation that would refuse the catalog.
    warnings = sorted(
        f.message for f in summary.findings if f.focus == str(duty) and f.severity == "Warning"
    )
    assert warnings == [
        "data/raw/chongqing.txt:56: duty names no department although its catalog prints a "
        "department column",
    ]
