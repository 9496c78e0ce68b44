"""The duty table: one row per duty with everything a person reads about it.

``cdkg export`` writes it as CSV/XLSX, and the check report uses it to name the duty behind
a finding (label, jurisdiction, source file and line) and to draw the jurisdiction × topic
matrix and the sector chart. It is read through any object with a ``select`` method (the
server's ``Store``, or ``OxigraphStore`` over the built dataset), with two queries: one row
per duty for the single-valued fields, and one ``(duty, field, value, label)`` row per link
for the multi-valued ones, so nothing is multiplied out.

>>> import pyoxigraph as ox
>>> from cdkg.server.store.engines import OxigraphStore
>>> store = OxigraphStore(ox.Store(), "v0")
>>> store.update('''INSERT DATA { GRAPH <http://g> {
...   <http://d> a cd:AssistanceDuty, cd:Duty ; rdfs:label "协助开展禁毒宣传"@zh ;
...     cd:number 6 ; cd:inCatalog <http://c> ; cd:citationText "" ; cd:sourceLine 97 ;
...     cd:topic <http://t> .
...   <http://t> skos:prefLabel "禁毒"@zh .
...   cd:AssistanceDuty rdfs:subClassOf cd:Duty ; rdfs:label "依法协助事项"@zh . } }''')
>>> row = duty_table(store)[0]
>>> (row.name, row.number, row.line, row.list_type, row.labels("topic"))
('协助开展禁毒宣传', 6, 97, '依法协助事项', ('禁毒',))
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from rdflib import Literal, URIRef
from rdflib.term import Node

PREFIX_LINES = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dct: <http://purl.org/dc/terms/>
"""

DUTIES_QUERY = (
    PREFIX_LINES
    + """SELECT DISTINCT ?duty ?name ?number ?line ?file ?catalog ?catalogLabel ?jurisdiction
       ?jurisdictionLabel ?listClass ?listLabel ?citation WHERE {
  ?duty a cd:Duty .
  OPTIONAL { ?duty rdfs:label ?name }
  OPTIONAL { ?duty cd:number ?number }
  OPTIONAL { ?duty cd:sourceLine ?line }
  OPTIONAL { ?duty prov:wasDerivedFrom/cd:fileName ?file }
  OPTIONAL { ?duty cd:citationText ?citation }
  OPTIONAL { ?duty cd:inCatalog ?catalog OPTIONAL { ?catalog dct:title ?catalogLabel } }
  OPTIONAL { ?duty cd:jurisdiction ?jurisdiction
             OPTIONAL { ?jurisdiction rdfs:label ?jurisdictionLabel
                        FILTER(langMatches(lang(?jurisdictionLabel), "zh")) } }
  OPTIONAL { ?duty a ?listClass . ?listClass rdfs:subClassOf cd:Duty .
             FILTER(?listClass != cd:Duty)
             OPTIONAL { ?listClass rdfs:label ?listLabel
                        FILTER(langMatches(lang(?listLabel), "zh")) } }
}"""
)

LINKS_QUERY = (
    PREFIX_LINES
    + """SELECT DISTINCT ?duty ?field ?value ?label WHERE {
  ?duty a cd:Duty .
  {
    BIND("category" AS ?field)
    ?duty cd:category ?value . OPTIONAL { ?value skos:prefLabel ?label }
  } UNION {
    BIND("topic" AS ?field)
    ?duty cd:topic ?value .
    OPTIONAL { ?value skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh")) }
  } UNION {
    BIND("department" AS ?field)
    ?duty cd:department ?value . OPTIONAL { ?value rdfs:label ?label }
  } UNION {
    BIND("sector" AS ?field)
    ?duty cd:department/cd:sector ?value .
    OPTIONAL { ?value skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh")) }
  } UNION {
    BIND("document" AS ?field)
    ?duty cd:hasCitation/cd:citedDocument ?value .
    OPTIONAL { ?value rdfs:label ?label FILTER(langMatches(lang(?label), "zh")) }
  } UNION {
    BIND("article" AS ?field)
    ?duty cd:hasLegalBasis ?value . ?value a cd:LegalProvision .
    OPTIONAL { ?value rdfs:label ?label }
  }
}"""
)


