"""Records → RDF: one graph per catalog, and one for the curated registers.

This module only maps: parsing happened in the source modules, normalising happens in the
shared normalisers (citations, departments, topics) whose results are passed in. Every duty
keeps its verbatim text (cd:citationText, cd:sourceText) next to the normalised links.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, cast

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS, SKOS

from cdkg.ontology.namespace import CD, ELI, ORG, PREFIXES

from ..laws.register import LawEntry, LawRegister
from ..normalise.citations import ProvisionRef, numbered_citations
from ..normalise.departments import DepartmentRegister, Sector, split_departments, split_qualifier
from ..normalise.numerals import chinese_to_int
from ..normalise.provisional import ProvisionalDocument, Provisionals, department_id
from ..normalise.topics import (
    SCHEME_KEY,
    PlacedDepartment,
    TopicAssignment,
    TopicScheme,
    is_fallback_only,
)
from ..records import DutyRecord, ListType, OriginalFile, ParseResult
from ..registers import LEVEL_CODES, CatalogEntry, Jurisdiction
from .iris import Minter

DUTY_CLASS = {
    ListType.SELF_GOVERNANCE: CD.SelfGovernanceDuty,
    ListType.ASSISTANCE: CD.AssistanceDuty,
    ListType.SUPERVISION: CD.SupervisionDuty,
    ListType.CERTIFICATION: CD.CertificationDuty,
    ListType.CANCELLED: CD.CancelledDuty,
    ListType.EXCLUDED: CD.ExcludedDuty,
}
ELI_IN_FORCE = ELI["InForce-inForce"]
ELI_NOT_IN_FORCE = ELI["InForce-notInForce"]


class TripleSink(Protocol):
    """What the mapping writes to: an rdflib Graph (the reference build), or a
    :class:`cdkg.loaders.rdf.nquads.LineSink` that writes N-Quads lines (the scalable build)."""

    def add(self, triple: tuple[URIRef, URIRef, URIRef | Literal]) -> object: ...


def new_graph(identifier: URIRef | None = None) -> Graph:
    """A graph with cdkg's prefixes bound, so every serialisation reads the same."""
    graph = Graph(identifier=identifier)
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True)
    return graph


def zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def date_literal(value: str) -> Literal:
    """'2021' → xsd:gYear, '2019-08' → xsd:gYearMonth, '2019-08-06' → xsd:date: a date is
    recorded only as precisely as the source prints it."""
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.date)


# Departments no register knows are placed in the fallback sector (and marked provisional):
# every cd:Department keeps exactly one sector, and "unspecified" is what the sector scheme
# says of a body it cannot place.
FALLBACK_SECTOR = "unspecified"


@dataclass
class Normalisers:
    """The shared, register-backed normalisers every catalog goes through."""

    laws: LawRegister
    departments: DepartmentRegister
    sectors: dict[str, Sector]
    topics: TopicScheme
    jurisdictions: dict[str, Jurisdiction]
    _provisionals: Provisionals | None = field(default=None, init=False, repr=False)

    @property
    def provisionals(self) -> Provisionals:
        """Reads titles no register row matches (one suggester per build, made on first use)."""
        if self._provisionals is None:
            self._provisionals = Provisionals(self.laws, self.jurisdictions)
        return self._provisionals


@dataclass
class Unresolved:
    """A reference no register could place: published as a provisional entity (``iri``) and
    reported as a finding for review (a warning; ``cdkg build --strict`` fails on it).

    ``kind`` is "title", "department" or "jurisdiction"; ``text`` is what the source printed;
    ``suggestion`` the closest registered document's title, when one is close."""

    file: str
    line: int
    kind: str
    text: str
    iri: str = ""
    suggestion: str = ""

    def __str__(self) -> str:
        text = f"{self.file}:{self.line}: unknown {self.kind}: {self.text}"
        return f"{text} (closest registered: {self.suggestion})" if self.suggestion else text


@dataclass
class Normalised:
    """What the shared normalisers placed in one catalog and what they could not: counted
    while the catalog's graph is written, and handed as it is to the build report."""

    unresolved: list[Unresolved] = field(default_factory=list)
    misprints: list[Unresolved] = field(default_factory=list)
    fallback_topics: list[str] = field(default_factory=list)
    citations: int = 0
    department_links: int = 0
    duties_with_topics: int = 0


