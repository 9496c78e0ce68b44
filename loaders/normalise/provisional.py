"""Provisional entities: what a catalog names and no register knows yet.

A build never fails for a fact the registers lack (DESIGN.md, build semantics). A legal title
that matches no register row becomes a provisional cd:LegalDocument, an unknown department a
provisional cd:Department; both carry ``cd:provisional true`` and a finding for review. This
module reads what a person reads from such a title — its kind, its level, its issuing place,
the law an implementing regulation implements — by general rules, and finds the closest
registered title as a suggestion. Pure functions over the registers; graph.py writes the RDF.

Identifiers are deterministic and never built from Chinese text: the first 12 hex digits of
the SHA-256 of the normalised key (:func:`cdkg.loaders.normalise.citations.normalise_title` for
titles), so every damaged printing of one title gets one IRI on every build.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cached_property

from ..laws.register import LawEntry, LawRegister
from ..registers import LEVEL_CODES, Jurisdiction
from .citations import CitationRef, normalise_title

__all__ = [
    "ProvisionalDocument",
    "Provisionals",
    "TitleSuggester",
    "department_id",
    "provisional_id",
    "read_title",
]

SUGGESTION_CUTOFF = 0.8
"""The least similarity (difflib ratio of normalised keys) a suggestion must reach."""

# A jurisdiction level → the cd:level code of a document it issues: the jurisdictions' codes,
# but a document's level has no "township" code (shapes.ttl), so a township's documents take
# read_title's default, municipal.
_DOCUMENT_LEVEL = {k: v for k, v in LEVEL_CODES.items() if k != "township"}
_CJK = r"\u4e00-\u9fff"
_NATIONAL_START = re.compile(r"^(?:中华人民共和国|中国共产党|中共中央|国务院|全国|最高人民)")
_PARTY = re.compile(r"^(?:中国共产党|中共)")
_PLACE = re.compile(rf"^(?P<place>[{_CJK}]{{1,8}}?(?:省|自治区|市|自治州|州|盟|地区|县|区|旗))")
_PLACE_LEVEL = {"省": "provincial", "自治区": "provincial", "市": "municipal", "县": "district"}
_IMPLEMENTING = re.compile(
    r"实施〈(?P<a>[^〈〉]+)〉(?:办法|条例|细则|规定)$"
    r"|〈(?P<b>[^〈〉]+)〉实施(?:办法|条例|细则|规定)$"
    rf"|实施(?P<c>[{_CJK}]{{2,30}}法)(?:办法|条例|细则)$"
)


def provisional_id(key: str) -> str:
    """``provisional-<12 hex>`` from a normalised key: stable, ASCII, never the text itself.

    >>> provisional_id(normalise_title("湖南省实施〈城市居民委员会组织法〉办法"))
    'provisional-cd8353b6a6df'
    """
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    return f"provisional-{digest[:12]}"


@dataclass(frozen=True)
class TitleReading:
    """What a title says about its document: kind, level, issuing place, implemented law."""

    kind: str
    level: str
    place: str  # the place name printed in front ("" for national documents)
    jurisdiction: str  # its register key, when a register knows the place
    implements: str  # the title of the law an implementing regulation implements


def read_title(title: str, places: Mapping[str, Jurisdiction] | None = None) -> TitleReading:
    """Kind and level of a document read from its title by general rules.

    A place name in front (a province, city or county: 湖南省…, 成都市…, 某省…) makes it
    local, at that place's level; 中华人民共和国/国务院/全国/中共中央… or no place makes it
    national. Kind follows the issuer and the last word: 法 is 法律; a Party document (中国共产党…)
    党内法规; national 条例 行政法规, national 办法/规定/细则 部门规章; local 条例 and an
    implementing regulation of a law (某省实施〈…法〉办法, 〈…法〉实施办法) 地方性法规, local
    办法/规定/细则 地方政府规章; 意见, 通知, 决定, 方案 and the rest 规范性文件.

    >>> r = read_title("湖南省实施〈中华人民共和国城市居民委员会组织法〉办法")
    >>> (r.kind, r.level, r.place, r.implements)
    ('地方性法规', 'provincial', '湖南省', '中华人民共和国城市居民委员会组织法')
    >>> r = read_title("中华人民共和国无障碍环境建设法")
    >>> (r.kind, r.level)
    ('法律', 'national')
    >>> r = read_title("成都市关于加强社区治理的意见")
    >>> (r.kind, r.level, r.place)
    ('规范性文件', 'municipal', '成都市')
    """
    text = unicodedata.normalize("NFKC", title).replace("<", "〈").replace(">", "〉")
    text = re.sub(r"\s+", "", text).replace("《", "〈").replace("》", "〉")
    base = re.sub(r"\([^()]*\)$", "", text)  # (试行), (暂行), an edition note
    place, jurisdiction, level = "", "", "national"
    match = None if _NATIONAL_START.match(base) else _PLACE.match(base)
    if match:
        place = match.group("place")
        known = _known_place(base, places or {})
        if known is not None:
            place, jurisdiction = known.name_zh, known.key
            level = _DOCUMENT_LEVEL.get(known.level, "municipal")
        else:
            suffix = next((s for s in ("自治区", "省", "市", "县") if place.endswith(s)), "")
            level = _PLACE_LEVEL.get(suffix, "district")
    implemented = _IMPLEMENTING.search(base)
    implements = next((g for g in implemented.groups() if g), "") if implemented else ""
    return TitleReading(
        _kind(base, level, bool(implements)), level, place, jurisdiction, implements
    )


def _known_place(title: str, places: Mapping[str, Jurisdiction]) -> Jurisdiction | None:
    """The register jurisdiction whose name the title starts with (the longest)."""
    best: Jurisdiction | None = None
    for jurisdiction in places.values():
        name = jurisdiction.name_zh
        longer = best is None or len(name) > len(best.name_zh)
        if name and longer and title.startswith(name) and jurisdiction.level != "national":
            best = jurisdiction
    return best


def _kind(title: str, level: str, implements: bool) -> str:
    national = level == "national"
    if _PARTY.match(title):
        return "党内法规"
    if implements:
        return "地方性法规" if not national else "行政法规"
    if re.search(r"(?<!办)法$", title) and national:
        return "法律"
    if title.endswith("条例"):
        return "行政法规" if national else "地方性法规"
    if re.search(r"(?:办法|规定|细则|规则)$", title):
        return "部门规章" if national else "地方政府规章"
    return "规范性文件"


@dataclass(frozen=True)
class ProvisionalDocument:
    """A cited document no register row matches, as the build records it."""

    id: str
    label: str
    key: str
    reading: TitleReading
    implements: LawEntry | None
    suggestion: LawEntry | None
    similarity: float


class TitleSuggester:
    """The registered title closest to an unknown one.

    Similarity is difflib's ``SequenceMatcher.ratio()`` (2·matches / total length) of the two
    normalised keys; a candidate must reach :data:`SUGGESTION_CUTOFF`. A cheap prefilter keeps
    it fast over the whole national register: the lengths must be within the ratio's reach
    and the two keys must share a character bigram, then ``real_quick_ratio`` and
    ``quick_ratio`` (upper bounds of the ratio) discard the rest before ``ratio`` runs.
    """

    def __init__(self, entries: Iterable[LawEntry]) -> None:
        self._keys: list[tuple[str, LawEntry]] = []
        self._bigrams: dict[str, set[int]] = {}
        seen: set[str] = set()
        for entry in entries:
            for title in entry.titles:
                key = normalise_title(title)
                if key in seen:
                    continue
                seen.add(key)
                index = len(self._keys)
                self._keys.append((key, entry))
                for gram in _bigrams(key):
                    self._bigrams.setdefault(gram, set()).add(index)
        self._cache: dict[str, tuple[LawEntry | None, float]] = {}

    def suggest(self, key: str) -> tuple[LawEntry | None, float]:
        """The closest registered row for a normalised key and its similarity, or (None, 0)."""
        if key not in self._cache:
            self._cache[key] = self._closest(key)
        return self._cache[key]

    def _closest(self, key: str) -> tuple[LawEntry | None, float]:
        candidates: set[int] = set()
        for gram in _bigrams(key):
            candidates |= self._bigrams.get(gram, set())
        best: tuple[LawEntry | None, float] = (None, 0.0)
        matcher = SequenceMatcher(autojunk=False)
        matcher.set_seq2(key)
        for index in sorted(candidates):
            other, entry = self._keys[index]
            shorter, longer = sorted((len(other), len(key)))
            if 2 * shorter / (shorter + longer) < SUGGESTION_CUTOFF:
                continue
            matcher.set_seq1(other)
            if matcher.real_quick_ratio() < SUGGESTION_CUTOFF:
                continue
            if matcher.quick_ratio() < SUGGESTION_CUTOFF:
                continue
            ratio = matcher.ratio()
            if ratio >= SUGGESTION_CUTOFF and ratio > best[1]:
                best = (entry, ratio)
        return best


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


class Provisionals:
    """Reads unknown titles against one law register (one instance per build)."""

    def __init__(self, laws: LawRegister, places: Mapping[str, Jurisdiction]) -> None:
        self.laws = laws
        self.places = places

    @cached_property
    def suggester(self) -> TitleSuggester:
        return TitleSuggester(self.laws)

    def document(self, citation: CitationRef) -> ProvisionalDocument:
        """The provisional document a citation that resolved to no register row names."""
        printed = citation.title or citation.document_number or citation.text
        label = printed
        key = normalise_title(label) if citation.title else f"number:{printed}"
        reading = read_title(label, self.places) if citation.title else read_title("")
        implements = None
        if reading.implements:
            law = CitationRef(reading.implements, reading.implements, None, None, ())
            resolution = self.laws.resolve(law)
            implements = resolution.entry if resolution else None
        suggestion, similarity = self.suggester.suggest(key) if citation.title else (None, 0.0)
        return ProvisionalDocument(
            provisional_id(key), label, key, reading, implements, suggestion, similarity
        )


def department_id(name: str) -> str:
    """The id of a provisional department within its jurisdiction, from its normalised name.

    >>> department_id("湖南省地方志编纂院")
    'provisional-b2b985fad2df'
    """
    return provisional_id(re.sub(r"\s+", "", unicodedata.normalize("NFKC", name)))
