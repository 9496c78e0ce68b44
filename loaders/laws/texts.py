"""A folder of national law texts in the public mirror's layout → editions and their articles.

The national law and regulation database is mirrored as one Markdown file per edition
(github:LawRefBook/Laws): ``<category>/<short title>(<YYYY-MM-DD>).md``, a header with the title
and the adoption and amendment history, ``<!-- INFO END -->``, then 编/章/节 headings and
第…条 articles whose paragraphs (款) are separate lines and whose items (项) are lines opening
with （一）, （二）…. cdkg never ships these texts: its user points a build at a clone of the
mirror (or any folder in its layout), and this module reads it.

Reading is in two steps so that a build over the whole mirror stays fast: :func:`scan_folder`
lists the files by name only, :func:`match_files` pairs each with its register document and
edition (by the title's normalised key through :class:`~cdkg.loaders.laws.register.LawRegister`, and
by date through the document's editions in law-editions.csv), and only the files of documents a
catalog cites are parsed (:func:`read_law_text`, over the pure :func:`parse_law_text`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..normalise.citations import CitationRef
from ..normalise.numerals import chinese_to_int
from .register import LawEntry, LawRegister

__all__ = [
    "INFO_END",
    "Article",
    "HistoryEntry",
    "LawText",
    "LawTextError",
    "Matched",
    "Paragraph",
    "TextFile",
    "TextIndex",
    "match_files",
    "parse_law_text",
    "read_law_text",
    "scan_folder",
]

INFO_END = "<!-- INFO END -->"
_FILE_NAME = re.compile(r"^(?P<title>.+?)(?:\((?P<date>\d{4}-\d{2}-\d{2})\))?\.md$")
_NUMERAL = "零〇一二三四五六七八九十百千两0-9"
_ARTICLE = re.compile(
    rf"^第(?P<number>[{_NUMERAL}]+)条(?:之(?P<sub>[一二三四五六七八九十]+))?"
    r"(?:[\s\u3000]+(?P<text>.*))?$"
)
_ITEM = re.compile(rf"^[（(](?P<number>[{_NUMERAL}]+)[）)]")
_HEADING = re.compile(r"^#{2,6}\s*(?P<text>.+?)\s*$")
_DIVISION = re.compile(rf"^第[{_NUMERAL}]+(?P<kind>[编分章节])")
_HISTORY_DATE = re.compile(r"(?P<year>\d{4})年(?P<month>\d{1,2})月(?P<day>\d{1,2})日")


class LawTextError(ValueError):
    """A file that is not in the mirror's layout; the message starts with ``file:line:``."""


@dataclass(frozen=True)
class Paragraph:
    """One 款 of an article: its text and the 项 listed under it (each with its （n） label)."""

    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One 条: its number (``sub`` 1 for 第…条之一, 0 for a plain article), the 编/章 and 节 it
    stands under, its paragraphs and the line of the file it starts on."""

    number: int
    chapter: str
    section: str
    paragraphs: tuple[Paragraph, ...]
    line: int
    sub: int = 0

    @property
    def text(self) -> str:
        """The whole article, paragraphs and items one per line, without its number."""
        return "\n".join(
            "\n".join((p.text, *p.items)) if p.text else "\n".join(p.items) for p in self.paragraphs
        )

    @property
    def label(self) -> str:
        """第75条, 第120条之一 (Arabic numbers, as cdkg labels provisions)."""
        sub = f"之{'一二三四五六七八九十'[self.sub - 1]}" if self.sub else ""
        return f"第{self.number}条{sub}"

    def items_of(self, paragraph: int | None) -> tuple[str, ...]:
        """The items of paragraph ``paragraph`` (1-based); with None, of the first paragraph
        that lists any (a citation of 第…条第三项 names no paragraph)."""
        if paragraph is not None:
            return self.paragraphs[paragraph - 1].items if paragraph <= len(self.paragraphs) else ()
        return next((p.items for p in self.paragraphs if p.items), ())

    def provision_text(self, paragraph: int | None, item: int | None) -> str | None:
        """The text a citation of this article names: the article, one paragraph, or one item;
        None when the paragraph or item is beyond what the article has.

        >>> a = Article(3, "", "", (Paragraph("甲。"), Paragraph("乙：", ("（一）丙；",))), 1)
        >>> a.provision_text(2, None), a.provision_text(None, 1), a.provision_text(3, None)
        ('乙：\\n（一）丙；', '（一）丙；', None)
        """
        if paragraph is not None and paragraph > len(self.paragraphs):
            return None
        if item is not None:
            items = self.items_of(paragraph)
            return items[item - 1] if item <= len(items) else None
        if paragraph is not None:
            chosen = self.paragraphs[paragraph - 1]
            return "\n".join((chosen.text, *chosen.items)) if chosen.items else chosen.text
        return self.text


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the header's history: its date and what happened (通过, 修正 …)."""

    date: str
    text: str


