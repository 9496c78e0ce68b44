"""Paging the named queries (cdkg.queries.paging): the pages of every SELECT of the library,
read one after another, give the whole answer — every row exactly once, in order — on
pyoxigraph and on rdflib's engine; every query orders its rows totally; bad values are named.

The shipped sources are built once into a temporary folder (conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset

from cdkg.queries.library import load_library
from cdkg.queries.paging import (
    MAX_PAGE_SIZE,
    PAGE_PARAMS,
    Page,
    PageError,
    paged,
    parse_page,
    solution_modifiers,
)

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library(ROOT / "queries")
SELECTS = sorted(
    name for name, query in LIBRARY.items() if re.search(r"^\s*SELECT\b", query.text, re.M)
)
PAGE = 7
Row = tuple[str | None, ...]


def _term(term: object) -> str | None:
    """A term as comparable text: an IRI bare, a literal with its datatype or language."""
    if term is None:
        return None
    return term.value if isinstance(term, ox.NamedNode) else str(term)


def oxigraph_rows(store: ox.Store, text: str) -> tuple[list[str], list[Row]]:
    result = store.query(text, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    names = [variable.value for variable in result.variables]
    return names, [tuple(_term(solution[name]) for name in names) for solution in result]


def rdflib_rows(dataset: Dataset, text: str) -> tuple[list[str], list[Row]]:
    result = dataset.query(text)
    names = [str(name) for name in result.vars or ()]
    return names, [tuple(_term(term) for term in row) for row in result]  # type: ignore[union-attr]


def pages(run: object, text: str, size: int) -> Iterator[list[Row]]:
    """Every page of ``size`` rows, until a short page."""
    offset = 0
    while True:
        _, rows = run(text=paged(text, Page(size, offset)))  # type: ignore[operator]
        yield rows
        if len(rows) < size:
            return
        offset += size


def _order_keys(text: str) -> list[str]:
    """The variables the query's top-level ORDER BY names, in order."""
    tail = solution_modifiers(text)
    clause = re.split(r"\bORDER\s+BY\b", tail, flags=re.IGNORECASE)[-1]
    return re.findall(r"[?$](\w+)", clause)


# --- every row exactly once --------------------------------------------------------------------


def test_every_select_of_the_library_is_paged() -> None:
    """The parametrised tests below cover the library's SELECTs (all but none)."""
    assert len(SELECTS) >= 25
    assert "same-topic-different-articles" in SELECTS


@pytest.mark.parametrize("name", SELECTS)
def test_pages_give_the_whole_answer_on_pyoxigraph(store: ox.Store, name: str) -> None:
    text = LIBRARY[name].text

    def run(text: str) -> tuple[list[str], list[Row]]:
        return oxigraph_rows(store, text)

    _, whole = run(text)
    read = [row for page in pages(run, text, PAGE) for row in page]
    assert read == whole


# rdflib evaluates the whole query again for every page (1-16 s a run for some queries on the
# seeds): its test pages the queries with the longest answers on the seeds that it answers in
# under a second, in pages of RDFLIB_PAGE rows; pyoxigraph's test above pages every SELECT.
RDFLIB_PAGE = 20
RDFLIB_PAGED = (
    "citations-of-repealed-or-misprinted-documents",
    "laws-cited-by-most-jurisdictions",
    "laws-cited-without-article",
    "legal-status-unverified",
    "sectors-by-jurisdiction",
    "sectors-ranked",
    "topic-coverage-matrix",
)


@pytest.mark.parametrize("name", RDFLIB_PAGED)
def test_pages_give_the_whole_answer_on_rdflib(rdflib_dataset: Dataset, name: str) -> None:
    text = LIBRARY[name].text

    def run(text: str) -> tuple[list[str], list[Row]]:
        return rdflib_rows(rdflib_dataset, text)

    _, whole = run(text)
    assert len(whole) > RDFLIB_PAGE, "too short an answer to cross a page boundary"
    read = [row for page in pages(run, text, RDFLIB_PAGE) for row in page]
    assert read == whole


@pytest.mark.parametrize("name", SELECTS)
def test_order_is_total(store: ox.Store, name: str) -> None:
    """No two rows tie on the ORDER BY's projected variables: the order is total, so a page
    boundary can never fall between rows an engine may swap (a sufficient condition, checked
    on the seeds' answers)."""
    text = LIBRARY[name].text
    names, rows = oxigraph_rows(store, text)
    keys = [names.index(key) for key in dict.fromkeys(_order_keys(text)) if key in names]
    assert keys, f"{name}: the ORDER BY names no projected variable"
    seen: dict[Row, Row] = {}
    for row in rows:
        key = tuple(row[i] for i in keys)
        assert key not in seen, f"{name}: rows tie on {[names[i] for i in keys]}: {key}"
        seen[key] = row


