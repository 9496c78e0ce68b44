"""The statistics graph: counts of duties the build materialises, so that national questions
read a few thousand observations instead of scanning every duty on each request.

At 3,000 jurisdictions a count per catalog, topic, sector or cited document is a scan and
hash joins over 180 k duties (1–6 s cold, docs/benchmarks.md). The counts only change when
the data does, i.e. at build time; so the build counts once, after reasoning, and publishes
the answers as an RDF Data Cube (``qb:``) in the named graph ``<base>graph/statistics``:

* one ``qb:DataSet`` per slice (``<base>statistics/<slice>``), with its
  ``qb:DataStructureDefinition`` and component specifications (``…/structure``,
  ``…/structure/<property>``), labelled in Chinese and English and saying which duties it
  counts;
* one ``qb:Observation`` per combination of dimension values that has duties, at
  ``<base>statistics/<slice>/<dimension IRIs' paths>`` — deterministic, no blank nodes;
* dimensions ``cd:refCatalog``, ``cd:refListType``, ``cd:refJurisdiction``, ``cd:refTopic``,
  ``cd:refSector``, ``cd:refDepartment``, ``cd:refDocument``, ``cd:refLevel`` and measures
  ``cd:documentCount``, ``cd:dutyCount``,
  ``cd:assignedDutyCount``, ``cd:removedDutyCount``, ``cd:dutyWithDepartmentCount``,
  ``cd:citationCount``, ``cd:jurisdictionCount``, ``cd:departmentCount`` (ontology/cdkg.ttl).
  The dimensions are not cd:jurisdiction, cd:topic…: a query asking ``?duty cd:topic ?t``
  over the union of graphs must never meet an observation.

Each slice is one SPARQL SELECT over the built dataset (the union of its graphs), written
with the same patterns as the named query it serves, so that the statistics agree with the
duties by construction (tests/loaders/test_statistics.py checks them against direct COUNTs;
tests/queries/test_statistics_queries.py checks the rewritten named queries against their
old text). Both build engines count with pyoxigraph — the store engine on its store, the
reference engine on a copy of its rdflib graphs — so they publish the same quads.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import XSD

from cdkg.ontology.namespace import CD

from .rdf.graph import new_graph
from .rdf.nquads import Triple, lines_of, token

QB = Namespace("http://purl.org/linked-data/cube#")
GRAPH_NAME = "statistics"
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_TYPE, _OBSERVATION, _DATA_SET = f"<{RDF.type}>", f"<{QB.Observation}>", f"<{QB.dataSet}>"
Tokens = tuple[str, str, str]  # a triple's subject, predicate and object as N-Triples writes them

_PREFIXES = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""
_TO_DO = "cd:SelfGovernanceDuty cd:AssistanceDuty cd:SupervisionDuty cd:CertificationDuty"
# Each slice joins whole sides (one sub-select per predicate, hash joins) rather than looking
# every duty up pattern by pattern, like the named queries did: 7–10× faster at 300 catalogs.
_TO_DO_DUTIES = (
    f"{{ SELECT DISTINCT ?duty WHERE {{ VALUES ?listType {{ {_TO_DO} }} ?duty a ?listType }} }}"
)
_CATALOG_JURISDICTIONS = (
    "{ SELECT ?catalog ?jurisdiction"
    " WHERE { ?catalog a cd:Catalog ; cd:jurisdiction ?jurisdiction } }"
)


@dataclass(frozen=True)
class Slice:
    """One qb:DataSet: what it counts (``query``, one row per observation), its dimensions
    and measures as (SELECT variable, property) pairs, in the order of the IRI's path."""

    name: str
    label_zh: str
    label_en: str
    comment: str
    dimensions: tuple[tuple[str, URIRef], ...]
    measures: tuple[tuple[str, URIRef], ...]
    query: str


