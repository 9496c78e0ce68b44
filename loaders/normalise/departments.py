"""Department cells → department names, and the reviewed department → sector register.

Two catalogs name the bodies behind each duty: the Ningxia district (指导部门 / 对应部门, names
separated by spaces, some wrapped by the PDF) and Chongqing (主管单位, names separated by 、 and
sometimes sharing one suffix: "生态环境、公安、文化旅游部门"). :func:`split_departments` turns
such a cell into names in one normal form; ``data/registers/departments.csv`` maps each
(jurisdiction, name) to an ASCII id (for IRIs) and a sector of ``data/registers/sectors.csv``.
A jurisdiction without rows of its own there (a catalog added through the template in
data/catalogs/) falls back to ``data/registers/department-names.csv``: reviewed common names
(公安局, 民政部门, 街道办事处, …) with an id and a sector, the same for every jurisdiction.

Why a register and not a rule: the same sector hides behind different local names (公安分局 in
the district, 公安部门 in Chongqing), and some names are generic (相关部门). Only a person can
decide these; the register keeps the decision reviewable in plain CSV.

Alignment with the W3C Organization Ontology (ORG): each register row becomes a
``cd:Department`` (⊑ ``org:Organization``) scoped to its jurisdiction; each sector row becomes a
``cd:Sector``, a ``skos:Concept`` in one cross-jurisdiction ``skos:ConceptScheme``, and is
usable as the department's ``org:classification`` (``cd:sector`` is the specific link). A name
with a bracketed sub-body ("公安分局（禁毒委）") is its own department whose
:attr:`DepartmentEntry.parent_name` names the body it sits in, for ``org:subOrganizationOf``.

Everything here is pure (text in, values out); no rdflib.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..registers import RegisterError, read_rows
from .department_rules import SYNONYMS_FILE, NameRules, load_synonyms
from .divisions import division_table

# ---------------------------------------------------------------------------------------------
# Splitting cells

# Markup left over from the PDF/HTML conversion; only ASCII tag names, so 《…》/<…> titles in
# Chinese text are never touched.
_TAG = re.compile(r"</?(?:b|p|br|i|em|strong|span|div)\b[^>]*>", re.IGNORECASE)
_SPACES = re.compile(r"[\s\u3000\u00a0]+")
# Brackets are normalised to full width: the catalogs mix "(禁毒委)" and "（禁毒委）".
_BRACKETS = str.maketrans({"(": "（", ")": "）"})
# Whitespace inside brackets or just before an opening bracket is layout, not a separator.
_SPACE_BEFORE_OPEN = re.compile(r"\s*（\s*")
_SPACE_BEFORE_CLOSE = re.compile(r"\s*）")
_QUALIFIED = re.compile(r"^(?P<base>[^（]+)（(?P<qualifier>[^（）]+)）$")

_SPACE = " "
_LIST_SEPARATORS = frozenset("、，,;；")

# A shared suffix is spelt out only on the last of a run of 、-separated names:
# "生态环境、公安、文化旅游部门" means 生态环境部门, 公安部门, 文化旅游部门.
_SHARED_SUFFIX = "部门"
# A fragment ending like this is already a complete body's name and takes no shared suffix.
_BODY_ENDINGS = (
    "部门",
    "单位",
    "机关",
    "机构",
    "系统",
    "中心",
    "部",
    "局",
    "委",
    "办",
    "厅",
    "处",
    "科",
    "所",
    "站",
    "队",
    "院",
    "会",
    "联",
    "协",
    "室",
    "组",
    "）",
)


def normalise_cell(cell: str) -> str:
    """Strip markup, unify brackets and collapse whitespace, so the same printed name always
    gives the same string (register names are stored in this form)."""
    text = _TAG.sub(" ", cell).translate(_BRACKETS)
    text = _SPACE_BEFORE_OPEN.sub("（", text)
    text = _SPACE_BEFORE_CLOSE.sub("）", text)
    return _SPACES.sub(_SPACE, text).strip()


def _tokens(text: str) -> list[tuple[str, str]]:
    """Split normalised text into (fragment, separator-before) pairs.

    The first fragment's separator is "". Separators inside brackets do not split, so a
    bracketed note such as "（禁毒委、综治委）" stays with its department.
    """
    tokens: list[tuple[str, str]] = []
    current: list[str] = []
    separator = ""
    depth = 0
    for char in text:
        if char == "（":
            depth += 1
        elif char == "）":
            depth = max(0, depth - 1)
        if depth == 0 and (char == _SPACE or char in _LIST_SEPARATORS):
            if current:
                tokens.append(("".join(current), separator))
                current = []
                separator = char
            elif char in _LIST_SEPARATORS:
                separator = char  # "A 、B": the list separator wins over the layout space
            continue
        current.append(char)
    if current:
        tokens.append(("".join(current), separator))
    return tokens


def _join(tokens: list[tuple[str, str]]) -> str:
    """Re-join fragments: a space was a PDF line wrap (joined with nothing); a list separator
    that belongs to a known name ("基本公共服务、社会公益服务…主管部门") is kept."""
    parts = [tokens[0][0]]
    for fragment, separator in tokens[1:]:
        parts.append(("" if separator == _SPACE else separator) + fragment)
    return "".join(parts)


def _rejoin_known(
    tokens: list[tuple[str, str]], known: Collection[str]
) -> list[tuple[str, str, bool]]:
    """Greedy longest match of consecutive fragments against the known names.

    Returns (name, separator-before, is_known) triples; a fragment that joins with its
    neighbours into a known name is emitted once as that name.
    """
    result: list[tuple[str, str, bool]] = []
    i = 0
    while i < len(tokens):
        for j in range(len(tokens), i, -1):
            joined = _join(tokens[i:j])
            if joined in known:
                result.append((joined, tokens[i][1], True))
                i = j
                break
        else:
            result.append((tokens[i][0], tokens[i][1], False))
            i += 1
    return result


def _segment(fragment: str, known: Collection[str]) -> list[str] | None:
    """Split a fragment that is exactly two or more known names run together, else None.

    A cell cleaner that drops the spaces between Chinese characters (a PDF-wrap repair meant
    for prose) turns "卫生健康局 公安分局" into "卫生健康局公安分局"; this undoes it without
    guessing, since every piece must be a reviewed name. Fewest pieces wins.
    """
    best: list[list[str] | None] = [[]] + [None] * len(fragment)
    for end in range(1, len(fragment) + 1):
        for start in range(end):
            head = best[start]
            piece = fragment[start:end]
            if head is not None and piece in known:
                candidate = [*head, piece]
                current = best[end]
                if current is None or len(candidate) < len(current):
                    best[end] = candidate
    pieces = best[len(fragment)]
    return pieces if pieces is not None and len(pieces) > 1 else None


def _split_run_together(
    items: list[tuple[str, str, bool]], known: Collection[str]
) -> list[tuple[str, str, bool]]:
    """Replace each unknown fragment made of known names by those names (space-separated)."""
    result: list[tuple[str, str, bool]] = []
    for name, separator, is_known in items:
        pieces = None if is_known else _segment(name, known)
        if pieces is None:
            result.append((name, separator, is_known))
        else:
            result.append((pieces[0], separator, True))
            result.extend((piece, _SPACE, True) for piece in pieces[1:])
    return result


def _expand_shared_suffix(items: list[tuple[str, str, bool]]) -> list[str]:
    """Give the shared "部门" suffix to the bare fragments of a 、-run that ends with it.

    Only fragments separated by list punctuation (not layout spaces) form a run, and a known
    name or a fragment that already ends like a body's name is left alone.
    """
    names = [name for name, _, _ in items]
    for index, (name, _, is_known) in enumerate(items):
        if is_known or name.endswith(_BODY_ENDINGS):
            continue
        for later in range(index + 1, len(items)):
            later_name, later_separator, _ = items[later]
            if later_separator not in _LIST_SEPARATORS:
                break
            if later_name.endswith(_SHARED_SUFFIX):
                names[index] = name + _SHARED_SUFFIX
                break
    return names


def split_departments(cell: str, known: Collection[str] = ()) -> list[str]:
    """Split one department cell into department names, in printed order, without repeats.

    Separators are whitespace and 、，,;；. Pass the register's names for the jurisdiction as
    ``known``: fragments that join into a known name stay one name — this is how PDF wraps
    ("工业信息化和科学 技术局") and names containing 、 survive. A shared suffix is expanded
    ("生态环境、公安、文化旅游部门" → three names ending in 部门), and a fragment that is known
    names run together (a cleaner dropped the spaces) is split. A bracketed sub-body is kept
    on its department in full-width brackets: "公安分局 (禁毒委)" → "公安分局（禁毒委）"
    (see :func:`split_qualifier`).

    >>> split_departments("生态环境、公安、文化旅游部门")
    ['生态环境部门', '公安部门', '文化旅游部门']
    >>> split_departments("工业信息化和科学 技术局", known={"工业信息化和科学技术局"})
    ['工业信息化和科学技术局']
    """
    text = normalise_cell(cell)
    if not text:
        return []
    known_set = frozenset(known)
    items = _split_run_together(_rejoin_known(_tokens(text), known_set), known_set)
    names = _expand_shared_suffix(items)
    return list(dict.fromkeys(names))


def split_qualifier(name: str) -> tuple[str, str | None]:
    """Split "公安分局（禁毒委）" into ("公安分局", "禁毒委"); a plain name gives (name, None).

    The bracket names a committee or sub-body acting within the department; keeping it in
    the name is lossless, and this split lets the graph link it to its parent department.
    """
    match = _QUALIFIED.match(name)
    if not match:
        return name, None
    return match["base"], match["qualifier"]


# ---------------------------------------------------------------------------------------------
# Registers

DEPARTMENT_COLUMNS = ("jurisdiction", "name", "id", "sector", "note")
GENERIC_NAME_COLUMNS = ("name", "id", "sector", "note")
GENERIC_NAMES_FILE = "department-names.csv"
SECTOR_COLUMNS = (
    "id",
    "label_zh",
    "label_en",
    "definition_en",
    "definition_zh",
    "org_classification_note",
)
# Ids end up in IRIs: lowercase ASCII words joined by single hyphens.
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass(frozen=True)
class Sector:
    """One cross-jurisdiction sector (a cd:Sector skos:Concept)."""

    id: str
    label_zh: str
    label_en: str
    definition_en: str
    definition_zh: str
    org_classification_note: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class DepartmentEntry:
    """One reviewed department of one jurisdiction, as named in that jurisdiction's catalog."""

    jurisdiction: str
    name: str
    id: str
    sector: str
    note: str = ""
    line: int = field(default=0, compare=False)

    @property
    def parent_name(self) -> str | None:
        """The department a bracketed sub-body sits in ("公安分局" for "公安分局（禁毒委）")."""
        base, qualifier = split_qualifier(self.name)
        return base if qualifier else None