@dataclass
class CatalogOutcome:
    """A catalog's graph and what the normalisers reported about it."""

    graph: Graph  # or the TripleSink the catalog was written to
    normalised: Normalised = field(default_factory=Normalised)
    duty_count: int = 0
    provisional_documents: set[URIRef] = field(default_factory=set)
    national_documents: set[URIRef] = field(default_factory=set)


def source_file_node(
    graph: Graph, minter: Minter, file_name: str, content: bytes, label: str
) -> URIRef:
    node = minter.source(file_name)
    graph.add((node, RDF.type, CD.SourceFile))
    graph.add((node, CD.fileName, Literal(file_name)))
    graph.add((node, CD.sha256, Literal(hashlib.sha256(content).hexdigest())))
    graph.add((node, RDFS.label, Literal(label)))
    return node


def catalog_graph(
    result: ParseResult,
    entry: CatalogEntry,
    raw: bytes,
    normalisers: Normalisers,
    minter: Minter,
    source_label: str = "",
    sink: TripleSink | None = None,
) -> CatalogOutcome:
    """The named graph of one catalog: catalog, source file, categories, departments, duties
    with their citations, provisions and topic assignments. ``source_label`` is the file's
    path in the project (default data/raw/<file>). The triples go to ``sink`` when given (a
    sink for the graph ``minter.graph(entry.key)``), else to a new rdflib Graph."""
    # The helpers below only call graph.add(), which every TripleSink has.
    graph = new_graph(minter.graph(entry.key)) if sink is None else cast(Graph, sink)
    outcome = CatalogOutcome(graph)
    catalog = minter.catalog(entry.key)
    label = source_label or f"data/raw/{entry.file}"
    source = source_file_node(graph, minter, entry.file, raw, label)
    original = _original_node(graph, minter, result.original, source, label)
    _catalog_node(graph, catalog, source, entry, minter)
    for line, note in result.catalog_notes:
        graph.add((catalog, SKOS.note, zh(f"{entry.file}:{line}: {note}")))
    _provisional_jurisdictions(entry, result.file, normalisers.jurisdictions, minter, outcome)
    categories = _categories(graph, minter, entry.key, result.duties)
    for duty in result.duties:
        node = minter.duty(entry.key, duty.list_type, duty.number)
        _duty_node(graph, node, duty, catalog, source)
        if duty.source_location:
            graph.add((node, CD.sourceLocation, Literal(duty.source_location)))
        if original is not None:
            graph.add((node, PROV.hadPrimarySource, original))
        if duty.category:
            graph.add((node, CD.category, categories[(duty.list_type, duty.category)]))
        placed = _departments(graph, node, duty, entry, result.file, normalisers, minter, outcome)
        _citations(graph, node, duty, result.file, normalisers, minter, outcome)
        _topics(graph, node, duty, result.file, normalisers.topics, minter, outcome, placed)
        outcome.duty_count += 1
    return outcome


def _catalog_node(
    graph: Graph, catalog: URIRef, source: URIRef, entry: CatalogEntry, minter: Minter
) -> None:
    graph.add((catalog, RDF.type, CD.Catalog))
    graph.add((catalog, RDFS.label, zh(entry.title)))
    graph.add((catalog, DCTERMS.title, zh(entry.title)))
    graph.add((catalog, CD.jurisdiction, minter.jurisdiction(entry.jurisdiction)))
    graph.add((catalog, PROV.wasDerivedFrom, source))
    graph.add((catalog, DCAT.distribution, source))
    graph.add((catalog, SKOS.editorialNote, Literal(entry.evidence, lang="en")))
    if entry.document_number:
        graph.add((catalog, CD.documentNumber, Literal(entry.document_number)))
    if entry.issuer:
        graph.add((catalog, CD.issuer, zh(entry.issuer)))
    if entry.date:
        graph.add((catalog, DCTERMS.issued, date_literal(entry.date)))