SLICES: tuple[Slice, ...] = (
    Slice(
        "catalog-list-type",
        "各清单各类事项数",
        "Duties per catalog and list type",
        "Every duty, counted by its catalog and the list (cd:Duty subclass) it is printed in.",
        (("catalog", CD.refCatalog), ("listType", CD.refListType)),
        (("duties", CD.dutyCount),),
        """SELECT ?catalog ?listType (COUNT(DISTINCT ?duty) AS ?duties)
WHERE {
  {
    SELECT ?duty ?listType
    WHERE {
      ?listType rdfs:subClassOf cd:Duty .
      FILTER(?listType != cd:Duty)
      ?duty a ?listType .
    }
  }
  { SELECT ?duty ?catalog WHERE { ?duty cd:inCatalog ?catalog } }
}
GROUP BY ?catalog ?listType""",
    ),
    Slice(
        "jurisdiction",
        "各地布置给社区的事项数",
        "Duties assigned to communities per jurisdiction",
        "Duties of the to-do lists (self-governance, assistance, supervision, certification) "
        "per jurisdiction of their catalog: all of them, and those that name a department.",
        (("jurisdiction", CD.refJurisdiction),),
        (("duties", CD.dutyCount), ("withDepartment", CD.dutyWithDepartmentCount)),
        f"""SELECT ?jurisdiction (SUM(?catalogDuties) AS ?duties)
       (SUM(?catalogNamed) AS ?withDepartment)
WHERE {{
  {{
    SELECT ?catalog (COUNT(DISTINCT ?duty) AS ?catalogDuties)
           (COUNT(DISTINCT ?named) AS ?catalogNamed)
    WHERE {{
      {_TO_DO_DUTIES}
      {{ SELECT ?duty ?catalog WHERE {{ ?duty cd:inCatalog ?catalog }} }}
      OPTIONAL {{
        SELECT DISTINCT ?duty ?named
        WHERE {{ ?duty cd:department ?anyDepartment BIND(?duty AS ?named) }}
      }}
    }}
    GROUP BY ?catalog
  }}
  {_CATALOG_JURISDICTIONS}
}}
GROUP BY ?jurisdiction""",
    ),
    Slice(
        "jurisdiction-topic",
        "各地各主题的事项数",
        "Duties per jurisdiction and topic",
        "Per jurisdiction and cross-jurisdiction topic: the duties of the to-do lists "
        "(assigned to communities) and of the cancelled and excluded lists (removed from them).",
        (("jurisdiction", CD.refJurisdiction), ("topic", CD.refTopic)),
        (("assigned", CD.assignedDutyCount), ("removed", CD.removedDutyCount)),
        """SELECT ?jurisdiction ?topic (SUM(?toDo) AS ?assigned) (SUM(?notToDo) AS ?removed)
WHERE {
  {
    SELECT ?duty ?toDo ?notToDo
    WHERE {
      VALUES (?listType ?toDo ?notToDo) {
        (cd:SelfGovernanceDuty 1 0) (cd:AssistanceDuty 1 0) (cd:SupervisionDuty 1 0)
        (cd:CertificationDuty 1 0) (cd:CancelledDuty 0 1) (cd:ExcludedDuty 0 1)
      }
      ?duty a ?listType .
    }
  }
  { SELECT ?duty ?topic WHERE { ?duty cd:topic ?topic } }
  { SELECT ?duty ?jurisdiction WHERE { ?duty cd:jurisdiction ?jurisdiction } }
}
GROUP BY ?jurisdiction ?topic""",
    ),
    Slice(
        "topic",
        "各主题布置给社区的事项数与地区数",
        "Duties and jurisdictions assigning each topic",
        "Per cross-jurisdiction topic, over all jurisdictions: the duties of the to-do lists "
        "that carry it and the jurisdictions they belong to.",
        (("topic", CD.refTopic),),
        (("duties", CD.dutyCount), ("jurisdictions", CD.jurisdictionCount)),
        f"""SELECT ?topic (COUNT(DISTINCT ?duty) AS ?duties)
       (COUNT(DISTINCT ?jurisdiction) AS ?jurisdictions)
WHERE {{
  {_TO_DO_DUTIES}
  {{ SELECT ?duty ?topic WHERE {{ ?duty cd:topic ?topic }} }}
  {{ SELECT ?duty ?jurisdiction WHERE {{ ?duty cd:jurisdiction ?jurisdiction }} }}
}}
GROUP BY ?topic""",
    ),
    Slice(
        "jurisdiction-sector",
        "各地各部门领域的事项数",
        "Duties per jurisdiction and sector",
        "Per jurisdiction and sector: the duties of the to-do lists that name one of the "
        "sector's departments (a duty naming two departments of one sector counts once).",
        (("jurisdiction", CD.refJurisdiction), ("sector", CD.refSector)),
        (("duties", CD.dutyCount),),
        f"""SELECT ?jurisdiction ?sector (SUM(?catalogDuties) AS ?duties)
WHERE {{
  {{
    SELECT ?catalog ?sector (COUNT(DISTINCT ?duty) AS ?catalogDuties)
    WHERE {{
      {_TO_DO_DUTIES}
      {{ SELECT ?duty ?department WHERE {{ ?duty cd:department ?department }} }}
      {{ SELECT ?department ?sector WHERE {{ ?department cd:sector ?sector }} }}
      {{ SELECT ?duty ?catalog WHERE {{ ?duty cd:inCatalog ?catalog }} }}
    }}
    GROUP BY ?catalog ?sector
  }}
  {_CATALOG_JURISDICTIONS}
}}
GROUP BY ?jurisdiction ?sector""",
    ),
    Slice(
        "sector",
        "各部门领域的事项数、地区数与部门数",
        "Duties, jurisdictions and departments per sector",
        "Per sector, over all jurisdictions: the duties of the to-do lists that name one of "
        "its departments, the jurisdictions of those duties and the departments they name.",
        (("sector", CD.refSector),),
        (
            ("duties", CD.dutyCount),
            ("jurisdictions", CD.jurisdictionCount),
            ("departments", CD.departmentCount),
        ),
        f"""SELECT ?sector (COUNT(DISTINCT ?duty) AS ?duties)
       (COUNT(DISTINCT ?jurisdiction) AS ?jurisdictions)
       (COUNT(DISTINCT ?department) AS ?departments)
WHERE {{
  {_TO_DO_DUTIES}
  {{ SELECT ?duty ?department WHERE {{ ?duty cd:department ?department }} }}
  {{ SELECT ?department ?sector WHERE {{ ?department cd:sector ?sector }} }}
  {{ SELECT ?duty ?jurisdiction WHERE {{ ?duty cd:jurisdiction ?jurisdiction }} }}
}}
GROUP BY ?sector""",
    ),
    Slice(
        "jurisdiction-department",
        "各地各部门的事项数",
        "Duties per jurisdiction and department",
        "Per jurisdiction and department: the duties of the to-do lists that name the department.",
        (("jurisdiction", CD.refJurisdiction), ("department", CD.refDepartment)),
        (("duties", CD.dutyCount),),
        f"""SELECT ?jurisdiction ?department (SUM(?catalogDuties) AS ?duties)
WHERE {{
  {{
    SELECT ?catalog ?department (COUNT(DISTINCT ?duty) AS ?catalogDuties)
    WHERE {{
      {_TO_DO_DUTIES}
      {{ SELECT ?duty ?department WHERE {{ ?duty cd:department ?department }} }}
      {{ SELECT ?duty ?catalog WHERE {{ ?duty cd:inCatalog ?catalog }} }}
    }}
    GROUP BY ?catalog ?department
  }}
  {{ SELECT ?catalog ?jurisdiction WHERE {{ ?catalog cd:jurisdiction ?jurisdiction }} }}
}}
GROUP BY ?jurisdiction ?department""",
    ),
    Slice(
        "jurisdiction-document",
        "各地各法律文件的引用数",
        "Citations per jurisdiction and legal document",
        "Per jurisdiction and cited legal document: the citations of the document in the "
        "jurisdiction's catalogs and the duties that hold them (any list).",
        (("jurisdiction", CD.refJurisdiction), ("document", CD.refDocument)),
        (("citations", CD.citationCount), ("duties", CD.dutyCount)),
        """SELECT ?jurisdiction ?document (SUM(?cites) AS ?citations)
       (SUM(?catalogDuties) AS ?duties)
WHERE {
  {
    SELECT ?graph ?document (COUNT(DISTINCT ?citation) AS ?cites)
           (COUNT(DISTINCT ?duty) AS ?catalogDuties)
    WHERE {
      {
        SELECT ?graph ?citation ?document
        WHERE { GRAPH ?graph { ?citation cd:citedDocument ?document } }
      }
      OPTIONAL { SELECT ?duty ?citation WHERE { ?duty cd:hasCitation ?citation } }
    }
    GROUP BY ?graph ?document
  }
  {
    SELECT ?graph ?jurisdiction
    WHERE { GRAPH ?graph { ?catalog a cd:Catalog ; cd:jurisdiction ?jurisdiction } }
  }
}
GROUP BY ?jurisdiction ?document""",
    ),
    Slice(
        "jurisdiction-level",
        "各地各层级法律文件的引用数",
        "Citations per jurisdiction and level of the cited documents",
        "Per jurisdiction and level of government a cited document was issued at (cd:level "
        "in the law register: national, provincial, municipal, district): the citations of "
        "such documents in the jurisdiction's catalogs, and the distinct documents.",
        (("jurisdiction", CD.refJurisdiction), ("level", CD.refLevel)),
        (("citations", CD.citationCount), ("documents", CD.documentCount)),
        """SELECT ?jurisdiction ?level (SUM(?cites) AS ?citations)
       (COUNT(DISTINCT ?document) AS ?documents)
WHERE {
  {
    SELECT ?graph ?document (COUNT(?citation) AS ?cites)
    WHERE { GRAPH ?graph { ?citation cd:citedDocument ?document } }
    GROUP BY ?graph ?document
  }
  {
    SELECT ?graph ?jurisdiction
    WHERE { GRAPH ?graph { ?catalog a cd:Catalog ; cd:jurisdiction ?jurisdiction } }
  }
  { SELECT ?document ?level WHERE { ?document cd:level ?level } }
}
GROUP BY ?jurisdiction ?level""",
    ),
    Slice(
        "document",
        "各法律文件被引用的地区数与事项数",
        "Jurisdictions and duties citing each legal document",
        "Per cited legal document, over all jurisdictions: the jurisdictions whose catalogs "
        "have a duty citing it, and those duties.",
        (("document", CD.refDocument),),
        (("jurisdictions", CD.jurisdictionCount), ("duties", CD.dutyCount)),
        """SELECT ?document (COUNT(DISTINCT ?jurisdiction) AS ?jurisdictions)
       (SUM(?catalogDuties) AS ?duties)
WHERE {
  {
    SELECT ?graph ?document (COUNT(DISTINCT ?duty) AS ?catalogDuties)
    WHERE {
      {
        SELECT ?graph ?citation ?document
        WHERE { GRAPH ?graph { ?citation cd:citedDocument ?document } }
      }
      { SELECT ?duty ?citation WHERE { ?duty cd:hasCitation ?citation } }
    }
    GROUP BY ?graph ?document
  }
  {
    SELECT ?graph ?jurisdiction
    WHERE { GRAPH ?graph { ?catalog a cd:Catalog ; cd:jurisdiction ?jurisdiction } }
  }
}
GROUP BY ?document""",
    ),
)


