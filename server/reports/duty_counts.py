"""The check report's pictures and duty count from counting queries, not from the duty table.

The coverage matrix (duties per topic and jurisdiction) and the sector bars (duties per
department sector and jurisdiction) are counts. Drawn from the full duty table
(:func:`cdkg.server.reports.charts.coverage` and ``sector_bars``) they cost the whole table:
at 3,000 jurisdictions 182,617 duties, a query of 90 s for the duties and minutes for their
links. Here the store counts (GROUP BY) — the topic × jurisdiction matrix is read from the
build's statistics graph when the store has one (:data:`TOPIC_STATISTICS_QUERY`) — and the
answer is the same
``Coverage`` and ``SectorBars`` (tests/reports/test_duty_counts.py compares the two on the
seeds).

>>> import pyoxigraph as ox
>>> from cdkg.server.store.engines import OxigraphStore
>>> store = OxigraphStore(ox.Store(), "v0")
>>> store.update('''INSERT DATA { GRAPH <http://g> {
...   <http://d> a cd:Duty ; cd:jurisdiction <http://j> ; cd:topic <http://t> .
...   <http://t> skos:prefLabel "禁毒"@zh . <http://j> rdfs:label "甲市"@zh . } }''')
>>> duty_count(store), coverage_counts(store).counts
(1, {('http://t', 'http://j'): 1})
"""

from __future__ import annotations

from collections import Counter, defaultdict

from rdflib import Literal

from .charts import Coverage, SectorBars
from .duties import PREFIX_LINES, Selector

COUNT_QUERY = PREFIX_LINES + "SELECT (COUNT(DISTINCT ?duty) AS ?n) WHERE { ?duty a cd:Duty }"

JURISDICTIONS_QUERY = (
    PREFIX_LINES
    + """SELECT ?jurisdiction (MIN(?file) AS ?first) (COUNT(DISTINCT ?duty) AS ?duties)
       (MIN(?label) AS ?jurisdictionLabel) WHERE {
  ?duty a cd:Duty ; cd:jurisdiction ?jurisdiction .
  OPTIONAL { ?duty prov:wasDerivedFrom/cd:fileName ?file }
  OPTIONAL { ?jurisdiction rdfs:label ?label FILTER(langMatches(lang(?label), "zh")) }
} GROUP BY ?jurisdiction"""
)
"""Each jurisdiction with duties: the first file its duties come from (the source order),
its duties, and its Chinese label (the least, as the duty table keeps)."""

TOPIC_STATISTICS_QUERY = (
    PREFIX_LINES
    + """SELECT ?topic ?jurisdiction ?assigned ?removed WHERE {
  { SELECT ?observation ?assigned WHERE { ?observation cd:assignedDutyCount ?assigned } }
  { SELECT ?observation ?removed WHERE { ?observation cd:removedDutyCount ?removed } }
  { SELECT ?observation ?topic WHERE { ?observation cd:refTopic ?topic } }
  { SELECT ?observation ?jurisdiction WHERE { ?observation cd:refJurisdiction ?jurisdiction } }
}"""
)
"""The build's statistics slice jurisdiction-topic (loaders/statistics.py: the only slice with
cd:assignedDutyCount): per topic and jurisdiction, the duties of the to-do lists and those
of the cancelled and excluded lists — every list type, so their sum is TOPICS_QUERY's count,
read from a few thousand observations instead of counted over every duty. The other
pictures have no slice that counts what they count (the jurisdiction and sector slices count
the to-do lists only, by the jurisdiction of the catalog)."""

TOPICS_QUERY = (
    PREFIX_LINES
    + """SELECT ?topic ?jurisdiction (COUNT(DISTINCT ?duty) AS ?n) WHERE {
  ?duty a cd:Duty ; cd:topic ?topic ; cd:jurisdiction ?jurisdiction .
} GROUP BY ?topic ?jurisdiction"""
)

# The sector counts join whole sides (one sub-select per predicate: hash joins) instead of
# following cd:department/cd:sector from each duty: at 300 jurisdictions the FILTER EXISTS
# form of WITH_SECTOR_QUERY took 79 s (0.14 s joined), the others 1 s and 0.6 s (0.16 s,
# 0.08 s); same rows.
_SECTOR_OF = "{ SELECT ?department ?sector WHERE { ?department cd:sector ?sector } }"
_DEPARTMENT_OF = "{ SELECT ?duty ?department WHERE { ?duty cd:department ?department } }"
_JURISDICTION_OF = "{ SELECT ?duty ?jurisdiction WHERE { ?duty cd:jurisdiction ?jurisdiction } }"
_DUTIES = "{ SELECT ?duty WHERE { ?duty a cd:Duty } }"

SECTORS_QUERY = (
    PREFIX_LINES
    + f"""SELECT ?sector ?jurisdiction (COUNT(DISTINCT ?duty) AS ?n) WHERE {{
  {_SECTOR_OF} {_DEPARTMENT_OF} {_JURISDICTION_OF} {_DUTIES}
}} GROUP BY ?sector ?jurisdiction"""
)