def _categories(
    graph: Graph, minter: Minter, catalog: str, duties: Sequence[DutyRecord]
) -> dict[tuple[ListType, str], URIRef]:
    """The catalog's own groupings as skos:Concepts in one scheme per catalog, numbered by
    order of appearance within each list (labels never enter IRIs)."""
    scheme = minter.category_scheme(catalog)
    nodes: dict[tuple[ListType, str], URIRef] = {}
    for duty in duties:
        key = (duty.list_type, duty.category)
        if not duty.category or key in nodes:
            continue
        index = 1 + sum(1 for k in nodes if k[0] is duty.list_type)
        node = minter.category(catalog, duty.list_type, index)
        nodes[key] = node
        graph.add((node, RDF.type, CD.Category))
        graph.add((node, SKOS.prefLabel, zh(duty.category)))
        graph.add((node, RDFS.label, zh(duty.category)))
        graph.add((node, SKOS.inScheme, scheme))
        graph.add((node, SKOS.notation, Literal(f"{duty.list_type.code}-{index}")))
    if nodes:
        graph.add((scheme, RDF.type, SKOS.ConceptScheme))
        graph.add((scheme, RDFS.label, Literal(f"Categories of catalog {catalog}", lang="en")))
    return nodes


def _original_node(
    graph: Graph, minter: Minter, original: OriginalFile | None, template: URIRef, label: str
) -> URIRef | None:
    """The published file an imported template was made from (kept under
    data/catalogs/sources/): the template prov:wasDerivedFrom it, and each duty names it with
    prov:hadPrimarySource (a sub-property of prov:wasDerivedFrom, so the duty's one
    cd:SourceFile, the template whose line cd:sourceLine counts, stays the one queries join)."""
    if original is None:
        return None
    node = minter.source(original.file.rsplit("/", 1)[-1])
    graph.add((node, RDF.type, CD.SourceFile))
    graph.add((node, CD.fileName, Literal(original.file)))
    graph.add((node, CD.sha256, Literal(original.sha256)))
    folder = label.rsplit("/", 1)[0] + "/" if "/" in label else ""
    graph.add((node, RDFS.label, Literal(folder + original.file)))
    graph.add((template, PROV.wasDerivedFrom, node))
    return node


def duty_number(printed: str) -> tuple[int, str | None]:
    """A duty's number as an integer, and its printed form when that is not the integer's
    plain decimal spelling — so ``?d cd:number 1`` and ``ORDER BY ?number`` work while a
    printed "十二" or "(3)" is kept.

    Raises:
        ValueError: naming ``printed`` when no whole number can be read from it (the source
            readers refuse such rows first, so this is a programming error, not bad data).

    >>> duty_number("12"), duty_number("十二"), duty_number("(3)"), duty_number("０３")
    ((12, None), (12, '十二'), (3, '(3)'), (3, '０３'))
    """
    text = printed.strip()
    value = chinese_to_int(text.strip(".、．（）() "))
    return value, None if text == str(value) else text


def _duty_node(
    graph: Graph, node: URIRef, duty: DutyRecord, catalog: URIRef, source: URIRef
) -> None:
    graph.add((node, RDF.type, DUTY_CLASS[duty.list_type]))
    graph.add((node, RDFS.label, zh(duty.name)))
    value, printed = duty_number(duty.number)
    graph.add((node, CD.number, Literal(value, datatype=XSD.integer)))
    if printed is not None:
        graph.add((node, CD.numberAsPrinted, Literal(printed)))
    graph.add((node, CD.inCatalog, catalog))
    graph.add((node, PROV.wasDerivedFrom, source))
    graph.add((node, CD.sourceLine, Literal(duty.line, datatype=XSD.integer)))
    graph.add((node, CD.sourceText, Literal(duty.source_text)))
    for prop, text in (
        (CD.description, duty.description),
        (CD.summary, duty.summary),
        (CD.remark, duty.remark),
    ):
        if text:
            graph.add((node, prop, zh(text)))
    # Always present, empty when the source's cell is empty: "no basis printed" is a fact.
    graph.add((node, CD.citationText, Literal(duty.citation_text)))
    if duty.number_assigned:
        graph.add((node, CD.numberAssigned, Literal(True)))
    for note in duty.notes:
        graph.add((node, SKOS.editorialNote, Literal(note)))


