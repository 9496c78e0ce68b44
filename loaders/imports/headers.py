"""Which column of a published table is which, and which heading opens which list: the
synonyms of data/registers/import-headers.csv (reviewed, one note per row), applied to a
header row and checked against the columns' content.

A header cell names a column's role when it equals a synonym, or contains one (the longest
wins: 事项类别 is a category, not a name); only a whole cell 事项 is a name. A synonym with an
``otherwise`` role takes that role when another column already holds its own (具体内容 beside
事项名称 is the description). A column no synonym names gets a role from its content when the
content is unmistakable (item numbers, 《titles》, department names) and the role is free, so
a header printed as 内容 or left blank still maps; the mapper reports which were inferred so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..records import ListType
from ..registers import read_rows

ROLES = ("number", "name", "category", "description", "departments", "basis", "remark")
_STRIP = re.compile(r"[\s\u3000*＊:：()（）\[\]【】]+")
_NUMBER = re.compile(r"^\d{1,4}[.、．]?$")
_TITLE = re.compile(r"《[^》]+》")
_DEPARTMENT = re.compile(
    r"(?:局|部门|部|委|委员会|办|办公室|厅|院|所|站|队|中心|政府|街道|分局|单位|组织|团委|妇联|工会)$"
)
_WHOLE_CELL_ONLY = "事项"  # in nearly every header cell: a name only when it stands alone
_CONTENT_SHARE = 0.6  # the share of a column's non-empty cells that must look like the role


@dataclass(frozen=True)
class Synonym:
    role: str
    text: str
    otherwise: str
    line: int


@dataclass(frozen=True)
class Vocabulary:
    """The reviewed column synonyms and list-heading keywords."""

    columns: tuple[Synonym, ...]
    lists: tuple[tuple[str, ListType], ...]
    file: str = ""

    def known(self) -> str:
        """The synonyms by role, for the message refusing an unrecognised header."""
        parts = []
        for role in ROLES:
            words = "/".join(s.text for s in self.columns if s.role == role)
            parts.append(f"{role}: {words}")
        return "; ".join(parts)


def load_vocabulary(path: Path) -> Vocabulary:
    """Read data/registers/import-headers.csv (kind, value, synonym, otherwise, note)."""
    columns: list[Synonym] = []
    lists: list[tuple[str, ListType]] = []
    for line, row in read_rows(path, ("kind", "value", "synonym", "otherwise", "note")):
        kind, value, synonym = row["kind"], row["value"], normalise(row["synonym"])
        if (
            kind == "column"
            and value in ROLES
            and (not row["otherwise"] or row["otherwise"] in ROLES)
        ):
            columns.append(Synonym(value, synonym, row["otherwise"], line))
        elif kind == "list" and value in {t.value for t in ListType}:
            lists.append((synonym, ListType(value)))
        else:
            raise ValueError(
                f"{path}:{line}: kind must be column (value one of {', '.join(ROLES)}) or "
                f"list (value a list type), got {kind},{value}"
            )
    return Vocabulary(tuple(columns), tuple(lists), str(path))


def normalise(text: str) -> str:
    """A header cell without spaces, line breaks, colons, brackets or bold markers.

    >>> normalise(" 法律\\n依据：")
    '法律依据'
    """
    return _STRIP.sub("", text)


def _role_of(cell: str, vocabulary: Vocabulary) -> Synonym | None:
    text = normalise(cell)
    if not text:
        return None
    exact = [s for s in vocabulary.columns if s.text == text]
    if exact:
        return exact[0]
    contained = [s for s in vocabulary.columns if s.text != _WHOLE_CELL_ONLY and s.text in text]
    return max(contained, key=lambda s: len(s.text)) if contained else None


@dataclass
class ColumnMap:
    """Column index → role, and how each was decided (for the import's report)."""

    roles: dict[int, str] = field(default_factory=dict)
    how: dict[int, str] = field(default_factory=dict)
    header: tuple[str, ...] = ()

    def column(self, role: str) -> int | None:
        return next((i for i, r in self.roles.items() if r == role), None)

    def describe(self) -> list[str]:
        """One line per column: '事项名称' → name (header synonym)."""
        lines = []
        for index, cell in enumerate(self.header):
            shown = cell.replace("\n", " ") or f"(column {index + 1}, no header)"
            role = self.roles.get(index)
            if role:
                lines.append(f"'{shown}' → {role} ({self.how[index]})")
            elif cell:
                lines.append(f"'{shown}' → not imported (no synonym, content not recognised)")
        return lines


def map_header(cells: Sequence[str], vocabulary: Vocabulary) -> ColumnMap | None:
    """The roles a row names if it is a header: a name column and one other role at least.

    >>> from pathlib import Path
    >>> v = load_vocabulary(Path("data/registers/import-headers.csv"))
    >>> mapping = map_header(["序号", "事项名称", "具体内容", "法律依据"], v)
    >>> [mapping.roles[i] for i in range(4)]
    ['number', 'name', 'description', 'basis']
    >>> map_header(["1", "协助维护社会治安", "公安局"], v) is None
    True
    """
    mapping = ColumnMap(header=tuple(cells))
    found = [(i, _role_of(cell, vocabulary)) for i, cell in enumerate(cells)]
    # Synonyms with an 'otherwise' role go last: 具体内容 is the name only if nothing else is.
    for index, synonym in sorted(found, key=lambda f: bool(f[1] and f[1].otherwise)):
        if synonym is None:
            continue
        role = synonym.role
        if role in mapping.roles.values():
            if not synonym.otherwise or synonym.otherwise in mapping.roles.values():
                continue
            role = synonym.otherwise
        mapping.roles[index] = role
        mapping.how[index] = "header synonym"
    if "name" not in mapping.roles.values() or len(mapping.roles) < 2:
        return None
    return mapping


def complete_by_content(mapping: ColumnMap, rows: Sequence[Sequence[str]]) -> None:
    """Give a role to columns the header left unnamed when their content is unmistakable and
    the role is still free; a header 'number' column that holds no numbers loses the role
    (then the number is read from the name cell)."""
    width = max((len(row) for row in rows), default=0)
    for index in range(width):
        values = [row[index].strip() for row in rows if index < len(row) and row[index].strip()]
        if not values:
            continue
        share = {
            "number": sum(bool(_NUMBER.match(v)) for v in values) / len(values),
            "basis": sum(bool(_TITLE.search(v)) for v in values) / len(values),
            "departments": sum(
                all(_DEPARTMENT.search(part) for part in re.split(r"[、；;，,\s]+", v) if part)
                for v in values
            )
            / len(values),
        }
        if mapping.roles.get(index) == "number" and share["number"] < _CONTENT_SHARE:
            del mapping.roles[index]
            mapping.how[index] = "content: not numbers"
            continue
        if index in mapping.roles:
            continue
        for role in ("number", "basis", "departments"):
            if share[role] >= _CONTENT_SHARE and role not in mapping.roles.values():
                mapping.roles[index] = role
                mapping.how[index] = f"content: {share[role]:.0%} of cells look like {role}"
                break


def list_type_of(heading: str, vocabulary: Vocabulary) -> ListType | None:
    """The list a heading opens (依法协助政府工作事项（23项） → assistance), else None.

    A heading is short, no sentence (no 。；：) and names a list (事项, 清单, 项, 目录 or
    工作); the first keyword of the vocabulary found in it decides.

    >>> v = load_vocabulary(Path("data/registers/import-headers.csv"))
    >>> list_type_of("**二、依法协助政府工作事项（23项）**", v).code
    'assistance'
    >>> list_type_of("说明：以下事项由社区协助办理。", v) is None
    True
    """
    if re.search(r"[。；;：:]", heading):  # a sentence or a labelled line, not a heading
        return None
    text = normalise(heading)
    if len(text) > 40 or text.startswith("关于") or not re.search(r"事项|清单|项|目录|工作", text):
        return None
    for keyword, list_type in vocabulary.lists:
        if keyword in text:
            return list_type
    return None
