"""Content negotiation: the one table of media types, and Accept parsing (pure functions).

Every route picks its response format here, from the ``Accept`` header (RFC 9110 §12.5.1:
q-values, the most specific matching range decides a type's quality, ``q=0`` refuses) or
from a ``format``/``output`` request parameter, which wins over ``Accept`` (SPARQLWrapper and
many SPARQL clients send both; a parameter may name a format — ``json``, ``turtle`` — or a
media type). Nothing here touches Flask, so it is tested with plain parametrised cases.

>>> negotiate("text/turtle;q=0.5, application/ld+json", GRAPH_FORMATS).key
'jsonld'
>>> negotiate("text/html", RESULT_FORMATS) is None
True
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import pyoxigraph as ox


@dataclass(frozen=True)
class Format:
    """One response format: its canonical media type, the other media types and ``format=``
    names that select it, a file extension, and the engine's matching format."""

    key: str
    media_type: str
    aliases: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    extension: str = ""

    @property
    def content_type(self) -> str:
        """The Content-Type header: every format cdkg serves is UTF-8 text."""
        return f"{self.media_type}; charset=utf-8"

    @property
    def media_types(self) -> tuple[str, ...]:
        return (self.media_type, *self.aliases)


# SELECT / ASK results (SPARQL 1.1 Query Results formats); the first is the default.
SPARQL_JSON = Format(
    "json",
    "application/sparql-results+json",
    aliases=("application/json", "text/javascript", "application/javascript"),
    names=("json", "srj"),
    extension="srj",
)
SPARQL_XML = Format(
    "xml",
    "application/sparql-results+xml",
    aliases=("application/xml", "text/xml"),
    names=("xml", "srx"),
    extension="srx",
)
SPARQL_CSV = Format("csv", "text/csv", names=("csv",), extension="csv")
SPARQL_TSV = Format("tsv", "text/tab-separated-values", names=("tsv",), extension="tsv")
RESULT_FORMATS: tuple[Format, ...] = (SPARQL_JSON, SPARQL_XML, SPARQL_CSV, SPARQL_TSV)

# CONSTRUCT / DESCRIBE results and RDF documents; the first is the default.
TURTLE = Format(
    "turtle",
    "text/turtle",
    # Turtle is a subset of N3, so an N3 client reads it (SPARQLWrapper asks for N3 this way).
    aliases=("application/x-turtle", "application/turtle", "text/n3", "text/rdf+n3"),
    names=("turtle", "ttl", "n3"),
    extension="ttl",
)
N_TRIPLES = Format(
    "ntriples",
    "application/n-triples",
    aliases=("text/plain",),
    names=("nt", "ntriples", "n-triples"),
    extension="nt",
)
N_QUADS = Format("nquads", "application/n-quads", names=("nq", "nquads", "n-quads"), extension="nq")
JSON_LD = Format(
    "jsonld",
    "application/ld+json",
    aliases=("application/x-json+ld", "application/json"),
    names=("jsonld", "json-ld", "json"),
    extension="jsonld",
)
RDF_XML = Format(
    "rdfxml",
    "application/rdf+xml",
    aliases=("application/xml", "text/xml"),
    names=("rdfxml", "rdf+xml", "rdf", "xml", "owl"),
    extension="rdf",
)
TRIG = Format("trig", "application/trig", names=("trig",), extension="trig")
GRAPH_FORMATS: tuple[Format, ...] = (TURTLE, N_TRIPLES, N_QUADS, JSON_LD, RDF_XML)
DATASET_FORMATS: tuple[Format, ...] = (TRIG, N_QUADS, JSON_LD)

HTML = Format("html", "text/html", aliases=("application/xhtml+xml",), names=("html",))

_ENGINE_RESULTS: dict[str, ox.QueryResultsFormat] = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
_ENGINE_RDF: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
}

QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


def formats_for_form(form: str | None) -> tuple[Format, ...]:
    """The formats a query form can be answered in (unknown forms are treated as SELECT,
    so the engine reports the syntax error rather than negotiation a 406)."""
    return GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS


def by_media_type(media_type: str) -> Format:
    """The format whose canonical media type is ``media_type`` (parameters ignored).

    Raises ValueError for a media type not in the table."""
    wanted = media_type.split(";", 1)[0].strip().lower()
    for fmt in (*RESULT_FORMATS, *GRAPH_FORMATS, TRIG, HTML):
        if fmt.media_type == wanted:
            return fmt
    raise ValueError(f"unknown media type {media_type!r}")


def results_format(fmt: Format) -> ox.QueryResultsFormat:
    """pyoxigraph's query-results format for ``fmt``; KeyError if it is not a results format."""
    return _ENGINE_RESULTS[fmt.key]