def _check_id(path: Path, line: int, column: str, value: str) -> None:
    if not _ID.match(value):
        raise RegisterError(
            path, line, f"bad {column} {value!r}: use lowercase ASCII words joined by hyphens"
        )


def load_sectors(path: Path) -> dict[str, Sector]:
    """Read sectors.csv into {id: Sector}; ids must be slugs, unique, with both labels."""
    sectors: dict[str, Sector] = {}
    for line, row in read_rows(path, SECTOR_COLUMNS):
        _check_id(path, line, "id", row["id"])
        if row["id"] in sectors:
            raise RegisterError(
                path,
                line,
                f"duplicate sector id {row['id']!r} (first on line {sectors[row['id']].line})",
            )
        for column in ("label_zh", "label_en", "definition_en", "definition_zh"):
            if not row[column]:
                raise RegisterError(path, line, f"sector {row['id']!r}: empty {column}")
        sectors[row["id"]] = Sector(line=line, **row)
    return sectors


class DepartmentRegister:
    """The reviewed (jurisdiction, name) → department id and sector table, with the generic
    name table as the fallback for jurisdictions that have no rows of their own.

    >>> register = DepartmentRegister.load(Path("data/registers/departments.csv"))
    >>> register.lookup("chongqing", "公安部门").sector
    'public-security'
    >>> register.lookup("some-template-catalog", "公安局").id
    'public-security-bureau'
    """

    def __init__(
        self,
        entries: Iterable[DepartmentEntry],
        sectors: dict[str, Sector],
        generic: Iterable[DepartmentEntry] = (),
        rules: NameRules | None = None,
    ) -> None:
        self.sectors = sectors
        self.rules = rules
        self._entries: dict[tuple[str, str], DepartmentEntry] = {
            (e.jurisdiction, e.name): e for e in entries
        }
        self._names: dict[str, set[str]] = {}
        for jurisdiction, name in self._entries:
            self._names.setdefault(jurisdiction, set()).add(name)
        self._generic: dict[str, DepartmentEntry] = {e.name: e for e in generic}
        self._scoped: dict[tuple[str, str], DepartmentEntry] = {}  # generic_fallback's cache

    @classmethod
    def load(
        cls, path: Path, sectors_path: Path | None = None, generic_path: Path | None = None
    ) -> DepartmentRegister:
        """Read departments.csv, checking every row against sectors.csv (by default the one
        beside it), and the generic name table (by default department-names.csv beside it,
        when it exists). Raises :class:`RegisterError` naming file and line for a duplicate
        (jurisdiction, name) or (jurisdiction, id), an unknown sector, a bad id, or a name
        the splitter would never return (it could never be looked up)."""
        path = Path(path)
        sectors = load_sectors(Path(sectors_path or path.parent / "sectors.csv"))
        by_name: dict[tuple[str, str], DepartmentEntry] = {}
        by_id: dict[tuple[str, str], DepartmentEntry] = {}
        for line, row in read_rows(path, DEPARTMENT_COLUMNS):
            entry = DepartmentEntry(line=line, **row)
            _check_id(path, line, "jurisdiction", entry.jurisdiction)
            _check_entry(path, entry, sectors, by_name, by_id)
        generic_file = Path(generic_path or path.parent / GENERIC_NAMES_FILE)
        generic = load_generic_names(generic_file, sectors) if generic_file.exists() else []
        synonyms_file = generic_file.parent / SYNONYMS_FILE
        rules = None
        if generic and synonyms_file.exists():
            names = {e.name: e.id for e in generic}
            synonyms = load_synonyms(synonyms_file, names)
            rules = NameRules(names, synonyms, division_table().names())
        return cls(by_name.values(), sectors, generic, rules)

    def lookup(self, jurisdiction: str, name: str) -> DepartmentEntry | None:
        """The entry for a name as :func:`split_departments` returns it, or None if unmapped.
        A jurisdiction with no rows of its own is looked up in the generic name table."""
        entry = self._entries.get((jurisdiction, name))
        if entry is None and jurisdiction not in self._names:
            return self.generic_fallback(jurisdiction, name)
        return entry

    def generic_fallback(self, jurisdiction: str, name: str) -> DepartmentEntry | None:
        """The generic table's entry for ``name``, scoped to ``jurisdiction`` (so the graph
        mints one department per jurisdiction); a name the table lacks is placed by the
        general rules of :mod:`.department_rules` (区民政局 → 民政局, 市场监管所 → a body of
        its own in market regulation); None when nothing places it."""
        key = (jurisdiction, name)
        if key not in self._scoped:
            entry = self._generic.get(name) or self._by_rules(name)
            if entry is None:
                return None
            self._scoped[key] = dataclasses.replace(entry, jurisdiction=jurisdiction)
        return self._scoped[key]

    def _by_rules(self, name: str) -> DepartmentEntry | None:
        match = self.rules.match(name) if self.rules else None
        if match is None or self.rules is None:
            return None
        known = self._generic[match.name]
        note = f"{name}: placed by rule ({match.rule}) as {known.name}"
        if match.exact:
            return dataclasses.replace(known, note=note)
        return DepartmentEntry("", match.form, self.rules.derived_id(match), known.sector, note)

    def names(self, jurisdiction: str) -> set[str]:
        """All reviewed names of a jurisdiction (the generic names when it has no rows of its
        own): pass them as ``known`` to the splitter."""
        own = self._names.get(jurisdiction)
        return set(own) if own is not None else set(self._generic)

    def entries(self) -> list[DepartmentEntry]:
        """All entries in file order."""
        return sorted(self._entries.values(), key=lambda e: e.line)

    def __len__(self) -> int:
        return len(self._entries)


