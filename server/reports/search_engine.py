"""Chinese keyword search over duties, without an external index: indexing and matching.

The /search page (cdkg.server.search) renders what :func:`rank` returns; this module has no
web framework, so any door can search.

Chinese has no word boundaries. A query is split on whitespace into parts that must all match
(AND); a part matches where its text occurs, else when every one of its words does, the
words segmented with jieba (a well-kept dictionary segmenter: 城市低保 → 城市 · 低保; the words of
the synonym register kept whole). A word matches as any of its
synonyms (data/registers/search-synonyms.csv, reviewed, a source per row: 低保 finds
最低生活保障). Texts and words are normalised (NFKC, case-folded, whitespace removed). A
word found as a substring of a field scores that field's weight; otherwise, when at least
half of its character bigrams occur in the field, half the weight times that fraction.
Weights — name 4, description 2, place (the jurisdiction and the places it lies in) 1.5,
list type 1.5, citation text 1 — rank a name match above the rest. Ties go to the shorter
name, then the IRI. Each hit carries the texts it matched (:class:`Match`), for the page to
mark; the score orders hits and is not for showing.

Duties are what has ``cd:inCatalog`` (so the index needs no entailed ``a cd:Duty``). The
index is one SELECT over the store, run on first use and again whenever the dataset version
changes.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from rdflib import Literal
from rdflib.term import Node

from cdkg.loaders.registers import read_rows
from cdkg.server.store import QueryOptions

INDEX_QUERY = """
PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?duty ?label ?description ?citation ?catalog ?catalogLabel ?jurisdiction
       ?jurisdictionLabel ?placeLabel ?listLabel
WHERE {
  ?duty cd:inCatalog ?catalog ; rdfs:label ?label .
  OPTIONAL { ?duty cd:description ?description }
  OPTIONAL { ?duty cd:citationText ?citation }
  OPTIONAL { ?catalog rdfs:label ?catalogLabel }
  OPTIONAL { ?catalog cd:jurisdiction ?jurisdiction .
             OPTIONAL { ?jurisdiction rdfs:label ?jurisdictionLabel }
             OPTIONAL { ?jurisdiction cd:partOf ?place .
                        ?place rdfs:label ?placeLabel FILTER(lang(?placeLabel) = "zh")
                        FILTER NOT EXISTS { ?place cd:level "national" } } }
  OPTIONAL { ?duty a ?listClass . ?listClass rdfs:subClassOf cd:Duty .
             FILTER(?listClass != cd:Duty)
             ?listClass rdfs:label ?listLabel FILTER(lang(?listLabel) = "zh") }
}
"""

WEIGHTS = {"label": 4.0, "description": 2.0, "place": 1.5, "list": 1.5, "citation": 1.0}
PARTIAL = 0.5
SYNONYM_COLUMNS = ("words", "source", "reason")
_FILLER = frozenset("的和与及或了在")
"""One-character words jieba leaves between the words that carry meaning."""


class Selector(Protocol):
    def select(self, query: str, options: Any = None) -> list[dict[str, Node]]: ...

    @property
    def version(self) -> str: ...


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` NFKC-normalised, case-folded, without whitespace; with, for each character of
    the result, the index of the character of ``text`` it came from.

    >>> normalise("禁毒 ＡＢ")
    ('禁毒ab', [0, 1, 3, 4])
    """
    out: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for piece in unicodedata.normalize("NFKC", char).casefold():
            if not piece.isspace():
                out.append(piece)
                origin.append(index)
    return "".join(out), origin


def bigrams(text: str) -> frozenset[str]:
    """Character bigrams (a one-character text is its own only gram)."""
    if len(text) < 2:
        return frozenset({text}) if text else frozenset()
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


# --- synonyms and words ----------------------------------------------------------------------


@dataclass(frozen=True)
class Synonyms:
    """Groups of words that mean the same to a searcher (data/registers/search-synonyms.csv)."""

    groups: tuple[frozenset[str], ...] = ()

    def of(self, word: str) -> frozenset[str]:
        """``word`` and every word sharing a group with it (all normalised).

        >>> Synonyms((frozenset({"低保", "最低生活保障"}),)).of("低保") == {"低保", "最低生活保障"}
        True
        """
        found = {word}
        for group in self.groups:
            if word in group:
                found |= group
        return frozenset(found)

    @cached_property
    def words(self) -> frozenset[str]:
        return frozenset(word for group in self.groups for word in group)


def load_synonyms(path: Path) -> Synonyms:
    """Read the synonym register: ``words`` (two or more, separated by |), ``source``,
    ``reason``. ValueError names the file and row of a row without two words or a source."""
    groups = []
    for line, row in read_rows(path, SYNONYM_COLUMNS):
        words = frozenset(normalise(word)[0] for word in row["words"].split("|") if word.strip())
        if len(words) < 2:
            raise ValueError(f"{path}:{line}: column words: give two or more words, split by |")
        if not row["source"] or not row["reason"]:
            raise ValueError(f"{path}:{line}: every synonym row needs a source and a reason")
        groups.append(words)
    return Synonyms(tuple(groups))


