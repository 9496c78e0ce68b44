"""Linked data: instance IRIs and the ontology IRI dereference on this server.

* ``/id/<path>`` is ``<base><path>`` (base ``https://w3id.org/cdkg/id/`` by default; the IRIs
  in the data stay the w3id ones). A browser gets an HTML page titled by the label — a duty's
  grouped by meaning (事项, 来源 with the quoted source lines linked to the file's line, 依据
  with each citation's cited article text, 责任部门, 主题), other resources' properties, the
  views of server/entity_views.py (sorted, paged duty lists; a jurisdiction's lists with
  counts; a law's editions and cited articles), incoming links — with what the reasoner
  copied up folded away (:func:`fold`); a client gets Turtle,
  JSON-LD, N-Triples or RDF/XML by ``Accept`` or ``?format=``. Served directly (no 303) with
  ``Vary: Accept``; 404 when no triple mentions the IRI.
* ``/ontology`` is ``https://w3id.org/cdkg/ontology``: the ontology graph of the store as RDF,
  or HTML documentation of every class and property (``/ontology#Duty`` for
  ``cd:Duty``).

Queries are fixed CONSTRUCT/ASK texts (no DESCRIBE: engines differ in what it returns). The
only value put into them is the resource IRI, and only after ``iri_for_path`` has accepted the
path segment by segment (the minter's ASCII key syntax) and ``sparql_iri`` has checked that
nothing in it can end the IRI.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from flask import Blueprint, Response, render_template, request, url_for
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from cdkg.ontology.namespace import CD, ELI, ONTOLOGY_IRI, PREFIXES
from cdkg.queries.columns import value_label
from cdkg.server.reports.links import Linker, is_instance_path

from . import entity_views
from .context import current_config, current_store
from .errors import plain_error
from .store import QueryOptions, negotiation
from .store.negotiation import Format
from .transport import cache_control, make_etag, matches, not_modified

blueprint = Blueprint("linked_data", __name__, template_folder="templates")

RDF_FORMATS: tuple[Format, ...] = (
    negotiation.TURTLE,
    negotiation.JSON_LD,
    negotiation.N_TRIPLES,
    negotiation.RDF_XML,
)
PAGE_FORMATS: tuple[Format, ...] = (negotiation.HTML, *RDF_FORMATS)
"""What /id/ and /ontology answer with; HTML first, so a browser's ``*/*`` gets a page."""

INCOMING_LIMIT = 2000
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_FILE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*\Z")
_CD = str(CD._NS)

# --- IRIs ---------------------------------------------------------------------------------


def iri_for_path(base: str, path: str) -> URIRef | None:
    """The instance IRI that ``/id/<path>`` stands for, or None when ``path`` cannot be one
    (every segment an ASCII key as the minter makes them: no ``..``, no empty segment).

    >>> iri_for_path("https://w3id.org/cdkg/id/", "duty/chongqing/assistance/6")
    rdflib.term.URIRef('https://w3id.org/cdkg/id/duty/chongqing/assistance/6')
    >>> iri_for_path("https://w3id.org/cdkg/id/", "duty/../x") is None
    True
    """
    return URIRef(base + path) if is_instance_path(path) else None


def sparql_iri(iri: str) -> str:
    """``iri`` written as a SPARQL IRI reference; ValueError if it could break out of one.

    >>> sparql_iri("https://w3id.org/cdkg/id/x")
    '<https://w3id.org/cdkg/id/x>'
    """
    if not iri or _IRI_FORBIDDEN.search(iri):
        raise ValueError(f"not a safe IRI: {iri!r}")
    return f"<{iri}>"


def local_href(iri: str, base: str) -> str | None:
    """Where this page links for ``iri``: :class:`cdkg.server.reports.links.Linker` with this
    server's /id/ and /ontology (a ``javascript:`` IRI is data, never a link)."""
    root = request.script_root
    return Linker(base, f"{root}/id/", f"{root}/ontology")(iri)


