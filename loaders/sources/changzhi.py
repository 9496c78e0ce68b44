"""Changzhi (长治市, 长民发〔2017〕124号): four attachment tables in an OCR-damaged text.

Layout: tab-separated table rows, one per line, under a header row. The OCR damage this parser
repairs by rule:

* Several table rows run together on one physical line (附件1 rows 10–16 on one line, 附件2
  rows 13–29 on another). The line is split at the expected next item number — N+1 standing
  alone before a space, in sequence — because that is the only reliable row boundary left.
* In a run-together piece the name comes first and the basis starts at the first citation
  marker (《, "1、《", "1. 中共中央…"). A piece that starts with a marker has its name elsewhere
  (interleaved) and is left whole for a reviewed correction.
* OCR echo: fragments of neighbouring rows repeated after a basis. The echo starts at a
  citation enumerator out of sequence ("40、" after an unnumbered basis); it is dropped only
  if every fragment of it also occurs elsewhere on the same line, so no unique text is lost.
* Attachment headings printed after their table (reversed lines): a table belongs to the
  attachment whose title heading is nearest to it, not simply the one above it.

Prose (partly in reversed line order) and the 附件5 approval form are not tables and are not
rows. Inside a table region every non-blank line is a header, a separator, a row, or reported
as Skipped. Vertically merged 分类 cells were printed by the OCR on a middle row of their span;
no sound rule recovers the span, so those categories come from the reviewed corrections file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..cells import SourceError, clean, read_lines, tsv_row
from ..normalise.corrections import Correction, apply_corrections, unnamed_problem
from ..records import DutyRecord, ListSection, ListType, ParseResult, Problem, Skipped
from .attachment import Attachment

CATALOG = "changzhi"


_DUTY_HEADER = ("序号", "主要工作事项", "依据")  # 附件1 and 附件3 share it
_ASSIST_HEADER = ("分类", "序号", "协助工作主要事项", "依据")
_PROOF_HEADER = ("序号", "证明事项")
ATTACHMENTS = (
    Attachment(1, ListType.SELF_GOVERNANCE, "依法履行职责事项清单", _DUTY_HEADER),
    Attachment(2, ListType.ASSISTANCE, "依法协助政府工作事项清单", _ASSIST_HEADER),
    Attachment(3, ListType.SUPERVISION, "依法依规履行监督职责事项清单", _DUTY_HEADER),
    Attachment(4, ListType.CERTIFICATION, "日常出具证明事项", _PROOF_HEADER),
)
KNOWN_HEADERS = frozenset(a.header for a in ATTACHMENTS)

_SEPARATOR = re.compile(r"^[\s\-|:]*-[\s\-|:]*$")
# Where a legal basis starts: a 《title》, or a party/state-council document, optionally
# enumerated ("1、《", "2. 中共中央"), always at the start or after whitespace.
_BASIS_START = re.compile(r"(?:^|(?<=\s))(?:\d+\s*[、.．]\s*)?(?:《|中共中央|国务院办公厅)")
# A citation enumerator ("1、", "2. ") inside a basis.
_ENUMERATOR = re.compile(r"(?:^|(?<=\s))(\d+)\s*[、.．]\s*(?=\S)")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Table:
    """A recognised header line and the 0-based range of lines of its table region."""

    header: tuple[str, ...]
    start: int  # index of the header line
    end: int  # index after the last line of the region


def read(path: Path, corrections: Sequence[Correction] = ()) -> ParseResult:
    """Parse changzhi.txt, apply the reviewed corrections, and check names and numbering.

    Problems (not exceptions) report a file in another encoding, an unknown table header, a
    missing attachment, a row whose name no rule could separate and no correction supplied, and
    duplicate or missing item numbers — so the other catalogs still build.
    """
    file = path.name
    try:
        lines = read_lines(path)
    except SourceError as error:
        return ParseResult(file, problems=[Problem(error.file, error.line, error.message)])
    parsed = parse_lines(lines, file)
    parsed.problems.extend(check_names(parsed))
    result = apply_corrections(parsed, corrections)
    explained = {(c.list, c.number): c.reason for c in corrections if c.field == "explain"}
    result.problems.extend(check_numbering(result, explained))
    return result


def parse_lines(lines: Sequence[str], file: str) -> ParseResult:
    """The rule-based parse, before corrections."""
    result = ParseResult(file)
    tables, problems = find_tables(lines, file)
    result.problems.extend(problems)
    assigned = assign_tables(lines, tables)
    used: set[int] = set()
    for attachment in ATTACHMENTS:
        heading, table = assigned[attachment.number]
        if heading is None:
            message = f"{attachment.label} heading '{attachment.title}' not found"
            result.problems.append(Problem(file, table.start + 1 if table else 0, message))
        if table is None:
            message = f"{attachment.label} {attachment.title}: no table headed {attachment.header}"
            result.problems.append(
                Problem(file, heading + 1 if heading is not None else 0, message)
            )
            continue
        used.add(table.start)
        line = (heading if heading is not None else table.start) + 1
        result.sections.append(ListSection(attachment.list_type, heading_line=line))
        duties, skipped = parse_table(lines, table, attachment, file)
        result.duties.extend(duties)
        result.skipped.extend(skipped)
    for table in tables:
        if table.start not in used:
            message = f"table with header {table.header} belongs to no attachment"
            result.problems.append(Problem(file, table.start + 1, message))
    return result


# --- tables -------------------------------------------------------------------------------------


def header_cells(line: str) -> tuple[str, ...] | None:
    """The cleaned cells of a line that looks like a table header (a 序号 cell), else None."""
    if "\t" not in line:
        return None
    cells = tuple(clean(c) for c in tsv_row(line))
    if "序号" not in cells:
        return None
    while cells and not cells[-1]:
        cells = cells[:-1]
    return cells


def find_tables(lines: Sequence[str], file: str) -> tuple[list[Table], list[Problem]]:
    """Every known table header with its region; an unknown header is a Problem.

    A region runs from its header to the first non-blank line without a tab (prose or a
    heading) or the next header: OCR blank lines and separators inside a table do not end it.
    """
    tables: list[Table] = []
    problems: list[Problem] = []
    for index, line in enumerate(lines):
        cells = header_cells(line)
        if cells is None:
            continue
        if cells not in KNOWN_HEADERS:
            problems.append(Problem(file, index + 1, f"unknown table header {cells}"))
            continue
        end = index + 1
        while end < len(lines) and header_cells(lines[end]) is None:
            if lines[end].strip() and "\t" not in lines[end]:
                break
            end += 1
        tables.append(Table(cells, index, end))
    return tables, problems


def title_heading(lines: Sequence[str], title: str) -> list[int]:
    """Indexes of Markdown heading lines that end with a list's title (the body's list of
    attachments is prose, not a heading, so it never matches)."""
    found = []
    for index, line in enumerate(lines):
        text = line.strip()
        if text.startswith("#") and clean(text.lstrip("#")).endswith(title):
            found.append(index)
    return found


def assign_tables(
    lines: Sequence[str], tables: Sequence[Table]
) -> dict[int, tuple[int | None, Table | None]]:
    """Each attachment's title heading and table: the table with its header nearest to the
    heading, because OCR printed 附件3's headings after its table."""
    free = list(tables)
    assigned: dict[int, tuple[int | None, Table | None]] = {}
    for attachment in ATTACHMENTS:
        headings = title_heading(lines, attachment.title)
        heading = headings[0] if headings else None
        candidates = [t for t in free if t.header == attachment.header]
        if heading is not None:
            candidates = nearest_first(candidates, heading)
        table = candidates[0] if candidates else None
        if table is not None:
            free.remove(table)
        assigned[attachment.number] = (heading, table)
    return assigned