class Segmenter:
    """jieba's segmenter with the synonym register's words added (so 最低生活保障 stays one
    word); its dictionary loads on first use (about 1 s), not at import."""

    def __init__(self, extra_words: Iterable[str] = ()) -> None:
        self._extra = tuple(extra_words)
        self._lock = threading.Lock()
        self._tokenizer: Any = None

    def words(self, text: str) -> list[str]:
        """The meaningful words of ``text``: jieba's words without punctuation and fillers.

        >>> Segmenter(["低保"]).words("城市低保，的")
        ['城市', '低保']
        """
        with self._lock:
            if self._tokenizer is None:
                import jieba

                jieba.setLogLevel(logging.WARNING)
                tokenizer = jieba.Tokenizer()
                for word in self._extra:
                    tokenizer.add_word(word)
                self._tokenizer = tokenizer
        return [
            word
            for word in (w.strip() for w in self._tokenizer.cut(text))
            if word and word not in _FILLER and re.search(r"\w", word)
        ]


def query_parts(
    query: str, segmenter: Segmenter | None, synonyms: Synonyms
) -> list[tuple[str, tuple[str, ...]]]:
    """The parts of ``query`` that must all match (split on whitespace), each with its words:
    a part is found whole where its text occurs (禁毒法 in a citation), else by all of its
    words (城市低保 → 城市 · 低保). Synonyms and parts of two characters are not segmented.

    >>> query_parts("禁毒 ＡＢ", None, Synonyms())
    [('禁毒', ('禁毒',)), ('ab', ('ab',))]
    """
    parts: dict[str, tuple[str, ...]] = {}
    for raw in query.split():
        whole = normalise(raw)[0]
        if not whole or whole in parts:
            continue
        words: tuple[str, ...] = (whole,)
        if segmenter is not None and whole not in synonyms.words and len(whole) > 2:
            segmented = tuple(dict.fromkeys(normalise(w)[0] for w in segmenter.words(whole)))
            words = tuple(w for w in segmented if w) or words
        parts[whole] = words
    return list(parts.items())


# --- the index -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Field:
    """One searchable text of a duty, kept with its normalised form."""

    text: str
    normal: str
    origin: tuple[int, ...]
    grams: frozenset[str]

    @classmethod
    def of(cls, text: str) -> Field:
        normal, origin = normalise(text)
        return cls(text, normal, tuple(origin), bigrams(normal))

    def match(self, term: str, grams: frozenset[str]) -> tuple[float, int, int]:
        """(strength 0–1, start, end in ``text``) of ``term`` in this field."""
        position = self.normal.find(term)
        if position >= 0:
            end = self.origin[position + len(term) - 1] + 1
            return 1.0, self.origin[position], end
        if not grams or not self.normal:
            return 0.0, 0, 0
        shared = grams & self.grams
        fraction = len(shared) / len(grams)
        if fraction < 0.5:
            return 0.0, 0, 0
        first = min(self.normal.find(gram) for gram in shared)
        return PARTIAL * fraction, self.origin[first], self.origin[first + 1] + 1


@dataclass(frozen=True)
class Entry:
    """One duty in the index."""

    iri: str
    label: str
    catalog: str
    catalog_label: str
    jurisdiction: str
    jurisdiction_label: str
    fields: dict[str, Field]


@dataclass(frozen=True)
class Match:
    """What one query word matched: the field and the text there (最低生活保障 for 低保)."""

    word: str
    field: str
    text: str


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    field: str
    snippet: str
    matches: tuple[Match, ...] = ()

    @property
    def words(self) -> list[str]:
        """The matched texts, for marking them in the label and snippet."""
        return list(dict.fromkeys(m.text for m in self.matches if m.text))


def snippet(text: str, start: int, end: int, width: int = 24) -> str:
    """``text`` around [start, end) on one line, with ellipses where cut."""
    left, right = max(0, start - width), min(len(text), end + width)
    body = " ".join(text[left:right].split())
    return ("…" if left else "") + body + ("…" if right < len(text) else "")


def _text(node: Node | None) -> str:
    return str(node) if node is not None else ""


def _prefer_zh(current: str, node: Node | None) -> str:
    """Keep the first label, but let a @zh label replace one in another language."""
    if node is None:
        return current
    if not current or (isinstance(node, Literal) and node.language == "zh"):
        return str(node)
    return current