@dataclass(frozen=True)
class LawText:
    """One file: the title (the header's first line), the short title and edition date from
    the file name (the latest history date when the name carries none), the history and the
    articles in file order."""

    file: str
    title: str
    short_title: str
    edition: str
    history: tuple[HistoryEntry, ...]
    articles: tuple[Article, ...]
    _index: dict[tuple[int, int], Article] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for article in self.articles:
            self._index.setdefault((article.number, article.sub), article)

    def article(self, number: int, sub: int = 0) -> Article | None:
        return self._index.get((number, sub))

    @property
    def last_article(self) -> int:
        """The highest article number (0 when the text has no articles)."""
        return max((a.number for a in self.articles), default=0)


def _history(lines: list[str], file: str) -> tuple[str, tuple[HistoryEntry, ...]]:
    title = ""
    history = []
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if text.startswith("# ") and not title:
            title = text[2:].strip()
            continue
        found = _HISTORY_DATE.search(text)
        if found:
            date = f"{found['year']}-{int(found['month']):02d}-{int(found['day']):02d}"
            history.append(HistoryEntry(date, text))
    if not title:
        raise LawTextError(f"{file}:1: no '# title' line before {INFO_END}")
    return title, tuple(history)


def _number(text: str, file: str, line: int) -> int:
    try:
        return chinese_to_int(text)
    except ValueError as error:
        raise LawTextError(f"{file}:{line}: {error}") from None


def parse_law_text(text: str, file: str, edition: str | None = None) -> LawText:
    """Parse one file's content. ``file`` is its path inside the folder (for messages and the
    short title); ``edition`` its date when the file name gives none (else read from the name,
    then the latest history date).

    Raises:
        LawTextError: ``file:line:`` when the header has no ``# title`` or no INFO END marker,
            or an article number is not a numeral.

    >>> law = parse_law_text(
    ...     "# 示例法\\n\\n2020年1月2日通过\\n\\n<!-- INFO END -->\\n\\n## 第一章 总则\\n\\n"
    ...     "第一条 为了示例，制定本法。\\n\\n第二条 下列事项：\\n\\n（一）甲；\\n\\n"
    ...     "（二）乙。\\n\\n前款规定的除外。\\n", "其他/示例法(2020-01-02).md")
    >>> law.short_title, law.edition, [a.number for a in law.articles], law.history[0].date
    ('示例法', '2020-01-02', [1, 2], '2020-01-02')
    >>> [(p.text, p.items) for p in law.article(2).paragraphs]
    [('下列事项：', ('（一）甲；', '（二）乙。')), ('前款规定的除外。', ())]
    """
    lines = text.splitlines()
    try:
        end = next(i for i, line in enumerate(lines) if line.strip() == INFO_END)
    except StopIteration:
        raise LawTextError(f"{file}:1: no {INFO_END} line after the header") from None
    title, history = _history(lines[:end], file)
    name = _FILE_NAME.match(Path(file).name)
    short_title = name["title"] if name else Path(file).stem
    date = (name["date"] if name else None) or edition
    if date is None:
        date = max((h.date for h in history), default="")
    articles: list[Article] = []
    chapter = section = ""
    current: tuple[int, int, int] | None = None  # number, sub, line
    paragraphs: list[Paragraph] = []

    def close() -> None:
        if current is not None:
            number, sub, start = current
            articles.append(Article(number, chapter, section, tuple(paragraphs), start, sub))

    for offset, raw in enumerate(lines[end + 1 :], start=end + 2):
        line = raw.strip()
        if not line:
            continue
        heading = _HEADING.match(line)
        if heading:
            close()
            current, paragraphs = None, []
            division = _DIVISION.match(heading["text"])
            if division and division["kind"] == "节":
                section = heading["text"]
            else:
                chapter, section = heading["text"], ""
            continue
        article = _ARTICLE.match(line)
        if article:
            close()
            number = _number(article["number"], file, offset)
            sub = _number(article["sub"], file, offset) if article["sub"] else 0
            current = (number, sub, offset)
            paragraphs = [Paragraph(article["text"].strip())] if article["text"] else []
            continue
        if current is None:
            continue  # a preamble (序言) or text outside any article
        if _ITEM.match(line):
            last = paragraphs.pop() if paragraphs else Paragraph("")
            paragraphs.append(Paragraph(last.text, (*last.items, line)))
        else:
            paragraphs.append(Paragraph(line))
    close()
    return LawText(file, title, short_title, date, history, tuple(articles))


