"""SHACL at national scale: ontology/shapes.ttl compiled into SPARQL queries on the build store.

pySHACL (``cdkg.loaders.validation.reference.validate``, the reference) walks every focus node in
Python and runs each SHACL-SPARQL constraint once per focus node: minutes for thousands of duties,
hours for national scale. Here each constraint of each shape becomes one SPARQL query that
pyoxigraph evaluates over the whole store and that returns only the validation results — so a
valid dataset costs one pass per constraint, with hash joins, and nothing is quadratic in the
number of duties. The results are the reference's: same focus nodes, shapes, severities and
messages (generic messages are pySHACL's own wording, written with its ``stringify_node``).

Compiled (SHACL §2–4, W3C Recommendation 2017): targets ``sh:targetClass`` (instances of
sub-classes too, as ``rdf:type/rdfs:subClassOf*``), ``sh:targetNode``, ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``; property shapes with a predicate path; ``sh:minCount``,
``sh:maxCount``, ``sh:class``, ``sh:datatype``, ``sh:in``, ``sh:languageIn``,
``sh:uniqueLang``, ``sh:minInclusive``/``sh:maxInclusive``/``sh:minExclusive``/
``sh:maxExclusive``, ``sh:qualifiedValueShape`` (whose shape uses ``sh:class``) with
``sh:qualifiedMinCount``/``sh:qualifiedMaxCount``; ``sh:severity``, ``sh:message``,
``sh:deactivated``; and SHACL-SPARQL ``sh:sparql`` SELECT constraints with ``$this`` and
``sh:prefixes``. A shape using anything else raises :class:`UnsupportedShape`, naming the
shape: rewrite it in ontology/shapes.ttl with the features above, or extend this module.

SHACL-SPARQL pre-binds ``$this`` to each focus node. Here ``$this`` becomes a variable joined
with the shape's targets, and ``FILTER [NOT] EXISTS { … }`` blocks whose shared variables are
all bound by the enclosing triple patterns are rewritten to a join with (or ``MINUS`` of) a
``SELECT DISTINCT`` over the block — the same solutions, but evaluated once instead of once per
row (pyoxigraph evaluates ``EXISTS`` by re-running its pattern for every row).
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import pyoxigraph as ox
from pyshacl.rdfutil.stringify import stringify_node
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from ..machine import default_workers
from ..rdf.nquads import token
from ..rdf.terms import to_rdflib
from .findings import Select, ShaclResult, ValidationSummary, locate, short_name

SEVERITIES = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}
_NUMERIC = {
    XSD.integer, XSD.decimal, XSD.double, XSD.float, XSD.int, XSD.long, XSD.short,
    XSD.byte, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.negativeInteger,
    XSD.nonPositiveInteger, XSD.unsignedInt, XSD.unsignedLong, XSD.unsignedShort,
    XSD.unsignedByte,
}  # fmt: skip
_RANGES = {
    SH.minInclusive: (">=", "Value is not >= {}"),
    SH.maxInclusive: ("<=", "Value is not <= {}"),
    SH.minExclusive: (">", "Value is not > {}"),
    SH.maxExclusive: ("<", "Value is not < {}"),
}
# Shape parameters this module compiles; anything else in sh: on a shape is refused.
_HANDLED = {
    SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.property,
    SH.path, SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH["in"], SH.languageIn,
    SH.uniqueLang, *_RANGES, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.severity, SH.message,
    SH.deactivated, SH.sparql, SH.name, SH.description, SH.order, SH.group, SH.declare,
}  # fmt: skip


Message = Callable[[dict[str, Node]], str]
"""A validation result's values (``this``, ``value``, …) → its message."""


class UnsupportedShape(ValueError):
    """A shape uses a SHACL feature this compiler does not translate."""


@dataclass(frozen=True)
class Check:
    """One constraint as a query: every row is a validation result for ``?this``."""

    shape: str  # the node shape's name, as the build report shows it
    severity: str  # Violation | Warning | Info
    query: str
    message: Message
    union: bool = False  # run with the union of all graphs as the default graph
    path: str = ""  # a property shape's path, its local name (pySHACL's sh:resultPath)


Instances = Callable[[URIRef], list[str]]
"""A class → the N-Triples tokens of it and all its sub-classes in the data."""
Counting = Callable[[str, int], int]
"""(a group pattern, a cap) → how many solutions it has, counted up to the cap."""


