"""The one IRI minter. Every instance IRI is ``<base><kind>/<stable source key>``.

IRIs are never built from Chinese labels: keys are catalog keys (the source file's stem),
list-type codes, printed item numbers, GB/T 2260 codes, and ASCII ids assigned in the reviewed
registers under data/registers/. The same sources therefore give the same IRIs on every build.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rdflib import URIRef

from cdkg.ontology.namespace import DEFAULT_BASE

from ..normalise.citations import ProvisionRef
from ..records import ListType

_SAFE_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


def _key(value: str) -> str:
    """Refuse anything but a plain ASCII key, so no label leaks into an IRI."""
    if not _SAFE_KEY.match(value):
        raise ValueError(f"not a stable ASCII key for an IRI: {value!r}")
    return value


@dataclass(frozen=True)
class Minter:
    """Mints instance IRIs under a configurable base (default https://w3id.org/cdkg/id/)."""

    base: str = DEFAULT_BASE

    def _iri(self, *parts: str) -> URIRef:
        return URIRef(self.base + "/".join(_key(p) for p in parts))

    def catalog(self, catalog: str) -> URIRef:
        return self._iri("catalog", catalog)

    def graph(self, name: str) -> URIRef:
        """Named graph IRI: one per catalog key, plus 'registers'."""
        return self._iri("graph", name)

    def source(self, file_name: str) -> URIRef:
        return self._iri("source", file_name)

    def duty(self, catalog: str, list_type: ListType, number: str) -> URIRef:
        return self._iri("duty", catalog, list_type.code, number)

    def citation(self, duty: URIRef, index: int) -> URIRef:
        return URIRef(f"{duty}/citation/{index}")

    def topic_assignment(self, duty: URIRef, topic_id: str) -> URIRef:
        return URIRef(f"{duty}/topic/{_key(topic_id)}")

    def category(self, catalog: str, list_type: ListType, index: int) -> URIRef:
        return self._iri("category", catalog, list_type.code, str(index))

    def category_scheme(self, catalog: str) -> URIRef:
        return self._iri("category", catalog)

    def department(self, jurisdiction: str, department_id: str) -> URIRef:
        return self._iri("department", jurisdiction, department_id)

    def sector(self, sector_id: str) -> URIRef:
        return self._iri("sector", sector_id)

    def topic(self, topic_id: str) -> URIRef:
        return self._iri("topic", topic_id)

    def jurisdiction(self, key: str) -> URIRef:
        """Key is the GB/T 2260 code where known, else a register key."""
        return self._iri("jurisdiction", key)

    def law(self, law_id: str) -> URIRef:
        return self._iri("law", law_id)

    def provision(
        self, law_id: str, article: int, paragraph: int | None = None, item: int | None = None
    ) -> URIRef:
        """Document IRI + article/paragraph/item path, e.g. law/x/art-3/para-4/item-2."""
        return self._iri("law", law_id, *ProvisionRef(article, paragraph, item).path)
