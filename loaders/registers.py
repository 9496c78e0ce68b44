"""The catalog and jurisdiction registers (data/registers/*.csv), reviewed by hand.

Facts that a source does not print (a jurisdiction's GB/T 2260 code, which layout parses a
file) live here, each catalog row with the evidence for its metadata, so a researcher can
check and correct them without reading Python.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LEVELS = ("national", "province", "municipality", "city", "district")


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
    key: str
    code: str
    name_zh: str
    name_en: str
    level: str
    part_of: str
    note: str


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
        result[row["key"]] = Jurisdiction(**row)
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