def curie(iri: str) -> str | None:
    """``iri`` as prefix:local with cdkg's prefixes (longest namespace wins), else None."""
    best = ""
    name = None
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    if name is None or not re.fullmatch(r"[\w.-]*", iri[len(best) :]):
        return None
    return f"{name}:{iri[len(best) :]}"


# --- queries (fixed texts; ``$this`` is the only substitution) ----------------------------

_PROLOGUE = """PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX cd: <https://w3id.org/cdkg/ontology#>
"""
EXISTS = Template(_PROLOGUE + "ASK { { $this ?p ?o } UNION { ?s ?p $this } }")
DESCRIPTION = Template(
    _PROLOGUE
    + """CONSTRUCT { $this ?p ?o . ?o ?bp ?bo . ?s ?q $this . }
WHERE {
  { $this ?p ?o . OPTIONAL { ?o ?bp ?bo . FILTER(isBlank(?o)) } }
  UNION
  { ?s ?q $this . }
}"""
)
"""The RDF a client gets: the resource's triples, blank nodes it points to, incoming links."""

PAGE = Template(
    _PROLOGUE
    + """CONSTRUCT {
  $this ?p ?o . ?o rdfs:label ?ol . ?o cd:fileName ?file . ?o ?bp ?bo . ?p rdfs:label ?pl .
  ?p rdfs:subPropertyOf ?ps . ?o rdfs:subClassOf ?os .
  ?o cd:citationText ?ot .
  ?s ?q $this . ?s rdfs:label ?sl . ?q rdfs:label ?ql . ?q rdfs:subPropertyOf ?qs .
  ?s cd:citationText ?st .
}
WHERE {
  {
    $this ?p ?o .
    OPTIONAL { ?o rdfs:label ?ol . }
    OPTIONAL { ?o cd:fileName ?file . }
    OPTIONAL { ?o cd:citationText ?ot . FILTER(?p = cd:hasCitation) }
    OPTIONAL { ?o ?bp ?bo . FILTER(isBlank(?o)) }
    OPTIONAL { ?p rdfs:label ?pl . }
    OPTIONAL { ?p rdfs:subPropertyOf ?ps . }
    OPTIONAL { ?o rdfs:subClassOf ?os . FILTER(?p = rdf:type && isIRI(?os)) }
  }
  UNION
  {
    { SELECT ?s ?q WHERE { ?s ?q $this . } LIMIT $limit }
    OPTIONAL { ?s rdfs:label ?sl . }
    OPTIONAL { ?s cd:citationText ?st . FILTER(?q = cd:citedDocument || ?q = cd:citedProvision) }
    OPTIONAL { ?q rdfs:label ?ql . }
    OPTIONAL { ?q rdfs:subPropertyOf ?qs . }
  }
}"""
)
"""What a page shows: the description plus the labels of everything it links to, and the
sub-property and sub-class axioms that let the page fold what the reasoner copied up."""

ONTOLOGY = Template("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH $graph { ?s ?p ?o } }")
ONTOLOGY_EXISTS = Template("ASK { GRAPH $graph { ?s ?p ?o } }")


def _query(template: Template, iri: str, **values: object) -> str:
    return template.substitute(this=sparql_iri(iri), **values)


def ontology_query() -> str:
    return ONTOLOGY.substitute(graph=sparql_iri(str(ONTOLOGY_IRI)))


# --- request helpers ----------------------------------------------------------------------


def _options() -> QueryOptions:
    config = current_config()
    return QueryOptions(timeout_s=config.query_timeout_s, max_rows=config.max_rows)


def _representation() -> tuple[Format, Validators] | Response:
    """The format the client accepts and that representation's validators — or the answer
    already: 406 when it accepts none of :data:`PAGE_FORMATS`, 304 when its copy is current."""
    fmt = negotiation.choose(
        request.headers.get("Accept"), request.args.getlist("format"), PAGE_FORMATS
    )
    if fmt is None:
        offered = ", ".join(f.media_type for f in PAGE_FORMATS)
        names = ", ".join(f.names[0] for f in PAGE_FORMATS)
        response = plain_error(
            406, f"406 Not Acceptable: this resource is available as {offered} (?format={names})"
        )
        response.vary.add("Accept")
        return response
    validators = Validators.of(fmt)
    unchanged = validators.unchanged()
    return unchanged if unchanged is not None else (fmt, validators)