def nearest_first(tables: Sequence[Table], index: int) -> list[Table]:
    """Tables ordered by the distance of their header line from line ``index``."""
    return sorted(tables, key=lambda table: abs(table.start - index))


def is_separator(line: str) -> bool:
    """A Markdown table rule such as '----\\t---' (layout, not content)."""
    return bool(_SEPARATOR.match(line))


def parse_table(
    lines: Sequence[str], table: Table, attachment: Attachment, file: str
) -> tuple[list[DutyRecord], list[Skipped]]:
    """The duties of one table region; non-row lines inside it are Skipped with a reason."""
    duties: list[DutyRecord] = []
    skipped: list[Skipped] = []
    category: str | None = None
    for index in range(table.start + 1, table.end):
        raw = lines[index]
        if not raw.strip() or is_separator(raw):
            continue
        cells = tsv_row(raw)
        number = cells[attachment.number_col].strip() if len(cells) > attachment.number_col else ""
        if not number.isdigit():
            reason = f"inside the {attachment.label} table but not a numbered row"
            skipped.append(Skipped(file, index + 1, reason, raw))
            continue
        column = attachment.category_col
        printed = clean(cells[column]) if column is not None else ""
        if printed:
            category = printed
        rest = "\t".join(cells[attachment.number_col + 1 :])
        pieces = split_run(rest, int(number))
        row = Row(attachment, file, index + 1, raw, category or "")
        if len(pieces) == 1:
            duties.append(simple_row(row, number, cells))
        else:
            duties.extend(run_rows(row, pieces))
            category = None  # the run lost the 分类 column: nothing to carry down
    return duties, skipped


