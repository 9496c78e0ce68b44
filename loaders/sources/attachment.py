"""A printed list of a notice: the 附件 a seed catalog prints each of its lists as.

Changzhi and Sichuan both print their lists as numbered attachments, each with a title and a
table header; one record describes them for both parsers.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..records import ListType


@dataclass(frozen=True)
class Attachment:
    """One printed list: its attachment number, list type, title and table header.

    >>> a = Attachment(2, ListType.ASSISTANCE, "协助事项", ("分类", "序号", "事项", "依据"))
    >>> a.label, a.number_col, a.category_col, a.has_basis
    ('附件2', 1, 0, True)
    """

    number: int
    list_type: ListType
    title: str
    header: tuple[str, ...]

    @property
    def label(self) -> str:
        return f"附件{self.number}"

    @property
    def number_col(self) -> int:
        return self.header.index("序号")

    @property
    def category_col(self) -> int | None:
        return self.header.index("分类") if "分类" in self.header else None

    @property
    def has_basis(self) -> bool:
        return "依据" in self.header
