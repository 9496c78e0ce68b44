"""Chongqing: 渝民发〔2021〕6号, 基层群众性自治组织依法协助政府工作事项细化清单 (27 items).

Layout: tab-led cells (see cells.tab_led_cells), one row per item with the columns 序号,
事项名称, 具体内容 (both from 渝府办发〔2019〕23号), 协助工作细化事项, 依据, 主管单位, 备注. Two
items (19 and 23) lost their numbers in the text: the line starts with a space before the tab.
They are numbered from the sequence and the duty says so (numberAssigned, a note).
"""

from __future__ import annotations

from pathlib import Path

from ..cells import group_numbered_rows, join_wrapped, read_lines, tab_led_cells
from ..records import DutyRecord, ListSection, ListType, ParseResult, Problem
from .tabled import check_header, numbers_in_sequence, row_source_text, row_spans

CATALOG = "chongqing"
TITLE_MARK = "基层群众性自治组织依法协助政府工作事项细化清单"
HEADER = [
    "序号",
    "渝府办发〔2019〕23号",
    "协助工作细化事项",
    "依据",
    "主管单位",
    "备注",
    "事项名称",
    "基层群众性自治组织依法协助政府工作具体内容",
]
FIELDS = ("name", "summary", "description", "basis", "department", "remark")


def read(path: Path) -> ParseResult:
    """Parse the Chongqing catalog into assistance duties."""
    lines = read_lines(path)
    file = path.name
    result = ParseResult(file=file)
    header_index = _find_table(lines)
    if header_index is None:
        result.problems.append(Problem(file, len(lines), "no 序号 table found (truncated file?)"))
        return result
    heading_line = max(
        (i + 1 for i in range(header_index) if lines[i].strip() == TITLE_MARK), default=0
    )
    result.sections.append(ListSection(ListType.ASSISTANCE, heading_line))
    header, rows = group_numbered_rows(list(tab_led_cells(lines, header_index)))
    if not check_header(file, header, HEADER, result.problems):
        return result
    numbers = numbers_in_sequence(file, rows, result.problems)
    for row, (number, assigned, note), (first, last) in zip(
        rows, numbers, row_spans(rows, len(lines)), strict=True
    ):
        cells = row.cells
        if len(cells) < 5 or len(cells) > 6:
            result.problems.append(
                Problem(file, row.line, f"item {number}: {len(cells)} cells, expected 5 or 6")
            )
            continue
        values = dict(zip(FIELDS, cells, strict=False))
        basis = values["basis"]
        if basis.value and not basis.value.startswith("《"):
            result.problems.append(
                Problem(file, basis.line, f"item {number}: 依据 cell does not cite a document")
            )
        duty = DutyRecord(
            catalog=CATALOG,
            list_type=ListType.ASSISTANCE,
            number=number,
            name=values["name"].value,
            line=row.line,
            lines=list(range(first, last + 1)),
            summary=values["summary"].value,
            description=join_wrapped(values["description"].parts),
            departments=[values["department"].value] if values["department"].value else [],
            citation_cells=["\n".join(p.strip() for p in basis.parts)],
            remark=values["remark"].value if "remark" in values else "",
            source_text=row_source_text(lines, first, last),
            number_assigned=assigned,
            notes=[note] if note else [],
        )
        result.duties.append(duty)
    return result


def _find_table(lines: list[str]) -> int | None:
    """Index of the header row (the first cell "序号")."""
    for index, line in enumerate(lines):
        if line.strip() == "序号" and line.startswith("\t"):
            return index
    return None