@dataclass(frozen=True)
class Row:
    """What every duty read from one physical line shares."""

    attachment: Attachment
    file: str
    line: int
    raw: str
    category: str

    def duty(self, number: str, name: str, basis: str, notes: list[str]) -> DutyRecord:
        has_category = self.attachment.category_col is not None
        return DutyRecord(
            catalog=CATALOG,
            list_type=self.attachment.list_type,
            number=number,
            name=clean(name),
            line=self.line,
            lines=[self.line],
            category=self.category if has_category else "",
            citation_cells=[basis.strip()] if basis.strip() else [],
            source_text=self.raw,
            notes=notes,
        )


def simple_row(row: Row, number: str, cells: list[str]) -> DutyRecord:
    """A row printed as its own line: the cells are the columns."""
    after = cells[row.attachment.number_col + 1 :]
    name = after[0] if after else ""
    basis = after[1] if row.attachment.has_basis and len(after) > 1 else ""
    width = 2 if row.attachment.has_basis else 1
    notes = []
    extra = [c for c in after[width:] if c.strip()]
    if extra:
        notes.append(f"extra cells after the last column kept out of the duty: {extra}")
    return row.duty(number, name, basis, notes)


def run_rows(row: Row, pieces: list[tuple[str, str]]) -> list[DutyRecord]:
    """The rows of a run-together line, each split into name and basis by rule."""
    duties = []
    for position, (number, piece) in enumerate(pieces):
        notes = [f"recovered from run-together line {row.line} by rule (split at item numbers)"]
        if row.attachment.has_basis:
            name, basis = split_name_basis(piece)
            if not clean(name):
                name, basis = "", piece.strip()
                notes.append("name and basis interleaved: no rule separates them")
            else:
                basis, echo = drop_echo(basis, row.raw)
                if echo:
                    notes.append(
                        f"dropped OCR echo by rule (its text repeats elsewhere on the line): {echo}"
                    )
        else:
            name, basis = piece, ""
        current = row
        if position > 0 and row.attachment.category_col is not None:
            current = Row(row.attachment, row.file, row.line, row.raw, "")
            notes.append("no 分类 cell: the run-together line lost the column; not carried down")
        duties.append(current.duty(number, name, basis, notes))
    return duties


# --- rules for run-together rows ----------------------------------------------------------------