@dataclass(frozen=True)
class Alternate:
    """Another representation of the same resource (``Link: rel=alternate``, page links)."""

    media_type: str
    name: str
    href: str


def _alternates(endpoint: str, **values: Any) -> list[Alternate]:
    return [
        Alternate(f.media_type, f.names[0], url_for(endpoint, **values, format=f.names[0]))
        for f in PAGE_FORMATS
    ]


@dataclass(frozen=True)
class Validators:
    """The ETag and Cache-Control of one representation, known before any query runs."""

    etag: str
    cache_control: str

    @classmethod
    def of(cls, fmt: Format) -> Validators:
        config = current_config()
        etag = make_etag(current_store().version, "ld", request.full_path, fmt.key)
        return cls(etag, cache_control(config.cache_max_age_s, config.read_only))

    def unchanged(self) -> Response | None:
        """A 304 when the client's If-None-Match already names this representation."""
        if matches(request.headers.get("If-None-Match"), self.etag):
            return not_modified(self.etag, self.cache_control, ("Accept",))
        return None


def _finish(
    response: Response, fmt: Format, alternates: list[Alternate], validators: Validators
) -> Response:
    """Headers every linked-data answer carries."""
    response.vary.add("Accept")
    response.headers["Link"] = ", ".join(
        f'<{a.href}>; rel="alternate"; type="{a.media_type}"' for a in alternates
    )
    response.headers["ETag"] = validators.etag
    response.headers["Cache-Control"] = validators.cache_control
    return response


def _rdf_response(
    query: str, fmt: Format, alternates: list[Alternate], validators: Validators
) -> Response:
    content_type, body = current_store().execute(query, fmt.media_type, _options())
    return _finish(Response(body, content_type=content_type), fmt, alternates, validators)


# --- routes -------------------------------------------------------------------------------


@blueprint.get("/id/<path:path>")
def resource(path: str) -> Response:
    """An instance IRI: HTML page or RDF by content negotiation; 404 when unknown."""
    base = current_config().base
    iri = iri_for_path(base, path)
    if iri is None:
        return plain_error(404, f"404 Not Found: {base}{path} is not a cdkg instance IRI")
    representation = _representation()
    if isinstance(representation, Response):
        return representation
    fmt, validators = representation
    store = current_store()
    if not store.ask(_query(EXISTS, iri), _options()):
        return plain_error(404, f"404 Not Found: no triples about <{iri}>")
    alternates = _alternates("linked_data.resource", path=path)
    if fmt is not negotiation.HTML:
        return _rdf_response(_query(DESCRIPTION, iri), fmt, alternates, validators)
    graph = store.construct(_query(PAGE, iri, limit=INCOMING_LIMIT), _options())
    page = resource_page(graph, iri, base, _raw_folder())
    page.extras = entity_views.extras(
        lambda text: store.select(text, _options()),
        sparql_iri(str(iri)),
        page.kinds,
        lambda node, shown: _link(graph, node, shown, base),
        _page_number(),
    )
    if page.extras.editions:  # the editions table shows them with their dates
        for group in page.groups:
            group.rows = [r for r in group.rows if r.predicate.iri != str(ELI.is_realized_by)]
    listed = page.extras.listed
    if listed:
        page.incoming = [
            Row(row.predicate, [v for v in row.values if not _part_of_listed(v.iri, listed)])
            for row in page.incoming
        ]
        page.incoming = [row for row in page.incoming if row.values]
    html = render_template("ld_resource.html", page=page, alternates=alternates)
    return _finish(Response(html, content_type=fmt.content_type), fmt, alternates, validators)


