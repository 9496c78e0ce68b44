"""Writing results: term conversion between the engines, and serialisation with the row cap.

Results are serialised here whichever engine evaluated the query (rdflib has no TSV writer
and escapes differently), so a client gets the same bytes from both engines and Chinese text
is written as UTF-8, never as ``\\uXXXX``.

The row cap is exact and costs no per-row Python work: a SELECT is first written as TSV (one
line per row; newlines inside literals are escaped) into a writer that stops the engine as
soon as one row too many arrives; a graph likewise as N-Triples. The TSV / N-Triples is then
converted to the negotiated format by pyoxigraph — lossless (tests/server/test_results.py).
Only cdkg's own writers below (CSV when an IRI holds a comma, RDF/XML) work row by row.

Where pyoxigraph 0.5.13 writes a format wrongly, cdkg corrects or writes it itself (each case
a test in tests/server/test_w3c_defects.py): CSV (``solutions_csv``: pyoxigraph does not quote
an IRI containing a comma), SPARQL XML (``_xml_results``: a raw CR, and characters XML 1.0
does not allow) and RDF/XML (``cdkg.server.store.rdfxml``).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Callable, Iterable
from typing import IO, cast

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from cdkg.loaders.rdf import terms
from cdkg.ontology.namespace import PREFIXES

from . import negotiation
from .errors import QueryError, ResultTooLarge
from .negotiation import Format
from .rdfxml import check_xml_text, rdf_xml

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as an rdflib term (lexical forms kept as written): the build's
    conversion (``cdkg.loaders.rdf.terms``), with a triple term refused as a QueryError."""
    try:
        return terms.to_rdflib(term)
    except terms.UnsupportedTerm as error:
        raise QueryError(str(error)) from None


def solution_row(solution: ox.QuerySolution, names: list[str]) -> dict[str, Node]:
    """One SELECT solution as variable → rdflib term, unbound variables left out (what
    ``Store.select`` returns, for the embedded and the remote engine alike)."""
    row: dict[str, Node] = {}
    for name in names:
        term = solution[name]
        if term is not None:
            row[name] = to_rdflib(term)
    return row


