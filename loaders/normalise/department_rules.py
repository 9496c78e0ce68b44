"""General rules that place a department name no register lists: 区民政局, 县公安局, 市场监管所.

Catalogs name the same body in many ways: with their jurisdiction in front
(成都市锦江区民政局, 区民政局, 县公安局, 中共某县委组织部), with another body type (民政所,
市场监管所, 卫生健康站), by an abbreviation or an older name (卫健委, 卫计委, 人社局, 工商局),
or as a street's or town's own office (春熙路街道办事处, 某某镇人民政府). Listing every
spelling per catalog cannot keep up with hundreds of catalogs; these rules reduce a name to
one the generic table (data/registers/department-names.csv) knows, and nothing here is
written for one catalog:

1. **Prefixes**: any place name of GB/T 2260 (成都市, 锦江区) or its short form (成都, 锦江), a
   bare level (省, 市, 区, 县, 旗, 州, 盟, 镇, 乡) or a Party committee's (中共, 区委, 县委, …) is
   stripped, up to three times. A stripped form is only used when it then matches, so 市场监管所
   is never read as 场监管所.
2. **Synonyms** (data/registers/department-synonyms.csv, each row with its source): ``name``
   rows map a whole name (卫计委 → 卫生健康委), ``suffix`` rows a name's ending whatever precedes
   it (…街道办事处 → 街道办事处, …派出所 → 派出所), ``stem`` rows a name without its body type
   (人社 → 人力资源和社会保障局, 工商 → 市场监管局).
3. **Body type**: a name is its stem plus a body type (局, 分局, 委, 所, 站, 中心, 部门, …); a stem
   that the table (or a synonym) knows gives that department's sector. When the table lists the
   same stem with this body type, that is the department; otherwise the name is a department of
   its own (民政所), with an id made from the known one's (civil-affairs-office).

Pure functions of text; the register applies them (:class:`~.departments.DepartmentRegister`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..registers import RegisterError, read_rows

SYNONYMS_FILE = "department-synonyms.csv"
SYNONYM_COLUMNS = ("alias", "name", "match", "source")
MATCHES = ("name", "suffix", "stem")

# Body types, longest first, with the ASCII word a derived department's id uses.
BODY_TYPES: dict[str, str] = {
    "人民政府": "government",
    "委员会": "commission",
    "办事处": "office",
    "办公室": "office",
    "分局": "sub-bureau",
    "大队": "brigade",
    "支队": "detachment",
    "中心": "centre",
    "部门": "department",
    "机关": "organs",
    "机构": "agency",
    "局": "bureau",
    "委": "commission",
    "办": "office",
    "所": "office",
    "站": "station",
    "队": "team",
    "科": "section",
    "部": "department",
    "厅": "department",
    "处": "division",
}
_BODY_WORDS = frozenset(word for words in BODY_TYPES.values() for word in words.split("-"))
# Suffixes of place names whose short form is also used as a prefix (成都市 → 成都).
PLACE_SUFFIXES = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "自治旗",
    "地区",
    "林区",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "盟",
)
LEVEL_PREFIXES = ("省", "市", "区", "县", "旗", "州", "盟", "镇", "乡")
PARTY_PREFIXES = ("中国共产党", "中共", "省委", "市委", "区委", "县委", "旗委", "州委")
MAX_STRIPS = 3
MIN_REST = 2  # a stripped form shorter than this is no department's name


@dataclass(frozen=True)
class Synonym:
    """A reviewed synonym row: ``alias`` (a whole name, an ending or a stem) means ``name``."""

    alias: str
    name: str
    match: str
    source: str
    line: int


@dataclass(frozen=True)
class Match:
    """How a name was placed: ``name`` is the table's name whose sector it takes; ``exact``
    when the department is that one, else the printed form (``form``) is its own body of
    ``body`` type; ``rule`` says which rule, for the department's note."""

    name: str
    form: str
    exact: bool
    body: str
    rule: str


def load_synonyms(path: Path, names: Iterable[str]) -> list[Synonym]:
    """The synonym rows; each maps to a name of the generic table and says its source."""
    known = set(names)
    result: list[Synonym] = []
    seen: dict[tuple[str, str], int] = {}
    for line, row in read_rows(path, SYNONYM_COLUMNS):
        if row["match"] not in MATCHES:
            raise RegisterError(path, line, f"match must be one of {', '.join(MATCHES)}")
        if row["name"] not in known:
            raise RegisterError(path, line, f"name {row['name']!r} is not in the generic table")
        if not row["alias"] or not row["source"]:
            raise RegisterError(path, line, "alias and source must not be empty")
        key = (row["alias"], row["match"])
        if key in seen:
            raise RegisterError(path, line, f"duplicate alias {row['alias']!r} (line {seen[key]})")
        seen[key] = line
        result.append(Synonym(line=line, **row))
    return result