@blueprint.get("/ontology")
def ontology() -> Response:
    """The ontology IRI: the store's ontology graph as RDF, or its HTML documentation."""
    representation = _representation()
    if isinstance(representation, Response):
        return representation
    fmt, validators = representation
    store = current_store()
    if not store.ask(ONTOLOGY_EXISTS.substitute(graph=sparql_iri(str(ONTOLOGY_IRI))), _options()):
        return plain_error(404, f"404 Not Found: the store has no graph <{ONTOLOGY_IRI}>")
    alternates = _alternates("linked_data.ontology")
    if fmt is not negotiation.HTML:
        return _rdf_response(ontology_query(), fmt, alternates, validators)
    graph = store.construct(ontology_query(), _options())
    doc = ontology_doc(graph, current_config().base)
    html = render_template("ld_ontology.html", doc=doc, alternates=alternates)
    return _finish(Response(html, content_type=fmt.content_type), fmt, alternates, validators)


def _part_of_listed(iri: str | None, listed: set[str]) -> bool:
    """Whether ``iri`` is a listed resource or a part of one (a listed duty's citation
    ``…/citation/1`` or topic assignment ``…/topic/x``): the page's tables show them already.

    >>> _part_of_listed("https://w3id.org/cdkg/id/duty/a/b/1/citation/2", {"https://w3id.org/cdkg/id/duty/a/b/1"})
    True
    """
    if iri is None:
        return False
    return iri in listed or iri.rsplit("/", 2)[0] in listed


def _page_number() -> int:
    """``?page=N`` of a long list; anything that is not a positive number is page 1."""
    value = request.args.get("page", "1")
    return int(value) if value.isdigit() and 0 < len(value) < 7 else 1


def _link(graph: Graph, node: Node, shown: str | None, base: str) -> entity_views.Link:
    """``node`` as a link of an extra view, labelled by its query's label when it found one."""
    shown_term = term(graph, node, base)
    return entity_views.Link(shown or shown_term.text, shown_term.href, shown_term.iri)


def _raw_folder() -> Path | None:
    paths = current_config().paths
    return paths.raw if paths is not None else None


# --- what a page shows --------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One node as a page shows it: label (or value), link, and what it is."""

    text: str
    href: str | None = None
    iri: str | None = None
    curie: str | None = None
    lang: str | None = None
    datatype: str | None = None

    @property
    def multiline(self) -> bool:
        return "\n" in self.text


@dataclass
class Row:
    """A predicate and its values (outgoing) or its subjects (incoming)."""

    predicate: Term
    values: list[Term]


@dataclass
class SourceQuote:
    """A duty's verbatim source lines with their numbers, and where they come from."""

    lines: list[tuple[int, str]]
    file: Term | None
    first: int
    last: int
    href: str | None
    # For a duty imported from a published file: the original and where the duty stands in it.
    original: Term | None = None
    location: str | None = None


@dataclass
class ResourcePage:
    iri: str
    title: str
    types: list[Term]
    rows: list[Row]
    incoming: list[Row]
    incoming_truncated: bool
    quote: SourceQuote | None = None
    source_lines: list[tuple[int, str]] | None = None
    groups: list[Group] = field(default_factory=list)
    kinds: set[str] = field(default_factory=set)
    """The resource's types as IRIs (unfolded), to choose the views it gets."""
    extras: entity_views.Extras | None = None


def label(graph: Graph, node: Node) -> str | None:
    """The node's rdfs:label: Chinese first, then English, then any."""
    labels = [o for o in graph.objects(node, RDFS.label) if isinstance(o, Literal)]
    for lang in ("zh", "en", None):
        for value in sorted(labels, key=str):
            if value.language == lang or (lang and (value.language or "").startswith(lang)):
                return str(value)
    return str(sorted(labels, key=str)[0]) if labels else None


def term(graph: Graph, node: Node, base: str) -> Term:
    """``node`` as a Term; IRIs under the base link to this server's pages."""
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype else None
        shown_type = (curie(datatype) or datatype) if datatype else None
        coded = None if node.language else value_label(str(node))
        shown = f"{coded[0]} {coded[1]}" if coded else str(node)  # the code stays in the RDF
        return Term(shown, lang=node.language, datatype=shown_type)
    if isinstance(node, BNode):
        return Term(label(graph, node) or "（空白节点 blank node）")
    iri = str(node)
    short = curie(iri)
    shown = (
        label(graph, node)
        or _printed_citation(graph, node)
        or _NAMES.get(node)
        or (iri[len(base) :] if iri.startswith(base) else short or iri)
    )
    return Term(shown, href=local_href(iri, base), iri=iri, curie=short)


