"""Reading the form and risky keywords of a request text (cdkg.server.store.sparql_text).

The SERVICE spellings below were each checked against pyoxigraph 0.5.13: it reads every one of
them as a SERVICE (issue 12; ``SERVICESILENT<…>`` and ``?a ?b trueSERVICE<…>{…}`` passed the
former keyword scan and made pyoxigraph fetch the URL)."""

from __future__ import annotations

import time

import pytest

from cdkg.server.store.sparql_text import MAX_DEPTH, analyse, bare_text

URL = "<http://127.0.0.1:9/sparql>"


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("  select * {}", "SELECT"),
        ("SELECT*{}", "SELECT"),
        ("PREFIX cd: <https://w3id.org/cdkg/ontology#>\nASK { ?s a cd:Duty }", "ASK"),
        ("BASE <http://x/> PREFIX select: <http://y/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# DESCRIBE in a comment\nDESCRIBE <http://x>", "DESCRIBE"),
        ("PREFIX a: <http://x/> INSERT DATA { a:s a:p a:o }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("LOAD <http://example.org/x.ttl>", "LOAD"),
        ("LOADSILENT<http://example.org/x.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("hello", None),
        ("", None),
    ],
)
def test_form(text: str, form: str | None) -> None:
    assert analyse(text).form == form


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", "SERVICE"),
        ("SELECT * { service silent <http://x/sparql> { ?s ?p ?o } }", "service"),
        ("SELECT * { ?s ?p ?o OPTIONAL { SERVICE ?x { ?a ?b ?c } } }", "SERVICE"),
        # glued to another keyword, a literal, a bracket (the spellings)
        (f"SELECT * WHERE {{ SERVICESILENT{URL}{{ ?s ?p ?o }} }}", "SERVICESILENT"),
        (f"SELECT * WHERE {{ ?a ?b trueSERVICE{URL}{{ ?s ?p ?o }} }}", "trueSERVICE"),
        (f"SELECT * WHERE {{ ?a ?b 1SERVICE{URL}{{ ?s ?p ?o }} }}", "1SERVICE"),
        (f'SELECT * WHERE {{ ?a ?b "x"SERVICE{URL}{{ ?s ?p ?o }} }}', "SERVICE"),
        (f"SELECT * WHERE {{ {{}}SERVICE{URL}{{ ?s ?p ?o }} }}", "SERVICE"),
        (f"SELECT*{{SERVICE{URL}{{}}}}", "SERVICE"),
        # comments between the tokens
        (f"SELECT * WHERE {{ SERVICE#{URL}\n{URL}{{ ?s ?p ?o }} }}", "SERVICE"),
        (f"SELECT * WHERE {{ SERVICE #x\n SILENT #y\n {URL} {{ }} }}", "SERVICE"),
        # a prefixed name or a variable after it; the prefix itself may be the keyword
        ("PREFIX ex: <http://127.0.0.1:9/> SELECT * { SERVICE ex:x { ?s ?p ?o } }", "SERVICE"),
        ("PREFIX : <http://127.0.0.1:9/> SELECT * { service:x{ ?s ?p ?o } }", "service:"),
        ("PREFIX ex: <http://127.0.0.1:9/> SELECT * { SERVICEex:x{ ?s ?p ?o } }", "SERVICEex:"),
        ("SELECT * { SERVICE ?g { ?s ?p ?o } VALUES ?g { <http://x> } }", "SERVICE"),
        ("PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?o }", "service:"),
        # any case, as rdflib compares (str.upper: ſ is S, ı is I), and \u escapes (rdflib)
        (f"SELECT * WHERE {{ SeRvIcE{URL}{{}} }}", "SeRvIcE"),
        (f"SELECT * WHERE {{ ſervıce{URL}{{}} }}", "ſervıce"),
        (f"SELECT * WHERE {{ \\u0053ERVICE{URL}{{}} }}", "SERVICE"),
        (f'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE{URL}{{}} #" }}', "SERVICE"),
        # a string without its end hides nothing
        (f'SELECT * WHERE {{ ?s ?p """x" . SERVICE{URL}{{}} }}', "SERVICE"),
    ],
)
def test_service_in_any_spelling(text: str, word: str) -> None:
    assert analyse(text).service == word