def split_body(name: str) -> tuple[str, str]:
    """A name as (stem, body type); the body type is "" when the name ends in none.

    >>> split_body("市场监管所"), split_body("卫生健康委员会"), split_body("残联")
    (('市场监管', '所'), ('卫生健康', '委员会'), ('残联', ''))
    """
    for body in BODY_TYPES:
        if name.endswith(body) and len(name) > len(body):
            return name[: -len(body)], body
    return name, ""


def place_prefixes(place_names: Iterable[str]) -> frozenset[str]:
    """Place names and their short forms (成都市 → 成都; 公安县 → 公安 too, which is why a
    stripped form is used only when it matches and the unstripped name is tried first).

    >>> sorted(place_prefixes(["成都市", "锦江区", "城区"]))
    ['城区', '成都', '成都市', '锦江', '锦江区']
    """
    result: set[str] = set()
    for name in place_names:
        result.add(name)
        for suffix in PLACE_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= MIN_REST:
                result.add(name[: -len(suffix)])
                break
    return frozenset(result)


def stripped_forms(name: str, places: frozenset[str]) -> list[str]:
    """The name, then every form with up to three prefixes stripped, fewest strips and longest
    prefix first.

    >>> stripped_forms("成都市锦江区民政局", place_prefixes(["成都市", "锦江区"]))[:3]
    ['成都市锦江区民政局', '锦江区民政局', '市锦江区民政局']
    >>> "民政局" in stripped_forms("成都市锦江区民政局", place_prefixes(["成都市", "锦江区"]))
    True
    """
    longest = max((len(p) for p in places), default=0)
    forms, frontier = [name], [name]
    for _ in range(MAX_STRIPS):
        following: list[str] = []
        for text in frontier:
            prefixes = [
                text[:size]
                for size in range(min(longest, len(text) - MIN_REST), 0, -1)
                if text[:size] in places
            ]
            prefixes += [p for p in (*PARTY_PREFIXES, *LEVEL_PREFIXES) if text.startswith(p)]
            for prefix in prefixes:
                rest = text[len(prefix) :]
                if len(rest) >= MIN_REST and rest not in forms:
                    forms.append(rest)
                    following.append(rest)
        frontier = following
    return forms


class NameRules:
    """The rules over one generic table: ``names`` maps each table name to its id."""

    def __init__(
        self, names: Mapping[str, str], synonyms: Iterable[Synonym], places: Iterable[str]
    ) -> None:
        self.names = dict(names)
        self.places = place_prefixes(places)
        synonyms = list(synonyms)
        self._whole = {s.alias: s for s in synonyms if s.match == "name"}
        self._endings = sorted(
            (s for s in synonyms if s.match == "suffix"), key=lambda s: -len(s.alias)
        )
        self._stems: dict[str, tuple[str, str]] = {}  # stem → (table name, rule)
        for name in self.names:
            stem, body = split_body(name)
            if body and len(stem) >= MIN_REST:
                self._stems.setdefault(stem, (name, "body type"))
        for synonym in synonyms:
            if synonym.match == "stem":
                self._stems[synonym.alias] = (synonym.name, f"synonym line {synonym.line}")
            elif synonym.match == "name":
                stem, body = split_body(synonym.alias)
                if body and len(stem) >= MIN_REST:
                    self._stems.setdefault(stem, (synonym.name, f"synonym line {synonym.line}"))

    def match(self, name: str) -> Match | None:
        """The table name a printed name stands for, or None when no rule places it."""
        forms = stripped_forms(name, self.places)
        for form in forms:  # an ending names the body whatever the place before it
            for synonym in self._endings:
                if form.endswith(synonym.alias):
                    return self._same_or_own(synonym.name, form, f"synonym line {synonym.line}")
        for form in forms:
            if form in self.names and form != name:
                return Match(form, form, True, "", "prefix")
            whole = self._whole.get(form)
            if whole is not None:
                return Match(whole.name, form, True, "", f"synonym line {whole.line}")
            stem, body = split_body(form)
            found = self._stems.get(stem) if body else None
            if found is not None:
                return self._same_or_own(found[0], form, found[1], body)
        return None

    def _same_or_own(self, known: str, form: str, rule: str, body: str = "") -> Match:
        """``form`` is ``known`` itself when the table lists the known stem with this body
        type (卫计局 → 卫生健康局), else a body of its own that takes known's sector."""
        if not body:
            return Match(known, form, True, "", rule)
        same = split_body(known)[0] + body
        if same in self.names:
            return Match(same, form, True, "", rule)
        if known.endswith(body) and split_body(known)[1] == body:
            return Match(known, form, True, "", rule)
        return Match(known, form, False, body, rule)

    def derived_id(self, match: Match) -> str:
        """The id of a department of its own: the known one's id with its body word replaced
        (civil-affairs-bureau → civil-affairs-office), made unique against the table."""
        base = self.names[match.name]
        word = BODY_TYPES[match.body]
        parts = base.split("-")
        while len(parts) > 1 and parts[-1] in _BODY_WORDS | {"short", "full", "name", "variant"}:
            parts.pop()
        candidate = "-".join([*parts, word])
        taken = set(self.names.values())
        return candidate if candidate not in taken else f"{base}-{word}"