def _printed_citation(graph: Graph, node: Node) -> str | None:
    """A citation (which has no label) is named by what the catalog printed."""
    if (node, RDF.type, CD.Duty) in graph:
        return None
    value = graph.value(node, CD.citationText)
    return str(value) if value is not None else None


_NAMES: dict[Node, str] = {
    RDF.type: "类型 Type",
    RDFS.label: "名称 Label",
    SKOS.note: "注 Note",
    SKOS.broader: "上位主题 Broader",
    SKOS.definition: "定义 Definition",
    SKOS.inScheme: "所属体系 Scheme",
    SKOS.notation: "代码 Notation",
    SKOS.altLabel: "别名 Other name",
    SKOS.editorialNote: "编辑注 Editorial note",
    PROV.wasDerivedFrom: "来源文件 Source file",
    ELI.is_realized_by: "版本 Edition",
    ELI.realizes: "版本所属文件 Edition of",
    ELI.date_document: "文件日期 Date",
    ELI.in_force: "效力 In force",
    ELI.first_date_entry_in_force: "施行日期 In force from",
    ELI.date_no_longer_in_force: "失效日期 No longer in force from",
    ELI.is_part_of: "所属 Part of",
    ELI.has_part: "组成部分 Has part",
    ELI.jurisdiction: "管辖 Jurisdiction",
    ELI.based_on: "依据 Based on",
    ELI["InForce-inForce"]: "有效 In force",
    ELI["InForce-notInForce"]: "失效 No longer in force",
}
"""Names of the predicates from other vocabularies a page shows most (the ontology graph
labels cdkg's own)."""


_STATISTICS = "statistics/"
"""Observations of the statistics graph point at what they count; a page does not list them
(they stay in the RDF, and the named queries read them)."""

_SAME_AS_LABEL = (SKOS.prefLabel, DCTERMS.title)
"""Predicates whose values a page shows once, as the title, when they repeat rdfs:label."""


def fold(graph: Graph, pairs: Iterable[tuple[Node, Node]]) -> dict[Node, list[Node]]:
    """Values grouped by predicate, without what the reasoner copied up: a value of a
    super-property that a sub-property already gives (cv:hasLegalResource under
    cd:hasLegalBasis, dct:isPartOf under cd:inCatalog, dct:subject under cd:topic), a type
    that another type implies (cd:Duty under cd:AssistanceDuty), a skos:prefLabel or dct:title
    that repeats rdfs:label. The RDF representations keep every triple."""
    grouped: dict[Node, list[Node]] = {}
    for predicate, value in pairs:
        if value not in grouped.setdefault(predicate, []):
            grouped[predicate].append(value)
    for predicate in list(grouped):
        for upper in graph.transitive_objects(predicate, RDFS.subPropertyOf):
            if upper != predicate and upper in grouped:
                given = set(grouped[predicate])
                grouped[upper] = [v for v in grouped[upper] if v not in given]
    if RDF.type in grouped:
        types = grouped[RDF.type]
        implied = {
            upper
            for t in types
            for upper in graph.transitive_objects(t, RDFS.subClassOf)
            if upper != t
        }
        grouped[RDF.type] = [t for t in types if t not in implied]
    labels = set(grouped.get(RDFS.label, []))
    for predicate in _SAME_AS_LABEL:
        if predicate in grouped:
            grouped[predicate] = [v for v in grouped[predicate] if v not in labels]
    return {p: values for p, values in grouped.items() if values}


def _rows(graph: Graph, pairs: Iterable[tuple[Node, Node]], base: str) -> list[Row]:
    """Values grouped by predicate (folded), rdf:type and rdfs:label first, then by
    prefixed name."""
    first: dict[Node, int] = {RDF.type: 0, RDFS.label: 1}
    keyed = []
    for predicate, values in fold(graph, pairs).items():
        shown = sorted((term(graph, v, base) for v in values), key=lambda t: t.text)
        row = Row(term(graph, predicate, base), shown)
        keyed.append(((first.get(predicate, 2), row.predicate.curie or row.predicate.text), row))
    return [row for _, row in sorted(keyed, key=lambda item: item[0])]