@pytest.mark.parametrize(
    "text",
    [
        'SELECT ("SERVICE" AS ?x) {}',
        "SELECT ('''a\nSERVICE''' AS ?x) {}",
        'SELECT ("a\\"SERVICE" AS ?x) {}',
        "SELECT * { ?s <http://x/SERVICE> ?o }",
        "SELECT * { ?s <http://x/\\u0041#> ?o } # SERVICE",
        "PREFIX ex: <http://x/> SELECT * { ?s ex:SERVICE ?o . ?s ex:a.SERVICE ?o }",
        "SELECT ?service { ?service ?p ?o . ?s ?p $LOAD }",
        "SELECT * { ?s ?p ?o } # SERVICE <http://x>",
        "SELECT * { :SERVICE ?p ?o . _:SERVICE ?p ?o }",
        "SELECT * { ?s ?p ?o FILTER(?o < 3) FILTER(?o > 1) }",
    ],
)
def test_service_inside_other_tokens_is_not_seen(text: str) -> None:
    assert analyse(text).service is None


def test_less_than_is_not_an_iri() -> None:
    """``<`` as an operator must not hide what follows inside a fake IRI."""
    text = "SELECT * { ?s ?p ?o FILTER(?o < 3) SERVICE <http://x> { ?a ?b ?c } FILTER(?o > 1) }"
    assert analyse(text).service == "SERVICE"


@pytest.mark.parametrize(
    ("text", "load"),
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("load silent <http://x> into graph <http://g>", "load"),
        ("LOADSILENT<http://127.0.0.1:9/x.ttl>", "LOADSILENT"),
        ("LOAD<http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("CLEAR ALL;LOAD<http://127.0.0.1:9/x.ttl>", "LOAD"),
        ("INSERT DATA{};#x\nLoAd <http://127.0.0.1:9/x.ttl>", "LoAd"),
        ("PREFIX ex: <http://127.0.0.1:9/> LOAD ex:x", "LOAD"),
        ("\\u004cOAD <http://127.0.0.1:9/x.ttl>", "LOAD"),
        ('INSERT DATA { <http://a> <http://b> "LOAD" }', None),
        ("INSERT DATA { <http://a> <http://b/LOAD> ?download }", None),
    ],
)
def test_load(text: str, load: str | None) -> None:
    assert analyse(text).load == load


@pytest.mark.parametrize(
    ("text", "dataset"),
    [
        ("SELECT * FROM <http://g> { ?s ?p ?o }", True),
        ("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }", True),
        ("SELECT*FROM<http://g>{ ?s ?p ?o }", True),
        ('SELECT * { ?s ?p "FROM" }', False),
        ("PREFIX from: <http://x/> SELECT * { ?s from:p ?o }", False),
    ],
)
def test_dataset_clause(text: str, dataset: bool) -> None:
    assert analyse(text).dataset_clause is dataset


def test_prefixes_used_and_declared() -> None:
    info = analyse('PREFIX ex: <http://x/> SELECT * { ?s rdfs:label "a:b" ; ex:p <c:d> . } # cd:x')
    assert info.prefixes_used == {"ex", "rdfs"}
    assert info.prefixes_declared == {"ex"}


@pytest.mark.parametrize("opening", ["{", "(", "[", "<<"])
def test_nesting_depth(opening: str) -> None:
    closing = {"{": "}", "(": ")", "[": "]", "<<": ">>"}[opening]
    deep = analyse(f"SELECT * WHERE {{ {opening * 10_000}{closing * 10_000} }}")
    assert deep.depth >= 10_000 and deep.too_deep
    fine = analyse("SELECT * WHERE " + "{" * MAX_DEPTH + "}" * MAX_DEPTH)
    assert fine.depth == MAX_DEPTH and not fine.too_deep


def test_brackets_in_strings_iris_and_comments_do_not_count() -> None:
    text = 'SELECT * { ?s ?p "{{{{((((" . ?s <http://x/(> ?o } # ((((((\n'
    assert analyse(text).depth == 1
    assert analyse("SELECT * { FILTER(?x<<http://a>) }").depth == 2  # "<", then an IRI


MALFORMED = {
    "quotes": '"',
    "unterminated short strings": '\\"\n',
    "escaped long-string ends": '\\"""\n',
    "long string openings": "'''\\'",
    "dotted names": "a.",
    "less-than": "<a",
    "colons": ": ",
    "variables": "?a ",
    "comments": "#\n",
    "braces": "{",
    "escapes": "\\u0053",
}


@pytest.mark.parametrize("unit", MALFORMED.values(), ids=MALFORMED.keys())
def test_a_megabyte_of_malformed_text_is_read_fast(unit: str) -> None:
    """Linear, not quadratic: the former lexer took 3.7 s for 16 KB of such text (issue 12)."""
    text = unit * (1_000_000 // len(unit))
    started = time.perf_counter()
    analyse(text)
    assert time.perf_counter() - started < 1.0


def test_bare_text_keeps_offsets_of_nothing_but_shows_the_bare_words() -> None:
    bare = bare_text('SELECT ?service { <http://x/SERVICE> ex:LOAD "SERVICE" } # LOAD')
    assert bare == "SELECT \0 { \0 ex: \0 } \0"
