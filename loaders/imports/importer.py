"""One import, start to finish but without writing: read the published file, map it, read
the metadata it prints, resolve the jurisdiction, and say what is still missing (each with
the option that supplies it). ``cdkg import`` prints the result and writes the template."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..records import ListType
from ..registers import Jurisdiction
from . import read_published
from .catalog import Draft, template_csv
from .headers import Vocabulary, list_type_of
from .jurisdiction import UnknownJurisdiction, place_names, resolve_jurisdiction
from .mapper import Mapped, map_document
from .metadata import PrintedMetadata, place_in, read_metadata
from .model import Document


@dataclass(frozen=True)
class Options:
    """What the command line gives (``None``: not given)."""

    key: str
    jurisdiction: str | None = None
    title: str | None = None
    list_type: ListType | None = None
    source_file: str = ""  # where the original's copy will be, relative to the template


@dataclass
class Planned:
    """Everything the import found, the template text when nothing required is missing, and
    what is missing as (option, why)."""

    document: Document
    mapped: Mapped
    printed: PrintedMetadata
    jurisdiction: Jurisdiction | None = None
    jurisdiction_from: str = ""
    missing: list[tuple[str, str]] = field(default_factory=list)
    draft: Draft | None = None

    def template(self) -> str:
        assert self.draft is not None
        return template_csv(self.draft, self.mapped.builder.lists, self.mapped.duties)


def plan_import(
    path: Path,
    options: Options,
    vocabulary: Vocabulary,
    register: Mapping[str, Jurisdiction],
    display: str | None = None,
) -> Planned:
    """Read and map ``path``; raises the readers' and the mapper's errors (unreadable file,
    scanned PDF, unrecognised header, duties before any heading without --list-type)."""
    document = read_published(path, display)
    mapped = map_document(document, vocabulary, options.list_type)
    printed = read_metadata(mapped.lines, lambda text: list_type_of(text, vocabulary) is not None)
    planned = Planned(document, mapped, printed)
    title = options.title or printed.title
    if not title:
        planned.missing.append(("--title", "the document prints no title line (关于…通知/清单)"))
    _jurisdiction(planned, options, register)
    if not mapped.duties:
        planned.missing.append(("--list-type", "no duty was found (see what was not placed)"))
    if planned.missing or planned.jurisdiction is None:
        return planned
    original = document.file
    note = (
        f"Imported by cdkg import from {original} ({document.format}); "
        f"{len(mapped.duties)} duties, {len(mapped.builder.inference.unplaced)} rows or lines "
        "not placed. Review every row against the original before building."
    )
    planned.draft = Draft(
        key=options.key,
        title=title,
        jurisdiction=planned.jurisdiction,
        document_number=printed.document_number,
        issuer=printed.issuer,
        date=printed.date,
        source_file=options.source_file,
        source_note=note,
    )
    return planned


def _jurisdiction(planned: Planned, options: Options, register: Mapping[str, Jurisdiction]) -> None:
    """From --jurisdiction, else from a place name printed in the title or issuer."""
    given = options.jurisdiction
    source = "--jurisdiction"
    if not given:
        texts = [options.title or planned.printed.title, planned.printed.issuer]
        given = place_in([t for t in texts if t], place_names(register))
        source = "the place name printed in the title or issuer"
    if not given:
        planned.missing.append(("--jurisdiction", "no place name printed in the title or issuer"))
        return
    try:
        planned.jurisdiction = resolve_jurisdiction(given, register)
        planned.jurisdiction_from = source
    except UnknownJurisdiction as error:
        planned.missing.append(("--jurisdiction", str(error)))
