"""Reviewed corrections: what no parsing rule can recover, stated once by a person, with a reason.

Some source damage has no sound rule (OCR interleaving a name with its legal basis, a merged
category cell printed on the wrong row). Guessing in code would hide the guess; editing
data/raw would destroy the evidence. Instead a reviewer writes one CSV row per corrected field
in ``data/corrections/<source>.csv``, and the loader applies it after parsing, leaving a note on
the duty that names the CSV line and repeats the reason.

Format (UTF-8, comma-separated, a header row exactly as below, blank lines ignored)::

    file,line,list,number,field,value,reason

``file``
    the raw source's file name, e.g. ``changzhi.txt``.
``line``
    the 1-based source line the parser reads the duty from (``DutyRecord.line``). It is
    checked: a correction whose duty moved goes stale loudly instead of fixing the wrong row.
``list``
    a ``ListType`` value: self-governance, assistance, supervision, certification, cancelled,
    excluded.
``number``
    the item number as the parser read it (empty when the parser found none); for ``explain``
    the item number or ``count`` whose reconciliation mismatch is explained.
``field``
    ``name`` (the duty's name; not empty), ``category``, ``citation`` (the basis text — keep it
    verbatim from the source, only cutting away garbage; newlines separate cells, empty means
    the row cites nothing), ``description``, ``number`` (the corrected item number), ``skip``
    (the row is not a duty; ``value`` is ignored and the reason becomes the skip reason) or
    ``explain`` (changes no duty: the reason explains a missing/duplicate number or a count
    mismatch to the build's reconciliation; ``line`` is the list heading's line).
``value``
    the corrected value.
``reason``
    mandatory, English or Chinese: why no rule recovers this and what the reviewer checked.

Corrections match the parser's output (list, number, line), never the result of another
correction, so their order in the file does not matter. A correction that matches no duty, or
names another file, is reported as a Problem (a stale correction must not be silently ignored).

A parser that cannot find a duty's name by rule leaves it empty and reports
``unnamed_problem(...)``; a name correction resolves (removes) exactly that Problem, so
the result is the same whether the parser or the build applies the corrections.
"""

from __future__ import annotations

import copy
import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cells import SourceError
from ..records import DutyRecord, ListType, ParseResult, Problem, Skipped

COLUMNS = ("file", "line", "list", "number", "field", "value", "reason")
FIELDS = frozenset({"name", "category", "citation", "description", "number", "skip", "explain"})


@dataclass(frozen=True)
class Correction:
    """One reviewed correction of one field of one duty, with where it was written down."""

    file: str
    line: int
    list_type: ListType
    number: str
    field: str
    value: str
    reason: str
    origin: str  # the corrections file as shown in notes, e.g. data/corrections/changzhi.csv
    origin_line: int  # the CSV line the correction starts on

    @property
    def list(self) -> str:
        """The list's code (``ListType.code``), as the reconciliation keys explanations."""
        return self.list_type.code

    @property
    def note(self) -> str:
        """The provenance note left on the corrected duty."""
        return f"correction ({self.origin}:{self.origin_line}): {self.reason}"


def display_path(path: Path) -> str:
    """How a corrections file is named in notes and errors: ``data/corrections/<name>`` when it
    lives there (so notes do not depend on where the checkout is), else the path as given."""
    parts = path.parts
    if len(parts) >= 3 and parts[-3:-1] == ("data", "corrections"):
        return "/".join(parts[-3:])
    return str(path)


def load_corrections(path: Path) -> list[Correction]:
    """Read and check a corrections CSV; a missing file means no corrections.

    Raises ``SourceError`` naming the CSV file and line for a wrong header, an unknown list or
    field, a bad line number, an empty name or a missing reason: a half-understood correction
    must stop the build rather than be applied or skipped silently.
    """
    if not path.exists():
        return []
    origin = display_path(path)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None or tuple(h.strip() for h in header) != COLUMNS:
            raise SourceError(origin, 1, f"header must be {','.join(COLUMNS)}")
        corrections: list[Correction] = []
        end = reader.line_num
        for row in reader:
            start, end = end + 1, reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            corrections.append(_correction(row, origin, start))
    return corrections