def _list(graph: Graph, head: Node) -> list[Node]:
    return list(Collection(graph, head))


def _one(graph: Graph, shape: Node, parameter: URIRef) -> Node | None:
    values = list(graph.objects(shape, parameter))
    if len(values) > 1:
        raise UnsupportedShape(f"{shape} has {len(values)} values of {parameter}")
    return values[0] if values else None


def _values(name: str, tokens: Iterable[str]) -> str:
    return f"VALUES ?{name} {{ {' '.join(tokens)} }}"


def _distinct(variables: str | list[str], pattern: str) -> str:
    """``pattern``'s solutions, each once. A shared node (a provision cited by a thousand
    catalogs) has the same triple in a thousand graphs: joining GRAPH patterns before
    removing duplicates would multiply them (a million rows for one provision)."""
    if not isinstance(variables, str):
        variables = " ".join(f"?{v}" for v in variables)
    return f"{{ SELECT DISTINCT {variables} WHERE {{ {pattern} }} }}"


class ShapeCompiler:
    """Compiles one shapes graph against one data store's class hierarchy.

    ``materialised``: every instance of a sub-class also has ``rdf:type`` of the class (the
    build's reasoning ran), so a class's instances are one index range instead of a union over
    its sub-classes."""

    def __init__(
        self,
        shapes: Graph,
        instances: Instances,
        materialised: bool = False,
        count: Counting | None = None,
    ) -> None:
        self.shapes = shapes
        self.instances = instances
        self.materialised = materialised
        self.count = count
        self._data_names = Graph()  # pySHACL writes focus nodes with a fresh graph's prefixes

    # -- messages -------------------------------------------------------------------------

    def _shape_string(self, node: Node) -> str:
        return stringify_node(self.shapes, node)

    def _focus_string(self, node: Node) -> str:
        return stringify_node(self._data_names, node)

    def _message(self, shape: Node, generic: Message) -> Message:
        messages = sorted(str(m) for m in self.shapes.objects(shape, SH.message))
        if messages:
            text = messages[0]
            return lambda row: _fill(text, row)
        return generic

    def _count(self, comparison: str, count: int, path: str) -> Message:
        """pySHACL's message for sh:minCount ("Less") and sh:maxCount ("More")."""

        def message(row: dict[str, Node]) -> str:
            focus = self._focus_string(row["this"])
            return f"{comparison} than {count} values on {focus}->{path}"

        return message

    # -- shapes ---------------------------------------------------------------------------

    def compile(self) -> list[Check]:
        checks: list[Check] = []
        node_shapes = sorted(
            {s for s in self.shapes.subjects(RDF.type, SH.NodeShape)}
            | {s for p in (SH.targetClass, SH.targetNode) for s in self.shapes.subjects(p)},
            key=str,
        )
        for shape in node_shapes:
            if self._deactivated(shape):
                continue
            target = self._target(shape)
            if target is None:
                continue
            name = short_name(self.shapes.value(shape, RDFS.label) or shape)
            self._refuse_unknown(shape)
            severity = self._severity(shape)
            node_values = f"{target} BIND(?this AS ?value)"
            checks += self._value_checks(shape, name, severity, target, node_values)
            for constraint in sorted(self.shapes.objects(shape, SH.sparql), key=str):
                checks.append(self._sparql(shape, constraint, name, severity, target))
            for prop in sorted(self.shapes.objects(shape, SH.property), key=str):
                if self._deactivated(prop):
                    continue
                self._refuse_unknown(prop)
                path = self.shapes.value(prop, SH.path)
                if not isinstance(path, URIRef):
                    raise UnsupportedShape(f"{name}: only predicate paths are compiled ({path})")
                checks += self._property_checks(prop, path, name, target)
        return checks

    def _deactivated(self, shape: Node) -> bool:
        value = self.shapes.value(shape, SH.deactivated)
        return isinstance(value, Literal) and value.value is True

    def _severity(self, shape: Node) -> str:
        value = self.shapes.value(shape, SH.severity, default=SH.Violation)
        if not isinstance(value, URIRef):
            return "Violation"
        return SEVERITIES.get(value, short_name(value))

    def _refuse_unknown(self, shape: Node) -> None:
        for predicate in set(self.shapes.predicates(shape)):
            if str(predicate).startswith(str(SH)) and predicate not in _HANDLED:
                raise UnsupportedShape(f"{shape}: {predicate} is not compiled")

    def _instance_of(self, variable: str, cls: Node, suffix: str) -> str:
        """A pattern binding ``?variable`` to the SHACL instances of ``cls`` (possibly more
        than once: wrap it in :func:`_distinct` before a join)."""
        if not isinstance(cls, URIRef):
            raise UnsupportedShape(f"sh:class / sh:targetClass {cls} is not an IRI")
        if self.materialised:
            return f"GRAPH ?g{suffix} {{ ?{variable} a {token(cls)} }}"
        classes = _values(f"c{suffix}", self.instances(cls))
        return f"GRAPH ?g{suffix} {{ ?{variable} a ?c{suffix} }} {classes}"

    def _target(self, shape: Node) -> str | None:
        """A group binding ``?this`` once to each of the shape's focus nodes, or None for a
        shape without targets (one used only inside another shape)."""
        branches: list[str] = []
        for cls in sorted(self.shapes.objects(shape, SH.targetClass), key=str):
            branches.append(self._instance_of("this", cls, "t"))
        nodes = sorted(self.shapes.objects(shape, SH.targetNode), key=str)
        if nodes:
            branches.append(_values("this", (token(n) for n in nodes)))
        for p in sorted(self.shapes.objects(shape, SH.targetSubjectsOf), key=str):
            branches.append(f"GRAPH ?gt {{ ?this {token(p)} ?ot }}")
        for p in sorted(self.shapes.objects(shape, SH.targetObjectsOf), key=str):
            branches.append(f"GRAPH ?gt {{ ?st {token(p)} ?this }}")
        if not branches:
            return None
        return _distinct("?this", " UNION ".join(f"{{ {b} }}" for b in branches))

    def _focused(self, target: str, values: str) -> bool:
        """Whether to look up the values of each focus node (a few focus nodes, a common
        property: the 182 legal documents' labels among millions) rather than scan all the
        property's values and join (a third of all nodes are duties). Decided on counts
        capped at what the decision needs."""
        if self.count is None:
            return False
        focus = self.count(target, FOCUSED_LIMIT)
        return focus < FOCUSED_LIMIT and self.count(values, focus * FOCUSED_RATIO) >= (
            focus * FOCUSED_RATIO
        )

    def _property_checks(self, prop: Node, path: URIRef, name: str, target: str) -> list[Check]:
        severity = self._severity(prop)
        values = f"GRAPH ?gv {{ ?this {token(path)} ?value }}"
        focused = self._focused(target, values)
        checks = self._value_checks(prop, name, severity, target, values, focused)
        path_string = self._shape_string(path)

        def add(query: str, generic: Message) -> None:
            checks.append(Check(name, severity, query, self._message(prop, generic)))

        min_count = _int(_one(self.shapes, prop, SH.minCount))
        if min_count:
            query = _fewer(target, values, min_count, focused)
            add(query, self._count("Less", min_count, path_string))
        max_count = _int(_one(self.shapes, prop, SH.maxCount))
        if max_count is not None:
            query = _more(target, values, max_count, focused)
            add(query, self._count("More", max_count, path_string))
        unique = _one(self.shapes, prop, SH.uniqueLang)
        if isinstance(unique, Literal) and unique.value is True:
            tagged = f'{values} FILTER(isLiteral(?value) && LANG(?value) != "")'
            grouped = (
                "GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) HAVING (COUNT(DISTINCT ?value) > 1)"
            )
            if focused:
                query = f"SELECT ?this ?lang WHERE {{ {target} {tagged} }} {grouped}"
            else:
                query = (
                    f"SELECT ?this ?lang WHERE {{ {{ SELECT ?this ?lang WHERE {{ {tagged} }} "
                    f"{grouped} }} {target} }}"
                )
            add(query, lambda r: "More than one String shares the same Language")
        qualified = _one(self.shapes, prop, SH.qualifiedValueShape)
        if qualified is not None:
            checks += self._qualified(prop, qualified, name, severity, target, values, focused)
        return [replace(check, path=short_name(path)) for check in checks]

    def _value_checks(
        self,
        shape: Node,
        name: str,
        severity: str,
        target: str,
        values: str,
        focused: bool = False,
    ) -> list[Check]:
        """Constraints on each value node (for a node shape, ``values`` binds the focus node
        itself)."""
        checks: list[Check] = []

        def add(condition: str, generic: Message) -> None:
            pairs = _pairs(target, f"{values} FILTER({condition})", focused)
            query = f"SELECT ?this ?value WHERE {{ {pairs} }}"
            checks.append(Check(name, severity, query, self._message(shape, generic)))

        cls = _one(self.shapes, shape, SH["class"])
        if cls is not None:
            query = (
                f"SELECT ?this ?value WHERE {{ {{ {_pairs(target, values, focused)} }} "
                f"MINUS {{ {self._instance_of('value', cls, 'c')} }} }}"
            )
            text = f"Value does not have class {self._shape_string(cls)}"
            checks.append(Check(name, severity, query, self._message(shape, lambda r: text)))
        datatype = _one(self.shapes, shape, SH.datatype)
        if datatype is not None:
            condition = f"!isLiteral(?value) || DATATYPE(?value) != {token(datatype)}"
            if datatype in _NUMERIC:
                condition += " || !isNumeric(?value)"  # an ill-typed literal is no value
            text = f"Value is not Literal with datatype {self._shape_string(datatype)}"
            add(condition, lambda r: text)
        allowed = _one(self.shapes, shape, SH["in"])
        if allowed is not None:
            members = _list(self.shapes, allowed)
            # pySHACL lists the allowed values in the order of a Python set, as here.
            listed = [self._shape_string(m) for m in set(members)]
            same = " || ".join(f"sameTerm(?value, {token(m)})" for m in members) or "false"
            add(
                f"!({same})",
                lambda r: f"Value {self._focus_string(r['value'])} not in list {listed}",
            )
        languages = _one(self.shapes, shape, SH.languageIn)
        if languages is not None:
            wanted = [str(m).lower() for m in _list(self.shapes, languages)]
            text = f"String language is not in {self._shape_string(languages)}"
            if "*" in wanted:
                add('!isLiteral(?value) || LANG(?value) = ""', lambda r: text)
            else:
                listed_languages = ", ".join(f'"{w}"' for w in wanted) or '""'
                add(
                    '!isLiteral(?value) || LANG(?value) = "" || !('
                    f"LCASE(LANG(?value)) IN ({listed_languages}) || "
                    f'LCASE(STRBEFORE(CONCAT(LANG(?value), "-"), "-")) IN ({listed_languages}))',
                    lambda r: text,
                )
        for parameter, (operator, wording) in _RANGES.items():
            bound = _one(self.shapes, shape, parameter)
            if bound is not None:
                text = wording.format(self._shape_string(bound))
                add(f"!COALESCE(?value {operator} {token(bound)}, false)", _constant(text))
        return checks

    def _qualified(
        self,
        prop: Node,
        qualified: Node,
        name: str,
        severity: str,
        target: str,
        values: str,
        focused: bool,
    ) -> list[Check]:
        """sh:qualifiedValueShape whose shape is a conjunction of sh:class constraints."""
        disjoint = _one(self.shapes, prop, SH.qualifiedValueShapesDisjoint)
        if isinstance(disjoint, Literal) and disjoint.value is True:
            raise UnsupportedShape(f"{name}: sh:qualifiedValueShapesDisjoint is not compiled")
        conforming = []
        for index, (predicate, obj) in enumerate(sorted(self.shapes.predicate_objects(qualified))):
            if predicate == SH["class"]:
                instances = self._instance_of("value", obj, f"q{index}")
                conforming.append(_distinct("?value", instances))
            elif predicate != RDF.type:
                raise UnsupportedShape(f"{name}: qualified shape with {predicate} not compiled")
        low = _int(_one(self.shapes, prop, SH.qualifiedMinCount))
        high = _int(_one(self.shapes, prop, SH.qualifiedMaxCount))
        count = "".join(
            f" {label} {value}"
            for label, value in (("MinCount", low), ("MaxCount", high))
            if value is not None
        )
        text = f"Focus node does not conform to shape{count}: {self._shape_string(qualified)}"
        message = self._message(prop, lambda r: text)
        pattern = f"{_pairs(target, values, focused)} {' '.join(conforming)}"
        checks = []
        if low:
            checks.append(Check(name, severity, _fewer(target, pattern, low, focused), message))
        if high is not None:
            checks.append(Check(name, severity, _more(target, pattern, high, focused), message))
        return checks

    def _sparql(
        self, shape: Node, constraint: Node, name: str, severity: str, target: str
    ) -> Check:
        select = self.shapes.value(constraint, SH.select)
        if select is None:
            raise UnsupportedShape(f"{name}: only SELECT-based SPARQL constraints are compiled")
        prefixes = self._prefixes(constraint)
        query = rewrite_select(str(select), target, self._namespaces(constraint))
        texts = sorted(str(m) for m in self.shapes.objects(constraint, SH.message)) or sorted(
            str(m) for m in self.shapes.objects(shape, SH.message)
        )
        text = texts[0] if texts else ""
        return Check(name, severity, prefixes + query, lambda row: _fill(text, row), union=True)

    def _namespaces(self, constraint: Node) -> dict[str, str]:
        found = {}
        for holder in self.shapes.objects(constraint, SH.prefixes):
            for declaration in self.shapes.objects(holder, SH.declare):
                prefix = self.shapes.value(declaration, SH.prefix)
                namespace = self.shapes.value(declaration, SH.namespace)
                found[str(prefix)] = str(namespace)
        return found

    def _prefixes(self, constraint: Node) -> str:
        lines = [f"PREFIX {p}: <{n}>" for p, n in sorted(self._namespaces(constraint).items())]
        return "\n".join(lines) + "\n"