@dataclass
class Group:
    """One section of a page: an anchor, its zh and en heading, the rows it shows."""

    anchor: str
    zh: str
    en: str
    rows: list[Row]


DUTY_GROUPS: tuple[tuple[str, str, str, tuple[URIRef, ...]], ...] = (
    (
        "what",
        "事项",
        "What the duty is",
        (
            RDF.type,
            RDFS.label,
            CD.number,
            CD.numberAsPrinted,
            CD.numberAssigned,
            CD.inCatalog,
            CD.jurisdiction,
            CD.summary,
            CD.description,
            CD.remark,
            CD.category,
        ),
    ),
    (
        "source",
        "来源",
        "Where it comes from",
        (
            PROV.wasDerivedFrom,
            PROV.hadPrimarySource,
            CD.sourceText,
            CD.sourceLine,
            CD.sourceLocation,
        ),
    ),
    ("basis", "依据", "Legal basis", (CD.citationText, CD.hasCitation, CD.hasLegalBasis)),
    ("departments", "责任部门", "Responsible departments", (CD.department,)),
    ("topics", "主题", "Topics", (CD.topic, CD.topicAssignment)),
)
"""A duty's page, section by section. Only 事项 shows its rows as they are: the others are
drawn from their own queries (the source quote, the citations with the cited text, the
departments with their sectors, the topics with their domains); what no group names is
shown under 其他 Other."""

_SHOWN_AS_ROWS = {"what"}


def groups_of(
    rows: list[Row], grouping: Iterable[tuple[str, str, str, tuple[URIRef, ...]]]
) -> list[Group]:
    """``rows`` split into the sections of ``grouping`` in its order (rows of a section not
    in :data:`_SHOWN_AS_ROWS` are dropped: that section has its own view), the rest last."""
    placed: set[str] = set()
    groups = []
    for anchor, zh_heading, en_heading, predicates in grouping:
        order = {str(p): i for i, p in enumerate(predicates)}
        mine = [r for r in rows if r.predicate.iri in order]
        placed.update(r.predicate.iri or "" for r in mine)
        mine.sort(key=lambda r: order[r.predicate.iri or ""])
        groups.append(
            Group(anchor, zh_heading, en_heading, mine if anchor in _SHOWN_AS_ROWS else [])
        )
    rest = [r for r in rows if r.predicate.iri not in placed]
    if rest:
        groups.append(Group("other", "其他", "Other", rest))
    return groups


_TITLE_PREDICATES = (RDFS.label, SKOS.prefLabel, DCTERMS.title, CD.citationText)


def title_of(graph: Graph, iri: URIRef) -> str:
    """The page's title: its label (zh first), else another name it has (a citation's printed
    text), else the IRI."""
    found = label(graph, iri)
    if found:
        return found
    for predicate in _TITLE_PREDICATES[1:]:
        value = graph.value(iri, predicate)
        if value is not None:
            return str(value)
    return str(iri)


def resource_page(graph: Graph, iri: URIRef, base: str, raw: Path | None) -> ResourcePage:
    """The view of one resource, from the PAGE query's graph."""
    outgoing = [(p, o) for p, o in graph.predicate_objects(iri)]
    linked = set(graph.objects(iri, None))
    incoming = [
        (p, s)
        for s, p in graph.subject_predicates(iri)
        if s != iri and s not in linked and not str(s).startswith(base + _STATISTICS)
    ]
    folded_types = fold(graph, [(RDF.type, t) for t in graph.objects(iri, RDF.type)])
    rows = _rows(graph, outgoing, base)
    is_duty = (iri, RDF.type, CD.Duty) in graph
    page = ResourcePage(
        iri=str(iri),
        title=title_of(graph, iri),
        types=sorted((term(graph, t, base) for t in folded_types.get(RDF.type, [])), key=str),
        rows=rows,
        incoming=_rows(graph, incoming, base),
        incoming_truncated=len(incoming) >= INCOMING_LIMIT,
        groups=groups_of(rows, DUTY_GROUPS)
        if is_duty
        else [Group("properties", "属性", "Properties", rows)],
        kinds={str(t) for t in graph.objects(iri, RDF.type)},
    )
    page.quote = source_quote(graph, iri, base)
    if (iri, RDF.type, CD.SourceFile) in graph and raw is not None:
        page.source_lines = source_file_lines(graph, iri, raw)
    return page


