"""The answers stage (loaders/answers.py) and the ``materialise`` header (queries/library.py):
which queries are answered, the triples of a table, refusals, and the same bytes every run.

The tables of the shipped seeds' build are checked against the queries' own answers in
tests/queries/test_answers.py (on the session build there); both engines' tables are
compared byte for byte by tests/loaders/test_scale_equivalence.py.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from cdkg.loaders.answers import (
    CSVW,
    AnswerCount,
    Materialised,
    answer_tokens,
    read_materialised,
)
from cdkg.queries.library import load_library, parse_query

ROOT = Path(__file__).resolve().parents[2]
BASE = "http://example.org/id/"
CD = "https://w3id.org/cdkg/ontology#"
HEADER = """# title@zh: 各地事项
# title@en: Duties per place
# description: Test.
# kind: question
"""
DATA = """@base <http://example.org/id/> .
@prefix cd: <https://w3id.org/cdkg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<http://g> {
    <duty/a/1> rdfs:label "甲事项"@zh ; cd:number 1 .
    <duty/a/2> rdfs:label "乙事项"@zh ; cd:number 2 ; cd:topic <topic/x> .
}
"""
QUERY = Materialised(
    "duties",
    "SELECT ?duty ?label ?topic WHERE { ?duty rdfs:label ?label ; cd:number ?n "
    "OPTIONAL { ?duty cd:topic ?topic } } ORDER BY DESC(?n)",
    "各地事项",
    "Duties per place",
)


@pytest.fixture()
def store() -> ox.Store:
    loaded = ox.Store()
    loaded.load(DATA.encode("utf-8"), format=ox.RdfFormat.TRIG)
    return loaded


def lines(store: ox.Store, query: Materialised = QUERY) -> list[str]:
    counts: list[AnswerCount] = []
    return sorted(" ".join(t) for t in answer_tokens(store, BASE, [query], counts))


def test_the_build_answers_what_the_library_marks() -> None:
    library = load_library(ROOT / "queries")
    read = read_materialised(ROOT / "queries")
    assert [(q.name, q.text) for q in read] == [
        (name, query.text) for name, query in library.items() if query.materialise
    ]
    assert read[0].title_zh == library[read[0].name].title_zh


def test_a_table_holds_the_rows_in_the_query_order(store: ox.Store) -> None:
    table = f"<{BASE}answers/duties>"
    written = lines(store)
    assert f'{table} <{CD}rowCount> "2"^^<http://www.w3.org/2001/XMLSchema#integer>' in written
    assert f'{table} <{CD}variables> "duty label topic"' in written
    assert f'{table} <{CD}queryDigest> "{QUERY.digest}"' in written
    assert f'{table} <http://www.w3.org/2000/01/rdf-schema#label> "各地事项"@zh' in written
    # ORDER BY DESC(?n): row 1 is duty 2, with its topic; row 2 has no topic triple.
    row1, row2 = f"<{BASE}answers/duties/row/1>", f"<{BASE}answers/duties/row/2>"
    assert f"{row1} <{BASE}answers/duties/column/duty> <{BASE}duty/a/2>" in written
    assert f'{row1} <{BASE}answers/duties/column/label> "乙事项"@zh' in written
    assert f"{row1} <{BASE}answers/duties/column/topic> <{BASE}topic/x>" in written
    assert f"{row2} <{BASE}answers/duties/column/duty> <{BASE}duty/a/1>" in written
    assert not [
        line for line in written if line.startswith(f"{row2} <{BASE}answers/duties/column/topic>")
    ]
    assert f'{row2} <{CSVW}rownum> "2"^^<http://www.w3.org/2001/XMLSchema#integer>' in written
    assert f"<{BASE}answers/duties/page/1> <{CD}pageOf> {table}" in written
    assert f"<{BASE}answers/duties/page/1> <{CD}row> {row2}" in written
    assert f'<{BASE}answers/duties/column/topic> <{CSVW}name> "topic"' in written
    # No row uses the data's predicates: ?duty cd:topic ?t never meets a row.
    assert not [line for line in written if f"<{CD}topic>" in line or f"<{CD}number>" in line]
    assert not [line for line in written if "_:" in line]


def test_the_same_bytes_every_run(store: ox.Store) -> None:
    assert lines(store) == lines(store)


def test_pages_of_a_hundred_rows() -> None:
    many = ox.Store()
    text = "".join(f"<{BASE}duty/b/{i}> <{CD}number> {i} .\n" for i in range(1, 251))
    many.load(text.encode("utf-8"), format=ox.RdfFormat.TURTLE)
    query = Materialised("n", "SELECT ?d WHERE { ?d cd:number ?n } ORDER BY ?n", "号", "")
    written = lines(many, query)
    pages = sorted(line.split()[0] for line in written if f"<{CD}pageOf>" in line)
    assert pages == [f"<{BASE}answers/n/page/{k}>" for k in (1, 2, 3)]
    assert f"<{BASE}answers/n/page/2> <{CD}row> <{BASE}answers/n/row/101>" in written
    assert f"<{BASE}answers/n/page/1> <{CD}row> <{BASE}answers/n/row/100>" in written
    assert f"<{BASE}answers/n/row/101> <{BASE}answers/n/column/d> <{BASE}duty/b/101>" in written


def test_a_blank_node_in_an_answer_is_an_error_naming_the_query(store: ox.Store) -> None:
    query = Materialised("blank", "SELECT ?b WHERE { BIND(BNODE() AS ?b) } ORDER BY ?b", "空", "")
    with pytest.raises(ValueError, match=r"answer of blank: row 1, \?b is a blank node"):
        lines(store, query)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            '# param: lang string "zh" The language\n# materialise: yes\n'
            'SELECT ?s WHERE { VALUES ?lang { "zh" } ?s ?p ?o } ORDER BY ?s\n',
            r"demo\.rq:6: a query with parameters \(lang\) cannot be materialised",
        ),
        (
            "# materialise: yes\nCONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }\n",
            r"demo\.rq:5: only a SELECT can be materialised \(this is CONSTRUCT\)",
        ),
        (
            "# materialise: yes\nSELECT ?s WHERE { ?s ?p ?o }\n",
            r"demo\.rq:5: cannot be materialised: the query has no top-level ORDER BY",
        ),
        (
            "# materialise: maybe\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n",
            r"demo\.rq:5: materialise must be yes or no, got 'maybe'",
        ),
    ],
)
def test_the_header_is_refused_where_a_table_cannot_answer(body: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_query("demo", HEADER + body, Path("demo.rq"))


def test_the_header_is_read() -> None:
    text = HEADER + "# materialise: yes\nSELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\n"
    assert parse_query("demo", text).materialise
    assert not parse_query("demo", HEADER + "SELECT ?s WHERE { ?s ?p ?o }\n").materialise


def test_the_build_refuses_parameters_naming_the_file(tmp_path: Path) -> None:
    (tmp_path / "p.rq").write_text(
        HEADER + '# param: lang string "zh" L\n# materialise: yes\nSELECT ?s {} ORDER BY ?s\n',
        encoding="utf-8",
    )
    with pytest.raises(ValueError, match=r"p\.rq: a query with parameters cannot be"):
        read_materialised(tmp_path)
