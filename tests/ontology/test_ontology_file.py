"""Checks of ontology/cdkg.ttl: it parses, reasons under OWL RL, matches namespace.py, and has
no "violations" (SPARQL SELECT queries in the style of ODK/PATO, where any row fails)."""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, OWL, SKOS

from cdkg.ontology import ontology_path
from cdkg.ontology.namespace import CD, CPSV, ELI, ONTOLOGY_IRI, PREFIXES

EX = Namespace("https://example.org/test/")
# Spelt out: rdflib's XSD namespace warns when pytest probes module attributes.
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
CD_NS = str(CD._NS)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ontology_path(), format="turtle")
    return graph


def closure(ontology: Graph, data: str) -> Graph:
    """The OWL RL closure of the ontology plus ``data`` (Turtle with the project prefixes)."""
    graph = Graph()
    graph += ontology
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    graph.parse(data=prefixes + f"@prefix ex: <{EX}> .\n" + data, format="turtle")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def errors(graph: Graph) -> list[str]:
    """owlrl's inconsistency messages (it adds them to the graph instead of raising)."""
    return sorted(
        str(graph.value(node, ERRNS.error)) for node in graph.subjects(RDF.type, ERRNS.ErrorMessage)
    )


# --- The file and its terms ----------------------------------------------------------------


def namespace_terms() -> set[URIRef]:
    """The terms listed in class CD of ontology/namespace.py."""
    return {URIRef(CD_NS + name) for name in CD.__annotations__ if not name.startswith("_")}


def test_parses_with_one_ontology_header(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY_IRI]


def test_header_values(ontology: Graph) -> None:
    header = ONTOLOGY_IRI
    assert ontology.value(header, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(header, OWL.versionIRI) == URIRef(f"{ONTOLOGY_IRI}/0.1.0")
    assert ontology.value(header, DCTERMS.creator) == Literal("cdkg contributors")
    assert ontology.value(header, DCTERMS.license) == URIRef(
        "https://www.apache.org/licenses/LICENSE-2.0"
    )
    assert list(ontology.objects(header, DCTERMS.modified)) == [
        Literal("2026-12-05", datatype=XSD_DATE)
    ]
    vann = Namespace("http://purl.org/vocab/vann/")
    assert ontology.value(header, vann.preferredNamespacePrefix) == Literal("cd")
    assert ontology.value(header, vann.preferredNamespaceUri) == Literal(CD_NS)


def test_no_imports(ontology: Graph) -> None:
    """The build runs offline: external vocabularies are referenced, never imported."""
    assert not list(ontology.triples((None, OWL.imports, None)))


def test_every_namespace_term_is_defined(ontology: Graph) -> None:
    defined = {
        term
        for kind in TERM_KINDS
        for term in ontology.subjects(RDF.type, kind)
        if str(term).startswith(CD_NS)
    }
    assert sorted(namespace_terms() - defined) == [], "in namespace.py, not defined in cdkg.ttl"
    assert sorted(defined - namespace_terms()) == [], "defined in cdkg.ttl, not in namespace.py"


def test_every_cd_iri_used_is_in_the_namespace(ontology: Graph) -> None:
    """A misspelt term in an axiom (cd:Dutty) would otherwise pass silently."""
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and str(node).startswith(CD_NS)
    }
    assert sorted(used - namespace_terms()) == []


def test_sections_in_order() -> None:
    """Header, then classes, then object properties, then datatype properties."""
    text = Path(ontology_path()).read_text(encoding="utf-8")
    kinds = re.findall(r"^cd:\w+\n\s+a owl:(\w+)", text, flags=re.MULTILINE)
    order = {"Class": 0, "ObjectProperty": 1, "DatatypeProperty": 2}
    ranks = [order[kind] for kind in kinds]
    assert len(ranks) == len(namespace_terms())
    assert ranks == sorted(ranks)
    assert text.index("a owl:Ontology") < text.index("a owl:Class")


# --- Violation queries: any returned row is a failure ------------------------------------------

TERMS = f"""
    VALUES ?kind {{ owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty }}
    ?term a ?kind .
    FILTER (STRSTARTS(STR(?term), "{CD_NS}"))
"""

