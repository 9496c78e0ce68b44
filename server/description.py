"""Descriptions of the service and the dataset: SPARQL 1.1 Service Description and VoID.

Both are rdflib graphs built from the store's per-graph triple counts and the build
manifest, served by negotiation like any other RDF (``/sparql`` without a query, and
``/.well-known/void``, as VoID §6.2 recommends).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, XSD

from cdkg.ontology.namespace import CD, ONTOLOGY_IRI, PREFIXES, SD, VOID

from .store.negotiation import GRAPH_FORMATS, RESULT_FORMATS, Format

FORMATS = Namespace("http://www.w3.org/ns/formats/")
_FORMAT_IRIS = {
    "json": FORMATS.SPARQL_Results_JSON,
    "xml": FORMATS.SPARQL_Results_XML,
    "csv": FORMATS.SPARQL_Results_CSV,
    "tsv": FORMATS.SPARQL_Results_TSV,
    "turtle": FORMATS.Turtle,
    "ntriples": FORMATS["N-Triples"],
    "nquads": FORMATS["N-Quads"],
    "jsonld": FORMATS["JSON-LD"],
    "rdfxml": FORMATS.RDF_XML,
    "trig": FORMATS.TriG,
}
TITLE_ZH = "社区工作事项知识图谱"
TITLE_EN = "Community Duty Knowledge Graph"
DESCRIPTION_ZH = (
    "将各地社区工作事项清单（依法履行、依法协助、取消及不得承担事项）转换为一个关联数据知识图谱。"
)
DESCRIPTION_EN = (
    "Chinese community work-duty catalogs (duties residents' committees perform, assist "
    "with, no longer do or may never be given) as one linked-data knowledge graph."
)


@dataclass(frozen=True)
class BuildInfo:
    """What the build manifest (build/current/manifest.json) says about the dataset."""

    version: str | None = None
    built: str | None = None
    base: str | None = None
    graphs: dict[str, int] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path | None) -> BuildInfo:
        """The manifest in ``folder``; an empty BuildInfo when there is none."""
        if folder is None or not (folder / "manifest.json").is_file():
            return cls()
        data = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        graphs = data.get("graphs") or {}
        return cls(
            version=data.get("version"),
            built=data.get("built"),
            base=data.get("base"),
            graphs={str(k): int(v) for k, v in graphs.items()},
        )


def dataset_iri(base: str) -> URIRef:
    """The IRI of the whole dataset (the VoID and service-description subject)."""
    return URIRef(f"{base}dataset")


def _described_dataset(base: str) -> tuple[Graph, URIRef]:
    """A description graph with the project's prefixes, and the dataset it describes with its
    Chinese and English titles: both descriptions name the one dataset the same way."""
    graph = Graph()
    for name, iri in PREFIXES.items():
        graph.bind(name, iri)
    graph.bind("formats", FORMATS)
    dataset = dataset_iri(base)
    graph.add((dataset, DCTERMS.title, Literal(TITLE_ZH, lang="zh")))
    graph.add((dataset, DCTERMS.title, Literal(TITLE_EN, lang="en")))
    return graph, dataset


def service_description(
    endpoint: str,
    base: str,
    graph_sizes: dict[str, int],
    *,
    updates: bool,
) -> Graph:
    """The SPARQL 1.1 Service Description of ``endpoint``."""
    graph, dataset = _described_dataset(base)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, SD.Service))
    graph.add((service, SD.endpoint, service))
    graph.add((service, SD.supportedLanguage, SD.SPARQL11Query))
    if updates:
        graph.add((service, SD.supportedLanguage, SD.SPARQL11Update))
    graph.add((service, SD.feature, SD.UnionDefaultGraph))
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS):
        graph.add((service, SD.resultFormat, _FORMAT_IRIS[fmt.key]))
    graph.add((service, SD.defaultDataset, dataset))
    graph.add((dataset, RDF.type, SD.Dataset))
    default = BNode()
    graph.add((dataset, SD.defaultGraph, default))
    graph.add((default, RDF.type, SD.Graph))
    graph.add((default, VOID.triples, Literal(sum(graph_sizes.values()))))
    for name, size in sorted(graph_sizes.items()):
        named, described = BNode(), BNode()
        graph.add((dataset, SD.namedGraph, named))
        graph.add((named, RDF.type, SD.NamedGraph))
        graph.add((named, SD.name, URIRef(name)))
        graph.add((named, SD.graph, described))
        graph.add((described, RDF.type, SD.Graph))
        graph.add((described, VOID.triples, Literal(size)))
    return graph


def void_description(
    root: str,
    base: str,
    graph_sizes: dict[str, int],
    build: BuildInfo,
    dumps: list[tuple[str, Format]],
) -> Graph:
    """VoID for the dataset served at ``root`` (e.g. ``http://127.0.0.1:8000/``).

    ``dumps`` are (file name, format) of the downloads available under ``root/downloads/``.
    """
    graph, dataset = _described_dataset(base)
    graph.add((dataset, RDF.type, VOID.Dataset))
    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION_ZH, lang="zh")))
    graph.add((dataset, DCTERMS.description, Literal(DESCRIPTION_EN, lang="en")))
    if build.built:
        graph.add((dataset, DCTERMS.modified, Literal(build.built, datatype=XSD.dateTime)))
    if build.version:
        graph.add((dataset, OWL.versionInfo, Literal(build.version)))
    graph.add((dataset, VOID.triples, Literal(sum(graph_sizes.values()))))
    graph.add((dataset, VOID.sparqlEndpoint, URIRef(f"{root}sparql")))
    graph.add((dataset, VOID.uriSpace, Literal(base)))
    graph.add((dataset, VOID.vocabulary, URIRef(str(CD._NS))))
    graph.add((dataset, VOID.rootResource, ONTOLOGY_IRI))
    for name, fmt in dumps:
        graph.add((dataset, VOID.dataDump, URIRef(f"{root}downloads/{name}")))
        graph.add((dataset, VOID.feature, _FORMAT_IRIS[fmt.key]))
    for name, size in sorted(graph_sizes.items()):
        subset = URIRef(name)
        graph.add((dataset, VOID.subset, subset))
        graph.add((subset, RDF.type, VOID.Dataset))
        graph.add((subset, VOID.triples, Literal(size)))
        graph.add((subset, SD.name, subset))
    return graph