def to_oxigraph(node: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if isinstance(node, URIRef):
        return ox.NamedNode(str(node))
    if isinstance(node, BNode):
        try:
            return ox.BlankNode(str(node))
        except ValueError:
            return ox.BlankNode(hashlib.sha1(str(node).encode()).hexdigest())
    if isinstance(node, Literal):
        if node.language:
            return ox.Literal(str(node), language=node.language)
        if node.datatype is not None and str(node.datatype) not in (_XSD_STRING,):
            return ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        return ox.Literal(str(node))
    raise QueryError(f"unsupported term {node!r}")


# --- serialisation with the row cap ----------------------------------------------------


class _CapExceeded(Exception):
    pass


class _LineCappedBuffer:
    """A binary writer that stops the engine once more than ``max_lines`` lines arrived."""

    def __init__(self, max_lines: int | None) -> None:
        self._chunks: list[bytes] = []
        self._lines = 0
        self._max = max_lines

    def write(self, data: bytes) -> int:
        self._lines += data.count(b"\n")
        if self._max is not None and self._lines > self._max:
            raise _CapExceeded
        self._chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        return None

    def getvalue(self) -> bytes:
        return b"".join(self._chunks)


Emit = Callable[[bytes], None]
"""Where a streamed answer's chunks go (``cdkg.server.store.workers``: over the pipe)."""

STREAM_AFTER_BYTES = 1 << 20
"""An answer whose TSV grows past this is streamed, in chunks of about this size (when the
caller can take chunks and the format can be written in pieces: see ``STREAMED``)."""

STREAMED = frozenset({"json", "csv", "tsv", "ntriples", "nquads"})
"""Formats written in pieces: SPARQL JSON, CSV and TSV; N-Triples and N-Quads (line-based,
and exactly the bytes of the whole answer). SPARQL XML, Turtle, JSON-LD and RDF/XML are
written whole (Turtle and RDF/XML group each subject's triples, which needs them all)."""


class _StreamingBuffer(_LineCappedBuffer):
    """A capped line buffer that hands complete lines to ``emit`` once ``after`` bytes are
    held, written in the answer's format by ``convert`` (lines → bytes; ``first`` for the
    first piece). Nothing is emitted for an answer that ends before that: it is returned
    whole, exactly as before."""

    def __init__(
        self,
        max_lines: int | None,
        emit: Emit,
        convert: Callable[[bytes, bool], bytes],
        after: int | None = None,
    ) -> None:
        super().__init__(max_lines)
        self._emit, self._convert = emit, convert
        self._after = STREAM_AFTER_BYTES if after is None else after
        self._held = 0
        self.streaming = False

    def write(self, data: bytes) -> int:
        written = super().write(data)
        self._held += written
        if self._held >= self._after:
            self._send(final=False)
        return written

    def _send(self, final: bool) -> None:
        held = b"".join(self._chunks)
        cut = len(held) if final else held.rfind(b"\n") + 1
        if cut == 0:
            return
        self._chunks = [held[cut:]] if cut < len(held) else []
        self._held = len(held) - cut
        piece = self._convert(held[:cut], not self.streaming)
        self.streaming = True
        if piece:
            self._emit(piece)

    def finish(self) -> None:
        """Emit what is left (once streaming)."""
        self._send(final=True)


def _tsv_pieces(fmt: Format) -> tuple[Callable[[bytes, bool], bytes], bytes]:
    """How to write TSV lines as a piece of ``fmt`` (the header line comes first in the first
    piece and is remembered for the others), and what ends the answer."""
    header: list[bytes] = []

    def convert(lines: bytes, first: bool) -> bytes:
        if first:
            header.append(lines[: lines.find(b"\n") + 1])
            rows = lines[len(header[0]) :]
        else:
            rows = lines
        if fmt is negotiation.SPARQL_TSV:
            return lines
        whole = _convert_tsv(header[0] + rows, fmt)
        if fmt is negotiation.SPARQL_CSV:
            return whole if first else whole[whole.find(b"\r\n") + 2 :]
        # SPARQL JSON: {"head":{…},"results":{"bindings":[ rows ]}}, rows joined by ","
        start = whole.find(b'"bindings":[') + len(b'"bindings":[')
        bindings = whole[start:-3]
        if first:
            return whole[:start] + bindings
        return b"," + bindings if bindings else b""

    return convert, (b"]}}" if fmt is negotiation.SPARQL_JSON else b"")


def serialize_solutions(solutions: ox.QuerySolutions, fmt: Format, max_rows: int | None) -> bytes:
    """SELECT results in ``fmt``; ResultTooLarge past ``max_rows`` rows."""
    return _written(stream_solutions(solutions, fmt, max_rows, None))


def stream_solutions(
    solutions: ox.QuerySolutions,
    fmt: Format,
    max_rows: int | None,
    emit: Emit | None,
) -> bytes | None:
    """SELECT results in ``fmt``, as ``serialize_solutions``.

    With ``emit``, an answer in a ``STREAMED`` format that grows past ``STREAM_AFTER_BYTES``
    is handed to ``emit`` in pieces as the engine produces it, and None is returned; the
    pieces together are the same bytes as the whole answer. ResultTooLarge can then come
    after some pieces were emitted."""
    cap = None if max_rows is None else max_rows + 1  # + header line
    convert, end = _tsv_pieces(fmt)
    tsv = _capped(
        lambda out: solutions.serialize(out, ox.QueryResultsFormat.TSV),
        cap,
        f"{max_rows} rows",
        emit if fmt.key in STREAMED else None,
        convert,
    )
    if tsv is None:
        if end:
            assert emit is not None
            emit(end)
        return None
    return _convert_tsv(tsv, fmt)


def _capped(
    write: Callable[[IO[bytes]], object],
    cap: int | None,
    too_many: str,
    emit: Emit | None,
    convert: Callable[[bytes, bool], bytes],
) -> bytes | None:
    """What pyoxigraph's ``write`` writes as lines (TSV, N-Triples), stopped past ``cap``
    lines with ResultTooLarge ("more than ``too_many``"). With ``emit``, an answer past
    ``STREAM_AFTER_BYTES`` goes to ``emit`` in pieces written by ``convert``, and None is
    returned: the one cap-and-stream step of SELECT and graph answers."""
    buffer = _LineCappedBuffer(cap) if emit is None else _StreamingBuffer(cap, emit, convert)
    try:
        write(cast(IO[bytes], buffer))
    except _CapExceeded:
        raise ResultTooLarge(
            f"the result has more than {too_many}; add LIMIT or narrow the query"
        ) from None
    if isinstance(buffer, _StreamingBuffer) and buffer.streaming:
        buffer.finish()
        return None
    return buffer.getvalue()


def _convert_tsv(tsv: bytes, fmt: Format) -> bytes:
    """SPARQL TSV results (as pyoxigraph writes them) in ``fmt``."""
    if fmt is negotiation.SPARQL_TSV:
        return tsv
    parsed = ox.parse_query_results(tsv, ox.QueryResultsFormat.TSV)
    assert isinstance(parsed, ox.QuerySolutions)
    if fmt is negotiation.SPARQL_CSV:
        if len(parsed.variables) > 1 and not _IRI_WITH_COMMA.search(tsv):
            return _written(parsed.serialize(format=ox.QueryResultsFormat.CSV))  # right here
        return solutions_csv(parsed)
    written = _written(parsed.serialize(format=negotiation.results_format(fmt)))
    return _xml_results(written) if fmt is negotiation.SPARQL_XML else written


# An IRI holding a comma in the TSV (IRIs exclude "<" and ">", so each match attempt stops at
# the next "<": linear). A literal that merely looks like one only costs the slower writer.
_IRI_WITH_COMMA = re.compile(rb"<[^<>\"{}|^`\\\x00-\x20]*,[^<>\"{}|^`\\\x00-\x20]*>")


def _csv_field(term: object) -> str:
    """A term as SPARQL 1.1 CSV writes it (§3.2): the IRI, the lexical form, ``_:label``."""
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    raise QueryError(f"CSV cannot hold the term {term} (RDF 1.2 triple terms)")


def solutions_csv(solutions: ox.QuerySolutions) -> bytes:
    """SPARQL 1.1 Query Results CSV, quoted as RFC 4180 says: every field holding a comma, a
    double quote, CR or LF is quoted, IRIs included. pyoxigraph 0.5.13 (sparesults) quotes
    only literals, so ``http://example.org/a,b`` becomes two columns, and writes a row whose
    one field is empty as an empty line, which CSV readers skip; no upstream issue was found
    for either (searched oxigraph/oxigraph issues, 2026). pyoxigraph's writer (7× faster:
    0.1 s against 0.7 s for 100,000 rows of three columns) is used when neither can occur.

    >>> rows = ox.parse_query_results('?x\\n<http://e.org/a,b>\\n', ox.QueryResultsFormat.TSV)
    >>> solutions_csv(rows)
    b'x\\r\\n"http://e.org/a,b"\\r\\n'
    """
    names = [variable.value for variable in solutions.variables]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(names)
    writer.writerows([_csv_field(solution[name]) for name in names] for solution in solutions)
    return out.getvalue().encode("utf-8")


# SPARQL XML results from pyoxigraph are one line of markup: a CR can only come from a value.
_NOT_XML_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")


def _xml_results(document: bytes) -> bytes:
    """Correct pyoxigraph 0.5.13's SPARQL XML results.

    A raw CR in a literal is read back as LF by every XML parser (XML 1.0 §2.11), so it is
    written ``&#13;`` (fixed upstream: https://github.com/oxigraph/oxigraph/pull/1785, not in
    0.5.13; once a release escapes it there is no raw CR left and this is a no-op). Values
    in attributes are IRIs, language tags and variable names, which hold no TAB/LF/CR. A
    character XML 1.0 does not allow (U+0001…) is written raw by pyoxigraph, making the
    document malformed; no escape exists for it, so the answer is refused (406) rather than
    sent malformed. The check is on bytes: in UTF-8 no byte of a multi-byte character is
    below 0x80, and U+FFFE/U+FFFF are EF BF BE/BF.

    >>> _xml_results(b'<literal>a\\rb</literal>')
    b'<literal>a&#13;b</literal>'
    """
    bad = _NOT_XML_BYTES.search(document)
    if bad is not None:
        check_xml_text(bad.group(0).decode("utf-8"), "a value of the answer")
    return document.replace(b"\r", b"&#13;")


def serialize_boolean(answer: bool, fmt: Format) -> bytes:
    """An ASK answer in ``fmt``."""
    document = json.dumps({"head": {}, "boolean": bool(answer)}).encode()
    parsed = ox.parse_query_results(document, ox.QueryResultsFormat.JSON)
    return _written(parsed.serialize(format=negotiation.results_format(fmt)))


def serialize_triples(triples: Iterable[ox.Triple], fmt: Format, max_triples: int | None) -> bytes:
    """CONSTRUCT/DESCRIBE results in ``fmt``; ResultTooLarge past ``max_triples``."""
    return _written(stream_triples(triples, fmt, max_triples, None))


def stream_triples(
    triples: Iterable[ox.Triple],
    fmt: Format,
    max_triples: int | None,
    emit: Emit | None,
) -> bytes | None:
    """CONSTRUCT/DESCRIBE results in ``fmt``, as ``serialize_triples``. With ``emit``,
    N-Triples and N-Quads past ``STREAM_AFTER_BYTES`` are streamed (as ``stream_solutions``)
    and None is returned."""
    ntriples = _capped(
        lambda out: ox.serialize(triples, out, ox.RdfFormat.N_TRIPLES),
        max_triples,
        f"{max_triples} triples",
        emit if fmt.key in STREAMED else None,
        lambda lines, _: lines,
    )
    if ntriples is None:
        return None
    if fmt in (negotiation.N_TRIPLES, negotiation.N_QUADS):  # N-Triples lines are N-Quads
        return ntriples
    # Sorted lines put each subject's triples together, so Turtle and RDF/XML group them.
    grouped = b"".join(sorted(ntriples.splitlines(keepends=True)))
    parsed = ox.parse(grouped, ox.RdfFormat.N_TRIPLES)
    prefixes = used_prefixes(grouped)
    if fmt is negotiation.RDF_XML:
        return rdf_xml(parsed, prefixes)  # pyoxigraph's is wrong: see cdkg.server.store.rdfxml
    return _written(ox.serialize(parsed, format=negotiation.rdf_format(fmt), prefixes=prefixes))


def used_prefixes(ntriples: bytes) -> dict[str, str]:
    """The standard prefixes whose namespace occurs in ``ntriples``."""
    return {name: iri for name, iri in PREFIXES.items() if b"<" + iri.encode("utf-8") in ntriples}


def _written(output: bytes | None) -> bytes:
    """pyoxigraph returns the bytes when given no output file."""
    assert output is not None
    return output


def check_form(fmt: Format, graph_result: bool) -> None:
    """The engine's result kind must match the negotiated format's kind."""
    if graph_result != (fmt in negotiation.GRAPH_FORMATS):
        kind = "a graph" if graph_result else "solutions"
        raise QueryError(f"the query returns {kind}, which cannot be written as {fmt.media_type}")


def serialize_graph(graph: Graph, fmt: Format) -> bytes:
    """An rdflib graph in ``fmt`` (no cap), written like every other result."""
    triples = (ox.Triple(to_oxigraph(s), to_oxigraph(p), to_oxigraph(o)) for s, p, o in graph)  # type: ignore[arg-type]
    return serialize_triples(triples, fmt, None)