class Selector(Protocol):
    """Anything that runs a SELECT and returns rows of rdflib terms (``cdkg.server.store.base``'s
    ``Store`` does)."""

    def select(self, query: str) -> list[dict[str, Node]]: ...


@dataclass(frozen=True)
class Link:
    """A linked resource of a duty: its IRI and its (Chinese) label."""

    iri: str
    label: str


@dataclass(frozen=True)
class DutyRow:
    """One duty, with labels for people and IRIs for machines."""

    iri: str
    name: str
    number: int | None
    list_class: str
    list_type: str
    catalog_iri: str
    catalog: str
    jurisdiction_iri: str
    jurisdiction: str
    citation_text: str
    file: str
    line: int | None
    links: dict[str, tuple[Link, ...]] = field(default_factory=dict, compare=False)

    def labels(self, name: str) -> tuple[str, ...]:
        """The labels of one multi-valued field (``topic``, ``sector`` …), sorted."""
        return tuple(link.label for link in self.links.get(name, ()))


def _text(row: dict[str, Node], name: str) -> str:
    value = row.get(name)
    return str(value) if value is not None else ""


def _better(old: str, new: str) -> bool:
    """Of several values for one field (a dataset with duplicates), keep a stable one."""
    return not old or (bool(new) and new < old)


def whole_number(value: Node | None) -> int | None:
    """An integer literal (cd:sourceLine, cd:number, a count) as an int; None when absent or
    not one.

    >>> whole_number(Literal(27)), whole_number(Literal("第三条")), whole_number(None)
    (27, None, None)
    """
    if isinstance(value, Literal):
        try:
            return int(str(value))
        except ValueError:
            return None
    return None


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading digit runs as numbers: 第9条 before 第17条, 2 before 10."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part) for part in re.split(r"(\d+)", text) if part
    )


_NOT_IN_IRI = re.compile(r'[\s<>"{}|^`\\]')
ONLY_BATCH = 2000
"""Duties asked for by IRI per query (a VALUES block of this many IRIs)."""
_ZH = 'FILTER(langMatches(lang(?{0}), "zh"))'
SCALAR_PATTERNS: dict[str, str] = {
    "name": "?duty rdfs:label ?name",
    "number": "?duty cd:number ?number",
    "line": "?duty cd:sourceLine ?line",
    "file": "?duty prov:wasDerivedFrom ?source . ?source cd:fileName ?file",
    "citation": "?duty cd:citationText ?citation",
    "catalog": "?duty cd:inCatalog ?catalog",
    "catalogLabel": "?duty cd:inCatalog ?catalog . ?catalog dct:title ?catalogLabel",
    "jurisdiction": "?duty cd:jurisdiction ?jurisdiction",
    "jurisdictionLabel": "?duty cd:jurisdiction ?jurisdiction . "
    "?jurisdiction rdfs:label ?jurisdictionLabel " + _ZH.format("jurisdictionLabel"),
}
"""DUTIES_QUERY taken apart: one pattern per field, each a plain join that starts from the
VALUES block of duties. A duty's classes (is it a cd:Duty, which list) are read as
TYPE_PATTERN and matched against LIST_CLASSES_QUERY in Python: a pattern with a constant
object (``?duty a cd:Duty``, ``?listClass rdfs:subClassOf cd:Duty``) makes pyoxigraph start
from that side — every duty of the dataset, 21 s per batch at 3,000 jurisdictions."""
TYPE_PATTERN = "?duty a ?type"
LIST_CLASSES_QUERY = (
    PREFIX_LINES
    + """SELECT DISTINCT ?listClass ?listLabel WHERE {
  ?listClass rdfs:subClassOf cd:Duty FILTER(?listClass != cd:Duty)
  OPTIONAL { ?listClass rdfs:label ?listLabel FILTER(langMatches(lang(?listLabel), "zh")) }
}"""
)
"""The list classes (subclasses of cd:Duty) and their Chinese labels: a dozen rows."""
DUTY_CLASS = URIRef("https://w3id.org/cdkg/ontology#Duty")
LINK_PATTERNS: dict[str, tuple[str, str]] = {
    "category": ("?duty cd:category ?value", "?value skos:prefLabel ?label"),
    "topic": ("?duty cd:topic ?value", "?value skos:prefLabel ?label " + _ZH.format("label")),
    "department": ("?duty cd:department ?value", "?value rdfs:label ?label"),
    "sector": (
        "?duty cd:department ?department . ?department cd:sector ?value",
        "?value skos:prefLabel ?label " + _ZH.format("label"),
    ),
    "document": (
        "?duty cd:hasCitation ?citation . ?citation cd:citedDocument ?value",
        "?value rdfs:label ?label " + _ZH.format("label"),
    ),
    "article": ("?duty cd:hasLegalBasis ?value", "?value rdfs:label ?label"),
}
"""LINKS_QUERY taken apart: per field, the pattern of its values and that of their labels."""
VALUE_TYPES = {"article": URIRef("https://w3id.org/cdkg/ontology#LegalProvision")}
"""The class a field's values must have (read as ``?value a ?valueType`` and matched in
Python: ``?value a cd:LegalProvision`` in a query would start from every provision of the
dataset, and a type pattern beside the label pattern from every label)."""


