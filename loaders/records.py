"""Plain records that parsers produce and the graph builder consumes.

Parsers are pure: text in, records out. They never touch rdflib, so each layout can be tested
field by field against the source text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ListType(Enum):
    """The kind of list a duty was printed in; each maps to one cd:Duty subclass."""

    SELF_GOVERNANCE = "self-governance"  # 依法履行 / 依法自治
    ASSISTANCE = "assistance"  # 依法协助 / 协助办理
    SUPERVISION = "supervision"  # 监督
    CERTIFICATION = "certification"  # 出具证明
    CANCELLED = "cancelled"  # 取消
    EXCLUDED = "excluded"  # 负面 / 不得承担

    @property
    def code(self) -> str:
        """The path segment used in duty IRIs (stable, ASCII)."""
        return self.value


@dataclass
class DutyRecord:
    """One numbered item of a catalog, as printed (after layout repair, before normalising).

    ``departments`` and ``citation_cells`` are lists because a Ningxia row with an empty name
    continues the duty above: each continuation row contributes its own cells.
    """

    catalog: str
    list_type: ListType
    number: str
    name: str
    line: int
    lines: list[int] = field(default_factory=list)
    description: str = ""
    summary: str = ""
    category: str = ""
    departments: list[str] = field(default_factory=list)
    citation_cells: list[str] = field(default_factory=list)
    remark: str = ""
    source_text: str = ""
    notes: list[str] = field(default_factory=list)
    number_assigned: bool = False
    # Where an imported duty stands in the published original (``cdkg import``), e.g.
    # "table 2, row 5"; empty for the seed layouts, whose source line says it.
    source_location: str = ""

    @property
    def citation_text(self) -> str:
        """The verbatim 依据 text: the cells joined by newlines, empty cells dropped."""
        return "\n".join(c for c in self.citation_cells if c)


@dataclass(frozen=True)
class Skipped:
    """A source row that did not become a duty, with the reason (never silently dropped)."""

    file: str
    line: int
    reason: str
    text: str = ""


@dataclass(frozen=True)
class Problem:
    """An error or warning found while parsing, naming file and line."""

    file: str
    line: int
    message: str
    severity: str = "error"  # "error" fails the build; "warning" is reported only

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.severity}: {self.message}"


@dataclass
class ListSection:
    """One printed list of a catalog: its type, declared count (if a heading gives one) and
    the heading's line; categories with declared counts are checked too."""

    list_type: ListType
    heading_line: int
    declared: int | None = None
    category_declared: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class OriginalFile:
    """The published file an imported template was made from (``cdkg import`` keeps a copy):
    its path relative to data/catalogs/ and its SHA-256, for the duties' provenance."""

    file: str
    sha256: str


@dataclass
class ParseResult:
    """Everything a parser found in one source file."""

    file: str
    duties: list[DutyRecord] = field(default_factory=list)
    sections: list[ListSection] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Free-form findings for the build report (e.g. the Ningxia copy comparison), as Markdown.
    findings: list[str] = field(default_factory=list)
    # Statements about the catalog as a whole, with their line (e.g. Tianjin's approval rule).
    catalog_notes: list[tuple[int, str]] = field(default_factory=list)
    # The published original of an imported template (its ``source_file``), if any.
    original: OriginalFile | None = None
