"""Content negotiation (cdkg.server.store.negotiation): Accept parsing and format choice."""

from __future__ import annotations

import pytest

from cdkg.server.store import negotiation as n
from cdkg.server.store.negotiation import GRAPH_FORMATS, RESULT_FORMATS


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, []),
        ("", []),
        ("text/turtle", [("text", "turtle", 1.0)]),
        ("TEXT/Turtle ; Q=0.5", [("text", "turtle", 0.5)]),
        ("*", [("*", "*", 1.0)]),
        ("text/*;q=0.2, */*;q=0.1", [("text", "*", 0.2), ("*", "*", 0.1)]),
        ("application/json;charset=utf-8;q=0.9", [("application", "json", 0.9)]),
        # malformed elements are skipped, the rest kept
        ("text, /json, a/b/c;q=x, */json, text/csv;q=2, text/tsv;q=nan", []),
        ("garbage;;;, text/csv", [("text", "csv", 1.0)]),
    ],
)
def test_parse_accept(header: str | None, expected: list[tuple[str, str, float]]) -> None:
    assert [(r.type, r.subtype, r.q) for r in n.parse_accept(header)] == expected


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "json"),
        ("*/*", "json"),
        ("application/sparql-results+json", "json"),
        ("application/json", "json"),
        ("application/sparql-results+xml", "xml"),
        ("application/xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("text/csv;q=0.5, text/tab-separated-values", "tsv"),
        ("text/*", "csv"),  # tie between csv and tsv: the server's order decides
        ("text/*;q=0.9, text/csv;q=0.1", "tsv"),  # the most specific range decides csv's q
        # a browser: html is not offered, application/xml;q=0.9 beats */*;q=0.8
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "xml"),
        # SPARQLWrapper's JSON Accept header
        ("application/sparql-results+json,application/json,text/javascript", "json"),
        ("application/sparql-results+json;q=0, */*", "xml"),
        ("text/xml", "xml"),  # an alias named exactly
    ],
)
def test_negotiate_results(accept: str | None, key: str) -> None:
    fmt = n.negotiate(accept, RESULT_FORMATS)
    assert fmt is not None and fmt.key == key


@pytest.mark.parametrize(
    ("accept", "key"),
    [
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/n-quads", "nquads"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("text/n3", "turtle"),
        ("application/turtle,text/turtle", "turtle"),
        ("text/turtle;q=0.5, application/ld+json", "jsonld"),
    ],
)
def test_negotiate_graphs(accept: str | None, key: str) -> None:
    fmt = n.negotiate(accept, GRAPH_FORMATS)
    assert fmt is not None and fmt.key == key


@pytest.mark.parametrize(
    ("accept", "formats"),
    [
        ("text/html", RESULT_FORMATS),
        ("image/png", GRAPH_FORMATS),
        ("text/turtle", RESULT_FORMATS),
        ("application/sparql-results+json", GRAPH_FORMATS),
        ("*/*;q=0", RESULT_FORMATS),
    ],
)
def test_negotiate_nothing_acceptable(accept: str, formats: tuple[n.Format, ...]) -> None:
    assert n.negotiate(accept, formats) is None


@pytest.mark.parametrize(
    ("params", "formats", "key"),
    [
        (["json"], RESULT_FORMATS, "json"),
        (["XML"], RESULT_FORMATS, "xml"),
        (["xml"], GRAPH_FORMATS, "rdfxml"),
        (["json"], GRAPH_FORMATS, "jsonld"),
        (["tsv", "text/tab-separated-values"], RESULT_FORMATS, "tsv"),  # as SPARQLWrapper sends
        (["json-ld", "application/ld+json"], GRAPH_FORMATS, "jsonld"),
        (["rdf+xml", "application/rdf+xml"], GRAPH_FORMATS, "rdfxml"),
        (["n3"], GRAPH_FORMATS, "turtle"),
        (["nonsense", "csv"], RESULT_FORMATS, "csv"),
        (["text/csv; charset=utf-8"], RESULT_FORMATS, "csv"),
    ],
)
def test_format_parameter(params: list[str], formats: tuple[n.Format, ...], key: str) -> None:
    fmt = n.choose("application/sparql-results+xml", params, formats)
    assert fmt is not None and fmt.key == key


def test_format_parameter_wins_over_accept() -> None:
    assert n.choose("text/csv", ["tsv"], RESULT_FORMATS) is n.SPARQL_TSV


def test_unusable_format_parameter_is_not_acceptable() -> None:
    assert n.choose("*/*", ["csv"], GRAPH_FORMATS) is None
    assert n.choose("*/*", ["", " "], RESULT_FORMATS) is n.SPARQL_JSON  # blank = absent


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, False),
        ("gzip", True),
        ("gzip, deflate, br", True),
        ("GZIP;q=0.5", True),
        ("gzip;q=0", False),
        ("*", True),
        ("*;q=0", False),
        ("br", False),
        ("identity", False),
    ],
)
def test_accepts_gzip(header: str | None, expected: bool) -> None:
    assert n.accepts_encoding(header, "gzip") is expected


def test_every_format_has_utf8_content_type_and_engine_format() -> None:
    for fmt in RESULT_FORMATS:
        assert fmt.content_type.endswith("; charset=utf-8")
        assert n.results_format(fmt) is not None
    for fmt in GRAPH_FORMATS:
        assert n.rdf_format(fmt) is not None
    assert n.by_media_type("text/turtle; charset=utf-8") is n.TURTLE
    with pytest.raises(ValueError):
        n.by_media_type("text/html+bogus")


@pytest.mark.parametrize(
    ("form", "formats"),
    [
        ("SELECT", RESULT_FORMATS),
        ("ASK", RESULT_FORMATS),
        ("CONSTRUCT", GRAPH_FORMATS),
        ("DESCRIBE", GRAPH_FORMATS),
        (None, RESULT_FORMATS),
    ],
)
def test_formats_for_form(form: str | None, formats: tuple[n.Format, ...]) -> None:
    assert n.formats_for_form(form) == formats