def only(pattern: str, variables: str, iris: Sequence[str], subject: str = "duty") -> str:
    """A SELECT of ``variables`` matching ``pattern`` for the ``?subject`` (default ``?duty``)
    among ``iris`` only: the VALUES block and one group of triple patterns, nothing optional.

    Why not DUTIES_QUERY and LINKS_QUERY with a VALUES block: pyoxigraph (0.5) does not carry
    a VALUES block into OPTIONAL or UNION groups, so each batch joined those groups over the
    whole dataset — 7 s per batch of 2,000 duties for the scalar fields alone at 3,000
    jurisdictions, against 0.06 s for one of these joins.

    >>> print(only("?duty rdfs:label ?name", "?duty ?name", ["http://d"]).splitlines()[-1])
    SELECT DISTINCT ?duty ?name WHERE { VALUES ?duty { <http://d> } ?duty rdfs:label ?name }
    """
    terms = " ".join(f"<{iri}>" for iri in iris)
    return (
        f"{PREFIX_LINES}SELECT DISTINCT {variables} WHERE "
        f"{{ VALUES ?{subject} {{ {terms} }} {pattern} }}"
    )


def duty_table(
    selector: Selector, iris: Iterable[str] | None = None, *, links: bool = True
) -> list[DutyRow]:
    """Every duty of the store, in source order (file, line); with ``iris``, only the duties
    among them (the check report names the duties of its findings: at 3,000 jurisdictions
    the whole table is 182,617 duties and minutes of queries), read field by field
    (:func:`only`) — the same rows as the whole table's; ``links=False`` leaves the
    multi-valued fields (topics, documents…) unread, which naming a finding does not use."""
    if iris is None:
        return _table(selector.select(DUTIES_QUERY), selector.select(LINKS_QUERY))
    wanted = sorted({iri for iri in iris if not _NOT_IN_IRI.search(iri)})
    scalar_rows: list[dict[str, Node]] = []
    link_rows: list[dict[str, Node]] = []
    list_labels: dict[Node, list[Node]] = defaultdict(list)
    if wanted:
        for row in selector.select(LIST_CLASSES_QUERY):
            of_class = list_labels[row["listClass"]]
            if row.get("listLabel") is not None:
                of_class.append(row["listLabel"])
    for start in range(0, len(wanted), ONLY_BATCH):
        batch = wanted[start : start + ONLY_BATCH]
        types = selector.select(only(TYPE_PATTERN, "?duty ?type", batch))
        duties = {str(row["duty"]) for row in types if row["type"] == DUTY_CLASS}
        if not duties:
            continue
        batch = sorted(duties)
        scalar_rows.extend({"duty": URIRef(iri)} for iri in batch)
        for row in types:
            if row["type"] in list_labels and str(row["duty"]) in duties:
                scalar_rows.append({"duty": row["duty"], "listClass": row["type"]})
                scalar_rows.extend(
                    {"duty": row["duty"], "listLabel": label} for label in list_labels[row["type"]]
                )
        for name, pattern in SCALAR_PATTERNS.items():
            scalar_rows.extend(selector.select(only(pattern, f"?duty ?{name}", batch)))
        for name, (values, labels) in LINK_PATTERNS.items() if links else ():
            field_name, required = Literal(name), VALUE_TYPES.get(name)
            if required is None:
                found = selector.select(only(values, "?duty ?value", batch))
            else:
                typed = f"{values} . ?value a ?valueType"
                found = [
                    {"duty": row["duty"], "value": row["value"]}
                    for row in selector.select(only(typed, "?duty ?value ?valueType", batch))
                    if row["valueType"] == required
                ]
            kept = {(row["duty"], row["value"]) for row in found}
            link_rows.extend({**row, "field": field_name} for row in found)
            for row in selector.select(only(f"{values} . {labels}", "?duty ?value ?label", batch)):
                if (row["duty"], row["value"]) in kept:
                    link_rows.append({**row, "field": field_name})
    return _table(scalar_rows, link_rows)


