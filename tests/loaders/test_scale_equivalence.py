"""The scalable build (store engine) against the reference build (rdflib + owlrl + pySHACL).

The contract of issue 7: on the seed data both engines publish the same dataset — the same
quads, byte for byte, so the same version — with the same entailments in the same graphs and
the same SHACL findings (focus node, shape, severity, message). Checked on the shipped
sources, without reasoning, with the catalogs written in worker processes, and on a copy with
deliberately broken data, where the compiled SHACL must report what pySHACL reports.
"""

from __future__ import annotations

import io
import json
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef

from cdkg.loaders.build import BuildOptions, BuildResult, build
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.loaders.publish import nquads_lines, stable_graph
from cdkg.loaders.rdf.nquads import lines_of
from cdkg.loaders.validation.reference import validate
from cdkg.loaders.validation.shacl import count_findings, rewrite_select, validate_store

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/cdkg/id/"
CD = "https://w3id.org/cdkg/ontology#"
SHAPES = ROOT / "ontology" / "shapes.ttl"


def paths_in(tmp: Path) -> ProjectPaths:
    return project_paths(ROOT, tmp)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(
        paths_in(tmp_path_factory.mktemp("reference")),
        BuildOptions(engine="reference"),
        io.StringIO(),
    )


@pytest.fixture(scope="module")
def scalable(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    return build(
        paths_in(tmp_path_factory.mktemp("store")), BuildOptions(engine="store"), io.StringIO()
    )


def test_same_dataset_byte_for_byte(reference: BuildResult, scalable: BuildResult) -> None:
    assert reference.published and scalable.published
    expected = (reference.published / "dataset.nq").read_bytes()
    assert (scalable.published / "dataset.nq").read_bytes() == expected
    answers = b"<https://w3id.org/cdkg/id/graph/answers> ."
    tables = [line for line in expected.splitlines() if line.endswith(answers)]
    assert len(expected.splitlines()) - len(tables) == 21668  # the answer tables aside
    assert tables  # (their size follows the library's '# materialise: yes' queries)
    assert scalable.published.name == reference.published.name  # the version


def test_same_manifest_graphs(reference: BuildResult, scalable: BuildResult) -> None:
    assert reference.published and scalable.published

    def graphs(result: Path) -> object:
        return json.loads((result / "manifest.json").read_text(encoding="utf-8"))["graphs"]

    assert list(graphs(scalable.published).items()) == list(graphs(reference.published).items())  # type: ignore[attr-defined]


def test_same_entailments_in_the_same_graphs(reference: BuildResult, scalable: BuildResult) -> None:
    assert scalable.report.reasoning.added == reference.report.reasoning.added
    assert scalable.report.reasoning.total > 4000


def test_same_shacl_findings(reference: BuildResult, scalable: BuildResult) -> None:
    ours, theirs = scalable.report.validation, reference.report.validation
    assert count_findings(ours) == count_findings(theirs)
    assert ours.conforms == theirs.conforms
    assert ours.counts() == theirs.counts()
    severities = Counter(f.severity for f in ours.findings)
    assert severities == Counter({"Warning": 8, "Info": 3})


def test_trig_holds_the_same_quads(scalable: BuildResult) -> None:
    assert scalable.published
    folder = scalable.published

    def named(path: Path, fmt: ox.RdfFormat) -> set[ox.Quad]:
        return {
            q
            for q in ox.parse(path=str(path), format=fmt)
            if not isinstance(q.subject, ox.BlankNode) and not isinstance(q.object, ox.BlankNode)
        }

    assert named(folder / "dataset.trig", ox.RdfFormat.TRIG) == named(
        folder / "dataset.nq", ox.RdfFormat.N_QUADS
    )


def test_published_store_answers_like_the_file(scalable: BuildResult) -> None:
    assert scalable.published
    store = ox.Store.read_only(str(scalable.published / "store"))
    from_file = ox.Store()
    from_file.bulk_load(path=str(scalable.published / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    assert len(store) == len(from_file)
    query = f"SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{ ?d a <{CD}Duty> }}"
    counts = []
    for source in (store, from_file):
        rows = source.query(query, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        counts.append(next(iter(rows))["n"].value)
    assert counts == ["210", "210"]
    marker = (scalable.published / "store" / "cdkg-version.txt").read_text(encoding="utf-8")
    assert marker.strip() == scalable.published.name


def test_without_reasoning(tmp_path: Path) -> None:
    first, second = (
        build(
            paths_in(tmp_path / engine),
            BuildOptions(engine=engine, reason=False, publish_dataset=False),
            io.StringIO(),
        )
        for engine in ("reference", "store")
    )
    assert nquads_lines(first.graphs) == nquads_lines(second.graphs)
    # Without the closure, SHACL finds instances of sub-classes through rdfs:subClassOf*.
    assert count_findings(first.report.validation) == count_findings(second.report.validation)


def test_catalogs_written_in_worker_processes(tmp_path: Path, scalable: BuildResult) -> None:
    assert scalable.published
    parallel = build(paths_in(tmp_path), BuildOptions(workers=2), io.StringIO())
    assert parallel.published
    assert (parallel.published / "dataset.nq").read_bytes() == (
        scalable.published / "dataset.nq"
    ).read_bytes()


# --- broken data: the compiled SHACL reports what pySHACL reports ------------------------


def broken_graphs(reference: BuildResult) -> list[Graph]:
    ontology, registers, *catalogs = reference.graphs
    chongqing = next(g for g in catalogs if str(g.identifier).endswith("/chongqing"))
    broken = Graph(identifier=chongqing.identifier)
    for triple in chongqing:
        broken.add(triple)
    duty = URIRef(f"{ID}duty/chongqing/assistance/3")
    broken.remove((duty, RDFS.label, None))
    broken.remove((duty, URIRef(f"{CD}topic"), None))
    broken.remove((duty, URIRef(f"{CD}department"), None))
    broken.add((duty, URIRef(f"{CD}inCatalog"), URIRef(f"{ID}catalog/sichuan")))
    other = URIRef(f"{ID}duty/chongqing/assistance/4")
    broken.add((other, RDFS.label, Literal("a second name", lang="en")))
    broken.add((other, RDFS.label, Literal("第二个名称", lang="zh")))
    broken.add((other, URIRef(f"{CD}sourceLine"), Literal("abc")))
    broken.add((other, URIRef(f"{CD}sourceLine"), Literal(0)))
    broken.add((other, URIRef(f"{CD}number"), Literal("9", lang="zh")))
    broken.add((other, URIRef(f"{CD}topic"), URIRef(f"{ID}topic/no-such-topic")))
    law = URIRef(f"{ID}law/no-such-law")
    broken.add((law, RDF.type, URIRef(f"{CD}LegalDocument")))
    broken.add((law, URIRef(f"{CD}documentType"), Literal("bogus")))
    broken.add((URIRef(f"{ID}provision/orphan"), RDF.type, URIRef(f"{CD}LegalProvision")))
    others = [g for g in catalogs if g is not chongqing]
    return [ontology, registers, broken, *others]


def store_of(graphs: list[Graph]) -> ox.Store:
    store = ox.Store()
    lines = [line for g in graphs for line in lines_of(str(g.identifier), stable_graph(g))]
    store.bulk_load(input="\n".join(lines).encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("materialised", [False, True])
def test_broken_data_same_findings_as_pyshacl(reference: BuildResult, materialised: bool) -> None:
    graphs = broken_graphs(reference)
    expected = validate(graphs[1:], graphs[0], SHAPES)
    found = validate_store(store_of(graphs), SHAPES, materialised=materialised)
    assert count_findings(found) == count_findings(expected)
    kinds = Counter(f.shape for f in found.violations)
    assert kinds["DutyShape"] >= 5 and kinds["LegalDocumentShape"] and kinds["ProvisionShape"]
    assert not found.conforms


def test_exists_filters_become_joins() -> None:
    query = rewrite_select(
        """SELECT $this WHERE {
              $this cd:inCatalog ?catalog .
              FILTER NOT EXISTS { $this cd:department ?any }
              FILTER EXISTS { ?other cd:inCatalog ?catalog ; cd:department ?department }
            }""",
        "{ TARGET }",
        {"cd": CD},
    )
    assert "EXISTS" not in query
    assert "MINUS { SELECT DISTINCT ?this WHERE" in query
    assert "{ SELECT DISTINCT ?catalog WHERE" in query


def test_unrewritable_sparql_keeps_its_filters() -> None:
    query = rewrite_select(
        "SELECT $this WHERE { $this ?p ?o . OPTIONAL { ?o ?q ?r } FILTER NOT EXISTS { ?o a ?t } }",
        "{ TARGET }",
    )
    assert "FILTER NOT EXISTS" in query and query.startswith("SELECT ?this WHERE { { TARGET }")
