"""What an entity page shows beyond its own triples: the duty's legal basis with the cited
article's text, its departments' sectors and its topics' domains; the duties a jurisdiction,
catalog, law, department or topic gathers (sorted and paged); a jurisdiction's catalogs and
lists with counts; a law's editions and cited articles with their text and citing duties.

Each part is one fixed SELECT text whose only substitution is the resource IRI (already
checked by :func:`cdkg.server.linked_data.sparql_iri`), run on whatever store serves the page;
the rows are turned into plain dataclasses the templates render (server/templates/ld_*.html).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from string import Template
from typing import TypeVar

from rdflib.term import Node

from cdkg.server.reports.duties import whole_number

PAGE_SIZE = 50
"""Duties per page of a long list (``?page=N``)."""

_PROLOGUE = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX eli: <http://data.europa.eu/eli/ontology#>
PREFIX cd: <https://w3id.org/cdkg/ontology#>
"""

CITATIONS = Template(
    _PROLOGUE
    + """SELECT ?citation ?text ?document ?documentLabel ?provisional ?provision ?provisionLabel
       ?article ?articleText ?edition ?editionLabel
WHERE {
  $this cd:hasCitation ?citation .
  OPTIONAL { ?citation cd:citationText ?text . }
  OPTIONAL {
    ?citation cd:citedDocument ?document .
    OPTIONAL { ?document rdfs:label ?documentLabel .
      FILTER(langMatches(lang(?documentLabel), "zh") || lang(?documentLabel) = "") }
    OPTIONAL { ?document cd:provisional ?provisional . }
  }
  OPTIONAL {
    ?citation cd:citedProvision ?provision .
    OPTIONAL { ?provision rdfs:label ?provisionLabel .
      FILTER(langMatches(lang(?provisionLabel), "zh") || lang(?provisionLabel) = "") }
    OPTIONAL { ?provision cd:article ?article . }
    OPTIONAL {
      ?reading cd:readsCitation ?citation ; cd:readsProvision ?provision ;
        cd:articleText ?articleText .
      OPTIONAL { ?reading cd:editionRead ?edition . OPTIONAL { ?edition rdfs:label ?editionLabel .
      FILTER(langMatches(lang(?editionLabel), "zh")) } }
    }
  }
}"""
)
"""A duty's citations: printed text, resolved document (provisional?), provisions, and the text
of each cited provision as the law-texts graph read it (absent when the build had no texts)."""

GROUPED = Template(
    _PROLOGUE
    + """SELECT ?entity ?label ?labelEn ?group ?groupLabel
WHERE {
  $this $predicate ?entity .
  OPTIONAL { ?entity rdfs:label ?label .
      FILTER(langMatches(lang(?label), "zh") || lang(?label) = "") }
  OPTIONAL { ?entity rdfs:label ?labelEn .
      FILTER(langMatches(lang(?labelEn), "en")) }
  OPTIONAL { ?entity $group ?group .
             OPTIONAL { ?group rdfs:label ?groupLabel .
      FILTER(langMatches(lang(?groupLabel), "zh")) } }
}"""
)
"""What a duty names through ``$predicate`` — its departments (``cd:department``, grouped by
``cd:sector``) or topics (``cd:topic``, grouped by domain: ``skos:broader``) — with labels."""

DUTIES = Template(
    _PROLOGUE
    + """SELECT DISTINCT ?duty ?label ?number ?catalog ?catalogLabel ?type ?typeLabel
WHERE {
  { ?duty cd:inCatalog|cd:jurisdiction|cd:department|cd:topic|cd:category $this . }
  UNION { ?duty cd:hasCitation ?citation . ?citation cd:citedDocument|cd:citedProvision $this . }
  ?duty a cd:Duty .
  OPTIONAL { ?duty rdfs:label ?label . }
  OPTIONAL { ?duty cd:number ?number . }
  OPTIONAL { ?duty cd:inCatalog ?catalog . OPTIONAL { ?catalog rdfs:label ?catalogLabel . } }
  OPTIONAL { ?duty a ?type . ?type rdfs:subClassOf cd:Duty .
             OPTIONAL { ?type rdfs:label ?typeLabel .
      FILTER(langMatches(lang(?typeLabel), "zh")) } }
}"""
)
"""Every duty that points at ``$this`` (catalog, jurisdiction, department, topic, or a cited
law or article), with what the list sorts by."""