def _constant(text: str) -> Message:
    return lambda row: text


def _int(value: Node | None) -> int | None:
    return int(value) if isinstance(value, Literal) else None


FOCUSED_LIMIT = 20_000
FOCUSED_RATIO = 30


def _pairs(target: str, values: str, focused: bool) -> str:
    """(focus node, value) pairs, each once: the values looked up per focus node, or all the
    values scanned, deduplicated, then joined with the focus nodes."""
    if focused:
        return _distinct("?this ?value", f"{target} {values}")
    return f"{_distinct('?this ?value', values)} {target}"


def _fewer(target: str, values: str, count: int, focused: bool = False) -> str:
    """Focus nodes with fewer than ``count`` distinct values: for 1, an anti-join (one hash
    join, not a lookup per focus node) or, for a few focus nodes, a lookup each; a grouped
    count otherwise."""
    if count == 1 and focused:
        return f"SELECT ?this WHERE {{ {target} OPTIONAL {{ {values} }} FILTER(!BOUND(?value)) }}"
    if count == 1:
        return f"SELECT ?this WHERE {{ {target} MINUS {{ {values} }} }}"
    return (
        f"SELECT ?this WHERE {{ {target} OPTIONAL {{ {values} }} }} GROUP BY ?this "
        f"HAVING (COUNT(DISTINCT ?value) < {count})"
    )


