"""Tianjin: 津民发〔2019〕35号 (2019-08-06), prose only — no item table.

The opinion names the kinds of work that may not be put on residents' committees in clauses
with 不得 ("不得将居委会作为行政执法、拆迁拆违…等事项的责任主体", "不得要求社区建立专门的活动
场所", …). Each such clause becomes one or more cd:ExcludedDuty items, in order of appearance,
numbered from 1 by cdkg (the source prints no numbers: numberAssigned), each with its sentence
and line as provenance. An enumeration "作为A、B、C等事项的责任主体" gives one item per kind, so
the kinds meet Sichuan's 负面 list (行政执法类, 拆迁拆违类, …) item by item.
"""

from __future__ import annotations

import re
from pathlib import Path

from ..cells import clean, read_lines
from ..records import DutyRecord, ListSection, ListType, ParseResult, Problem

CATALOG = "tianjin"
BODY_TITLE = "关于进一步开展社区减负工作依法厘清居民委员会职责提升为民服务效能的意见"
_ENUMERATION = re.compile(r"作为(?P<kinds>.+?)等事项的责任主体")
# Who may not be asked: stripped from the clause so the label names the work itself.
_ADDRESSEE = re.compile(r"^(?:要求)?(?:将)?(?:针对|对)?(?:社区|居委会|居民委员会)?")
_APPROVAL_MARKS = ("需经市委或市政府批准", "需经区委或区政府批准", "有权予以拒绝")
_SHORT_OBJECT = 4  # "承担", "出具证明": too short alone; the preceding clause says what


def read(path: Path) -> ParseResult:
    """Extract the excluded kinds of work from the Tianjin opinion."""
    lines = read_lines(path)
    file = path.name
    result = ParseResult(file=file)
    body = next((i for i, x in enumerate(lines) if x.strip() == BODY_TITLE), None)
    if body is None:
        result.problems.append(Problem(file, len(lines), f"body title {BODY_TITLE!r} not found"))
        return result
    result.sections.append(ListSection(ListType.EXCLUDED, body + 1))
    for index in range(body + 1, len(lines)):
        for sentence in _sentences(lines[index]):
            if any(mark in sentence for mark in _APPROVAL_MARKS):
                result.catalog_notes.append((index + 1, f"准入 (approval) rule: {sentence}"))
            for clause_index, clause in enumerate(clauses := _clauses(sentence)):
                if "不得" not in clause:
                    continue
                previous = clauses[clause_index - 1] if clause_index else ""
                for label in _excluded_kinds(clause, previous):
                    number = str(len(result.duties) + 1)
                    result.duties.append(
                        DutyRecord(
                            catalog=CATALOG,
                            list_type=ListType.EXCLUDED,
                            number=number,
                            name=label,
                            line=index + 1,
                            lines=[index + 1],
                            description=sentence,
                            source_text=lines[index],
                            number_assigned=True,
                            notes=[
                                "the source prints no item numbers; numbered by cdkg in order of "
                                "appearance from the 不得 clauses of the opinion"
                            ],
                        )
                    )
    return result


def _sentences(line: str) -> list[str]:
    """Sentences of a prose line (split after 。；), trimmed, with the 。 kept."""
    text = line.strip().strip("\u3000")
    return [s.strip() for s in re.findall(r"[^。；]+[。；]?", text) if s.strip()]


def _clauses(sentence: str) -> list[str]:
    """Comma clauses; a clause boundary never falls inside brackets or quotes."""
    parts, depth, current = [], 0, ""
    for char in sentence.rstrip("。；"):
        depth += char in "（“《"
        depth -= char in "）”》"
        if char == "，" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _excluded_kinds(clause: str, previous: str) -> list[str]:
    """The kinds of work one 不得 clause excludes.

    "不得将居委会作为A、B等事项的责任主体" → ["作为A事项的责任主体", "作为B事项的责任主体"];
    "不得要求社区建立专门的活动场所" → ["建立专门的活动场所"]; a clause whose object is too
    short to stand alone ("不得要求社区承担") takes its subject from the preceding clause.
    """
    after = clause.split("不得", 1)[1]
    if match := _ENUMERATION.search(after):
        kinds = [k.strip() for k in match["kinds"].split("、") if k.strip()]
        return [f"作为{kind}事项的责任主体" for kind in kinds]
    work = _ADDRESSEE.sub("", after).strip()
    if len(work) <= _SHORT_OBJECT and previous:
        work = f"{work}：{previous}"
    return [clean(work)]
