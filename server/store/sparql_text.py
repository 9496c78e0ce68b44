"""What a SPARQL request is, read from its text before any engine sees it (pure functions).

The endpoint needs these facts before it runs anything: the query form (to negotiate a
results or a graph format, and to refuse an update sent as a query), whether the text may use
SERVICE or LOAD (an outbound request from the engine: refused), whether the query names its
own dataset with FROM (pyoxigraph then must not replace the default graph by the union of all
graphs), how deeply it nests brackets (the engines' parsers recurse: 3,000 nested braces
overflow a pyoxigraph worker's stack, so more than ``MAX_DEPTH`` is refused here), and which
prefixes it uses and declares (``cdkg.server.store.remote`` adds cdkg's standard ones).

How the text is read — by the SPARQL 1.1 grammar's terminals (§19.8), not a keyword scan:

* Comments, string literals (all four kinds), IRIs (``IRIREF``, with the ``\\u`` escapes both
  engines accept in them), variable names, and the local part of prefixed names and blank-node
  labels are *skipped*. Their patterns are exactly the grammar's, so a skipped token never
  reaches further than an engine reads it. Everything else is *bare* text.
* The engines need no space between tokens: pyoxigraph reads ``SERVICESILENT<…>``,
  ``?a ?b trueSERVICE<…>{…}``, ``1SERVICE<…>`` and ``service:x{…}`` (SERVICE, then the
  prefixed name ``:x``) as a SERVICE; rdflib compares keywords after ``str.upper`` (so
  ``ſervıce`` is SERVICE) and decodes ``\\uXXXX`` escapes in the whole text before parsing.
  So any bare text that contains SERVICE or LOAD, ignoring case, counts, wherever it sits in a
  word — the prefix of a prefixed name included (a prefix named ``service:`` is refused: the
  parser may read it as the keyword). Text with ``\\u`` escapes is read twice, as sent
  (pyoxigraph) and decoded (rdflib).
* A string without its end makes the rest of the text (long string) or of the line (short
  string) bare: the engines refuse such text anyway, and so nothing can hide in it.

Every pattern is possessive, every skipped token starts with a fixed character, and the work
per token is done by ``re`` in C, so reading is linear in the size of the text and fast (issue
12: the former lexer took 69 s for 64 KB in the server process, where no timeout applies;
this one reads 1 MB of any shape in well under a second).

>>> analyse('PREFIX s: <http://x/SERVICE> SELECT ("SERVICE" AS ?v) {}').service is None
True
>>> analyse("select * { service <http://x> { ?s ?p ?o } }").service
'service'
>>> analyse("SELECT * WHERE { ?a ?b trueSERVICE<http://x>{ ?s ?p ?o } }").service
'trueSERVICE'
>>> analyse("SELECT * WHERE " + "{" * 300 + "}" * 300).depth
300
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from itertools import accumulate, chain, compress, count, repeat
from operator import is_not

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_FORMS = sorted(QUERY_FORMS | UPDATE_FORMS, key=len, reverse=True)
MAX_DEPTH = 256
"""The deepest bracket nesting accepted (``{ ( [ <<`` together). pyoxigraph overflows its
stack near 3,000 nested braces and some nestings of a few hundred take it minutes; no real
query comes near 256."""

# --- the grammar's terminals (SPARQL 1.1 Query Language §19.8) -------------------------------

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + "\\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_LOCAL = rf"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:\.*+(?:[{_PN_CHARS}:]|{_PLX}))*+"
_VARNAME = rf"[{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00b7\u0300-\u036f\u203f-\u2040]*+"
_IRI_CHAR = r"""(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})"""

# Skipped tokens, in the order the engines try them (a long string before a short one).
_SKIP = re.compile(
    rf"""
      \#[^\n\r]*+
    | \"\"\"(?:[^"\\]++|\\[\s\S]|"(?!""))*+\"\"\"
    | \"\"\"(?P<long2>[\s\S]*+)
    | "(?:[^"\\\n\r]++|\\[^\n\r])*+"
    | "(?P<short2>[^\n\r]*+)
    | '''(?:[^'\\]++|\\[\s\S]|'(?!''))*+'''
    | '''(?P<long1>[\s\S]*+)
    | '(?:[^'\\\n\r]++|\\[^\n\r])*+'
    | '(?P<short1>[^\n\r]*+)
    | <{_IRI_CHAR}*+>
    | \?{_VARNAME}
    | \${_VARNAME}
    | :(?P<colon>)(?:{_PN_LOCAL})?
    """,
    re.VERBOSE,
)
# Every alternative begins with a literal character (the colon's group, empty, comes after
# it), so that ``re`` finds the next token by that character set alone: 3× faster than when
# the colon alternative began with its group.
_STEP = _SKIP.groups + 1
_TOKEN = {None: "\0", "": ":"}
SKIPPED = "\0"
"""What a skipped token becomes in ``bare_text``."""

# rdflib's own pattern (rdflib.plugins.sparql.parser.expandUnicodeEscapes_re).
_UNICODE_ESCAPE = re.compile(r"\\u([0-9a-f]{4}(?:[0-9a-f]{4})?)", re.IGNORECASE)

# --- searches of the bare text ---------------------------------------------------------------

_OUTBOUND = {
    "SERVICE": re.compile("service", re.IGNORECASE),
    "LOAD": re.compile("load", re.IGNORECASE),
}
# A word starts with its first character (so that ``re`` skips to candidates fast), then looks
# back: the character before it is no name character. ASCII case only, as the parsers.
_START = rf"(?<![{_PN_CHARS}.].)"
_WORD = rf"[{_PN_CHARS_BASE}]{_START}[{_PN_CHARS}.]*+"
_FROM = re.compile(rf"[Ff]{_START}[Rr][Oo][Mm][{_PN_CHARS}.]*+(?!:)")
_FORM_WORD = re.compile(
    rf"[{_PN_CHARS_BASE}]{_START}(?<![Pp](?=[Rr][Ee][Ff][Ii][Xx](?![{_PN_CHARS}.])))"
    rf"(?<![Bb](?=[Aa][Ss][Ee](?![{_PN_CHARS}.])))[{_PN_CHARS}.]*+(?!:)"
)
_PREFIX_NAME = re.compile(rf"{_WORD}(?=:)")
_DECLARED = re.compile(rf"[Pp]{_START}[Rr][Ee][Ff][Ii][Xx][\s{SKIPPED}]*+({_WORD})?:")
_BRACKETS = re.compile(r"[{(\[]|[})\]]|<<|>>")
_DEPTH = {"{": 1, "(": 1, "[": 1, "<<": 1, "}": -1, ")": -1, "]": -1, ">>": -1}
_AROUND = 24
_SEPARATORS = re.compile(rf"[^{_PN_CHARS}.:]")


def bare_text(text: str) -> str:
    """``text`` with each skipped token replaced by one NUL (a prefixed name by its prefix and
    ``:``); after a string without its end, the rest (of the text or the line) as it is.

    >>> bare_text('SELECT ?service { <http://x/SERVICE> ex:LOAD "SERVICE" } # LOAD')
    'SELECT \\x00 { \\x00 ex: \\x00 } \\x00'
    >>> bare_text('ASK { "a\\\\" SERVICE }')
    'ASK { \\x00a\\\\" SERVICE }'
    """
    parts = _SKIP.split(text)  # bare, then each group of the token after it, and so on
    tokens = list(map(_TOKEN.__getitem__, parts[_STEP - 1 :: _STEP]))  # ":" or SKIPPED
    for group in range(1, _STEP - 1):  # the rare strings without their end
        rests = parts[group::_STEP]
        for index in compress(count(), map(is_not, rests, repeat(None))):
            tokens[index] = SKIPPED + rests[index]
    tokens.append("")
    return "".join(chain.from_iterable(zip(parts[::_STEP], tokens, strict=True)))


def decode_escapes(text: str) -> str:
    """``text`` with its ``\\uXXXX`` / ``\\uXXXXXXXX`` escapes decoded, as rdflib does before it
    parses (one pass; an escape that is no code point is left as it is: rdflib refuses it).

    >>> decode_escapes(r"\\u0053ERVICE \\U00000041")
    'SERVICE A'
    """

    def expand(match: re.Match[str]) -> str:
        code = int(match.group(1), 16)
        return chr(code) if code <= 0x10FFFF else match.group()

    return _UNICODE_ESCAPE.sub(expand, text)


@dataclass(frozen=True)
class Analysis:
    """Facts about one request text."""

    form: str | None
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or the first keyword of an update; None if unknown."""
    service: str | None
    """The bare word that may be read as SERVICE (None: there is none)."""
    load: str | None
    """The bare word that may be read as LOAD."""
    dataset_clause: bool
    """FROM / FROM NAMED present (the query chooses its own dataset)."""
    depth: int
    """The deepest nesting of brackets (``{ ( [ <<``)."""
    prefixes_used: frozenset[str]
    """Prefixes of the prefixed names in the text (the empty prefix left out)."""
    prefixes_declared: frozenset[str]

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS

    @property
    def too_deep(self) -> bool:
        return self.depth > MAX_DEPTH


MEMO_TEXT_CHARS = 1 << 16
"""Texts up to this length are remembered (``analyse``): at most 256 × 64 K characters."""


def analyse(text: str) -> Analysis:
    """Read the form, the outbound keywords, the nesting and the prefixes of a query or update.

    The same texts come again and again (the named queries, the query page's examples, a
    client's polling), and reading one takes about 0.1 ms per kilobyte, so the facts about the
    last 256 texts shorter than ``MEMO_TEXT_CHARS`` are kept (an ``Analysis`` is immutable).

    >>> info = analyse("PREFIX ex: <http://x/> SELECT*FROM<http://g>{ ?s ex:p ?o }")
    >>> info.form, info.service, info.dataset_clause, sorted(info.prefixes_used)
    ('SELECT', None, True, ['ex'])
    >>> analyse("ASK {}") is analyse("ASK {}")
    True
    """
    if len(text) <= MEMO_TEXT_CHARS:
        return _remembered(text)
    return _analyse(text)


def _analyse(text: str) -> Analysis:
    bare = bare_text(text)
    service, load = (_word_with(_OUTBOUND[keyword], bare) for keyword in ("SERVICE", "LOAD"))
    if (service is None or load is None) and _UNICODE_ESCAPE.search(text):
        decoded = bare_text(decode_escapes(text))  # what rdflib reads
        service = service or _word_with(_OUTBOUND["SERVICE"], decoded)
        load = load or _word_with(_OUTBOUND["LOAD"], decoded)
    return Analysis(
        form=_form(bare),
        service=service,
        load=load,
        dataset_clause=_FROM.search(bare) is not None,
        depth=_depth(bare),
        prefixes_used=frozenset(_PREFIX_NAME.findall(bare)),
        prefixes_declared=frozenset(_DECLARED.findall(bare)),
    )


_remembered = functools.lru_cache(maxsize=256)(_analyse)


def refusal(info: Analysis) -> str | None:
    """Why the endpoint refuses a text before any engine sees it (None: it does not).

    >>> refusal(analyse("SELECT * { ?a ?b trueSERVICE<http://x>{} }"))[:42]
    'SERVICE (federated query) is disabled on t'
    >>> refusal(analyse("SELECT * {}")) is None
    True
    """
    if info.too_deep:
        return (
            f"the text nests brackets {info.depth} deep; the limit is {MAX_DEPTH} "
            "(deeper nesting overflows the engine's parser)"
        )
    if info.service is not None:
        return (
            "SERVICE (federated query) is disabled on this endpoint: it would make the server "
            "send requests to other servers. Run the query against each endpoint yourself. "
            f"(Read as SERVICE: {info.service!r}; a keyword glued to another word, or a "
            "prefix named like it, is read as the keyword too.)"
        )
    if info.load is not None:
        return (
            "LOAD is disabled on this endpoint: it would make the server fetch data. "
            f"(Read as LOAD: {info.load!r}.)"
        )
    return None


_DEFINE = re.compile("define", re.IGNORECASE)
_BUILT_IN_IRI = re.compile(r"<\s*(?:bif|sql):", re.IGNORECASE)
UPSTREAM_BUILT_INS = frozenset({"bif", "sql"})
"""Virtuoso's namespaces of built-in SQL functions: some of them read files or the network."""


def upstream_refusal(text: str, info: Analysis) -> str | None:
    """Why a text must not be forwarded to an upstream SPARQL server (None: it may be), beyond
    :func:`refusal`: Virtuoso's extensions can fetch too — ``DEFINE get:soft "replace"`` makes
    it load a remote graph named in FROM, and ``bif:``/``sql:`` functions call its SQL
    built-ins (``bif:http_get`` among them). Neither is SPARQL 1.1, so nothing standard is lost.

    >>> text = 'DEFINE get:soft "replace" SELECT * FROM <http://x> {}'
    >>> upstream_refusal(text, analyse(text))[:50]
    'DEFINE pragmas (a Virtuoso extension) are refused:'
    >>> text = "SELECT (<bif:http_get>('http://x') AS ?v) {}"
    >>> upstream_refusal(text, analyse(text))[:40]
    "Virtuoso's built-in functions (bif:, sql"
    >>> upstream_refusal("SELECT ?undefined {}", analyse("SELECT ?undefined {}")) is None
    True
    """
    word = _word_with(_DEFINE, bare_text(text))
    if word is not None:
        return (
            "DEFINE pragmas (a Virtuoso extension) are refused: some make the upstream server "
            f"fetch remote documents. (Read as DEFINE: {word!r}.)"
        )
    used = {prefix.lower() for prefix in info.prefixes_used}
    if used & UPSTREAM_BUILT_INS or _BUILT_IN_IRI.search(text):
        return (
            "Virtuoso's built-in functions (bif:, sql:) are refused: some read files or the "
            "network on the upstream server. Use the SPARQL 1.1 functions."
        )
    return None


def _word_with(pattern: re.Pattern[str], bare: str) -> str | None:
    """The bare word around the first match of ``pattern`` (for the error message)."""
    match = pattern.search(bare)
    if match is None:
        return None
    start, end = max(0, match.start() - _AROUND), match.end() + _AROUND
    before = _SEPARATORS.split(bare[start : match.start()])[-1]
    after = _SEPARATORS.split(bare[match.end() : end])[0]
    return before + match.group() + after


def _form(bare: str) -> str | None:
    """The form keyword the first word after the prologue begins with: the parsers accept it
    glued to what follows (``SELECT*``, ``ASK{``, ``SELECTDISTINCT``)."""
    match = _FORM_WORD.search(bare)
    if match is None:
        return None
    word = match.group().upper()
    return next((form for form in _FORMS if word.startswith(form)), None)


def _depth(bare: str) -> int:
    """The deepest nesting of brackets in ``bare``."""
    steps = map(_DEPTH.__getitem__, _BRACKETS.findall(bare))
    return max(accumulate(steps, initial=0))
