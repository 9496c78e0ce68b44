"""The answers graph: the rows of the named questions whose answer is as large as the data,
answered once by the build so that the doors read a page by IRI instead of evaluating and
sorting every row on each request.

pyoxigraph evaluates and sorts a whole answer before LIMIT, so at 3,000 jurisdictions even
the first page of a question with a row per duty takes seconds to minutes (241,656 rows of
assigned-work-cancelled-elsewhere: 36 s cold; same-topic-different-articles: > 150 s), while
looking a few hundred resources up by IRI takes milliseconds. The answer only changes when
the data does, i.e. at build time; so the build runs each query of the library whose header
says ``# materialise: yes`` (:mod:`cdkg.queries.library` refuses the header on a query with
parameters, on a non-SELECT and on a query without a total ORDER BY) on the built dataset
(the union of its graphs, as the endpoint reads it) after the statistics, and publishes its
rows, in the query's order, in the named graph ``<base>graph/answers``:

* ``<base>answers/NAME`` a ``cd:AnswerTable`` (a ``csvw:Table``) with ``cd:queryName``,
  ``cd:queryDigest`` (the sha256 of the query text the table answers: a door reads the
  table only while its text is the same), ``cd:rowCount``, ``cd:storedRowCount`` (the first
  ``STORED_ROWS`` rows are kept: the first pages, which is what people read), ``cd:pageSize``,
  ``cd:variables`` (the SELECT's variables in order) and the query's titles as labels;
* ``<base>answers/NAME/page/K`` (K from 1) ``cd:pageOf`` the table, ``cd:row`` each of
  its ``PAGE_SIZE`` rows;
* ``<base>answers/NAME/row/I`` (I from 1) with ``csvw:rownum I`` and one triple per bound
  variable, predicate ``<base>answers/NAME/column/VAR`` (declared: a ``rdf:Property`` with
  ``csvw:name``), object the value the query returned. A column is a property of its own
  table, never cd:jurisdiction, cd:topic…: a query asking ``?duty cd:topic ?t`` over the
  union of graphs never meets a row.

No blank nodes and nothing that depends on time: the published lines are sorted like the
other graphs', so both engines and every run write the same bytes. The build reads the
library's header itself (the loaders sit below the read side, cdkg.queries, and may not
import it); tests/loaders/test_answers_stage.py checks that it marks the same queries as
:mod:`cdkg.queries.library`.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import XSD

from cdkg.ontology.namespace import CD, PREFIXES

from .rdf.graph import new_graph
from .rdf.nquads import lines_of, quote, token

GRAPH_NAME = "answers"
PAGE_SIZE = 100
"""Rows per page: ``cdkg.queries.paging.DEFAULT_PAGE_SIZE``, the query page's page (a test
keeps them equal), so the first page of the HTML table is one page of the table."""
STORED_ROWS = 10 * PAGE_SIZE
"""Rows a table keeps: the answer's first ten pages (``cd:storedRowCount``). Every row is
counted (``cd:rowCount``) but only these are written: at 3,000 jurisdictions all the rows of
the eleven tables were 14 M triples, more than the dataset itself (two questions have a row
per duty and topic), and loading them doubled the build's store. A page past them, or the
whole of a larger answer, is answered by running the query, as before."""
CSVW = "http://www.w3.org/ns/csvw#"
INSTALLED = Path(__file__).resolve().parent.parent / "queries"
"""The queries installed with the package (``cdkg.queries``, beside ``cdkg.loaders``): what a
project without a queries/ folder of its own reads, as ``load_library`` does."""

Tokens = tuple[str, str, str]
_HEADER_LINE = re.compile(r"^#\s*(?P<key>[A-Za-z][\w@-]*)\s*:\s*(?P<value>.*?)\s*$")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
_INTEGER_IRI, _STRING = str(XSD.integer), str(XSD.string)
_INTEGER = f"<{_INTEGER_IRI}>"
_CANONICAL_INTEGER = re.compile(r"^(0|-?[1-9][0-9]*)$")
ROWNUM = f"<{CSVW}rownum>"
_PAGE_OF, _ROW = f"<{CD.pageOf}>", f"<{CD.row}>"
_ROW_COUNT = f"<{CD.rowCount}>"


@dataclass(frozen=True)
class Materialised:
    """A query of the library to answer at build time: its name (the file stem), its text
    exactly as the doors read it (the digest is of this text) and its titles."""

    name: str
    text: str
    title_zh: str
    title_en: str

    @property
    def digest(self) -> str:
        """The sha256 (hex) of the query text: what a door compares before reading the table.

        >>> Materialised("q", "SELECT * {}", "", "").digest[:12]
        'b7fcbdf8d539'
        """
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class AnswerCount:
    """What the stage did for one query: its rows and how long it took."""

    name: str
    rows: int
    seconds: float


def header(text: str) -> dict[str, str]:
    """The ``# key: value`` lines at the top of a library file, keys lower-cased (the first
    of a key wins; ``param`` lines are counted as ``params``).

    >>> header("# title@zh: 甲\\n# param: x iri <http://e/> X\\n# materialise: yes\\nSELECT")
    {'title@zh': '甲', 'params': '1', 'materialise': 'yes'}
    """
    found: dict[str, str] = {}
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        match = _HEADER_LINE.match(stripped)
        if not match:
            continue
        key = match.group("key").lower()
        if key == "param":
            found["params"] = str(int(found.get("params", "0")) + 1)
        else:
            found.setdefault(key, match.group("value"))
    return found


def read_materialised(folder: Path) -> list[Materialised]:
    """The queries of ``folder`` (``*.rq``, by name; the installed ones when it does not
    exist) whose header says ``materialise: yes``. ValueError naming the file for one that
    also declares parameters or whose name cannot be an IRI's path segment (the library
    refuses the other bad cases when the doors load it)."""
    if not folder.is_dir():
        folder = INSTALLED
    found = []
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        fields = header(text)
        if fields.get("materialise", "").lower() != "yes":
            continue
        if "params" in fields:
            raise ValueError(f"{path}: a query with parameters cannot be materialised")
        if not _SAFE_NAME.match(path.stem):
            raise ValueError(f"{path}: the name {path.stem!r} cannot name an answer table")
        found.append(
            Materialised(
                path.stem, text, fields.get("title@zh", path.stem), fields.get("title@en", "")
            )
        )
    return found


def graph_iri(base: str) -> URIRef:
    """``<base>graph/answers``, beside the statistics' and the catalogs' graphs."""
    return URIRef(f"{base}graph/{GRAPH_NAME}")


def table_iri(base: str, name: str) -> str:
    """The answer table of the query ``name``.

    >>> table_iri("https://w3id.org/cdkg/id/", "duty-count-by-catalog")
    'https://w3id.org/cdkg/id/answers/duty-count-by-catalog'
    """
    return f"{base}answers/{name}"


def _literal(value: ox.Literal) -> str:
    """A literal as rdflib writes it (the reference engine's graphs go through rdflib, and
    both engines must write the same bytes): strings, lower-case language tags and integers
    in canonical form directly with rdflib's own escaping (most of the stage's time went to
    making rdflib Literals), anything else through an rdflib Literal.

    >>> _literal(ox.Literal("甲\\n", language="zh"))
    '"甲\\\\n"@zh'
    >>> _literal(ox.Literal("007", datatype=ox.NamedNode(XSD.integer)))  # rdflib's canonical
    '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'
    """
    lexical, language, datatype = value.value, value.language, value.datatype.value
    if language:
        if language == language.lower():
            return f"{quote(lexical)}@{language}"
    elif datatype == _STRING:
        return quote(lexical)
    elif datatype == _INTEGER_IRI and _CANONICAL_INTEGER.match(lexical):
        return f'"{lexical}"^^{_INTEGER}'
    typed = None if language else URIRef(datatype)
    return token(Literal(lexical, lang=language, datatype=typed))


def table_tokens(
    query: Materialised,
    variables: Sequence[str],
    rows: Iterable[ox.QuerySolution],
    base: str,
    stored_rows: int = STORED_ROWS,
) -> Iterator[Tokens]:
    """The table, its columns, pages and rows of one answer as N-Triples tokens, rows
    numbered in the order ``rows`` come (the query's ORDER BY); the first ``stored_rows``
    are written, every row is counted. ValueError naming the query for a blank node in a
    stored row (a row's value must be readable back by itself).

    >>> store = ox.Store()
    >>> text = 'SELECT ?n ?x { VALUES (?n ?x) { (1 UNDEF) (2 "二"@zh) } } ORDER BY ?n'
    >>> solutions = store.query(text)
    >>> q = Materialised("q", "…", "问", "Q")
    >>> lines = [" ".join(t) for t in table_tokens(q, ["n", "x"], solutions, "http://e/")]
    >>> [line for line in lines if "/row/2" in line.split()[0]]  # doctest: +NORMALIZE_WHITESPACE
    ['<http://e/answers/q/row/2> <http://www.w3.org/ns/csvw#rownum> "2"^^<http://www.w3.org/2001/XMLSchema#integer>',
     '<http://e/answers/q/row/2> <http://e/answers/q/column/n> "2"^^<http://www.w3.org/2001/XMLSchema#integer>',
     '<http://e/answers/q/row/2> <http://e/answers/q/column/x> "二"@zh']
    >>> def counts(lines):  # cd:rowCount, cd:storedRowCount
    ...     return [line.split('"')[1] for line in lines if "owCount>" in line]
    >>> counts(lines)
    ['2', '2']
    >>> kept = [" ".join(t) for t in table_tokens(q, ["n", "x"], store.query(text), "http://e/", 1)]
    >>> counts(kept), any("/row/2" in line for line in kept)
    (['2', '1'], False)
    """
    table = table_iri(base, query.name)
    table_token = f"<{table}>"
    columns = [(index, name, f"<{table}/column/{name}>") for index, name in enumerate(variables)]
    # Written literals by pyoxigraph's N-Triples form: columns repeat their values (list
    # types, jurisdictions, messages), and rdflib's writer is the slow part.
    cache: dict[str, str] = {}
    count = 0
    for count, row in enumerate(rows, start=1):
        if count > stored_rows:
            continue  # counted, not kept
        node = f"<{table}/row/{count}>"
        if (count - 1) % PAGE_SIZE == 0:
            page = f"<{table}/page/{(count - 1) // PAGE_SIZE + 1}>"
            yield page, _PAGE_OF, table_token
        yield page, _ROW, node
        yield node, ROWNUM, f'"{count}"^^{_INTEGER}'
        for index, name, column in columns:
            value = row[index]
            kind = type(value)
            if kind is ox.NamedNode:
                yield node, column, str(value)
            elif kind is ox.Literal:
                written = cache.get(text := str(value))
                if written is None:
                    if len(cache) > 100_000:
                        cache.clear()
                    written = cache[text] = _literal(value)
                yield node, column, written
            elif value is not None:
                raise ValueError(
                    f"answer of {query.name}: row {count}, ?{name} is a blank node; "
                    "a materialised answer holds only IRIs and literals"
                )
    yield table_token, _RDF_TYPE, f"<{CD.AnswerTable}>"
    yield table_token, f"<{CD.queryName}>", token(Literal(query.name))
    yield table_token, f"<{CD.queryDigest}>", token(Literal(query.digest))
    yield table_token, f"<{CD.rowCount}>", f'"{count}"^^{_INTEGER}'
    yield table_token, f"<{CD.storedRowCount}>", f'"{min(count, stored_rows)}"^^{_INTEGER}'
    yield table_token, f"<{CD.pageSize}>", f'"{PAGE_SIZE}"^^{_INTEGER}'
    yield table_token, f"<{CD.variables}>", token(Literal(" ".join(variables)))
    yield table_token, f"<{PREFIXES['rdfs']}label>", token(Literal(query.title_zh, lang="zh"))
    if query.title_en:
        yield table_token, f"<{PREFIXES['rdfs']}label>", token(Literal(query.title_en, lang="en"))
    for _, name, column in columns:
        yield column, _RDF_TYPE, f"<{PREFIXES['rdf']}Property>"
        yield column, f"<{CSVW}name>", token(Literal(name))


def answer_tokens(
    store: ox.Store, base: str, queries: Sequence[Materialised], counts: list[AnswerCount]
) -> Iterator[Tokens]:
    """Every materialised query answered on ``store`` (the built dataset, the default
    graph the union of its graphs, the same prefixes as the endpoint) as N-Triples tokens;
    each query's rows and time are appended to ``counts`` as it finishes. ValueError naming
    the query for one that is not a SELECT."""
    for query in queries:
        started = time.perf_counter()
        result = store.query(query.text, prefixes=PREFIXES, use_default_graph_as_union=True)
        if not isinstance(result, ox.QuerySolutions):
            raise ValueError(f"{query.name}: only a SELECT can be materialised")
        variables = [variable.value for variable in result.variables]
        rows = 0
        for triple in table_tokens(query, variables, result, base):
            if triple[1] == _ROW_COUNT:
                rows = int(triple[2].split('"')[1])
            yield triple
        counts.append(AnswerCount(query.name, rows, time.perf_counter() - started))


def describe(counts: Sequence[AnswerCount], triples: int) -> str:
    """The stage's progress line: tables, rows, triples and the slowest queries.

    >>> describe([AnswerCount("a", 3, 0.5), AnswerCount("b", 2, 1.25)], 40)
    '2 tables, 5 rows, 40 triples (b 2 rows 1.25 s, a 3 rows 0.50 s)'
    """
    rows = sum(count.rows for count in counts)
    slowest = sorted(counts, key=lambda count: -count.seconds)[:4]
    each = ", ".join(f"{c.name} {c.rows} rows {c.seconds:.2f} s" for c in slowest)
    return f"{len(counts)} tables, {rows} rows, {triples} triples" + (f" ({each})" if each else "")


def answers_graph(
    graphs: Iterable[Graph], base: str, queries: Sequence[Materialised], counts: list[AnswerCount]
) -> Graph:
    """The answers graph of a dataset held as rdflib graphs (the reference engine): the
    queries run by pyoxigraph on a copy, like the store engine's, so both publish the same
    quads (and the same rows in the same order)."""
    store = ox.Store()
    for graph in graphs:
        text = "".join(f"{line}\n" for line in lines_of(str(graph.identifier), graph))
        store.load(text.encode("utf-8"), format=ox.RdfFormat.N_QUADS)
    result = new_graph(graph_iri(base))
    lines = "".join(f"{s} {p} {o} .\n" for s, p, o in answer_tokens(store, base, queries, counts))
    result.parse(data=lines, format="nt")
    return result