def graph_iri(base: str) -> URIRef:
    """``<base>graph/statistics``, beside the catalogs' and the registers' graphs."""
    return URIRef(f"{base}graph/{GRAPH_NAME}")


def _token(value: ox.NamedNode | ox.Literal) -> str:
    """A dimension value as N-Triples writes it: an IRI as read from the store, a literal
    (a code such as cd:level's "national") through rdflib's writer."""
    if isinstance(value, ox.NamedNode):
        return f"<{value.value}>"
    datatype = None if value.language else URIRef(value.datatype.value)
    if datatype == XSD.string:
        datatype = None
    return token(Literal(value.value, lang=value.language, datatype=datatype))


def observation_path(iri: str, base: str) -> str:
    """The part of a dimension value that names it in an observation's IRI: an IRI's path
    under ``base`` or an ontology term's local name, a code as it is (a literal such as
    "national"); a short hash for anything else.

    >>> observation_path("https://w3id.org/cdkg/id/jurisdiction/500000", "https://w3id.org/cdkg/id/")
    'jurisdiction/500000'
    >>> observation_path("https://w3id.org/cdkg/ontology#AssistanceDuty", "https://w3id.org/cdkg/id/")
    'AssistanceDuty'
    >>> observation_path("national", "https://w3id.org/cdkg/id/")
    'national'
    >>> observation_path("http://example.org/a b", "https://w3id.org/cdkg/id/")
    'x-c2325ba1817ac5f2'
    """
    path = iri[len(base) :] if iri.startswith(base) else iri.rpartition("#")[2]
    if path and all(_SAFE_SEGMENT.match(part) for part in path.split("/")):
        return path
    return "x-" + hashlib.sha256(iri.encode("utf-8")).hexdigest()[:16]