VIOLATIONS: dict[str, str] = {
    "missing-zh-label": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER NOT EXISTS {{ ?term rdfs:label ?label . FILTER (LANG(?label) = "zh") }}
        }}""",
    "missing-en-label": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER NOT EXISTS {{ ?term rdfs:label ?label . FILTER (LANG(?label) = "en") }}
        }}""",
    "multiple-labels-in-one-language": f"""
        SELECT ?term ?lang WHERE {{ {TERMS}
            ?term rdfs:label ?label . BIND (LANG(?label) AS ?lang)
        }} GROUP BY ?term ?lang HAVING (COUNT(?label) > 1)""",
    "duplicate-label": f"""
        SELECT ?term ?other ?label WHERE {{ {TERMS}
            ?term rdfs:label ?label . ?other rdfs:label ?label .
            FILTER (?other != ?term && STRSTARTS(STR(?other), "{CD_NS}"))
        }}""",
    "missing-comment": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER NOT EXISTS {{ ?term rdfs:comment ?comment . FILTER (LANG(?comment) = "en") }}
        }}""",
    "missing-definition": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER NOT EXISTS {{ ?term skos:definition ?definition .
                                 FILTER (LANG(?definition) = "en") }}
        }}""",
    "missing-is-defined-by": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER NOT EXISTS {{ ?term rdfs:isDefinedBy <{ONTOLOGY_IRI}> }}
        }}""",
    "object-property-without-range": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER (?kind = owl:ObjectProperty)
            FILTER NOT EXISTS {{ ?term rdfs:range ?range }}
        }}""",
    "datatype-property-without-range": f"""
        SELECT ?term WHERE {{ {TERMS}
            FILTER (?kind = owl:DatatypeProperty)
            FILTER NOT EXISTS {{ ?term rdfs:range ?range }}
        }}""",
    "term-of-two-kinds": f"""
        SELECT ?term WHERE {{ {TERMS} }} GROUP BY ?term HAVING (COUNT(DISTINCT ?kind) > 1)""",
    "multiple-modified-on-header": """
        SELECT ?ontology WHERE { ?ontology a owl:Ontology ; dct:modified ?modified }
        GROUP BY ?ontology HAVING (COUNT(?modified) > 1)""",
    "modified-not-a-date": """
        SELECT ?ontology ?modified WHERE {
            ?ontology a owl:Ontology ; dct:modified ?modified .
            FILTER (DATATYPE(?modified) != xsd:date)
        }""",
    "header-without-zh-and-en-title-and-description": """
        SELECT ?ontology ?property ?lang WHERE {
            ?ontology a owl:Ontology .
            VALUES ?property { dct:title dct:description }
            VALUES ?lang { "zh" "en" }
            FILTER NOT EXISTS { ?ontology ?property ?value . FILTER (LANG(?value) = ?lang) }
        }""",
}


@pytest.mark.parametrize("name", sorted(VIOLATIONS))
def test_no_violations(ontology: Graph, name: str) -> None:
    rows = list(ontology.query(VIOLATIONS[name], initNs=PREFIXES))
    assert rows == [], f"{name}: {[tuple(str(v) for v in row) for row in rows]}"


def test_violation_queries_catch_a_bad_term(ontology: Graph) -> None:
    """The queries are not vacuous: an undocumented property trips each per-term check."""
    graph = Graph()
    graph += ontology
    graph.add((CD.number, RDF.type, OWL.ObjectProperty))  # a second kind, and no range as such
    bare = URIRef(CD_NS + "undocumented")
    graph.add((bare, RDF.type, OWL.ObjectProperty))
    graph.add((URIRef(CD_NS + "bareData"), RDF.type, OWL.DatatypeProperty))
    graph.add((CD.topic, RDFS.label, Literal("所属类别", lang="zh")))  # CD.category's label
    graph.add((ONTOLOGY_IRI, DCTERMS.modified, Literal("2026-11-24")))
    failing = {
        name for name, query in VIOLATIONS.items() if list(graph.query(query, initNs=PREFIXES))
    }
    assert failing >= {
        "missing-zh-label",
        "missing-en-label",
        "missing-comment",
        "missing-definition",
        "missing-is-defined-by",
        "object-property-without-range",
        "datatype-property-without-range",
        "multiple-labels-in-one-language",
        "duplicate-label",
        "term-of-two-kinds",
        "multiple-modified-on-header",
        "modified-not-a-date",
    }


# --- Reasoning ---------------------------------------------------------------------------------

