"""Reasoning at national scale: owlrl on the ontology only, its closure compiled into A-box
rules that run while the catalogs stream past.

``cdkg.loaders.reasoning.materialise`` (the reference) runs owlrl's OWL-RL closure over the
union of every graph: fine for five catalogs, hopeless for three thousand. Here owlrl closes
the ontology alone (the T-box: sub-class and sub-property hierarchies, domains and ranges
inherited along them, union classes); :class:`RuleSet` turns that closure into tables, and
:class:`StreamReasoner` applies them to each data triple as it is written, then runs the rules
that join two triples (property chains, transitive properties) to a fixpoint over the few
predicates they name. What is kept, and where it goes, is the reference's contract:

* only the entailments queries need — no ``owl:Thing``/``rdfs:Resource`` types, no blank nodes,
  no literal subjects or objects, no schema triples about data (``reasoning._keep``);
* a triple already asserted in any graph is not added again;
* an entailed triple goes to the first graph (registers, then catalogs in build order) that has
  its subject as a subject — the registers graph when none has;
* entailments about ontology terms stay out of the data, except the few owlrl derives from the
  OWL vocabulary itself (datatypes, annotation properties), which go to the registers graph.

Supported OWL 2 RL rules (W3C OWL 2 Profiles §4.3): cax-sco, cax-eqc1/2, prp-spo1, prp-eqp1/2,
prp-dom, prp-rng, prp-inv1/2, prp-symp, prp-trp, prp-spo2 and scm-uni's consequences. An
ontology using an axiom that needs another A-box rule (functional properties, sameAs,
restrictions, keys, intersections) raises :class:`UnsupportedAxiom` instead of silently
reasoning less than the reference; so does a data graph that asserts schema triples.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

import owlrl
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from .nquads import token
from .reasoning import _DROP_PREDICATES, _DROP_TYPES

TYPE = token(RDF.type)
_DROP_TYPE_TOKENS = frozenset(token(t) for t in _DROP_TYPES)
_DROP_PREDICATE_TOKENS = frozenset(token(p) for p in _DROP_PREDICATES)

# Axioms whose OWL 2 RL rules would derive A-box facts this module does not compute.
_UNSUPPORTED_PREDICATES = {
    OWL.sameAs: "eq-*",
    OWL.hasKey: "prp-key",
    OWL.someValuesFrom: "cls-svf1/2",
    OWL.allValuesFrom: "cls-avf",
    OWL.hasValue: "cls-hv1/2",
    OWL.intersectionOf: "cls-int1/2",
    OWL.oneOf: "cls-oo",
    OWL.maxCardinality: "cls-maxc1/2",
    OWL.maxQualifiedCardinality: "cls-maxqc1-4",
    OWL.complementOf: "cls-com",
}
_UNSUPPORTED_TYPES = {
    OWL.FunctionalProperty: "prp-fp",
    OWL.InverseFunctionalProperty: "prp-ifp",
}
# Predicates that make a triple part of the schema: a data graph must not assert them, or the
# rules compiled from the ontology alone would miss what they entail.
SCHEMA_PREDICATES = frozenset(
    token(p)
    for p in (
        RDFS.subClassOf,
        RDFS.subPropertyOf,
        RDFS.domain,
        RDFS.range,
        OWL.equivalentClass,
        OWL.equivalentProperty,
        OWL.inverseOf,
        OWL.propertyChainAxiom,
        OWL.unionOf,
        *_UNSUPPORTED_PREDICATES,
    )
)
SCHEMA_TYPES = frozenset(
    token(t)
    for t in (
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.Class,
        RDFS.Class,
        *_UNSUPPORTED_TYPES,
    )
)


class UnsupportedAxiom(ValueError):
    """The ontology (or a data graph) holds an axiom the compiled rules cannot reason with."""


def keep(subject: str, predicate: str, obj: str) -> bool:
    """The reference's filter (``reasoning._keep``) on tokens: what a SPARQL user needs."""
    if subject[0] != "<" or obj[0] == "_":
        return False
    if predicate in _DROP_PREDICATE_TOKENS:
        return False
    if predicate == TYPE:
        return obj[0] == "<" and obj not in _DROP_TYPE_TOKENS
    return obj[0] != '"'


