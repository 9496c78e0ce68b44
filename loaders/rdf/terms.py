"""pyoxigraph terms as rdflib terms: the one conversion, in the lowest layer that needs it.

The store build's SHACL checks (``cdkg.loaders.validation.shacl``) read pyoxigraph rows into
rdflib terms, and so do the engines of the read side (``cdkg.server.store.results``, which
turns :class:`UnsupportedTerm` into the engines' QueryError).

>>> import pyoxigraph as ox
>>> to_rdflib(ox.Literal("06", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
rdflib.term.Literal('06', datatype=rdflib.term.URIRef('http://www.w3.org/2001/XMLSchema#integer'))
>>> to_rdflib(ox.Literal("禁毒", language="zh"))
rdflib.term.Literal('禁毒', lang='zh')
"""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class UnsupportedTerm(ValueError):
    """A term rdflib cannot hold: an RDF 1.2 triple term."""


def to_rdflib(term: object) -> Node:
    """A pyoxigraph term as an rdflib term, lexical forms kept as written (``"06"`` stays
    ``"06"``: rdflib would otherwise normalise it to ``"6"``).

    Raises:
        UnsupportedTerm: for a triple term, or anything that is not a pyoxigraph term.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == _XSD_STRING:
            return Literal(term.value)
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise UnsupportedTerm(f"this interface cannot return the term {term!r} (RDF 1.2 triple terms)")