def _more(target: str, values: str, count: int, focused: bool = False) -> str:
    """Focus nodes with more than ``count`` distinct values: the values grouped first and
    joined with the focus nodes (a focus node with too many is rare), or, for a few focus
    nodes, their values looked up and grouped."""
    having = f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {count})"
    if focused:
        return f"SELECT ?this WHERE {{ {target} {values} }} {having}"
    return f"SELECT ?this WHERE {{ {{ SELECT ?this WHERE {{ {values} }} {having} }} {target} }}"


_PLACEHOLDER = re.compile(r"\{[?$](\w+)\}")


def _fill(template: str, row: dict[str, Node]) -> str:
    """sh:message templates: ``{$this}`` / ``{?var}`` take the result's values."""
    return _PLACEHOLDER.sub(lambda m: str(row.get(m.group(1), m.group(0))), template)


# -- SHACL-SPARQL ---------------------------------------------------------------------------

_EXISTS = re.compile(r"FILTER\s*(NOT\s+)?EXISTS\s*\{", re.IGNORECASE)
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)


def _closing(text: str, opening: int) -> int:
    """The index of the brace closing the one at ``opening`` (strings and IRIs skipped)."""
    depth = 0
    index = opening
    while index < len(text):
        char = text[index]
        if char in "\"'":
            end = text.find(char, index + 1)
            index = end if end != -1 else len(text)
        elif char == "<" and re.match(r"<[^\s<>]*>", text[index:]):
            index = text.index(">", index)
        elif char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index
        index += 1
    raise UnsupportedShape("unbalanced braces in a SPARQL constraint")