def _departments(
    graph: Graph,
    node: URIRef,
    duty: DutyRecord,
    entry: CatalogEntry,
    file: str,
    normalisers: Normalisers,
    minter: Minter,
    outcome: CatalogOutcome,
) -> list[PlacedDepartment]:
    """Link the duty to its departments; returns the placed ones as (name, sector) for the
    department → sector → topic rule (provisional departments have no sector to go by)."""
    register = normalisers.departments
    known = register.names(entry.key)
    placed: list[PlacedDepartment] = []
    for cell in duty.departments:
        for name in split_departments(cell, known):
            department = register.lookup(entry.key, name)
            if department is None:
                _provisional_department(graph, node, duty, entry, file, name, minter, outcome)
                continue
            placed.append((name, department.sector))
            iri = minter.department(entry.jurisdiction, department.id)
            graph.add((node, CD.department, iri))
            outcome.normalised.department_links += 1
            graph.add((iri, RDF.type, CD.Department))
            graph.add((iri, RDFS.label, zh(department.name)))
            graph.add((iri, SKOS.prefLabel, zh(department.name)))
            graph.add((iri, CD.jurisdiction, minter.jurisdiction(entry.jurisdiction)))
            graph.add((iri, CD.sector, minter.sector(department.sector)))
            graph.add((iri, ORG.classification, minter.sector(department.sector)))
            parent_name, _ = split_qualifier(department.name)
            parent = register.lookup(entry.key, parent_name) if parent_name else None
            if parent is not None and parent.id != department.id:
                parent_iri = minter.department(entry.jurisdiction, parent.id)
                graph.add((iri, ORG.subOrganizationOf, parent_iri))
    return placed


def _provisional_department(
    graph: Graph,
    node: URIRef,
    duty: DutyRecord,
    entry: CatalogEntry,
    file: str,
    name: str,
    minter: Minter,
    outcome: CatalogOutcome,
) -> None:
    """A department no register or rule places: a provisional cd:Department of the catalog's
    jurisdiction, in the fallback sector, with a finding."""
    iri = minter.department(entry.jurisdiction, department_id(name))
    graph.add((node, CD.department, iri))
    outcome.normalised.department_links += 1
    graph.add((iri, RDF.type, CD.Department))
    graph.add((iri, RDFS.label, zh(name)))
    graph.add((iri, SKOS.prefLabel, zh(name)))
    graph.add((iri, CD.jurisdiction, minter.jurisdiction(entry.jurisdiction)))
    graph.add((iri, CD.sector, minter.sector(FALLBACK_SECTOR)))
    graph.add((iri, ORG.classification, minter.sector(FALLBACK_SECTOR)))
    graph.add((iri, CD.provisional, Literal(True)))
    outcome.normalised.unresolved.append(Unresolved(file, duty.line, "department", name, str(iri)))


def _provisional_jurisdictions(
    entry: CatalogEntry,
    file: str,
    jurisdictions: dict[str, Jurisdiction],
    minter: Minter,
    outcome: CatalogOutcome,
) -> None:
    """A finding when the catalog's jurisdiction is one no register or table knows (the
    template reader made it provisional, with the row it was read from; registers_graph marks
    it cd:provisional)."""
    jurisdiction = jurisdictions.get(entry.jurisdiction)
    if jurisdiction is not None and jurisdiction.provisional:
        printed = jurisdiction.printed or f"{jurisdiction.code} {jurisdiction.name_zh}"
        iri = str(minter.jurisdiction(jurisdiction.key))
        outcome.normalised.unresolved.append(
            Unresolved(file, jurisdiction.line, "jurisdiction", printed, iri)
        )


