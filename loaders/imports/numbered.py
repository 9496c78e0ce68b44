"""Numbered text → duties: the reader shared by .txt/.md notices, PDFs without tables and web
pages without a table.

Items are numbered lines (``1.`` ``1、`` ``（一）`` ``一、`` ``（1）``, **bold** and Markdown
markup ignored). Within one list the deepest numbering style present numbers the items; a
line numbered in a higher style (``（一）社会治安`` above ``1.`` items) is a category heading.
A numbered line whose number is not the next item's is part of the item above (descriptions
often number their own points: ``1.协助开展宣传…`` under item 3). Lines labelled with a
column synonym (``依据：`` ``法律依据：`` ``设定依据：`` ``主管部门：`` ``类别：``
``具体内容：``) fill that field of the item above; other lines continue the field written
last. A list heading
(依法履行…, 依法协助…, 负面/不得…, 取消…, 证明…, 监督…) opens a list, and a count in it
(``（16项）``) is the list's declared count.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..normalise.numerals import chinese_to_int
from .headers import Vocabulary, list_type_of, normalise
from .imported import CatalogBuilder
from .model import TextLine

_CN = "一二三四五六七八九十百零〇"
# (style rank, pattern): lower ranks are higher in the hierarchy.
_STYLES = (
    (0, re.compile(rf"^([{_CN}]+)\s*[、.．]\s*(.*)$")),
    (1, re.compile(rf"^[（(]\s*([{_CN}]+)\s*[）)]\s*[、.．]?\s*(.*)$")),
    (2, re.compile(r"^(\d{1,4})\s*(?:[、．]|\.(?!\d))\s*(.*)$")),
    (3, re.compile(r"^[（(]\s*(\d{1,4})\s*[）)]\s*[、.．]?\s*(.*)$")),
)
_COUNT = re.compile(r"[（(]\s*(?:共|计)?\s*(\d+)\s*(?:项|条|个)\s*[）)]|共\s*(\d+)\s*项")
_MARKUP = re.compile(r"\*\*|__|^#+\s*|^>\s*|^[-*+]\s+(?=\S)")
_LABEL = re.compile(r"^([^\s:：]{1,8})\s*[:：]\s*(.*)$")
_ENUMERATED = re.compile(r"^(?:\d{1,3}\s*[.、．)）]|[（(]\s*[\d一二三四五六七八九十]+\s*[）)])")


@dataclass(frozen=True)
class Numbered:
    style: int
    number: int
    rest: str


def strip_markup(line: str) -> str:
    """A line without Markdown emphasis, heading hashes, quote marks or bullets.

    >>> strip_markup("**一、依法履行职责事项（3项）**"), strip_markup("## 1. 协助")
    ('一、依法履行职责事项（3项）', '1. 协助')
    """
    return _MARKUP.sub("", line).strip()


def numbered(line: str) -> Numbered | None:
    """The numbering of a line: ``3.加强自身建设`` → style 2, number 3, rest 加强自身建设.

    >>> numbered("3.加强自身建设"), numbered("（二）社会治安").number, numbered("1.5万元")
    (Numbered(style=2, number=3, rest='加强自身建设'), 2, None)
    """
    for style, pattern in _STYLES:
        match = pattern.match(line)
        if match and match.group(2).strip():
            digits = match.group(1)
            number = int(digits) if digits.isdigit() else chinese_to_int(digits)
            return Numbered(style, number, match.group(2).strip())
    return None


def split_number(cell: str) -> tuple[int | None, str]:
    """A number printed inside a name cell: ``3.加强自身建设`` → (3, '加强自身建设').

    >>> split_number("3.加强自身建设"), split_number("协助维护社会治安")
    ((3, '加强自身建设'), (None, '协助维护社会治安'))
    """
    found = numbered(cell)
    if found is None or found.style not in (2, 3):
        return None, cell
    return found.number, found.rest


def declared_count(heading: str) -> int | None:
    """The count a heading declares: 依法履行职责事项（16项） → 16.

    >>> declared_count("一、依法履行职责事项（16项）"), declared_count("附件2")
    (16, None)
    """
    match = _COUNT.search(heading)
    if not match:
        return None
    return int(match.group(1) or match.group(2))


def join_wrapped(previous: str, line: str, role: str, soft: bool) -> str:
    """Append a continuation line: typed line breaks are kept; in soft-wrapped text (PDF) a
    break is kept only where a new title (basis) or a new numbered point (description)
    starts, else the wrapped halves are joined.

    >>> join_wrapped("《甲法》第一条", "《乙法》第二条", "basis", True)
    '《甲法》第一条\\n《乙法》第二条'
    >>> join_wrapped("协助开展禁毒防范和社区", "戒毒。", "description", True)
    '协助开展禁毒防范和社区戒毒。'
    """
    if not previous:
        return line
    if not soft:
        return previous + ("" if role == "name" else "\n") + line
    if (role == "basis" and line.startswith("《")) or (
        role == "description" and _ENUMERATED.match(line)
    ):
        return previous + "\n" + line
    return previous + line


def span(first: str, last: str) -> str:
    """Where an item of several lines stands: 'lines 36–42', 'page 2, lines 5–9'.

    >>> span("line 36", "line 42"), span("page 2, line 5", "page 3, line 1"), span("line 4", "")
    ('lines 36–42', 'page 2, line 5 – page 3, line 1', 'line 4')
    """
    if not last or last == first:
        return first
    head, _, start = first.rpartition("line ")
    other, _, end = last.rpartition("line ")
    if head == other and start.isdigit() and end.isdigit():
        return f"{head}lines {start}–{end}"
    return f"{first} – {last}"


def unwrap(text: str, role: str) -> str:
    """A soft-wrapped cell's lines joined as :func:`join_wrapped` does."""
    result = ""
    for line in (part.strip() for part in text.split("\n")):
        if line:
            result = join_wrapped(result, line, role, True)
    return result