def _table(
    scalar_rows: Iterable[dict[str, Node]], link_rows: Iterable[dict[str, Node]]
) -> list[DutyRow]:
    scalars: dict[str, dict[str, str]] = {}
    lines: dict[str, int | None] = {}
    numbers: dict[str, int | None] = {}
    for row in scalar_rows:
        iri = str(row["duty"])
        current = scalars.setdefault(iri, {})
        for name in row:
            if name in ("duty", "line", "number"):
                continue
            text = _text(row, name)
            if _better(current.get(name, ""), text):
                current[name] = text
        if lines.get(iri) is None:
            lines[iri] = whole_number(row.get("line"))
        if numbers.get(iri) is None:
            numbers[iri] = whole_number(row.get("number"))
    links = _links(link_rows)
    rows = [
        DutyRow(
            iri=iri,
            name=values.get("name", ""),
            number=numbers.get(iri),
            list_class=values.get("listClass", ""),
            list_type=values.get("listLabel", ""),
            catalog_iri=values.get("catalog", ""),
            catalog=values.get("catalogLabel", ""),
            jurisdiction_iri=values.get("jurisdiction", ""),
            jurisdiction=values.get("jurisdictionLabel", ""),
            citation_text=values.get("citation", ""),
            file=values.get("file", ""),
            line=lines.get(iri),
            links=links.get(iri, {}),
        )
        for iri, values in scalars.items()
    ]
    rows.sort(key=lambda r: (r.file, r.line or 0, r.list_class, r.number or 0, r.iri))
    return rows


def _links(rows: Iterable[dict[str, Node]]) -> dict[str, dict[str, tuple[Link, ...]]]:
    found: dict[str, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        duty, name, value = str(row["duty"]), str(row["field"]), row["value"]
        label = _text(row, "label") or (str(value) if not isinstance(value, URIRef) else "")
        labels = found[duty][name]
        if str(value) not in labels or _better(labels[str(value)], label):
            labels[str(value)] = label
    return {
        duty: {
            name: tuple(
                sorted(
                    (Link(iri, label or iri.rsplit("/", 1)[-1]) for iri, label in values.items()),
                    key=lambda link: (natural_key(link.label), link.iri),
                )
            )
            for name, values in fields.items()
        }
        for duty, fields in found.items()
    }