def _check_entry(
    path: Path,
    entry: DepartmentEntry,
    sectors: dict[str, Sector],
    by_name: dict[tuple[str, str], DepartmentEntry],
    by_id: dict[tuple[str, str], DepartmentEntry],
) -> None:
    """Check one row's id, name and sector and that its name and id are new in its
    jurisdiction; index it in ``by_name`` and ``by_id``."""
    line = entry.line
    _check_id(path, line, "id", entry.id)
    if split_departments(entry.name, {entry.name}) != [entry.name]:
        raise RegisterError(
            path, line, f"name {entry.name!r} is not as split_departments returns it"
        )
    if entry.sector not in sectors:
        raise RegisterError(path, line, f"unknown sector id {entry.sector!r}")
    for index, key, what in (
        (by_name, (entry.jurisdiction, entry.name), "name"),
        (by_id, (entry.jurisdiction, entry.id), "id"),
    ):
        if key in index:
            where = f" in {key[0]!r}" if key[0] else ""
            raise RegisterError(
                path, line, f"duplicate {what} {key[1]!r}{where} (first on line {index[key].line})"
            )
        index[key] = entry


def load_generic_names(path: Path, sectors: dict[str, Sector]) -> list[DepartmentEntry]:
    """Read department-names.csv (name, id, sector, note): common department names with the
    same id and sector wherever they occur. Checked like departments.csv rows; the entries
    carry no jurisdiction until :meth:`DepartmentRegister.generic_fallback` scopes them."""
    by_name: dict[tuple[str, str], DepartmentEntry] = {}
    by_id: dict[tuple[str, str], DepartmentEntry] = {}
    for line, row in read_rows(path, GENERIC_NAME_COLUMNS):
        _check_entry(
            path, DepartmentEntry(jurisdiction="", line=line, **row), sectors, by_name, by_id
        )
    return list(by_name.values())