def read_law_text(folder: Path, file: str, edition: str | None = None) -> LawText:
    """Read ``folder/file`` (UTF-8) with :func:`parse_law_text`."""
    path = folder / file
    try:
        content = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise LawTextError(f"{file}:1: not UTF-8 ({error.reason})") from None
    return parse_law_text(content, file, edition)


@dataclass(frozen=True)
class TextFile:
    """A file of the folder, known by its name only: path inside the folder, short title and
    the edition date its name gives (None for a name without one, e.g. 刑法/刑法.md)."""

    file: str
    short_title: str
    edition: str | None


def scan_folder(folder: Path) -> list[TextFile]:
    """The ``<category>/<title>[(<date>)].md`` files of ``folder``, sorted by path; no file is
    opened (the mirror has thousands).

    Raises:
        NotADirectoryError: when ``folder`` is not a folder.
    """
    if not folder.is_dir():
        raise NotADirectoryError(f"law texts folder {folder} is not a folder")
    files = []
    for path in sorted(folder.glob("*/*.md")):
        name = _FILE_NAME.match(path.name)
        if name is None:
            continue
        files.append(TextFile(f"{path.parent.name}/{path.name}", name["title"], name["date"]))
    return files


@dataclass(frozen=True)
class Matched:
    """A file paired with its register document (and the edition its name dates, if any)."""

    text_file: TextFile
    entry: LawEntry
    edition: str | None


@dataclass
class TextIndex:
    """The folder's files by register document id, and the files that matched nothing."""

    folder: Path
    by_document: dict[str, list[Matched]] = field(default_factory=dict)
    unmatched: list[TextFile] = field(default_factory=list)
    unlisted_editions: list[Matched] = field(default_factory=list)

    def files_of(self, law_id: str) -> list[Matched]:
        return self.by_document.get(law_id, [])


def match_files(folder: Path, files: Iterable[TextFile], register: LawRegister) -> TextIndex:
    """Pair each file with a register document by its short title (the register's normalised
    title key: full title, short title, title without 中华人民共和国) and with that document's
    edition of the same date. A file whose title no document has is ``unmatched``; one whose
    date is not among its document's editions is kept (its text is still that document's)
    and listed in ``unlisted_editions``."""
    index = TextIndex(folder)
    for text_file in files:
        citation = CitationRef(text_file.short_title, text_file.short_title, None, None, ())
        resolution = register.resolve(citation)
        if resolution is None:
            index.unmatched.append(text_file)
            continue
        entry = resolution.entry
        dates = {e.date for e in entry.editions}
        listed = text_file.edition is None or text_file.edition in dates
        matched = Matched(text_file, entry, text_file.edition)
        index.by_document.setdefault(entry.id, []).append(matched)
        if not listed:
            index.unlisted_editions.append(matched)
    return index