def rewrite_select(select: str, target: str, namespaces: dict[str, str] | None = None) -> str:
    """A SHACL-SPARQL SELECT as one query over all focus nodes.

    ``$this`` becomes ``?this``, joined with ``target`` (which binds each focus node once, so
    each gets the solutions pre-binding would give it). When the WHERE clause is triple
    patterns plus top-level ``FILTER [NOT] EXISTS`` blocks of triple patterns, each block
    becomes a join with (``MINUS`` of) a ``SELECT DISTINCT`` over the variables it shares with
    the triple patterns — the same solutions, evaluated once instead of once per row — and
    each triple pattern reads the named graphs through its own ``SELECT DISTINCT``, which is
    what matching it against their union means. Other queries keep their form: correct, run
    on the union default graph, but pyoxigraph may evaluate their filters once per row."""
    text = select.replace("$this", "?this")
    where = _WHERE.search(text)
    if where is None:
        raise UnsupportedShape("a SPARQL constraint without WHERE { … }")
    head = text[: where.start()]
    opening = where.end() - 1
    body = text[opening + 1 : _closing(text, opening)]
    plain, blocks = _split_exists(body)
    rewritten = _rewrite_body(plain, blocks, namespaces or {}) if plain is not None else None
    return f"{head}WHERE {{ {target} {rewritten or body} }}"