SECTOR_TOTALS_QUERY = (
    PREFIX_LINES
    + f"""SELECT ?sector (COUNT(DISTINCT ?duty) AS ?n) WHERE {{
  {_SECTOR_OF} {_DEPARTMENT_OF} {_DUTIES}
}} GROUP BY ?sector"""
)

WITH_SECTOR_QUERY = (
    PREFIX_LINES
    + f"""SELECT ?jurisdiction (COUNT(DISTINCT ?duty) AS ?n) WHERE {{
  {{ SELECT DISTINCT ?duty WHERE {{ {_SECTOR_OF} {_DEPARTMENT_OF} }} }}
  {_JURISDICTION_OF} {_DUTIES}
}} GROUP BY ?jurisdiction"""
)

LABELS_QUERY = (
    PREFIX_LINES
    + """SELECT ?concept (MIN(?label) AS ?text) WHERE {
  VALUES ?concept { %s }
  ?concept skos:prefLabel ?label FILTER(langMatches(lang(?label), "zh"))
} GROUP BY ?concept"""
)


def duty_count(selector: Selector) -> int:
    """How many duties the store holds."""
    return int(str(selector.select(COUNT_QUERY)[0]["n"]))


def _number(value: object) -> int:
    return int(str(value)) if isinstance(value, Literal) else 0


def _labels(selector: Selector, iris: set[str]) -> dict[str, str]:
    """The least Chinese skos:prefLabel of each concept, else the last segment of its IRI
    (as the duty table labels its links)."""
    found: dict[str, str] = {}
    if iris:
        terms = " ".join(f"<{iri}>" for iri in sorted(iris))
        for row in selector.select(LABELS_QUERY % terms):
            found[str(row["concept"])] = str(row["text"])
    return {iri: found.get(iri) or iri.rsplit("/", 1)[-1] for iri in iris}


def jurisdictions(selector: Selector) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """(IRI, label) of the jurisdictions with duties in source-file order, and the duties of
    each."""
    rows = selector.select(JURISDICTIONS_QUERY)
    ordered = sorted(rows, key=lambda r: (str(r.get("first", "")), str(r["jurisdiction"])))
    listed = [
        (str(r["jurisdiction"]), str(r.get("jurisdictionLabel") or r["jurisdiction"]))
        for r in ordered
    ]
    return listed, {str(r["jurisdiction"]): _number(r["duties"]) for r in rows}


def topic_counts(selector: Selector, statistics: bool = True) -> dict[tuple[str, str], int]:
    """Duties per (topic, jurisdiction): from the statistics graph when the store has one
    (and ``statistics``), else counted over the duties."""
    if statistics:
        counts = {
            (str(row["topic"]), str(row["jurisdiction"])): _number(row["assigned"])
            + _number(row["removed"])
            for row in selector.select(TOPIC_STATISTICS_QUERY)
        }
        if counts:
            return {pair: n for pair, n in counts.items() if n}
    return {
        (str(row["topic"]), str(row["jurisdiction"])): _number(row["n"])
        for row in selector.select(TOPICS_QUERY)
    }


def coverage_counts(selector: Selector, listed: list[tuple[str, str]] | None = None) -> Coverage:
    """The jurisdiction × topic matrix; topics present in most jurisdictions first (as
    :func:`cdkg.server.reports.charts.coverage` orders them)."""
    if listed is None:
        listed = jurisdictions(selector)[0]
    counts = topic_counts(selector)
    labels = _labels(selector, {topic for topic, _ in counts})
    result = Coverage(listed, [], counts)
    covered: Counter[str] = Counter()
    totals: Counter[str] = Counter()
    for (topic, _), n in counts.items():
        covered[topic] += 1
        totals[topic] += n
    order = sorted(labels, key=lambda t: (-covered[t], -totals[t], labels[t]))
    result.topics.extend((topic, labels[topic]) for topic in order)
    return result


def sector_counts(
    selector: Selector,
    listed: list[tuple[str, str]] | None = None,
    per_jurisdiction: dict[str, int] | None = None,
) -> SectorBars:
    """Duties per sector, split by jurisdiction, and the duties no department's sector
    names (as :func:`cdkg.server.reports.charts.sector_bars` counts them)."""
    if listed is None or per_jurisdiction is None:
        listed, per_jurisdiction = jurisdictions(selector)
    rows = selector.select(SECTORS_QUERY)
    totals = {str(r["sector"]): _number(r["n"]) for r in selector.select(SECTOR_TOTALS_QUERY)}
    labels = _labels(selector, set(totals))
    split: dict[str, Counter[str]] = defaultdict(Counter)
    for row in rows:
        split[labels[str(row["sector"])]][str(row["jurisdiction"])] += _number(row["n"])
    distinct: Counter[str] = Counter()
    for sector, n in totals.items():
        distinct[labels[sector]] += n
    bars = [(label, dict(split[label]), distinct[label]) for label in split]
    bars.sort(key=lambda bar: (-bar[2], bar[0]))
    with_sector = {
        str(r["jurisdiction"]): _number(r["n"]) for r in selector.select(WITH_SECTOR_QUERY)
    }
    unassigned = {
        iri: n - with_sector.get(iri, 0)
        for iri, n in per_jurisdiction.items()
        if n - with_sector.get(iri, 0)
    }
    return SectorBars(listed, bars, unassigned)