def _correction(row: list[str], origin: str, line: int) -> Correction:
    """One CSV row → a checked Correction (errors name the CSV line)."""
    if len(row) != len(COLUMNS):
        raise SourceError(origin, line, f"{len(row)} columns, expected {len(COLUMNS)}")
    file, source_line, list_name, number, field, value, reason = row
    field = field.strip()
    if field not in FIELDS:
        raise SourceError(origin, line, f"unknown field {field!r} (one of {sorted(FIELDS)})")
    try:
        list_type = ListType(list_name.strip())
    except ValueError:
        known = ", ".join(t.value for t in ListType)
        raise SourceError(origin, line, f"bad list {list_name!r} (one of {known})") from None
    if not source_line.strip().isdigit() or int(source_line) < 1:
        raise SourceError(origin, line, f"bad source line {source_line!r}")
    if not reason.strip():
        raise SourceError(origin, line, "missing reason: say why no rule recovers this")
    if not file.strip():
        raise SourceError(origin, line, "missing file")
    if field in ("name", "number") and not value.strip():
        raise SourceError(origin, line, f"empty value for field {field!r}")
    return Correction(
        file=file.strip(),
        line=int(source_line),
        list_type=list_type,
        number=number.strip(),
        field=field,
        value=value.strip(),
        reason=reason.strip(),
        origin=origin,
        origin_line=line,
    )


def apply_corrections(result: ParseResult, corrections: Sequence[Correction]) -> ParseResult:
    """A copy of ``result`` with each correction applied to the duty it names.

    Stale corrections (another file, no such duty, the duty on another line) become Problems
    naming the CSV line; a correction that changes nothing is a warning, so redundant entries
    are noticed once the parser learns to recover the row by rule.
    """
    out = copy.deepcopy(result)
    targets: list[tuple[Correction, DutyRecord]] = []
    for correction in corrections:
        if correction.field == "explain":
            continue  # read by the reconciliation; it changes no duty
        problem = _stale(out, correction)
        if problem is not None:
            out.problems.append(problem)
            continue
        for duty in out.duties:
            if _matches(duty, correction):
                targets.append((correction, duty))
    skipped: list[int] = []
    for correction, duty in targets:
        if correction.field == "skip":
            skipped.append(id(duty))
            out.skipped.append(Skipped(out.file, duty.line, correction.note, duty.source_text))
        elif not _set_field(duty, correction.field, correction.value):
            message = f"correction of {correction.field} changes nothing (remove it)"
            out.problems.append(
                Problem(correction.origin, correction.origin_line, message, "warning")
            )
        duty.notes.append(correction.note)
        if correction.field == "name":
            resolved = unnamed_problem(
                out.file, correction.list_type, correction.number, correction.line
            )
            out.problems = [p for p in out.problems if p != resolved]
    out.duties = [d for d in out.duties if id(d) not in skipped]
    return out


def unnamed_problem(file: str, list_type: ListType, number: str, line: int) -> Problem:
    """The error a parser reports for a duty whose name no rule could find. The name
    correction for that duty removes exactly this Problem (equal values, no message parsing),
    so applying corrections in the parser or later in the build gives the same result."""
    message = (
        f"{list_type.code} item {number}: no rule separates the name from the basis; "
        "add a reviewed name correction under data/corrections/"
    )
    return Problem(file, line, message)


def _matches(duty: DutyRecord, correction: Correction) -> bool:
    return (
        duty.list_type is correction.list_type
        and duty.number == correction.number
        and duty.line == correction.line
    )


def _stale(result: ParseResult, correction: Correction) -> Problem | None:
    """Why a correction cannot be applied to this result, or None when exactly one duty fits."""
    where = f"{correction.list_type.value} item {correction.number or '(no number)'}"
    if correction.file != result.file:
        message = f"correction names file {correction.file!r} but is applied to {result.file!r}"
    else:
        matching = [d for d in result.duties if _matches(d, correction)]
        if len(matching) == 1:
            return None
        if matching:
            message = f"correction matches {len(matching)} duties ({where}, line {correction.line})"
        else:
            elsewhere = [
                d.line
                for d in result.duties
                if d.list_type is correction.list_type and d.number == correction.number
            ]
            found = f"; that item is read from line {elsewhere[0]}" if elsewhere else ""
            message = f"stale correction: no duty {where} at {result.file}:{correction.line}{found}"
    return Problem(correction.origin, correction.origin_line, message)


def _set_field(duty: DutyRecord, field: str, value: str) -> bool:
    """Set one field; False when the duty already had that value."""
    if field == "citation":
        cells = value.split("\n") if value else []
        changed = cells != duty.citation_cells
        duty.citation_cells = cells
        return changed
    attribute = {"name": "name", "category": "category", "description": "description"}.get(
        field, "number"
    )
    changed = getattr(duty, attribute) != value
    setattr(duty, attribute, value)
    if field == "number":
        duty.number_assigned = True
    return changed