def structure_triples(part: Slice, base: str) -> Iterator[Triple]:
    """The slice's qb:DataSet, its structure and components (named, not blank nodes)."""
    dataset = URIRef(f"{base}statistics/{part.name}")
    structure = URIRef(f"{dataset}/structure")
    yield dataset, RDF.type, QB.DataSet
    yield dataset, RDFS.label, Literal(part.label_zh, lang="zh")
    yield dataset, RDFS.label, Literal(part.label_en, lang="en")
    yield dataset, RDFS.comment, Literal(part.comment, lang="en")
    yield dataset, QB.structure, structure
    yield structure, RDF.type, QB.DataStructureDefinition
    components = [(QB.dimension, p) for _, p in part.dimensions]
    components += [(QB.measure, p) for _, p in part.measures]
    for order, (role, prop) in enumerate(components, start=1):
        component = URIRef(f"{structure}/{prop.rpartition('#')[2]}")
        yield structure, QB.component, component
        yield component, RDF.type, QB.ComponentSpecification
        yield component, role, prop
        yield component, QB.order, Literal(order, datatype=XSD.integer)


def observation_tokens(
    part: Slice, rows: Iterable[ox.QuerySolution], base: str
) -> Iterator[Tokens]:
    """One qb:Observation per row, as N-Triples tokens written here rather than through
    rdflib terms (at 3,000 jurisdictions the observations are millions of triples: the
    terms cost more than the counting). Only IRIs read from the store and integers occur,
    whose tokens are the ones rdflib writes (tests/loaders/test_scale_equivalence.py
    compares the bytes). A row with an unbound dimension (an empty group) is skipped, an
    unbound measure is 0."""
    dataset = f"{base}statistics/{part.name}"
    dataset_token = f"<{dataset}>"
    dimensions = [(variable, f"<{prop}>") for variable, prop in part.dimensions]
    measures = [(variable, f"<{prop}>") for variable, prop in part.measures]
    for row in rows:
        values = [row[variable] for variable, _ in dimensions]
        if any(not isinstance(value, ox.NamedNode | ox.Literal) for value in values):
            continue
        path = "/".join(observation_path(value.value, base) for value in values)
        node = f"<{dataset}/{path}>"
        yield node, _TYPE, _OBSERVATION
        yield node, _DATA_SET, dataset_token
        for (_, prop), value in zip(dimensions, values, strict=True):
            yield node, prop, _token(value)
        for variable, prop in measures:
            measure = row[variable]
            count = int(measure.value) if isinstance(measure, ox.Literal) else 0
            yield node, prop, f'"{count}"^^<{XSD.integer}>'


