"""Reasoning: materialise the OWL-RL/RDFS entailments that queries rely on, with owlrl.

The closure runs over the ontology, the registers and the catalogs together (the jurisdiction
property chain crosses from duties to catalogs, cd:partOf from districts to provinces), and only
the entailments a SPARQL user needs are kept — types from subclasses (a cd:AssistanceDuty is a
cd:Duty and a cpsv:PublicService), super-properties of the alignments, inverse and transitive
properties, the property chain. OWL-RL's bookkeeping (owl:sameAs x x, owl:Thing,
rdfs:Resource, datatype triples on literals) is dropped. Each kept triple goes to the named graph
that describes its subject, so GRAPH queries on a catalog see its duties' inferred types too.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from cdkg.ontology.namespace import CD

# What the published closure leaves out, shared with the streaming rules (reasoning/rules.py)
# so that both engines publish the same triples: types every resource has, and schema-level
# or bookkeeping predicates owlrl derives.
DROP_TYPES = {OWL.Thing, RDFS.Resource, OWL.NamedIndividual, RDFS.Class, OWL.Class}
DROP_PREDICATES = {
    OWL.sameAs,
    OWL.differentFrom,
    RDFS.subClassOf,
    RDFS.subPropertyOf,
    OWL.equivalentClass,
    OWL.equivalentProperty,
    RDFS.domain,
    RDFS.range,
}


@dataclass
class ReasoningSummary:
    """How long reasoning took and what it added, per graph."""

    seconds: float = 0.0
    added: dict[str, int] = field(default_factory=dict)
    enabled: bool = False
    engine: str = "owlrl (OWL-RL)"

    @property
    def total(self) -> int:
        return sum(self.added.values())

    def describe(self) -> str:
        if not self.enabled:
            return "skipped"
        return f"{self.total} entailed triples added by {self.engine} in {self.seconds:.2f} s"


def _keep(triple: tuple[object, object, object]) -> bool:
    subject, predicate, obj = triple
    if isinstance(subject, (Literal, BNode)) or isinstance(obj, BNode):
        return False
    if predicate in DROP_PREDICATES:
        return False
    if predicate == RDF.type:
        return obj not in DROP_TYPES and isinstance(obj, URIRef)
    return not (isinstance(obj, Literal) and predicate not in _literal_predicates())


def _literal_predicates() -> set[URIRef]:
    return set()


def materialise(ontology: Graph, registers: Graph, catalogs: Sequence[Graph]) -> ReasoningSummary:
    """Expand the union with owlrl and add the kept entailments to the graphs in place."""
    started = time.perf_counter()
    union = Graph()
    for graph in (ontology, registers, *catalogs):
        for triple in graph:
            union.add(triple)
    before = set(union)
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(union)
    owners: dict[object, Graph] = {}
    for graph in (registers, *catalogs):
        for subject in graph.subjects(unique=True):
            owners.setdefault(subject, graph)
    ontology_terms = set(ontology.subjects(unique=True))
    summary = ReasoningSummary(enabled=True)
    for triple in union:
        if triple in before or not _keep(triple):
            continue
        subject = triple[0]
        if subject in ontology_terms and subject not in owners:
            continue
        target = owners.get(subject, registers)
        if triple not in target:
            target.add(triple)
            key = str(target.identifier)
            summary.added[key] = summary.added.get(key, 0) + 1
    summary.seconds = time.perf_counter() - started
    return summary


__all__ = ["CD", "ReasoningSummary", "materialise"]