def source_quote(graph: Graph, iri: URIRef, base: str) -> SourceQuote | None:
    """The cd:sourceText of ``iri`` numbered from its cd:sourceLine, with the source file."""
    text = graph.value(iri, CD.sourceText)
    if text is None:
        return None
    line = graph.value(iri, CD.sourceLine)
    try:
        first = int(str(line)) if line is not None else 1
    except ValueError:
        first = 1
    lines = list(enumerate(str(text).split("\n"), start=first))
    source = next(
        (s for s in graph.objects(iri, PROV.wasDerivedFrom) if graph.value(s, CD.fileName)),
        graph.value(iri, PROV.wasDerivedFrom),
    )
    file = None
    href = None
    if source is not None:
        name = graph.value(source, CD.fileName)
        file = term(graph, source, base)
        if name is not None:
            file = Term(str(name), file.href, file.iri, file.curie)
        href = f"{file.href}#L{first}" if file.href and file.href.startswith("/") else file.href
    quote = SourceQuote(lines, file, first, lines[-1][0], href)
    original = graph.value(iri, PROV.hadPrimarySource)
    if original is not None:
        name = graph.value(original, CD.fileName)
        shown = term(graph, original, base)
        quote.original = Term(str(name), shown.href, shown.iri, shown.curie) if name else shown
    location = graph.value(iri, CD.sourceLocation)
    quote.location = str(location) if location is not None else None
    return quote


def source_file_lines(graph: Graph, iri: URIRef, raw: Path) -> list[tuple[int, str]] | None:
    """The numbered lines of a source file from data/raw, only if its cd:sha256 matches (the
    page never shows a file the graph does not describe)."""
    name = graph.value(iri, CD.fileName)
    digest = graph.value(iri, CD.sha256)
    if name is None or digest is None or not _FILE_NAME.match(str(name)):
        return None
    path = raw / str(name)
    try:
        content = path.read_bytes()
    except OSError:
        return None
    if hashlib.sha256(content).hexdigest() != str(digest):
        return None
    text = content.decode("utf-8", errors="replace")
    return list(enumerate(text.splitlines(), start=1))


# --- ontology documentation ---------------------------------------------------------------