def _closure(edges: dict[str, set[str]]) -> dict[str, frozenset[str]]:
    """Reflexive-transitive closure of a small relation (the class or property hierarchy)."""
    result: dict[str, frozenset[str]] = {}
    for start in edges:
        seen = {start}
        stack = [start]
        while stack:
            for above in edges.get(stack.pop(), ()):
                if above not in seen:
                    seen.add(above)
                    stack.append(above)
        result[start] = frozenset(seen)
    return result


@dataclass
class RuleSet:
    """The ontology's closure as rule tables, keyed by N-Triples tokens."""

    super_classes: dict[str, frozenset[str]] = field(default_factory=dict)
    super_properties: dict[str, frozenset[str]] = field(default_factory=dict)
    domains: dict[str, frozenset[str]] = field(default_factory=dict)
    ranges: dict[str, frozenset[str]] = field(default_factory=dict)
    inverses: dict[str, frozenset[str]] = field(default_factory=dict)
    transitive: frozenset[str] = frozenset()
    chains: list[tuple[tuple[str, ...], str]] = field(default_factory=list)
    schema_entailments: list[tuple[str, str, str]] = field(default_factory=list)
    """What owlrl derives from the ontology alone that the reference keeps (datatypes,
    annotation properties of the OWL vocabulary), as tokens."""
    ontology_subjects: frozenset[str] = frozenset()

    @property
    def join_predicates(self) -> frozenset[str]:
        """Predicates whose triples the chain and transitivity rules join."""
        names = set(self.transitive)
        for body, _head in self.chains:
            names.update(body)
        return frozenset(names)

    @classmethod
    def from_ontology(cls, ontology: Graph) -> RuleSet:
        """Close ``ontology`` with owlrl (OWL-RL, as the reference does) and compile it.

        Raises UnsupportedAxiom for axioms whose A-box rules are not compiled."""
        closed = Graph()
        for triple in ontology:
            closed.add(triple)
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, axiomatic_triples=False).expand(closed)
        _refuse_unsupported(closed)
        rules = cls()
        sub_class: dict[str, set[str]] = defaultdict(set)
        sub_property: dict[str, set[str]] = defaultdict(set)
        for lower, upper in closed.subject_objects(RDFS.subClassOf):
            sub_class[_term(lower)].add(_term(upper))
        for one, other in closed.subject_objects(OWL.equivalentClass):
            sub_class[_term(one)].add(_term(other))
            sub_class[_term(other)].add(_term(one))
        for union, members in closed.subject_objects(OWL.unionOf):
            for member in Collection(closed, members):
                sub_class[_term(member)].add(_term(union))  # scm-uni
        for lower, upper in closed.subject_objects(RDFS.subPropertyOf):
            sub_property[_term(lower)].add(_term(upper))
        for one, other in closed.subject_objects(OWL.equivalentProperty):
            sub_property[_term(one)].add(_term(other))
            sub_property[_term(other)].add(_term(one))
        rules.super_classes = _closure(sub_class)
        rules.super_properties = _closure(sub_property)
        rules.domains = _grouped(closed, RDFS.domain)
        rules.ranges = _grouped(closed, RDFS.range)
        inverses: dict[str, set[str]] = defaultdict(set)
        for one, other in closed.subject_objects(OWL.inverseOf):
            inverses[_term(one)].add(_term(other))
            inverses[_term(other)].add(_term(one))
        for symmetric in closed.subjects(RDF.type, OWL.SymmetricProperty):
            inverses[_term(symmetric)].add(_term(symmetric))
        rules.inverses = {p: frozenset(q) for p, q in inverses.items()}
        rules.transitive = frozenset(
            _term(p) for p in closed.subjects(RDF.type, OWL.TransitiveProperty)
        )
        for head, body in closed.subject_objects(OWL.propertyChainAxiom):
            chain = tuple(_term(step) for step in Collection(closed, body))
            if len(chain) >= 2:
                rules.chains.append((chain, _term(head)))
        rules.chains.sort()
        subjects = frozenset(_term(s) for s in ontology.subjects(unique=True))
        rules.ontology_subjects = subjects
        asserted = set(ontology)
        rules.schema_entailments = sorted(
            (_term(s), _term(p), _term(o))
            for s, p, o in closed
            if (s, p, o) not in asserted
            and not isinstance(s, BNode)
            and keep(_term(s), _term(p), _term(o))
            and _term(s) not in subjects
        )
        return rules