def statistics_tokens(
    store: ox.Store, base: str, slices: Sequence[Slice] = SLICES
) -> Iterator[Tokens]:
    """Every slice's structure and observations as N-Triples tokens, counted over ``store``
    (the built dataset: its graphs' union is what the named queries read). Observations
    come in the engine's order; the published dataset sorts its lines, so the order does
    not matter."""
    for part in slices:
        for subject, predicate, obj in structure_triples(part, base):
            yield token(subject), token(predicate), token(obj)
        rows = store.query(_PREFIXES + part.query, use_default_graph_as_union=True)
        if not isinstance(rows, ox.QuerySolutions):
            raise TypeError(f"statistics slice {part.name}: not a SELECT")
        yield from observation_tokens(part, rows, base)


def statistics_graph(graphs: Iterable[Graph], base: str) -> Graph:
    """The statistics graph of a dataset held as rdflib graphs (the reference engine):
    counted by pyoxigraph on a copy, like the store engine's, so both publish the same
    quads (rdflib's engine would take minutes at 300 catalogs, and could differ in
    aggregates' corner cases)."""
    store = ox.Store()
    for graph in graphs:
        text = "".join(f"{line}\n" for line in lines_of(str(graph.identifier), graph))
        store.load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    result = new_graph(graph_iri(base))
    text = "".join(f"{s} {p} {o} .\n" for s, p, o in statistics_tokens(store, base))
    result.parse(data=text, format="nt")
    return result
