"""Reasoning at national scale: owlrl on the ontology only, its closure compiled into A-box
rules that run while the catalogs stream past.

``cdkg.loaders.reasoning.reference.materialise`` (the reference) runs owlrl's OWL-RL closure over
the union of every graph: fine for five catalogs, hopeless for three thousand. Here owlrl closes
the ontology alone (the T-box: sub-class and sub-property hierarchies, domains and ranges
inherited along them, union classes); :class:`RuleSet` turns that closure into tables, and
:class:`GraphRules` applies them to each data triple as it is written, :class:`StreamReasoner`
merges the graphs' results in build order and runs the rules
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
from collections.abc import Callable, Container, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import owlrl
from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS
from rdflib.term import Node

from ..rdf.nquads import token
from .reference import DROP_PREDICATES, DROP_TYPES


def _tokens(terms: Iterable[Node]) -> frozenset[str]:
    """The N-Triples tokens of ``terms``: the rules match tokens, not rdflib terms."""
    return frozenset(token(term) for term in terms)


TYPE = token(RDF.type)
_DROP_TYPE_TOKENS = _tokens(DROP_TYPES)
_DROP_PREDICATE_TOKENS = _tokens(DROP_PREDICATES)

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
SCHEMA_PREDICATES = _tokens(
    (
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
SCHEMA_TYPES = _tokens(
    (
        OWL.TransitiveProperty,
        OWL.SymmetricProperty,
        OWL.ObjectProperty,
        OWL.DatatypeProperty,
        OWL.Class,
        RDFS.Class,
        *_UNSUPPORTED_TYPES,
    )
)


_RL_DATATYPES = _tokens(OWL_RL_Datatypes)
_DATATYPE_SUPERS = {token(dt): _tokens(ups) for dt, ups in OWL_Datatype_Subsumptions.items()}
_DISJOINT_DATATYPES = [tuple(token(t) for t in triple) for triple in OWLRL_Datatypes_Disjointness]


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
    ontology_datatypes: frozenset[str] = frozenset()
    """The OWL 2 RL datatypes of the ontology's own typed literals (see
    :meth:`datatype_disjointness`)."""

    def datatype_disjointness(self, used: set[str]) -> list[tuple[str, str, str]]:
        """owlrl's dt-type rules state ``owl:disjointWith`` between the top-level datatypes the
        whole graph uses (its typed literals and their super-types): so these depend on the
        data as well as on the ontology."""
        in_use = {dt for dt in used | self.ontology_datatypes if dt in _RL_DATATYPES}
        for dt in list(in_use):
            in_use.update(_DATATYPE_SUPERS.get(dt, ()))
        return [
            (left, predicate, right)
            for left, predicate, right in _DISJOINT_DATATYPES
            if left in in_use and right in in_use
        ]

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
        rules.ontology_datatypes = frozenset(
            _term(o.datatype)
            for o in ontology.objects()
            if isinstance(o, Literal) and o.datatype is not None
        )
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
                f"{subject} {predicate} {obj}: OWL 2 RL rule {rule} is not compiled (remove "
                "the axiom from ontology/cdkg.ttl, or add the rule to cdkg.loaders.reasoning.rules)"
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


@dataclass(frozen=True)
class Entailment:
    """One kept entailed triple (tokens) and the index of the graph it goes to."""

    graph: int
    subject: str
    predicate: str
    obj: str


AssertedTest = Callable[[set[str]], set[str]]
"""Which of some ``"s p o"`` keys are asserted in any graph (see :func:`asserted_among`)."""


_PLACEHOLDER = "<urn:cdkg:placeholder-subject>"


def _subject(key: str) -> str:
    return key[: key.index(" ")]


def asserted_among(keys: set[str], files: Iterable[Path]) -> set[str]:
    """Those of ``keys`` (``"s p o"``) that some line of the N-Quads ``files`` asserts, in one
    pass over the files that looks only at lines about the keys' subjects."""
    subjects = {_subject(key) for key in keys}
    found: set[str] = set()
    if not keys:
        return found
    for path in files:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                if line[: line.index(" ")] in subjects:
                    key = line[: line.rindex(" <")]
                    if key in keys:
                        found.add(key)
    return found


@dataclass(frozen=True)
class _Plan:
    """Everything the single-premise rules derive from a triple with one predicate."""

    predicates: tuple[str, ...]  # super-properties, the predicate itself excluded
    subject_types: tuple[str, ...]  # from domains, closed under super-classes
    object_types: tuple[str, ...]  # from ranges, closed under super-classes
    inverses: tuple[str, ...]  # inverse (and symmetric) properties of it and its supers