def _refuse_unsupported(closed: Graph) -> None:
    for predicate, rule in _UNSUPPORTED_PREDICATES.items():
        for subject, obj in closed.subject_objects(predicate):
            if predicate == OWL.sameAs and subject == obj:
                continue  # owlrl's reflexive bookkeeping (eq-ref), harmless
            raise UnsupportedAxiom(
                f"{subject} {predicate} {obj}: OWL 2 RL rule {rule} is not compiled "
                "(extend cdkg.loaders.rules, or build with engine='reference')"
            )
    for kind, rule in _UNSUPPORTED_TYPES.items():
        for subject in closed.subjects(RDF.type, kind):
            raise UnsupportedAxiom(f"{subject} is a {kind}: OWL 2 RL rule {rule} is not compiled")


def _term(node: Node) -> str:
    return token(node)


def _grouped(graph: Graph, predicate: URIRef) -> dict[str, frozenset[str]]:
    grouped: dict[str, set[str]] = defaultdict(set)
    for subject, obj in graph.subject_objects(predicate):
        grouped[_term(subject)].add(_term(obj))
    return {key: frozenset(values) for key, values in grouped.items()}


@dataclass
class Entailment:
    """One kept entailed triple (tokens) and the index of the graph it goes to."""

    subject: str
    predicate: str
    obj: str
    graph: int