def split_run(text: str, number: int) -> list[tuple[str, str]]:
    """Split the text after item ``number`` at the next item numbers, in sequence.

    'a\\t11 b 12 c' with number 10 → [('10', 'a\\t'), ('11', 'b '), ('12', 'c')]. A number
    counts only standing alone (after whitespace, before a space or tab) and only as the next
    in sequence, so article numbers and enumerators like '2、' never split a row.
    """
    pieces: list[tuple[str, str]] = []
    current, start = number, 0
    while True:
        marker = re.compile(rf"(?:^|(?<=\s)){current + 1}[ \t\u3000]")
        match = marker.search(text, start)
        if match is None:
            break
        pieces.append((str(current), text[start : match.start()]))
        current, start = current + 1, match.end()
    pieces.append((str(current), text[start:]))
    return pieces


def split_name_basis(piece: str) -> tuple[str, str]:
    """'依法做好残疾人工作 《残疾人保障法》第七十七条' → (name, basis): the basis starts at the
    first citation marker; a piece without one is all name."""
    text = piece.strip()
    match = _BASIS_START.search(text)
    if match is None:
        return text, ""
    return text[: match.start()], text[match.start() :]


def echo_start(basis: str) -> int | None:
    """Where the citation enumerators stop running 1, 2, 3…: an enumerator out of sequence
    ('40、' after an unnumbered basis, '2、' after '4.') is where OCR echo begins."""
    expected = 1
    for match in _ENUMERATOR.finditer(basis):
        if int(match.group(1)) == expected and (expected > 1 or match.start() == 0):
            expected += 1
            continue
        return match.start()
    return None


def drop_echo(basis: str, line: str) -> tuple[str, str]:
    """(basis without its echo tail, the dropped tail or '').

    The tail is dropped only if each of its fragments (split at enumerators) occurs at least
    twice on the physical line: an echo repeats text printed elsewhere, so nothing unique is
    lost. Otherwise the basis is kept whole for a reviewer.
    """
    start = echo_start(basis)
    if start is None:
        return basis, ""
    tail = basis[start:]
    folded_line = _fold(line)
    fragments = [_fold(f) for f in _ENUMERATOR.split(tail)[::2]]
    if all(folded_line.count(f) >= 2 for f in fragments if f):
        return basis[:start].rstrip(), tail.strip()
    return basis, ""


def _fold(text: str) -> str:
    return _WHITESPACE.sub("", text)


# --- checks after corrections -------------------------------------------------------------------


def check_names(result: ParseResult) -> list[Problem]:
    """A duty left without a name (name and basis interleaved by OCR) is an error until a
    reviewed name correction resolves it."""
    return [
        unnamed_problem(result.file, d.list_type, d.number, d.line)
        for d in result.duties
        if not d.name
    ]


def check_numbering(
    result: ParseResult, explained: Mapping[tuple[str, str], str] | None = None
) -> list[Problem]:
    """Per list, every number from 1 to the highest must be present exactly once.

    ``explained`` maps (list code, item number) to the reason of a reviewed ``explain``
    correction; an explained issue is reported as a warning that carries the reason.
    """
    explained = explained or {}
    problems: list[Problem] = []

    def report(code: str, number: str, line: int, message: str) -> None:
        reason = explained.get((code, number))
        if reason:
            message, severity = f"{message} — explained: {reason}", "warning"
        else:
            severity = "error"
        problems.append(Problem(result.file, line, f"{code}: {message}", severity))

    for section in result.sections:
        code = section.list_type.code
        seen: dict[int, int] = {}
        for duty in (d for d in result.duties if d.list_type is section.list_type):
            if not duty.number.isdigit():
                report(code, duty.number, duty.line, f"item number {duty.number!r} is not a number")
            elif int(duty.number) in seen:
                first = seen[int(duty.number)]
                message = f"duplicate item number {duty.number} (first at line {first})"
                report(code, duty.number, duty.line, message)
            else:
                seen[int(duty.number)] = duty.line
        if not seen:
            report(code, "count", section.heading_line, "no rows")
            continue
        for number in sorted(set(range(1, max(seen) + 1)) - set(seen)):
            message = f"missing item number {number} of 1–{max(seen)}"
            report(code, str(number), section.heading_line, message)
    return problems