@dataclass(frozen=True)
class _Recipe:
    """:meth:`StreamReasoner.consequences` of one kind of triple, ready to concatenate."""

    subject_suffixes: tuple[str, ...] = ()  # " rdf:type C" after the subject
    object_suffixes: tuple[str, ...] = ()  # " rdf:type C" after the object
    predicates: tuple[str, ...] = ()  # kept super-properties q: "s q o"
    joins: tuple[str, ...] = ()  # derived join predicates q: an edge (s, q, o)
    general: bool = False  # derived triples of another form: use consequences()


@dataclass
class GraphReasoning:
    """What the single-premise rules found in one graph: small and picklable, so graphs can
    be written in worker processes and merged in build order by :class:`StreamReasoner`."""

    subjects: list[str] = field(default_factory=list)  # each subject once, in order
    entailed: dict[str, bool] = field(default_factory=dict)  # "s p o" → asserted in the graph
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # join-predicate triples
    datatypes: set[str] = field(default_factory=set)  # datatypes of typed literals


class GraphRules:
    """The single-premise rules applied to one graph at a time: an observer for a
    :class:`cdkg.loaders.rdf.nquads.LineSink`."""

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._joins = rules.join_predicates
        self._plans: dict[str, _Plan] = {}
        self._recipes: dict[tuple[str, str], _Recipe] = {}
        self._types: dict[str, tuple[str, ...]] = {}
        self._subjects: dict[str, None] = {}
        self._current: dict[str, None] = {}
        self._edges: list[tuple[str, str, str]] = []
        self._datatypes: set[str] = set()
        self._last_subject = ""
        self._applied: set[int] = set()
        self._objects: set[tuple[str, int]] = set()

    def _plan(self, predicate: str) -> _Plan:
        plan = self._plans.get(predicate)
        if plan is None:
            rules = self.rules
            supers = rules.super_properties.get(predicate, frozenset({predicate}))
            subject_types: set[str] = set()
            object_types: set[str] = set()
            inverses: set[str] = set()
            for q in supers:
                for c in rules.domains.get(q, ()):
                    subject_types.update(self._super_types(c))
                for c in rules.ranges.get(q, ()):
                    object_types.update(self._super_types(c))
                inverses.update(rules.inverses.get(q, ()))
            plan = _Plan(
                tuple(sorted(supers - {predicate})),
                tuple(sorted(subject_types)),
                tuple(sorted(object_types)),
                tuple(sorted(inverses)),
            )
            self._plans[predicate] = plan
        return plan

    def _super_types(self, cls: str) -> tuple[str, ...]:
        """``cls`` and its super-classes."""
        found = self._types.get(cls)
        if found is None:
            found = tuple(sorted(self.rules.super_classes.get(cls, frozenset({cls}))))
            self._types[cls] = found
        return found

    def consequences(self, subject: str, predicate: str, obj: str) -> set[tuple[str, str, str]]:
        """Every triple the single-premise rules (cax-sco, prp-spo1, prp-dom, prp-rng,
        prp-inv, prp-symp) derive from one triple, to their fixpoint; the triple itself
        excluded."""
        found: set[tuple[str, str, str]] = set()
        stack = [(subject, predicate, obj)]
        while stack:
            s, p, o = stack.pop()
            plan = self._plan(p)
            # A plan is closed under super-properties and super-classes, so only a triple
            # made by an inverse needs its own plan applied in turn.
            derived = [(s, q, o) for q in plan.predicates]
            derived += [(s, TYPE, c) for c in plan.subject_types]
            if p == TYPE:
                derived += [(s, TYPE, c) for c in self._super_types(o)]
            elif o[0] != '"':
                derived += [(o, TYPE, c) for c in plan.object_types]
                for r in plan.inverses:
                    inverse = (o, r, s)
                    if inverse not in found:
                        found.add(inverse)
                        stack.append(inverse)
            found.update(t for t in derived if t[0][0] != '"')
        found.discard((subject, predicate, obj))
        return found

    def observe(self, subject: str, predicate: str, obj: str) -> None:
        """A triple asserted in the current graph (tokens, each distinct triple once)."""
        if predicate in SCHEMA_PREDICATES or (predicate == TYPE and obj in SCHEMA_TYPES):
            raise UnsupportedAxiom(
                f"{subject} {predicate} {obj}: a data graph asserts a schema triple; put it in "
                "the ontology (the compiled rules are read from there)"
            )
        self._subjects[subject] = None
        if predicate in self._joins:
            self._edges.append((subject, predicate, obj))
        elif obj[-1] == ">" and obj[0] == '"':
            self._datatypes.add(obj[obj.rindex("^^<") + 2 :])
        key = (predicate, obj if predicate == TYPE else obj[0])
        recipe = self._recipes.get(key)
        if recipe is None:
            recipe = self._recipes[key] = self._recipe(predicate, obj)
        current = self._current
        if recipe.general or subject[0] != "<":
            for s, p, o in self.consequences(subject, predicate, obj):
                if p in self._joins:
                    self._edges.append((s, p, o))
                if keep(s, p, o):
                    current[f"{s} {p} {o}"] = None
            return
        # A subject's triples come together and repeat recipes (every triple whose property
        # has the domain cd:Duty types the duty again): apply each recipe's types once.
        if subject != self._last_subject:
            self._last_subject = subject
            self._applied = set()
        marker = id(recipe)
        if marker not in self._applied:
            self._applied.add(marker)
            for suffix in recipe.subject_suffixes:
                current[subject + suffix] = None
        if recipe.object_suffixes and (obj, marker) not in self._objects:
            self._objects.add((obj, marker))
            for suffix in recipe.object_suffixes:
                current[obj + suffix] = None
        for q in recipe.predicates:
            current[f"{subject} {q} {obj}"] = None
        for q in recipe.joins:
            self._edges.append((subject, q, obj))

    def _recipe(self, predicate: str, obj: str) -> _Recipe:
        """What :meth:`consequences` derives from any triple with this predicate and this kind
        of object (this class, for rdf:type), as string pieces: worked out once, on a
        placeholder triple, so a data triple costs a few string joins."""
        s, o = "<urn:cdkg:subject>", "<urn:cdkg:object>"
        if predicate == TYPE:
            o = obj
        elif obj[0] == '"':
            o = '"literal"'
        elif obj[0] == "_":
            o = "_:object"
        subject_suffixes, object_suffixes, predicates, joins = [], [], [], []
        for ds, dp, do in sorted(self.consequences(s, predicate, o)):
            if ds == s and dp == TYPE and do != o:
                if dp in self._joins:
                    return _Recipe(general=True)
                if keep(ds, dp, do):
                    subject_suffixes.append(f" {dp} {do}")
            elif ds == s and do == o:
                if dp in self._joins:
                    joins.append(dp)
                if keep(ds, dp, do):
                    predicates.append(dp)
            elif ds == o and dp == TYPE and do != s:
                if dp in self._joins:
                    return _Recipe(general=True)
                if keep(ds, dp, do):
                    object_suffixes.append(f" {dp} {do}")
            else:
                return _Recipe(general=True)  # an inverse: the general path
        return _Recipe(
            tuple(subject_suffixes), tuple(object_suffixes), tuple(predicates), tuple(joins)
        )

    def result(self, asserted_here: Container[str]) -> GraphReasoning:
        """The graph's findings (``asserted_here`` holds its own triples as ``"s p o"``),
        leaving this object ready for the next graph."""
        found = GraphReasoning(
            list(self._subjects),
            {key: key in asserted_here for key in self._current},
            self._edges,
            self._datatypes,
        )
        self._subjects, self._current, self._edges, self._datatypes = {}, {}, [], set()
        self._last_subject, self._applied, self._objects = "", set(), set()
        return found


