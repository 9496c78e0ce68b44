"""What an import yields: lists of duties with their place in the original, and the report of
everything inferred on the way (column mapping, list headings and counts, carried-down cells,
and each row or line that could not be placed, with the reason: nothing is dropped silently).

:class:`CatalogBuilder` is shared by the table mapper and the numbered-text reader: both open
lists at headings and add duties to the current list.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..records import ListType


@dataclass(frozen=True)
class ImportedDuty:
    """One duty as the template will hold it, with where it stands in the original."""

    list_type: ListType
    number: int
    name: str
    category: str
    description: str
    departments: str
    basis: str
    location: str


@dataclass
class ImportedList:
    """One list of the document: its type, heading, where, and the count it declares."""

    list_type: ListType
    heading: str
    location: str
    declared: int | None = None
    count: int = 0

    def describe(self) -> str:
        """'assistance: 4 duties (heading '依法协助…（4项）' at paragraph 5, declares 4)'."""
        where = f"heading '{self.heading}' at {self.location}" if self.heading else self.location
        declared = f", declares {self.declared}" if self.declared is not None else ""
        warning = (
            "  ← differs: the build will report it"
            if self.declared is not None and self.declared != self.count
            else ""
        )
        return f"{self.list_type.code}: {self.count} duties ({where}{declared}){warning}"


@dataclass(frozen=True)
class Unplaced:
    """A row or line that became no duty, and why."""

    location: str
    text: str
    reason: str

    def __str__(self) -> str:
        text = self.text.replace("\n", " ")
        shown = text if len(text) <= 60 else text[:59] + "…"
        return f"{self.location}: {self.reason}: {shown}"


@dataclass
class Inference:
    """The import's report."""

    mappings: list[str] = field(default_factory=list)
    carried: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)


class NoList(ValueError):
    """Duties found before any list heading, and no --list-type to put them in."""


@dataclass
class CatalogBuilder:
    """Collects lists and duties in document order."""

    default: ListType | None = None
    duties: list[ImportedDuty] = field(default_factory=list)
    lists: list[ImportedList] = field(default_factory=list)
    inference: Inference = field(default_factory=Inference)

    @property
    def current(self) -> ImportedList | None:
        return self.lists[-1] if self.lists else None

    def open_list(
        self, list_type: ListType, heading: str, location: str, declared: int | None
    ) -> None:
        """A heading opens a list; a second heading of a type already open continues it
        (a table split over pages repeats its heading)."""
        existing = next((item for item in self.lists if item.list_type is list_type), None)
        if existing is not None:
            self.lists.remove(existing)
            self.lists.append(existing)
            if declared is not None and existing.declared is None:
                existing.declared = declared
            self.inference.notes.append(
                f"{location}: heading '{heading}' continues the {list_type.code} list "
                f"opened at {existing.location}"
            )
            return
        self.lists.append(ImportedList(list_type, heading, location, declared))

    def next_number(self) -> int:
        current = self.current
        return (current.count + 1) if current else 1

    def add(
        self,
        number: int | None,
        name: str,
        location: str,
        category: str = "",
        description: str = "",
        departments: str = "",
        basis: str = "",
    ) -> None:
        """Add a duty to the current list (opening the --list-type list if none is open);
        with no printed number it takes the next one, and the report says so."""
        if self.current is None:
            if self.default is None:
                raise NoList(
                    f"{location}: a duty before any list heading (依法履行…, 依法协助…, "
                    "负面…, 取消…, 证明…, 监督…): give --list-type"
                )
            self.lists.append(ImportedList(self.default, "", "--list-type"))
        current = self.current
        assert current is not None
        if number is None:
            number = current.count + 1
            self.inference.notes.append(f"{location}: no number printed; numbered {number}")
        current.count += 1
        self.duties.append(
            ImportedDuty(
                current.list_type,
                number,
                name,
                category,
                description,
                departments,
                basis,
                location,
            )
        )

    def unplaced(self, location: str, text: str, reason: str) -> None:
        self.inference.unplaced.append(Unplaced(location, text, reason))
