"""RDF/XML written by cdkg, because pyoxigraph 0.5.13's RDF/XML writer can produce XML that is
malformed or that reads back as other data.

Three defects of pyoxigraph's writer (oxrdfxml), each a test in tests/server/test_w3c_defects.py:

* a predicate IRI that does not end in an XML name (``http://example.org/1``) is written as
  the element ``<oxprefix:`` — not well-formed XML
  (https://github.com/oxigraph/oxigraph/issues/1859, fixed upstream by
  https://github.com/oxigraph/oxigraph/pull/1860 by refusing such graphs);
* a carriage return in a literal is written raw, and every XML parser turns CR and CRLF into
  LF (XML 1.0 §2.11), so the value read back is not the value written (the same defect in
  SPARQL XML results: https://github.com/oxigraph/oxigraph/pull/1785);
* a character XML 1.0 does not allow (U+0001 … U+001F but TAB, LF, CR; U+FFFE, U+FFFF) is
  written raw, which makes the document malformed. No escape exists for these in XML 1.0
  (``&#1;`` is just as malformed), so such a graph cannot be RDF/XML at all.

So this writer splits a predicate only where the rest is an NCName (longest such suffix;
the namespace gets a known prefix or a generated ``ns0``, ``ns1``…), escapes CR (and TAB/LF
in attributes) as character references, and refuses what XML 1.0 cannot carry with
``NotRepresentable`` (406 naming the reason; the same answer in Turtle, N-Triples or JSON-LD
works). Blank nodes get document-local ``rdf:nodeID`` names ``b0``, ``b1``… (pyoxigraph's
random ids may begin with a digit, which is not an NCName).

>>> t = ox.Triple(ox.NamedNode("http://s"), ox.NamedNode("http://e.org/v1"), ox.Literal("a\\rb"))
>>> print(rdf_xml([t], {}).decode())
<?xml version="1.0" encoding="UTF-8"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ns0="http://e.org/">
  <rdf:Description rdf:about="http://s">
    <ns0:v1>a&#13;b</ns0:v1>
  </rdf:Description>
</rdf:RDF>
<BLANKLINE>
>>> local_name("http://example.org/1") is None
True
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from .errors import NotRepresentable

RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# XML 1.0 (Fifth Edition) §2.3 NameStartChar / NameChar, without ":" (NCName, XML Names §3).
_START = (
    "A-Z_a-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd\U00010000-\U000effff"
)
_CHAR = _START + r"\-.0-9\u00b7\u0300-\u036f\u203f\u2040"
_NAME_CHARS = re.compile(f"[{_CHAR}]*")
_NAME_START = re.compile(f"[{_START}]")
# Characters XML 1.0 §2.2 does not allow anywhere, not even as character references.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def local_name(iri: str) -> str | None:
    """The longest suffix of ``iri`` that is an NCName (an XML element's local part), or None.

    >>> local_name("https://w3id.org/cdkg/ontology#Duty")
    'Duty'
    >>> local_name("http://example.org/123abc")
    'abc'
    """
    # Scanned from the end, so that a long IRI costs linear time (an anchored regex search
    # from the front backtracks quadratically).
    tail_length = _NAME_CHARS.match(iri[::-1]).end()  # type: ignore[union-attr]
    tail = iri[len(iri) - tail_length :]
    start = _NAME_START.search(tail)
    return tail[start.start() :] if start else None


def check_xml_text(value: str, what: str) -> None:
    """Raise NotRepresentable when ``value`` holds a character XML 1.0 cannot carry."""
    bad = NOT_XML.search(value)
    if bad is not None:
        raise NotRepresentable(
            f"{what} holds U+{ord(bad.group(0)):04X}, a character XML 1.0 cannot carry (not "
            "even as a character reference); ask for another format (JSON, CSV, TSV, Turtle, "
            "N-Triples or JSON-LD)"
        )


def _text(value: str) -> str:
    """Element content: markup escaped, CR as a reference so that it survives parsing."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "&#13;")


def _attribute(value: str) -> str:
    """An attribute value in double quotes: TAB, LF and CR as references (attribute-value
    normalisation would turn them into spaces)."""
    escaped = _text(value).replace('"', "&quot;")
    return escaped.replace("\t", "&#9;").replace("\n", "&#10;")


class _Names:
    """Namespace prefixes (known ones first, then ns0, ns1…) and blank-node names."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self._known = {iri: name for name, iri in prefixes.items() if name != "rdf"}
        self.declared: dict[str, str] = {RDF_NS: "rdf"}
        self._blank: dict[str, str] = {}

    def qname(self, predicate: str) -> str:
        local = local_name(predicate)
        if local is None:
            raise NotRepresentable(
                f"the predicate <{predicate}> does not end in an XML name, so RDF/XML cannot "
                "write it; ask for Turtle, N-Triples or JSON-LD"
            )
        namespace = predicate[: len(predicate) - len(local)]
        prefix = self.declared.get(namespace)
        if prefix is None:
            prefix = self._known.get(namespace) or f"ns{len(self.declared) - 1}"
            self.declared[namespace] = prefix
        return f"{prefix}:{local}"

    def blank(self, node: ox.BlankNode) -> str:
        return self._blank.setdefault(node.value, f"b{len(self._blank)}")


def _node(term: object, names: _Names) -> str:
    """The ``rdf:about``/``rdf:resource``-style attribute naming a subject or object node."""
    if isinstance(term, ox.NamedNode):
        return f'"{_attribute(term.value)}"'
    if isinstance(term, ox.BlankNode):
        return f'"{names.blank(term)}"'
    raise NotRepresentable(f"RDF/XML cannot write the term {term} (RDF 1.2 triple terms)")


def _property(triple: ox.Triple | ox.Quad, names: _Names) -> str:
    element = names.qname(triple.predicate.value)
    value = triple.object
    if isinstance(value, ox.NamedNode):
        return f"<{element} rdf:resource={_node(value, names)}/>"
    if isinstance(value, ox.BlankNode):
        return f"<{element} rdf:nodeID={_node(value, names)}/>"
    if not isinstance(value, ox.Literal):
        raise NotRepresentable(f"RDF/XML cannot write the term {value} (RDF 1.2 triple terms)")
    check_xml_text(value.value, f"the literal of <{triple.predicate.value}>")
    if value.direction:
        raise NotRepresentable("RDF/XML 1.1 cannot write a literal with a base direction")
    if value.language:
        attributes = f' xml:lang="{_attribute(value.language)}"'
    elif value.datatype.value != _XSD_STRING:
        attributes = f' rdf:datatype="{_attribute(value.datatype.value)}"'
    else:
        attributes = ""
    return f"<{element}{attributes}>{_text(value.value)}</{element}>"


def rdf_xml(triples: Iterable[ox.Triple | ox.Quad], prefixes: dict[str, str]) -> bytes:
    """``triples`` as an RDF/XML document; consecutive triples of one subject share one
    ``rdf:Description``. Raises NotRepresentable for what RDF/XML cannot hold."""
    names = _Names(prefixes)
    body: list[str] = []
    subject: object = None
    for triple in triples:
        if triple.subject != subject:
            if subject is not None:
                body.append("  </rdf:Description>")
            subject = triple.subject
            kind = "rdf:nodeID" if isinstance(subject, ox.BlankNode) else "rdf:about"
            body.append(f"  <rdf:Description {kind}={_node(subject, names)}>")
        body.append(f"    {_property(triple, names)}")
    if subject is not None:
        body.append("  </rdf:Description>")
    declarations = " ".join(
        f'xmlns:{prefix}="{_attribute(iri)}"' for iri, prefix in names.declared.items()
    )
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f"<rdf:RDF {declarations}>", *body]
    return ("\n".join([*lines, "</rdf:RDF>"]) + "\n").encode("utf-8")