def _rewrite_body(
    plain: str, blocks: list[tuple[bool, str]], namespaces: dict[str, str]
) -> str | None:
    patterns = _triple_patterns(plain, namespaces)
    if patterns is None:
        return None
    bound = {v for _, names in patterns for v in names} | {"this"}
    parts = [_distinct(names, _graph(text, n)) for n, (text, names) in enumerate(patterns)]
    minus: list[str] = []
    for index, (negated, inner) in enumerate(blocks):
        inner_patterns = _triple_patterns(inner, namespaces)
        if inner_patterns is None:
            return None
        shared = sorted({v for _, names in inner_patterns for v in names} & bound)
        if not shared:
            return None
        joined = " ".join(
            _distinct(names, _graph(text, f"{index}_{n}"))
            for n, (text, names) in enumerate(inner_patterns)
        )
        block = _distinct(" ".join(f"?{v}" for v in shared), joined)
        (minus if negated else parts).append(block)
    return " ".join(parts) + "".join(f" MINUS {block}" for block in minus)


def _graph(pattern: str, suffix: object) -> str:
    return f"GRAPH ?_g{suffix} {{ {pattern} }}"


def _triple_patterns(text: str, namespaces: dict[str, str]) -> list[tuple[str, list[str]]] | None:
    """The triple patterns of a group that is nothing but triple patterns (parsed by rdflib's
    SPARQL parser, so ``;``, ``,`` and ``a`` are understood), each with at least one
    variable: (the pattern as text, its variable names); None for anything else."""
    from rdflib.plugins.sparql import prepareQuery
    from rdflib.term import Variable

    try:
        query = prepareQuery(f"SELECT * WHERE {{ {text} }}", initNs=namespaces)
    except Exception:  # rdflib reports bad syntax with assorted exception types
        return None
    project = query.algebra.p
    if getattr(project, "name", "") != "Project" or getattr(project.p, "name", "") != "BGP":
        return None
    patterns = []
    for triple in project.p.triples:
        if any(isinstance(term, BNode) for term in triple):
            return None
        names = sorted({str(term) for term in triple if isinstance(term, Variable)})
        if not names:
            return None
        text = " ".join(f"?{t}" if isinstance(t, Variable) else token(t) for t in triple)
        patterns.append((text, names))
    return patterns


def _split_exists(body: str) -> tuple[str | None, list[tuple[bool, str]]]:
    """The body without its top-level FILTER [NOT] EXISTS blocks, and those blocks."""
    plain: list[str] = []
    blocks: list[tuple[bool, str]] = []
    position = 0
    for match in _EXISTS.finditer(body):
        if match.start() < position:
            continue
        opening = match.end() - 1
        closing = _closing(body, opening)
        plain.append(body[position : match.start()])
        blocks.append((bool(match.group(1)), body[opening + 1 : closing]))
        position = closing + 1
    plain.append(body[position:])
    rest = " ".join(plain)
    if "{" in rest or "}" in rest:
        return None, blocks
    return rest, blocks


# -- running --------------------------------------------------------------------------------


def store_instances(store: ox.Store) -> Instances:
    """Classes and their sub-classes as the data say (``rdfs:subClassOf*``)."""
    cache: dict[URIRef, list[str]] = {}

    def instances(cls: URIRef) -> list[str]:
        if cls not in cache:
            rows = store.query(
                f"SELECT DISTINCT ?c WHERE {{ ?c <{RDFS.subClassOf}>* <{cls}> }}",
                use_default_graph_as_union=True,
            )
            assert isinstance(rows, ox.QuerySolutions)
            found = {str(row["c"]) for row in rows if isinstance(row["c"], ox.NamedNode)}
            found.add(f"<{cls}>")
            cache[cls] = sorted(found)
        return cache[cls]

    return instances