def rdf_format(fmt: Format) -> ox.RdfFormat:
    """pyoxigraph's RDF format for ``fmt``; KeyError if it is not an RDF format."""
    return _ENGINE_RDF[fmt.key]


@dataclass(frozen=True)
class MediaRange:
    """One element of an Accept header."""

    type: str
    subtype: str
    q: float

    def specificity(self, media_type: str) -> int:
        """How specifically this range matches ``media_type``: 2 exact, 1 ``type/*``,
        0 ``*/*``; -1 when it does not match."""
        mtype, _, msub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != mtype:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == msub else -1


_TOKEN = re.compile(r"^[A-Za-z0-9!#$&^_.+*-]+$")


def parse_accept(header: str | None) -> list[MediaRange]:
    """Parse an Accept header into media ranges; malformed elements are skipped.

    >>> parse_accept("text/turtle;q=0.8, */*;q=0.1")
    [MediaRange(type='text', subtype='turtle', q=0.8), MediaRange(type='*', subtype='*', q=0.1)]
    """
    ranges: list[MediaRange] = []
    for element in (header or "").split(","):
        pieces = element.split(";")
        media = pieces[0].strip().lower()
        if media == "*":  # some Java clients send a bare "*"
            media = "*/*"
        mtype, slash, msub = media.partition("/")
        if not slash or not _TOKEN.match(mtype) or not _TOKEN.match(msub):
            continue
        if mtype == "*" and msub != "*":
            continue
        q = _quality(pieces[1:])
        if q is not None:
            ranges.append(MediaRange(mtype, msub, q))
    return ranges


def _quality(params: Iterable[str]) -> float | None:
    """The q parameter (default 1); None when it is not a number in [0, 1]."""
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = float(value.strip())
            except ValueError:
                return None
            return q if 0.0 <= q <= 1.0 and not math.isnan(q) else None
    return 1.0


def quality(fmt: Format, ranges: Sequence[MediaRange]) -> float:
    """The client's quality for ``fmt``: for each of its media types the most specific
    matching range decides; the best of its media types counts. Aliases only match when
    named exactly. 0 when nothing matches."""
    best = 0.0
    for media_type in fmt.media_types:
        matched = [(r.specificity(media_type), r.q) for r in ranges]
        # An alias counts only when named exactly: text/* must not pick JSON by text/javascript.
        exact_only = media_type != fmt.media_type
        matched = [m for m in matched if m[0] >= (2 if exact_only else 0)]
        if matched:
            specificity = max(s for s, _ in matched)
            best = max(best, max(q for s, q in matched if s == specificity))
    return best


def negotiate(accept: str | None, formats: Sequence[Format]) -> Format | None:
    """The format to answer with, or None when the client accepts none of ``formats`` (406).

    No Accept header (or one with no valid element) means the first format. Ties in quality
    go to the earlier format in ``formats`` (the server's preference)."""
    ranges = parse_accept(accept)
    if not ranges:
        return formats[0]
    scored = [(quality(fmt, ranges), -index, fmt) for index, fmt in enumerate(formats)]
    q, _, fmt = max(scored, key=lambda item: (item[0], item[1]))
    return fmt if q > 0 else None


def by_name(value: str, formats: Sequence[Format]) -> Format | None:
    """The format a ``format=`` parameter value names (a short name or a media type)."""
    wanted = value.split(";", 1)[0].strip().lower()
    for fmt in formats:
        if wanted in fmt.names or wanted in fmt.media_types:
            return fmt
    return None


def choose(
    accept: str | None, format_params: Sequence[str], formats: Sequence[Format]
) -> Format | None:
    """The response format: the first ``format``-parameter value that names one of
    ``formats`` (parameters win over Accept), else negotiation on ``accept``; None → 406.

    Parameters that name nothing usable are ignored only if another one names something;
    when every given parameter is unusable the answer is None, not a silent default."""
    values = [v for v in format_params if v.strip()]
    for value in values:
        fmt = by_name(value, formats)
        if fmt is not None:
            return fmt
    if values:
        return None
    return negotiate(accept, formats)


def accepts_encoding(header: str | None, coding: str) -> bool:
    """Whether an Accept-Encoding header allows ``coding`` (e.g. gzip) with q > 0."""
    allowed = False
    for element in (header or "").split(","):
        pieces = element.split(";")
        name = pieces[0].strip().lower()
        if name in (coding, "*"):
            q = _quality(pieces[1:])
            if name == coding:
                return bool(q)
            allowed = bool(q)
    return allowed
