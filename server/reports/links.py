"""Which IRIs of the data may become links, and where they link to.

An IRI in the data is data: a catalog (or an admin's update, or a remote store) can hold
``<javascript:alert(1)>`` or ``<data:text/html,…>``, and an ``href`` made of it runs script
when clicked. Every page — the check report, /search, /queries, the linked-data pages — makes
its links through :func:`safe_href` (directly or through :class:`Linker`): only ``http``/
``https`` IRIs and this site's own paths become links; anything else is shown as text.
Pages send a Content-Security-Policy as well (server/app.py), which blocks ``javascript:``
links on its own, but a page must not depend on the browser honouring it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cdkg.ontology.namespace import CD, ONTOLOGY_IRI

WEB_SCHEMES = ("http", "https")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
MAX_PATH = 512
"""The longest ``/id/<path>`` an instance IRI may have."""
_SEGMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._~-]*\Z")


def is_instance_path(path: str) -> bool:
    """Whether ``path`` (an IRI after the instance base) can be an instance's: every segment
    an ASCII key as the minter makes them — no ``..``, no empty segment, not too long.

    >>> is_instance_path("duty/chongqing/assistance/6"), is_instance_path("duty/../x")
    (True, False)
    """
    if not path or len(path) > MAX_PATH:
        return False
    return all(_SEGMENT.match(segment) for segment in path.split("/"))


def safe_href(href: str) -> str | None:
    """``href`` when it may be a link target: an absolute http(s) IRI, or a path on this
    site (``/…``, not ``//host``); None for anything else.

    >>> safe_href("https://w3id.org/cdkg/id/duty/x"), safe_href("/id/duty/x")
    ('https://w3id.org/cdkg/id/duty/x', '/id/duty/x')
    >>> [safe_href(h) for h in ("javascript:alert(1)", "JaVaScRiPt:x", "data:text/html,x",
    ...                         "vbscript:x", "//evil.example/", "java\\tscript:x", "mailto:a@b")]
    [None, None, None, None, None, None, None]
    """
    if not href or _UNSAFE.search(href):
        return None
    scheme = _SCHEME.match(href)
    if scheme is not None:
        web = scheme.group(1).lower() in WEB_SCHEMES
        return href if web and href[scheme.end() :].startswith("//") else None
    if href.startswith("/") and not href.startswith(("//", "/\\")):
        return href
    return None


@dataclass(frozen=True)
class Linker:
    """Where a page links for an IRI of the data: this site's page for instance IRIs under
    ``base`` (when it serves them at ``id_path``) and for ontology terms (when it serves the
    ontology at ``ontology_path``), else the IRI itself when :func:`safe_href` allows it.
    The one link helper of every page (the linked-data pages, /report, /search, /queries).

    >>> link = Linker("https://w3id.org/cdkg/id/", "/id/", "/ontology")
    >>> link("https://w3id.org/cdkg/id/duty/a/1"), link("https://w3id.org/cdkg/ontology#Duty")
    ('/id/duty/a/1', '/ontology#Duty')
    >>> link("http://example.org/x"), link("javascript:alert(1)")
    ('http://example.org/x', None)
    >>> Linker("https://w3id.org/cdkg/id/")("https://w3id.org/cdkg/id/duty/a/1")
    'https://w3id.org/cdkg/id/duty/a/1'
    >>> link("https://w3id.org/cdkg/id/a//b")  # no instance of this site: the IRI itself
    'https://w3id.org/cdkg/id/a//b'
    """

    base: str
    id_path: str | None = None
    ontology_path: str | None = None

    def __call__(self, iri: str) -> str | None:
        path = iri[len(self.base) :]
        if self.id_path is not None and iri.startswith(self.base) and is_instance_path(path):
            return safe_href(self.id_path + path)
        if self.ontology_path is not None:
            if iri == str(ONTOLOGY_IRI):
                return self.ontology_path
            namespace = str(CD._NS)
            if iri.startswith(namespace):
                return f"{self.ontology_path}#{iri[len(namespace) :]}"
        return safe_href(iri)
