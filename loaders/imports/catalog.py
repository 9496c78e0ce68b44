"""Imported duties → the template's CSV (data/catalogs/README.md), with the optional
``source_file`` field and ``source_location`` column that carry each duty's place in the
published original into the graph."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from ..registers import Jurisdiction
from ..sources.template import DUTY_COLUMNS, IMPORT_FIELDS, METADATA_FIELDS, OPTIONAL_COLUMNS
from .imported import ImportedDuty, ImportedList


@dataclass(frozen=True)
class Draft:
    """The metadata of the template to write."""

    key: str
    title: str
    jurisdiction: Jurisdiction
    document_number: str
    issuer: str
    date: str
    source_file: str
    source_note: str


def list_types(lists: Sequence[ImportedList]) -> str:
    """The ``list_types`` checksum: the count a heading declares, else the duties found (so a
    heading that disagrees with its table fails the build loudly, as for the seeds).

    >>> from cdkg.loaders.records import ListType
    >>> list_types([ImportedList(ListType.ASSISTANCE, "", "", declared=16, count=15),
    ...             ImportedList(ListType.CANCELLED, "", "", count=7)])
    'assistance=16 | cancelled=7'
    """
    parts = [
        f"{item.list_type.code}={item.declared if item.declared is not None else item.count}"
        for item in lists
        if item.count or item.declared
    ]
    return " | ".join(parts)


def template_csv(
    draft: Draft, lists: Sequence[ImportedList], duties: Sequence[ImportedDuty]
) -> str:
    """The template text (a BOM first, so that Excel shows the Chinese when reviewing)."""
    place = draft.jurisdiction
    values = {
        "key": draft.key,
        "title": draft.title,
        "jurisdiction_code": place.code,
        "jurisdiction_name": place.name_zh,
        "jurisdiction_name_en": "" if place.name_en.startswith("Jurisdiction ") else place.name_en,
        "jurisdiction_level": place.level,
        "part_of_code": place.part_of,
        "document_number": draft.document_number,
        "issuer": draft.issuer,
        "date": draft.date,
        "list_types": list_types(lists),
        "source_note": draft.source_note,
        "source_file": draft.source_file,
    }
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for spec in (*METADATA_FIELDS, *IMPORT_FIELDS):
        writer.writerow([spec.name, values.get(spec.name, "")])
    writer.writerow([])
    writer.writerow([*DUTY_COLUMNS, *OPTIONAL_COLUMNS])
    for duty in duties:
        writer.writerow(
            [
                duty.list_type.code,
                duty.number,
                duty.name,
                duty.category,
                duty.description,
                duty.departments,
                duty.basis,
                duty.location,
            ]
        )
    return "\ufeff" + out.getvalue()