_KINDS = (
    (OWL.Class, "classes", "类 Classes"),
    (OWL.ObjectProperty, "object-properties", "对象属性 Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "数据属性 Datatype properties"),
    (OWL.AnnotationProperty, "annotation-properties", "注释属性 Annotation properties"),
)
_CHARACTERISTICS = {
    OWL.TransitiveProperty,
    OWL.FunctionalProperty,
    OWL.InverseFunctionalProperty,
    OWL.SymmetricProperty,
    OWL.AsymmetricProperty,
    OWL.ReflexiveProperty,
    OWL.IrreflexiveProperty,
}


@dataclass
class TermDoc:
    anchor: str
    curie: str
    iri: str
    labels: list[Term]
    definitions: list[Term]
    comments: list[Term]
    facts: list[Row]


@dataclass
class Section:
    anchor: str
    title: str
    terms: list[TermDoc]


@dataclass
class OntologyDoc:
    iri: str
    header: list[Row]
    sections: list[Section]


def _literals(graph: Graph, node: Node, predicate: URIRef) -> list[Term]:
    values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
    order = {"zh": 0, "en": 1}
    values.sort(key=lambda v: (order.get(v.language or "", 2), str(v)))
    return [Term(str(v), lang=v.language) for v in values]


def _expression(graph: Graph, node: Node, base: str) -> list[Term]:
    """A class expression as terms: an IRI, a union/intersection's members, a restriction."""
    if not isinstance(node, BNode):
        return [term(graph, node, base)]
    for operator in (OWL.unionOf, OWL.intersectionOf):
        members = graph.value(node, operator)
        if members is not None:
            return [term(graph, m, base) for m in Collection(graph, members)]
    on = graph.value(node, OWL.onProperty)
    if on is not None:
        return [Term(f"owl:Restriction on {curie(str(on)) or on}", href=local_href(str(on), base))]
    return [Term("（匿名类 anonymous class）")]


def _disjoint(graph: Graph, node: URIRef) -> list[Node]:
    found = list(graph.objects(node, OWL.disjointWith))
    found += list(graph.subjects(OWL.disjointWith, node))
    for group in graph.subjects(RDF.type, OWL.AllDisjointClasses):
        members_list = graph.value(group, OWL.members)
        if members_list is None:
            continue
        members = list(Collection(graph, members_list))
        if node in members:
            found += [m for m in members if m != node]
    return sorted(set(found), key=str)


def _term_doc(graph: Graph, node: URIRef, base: str) -> TermDoc:
    iri = str(node)
    facts: list[tuple[str, list[Term]]] = []

    def add(name: str, nodes: Iterable[Node]) -> None:
        terms = [t for n in nodes for t in _expression(graph, n, base)]
        if terms:
            facts.append((name, terms))

    add("上位类 superclasses (rdfs:subClassOf)", graph.objects(node, RDFS.subClassOf))
    add("下位类 subclasses", sorted(graph.subjects(RDFS.subClassOf, node), key=str))
    add("等价类 owl:equivalentClass", graph.objects(node, OWL.equivalentClass))
    add("不相交 disjoint with", _disjoint(graph, node))
    add("上位属性 rdfs:subPropertyOf", graph.objects(node, RDFS.subPropertyOf))
    add("下位属性 subproperties", sorted(graph.subjects(RDFS.subPropertyOf, node), key=str))
    add("定义域 rdfs:domain", graph.objects(node, RDFS.domain))
    add("值域 rdfs:range", graph.objects(node, RDFS.range))
    add("逆属性 owl:inverseOf", graph.objects(node, OWL.inverseOf))
    add("特性 characteristics", [t for t in graph.objects(node, RDF.type) if t in _CHARACTERISTICS])
    for chain in graph.objects(node, OWL.propertyChainAxiom):
        add("属性链 owl:propertyChainAxiom", Collection(graph, chain))
    return TermDoc(
        anchor=iri[len(_CD) :],
        curie=curie(iri) or iri,
        iri=iri,
        labels=_literals(graph, node, RDFS.label),
        definitions=_literals(graph, node, SKOS.definition),
        comments=_literals(graph, node, RDFS.comment),
        facts=[Row(Term(name), terms) for name, terms in facts],
    )


def ontology_doc(graph: Graph, base: str) -> OntologyDoc:
    """Documentation of every cd: class and property in the ontology graph."""
    header_predicates = (
        DCTERMS.title,
        DCTERMS.description,
        OWL.versionInfo,
        OWL.versionIRI,
        DCTERMS.modified,
        DCTERMS.license,
        DCTERMS.creator,
        RDFS.comment,
    )
    header = [
        Row(term(graph, p, base), [term(graph, o, base) for o in graph.objects(ONTOLOGY_IRI, p)])
        for p in header_predicates
        if (ONTOLOGY_IRI, p, None) in graph
    ]
    sections = []
    seen: set[URIRef] = set()
    for kind, anchor, title in _KINDS:
        nodes = sorted(
            n
            for n in graph.subjects(RDF.type, kind)
            if isinstance(n, URIRef) and str(n).startswith(_CD) and n not in seen
        )
        seen.update(nodes)
        if nodes:
            sections.append(Section(anchor, title, [_term_doc(graph, n, base) for n in nodes]))
    return OntologyDoc(str(ONTOLOGY_IRI), header, sections)
