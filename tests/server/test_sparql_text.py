"""Reading the form and risky keywords of a request text (cdkg.server.sparql_text)."""

from __future__ import annotations

import pytest

from cdkg.server.sparql_text import analyse


@pytest.mark.parametrize(
    ("text", "form"),
    [
        ("SELECT * {}", "SELECT"),
        ("  select * {}", "SELECT"),
        ("PREFIX cd: <https://w3id.org/cdkg/ontology#>\nASK { ?s a cd:Duty }", "ASK"),
        ("BASE <http://x/> PREFIX select: <http://y/> CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT"),
        ("# DESCRIBE in a comment\nDESCRIBE <http://x>", "DESCRIBE"),
        ("PREFIX a: <http://x/> INSERT DATA { a:s a:p a:o }", "INSERT"),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE"),
        ("WITH <http://g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }", "WITH"),
        ("LOAD <http://example.org/x.ttl>", "LOAD"),
        ("CLEAR ALL", "CLEAR"),
        ("hello", None),
        ("", None),
    ],
)
def test_form(text: str, form: str | None) -> None:
    assert analyse(text).form == form


@pytest.mark.parametrize(
    ("text", "service"),
    [
        ("SELECT * { SERVICE <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { service silent <http://x/sparql> { ?s ?p ?o } }", True),
        ("SELECT * { ?s ?p ?o OPTIONAL { SERVICE ?x { ?a ?b ?c } } }", True),
        ('SELECT ("SERVICE" AS ?x) {}', False),
        ("SELECT ('''a\nSERVICE''' AS ?x) {}", False),
        ("SELECT * { ?s <http://x/SERVICE> ?o }", False),
        ("PREFIX service: <http://x/> SELECT * { ?s service:SERVICE ?o }", False),
        ("SELECT ?service { ?service ?p ?o }", False),
        ("SELECT * { ?s ?p ?o } # SERVICE <http://x>", False),
        ("SELECT * { :SERVICE ?p ?o }", False),
    ],
)
def test_service(text: str, service: bool) -> None:
    assert analyse(text).service is service


def test_less_than_is_not_an_iri() -> None:
    """``<`` as an operator must not hide what follows inside a fake IRI."""
    text = "SELECT * { ?s ?p ?o FILTER(?o < 3) SERVICE <http://x> { ?a ?b ?c } FILTER(?o > 1) }"
    assert analyse(text).service


@pytest.mark.parametrize(
    ("text", "load", "dataset"),
    [
        ("LOAD <http://127.0.0.1:9/x.ttl>", True, False),
        ("load silent <http://x> into graph <http://g>", True, False),
        ("SELECT * FROM <http://g> { ?s ?p ?o }", False, True),
        ("SELECT * FROM NAMED <http://g> { GRAPH ?g { ?s ?p ?o } }", False, True),
        ('SELECT * { ?s ?p "FROM" }', False, False),
    ],
)
def test_load_and_dataset_clause(text: str, load: bool, dataset: bool) -> None:
    info = analyse(text)
    assert (info.load, info.dataset_clause) == (load, dataset)