LISTS = Template(
    _PROLOGUE
    + """SELECT ?catalog ?catalogLabel ?type ?typeLabel (COUNT(DISTINCT ?duty) AS ?count)
WHERE {
  ?catalog cd:jurisdiction $this .
  ?duty cd:inCatalog ?catalog ; a ?type .
  ?type rdfs:subClassOf cd:Duty .
  OPTIONAL { ?catalog rdfs:label ?catalogLabel . }
  OPTIONAL { ?type rdfs:label ?typeLabel .
      FILTER(langMatches(lang(?typeLabel), "zh")) }
}
GROUP BY ?catalog ?catalogLabel ?type ?typeLabel"""
)
"""A jurisdiction's catalogs and their lists (one per duty class), with the number of duties."""

SUBDIVISIONS = Template(
    _PROLOGUE
    + """SELECT ?place ?label ?code (COUNT(DISTINCT ?duty) AS ?count)
WHERE {
  ?place cd:partOf $this .
  FILTER NOT EXISTS { ?place cd:partOf ?middle . ?middle cd:partOf $this .
    FILTER(?middle != ?place && ?middle != $this) }
  OPTIONAL { ?place rdfs:label ?label .
      FILTER(langMatches(lang(?label), "zh")) }
  OPTIONAL { ?place cd:divisionCode ?code . }
  OPTIONAL { ?duty cd:jurisdiction/cd:partOf* ?place ; a cd:Duty . }
}
GROUP BY ?place ?label ?code"""
)
"""The jurisdictions directly inside ``$this`` (cd:partOf is transitive: the nearest only),
each with the duties of catalogs of it or of places inside it."""

EDITIONS = Template(
    _PROLOGUE
    + """SELECT ?edition ?label ?date ?entry ?inForce ?event
WHERE {
  $this eli:is_realized_by ?edition .
  OPTIONAL { ?edition rdfs:label ?label .
      FILTER(langMatches(lang(?label), "zh")) }
  OPTIONAL { ?edition eli:date_document ?date . }
  OPTIONAL { ?edition eli:first_date_entry_in_force ?entry . }
  OPTIONAL { ?edition eli:in_force ?inForce . }
  OPTIONAL { ?edition cd:editionEvent ?event . }
}"""
)

CITED_ARTICLES = Template(
    _PROLOGUE
    + """SELECT DISTINCT ?provision ?provisionLabel ?article ?duty ?dutyLabel ?articleText
       ?editionLabel
WHERE {
  ?citation cd:citedDocument $this ; cd:citedProvision ?provision .
  ?duty cd:hasCitation ?citation .
  OPTIONAL { ?duty rdfs:label ?dutyLabel . }
  OPTIONAL { ?provision rdfs:label ?provisionLabel .
      FILTER(langMatches(lang(?provisionLabel), "zh") || lang(?provisionLabel) = "") }
  OPTIONAL { ?provision cd:article ?article . }
  OPTIONAL {
    ?reading cd:readsProvision ?provision ; cd:articleVersion ?version .
    ?version cd:articleText ?articleText ; cd:inEdition ?edition .
    OPTIONAL { ?edition rdfs:label ?editionLabel .
      FILTER(langMatches(lang(?editionLabel), "zh")) }
  }
}"""
)
"""The articles of a law that duties cite, each with the duties citing it and the text of the
article as read (one text per edition read)."""


# --- what the templates get ----------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A labelled link (``href`` None: not served here)."""

    text: str
    href: str | None = None
    iri: str | None = None