class StreamReasoner:
    """Applies a :class:`RuleSet` to the data graphs as they are written, in build order.

    Call :meth:`start_graph` before each graph's triples, :meth:`observe` for each distinct
    triple (a :class:`cdkg.loaders.nquads.LineSink` does), :meth:`end_graph` with a test for
    the graph's own triples, and :meth:`finish` once all graphs are in, with a test for
    triples asserted anywhere (the store). Memory grows with the number of subjects and of
    entailed triples, never with pairs of duties; the joins hold only the chain and transitive
    predicates' triples.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._joins = rules.join_predicates
        self._owner: dict[str, int] = {}
        self._shared: set[str] = set()
        self._graph = -1
        self._current: dict[str, None] = {}
        self._pending: dict[str, int] = {}
        self._checked: dict[str, tuple[str, str, str]] = {}
        self._unchecked: dict[str, tuple[str, str, str]] = {}
        self._edges: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in self._joins}

    # -- streaming ------------------------------------------------------------------------

    def start_graph(self, index: int) -> None:
        self._graph = index
        self._current = {}

    def observe(self, subject: str, predicate: str, obj: str) -> None:
        """A triple asserted in the current graph."""
        if predicate in SCHEMA_PREDICATES or (predicate == TYPE and obj in SCHEMA_TYPES):
            raise UnsupportedAxiom(
                f"{subject} {predicate} {obj}: a data graph asserts a schema triple; put it in "
                "the ontology (the compiled rules are read from there)"
            )
        owner = self._owner.setdefault(subject, self._graph)
        if owner != self._graph:
            self._shared.add(subject)
        if predicate in self._joins:
            self._edges[predicate][subject].add(obj)
        for entailed in self._consequences(subject, predicate, obj):
            key = " ".join(entailed)
            if key not in self._current:
                self._current[key] = None

    def end_graph(self, asserted_here: set[str] | None = None) -> None:
        """Settle the current graph's entailments. ``asserted_here``: the graph's own triples
        as ``"s p o"`` strings; an entailment of a subject first seen in this graph that the
        graph asserts is dropped now, everything else is checked in :meth:`finish`."""
        graph = self._graph
        for key in self._current:
            if key in self._checked or key in self._unchecked:
                continue
            subject, predicate, obj = key.split(" ", 2)
            if not keep(subject, predicate, obj):
                continue
            if self._owner.get(subject) == graph and asserted_here is not None:
                if key in asserted_here:
                    self._checked[key] = ("", "", "")  # asserted: never added
                    continue
                self._checked[key] = (subject, predicate, obj)
            else:
                self._unchecked[key] = (subject, predicate, obj)
        self._current = {}

    def _consequences(
        self, subject: str, predicate: str, obj: str
    ) -> Iterator[tuple[str, str, str]]:
        """Every triple the single-premise rules derive from one triple, to a fixpoint."""
        rules = self.rules
        stack = [(subject, predicate, obj)]
        seen = {(subject, predicate, obj)}
        while stack:
            s, p, o = stack.pop()
            derived: list[tuple[str, str, str]] = []
            if p == TYPE:
                derived.extend((s, TYPE, c) for c in rules.super_classes.get(o, ()))
            for q in rules.super_properties.get(p, (p,)):
                if q != p:
                    derived.append((s, q, o))
                derived.extend((s, TYPE, c) for c in rules.domains.get(q, ()))
                if o[0] != '"':
                    derived.extend((o, TYPE, c) for c in rules.ranges.get(q, ()))
                    derived.extend((o, r, s) for r in rules.inverses.get(q, ()))
            for triple in derived:
                if triple[0][0] == '"' or triple in seen:
                    continue
                seen.add(triple)
                stack.append(triple)
                yield triple

    # -- joins and the end ------------------------------------------------------------------

    def finish(self, asserted_anywhere: AssertedTest) -> list[Entailment]:
        """Run the join rules to a fixpoint, drop what some graph asserts, and return the
        entailments to add, each with its graph index (sorted, so the result is
        deterministic)."""
        for triple in self._join_fixpoint():
            key = " ".join(triple)
            if key not in self._checked and key not in self._unchecked and keep(*triple):
                self._unchecked[key] = triple
        for s, p, o in self.rules.schema_entailments:
            key = f"{s} {p} {o}"
            if key not in self._checked:
                self._unchecked.setdefault(key, (s, p, o))
        result: list[Entailment] = []
        ontology = self.rules.ontology_subjects
        for key, (s, p, o) in self._checked.items():
            if s and (s not in self._shared or not asserted_anywhere(s, p, o)):
                result.append(Entailment(s, p, o, self._owner[s]))
        for key, (s, p, o) in self._unchecked.items():
            if key in self._checked:
                continue
            owner = self._owner.get(s)
            if owner is None and s in ontology:
                continue
            if asserted_anywhere(s, p, o):
                continue
            result.append(Entailment(s, p, o, 0 if owner is None else owner))
        result.sort(key=lambda e: (e.graph, e.subject, e.predicate, e.obj))
        return result

    def _join_fixpoint(self) -> Iterator[tuple[str, str, str]]:
        """Chains and transitivity over the recorded edges, semi-naively; every new triple is
        also passed through the single-premise rules (it may be a join premise again)."""
        edges = self._edges
        rules = self.rules
        changed = True
        while changed:
            changed = False
            new: list[tuple[str, str, str]] = []
            for body, head in rules.chains:
                new.extend((s, head, o) for s, o in _chain(edges, body))
            for p in rules.transitive:
                new.extend((s, p, o) for s, o in _transitive(edges[p]))
            for triple in new:
                for derived in (triple, *self._consequences(*triple)):
                    s, p, o = derived
                    if p in edges and o not in edges[p].get(s, ()):
                        edges[p][s].add(o)
                        changed = True
                    yield derived


AssertedTest = "Callable[[str, str, str], bool]"


def _chain(
    edges: dict[str, dict[str, set[str]]], body: tuple[str, ...]
) -> Iterable[tuple[str, str]]:
    first = edges[body[0]]
    for start, middles in first.items():
        frontier = set(middles)
        for step in body[1:]:
            following = edges[step]
            frontier = {o for m in frontier for o in following.get(m, ())}
            if not frontier:
                break
        for end in frontier:
            yield start, end


def _transitive(graph: dict[str, set[str]]) -> Iterable[tuple[str, str]]:
    for start in list(graph):
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(graph.get(node, ()))
        for end in seen:
            if end not in graph[start]:
                yield start, end


__all__ = ["Entailment", "RuleSet", "StreamReasoner", "UnsupportedAxiom", "keep"]