SAMPLE = """
ex:catalog a cd:Catalog ; cd:jurisdiction ex:chongqing ; cd:documentNumber "渝民发〔2021〕6号" ;
    cd:issuer "重庆市民政局"@zh ; prov:wasDerivedFrom ex:file ; dcat:distribution ex:file .
ex:file a cd:SourceFile ; cd:fileName "chongqing.txt" .
ex:chongqing a cd:Province , cd:City ; cd:level "provincial" ; cd:divisionCode "500000" .
ex:duty a cd:AssistanceDuty ; cd:inCatalog ex:catalog ; cd:number 1 ;
    cd:department ex:police ; cd:hasLegalBasis ex:article3 ; cd:topic ex:census .
ex:police a cd:Department ; cd:sector ex:publicSecurity ; cd:jurisdiction ex:chongqing .
ex:district a cd:District ; cd:partOf ex:city .
ex:city a cd:City ; cd:partOf ex:province .
ex:province a cd:Province .
ex:article3 a cd:LegalProvision ; cd:isProvisionOf ex:law ; cd:article 3 .
ex:paragraph2 a cd:LegalProvision ; cd:isProvisionOf ex:article3 ; cd:article 3 ; cd:paragraph 2 .
ex:law a cd:LegalDocument ; cd:replacedBy ex:newLaw ; cd:level "national" ;
    cd:documentNumber "主席令第二十七号" .
ex:duty cd:hasCitation ex:citation ; cd:topicAssignment ex:assignment ; cd:citationText "" .
ex:citation a cd:Citation ; cd:citedDocument ex:law ; cd:citedProvision ex:paragraph2 ;
    cd:citedTitle "《某法》" ; cd:misprint true ; cd:citationText "《某法》第三条第二款" .
ex:assignment a cd:TopicAssignment ; cd:assignedTopic ex:census ; cd:assignmentMethod "keyword" .
"""


@pytest.fixture(scope="module")
def inferred(ontology: Graph) -> Graph:
    return closure(ontology, SAMPLE)


def test_closure_of_ontology_alone_is_consistent(ontology: Graph) -> None:
    assert errors(closure(ontology, "")) == []


def test_closure_of_sample_is_consistent(inferred: Graph) -> None:
    assert errors(inferred) == []


def test_assistance_duty_is_a_duty_and_public_service(inferred: Graph) -> None:
    assert (EX.duty, RDF.type, CD.Duty) in inferred
    assert (EX.duty, RDF.type, CPSV.PublicService) in inferred


def test_duty_gets_jurisdiction_of_its_catalog(inferred: Graph) -> None:
    assert (EX.duty, CD.jurisdiction, EX.chongqing) in inferred
    assert (EX.duty, DCTERMS.spatial, EX.chongqing) in inferred
    assert (EX.chongqing, RDF.type, CD.Jurisdiction) in inferred


def test_part_of_is_transitive(inferred: Graph) -> None:
    assert (EX.district, CD.partOf, EX.province) in inferred
    assert (EX.paragraph2, CD.partOf, EX.law) in inferred


def test_eli_alignment_holds_for_provisions_only(inferred: Graph) -> None:
    assert (EX.article3, ELI.is_part_of, EX.law) in inferred
    assert (EX.article3, CD.partOf, EX.law) in inferred
    assert (EX.article3, RDF.type, ELI.LegalResourceSubdivision) in inferred
    assert (EX.district, ELI.is_part_of, EX.city) not in inferred
    assert (EX.district, RDF.type, ELI.LegalResource) not in inferred


def test_alignments(inferred: Graph) -> None:
    cv = Namespace("http://data.europa.eu/m8g/")
    assert (EX.duty, cv.hasCompetentAuthority, EX.police) in inferred
    assert (EX.duty, cv.hasLegalResource, EX.article3) in inferred
    assert (EX.duty, DCTERMS.subject, EX.census) in inferred
    assert (EX.duty, DCTERMS.isPartOf, EX.catalog) in inferred
    assert (EX.catalog, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in inferred
    assert (EX.law, ELI.repealed_by, EX.newLaw) in inferred
    assert (EX.census, RDF.type, SKOS.Concept) in inferred
    assert (EX.article3, RDF.type, ELI.LegalResource) in inferred


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (CD.SelfGovernanceDuty, CD.ExcludedDuty),
        (CD.AssistanceDuty, CD.CancelledDuty),
        (CD.AssistanceDuty, CD.SelfGovernanceDuty),
        (CD.CancelledDuty, CD.ExcludedDuty),
        (CD.LegalDocument, CD.LegalProvision),
        (CD.Duty, CD.Catalog),
    ],
)
def test_disjoint_classes_are_reported(ontology: Graph, first: URIRef, second: URIRef) -> None:
    graph = closure(ontology, f"ex:x a <{first}> , <{second}> .")
    assert errors(graph) != []


@pytest.mark.parametrize(
    ("first", "second"),
    [(CD.Province, CD.City), (CD.Catalog, CD.LegalDocument)],
)
def test_overlapping_classes_are_allowed(ontology: Graph, first: URIRef, second: URIRef) -> None:
    """A 直辖市 is a province and a city; a catalog may itself be a cited policy document."""
    graph = closure(ontology, f"ex:x a <{first}> , <{second}> .")
    assert errors(graph) == []


def test_labels_of_sample_terms(ontology: Graph) -> None:
    labels = {label.language: str(label) for label in ontology.objects(CD.Duty, RDFS.label)}
    assert labels == {"zh": "社区工作事项", "en": "Community duty"}