def store_counter(store: ox.Store) -> Counting:
    """Counts a pattern's solutions in ``store``, stopping at the cap (so cheap)."""

    def count(pattern: str, cap: int) -> int:
        rows = store.query(
            f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ SELECT * WHERE {{ {pattern} }} LIMIT {cap} }} }}"
        )
        assert isinstance(rows, ox.QuerySolutions)
        return int(next(iter(rows))["n"].value)

    return count


def validate_store(
    store: ox.Store,
    shapes_path: Path,
    *,
    materialised: bool = False,
    timings: dict[str, float] | None = None,
    threads: int | None = None,
) -> ValidationSummary:
    """Validate everything in ``store`` (ontology, registers and catalogs as named graphs)
    against ``shapes_path``. ``materialised``: the build's reasoning ran (see
    :class:`ShapeCompiler`). The queries run on ``threads`` threads (pyoxigraph releases the
    GIL while it evaluates; default: one per CPU). ``timings`` receives each query's seconds.
    """
    if not shapes_path.exists():
        return ValidationSummary()
    started = time.perf_counter()
    shapes = Graph().parse(shapes_path)
    compiler = ShapeCompiler(shapes, store_instances(store), materialised, store_counter(store))
    checks = compiler.compile()

    def run(check: Check) -> tuple[list[dict[str, Node]], float]:
        begun = time.perf_counter()
        rows = store.query(check.query, use_default_graph_as_union=check.union)
        assert isinstance(rows, ox.QuerySolutions)
        names = [v.value for v in rows.variables]
        found = [{n: to_rdflib(row[n]) for n in names if row[n] is not None} for row in rows]
        return found, time.perf_counter() - begun

    workers = threads or default_workers()
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(run, checks))
    summary = ValidationSummary(ran=True)
    labels: dict[str, str] = {}
    for index, (check, (rows, seconds)) in enumerate(zip(checks, results, strict=True)):
        for values in rows:
            focus = values["this"]
            summary.findings.append(
                ShaclResult(
                    severity=check.severity,
                    shape=check.shape,
                    focus=str(focus),
                    label=_label(store, focus, labels),
                    message=check.message(values),
                    path=check.path,
                )
            )
        if timings is not None:
            timings[f"{index:02d} {check.shape}"] = seconds
    summary.conforms = not summary.violations
    summary.findings = locate(summary.findings, _store_select(store))
    summary.findings.sort(key=lambda f: (f.severity, f.shape, f.focus, f.message))
    summary.seconds = time.perf_counter() - started
    return summary


def _store_select(store: ox.Store) -> Select:
    """A :data:`cdkg.loaders.validation.reference.Select` over every graph of ``store``."""

    def select(query: str) -> Iterator[dict[str, str]]:
        rows = store.query(query, use_default_graph_as_union=True)
        assert isinstance(rows, ox.QuerySolutions)
        names = [v.value for v in rows.variables]
        for row in rows:
            yield {n: row[n].value for n in names if row[n] is not None}

    return select


def _label(store: ox.Store, focus: Node, cache: dict[str, str]) -> str:
    """The focus node's rdfs:label (the Chinese one when there are several)."""
    if not isinstance(focus, URIRef):
        return ""
    key = str(focus)
    if key not in cache:
        found = [
            q.object
            for q in store.quads_for_pattern(ox.NamedNode(key), ox.NamedNode(str(RDFS.label)), None)
            if isinstance(q.object, ox.Literal)
        ]
        found.sort(key=lambda lit: (lit.language != "zh", lit.value))
        cache[key] = found[0].value if found else ""
    return cache[key]


def count_findings(summary: ValidationSummary) -> Counter[tuple[str, str, str, str, str]]:
    """The findings as a multiset of (focus, shape, severity, message, path): what the equivalence
    test compares."""
    return Counter((f.focus, f.shape, f.severity, f.message, f.path) for f in summary.findings)


__all__ = [
    "Check",
    "ShapeCompiler",
    "UnsupportedShape",
    "count_findings",
    "rewrite_select",
    "validate_store",
]