class StreamReasoner:
    """Applies a :class:`RuleSet` to the data graphs as they are written, in build order.

    A :class:`GraphRules` observes each graph (in a worker process, say) and
    :meth:`add_graph` merges its result in build order; then :meth:`finish` runs once every
    graph is in the store. Memory grows with the number of subjects and of entailed
    triples, never with pairs of duties; the joins hold only the triples of the chain and
    transitive predicates.
    """

    def __init__(self, rules: RuleSet) -> None:
        self.rules = rules
        self._joins = rules.join_predicates
        self._local = GraphRules(rules)
        self._owner: dict[str, int] = {}
        self._shared: set[str] = set()
        # "s p o" → True (goes to the subject's graph) or False (that graph asserts it):
        # decided when the subject's own graph ended; a subject later seen as the subject of
        # another graph's triple is re-checked against the store in finish().
        self._decided: dict[str, bool] = {}
        self._deferred: set[str] = set()  # checked against the store in finish()
        self._edges: dict[str, dict[str, set[str]]] = {p: defaultdict(set) for p in self._joins}
        self._datatypes: set[str] = set()

    def consequences(self, subject: str, predicate: str, obj: str) -> set[tuple[str, str, str]]:
        return self._local.consequences(subject, predicate, obj)

    def add_graph(self, index: int, found: GraphReasoning) -> None:
        """Merge one graph's findings; graphs come in build order (0 is the registers
        graph, then the catalogs)."""
        owner, shared = self._owner, self._shared
        for subject in found.subjects:
            if owner.setdefault(subject, index) != index:
                shared.add(subject)
        edges = self._edges
        for s, p, o in found.edges:
            edges[p][s].add(o)
        self._datatypes |= found.datatypes
        decided, deferred = self._decided, self._deferred
        for key, asserted in found.entailed.items():
            if key in decided or key in deferred:
                continue
            if owner.get(key[: key.index(" ")]) == index:
                decided[key] = not asserted
            else:
                deferred.add(key)

    def finish(self, asserted_among: AssertedTest) -> list[Entailment]:
        """Run the join rules to a fixpoint, drop what some graph asserts, and return what to
        add, each triple with its graph index, sorted (so the result is deterministic).
        ``asserted_among`` gets, once, the ``"s p o"`` keys no single graph could settle and
        returns those asserted in some graph."""
        decided, deferred = self._decided, self._deferred
        for s, p, o in self._join_fixpoint():
            key = f"{s} {p} {o}"
            if key not in decided and keep(s, p, o):
                deferred.add(key)
        schema = self.rules.schema_entailments
        for s, p, o in [*schema, *self.rules.datatype_disjointness(self._datatypes)]:
            key = f"{s} {p} {o}"
            if key not in decided:
                deferred.add(key)
        result: list[Entailment] = []
        shared, owners = self._shared, self._owner
        ontology = self.rules.ontology_subjects
        pending = {key for key in deferred if key not in decided}
        pending.update(key for key, add in decided.items() if add and _subject(key) in shared)
        asserted = asserted_among(pending)
        for key, add in decided.items():
            if add and key not in asserted:
                s, p, o = key.split(" ", 2)
                result.append(Entailment(owners[s], s, p, o))
        for key in deferred:
            if key in decided or key in asserted:
                continue
            s, p, o = key.split(" ", 2)
            owner = owners.get(s)
            if owner is None and s in ontology:
                continue
            result.append(Entailment(0 if owner is None else owner, s, p, o))
        result.sort(key=lambda e: (e.graph, e.subject, e.predicate, e.obj))
        return result

    def _join_fixpoint(self) -> Iterator[tuple[str, str, str]]:
        """prp-spo2 (chains) and prp-trp (transitivity) over the recorded triples, repeated
        until no new triple of a join predicate appears; every new triple also goes through
        the single-premise rules (its consequences may be join premises again)."""
        edges = self._edges
        rules = self.rules
        produced: set[tuple[str, str, str]] = set()
        templates: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
        changed = True
        while changed:
            changed = False
            new: list[tuple[str, str, str]] = []
            for body, head in rules.chains:
                new.extend((s, head, o) for s, o in _chain(edges, body))
            for p in sorted(rules.transitive):
                new.extend((s, p, o) for s, o in _transitive(edges[p]))
            for triple in new:
                if triple in produced:
                    continue
                produced.add(triple)
                subject, predicate, obj = triple
                # The rules are structural: work out a (predicate, object)'s consequences
                # once, for a placeholder subject, and substitute each subject into them.
                shapes = templates.get((predicate, obj))
                if shapes is None:
                    shapes = sorted(self.consequences(_PLACEHOLDER, predicate, obj))
                    templates[(predicate, obj)] = shapes
                for s, p, o in [triple, *shapes]:
                    s = subject if s == _PLACEHOLDER else s
                    o = subject if o == _PLACEHOLDER else o
                    if p in edges and o not in edges[p].get(s, ()):
                        edges[p][s].add(o)
                        changed = True
                    yield s, p, o


def _chain(
    edges: dict[str, dict[str, set[str]]], body: tuple[str, ...]
) -> Iterator[tuple[str, str]]:
    """Pairs (x, y) linked by the chain's predicates in order."""
    for start, middles in list(edges[body[0]].items()):
        frontier = set(middles)
        for step in body[1:]:
            following = edges[step]
            frontier = {o for m in frontier for o in following.get(m, ())}
            if not frontier:
                break
        for end in frontier:
            yield start, end


def _transitive(graph: dict[str, set[str]]) -> Iterator[tuple[str, str]]:
    """Pairs (x, z) reachable in two or more steps that are not yet direct."""
    for start in list(graph):
        seen: set[str] = set()
        stack = list(graph[start])
        while stack:
            node = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            stack.extend(graph.get(node, ()))
        for end in seen - graph[start]:
            yield start, end


__all__ = [
    "Entailment",
    "GraphReasoning",
    "GraphRules",
    "RuleSet",
    "StreamReasoner",
    "UnsupportedAxiom",
    "asserted_among",
    "keep",
]
