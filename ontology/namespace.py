"""Namespaces of the cdkg vocabulary and of the vocabularies it aligns to.

``CD`` is a closed namespace (rdflib ``DefinedNamespace`` with ``_fail = True``): ``CD.Dutty``
raises ``AttributeError`` rather than producing a new, silently wrong IRI. The term list here and
the terms defined in ontology/cdkg.ttl are kept equal by a test (tests/ontology/).
"""

from rdflib import Namespace, URIRef
from rdflib.namespace import DefinedNamespace

ONTOLOGY_IRI = URIRef("https://w3id.org/cdkg/ontology")
DEFAULT_BASE = "https://w3id.org/cdkg/id/"


class CD(DefinedNamespace):
    """The cdkg ontology, https://w3id.org/cdkg/ontology# (prefix ``cd:``)."""

    _NS = Namespace("https://w3id.org/cdkg/ontology#")
    _fail = True

    # Classes: duties by list type
    Duty: URIRef
    SelfGovernanceDuty: URIRef
    AssistanceDuty: URIRef
    SupervisionDuty: URIRef
    CertificationDuty: URIRef
    CancelledDuty: URIRef
    ExcludedDuty: URIRef
    # Classes: who, where, why, what about
    Department: URIRef
    Sector: URIRef
    LegalBasis: URIRef
    LegalDocument: URIRef
    LegalProvision: URIRef
    Citation: URIRef
    Jurisdiction: URIRef
    Province: URIRef
    City: URIRef
    District: URIRef
    Category: URIRef
    Topic: URIRef
    TopicAssignment: URIRef
    Catalog: URIRef
    SourceFile: URIRef
    # Classes: law texts (cdkg build --law-texts)
    Edition: URIRef
    ArticleVersion: URIRef
    ProvisionReading: URIRef

    # Object properties
    inCatalog: URIRef
    jurisdiction: URIRef
    category: URIRef
    topic: URIRef
    department: URIRef
    sector: URIRef
    hasLegalBasis: URIRef
    partOf: URIRef
    isProvisionOf: URIRef
    hasCitation: URIRef
    citedDocument: URIRef
    citedProvision: URIRef
    issuingJurisdiction: URIRef
    replacedBy: URIRef
    topicAssignment: URIRef
    assignedTopic: URIRef
    implements: URIRef
    suggestedDocument: URIRef
    inEdition: URIRef
    readsCitation: URIRef
    readsProvision: URIRef
    editionInForce: URIRef
    editionRead: URIRef
    articleVersion: URIRef
    nowHeldBy: URIRef
    closestArticle: URIRef

    # Datatype properties
    number: URIRef
    description: URIRef
    summary: URIRef
    remark: URIRef
    citationText: URIRef
    citedTitle: URIRef
    misprint: URIRef
    sourceLine: URIRef
    sourceLocation: URIRef
    sourceText: URIRef
    fileName: URIRef
    sha256: URIRef
    documentNumber: URIRef
    issuer: URIRef
    documentType: URIRef
    level: URIRef
    status: URIRef
    statusConfidence: URIRef
    factSource: URIRef
    divisionCode: URIRef
    article: URIRef
    paragraph: URIRef
    item: URIRef
    listType: URIRef
    declaredCount: URIRef
    assignmentMethod: URIRef
    matchedText: URIRef
    numberAssigned: URIRef
    numberAsPrinted: URIRef
    provisional: URIRef
    suggestionSimilarity: URIRef
    articleText: URIRef
    articleCount: URIRef
    paragraphCount: URIRef
    itemCount: URIRef
    textFile: URIRef
    editionEvent: URIRef
    referenceDate: URIRef
    sameNumberSimilarity: URIRef
    nowHeldSimilarity: URIRef
    dutySimilarity: URIRef
    closestSimilarity: URIRef
    # Statistics (the RDF Data Cube in graph/statistics): dimensions, then measures
    refCatalog: URIRef
    refListType: URIRef
    refJurisdiction: URIRef
    refTopic: URIRef
    refSector: URIRef
    refDepartment: URIRef
    refDocument: URIRef
    refLevel: URIRef
    documentCount: URIRef
    dutyCount: URIRef
    assignedDutyCount: URIRef
    removedDutyCount: URIRef
    dutyWithDepartmentCount: URIRef
    citationCount: URIRef
    jurisdictionCount: URIRef
    departmentCount: URIRef
    # Answer tables (graph/answers): named questions' answers the build materialises
    AnswerTable: URIRef
    queryName: URIRef
    queryDigest: URIRef
    rowCount: URIRef
    storedRowCount: URIRef
    pageSize: URIRef
    variables: URIRef
    pageOf: URIRef
    row: URIRef


# Vocabularies cdkg aligns to (DESIGN.md: reuse by alignment, not parallel terms).
CPSV = Namespace("http://purl.org/vocab/cpsv#")
CV = Namespace("http://data.europa.eu/m8g/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
ORG = Namespace("http://www.w3.org/ns/org#")
VOID = Namespace("http://rdfs.org/ns/void#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")

# Prefixes bound in every serialisation and predeclared for SPARQL users.
PREFIXES: dict[str, str] = {
    "cd": str(CD._NS),
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "org": str(ORG),
    "eli": str(ELI),
    "cpsv": str(CPSV),
    "cv": str(CV),
    "void": str(VOID),
    "sd": str(SD),
    "sh": "http://www.w3.org/ns/shacl#",
}
