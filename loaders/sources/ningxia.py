"""Ningxia district (宁夏某城区, name not printed), about 2024: three lists.

（一）依法履行工作事务目录（16项）, （二）依法协助工作事务目录（23项）,
（三）取消工作事务目录（7项）; tab-separated, one table row per line. A row with an empty
name continues the duty above it: its scope text, departments and legal bases are merged
into that duty. Category cells ("一、党的建设 （3项）") are carried down and declare their own
counts, checked like the list's.

The export prints the whole catalog nine times with formatting noise (<b>/<p> tags, spacing,
full/half-width brackets). Every copy is compared after folding that noise away; the copy that
most copies agree with is loaded, once, and the report names each copy that differs and where.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from ..cells import clean, declared_count, fold_noise, read_lines, split_number_prefix, strip_tags
from ..records import DutyRecord, ListSection, ListType, ParseResult, Problem, Skipped

CATALOG = "ningxia-district"
_HEADING = re.compile(
    r"^#+\s*[（(]\s*([一二三四五六七八九十]+)\s*[）)]\s*(\S+?目录)\s*[（(]\s*(\d+)\s*项\s*[）)]\s*$"
)
_LIST_TYPES = {
    "依法履行": ListType.SELF_GOVERNANCE,
    "依法协助": ListType.ASSISTANCE,
    "取消": ListType.CANCELLED,
}
DUTY_HEADERS = (
    ("类别", "工作事务名称", "职责范围", "指导部门", "设定依据"),
    ("类别", "工作事务名称", "职责范围", "对应部门", "设定依据"),
)
CANCELLED_HEADER = ("序号", "取消工作事务名称", "主要内容", "指导部门", "备注")


@dataclass(frozen=True)
class Copy:
    """One printing of the catalog: 0-based line indexes [start, end)."""

    index: int
    start: int
    end: int

    def describe(self) -> str:
        return f"copy {self.index} (lines {self.start + 1}–{self.end})"


def find_copies(lines: list[str]) -> list[Copy]:
    """A copy starts at each '（一）…目录' heading and runs to the next one."""
    starts = [
        i for i, line in enumerate(lines) if (m := _HEADING.match(line.strip())) and m[1] == "一"
    ]
    ends = [*starts[1:], len(lines)]
    return [Copy(n + 1, s, e) for n, (s, e) in enumerate(zip(starts, ends, strict=True))]


def compare_copies(lines: list[str], copies: list[Copy]) -> tuple[Copy, list[str]]:
    """Choose the copy most copies agree with (after folding noise) and describe, line by
    line, how every other copy differs from it."""
    folded = {c.index: [fold_noise(x) for x in lines[c.start : c.end] if x.strip()] for c in copies}
    votes = Counter("\n".join(folded[c.index]) for c in copies)
    majority = votes.most_common(1)[0][0]
    chosen = next(c for c in copies if "\n".join(folded[c.index]) == majority)
    findings = [
        f"Ningxia district: {len(copies)} printed copies compared after folding formatting noise "
        f"(tags, spacing, bracket width); loaded {chosen.describe()}, "
        f"which {votes[majority]} of {len(copies)} copies match."
    ]
    base_lines = [i for i in range(chosen.start, chosen.end) if lines[i].strip()]
    for copy in copies:
        if copy is chosen or "\n".join(folded[copy.index]) == majority:
            continue
        other_lines = [i for i in range(copy.start, copy.end) if lines[i].strip()]
        matcher = difflib.SequenceMatcher(a=folded[chosen.index], b=folded[copy.index])
        for op, a1, a2, b1, b2 in matcher.get_opcodes():
            if op == "equal":
                continue
            where_a = ", ".join(str(base_lines[i] + 1) for i in range(a1, a2)) or "—"
            where_b = ", ".join(str(other_lines[i] + 1) for i in range(b1, b2)) or "—"
            findings.append(
                f"- {copy.describe()} differs in content: {op} at line(s) {where_b} "
                f"(loaded copy: line(s) {where_a})"
            )
    if len(findings) == 1:
        findings.append("- every copy has the same content.")
    return chosen, findings


def read(path: Path) -> ParseResult:
    """Parse the Ningxia district catalog (once) and compare its nine printings."""
    lines = read_lines(path)
    file = path.name
    result = ParseResult(file=file)
    copies = find_copies(lines)
    if not copies:
        result.problems.append(Problem(file, 1, "no '（一）…目录（N项）' heading found"))
        return result
    chosen, findings = compare_copies(lines, copies)
    result.findings.extend(findings)
    _parse_copy(lines, chosen, result)
    return result


def _parse_copy(lines: list[str], copy: Copy, result: ParseResult) -> None:
    file = result.file
    section: ListSection | None = None
    header: tuple[str, ...] | None = None
    category = ""
    current: DutyRecord | None = None
    for index in range(copy.start, copy.end):
        raw = lines[index]
        number = index + 1
        if not raw.strip():
            continue
        if match := _HEADING.match(raw.strip()):
            list_type = next((t for k, t in _LIST_TYPES.items() if k in match[2]), None)
            if list_type is None:
                result.problems.append(Problem(file, number, f"unknown list heading {match[2]!r}"))
                section = None
                continue
            section = ListSection(list_type, number, int(match[3]))
            result.sections.append(section)
            header, category, current = None, "", None
            continue
        cells = [strip_tags(c) for c in raw.split("\t")]
        values = tuple(clean(c) for c in cells)
        if values[:1] in (("类别",), ("序号",)):
            header = values[: len(DUTY_HEADERS[0])]
            if header not in (*DUTY_HEADERS, CANCELLED_HEADER):
                result.problems.append(Problem(file, number, f"unknown table header {header!r}"))
                header = None
            continue
        if section is None or header is None:
            result.skipped.append(Skipped(file, number, "text outside any table", raw[:80]))
            continue
        if header == CANCELLED_HEADER:
            current = _cancelled_row(file, number, raw, values, section, result)
            continue
        current, category = _duty_row(file, number, raw, values, section, category, current, result)


def _duty_row(
    file: str,
    number: int,
    raw: str,
    values: tuple[str, ...],
    section: ListSection,
    category: str,
    current: DutyRecord | None,
    result: ParseResult,
) -> tuple[DutyRecord | None, str]:
    """A 依法履行/依法协助 row: category, 'N.name', scope, departments, basis."""
    values = (*values, "", "", "", "", "")[:5]
    category_cell, name_cell, scope, _, _ = values
    raw_cells = ([*raw.split("\t"), "", "", "", "", ""])[:5]
    # Departments go to the department parser raw (tags stripped): their spaces separate names.
    departments = strip_tags(raw_cells[3]).strip()
    if category_cell:
        label, declared = declared_count(category_cell)
        if declared is not None:
            category = label
            section.category_declared.setdefault(label, declared)
        elif not name_cell and not scope:
            # "其他国家法律法规规定的…职责事项。" closes each list: a catch-all, not an item.
            reason = "catch-all clause after the numbered items (no number, not counted)"
            result.skipped.append(Skipped(file, number, reason, category_cell))
            return None, category
        else:
            category = label
    if not name_cell:
        if current is None:
            result.problems.append(Problem(file, number, "continuation row with no duty above it"))
            return None, category
        # An empty name continues the duty above: merge its cells into that duty.
        current.lines.append(number)
        current.source_text += "\n" + raw
        if scope:
            current.description += "\n" + scope
        if departments:
            current.departments.append(departments)
        current.citation_cells.append(raw_cells[4].strip())
        current.notes.append(f"row at line {number} continues this duty (empty name); merged")
        return current, category
    printed, name = split_number_prefix(name_cell)
    if printed is None:
        result.problems.append(Problem(file, number, f"duty name without a number: {name_cell!r}"))
        return None, category
    duty = DutyRecord(
        catalog=CATALOG,
        list_type=section.list_type,
        number=printed,
        name=clean(name),
        line=number,
        lines=[number],
        description=scope,
        category=category,
        departments=[departments] if departments else [],
        citation_cells=[raw_cells[4].strip()],
        source_text=raw,
    )
    result.duties.append(duty)
    return duty, category


def _cancelled_row(
    file: str,
    number: int,
    raw: str,
    values: tuple[str, ...],
    section: ListSection,
    result: ParseResult,
) -> DutyRecord | None:
    """A 取消 row: 序号, name, content, department, remark."""
    values = (*values, "", "", "", "", "")[:5]
    printed, name, content, _, remark = values
    departments = strip_tags(raw.split("\t")[3]).strip() if raw.count("\t") >= 3 else ""
    if not printed.isdigit():
        result.skipped.append(Skipped(file, number, "取消 row without a number", raw[:80]))
        return None
    duty = DutyRecord(
        catalog=CATALOG,
        list_type=section.list_type,
        number=printed,
        name=name,
        line=number,
        lines=[number],
        description=content,
        departments=[departments] if departments else [],
        remark=remark,
        source_text=raw,
    )
    result.duties.append(duty)
    return duty