@dataclass
class CitedProvision:
    link: Link
    texts: list[tuple[str, str]] = field(default_factory=list)
    """(edition, article text) as the law-texts graph read it."""


@dataclass
class CitationView:
    """One citation of a duty: as printed, what it resolved to, and the cited text."""

    link: Link
    printed: str
    document: Link | None
    provisional: bool
    provisions: list[CitedProvision]


@dataclass(frozen=True)
class LabelledWith:
    """An entity and the one it belongs to (a department and its sector, a topic and its
    domain)."""

    link: Link
    group: Link | None
    note: str | None = None


@dataclass(frozen=True)
class DutyItem:
    link: Link
    number: int | None
    catalog: Link | None
    list_type: Link | None


@dataclass
class DutyList:
    """One page of a sorted list of duties."""

    items: list[DutyItem]
    total: int
    page: int
    pages: int
    all: list[DutyItem] = field(default_factory=list)
    """Every item of every page (to know what the page lists)."""

    @property
    def catalogs(self) -> int:
        """How many catalogs the whole list draws on (one: the page needs no catalog column)."""
        return len({item.catalog.iri if item.catalog else None for item in self.all})

    @property
    def first(self) -> int:
        return (self.page - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return min(self.page * PAGE_SIZE, self.total)


@dataclass(frozen=True)
class ListCount:
    catalog: Link
    list_type: Link
    count: int


@dataclass(frozen=True)
class PlaceCount:
    link: Link
    code: str | None
    count: int


@dataclass(frozen=True)
class EditionView:
    link: Link
    date: str | None
    entry_into_force: str | None
    in_force: bool
    event: str | None


@dataclass
class ArticleView:
    link: Link
    number: int | None
    texts: list[tuple[str, str]]
    duties: list[Link]


MakeLink = Callable[[Node, str | None], Link]
"""Turns a node and its label (if the query found one) into a Link."""


def _text(value: Node | None) -> str | None:
    return str(value) if value is not None else None


_View = TypeVar("_View")


def _by_node(
    rows: Iterable[dict[str, Node]],
    column: str,
    make: Callable[[Node, dict[str, Node]], _View],
    add: Callable[[_View, dict[str, Node]], None],
) -> list[_View]:
    """Rows grouped by the node in ``column``: one view per node, made from its first row,
    to which ``add`` adds what each of its rows says (in the order of first appearance)."""
    found: dict[Node, _View] = {}
    for row in rows:
        node = row[column]
        view = found.get(node)
        if view is None:
            view = found[node] = make(node, row)
        add(view, row)
    return list(found.values())


def _add_article_text(texts: list[tuple[str, str]], row: dict[str, Node]) -> None:
    """The row's article text with its edition, once (CITATIONS and ARTICLES read it alike)."""
    text = _text(row.get("articleText"))
    if text is not None:
        entry = (_text(row.get("editionLabel")) or "", text)
        if entry not in texts:
            texts.append(entry)


def citations(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[CitationView]:
    """Rows of :data:`CITATIONS` grouped by citation, in the order of their IRIs' numbers."""

    def make(node: Node, row: dict[str, Node]) -> CitationView:
        return CitationView(
            link=link(node, _text(row.get("text"))),
            printed=_text(row.get("text")) or "",
            document=_optional_link(link, row, "document", "documentLabel"),
            provisional=str(row.get("provisional")).lower() == "true",
            provisions=[],
        )

    def add(view: CitationView, row: dict[str, Node]) -> None:
        provision = row.get("provision")
        if provision is None:
            return
        cited = next((p for p in view.provisions if p.link.iri == str(provision)), None)
        if cited is None:
            cited = CitedProvision(link(provision, _text(row.get("provisionLabel"))))
            cited.link = Link(cited.link.text, cited.link.href, str(provision))
            view.provisions.append(cited)
        _add_article_text(cited.texts, row)

    views = _by_node(rows, "citation", make, add)
    for view in views:
        view.provisions.sort(key=lambda p: (len(p.link.text), p.link.text))
    return sorted(views, key=lambda v: _iri_key(v.link.iri or ""))


def _iri_key(iri: str) -> tuple[str, int]:
    """IRIs ending in a number sort by that number (…/citation/2 before …/citation/10)."""
    head, _, tail = iri.rpartition("/")
    return (head, int(tail)) if tail.isdigit() else (iri, 0)


def _first_complete(
    rows: Iterable[dict[str, Node]],
    column: str,
    make: Callable[[Node, dict[str, Node]], _View],
    complete: Callable[[_View], bool],
) -> list[_View]:
    """One view per node in ``column``: made from the node's first row whose view is
    ``complete``, else from its last row (an OPTIONAL part that only some rows carry)."""
    found: dict[Node, _View] = {}
    for row in rows:
        node = row[column]
        if node not in found or not complete(found[node]):
            found[node] = make(node, row)
    return list(found.values())


def _optional_link(link: MakeLink, row: dict[str, Node], column: str, label: str) -> Link | None:
    """The link to the row's node in ``column`` with its ``label``; None if the row has none."""
    node = row.get(column)
    return link(node, _text(row.get(label))) if node is not None else None


def grouped(
    rows: Iterable[dict[str, Node]], link: MakeLink, english: bool = False
) -> list[LabelledWith]:
    """Rows of :data:`GROUPED` as entities with their group, by label; ``english``: the
    English label as a note (topics)."""

    def make(node: Node, row: dict[str, Node]) -> LabelledWith:
        return LabelledWith(
            link(node, _text(row.get("label"))),
            _optional_link(link, row, "group", "groupLabel"),
            _text(row.get("labelEn")) if english else None,
        )

    views = _first_complete(rows, "entity", make, lambda v: v.group is not None)
    return sorted(views, key=lambda v: v.link.text)


def duty_items(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[DutyItem]:
    """Rows of :data:`DUTIES`, one item per duty, sorted by catalog, list type and number."""

    def make(node: Node, row: dict[str, Node]) -> DutyItem:
        return DutyItem(
            link(node, _text(row.get("label"))),
            whole_number(row.get("number")),
            _optional_link(link, row, "catalog", "catalogLabel"),
            _optional_link(link, row, "type", "typeLabel"),
        )

    items = _first_complete(rows, "duty", make, lambda i: i.list_type is not None)
    return sorted(items, key=duty_sort_key)


def duty_sort_key(item: DutyItem) -> tuple[str, str, int, str]:
    """Catalog, then list type, then the printed number (numerically), then the label.

    >>> a = DutyItem(Link("a"), 10, Link("C"), Link("协助"))
    >>> b = DutyItem(Link("b"), 2, Link("C"), Link("协助"))
    >>> [i.link.text for i in sorted([a, b], key=duty_sort_key)]
    ['b', 'a']
    """
    return (
        item.catalog.text if item.catalog else "",
        item.list_type.text if item.list_type else "",
        item.number if item.number is not None else 1 << 30,
        item.link.text,
    )


def page_of(items: list[DutyItem], page: int) -> DutyList:
    """Page ``page`` (from 1; clamped into range) of ``items``, :data:`PAGE_SIZE` a page.

    >>> page_of([DutyItem(Link(str(n)), n, None, None) for n in range(120)], 9).page
    3
    """
    pages = max(1, -(-len(items) // PAGE_SIZE))
    page = min(max(page, 1), pages)
    start = (page - 1) * PAGE_SIZE
    return DutyList(items[start : start + PAGE_SIZE], len(items), page, pages, items)


def list_counts(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[ListCount]:
    counts = [
        ListCount(
            link(row["catalog"], _text(row.get("catalogLabel"))),
            link(row["type"], _text(row.get("typeLabel"))),
            whole_number(row.get("count")) or 0,
        )
        for row in rows
    ]
    return sorted(counts, key=lambda c: (c.catalog.text, c.list_type.text))


def places(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[PlaceCount]:
    found = [
        PlaceCount(
            link(row["place"], _text(row.get("label"))),
            _text(row.get("code")),
            whole_number(row.get("count")) or 0,
        )
        for row in rows
    ]
    return sorted(found, key=lambda p: (p.code or "", p.link.text))


def editions(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[EditionView]:
    found: dict[Node, EditionView] = {}
    for row in rows:
        found[row["edition"]] = EditionView(
            link(row["edition"], _text(row.get("label"))),
            _text(row.get("date")),
            _text(row.get("entry")),
            str(row.get("inForce", "")).endswith("InForce-inForce"),
            _text(row.get("event")),
        )
    return sorted(found.values(), key=lambda e: e.date or "")


def articles(rows: Iterable[dict[str, Node]], link: MakeLink) -> list[ArticleView]:
    """Rows of :data:`ARTICLES` grouped by article, each with its texts and citing duties."""

    def make(node: Node, row: dict[str, Node]) -> ArticleView:
        return ArticleView(
            link(node, _text(row.get("provisionLabel"))), whole_number(row.get("article")), [], []
        )

    def add(view: ArticleView, row: dict[str, Node]) -> None:
        _add_article_text(view.texts, row)
        duty = link(row["duty"], _text(row.get("dutyLabel")))
        if duty not in view.duties:
            view.duties.append(duty)

    views = _by_node(rows, "provision", make, add)
    for view in views:
        view.texts.sort()
        view.duties.sort(key=lambda d: _iri_key(d.iri or d.text))
    return sorted(views, key=lambda a: (a.number or 0, a.link.text))


@dataclass
class Extras:
    """Everything a page shows from its own queries (empty lists: nothing of that kind)."""

    citations: list[CitationView] = field(default_factory=list)
    departments: list[LabelledWith] = field(default_factory=list)
    topics: list[LabelledWith] = field(default_factory=list)
    duties: DutyList | None = None
    lists: list[ListCount] = field(default_factory=list)
    places: list[PlaceCount] = field(default_factory=list)
    editions: list[EditionView] = field(default_factory=list)
    articles: list[ArticleView] = field(default_factory=list)

    @property
    def listed(self) -> set[str]:
        """IRIs the page lists in its own tables (left out of its incoming links)."""
        found = {d.link.iri for d in self.duties.all} if self.duties else set()
        found |= {p.link.iri for p in self.places}
        return {iri for iri in found if iri}


_CD = "https://w3id.org/cdkg/ontology#"
_GATHERS_DUTIES = {
    _CD + name
    for name in (
        "Jurisdiction",
        "Catalog",
        "Department",
        "Topic",
        "LegalDocument",
        "LegalProvision",
    )
}


def extras(
    select: Callable[[str], list[dict[str, Node]]],
    this: str,
    kinds: set[str],
    link: MakeLink,
    page: int = 1,
) -> Extras:
    """The extra views of the resource ``this`` (a checked SPARQL IRI reference) of types
    ``kinds``; ``page`` is the page of its duty list."""
    found = Extras()
    if _CD + "Duty" in kinds:
        found.citations = citations(select(CITATIONS.substitute(this=this)), link)
        departments = GROUPED.substitute(this=this, predicate="cd:department", group="cd:sector")
        found.departments = grouped(select(departments), link)
        topics = GROUPED.substitute(this=this, predicate="cd:topic", group="skos:broader")
        found.topics = grouped(select(topics), link, english=True)
        return found
    if _CD + "Jurisdiction" in kinds:
        found.lists = list_counts(select(LISTS.substitute(this=this)), link)
        found.places = places(select(SUBDIVISIONS.substitute(this=this)), link)
    if _CD + "LegalDocument" in kinds:
        found.editions = editions(select(EDITIONS.substitute(this=this)), link)
        found.articles = articles(select(CITED_ARTICLES.substitute(this=this)), link)
    if kinds & _GATHERS_DUTIES:
        items = duty_items(select(DUTIES.substitute(this=this)), link)
        if items:
            found.duties = page_of(items, page)
    return found