def _citations(
    graph: Graph,
    node: URIRef,
    duty: DutyRecord,
    file: str,
    normalisers: Normalisers,
    minter: Minter,
    outcome: CatalogOutcome,
) -> None:
    """One cd:Citation per document cited; the duty's cd:hasLegalBasis goes to each cited
    provision, or to the document when no article is given. A document no register row
    matches becomes a provisional one (:func:`_provisional_document`)."""
    laws = normalisers.laws
    for index, citation in numbered_citations(duty.citation_cells):
        outcome.normalised.citations += 1
        cited = minter.citation(node, index)
        graph.add((node, CD.hasCitation, cited))
        graph.add((cited, RDF.type, CD.Citation))
        graph.add((cited, CD.citationText, Literal(citation.text)))
        printed = citation.title or citation.document_number or citation.text
        graph.add((cited, CD.citedTitle, Literal(printed)))
        resolution = laws.resolve(citation)
        if resolution is None:
            document = normalisers.provisionals.document(citation)
            law_id, title = document.id, document.label
            law = minter.law(law_id)
            _provisional_document(graph, law, document, minter, outcome)
            outcome.normalised.unresolved.append(
                Unresolved(
                    file,
                    duty.line,
                    "title",
                    printed,
                    str(law),
                    document.suggestion.canonical_title if document.suggestion else "",
                )
            )
        else:
            law_id, title = resolution.entry.id, resolution.entry.canonical_title
            law = minter.law(law_id)
            if not resolution.entry.reviewed and law not in outcome.national_documents:
                # The registers graph publishes the reviewed rows; a document only the
                # national register holds is written where it is cited, once per catalog.
                outcome.national_documents.add(law)
                _law_node(graph, resolution.entry, minter)
        graph.add((cited, CD.citedDocument, law))
        if resolution is not None and resolution.misprint:
            graph.add((cited, CD.misprint, Literal(True)))
            outcome.normalised.misprints.append(Unresolved(file, duty.line, "title", printed))
        if not citation.provisions:
            graph.add((node, CD.hasLegalBasis, law))
        for provision in citation.provisions:
            iri = minter.provision(law_id, provision.article, provision.paragraph, provision.item)
            _provision_node(graph, iri, law, law_id, title, provision, minter)
            graph.add((cited, CD.citedProvision, iri))
            graph.add((node, CD.hasLegalBasis, iri))


def _provisional_document(
    graph: Graph,
    law: URIRef,
    document: ProvisionalDocument,
    minter: Minter,
    outcome: CatalogOutcome,
) -> None:
    """A cited document no register row matches: cd:provisional true, its label as printed
    (one per catalog graph: the first printing met), kind and level read from the title, the
    law it implements and the closest registered document."""
    if law in outcome.provisional_documents:
        return
    outcome.provisional_documents.add(law)
    reading = document.reading
    graph.add((law, RDF.type, CD.LegalDocument))
    graph.add((law, RDFS.label, zh(document.label)))
    graph.add((law, DCTERMS.title, zh(document.label)))
    graph.add((law, CD.provisional, Literal(True)))
    graph.add((law, CD.documentType, Literal(reading.kind)))
    graph.add((law, CD.level, Literal(reading.level)))
    if reading.jurisdiction:
        graph.add((law, CD.issuingJurisdiction, minter.jurisdiction(reading.jurisdiction)))
    if document.implements is not None:
        graph.add((law, CD.implements, minter.law(document.implements.id)))
    if document.suggestion is not None:
        graph.add((law, CD.suggestedDocument, minter.law(document.suggestion.id)))
        graph.add((law, CD.suggestionSimilarity, Literal(round(document.similarity, 3))))


def _provision_node(
    graph: Graph,
    iri: URIRef,
    law: URIRef,
    law_id: str,
    title: str,
    provision: ProvisionRef,
    minter: Minter,
) -> None:
    """A provision, part of its article (if a paragraph/item) and of its document."""
    article, paragraph, item = provision.article, provision.paragraph, provision.item
    graph.add((iri, RDF.type, CD.LegalProvision))
    graph.add((iri, RDFS.label, zh(f"《{title}》{provision.printed}")))
    graph.add((iri, CD.article, Literal(article, datatype=XSD.integer)))
    if paragraph is None and item is None:
        graph.add((iri, CD.isProvisionOf, law))
        return
    if paragraph is not None:
        graph.add((iri, CD.paragraph, Literal(paragraph, datatype=XSD.integer)))
    if item is not None:
        graph.add((iri, CD.item, Literal(item, datatype=XSD.integer)))
    parent = minter.provision(law_id, article)
    _provision_node(graph, parent, law, law_id, title, ProvisionRef(article), minter)
    graph.add((iri, CD.isProvisionOf, parent))


