"""Sichuan: 关于实行城乡社区工作事项准入制度的指导意见（征求意见稿）, about 2020.

Three attachments in the tab-led layout (see cells.tab_led_cells):
附件1 城乡社区依法自治工作事项 (序号, 自治事项, 法律法规依据; 20 items),
附件2 城乡社区协助办理工作事项 (序号, 事项名称, 具体内容, 依据; 32 items) — 事项名称 is a group
printed once and carried down over the blank cells below it, so it becomes the category and
具体内容 the duty's name —, and 附件3 城乡社区负面工作事项 (序号, 工作类别, 具体工作内容; 7 items).
Empty basis cells stay empty: nothing is invented.
"""

from __future__ import annotations

from pathlib import Path

from ..cells import Cell, group_numbered_rows, join_wrapped, read_lines, tab_led_cells
from ..records import DutyRecord, ListSection, ListType, ParseResult, Problem, Skipped
from .attachment import Attachment
from .tabled import check_header, numbers_in_sequence, row_source_text, row_spans

CATALOG = "sichuan"


ATTACHMENTS = (
    Attachment(
        1,
        ListType.SELF_GOVERNANCE,
        "城乡社区依法自治工作事项",
        ("序号", "自治事项", "法律法规依据"),
    ),
    Attachment(
        2,
        ListType.ASSISTANCE,
        "城乡社区协助办理工作事项",
        ("序号", "事项名称", "具体内容", "依据"),
    ),
    Attachment(3, ListType.EXCLUDED, "城乡社区负面工作事项", ("序号", "工作类别", "具体工作内容")),
)


def read(path: Path) -> ParseResult:
    """Parse the three Sichuan lists."""
    lines = read_lines(path)
    file = path.name
    result = ParseResult(file=file)
    starts = _attachment_starts(lines)
    for attachment in ATTACHMENTS:
        if attachment.label not in starts:
            result.problems.append(
                Problem(file, len(lines), f"{attachment.label} {attachment.title} not found")
            )
            continue
        begin = starts[attachment.label]
        later = [s for s in starts.values() if s > begin]
        end = min(later) - 1 if later else len(lines)
        _read_attachment(lines, file, attachment, begin, end, result)
    return result


def _attachment_starts(lines: list[str]) -> dict[str, int]:
    """Line index of each '附件N' line that is directly followed (after blanks) by that
    attachment's title — the document itself is printed as 附件3 of a covering letter."""
    titles = {a.label: a.title for a in ATTACHMENTS}
    starts: dict[str, int] = {}
    for index, line in enumerate(lines):
        label = line.strip()
        if label in titles:
            following = next((x.strip() for x in lines[index + 1 :] if x.strip()), "")
            if following == titles[label]:
                starts[label] = index
    return starts


def _read_attachment(
    lines: list[str], file: str, attachment: Attachment, begin: int, end: int, result: ParseResult
) -> None:
    result.sections.append(ListSection(attachment.list_type, begin + 1))
    # The table starts at its first tab-led line; the lines before it are the title.
    table = next((i for i in range(begin, end) if lines[i].startswith("\t")), end)
    header, rows = group_numbered_rows(list(tab_led_cells(lines, table, end)))
    if not check_header(file, header, attachment.header, result.problems):
        return
    width = len(attachment.header) - 1
    numbers = numbers_in_sequence(file, rows, result.problems)
    group = ""
    spans = row_spans(rows, end)
    for row, (number, assigned, note), (first, last) in zip(rows, numbers, spans, strict=True):
        cells = row.cells
        if number is None or not cells:
            continue
        trailing: list[Cell] = []
        if len(cells) > width:
            cells, trailing = cells[:width], cells[width:]
        if len(cells) < width:
            result.problems.append(
                Problem(file, row.line, f"{attachment.label} item {number}: {len(cells)} cells")
            )
            continue
        duty = DutyRecord(
            catalog=CATALOG,
            list_type=attachment.list_type,
            number=number,
            name="",
            line=row.line,
            lines=list(range(first, last + 1)),
            source_text=row_source_text(lines, first, last),
            number_assigned=assigned,
            notes=[note] if note else [],
        )
        if attachment.list_type is ListType.SELF_GOVERNANCE:
            duty.name = cells[0].value
            duty.citation_cells = [_verbatim(cells[1])]
        elif attachment.list_type is ListType.ASSISTANCE:
            if cells[0].value:
                group = cells[0].value
            else:
                duty.notes.append(f"事项名称 carried down from the group above: {group}")
            duty.category = group
            duty.name = cells[1].value
            duty.citation_cells = [_verbatim(cells[2])]
        else:
            duty.name = cells[0].value
            duty.category = cells[0].value
            duty.description = join_wrapped(cells[1].parts)
        result.duties.append(duty)
        _report_trailing(file, attachment, number, trailing, result)


def _report_trailing(
    file: str, attachment: Attachment, number: str, cells: list[Cell], result: ParseResult
) -> None:
    """Cells after a row's last column are not items (e.g. the 备注 note under 附件3):
    each is reported as skipped with its line, never dropped silently."""
    for cell in cells:
        if cell.value:
            reason = f"{attachment.label}: text after item {number} outside the table columns"
            result.skipped.append(Skipped(file, cell.line, reason, cell.value[:80]))


def _verbatim(cell: Cell) -> str:
    return "\n".join(part.strip() for part in cell.parts)
