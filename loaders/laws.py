"""The reviewed law register (data/registers/laws.csv): one row per real legal document.

Catalogs spell one document many ways (居民委员会组织法, 城市居民委员会组织法,
中华人民共和国城市居民委员会组织法) and sometimes cite documents that do not exist as printed
(重庆市环境噪音污染防治法). The register maps every spelling to one stable ASCII id, records
misprints separately so the graph can flag them, and carries each fact with its source and
confidence. Loading validates the file strictly; each error names the file and line, because
the register is edited by hand.

Fact cells (dates, status, replaced_by, document_number) may end in a qualifier such as
``2020-03-27 [weak source]`` when that one fact is less certain than the row's confidence.
Loading strips the qualifier from the field (so ``replaced_by`` is always a bare id) and keeps
it in ``LawEntry.qualified``; :meth:`LawEntry.fact` returns a value with the confidence that
really applies to it, which is what a consumer must use before presenting a fact as certain.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from .citations import CitationRef, normalise_document_number, normalise_title

__all__ = [
    "COLUMNS",
    "CONFIDENCES",
    "DOC_TYPES",
    "LEVELS",
    "STATUSES",
    "LawEntry",
    "LawRegister",
    "LawRegisterError",
    "Resolution",
]

COLUMNS = (
    "id",
    "canonical_title",
    "aliases",
    "misprints",
    "doc_type",
    "level",
    "issuing_jurisdiction",
    "issuer",
    "document_number",
    "promulgated",
    "effective",
    "status",
    "status_date",
    "replaced_by",
    "source",
    "confidence",
    "note",
)
DOC_TYPES = frozenset(
    {"法律", "行政法规", "部门规章", "地方性法规", "地方政府规章", "党内法规", "规范性文件"}
)
LEVELS = frozenset({"national", "provincial", "municipal"})
STATUSES = frozenset({"in_force", "amended", "repealed", "not_found", "unknown"})
CONFIDENCES = ("verified", "likely", "unverified")  # strongest first
_QUALIFIERS = {"[unverified]": "unverified", "[weak source]": "likely", "[likely]": "likely"}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
_DIVISION_CODE = re.compile(r"^\d{6}$")
_FACT_FIELDS = (
    "document_number",
    "promulgated",
    "effective",
    "status",
    "status_date",
    "replaced_by",
)


class LawRegisterError(ValueError):
    """A malformed register; the message starts with ``file:line:``."""


def _split_list(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(" | ") if part.strip())


def _split_qualifier(cell: str) -> tuple[str, str | None]:
    """``"2020-03-27 [weak source]"`` → ``("2020-03-27", "likely")``; no qualifier → None."""
    text = cell.strip()
    for marker, confidence in _QUALIFIERS.items():
        if text.endswith(marker):
            return text[: -len(marker)].strip(), confidence
    return text, None


def _weaker(a: str, b: str | None) -> str:
    if b is None:
        return a
    return max(a, b, key=CONFIDENCES.index)


@dataclass(frozen=True)
class LawEntry:
    """One row of the register (aliases and misprints split into tuples).

    Fact fields hold bare values; ``qualified`` maps a fact field to the weaker confidence its
    cell was marked with (``[unverified]`` → unverified, ``[weak source]``/``[likely]`` → likely).
    """

    id: str
    canonical_title: str
    aliases: tuple[str, ...]
    misprints: tuple[str, ...]
    doc_type: str
    level: str
    issuing_jurisdiction: str
    issuer: str
    document_number: str
    promulgated: str
    effective: str
    status: str
    status_date: str
    replaced_by: str
    source: str
    confidence: str
    note: str
    qualified: tuple[tuple[str, str], ...] = ()

    def fact(self, name: str) -> tuple[str, str]:
        """A fact field's value and the confidence that applies to that one fact.

        >>> e = LawEntry("x", "x", (), (), "法律", "national", "100000", "", "", "", "",
        ...              "repealed", "2020-03-27", "", "", "verified", "",
        ...              qualified=(("status_date", "likely"),))
        >>> e.fact("status_date"), e.fact("status")
        (('2020-03-27', 'likely'), ('repealed', 'verified'))
        """
        return getattr(self, name), _weaker(self.confidence, dict(self.qualified).get(name))

    @property
    def titles(self) -> tuple[str, ...]:
        """The canonical title and every alias (not the misprints)."""
        return (self.canonical_title, *self.aliases)


@dataclass(frozen=True)
class Resolution:
    """A citation resolved to a register row.

    ``misprint`` is True when the printed title is a recorded misprint of the entry;
    ``matched_by`` says which key matched: "title", "misprint" or "document_number".
    """

    entry: LawEntry
    misprint: bool
    matched_by: str


def _entry(row: dict[str, str], where: str) -> LawEntry:
    names = [f.name for f in fields(LawEntry) if f.name != "qualified"]
    values: dict[str, Any] = {name: (row.get(name) or "").strip() for name in names}
    values["aliases"] = _split_list(values["aliases"])
    values["misprints"] = _split_list(values["misprints"])
    qualified = []
    for name in _FACT_FIELDS:
        values[name], confidence = _split_qualifier(values[name])
        if confidence:
            qualified.append((name, confidence))
    entry = LawEntry(**values, qualified=tuple(qualified))
    checks = [
        (_ID.match(entry.id), f"id {entry.id!r} is not a lowercase ASCII slug"),
        (entry.canonical_title, "canonical_title is empty"),
        (entry.doc_type in DOC_TYPES, f"unknown doc_type {entry.doc_type!r}"),
        (entry.level in LEVELS, f"unknown level {entry.level!r}"),
        (
            _DIVISION_CODE.match(entry.issuing_jurisdiction),
            f"issuing_jurisdiction {entry.issuing_jurisdiction!r} is not a GB/T 2260 code",
        ),
        (entry.confidence in CONFIDENCES, f"unknown confidence {entry.confidence!r}"),
        (entry.status in STATUSES, f"unknown status {entry.status!r}"),
        (not entry.replaced_by or _ID.match(entry.replaced_by), "replaced_by is not an id"),
    ]
    for name in _FACT_FIELDS:
        value = getattr(entry, name)
        checks.insert(0, ("[" not in value, f"{name} {value!r} has an unknown qualifier"))
    for name in ("promulgated", "effective", "status_date"):
        value = getattr(entry, name)
        checks.append((not value or _DATE.match(value), f"{name} {value!r} is not a date"))
    for ok, message in checks:
        if not ok:
            raise LawRegisterError(f"{where}: {message}")
    return entry


class LawRegister:
    """All register rows, indexed by id, by normalised title/alias/misprint and by number."""

    def __init__(self, entries: list[LawEntry]) -> None:
        self._entries = {e.id: e for e in entries}
        self._titles: dict[str, LawEntry] = {}
        self._misprints: dict[str, LawEntry] = {}
        self._numbers: dict[str, LawEntry] = {}
        for e in entries:
            for title in e.titles:
                self._titles.setdefault(normalise_title(title), e)
            for title in e.misprints:
                self._misprints.setdefault(normalise_title(title), e)
            if e.document_number:
                self._numbers.setdefault(normalise_document_number(e.document_number), e)

    @classmethod
    def load(cls, path: str | Path) -> LawRegister:
        """Read and validate a register CSV (UTF-8, header exactly :data:`COLUMNS`).

        Raises:
            LawRegisterError: ``file:line: message`` for a wrong header, a bad cell, a
                duplicate id, an alias, misprint or document number claimed by two rows, or a
                replaced_by naming no row.
        """
        path = Path(path)
        entries: list[LawEntry] = []
        owner: dict[str, tuple[str, int]] = {}
        lines: dict[str, int] = {}
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                raise LawRegisterError(f"{path}:1: header must be {','.join(COLUMNS)}")
            for row in reader:
                where = f"{path}:{reader.line_num}"
                if None in row:
                    raise LawRegisterError(f"{where}: more cells than columns")
                entry = _entry(row, where)
                if entry.id in lines:
                    raise LawRegisterError(
                        f"{where}: duplicate id {entry.id!r} (first on line {lines[entry.id]})"
                    )
                lines[entry.id] = reader.line_num
                keys = [("title", normalise_title(t)) for t in (*entry.titles, *entry.misprints)]
                if entry.document_number:
                    number = normalise_document_number(entry.document_number)
                    keys.append(("document_number", number))
                for kind, key in dict.fromkeys(keys):
                    other = owner.get(f"{kind}:{key}")
                    if other and other[0] != entry.id:
                        raise LawRegisterError(
                            f"{where}: {kind} {key!r} already belongs to {other[0]!r} "
                            f"(line {other[1]})"
                        )
                    owner[f"{kind}:{key}"] = (entry.id, reader.line_num)
                both = {normalise_title(t) for t in entry.titles} & {
                    normalise_title(t) for t in entry.misprints
                }
                if both:
                    raise LawRegisterError(f"{where}: {sorted(both)} is both alias and misprint")
                entries.append(entry)
        for entry in entries:
            if entry.replaced_by and entry.replaced_by not in lines:
                raise LawRegisterError(
                    f"{path}:{lines[entry.id]}: replaced_by {entry.replaced_by!r} is not an id"
                )
        return cls(entries)

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[LawEntry]:
        return iter(self._entries.values())

    def __getitem__(self, law_id: str) -> LawEntry:
        return self._entries[law_id]

    def resolve(self, citation: CitationRef) -> Resolution | None:
        """The register row a citation names: by title or alias, then misprint, then number.

        A title printed with its issuer in front (中共中央办公厅 国务院办公厅关于…) is also tried
        with the issuer glued on, since registers list both forms. Returns None when nothing
        matches, which a build should report.
        """
        if citation.title:
            candidates = [normalise_title(citation.title)]
            if citation.issuer:
                candidates.append(normalise_title(citation.issuer + citation.title))
            for key in candidates:
                if key in self._titles:
                    return Resolution(self._titles[key], misprint=False, matched_by="title")
                if key in self._misprints:
                    return Resolution(self._misprints[key], misprint=True, matched_by="misprint")
        if citation.document_number:
            entry = self._numbers.get(normalise_document_number(citation.document_number))
            if entry:
                return Resolution(entry, misprint=False, matched_by="document_number")
        return None
