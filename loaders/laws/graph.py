"""Readings of cited provisions → the named graph ``<base>graph/law-texts``.

Kept apart from the catalog graphs (which stay exactly as they are without a texts folder):
every edition of each cited national document, as a cd:Edition (⊑ eli:LegalExpression) that
eli:realizes the document, with its dates; the articles the readings name, as
cd:ArticleVersion (⊑ eli:LegalExpression) with their text; and one cd:ProvisionReading per
cited provision of each citation, holding what the named checks in queries/law-text-*.rq read.
IRIs extend the document's: ``law/<id>/edition/<YYYY-MM-DD>[/art-<n>]``, and the citation's:
``…/citation/<i>/reading/art-<n>[-para-<m>][-item-<k>]``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from rdflib import XSD, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS

from cdkg.ontology.namespace import CD, ELI

from ..rdf.graph import ELI_IN_FORCE, ELI_NOT_IN_FORCE, TripleSink, new_graph, zh
from ..rdf.iris import Minter
from .articles import EditionText, Reading, TextReadings
from .register import LawEntry
from .texts import Article

__all__ = ["GRAPH_NAME", "law_texts_graph"]

GRAPH_NAME = "law-texts"


def _decimal(value: float) -> Literal:
    return Literal(Decimal(f"{value:.3f}"), datatype=XSD.decimal)


def _date(value: str) -> Literal:
    return Literal(value, datatype=XSD.date)


def edition_iri(minter: Minter, law_id: str, date: str) -> URIRef:
    return URIRef(f"{minter.law(law_id)}/edition/{date}")


def article_iri(minter: Minter, law_id: str, date: str, article: Article) -> URIRef:
    sub = f"-{article.sub}" if article.sub else ""
    return URIRef(f"{edition_iri(minter, law_id, date)}/art-{article.number}{sub}")


def reading_iri(reading: Reading) -> URIRef:
    return URIRef(f"{reading.cited.citation}/reading/{'-'.join(reading.cited.ref.path)}")


def _editions(graph: Graph, law: LawEntry, editions: list[EditionText], minter: Minter) -> None:
    document = minter.law(law.id)
    latest = editions[-1].date if editions else ""
    for edition in editions:
        node = edition_iri(minter, law.id, edition.date)
        graph.add((node, RDF.type, CD.Edition))
        graph.add((node, RDFS.label, zh(f"《{law.canonical_title}》（{edition.date}）")))
        graph.add((node, RDFS.label, Literal(f"{law.id} edition of {edition.date}", lang="en")))
        graph.add((node, ELI.realizes, document))
        graph.add((document, ELI.is_realized_by, node))
        graph.add((node, ELI.date_document, _date(edition.date)))
        if edition.in_force_from != edition.date:
            graph.add((node, ELI.first_date_entry_in_force, _date(edition.in_force_from)))
        current = edition.date == latest and law.status != "repealed"
        graph.add((node, ELI.in_force, ELI_IN_FORCE if current else ELI_NOT_IN_FORCE))
        if edition.event:
            graph.add((node, CD.editionEvent, zh(edition.event)))
        if edition.text is not None:
            graph.add((node, CD.textFile, Literal(edition.text.file)))
            graph.add(
                (node, CD.articleCount, Literal(edition.text.last_article, datatype=XSD.integer))
            )
        if not edition.listed:
            graph.add(
                (
                    node,
                    SKOS.note,
                    Literal("not listed in law-editions.csv: dated by its file name", lang="en"),
                )
            )


def _article(
    graph: Graph,
    law: LawEntry,
    edition: EditionText,
    article: Article,
    minter: Minter,
    cited: frozenset[URIRef] = frozenset(),
) -> URIRef:
    """An article version, realizing its provision; the provision's own triples only when no
    catalog graph has them already (a catalog graph describes every article it cites, and a
    store's union graph would repeat a triple held by two graphs)."""
    node = article_iri(minter, law.id, edition.date, article)
    graph.add((node, RDF.type, CD.ArticleVersion))
    graph.add((node, RDFS.label, zh(f"《{law.canonical_title}》（{edition.date}）{article.label}")))
    graph.add((node, CD.inEdition, edition_iri(minter, law.id, edition.date)))
    graph.add((node, CD.articleText, zh(article.text)))
    graph.add((node, CD.paragraphCount, Literal(len(article.paragraphs), datatype=XSD.integer)))
    if not article.sub:
        provision = minter.provision(law.id, article.number)
        graph.add((node, ELI.realizes, provision))
        if provision in cited:
            return node
        graph.add((provision, RDF.type, CD.LegalProvision))
        graph.add((provision, RDFS.label, zh(f"《{law.canonical_title}》第{article.number}条")))
        graph.add((provision, CD.article, Literal(article.number, datatype=XSD.integer)))
        graph.add((provision, CD.isProvisionOf, minter.law(law.id)))
    return node


def _reading(graph: Graph, reading: Reading, minter: Minter, described: frozenset[URIRef]) -> None:
    cited = reading.cited
    law = cited.law
    node = reading_iri(reading)
    graph.add((node, RDF.type, CD.ProvisionReading))
    graph.add((node, RDFS.label, zh(f"核对《{law.canonical_title}》{reading.cited.ref.printed}")))
    graph.add((node, CD.readsCitation, URIRef(cited.citation)))
    graph.add((node, CD.readsProvision, URIRef(cited.provision)))
    graph.add((node, CD.editionInForce, edition_iri(minter, law.id, reading.in_force.date)))
    graph.add((node, CD.editionRead, edition_iri(minter, law.id, reading.read.date)))
    if reading.reference:
        graph.add((node, CD.referenceDate, _date(reading.reference)))
    if reading.article is not None:
        version = _article(graph, law, reading.read, reading.article, minter, described)
        graph.add((node, CD.articleVersion, version))
    if reading.text is not None:
        graph.add((node, CD.articleText, zh(reading.text)))
    if reading.item_count is not None:
        graph.add((node, CD.itemCount, Literal(reading.item_count, datatype=XSD.integer)))
    if reading.same_number_similarity is not None:
        graph.add((node, CD.sameNumberSimilarity, _decimal(reading.same_number_similarity)))
    if reading.now_held_by is not None and reading.latest is not None:
        moved = _article(graph, law, reading.latest, reading.now_held_by, minter, described)
        graph.add((node, CD.nowHeldBy, moved))
        graph.add((node, CD.nowHeldSimilarity, _decimal(reading.now_held_similarity or 0.0)))
    if reading.duty_similarity is not None:
        graph.add((node, CD.dutySimilarity, _decimal(reading.duty_similarity)))
    if reading.closest is not None:
        closest = _article(graph, law, reading.read, reading.closest, minter, described)
        graph.add((node, CD.closestArticle, closest))
        graph.add((node, CD.closestSimilarity, _decimal(reading.closest_similarity or 0.0)))
    for note in reading.notes:
        graph.add((node, SKOS.note, Literal(note, lang="en")))


def law_texts_graph(
    readings: TextReadings, minter: Minter, sink: TripleSink | None = None
) -> Graph:
    """The law-texts graph of a build (to ``sink`` when given, else a new rdflib Graph)."""
    graph = new_graph(minter.graph(GRAPH_NAME)) if sink is None else cast(Graph, sink)
    laws = {r.cited.law.id: r.cited.law for r in readings.readings}
    laws.update({law.id: law for law in readings.without_text})
    for law_id, editions in readings.editions.items():
        if law_id in laws:
            _editions(graph, laws[law_id], editions, minter)
    cited = frozenset(
        minter.provision(r.cited.law.id, r.cited.ref.article) for r in readings.readings
    )
    for reading in readings.readings:
        _reading(graph, reading, minter, cited)
    return graph