def build_entries(rows: list[dict[str, Node]]) -> list[Entry]:
    """Group the index query's rows into one entry per duty."""
    grouped: dict[str, dict[str, Any]] = {}
    for row in rows:
        iri = _text(row.get("duty"))
        item = grouped.setdefault(
            iri,
            {
                "label": "",
                "catalog": "",
                "catalogLabel": "",
                "jurisdiction": "",
                "jurisdictionLabel": "",
                **{key: [] for key in ("description", "citation", "placeLabel", "listLabel")},
            },
        )
        for key in ("label", "catalogLabel", "jurisdictionLabel"):
            item[key] = _prefer_zh(str(item[key]), row.get(key))
        for key in ("catalog", "jurisdiction"):
            item[key] = item[key] or _text(row.get(key))
        for key in ("description", "citation", "placeLabel", "listLabel"):
            value = _text(row.get(key))
            if value and value not in item[key]:
                item[key].append(value)
    entries = []
    for iri, item in sorted(grouped.items()):
        places = [item["jurisdictionLabel"], *sorted(item["placeLabel"])]
        texts = {
            "label": str(item["label"]),
            "description": "\n".join(item["description"]),
            "citation": "\n".join(item["citation"]),
            "place": "\n".join(p for p in places if p),
            "list": "\n".join(sorted(item["listLabel"])),
        }
        entries.append(
            Entry(
                iri=iri,
                label=texts["label"],
                catalog=str(item["catalog"]),
                catalog_label=str(item["catalogLabel"]),
                jurisdiction=str(item["jurisdiction"]),
                jurisdiction_label=str(item["jurisdictionLabel"]),
                fields={name: Field.of(text) for name, text in texts.items()},
            )
        )
    return entries


def _best(
    entry: Entry, word: str, forms: Mapping[str, frozenset[str]], exact: bool = False
) -> _Found:
    """The best match of ``word`` or any of its synonyms in ``entry`` (``exact``: only where
    the text occurs)."""
    best = _Found(0.0, 0.0, "", 0, 0)
    for form, grams in forms.items():
        for name, field in entry.fields.items():
            strength, start, end = field.match(form, grams)
            score = strength * WEIGHTS.get(name, 1.0)
            if score > best.score and (strength == 1.0 or not exact):
                best = _Found(score, strength, name, start, end)
    return best


@dataclass(frozen=True)
class _Found:
    score: float
    strength: float
    field: str
    start: int
    end: int


Forms = Mapping[str, Mapping[str, frozenset[str]]]


def _part(
    entry: Entry, whole: str, words: tuple[str, ...], forms: Forms
) -> list[tuple[str, _Found]]:
    """How one part of the query matches ``entry``: whole where its text occurs, else by every
    one of its words, else by the whole's bigrams; [] when it does not match."""
    exact = _best(entry, whole, forms[whole], exact=True)
    if exact.score:
        return [(whole, exact)]
    if len(words) > 1:
        by_word = [(word, _best(entry, word, forms[word])) for word in words]
        if all(f.score for _, f in by_word):
            return by_word
    found = _best(entry, whole, forms[whole])
    return [(whole, found)] if found.score else []


def rank(
    entries: list[Entry],
    query: str,
    limit: int,
    synonyms: Synonyms | None = None,
    segmenter: Segmenter | None = None,
) -> list[Hit]:
    """The best ``limit`` entries for ``query`` (see the module docstring for the scoring)."""
    synonyms = synonyms or Synonyms()
    parts = query_parts(query, segmenter, synonyms)
    if not parts:
        return []
    words = {w for whole, split in parts for w in (whole, *split)}
    forms = {word: {form: bigrams(form) for form in synonyms.of(word)} for word in words}
    hits: list[Hit] = []
    for entry in entries:
        found: list[tuple[str, _Found]] = []
        for whole, split in parts:
            matched = _part(entry, whole, split, forms)
            if not matched:
                break
            found.extend(matched)
        else:
            best = max((f for _, f in found), key=lambda f: f.score)
            text = entry.fields[best.field].text
            matches = tuple(
                Match(word, f.field, entry.fields[f.field].text[f.start : f.end])
                for word, f in found
            )
            total = round(sum(f.score for _, f in found), 3)
            hits.append(Hit(entry, total, best.field, snippet(text, best.start, best.end), matches))
    hits.sort(key=lambda hit: (-hit.score, len(hit.entry.label), hit.entry.iri))
    return hits[:limit]


class SearchIndex:
    """The duties of a store, indexed for ``rank``; rebuilt when the store's version changes.

    ``synonyms`` defaults to the project's data/registers/search-synonyms.csv (none when the
    file is absent); ``segment=False`` splits on whitespace only."""

    def __init__(
        self,
        store: Selector,
        timeout_s: float | None = None,
        synonyms: Synonyms | None = None,
        segment: bool = True,
    ) -> None:
        self._store = store
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        self._version: str | None = None
        self._entries: list[Entry] = []
        self.synonyms = synonyms if synonyms is not None else default_synonyms()
        self.segmenter = Segmenter(self.synonyms.words) if segment else None

    def entries(self) -> list[Entry]:
        version = self._store.version
        with self._lock:
            if self._version != version:
                rows = self._store.select(INDEX_QUERY, QueryOptions(timeout_s=self._timeout_s))
                self._entries = build_entries(rows)
                self._version = version
            return self._entries

    def search(self, query: str, limit: int = 20) -> list[Hit]:
        return rank(self.entries(), query, limit, self.synonyms, self.segmenter)


def default_synonyms() -> Synonyms:
    """The synonym register of the project (cdkg.loaders.layout), or none if it is absent."""
    from cdkg.loaders.layout import project_paths

    path = project_paths().registers / "search-synonyms.csv"
    return load_synonyms(path) if path.is_file() else Synonyms()
