"""What a SPARQL request is, read from its text before any engine sees it (pure functions).

The endpoint needs four facts before it runs anything: the query form (to negotiate a results
or a graph format, and to refuse an update sent as a query), whether it uses SERVICE (an
outbound request from the engine — pyoxigraph and rdflib both make one), whether an update
uses LOAD (likewise), and whether the query names its own dataset with FROM (pyoxigraph then
must not replace the default graph by the union of all graphs).

A small lexer finds bare keywords: comments, string literals, IRIs, variables and prefixed
names (``ex:SERVICE``) are skipped, so a keyword inside them is not seen. It is deliberately
conservative: text that is not valid SPARQL may produce a false SERVICE/LOAD and be refused
with a clear message rather than reach the engine; valid SPARQL never hides one.

>>> analyse('PREFIX s: <http://x/SERVICE> SELECT ("SERVICE" AS ?v) {}').service
False
>>> analyse("select * { service <http://x> { ?s ?p ?o } }").service
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUERY_FORMS = frozenset({"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"})
UPDATE_FORMS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_PROLOGUE = frozenset({"PREFIX", "BASE"})

_LEXER = re.compile(
    r"""
      (?P<comment>\#[^\n\r]*)
    | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
                |'''(?:[^'\\]|\\.|'(?!''))*'''
                |"(?:[^"\\\n\r]|\\.)*"
                |'(?:[^'\\\n\r]|\\.)*')
    | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
    | (?P<var>[?$][\w\u00B7]+)
    | (?P<pname>(?:[^\W\d_][\w.\-\u00B7]*)?:(?:[\w.\-:%\u00B7]|\\.)*)
    | (?P<word>[A-Za-z]+)
    """,
    re.VERBOSE | re.DOTALL,
)


def keywords(text: str) -> list[str]:
    """The bare words of ``text``, upper-cased, in order (keywords, ``a``, and noise)."""
    found: list[str] = []
    position = 0
    while position < len(text):
        match = _LEXER.match(text, position)
        if match is None:
            position += 1
            continue
        if match.lastgroup == "word":
            found.append(match.group().upper())
        position = match.end()
    return found


@dataclass(frozen=True)
class Analysis:
    """Facts about one request text."""

    form: str | None
    """SELECT, ASK, CONSTRUCT, DESCRIBE, or the first keyword of an update; None if unknown."""
    service: bool
    load: bool
    dataset_clause: bool
    """FROM / FROM NAMED present (the query chooses its own dataset)."""

    @property
    def is_update(self) -> bool:
        return self.form in UPDATE_FORMS


def analyse(text: str) -> Analysis:
    """Read the form and the risky keywords of a query or update."""
    words = keywords(text)
    form = None
    for word in words:
        if word in _PROLOGUE:
            continue
        if word in QUERY_FORMS or word in UPDATE_FORMS:
            form = word
        break
    present = set(words)
    return Analysis(
        form=form,
        service="SERVICE" in present,
        load="LOAD" in present,
        dataset_clause="FROM" in present,
    )