@dataclass
class _Item:
    number: int
    location: str
    first: str
    fields: dict[str, str] = field(default_factory=dict)
    last: str = "name"
    end: str = ""


@dataclass
class NumberedReader:
    """Reads text lines into the builder's lists (see the module docstring).

    ``is_metadata`` says whether a line is the document's title, number, issuer or date: such
    a line ends the item above and is not reported as unplaced."""

    vocabulary: Vocabulary
    builder: CatalogBuilder
    is_metadata: Callable[[str], bool]
    soft: bool = False
    category: str = ""
    item: _Item | None = None
    item_style: int | None = None

    def read(self, lines: Sequence[TextLine]) -> None:
        sections = self._item_styles(lines)
        for index, line in enumerate(lines):
            self.item_style = sections[index]
            self._line(line)
        self._finish()

    def _item_styles(self, lines: Sequence[TextLine]) -> list[int | None]:
        """For each line, the numbering style of the items of its list (the deepest)."""
        styles: list[int | None] = []
        start = 0
        deepest: int | None = None
        for index, line in enumerate([*lines, None]):
            text = strip_markup(line.text) if line else ""
            if line is None or list_type_of(text, self.vocabulary) is not None:
                styles.extend([deepest] * (index - start))
                start, deepest = index, None
                continue
            found = numbered(text)
            if found and not _LABEL.match(text):
                deepest = found.style if deepest is None else max(deepest, found.style)
        return styles[: len(lines)]

    def _line(self, line: TextLine) -> None:
        text = strip_markup(line.text)
        if not text:
            return
        list_type = list_type_of(text, self.vocabulary)
        if list_type is not None:
            self._finish()
            self.category = ""
            self.builder.open_list(list_type, text, line.location, declared_count(text))
            return
        labelled = self._labelled(text)
        if labelled is not None:
            role, value = labelled
            if self.item is None:
                self.builder.unplaced(line.location, text, f"a {role} line outside any item")
            else:
                previous = self.item.fields.get(role, "")
                self.item.fields[role] = join_wrapped(previous, value, role, self.soft)
                self.item.last = role
                self.item.end = line.location
            return
        found = numbered(text)
        if found is not None and self._starts_item(found):
            self._finish()
            self.item = _Item(found.number, line.location, text, {"name": ""})
            self._set_name(found.rest, line.location)
            return
        if found is not None and self.item_style is not None and found.style < self.item_style:
            self._finish()
            self.category = found.rest
            self.builder.inference.notes.append(f"{line.location}: category heading '{text}'")
            return
        if self.is_metadata(text):
            self._finish()
            return
        if self.item is not None:
            role = self.item.last
            self.item.fields[role] = join_wrapped(
                self.item.fields.get(role, ""), text, role, self.soft
            )
            self.item.end = line.location
            return
        reason = (
            "not in a list (before the first list heading)"
            if not self.builder.lists
            else ("text between items, not numbered")
        )
        self.builder.unplaced(line.location, text, reason)

    def _starts_item(self, found: Numbered) -> bool:
        if found.style != self.item_style:
            return False
        # The item being read is not in the builder yet.
        expected = self.builder.next_number() + (1 if self.item is not None else 0)
        return found.number == expected

    def _labelled(self, text: str) -> tuple[str, str] | None:
        """(role, value) of a line like ``法律依据：《…》``; only a whole synonym labels."""
        match = _LABEL.match(text)
        if not match:
            return None
        label = normalise(match.group(1))
        synonym = next((s for s in self.vocabulary.columns if s.text == label), None)
        if synonym is None:
            return None
        role = synonym.otherwise or synonym.role if synonym.role == "name" else synonym.role
        return (role, match.group(2).strip()) if role != "number" else None

    def _set_name(self, rest: str, location: str) -> None:
        """The name, with a basis printed on the same line split off (…。依据：《…》)."""
        assert self.item is not None
        for synonym in sorted(
            (s for s in self.vocabulary.columns if s.role == "basis"), key=lambda s: -len(s.text)
        ):
            marker = re.search(rf"{re.escape(synonym.text)}\s*[:：]", rest)
            if marker:
                self.item.fields["basis"] = rest[marker.end() :].strip()
                rest = rest[: marker.start()].strip()
                break
        self.item.fields["name"] = rest
        self.item.end = location

    def _finish(self) -> None:
        item = self.item
        if item is None:
            return
        self.item = None
        fields = item.fields
        remark = fields.get("remark", "")
        description = fields.get("description", "")
        if remark:
            description = join_wrapped(description, f"备注：{remark}", "description", False)
        location = span(item.location, item.end)
        self.builder.add(
            item.number,
            fields.get("name", ""),
            location,
            category=fields.get("category", "") or self.category,
            description=description,
            departments=fields.get("departments", ""),
            basis=fields.get("basis", ""),
        )