def _topics(
    graph: Graph,
    node: URIRef,
    duty: DutyRecord,
    file: str,
    scheme: TopicScheme,
    minter: Minter,
    outcome: CatalogOutcome,
    departments: Sequence[PlacedDepartment] = (),
) -> None:
    assignments: list[TopicAssignment] = scheme.assign(duty, departments)
    outcome.normalised.duties_with_topics += bool(assignments)
    if assignments and is_fallback_only(assignments):
        outcome.normalised.fallback_topics.append(
            f"{file}:{duty.line} {duty.list_type.code} {duty.number} {duty.name}"
        )
    for assignment in assignments:
        topic = minter.topic(assignment.topic)
        graph.add((node, CD.topic, topic))
        record = minter.topic_assignment(node, assignment.topic)
        graph.add((node, CD.topicAssignment, record))
        graph.add((record, RDF.type, CD.TopicAssignment))
        graph.add((record, CD.assignedTopic, topic))
        graph.add((record, CD.assignmentMethod, Literal(assignment.method)))
        if assignment.matched_text:
            graph.add((record, CD.matchedText, Literal(assignment.matched_text)))
        if assignment.rule:
            graph.add((record, SKOS.note, Literal(f"rule {assignment.rule}")))


def registers_graph(
    normalisers: Normalisers, minter: Minter, sink: TripleSink | None = None
) -> Graph:
    """The curated registers as RDF: jurisdictions, sectors, topics, legal documents; written
    to ``sink`` when given (a sink for the graph ``minter.graph("registers")``)."""
    graph = new_graph(minter.graph("registers")) if sink is None else cast(Graph, sink)
    _jurisdictions(graph, normalisers.jurisdictions, minter)
    sector_scheme = _concept_scheme(
        graph, minter.sector("scheme"), "部门领域", "Department sectors"
    )
    for sector in normalisers.sectors.values():
        _concept(graph, minter.sector(sector.id), CD.Sector, sector_scheme, sector)
    topics_graph(graph, normalisers.topics, minter)
    for entry in normalisers.laws:
        _law_node(graph, entry, minter)
    return graph


def topics_graph(graph: Graph, topics: TopicScheme, minter: Minter) -> None:
    """The shared topic scheme as SKOS: a skos:ConceptScheme whose concepts are cd:Topic,
    with zh/en labels and definitions, skos:broader and top concepts."""
    scheme = _concept_scheme(
        graph, minter.topic(SCHEME_KEY), "跨地区事项主题", "Cross-jurisdiction duty topics"
    )
    for topic in topics.topics.values():
        node = minter.topic(topic.id)
        _concept(graph, node, CD.Topic, scheme, topic, notation=topic.id)
        if topic.note:
            graph.add((node, SKOS.scopeNote, Literal(topic.note, lang="en")))
        if topic.broader:
            graph.add((node, SKOS.broader, minter.topic(topic.broader)))
        else:
            graph.add((node, SKOS.topConceptOf, scheme))
            graph.add((scheme, SKOS.hasTopConcept, node))


class _Concept(Protocol):
    """What a register row needs to be a skos:Concept (a sector, a topic)."""

    @property
    def label_zh(self) -> str: ...
    @property
    def label_en(self) -> str: ...
    @property
    def definition_en(self) -> str: ...
    @property
    def definition_zh(self) -> str: ...


def _concept_scheme(graph: Graph, scheme: URIRef, label_zh: str, label_en: str) -> URIRef:
    """A skos:ConceptScheme with its zh/en labels (the sectors' and the topics' schemes)."""
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    graph.add((scheme, RDFS.label, zh(label_zh)))
    graph.add((scheme, RDFS.label, Literal(label_en, lang="en")))
    return scheme


def _concept(
    graph: Graph,
    node: URIRef,
    kind: URIRef,
    scheme: URIRef,
    concept: _Concept,
    notation: str = "",
) -> None:
    """One concept of a register's scheme, the same way for sectors and topics: its class,
    scheme and notation, zh/en labels as skos:prefLabel and rdfs:label (SKOS browsers read
    the one, the site and generic RDF tools the other), and zh/en definitions."""
    graph.add((node, RDF.type, kind))
    graph.add((node, SKOS.inScheme, scheme))
    if notation:
        graph.add((node, SKOS.notation, Literal(notation)))
    for prop in (SKOS.prefLabel, RDFS.label):
        graph.add((node, prop, zh(concept.label_zh)))
        graph.add((node, prop, Literal(concept.label_en, lang="en")))
    graph.add((node, SKOS.definition, Literal(concept.definition_en, lang="en")))
    graph.add((node, SKOS.definition, zh(concept.definition_zh)))