def test_no_query_declares_a_paging_parameter() -> None:
    for query in LIBRARY.values():
        assert not {p.name for p in query.params} & set(PAGE_PARAMS), query.name


# --- the parameters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limit", "offset", "param"),
    [
        ("0", None, "limit"),
        (str(MAX_PAGE_SIZE + 1), None, "limit"),
        ("-3", None, "limit"),
        ("ten", None, "limit"),
        ("7 OFFSET 0 }", None, "limit"),
        ("7", "-1", "offset"),
        ("7", "1.5", "offset"),
        ("7", "99999999999", "offset"),
    ],
)
def test_bad_values_are_named(limit: str, offset: str | None, param: str) -> None:
    with pytest.raises(PageError) as raised:
        parse_page(limit, offset)
    assert raised.value.param == param
    assert f"'{param}'" in raised.value.en and param in raised.value.zh


def test_page_arithmetic() -> None:
    page = parse_page("100", "200")
    assert page == Page(100, 200)
    assert (page.number, page.first_row, page.last_row(37)) == (3, 201, 237)
    assert page.next() == Page(100, 300) and page.previous() == Page(100, 100)
    assert parse_page(None, None) is None
    assert parse_page(None, None, 50) == Page(50, 0)
    assert parse_page(None, "10") == Page(None, 10)


def test_a_query_without_order_or_with_its_own_limit_is_refused() -> None:
    with pytest.raises(PageError, match="ORDER BY"):
        paged("SELECT * WHERE { ?s ?p ?o }  # ORDER BY ?s", Page(7))
    with pytest.raises(PageError, match="LIMIT"):
        paged("SELECT * WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3", Page(7))
    # Braces and keywords inside strings, IRIs and comments are not the query's.
    text = 'SELECT * WHERE { ?s ?p "} LIMIT 3" } ORDER BY ?s # }'
    assert paged(text, Page(7, 7)).endswith("ORDER BY ?s # }\nLIMIT 7\nOFFSET 7\n")


# --- one row per document ----------------------------------------------------------------------


def test_a_document_with_two_labels_is_one_row(dataset: Path) -> None:
    """A provisional document gets a label in each catalog graph that cites it: the ranking
    shows it once, under the least label (not once per label)."""
    store = ox.Store()
    store.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    text = LIBRARY["laws-cited-by-most-jurisdictions"].text
    names, before = oxigraph_rows(store, text)
    document, label = names.index("document"), names.index("documentLabel")
    first = before[0]
    assert first[label] is not None
    store.add(
        ox.Quad(
            ox.NamedNode(first[document]),
            ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            ox.Literal("〇另一个标题", language="zh"),
            ox.NamedNode("https://w3id.org/cdkg/id/graph/catalog/test-second-label"),
        )
    )
    _, after = oxigraph_rows(store, text)
    assert len(after) == len(before)
    assert [row[document] for row in after].count(first[document]) == 1
    shown = next(row for row in after if row[document] == first[document])
    assert shown[label] == min('"〇另一个标题"@zh', first[label])


# The profile of one duty lists each value with its label, a row per label of a cited
# document; every other query shows a document once.
ONE_ROW_PER_DOCUMENT = [name for name in SELECTS if name != "duty-profile"]


@pytest.fixture(scope="module")
def relabelled(dataset: Path) -> ox.Store:
    """The seeds with every legal document's statements repeated in a graph of their own and
    a second Chinese label there — as a provisional document is described again in each
    catalog graph that cites it, under the title printed there."""
    store = ox.Store()
    store.bulk_load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    documents = store.query(
        "SELECT DISTINCT ?d WHERE { ?d a <https://w3id.org/cdkg/ontology#LegalDocument> }",
        use_default_graph_as_union=True,
    )
    assert isinstance(documents, ox.QuerySolutions)
    graph = ox.NamedNode("https://w3id.org/cdkg/id/graph/catalog/test-second-label")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    added = []
    for row in documents:
        document = row["d"]
        assert isinstance(document, ox.NamedNode)
        added.append(ox.Quad(document, label, ox.Literal("〇第二标题", language="zh"), graph))
        for quad in store.quads_for_pattern(document, None, None):
            if quad.graph_name != graph:
                added.append(ox.Quad(quad.subject, quad.predicate, quad.object, graph))
    store.extend(added)
    return store


@pytest.mark.parametrize("name", ONE_ROW_PER_DOCUMENT)
def test_a_second_label_adds_no_row(store: ox.Store, relabelled: ox.Store, name: str) -> None:
    text = LIBRARY[name].text
    assert len(oxigraph_rows(relabelled, text)[1]) == len(oxigraph_rows(store, text)[1])
