"""The catalog's metadata as the document prints it: title, document number (〔年〕号),
issuer, date, and the place names in them (for the jurisdiction when --jurisdiction is not
given). Pure functions over the document's text lines; each value keeps its location, and
what is not printed stays empty for the command to ask for.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from .model import TextLine

_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}\s*[〔［\[（(]\s*\d{4}\s*[〕］\]）)]\s*\d{1,4}\s*号")
_DATE = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月(?:\s*(\d{1,2})\s*日)?$")
_TITLE = re.compile(r"^[^。；;，,:：]*(?:通知|意见|清单|办法|决定|方案|目录)》?$")
_ISSUER = re.compile(
    r"^[\u4e00-\u9fff、（）()\s]{2,60}(?:局|厅|委员会|人民政府|政府|办公室|办公厅|委|部|党委|组织部)$"
)


@dataclass
class PrintedMetadata:
    """What the document prints; values empty when not found, with where each was found."""

    title: str = ""
    document_number: str = ""
    issuer: str = ""
    date: str = ""
    found: dict[str, str] = field(default_factory=dict)  # field → location

    def describe(self) -> list[str]:
        names = ("title", "document_number", "issuer", "date")
        return [
            f"{name}: {getattr(self, name)} ({self.found[name]})"
            if name in self.found
            else f"{name}: not printed"
            for name in names
        ]


def printed_date(text: str) -> str:
    """A date line as the template's date, as precise as printed.

    >>> printed_date("2024年5月10日"), printed_date("2024年5月"), printed_date("依据")
    ('2024-05-10', '2024-05', '')
    """
    match = _DATE.match(text.replace(" ", ""))
    if not match:
        return ""
    year, month, day = match.groups()
    if not 1 <= int(month) <= 12 or (day and not 1 <= int(day) <= 31):
        return ""
    return f"{year}-{int(month):02d}" + (f"-{int(day):02d}" if day else "")


def document_number(text: str) -> str:
    """The document number printed in a line, as printed.

    >>> document_number("黔民发〔2024〕3号"), document_number("第三条")
    ('黔民发〔2024〕3号', '')
    """
    match = _NUMBER.search(text)
    return match.group(0).strip() if match else ""


def is_title(text: str) -> bool:
    """A title line: short, ending as titles end (通知, 意见, 清单, …), no sentence inside.

    >>> is_title("关于印发《贵州省城乡社区工作事项清单》的通知")
    True
    """
    return bool(_TITLE.match(text)) and len(text) <= 80


def is_issuer(text: str) -> bool:
    """An issuer's signature line: a body's name alone on its line.

    >>> is_issuer("贵州省民政厅"), is_issuer("协助维护社会治安")
    (True, False)
    """
    return bool(_ISSUER.match(text)) and "事项" not in text and "清单" not in text


def is_metadata(text: str) -> bool:
    """Whether a line is a title, document number, issuer or date line (or 附件N)."""
    stripped = text.strip()
    return (
        is_title(stripped)
        or document_number(stripped) == stripped
        or is_issuer(stripped)
        or bool(printed_date(stripped))
        or bool(re.fullmatch(r"附件\s*\d*[:：]?", stripped))
    )


def read_metadata(
    lines: Sequence[TextLine], heading: Callable[[str], bool] = lambda text: False
) -> PrintedMetadata:
    """The first title, document number, issuer and date lines of the document (a list
    heading such as 依法协助事项清单 is no title)."""
    result = PrintedMetadata()

    def take(name: str, value: str, location: str) -> None:
        if value and name not in result.found:
            setattr(result, name, value)
            result.found[name] = location

    for line in lines:
        text = line.text.strip()
        if is_title(text) and not heading(text):
            take("title", text, line.location)
        take("document_number", document_number(text), line.location)
        if is_issuer(text):
            take("issuer", text, line.location)
        take("date", printed_date(text), line.location)
    return result


def place_in(texts: Iterable[str], names: Iterable[str]) -> str:
    """The longest place name found in the texts (the title first, then the issuer).

    >>> place_in(["关于印发《贵州省城乡社区工作事项清单》的通知"], ["贵州省", "贵阳市"])
    '贵州省'
    """
    candidates = sorted({n for n in names if len(n) >= 2}, key=len, reverse=True)
    for text in texts:
        for name in candidates:
            if name in text:
                return name
    return ""