def _jurisdictions(graph: Graph, jurisdictions: dict[str, Jurisdiction], minter: Minter) -> None:
    classes = {
        "national": [CD.Jurisdiction],
        "province": [CD.Province],
        "municipality": [CD.Province, CD.City],
        "city": [CD.City],
        "district": [CD.District],
        "township": [CD.Jurisdiction],  # below county level (街道, 镇, 乡), cd:partOf its county
    }
    for jurisdiction in jurisdictions.values():
        node = minter.jurisdiction(jurisdiction.key)
        for cls in classes[jurisdiction.level]:
            graph.add((node, RDF.type, cls))
        graph.add((node, RDFS.label, zh(jurisdiction.name_zh)))
        graph.add((node, RDFS.label, Literal(jurisdiction.name_en, lang="en")))
        graph.add((node, CD.level, Literal(LEVEL_CODES[jurisdiction.level])))
        if jurisdiction.code:
            graph.add((node, CD.divisionCode, Literal(jurisdiction.code)))
        if jurisdiction.part_of:
            graph.add((node, CD.partOf, minter.jurisdiction(jurisdiction.part_of)))
        if jurisdiction.note:
            graph.add((node, SKOS.note, Literal(jurisdiction.note, lang="en")))
        if jurisdiction.provisional:
            graph.add((node, CD.provisional, Literal(True)))


def _law_node(graph: Graph, entry: LawEntry, minter: Minter) -> None:
    """A register row as a cd:LegalDocument. Status facts carry their confidence and source;
    eli:in_force is asserted only for verified facts, so nothing unverified reads as certain."""
    node = minter.law(entry.id)
    graph.add((node, RDF.type, CD.LegalDocument))
    graph.add((node, RDFS.label, zh(entry.canonical_title)))
    graph.add((node, DCTERMS.title, zh(entry.canonical_title)))
    for alias in entry.aliases:
        graph.add((node, SKOS.altLabel, zh(alias)))
    for misprint in entry.misprints:
        graph.add((node, SKOS.hiddenLabel, zh(misprint)))
    graph.add((node, CD.documentType, Literal(entry.doc_type)))
    graph.add((node, CD.level, Literal(entry.level)))
    if entry.issuing_jurisdiction:
        graph.add((node, CD.issuingJurisdiction, minter.jurisdiction(entry.issuing_jurisdiction)))
    if entry.issuer:
        graph.add((node, CD.issuer, zh(entry.issuer)))
    if entry.document_number:
        graph.add((node, CD.documentNumber, Literal(entry.document_number)))
    # Facts go in with their own confidence: only a verified fact becomes a typed ELI
    # statement; anything less stays a cd:status literal with cd:statusConfidence beside it.
    promulgated, promulgated_confidence = entry.fact("promulgated")
    if promulgated_confidence == "verified" and _is_date(promulgated):
        graph.add((node, ELI.date_document, Literal(promulgated, datatype=XSD.date)))
    status, status_confidence = entry.fact("status")
    if status:
        graph.add((node, CD.status, Literal(status)))
        graph.add((node, CD.statusConfidence, Literal(status_confidence)))
    if entry.source:
        graph.add((node, CD.factSource, Literal(entry.source)))
    if entry.note:
        graph.add((node, SKOS.note, Literal(entry.note)))
    if status_confidence == "verified":
        if status in ("in_force", "amended"):
            graph.add((node, ELI.in_force, ELI_IN_FORCE))
        elif status == "repealed":
            graph.add((node, ELI.in_force, ELI_NOT_IN_FORCE))
            ended, ended_confidence = entry.fact("status_date")
            if ended_confidence == "verified" and _is_date(ended):
                graph.add((node, ELI.date_no_longer_in_force, Literal(ended, datatype=XSD.date)))
    if entry.replaced_by:
        graph.add((node, CD.replacedBy, minter.law(entry.replaced_by)))


def _is_date(value: str) -> bool:
    return re.fullmatch(r"\d{4}-\d{2}-\d{2}", value or "") is not None
