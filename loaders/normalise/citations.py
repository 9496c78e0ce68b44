"""The one citation parser every loader uses for its 依据 / 设定依据 cells.

Catalog cells cite legal documents in many hands: 《社会救助暂行办法》第四条, numbered lists
("1、《…》第三条 2、中共中央办公厅、国务院办公厅《…》（中办发〔2010〕27号）"), issuers in front
of or inside the brackets, edition notes in parentheses, OCR spaces inside titles and numbers,
bare document numbers, and HTML tags left over from a PDF. Parsing them in one pure module means
every catalog links to the same document nodes and a misread is fixed once.

The parser is deliberately literal: it reports what the cell says (title as printed, document
number, issuer, articles) and leaves the question "which real document is this?" to the reviewed
law register (:mod:`cdkg.loaders.laws.register`), keyed by :func:`normalise_title`. Provision
numbers it cannot read are kept in ``CitationRef.unparsed`` so a build report can show them.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .numerals import chinese_to_int

__all__ = [
    "CitationRef",
    "ProvisionRef",
    "normalise_document_number",
    "normalise_title",
    "parse_citations",
]


@dataclass(frozen=True)
class ProvisionRef:
    """An article (条), optionally one paragraph (款) and one item (项) of it."""

    article: int
    paragraph: int | None = None
    item: int | None = None

    @property
    def printed(self) -> str:
        """The provision as Chinese legal texts print it (labels, the law-text readings).

        >>> ProvisionRef(3, 4, 2).printed, ProvisionRef(12, item=1).printed
        ('第3条第4款第2项', '第12条第1项')
        """
        text = f"第{self.article}条"
        if self.paragraph is not None:
            text += f"第{self.paragraph}款"
        if self.item is not None:
            text += f"第{self.item}项"
        return text

    @property
    def path(self) -> tuple[str, ...]:
        """The provision's parts as they stand in IRIs: a provision's ``/``-separated path,
        a reading's ``-``-joined key.

        >>> ProvisionRef(3, 4, 2).path, ProvisionRef(12).path
        (('art-3', 'para-4', 'item-2'), ('art-12',))
        """
        parts = [f"art-{self.article}"]
        if self.paragraph is not None:
            parts.append(f"para-{self.paragraph}")
        if self.item is not None:
            parts.append(f"item-{self.item}")
        return tuple(parts)


@dataclass(frozen=True)
class CitationRef:
    """One cited document as printed in a cell.

    ``text`` is the verbatim slice of the cell this citation was read from; ``title`` has its
    outer 《》 removed, inner 〈〉/<>/《》 written as 〈〉 and OCR spaces between CJK characters
    removed; ``document_number`` uses 〔〕 for the year; ``issuer`` is the issuing body printed
    outside the title (or as ``《发文机关〈标题〉》``), parts joined with 、.
    ``unparsed`` lists provision tokens whose numbers could not be read (e.g. 第三 四十二条).
    """

    text: str
    title: str | None
    document_number: str | None
    issuer: str | None
    provisions: tuple[ProvisionRef, ...]
    unparsed: tuple[str, ...] = ()


# --- normalisation ------------------------------------------------------------------------

_WS_NEAR_WIDE = re.compile(r"\s+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])\s+")


def _squeeze(text: str) -> str:
    """Drop whitespace touching a non-ASCII character (OCR/PDF spaces inside Chinese)."""
    return _WS_NEAR_WIDE.sub("", text.strip())


_PAREN_TITLE = re.compile(r"[（(]([^（）()]{2,40}?(?:法|条例))[）)]")


def _inner_brackets(text: str) -> str:
    """Inner titles written 〈〉, whatever bracket the copy used — also （…法）/(…条例), a law's
    title wrapped in parentheses by mistake (a note such as （试行） is left alone)."""
    text = _PAREN_TITLE.sub(r"〈\1〉", text)
    return re.sub(r"[《<＜〈]", "〈", re.sub(r"[》>＞〉]", "〉", text))


_KEY_DROPPED = re.compile(r"\s+|[《》〈〉<>＜＞]")


def normalise_title(title: str) -> str:
    """The lookup key of a title: what every damaged copy of one title has in common.

    NFKC (full-width parentheses and digits become ASCII), then every whitespace, every title
    bracket (《》〈〉<>, balanced or not) and every 中华人民共和国 removed: copies differ in exactly
    these (wrap spaces, nested 《 where 〈 was meant, an unclosed 〈, the state name printed or
    not), never in the words that tell two documents apart. Only a key: never shown.

    >>> normalise_title("《自治区党委办公厅 人民政府办公厅印发 <关于全面推行林长制的实施意见>》")
    '自治区党委办公厅人民政府办公厅印发关于全面推行林长制的实施意见'
    >>> normalise_title("某省实施《中华人民共和国城市居民委员会组织法〉 办法") == normalise_title(
    ...     "某省实施〈城市居民委员会组织法〉办法")
    True
    """
    text = _PAREN_TITLE.sub(r"\1", unicodedata.normalize("NFKC", title))
    kept = _KEY_DROPPED.sub("", text)
    return kept.replace("中华人民共和国", "") or kept


_YEAR_BRACKETS = re.compile(r"[〔［\[【（(]\s*((?:19|20)\d{2})\s*[〕］\]】）)]")


def normalise_document_number(number: str) -> str:
    """Canonical form of a document number: 国发〔2016〕36号, 国务院令第649号.

    Year brackets become 〔〕, spaces go, full-width digits become ASCII, the
    中华人民共和国 prefix of an order number is dropped and its missing 第 restored.
    """
    text = re.sub(r"\s+", "", number)
    text = "".join(unicodedata.normalize("NFKC", c) if c.isdecimal() else c for c in text)
    text = _YEAR_BRACKETS.sub(r"〔\1〕", text)
    text = re.sub(r"^中华人民共和国", "", text)
    return re.sub(r"令(\d)", r"令第\1", text)


# --- low-level scanners -------------------------------------------------------------------

_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_CJK = r"\u4e00-\u9fff"
_DOC_NUMBER = re.compile(
    rf"(?P<prefix>[{_CJK}]{{1,8}})\s*[〔［\[【（(]\s*(?:19|20)\d{{2}}\s*[〕］\]】）)]\s*\d{{1,4}}\s*号"
    rf"|(?:中华人民共和国)?[{_CJK}]{{0,12}}?令\s*第?\s*\d{{1,4}}\s*号"
)
_PREFIX_CUT = re.compile(r"^.*[的为是见知]")
_NUMERAL = "零〇一二两三四五六七八九十百千0-9０-９"
_PROVISION = re.compile(rf"(第)?\s*([{_NUMERAL}](?:[{_NUMERAL}\s]*[{_NUMERAL}])?)\s*([条款项])")
_LIST_GLUE = re.compile(r"[、，,和及与\s]*")
_SPACES = re.compile(r"\s*")
_OPEN, _CLOSE = "（(［[", "）)］]"
_WRAPPER_TAIL = re.compile(r"\s*的\s*(?:通\s*知|决\s*定|批\s*复|函)")
_SEPARATORS = re.compile(r"[；;。，,\n]|(?:^|(?<=[\s；;。，,]))\d{1,2}\s*[、.．](?!\d)")
_ISSUER_PART = re.compile(
    rf"^[{_CJK}]{{2,24}}?(?:中共中央|国务院|中央|办公厅|办公室|委员会|委|政府|部|局|厅|办|小组|院|会|署)$"
)
_ISSUER_TAIL = re.compile(r"(?:关于)?(?:印发|转发)$|令$")
_TITLE_WORD = r"(?:法|条例|办法|规定|细则|意见|通知|决定|决议|纲要|方案|章程|规则|准则|规程)"
_TITLE_CHARS = rf"[{_CJK}〈〉<>《》（）()“”\"\s]"
_BARE_TITLE_BEFORE_ARTICLE = re.compile(rf"({_TITLE_CHARS}{{2,60}}?{_TITLE_WORD})\s*(?=第)")
_BARE_TITLE_WHOLE = re.compile(rf"{_TITLE_CHARS}{{2,60}}{_TITLE_WORD}")
_EDITION_NOTE = re.compile(r"\d{4}\s*年|修订|修正|通过|公布|施行|会议")
_PROVINCES = (
    "北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|"
    "广东|海南|四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门"
)
_BARE_TITLE_START = re.compile(
    rf"^(?:中华人民共和国|中国共产党|中共|国务院|全国|关于|自治区|(?:{_PROVINCES}))"
)
_INSIDE_ISSUER = re.compile(r"^(?P<issuer>[^〈]+?)〈(?P<title>[^〈〉]+)〉$")


def _mask_tags(cell: str) -> str:
    """Blank out HTML tags without moving any character, so offsets still index the cell."""
    return _TAG.sub(lambda m: " " * len(m.group()), cell)


_OPENERS, _CLOSERS = "《〈<＜", "》〉>＞"
_UNCLOSED_END = re.compile(
    rf"[；;。\n]|第\s*[{_NUMERAL}][{_NUMERAL}\s]*[条款项]|[（(]\s*(?:19|20)\d{{2}}\s*年|{_DOC_NUMBER.pattern}"
)


def _title_spans(s: str) -> list[tuple[int, int]]:
    """(start, end) of each outermost title: 《…》 read as a person reads it.

    A title opens with 《 (or 〈/< when nothing is open); any opener inside nests and any
    closer (》〉>) closes the innermost opener, whatever its shape, so 《某省实施《…法〉办法》
    is one title. A ）/) with no ( of its own inside the title closes it (《…办法）). A title
    that never closes ends where its articles (第…条), its document number, its edition note
    or the next separator begins, so a missing closer swallows nothing.
    """
    spans: list[tuple[int, int]] = []
    depth, parens, start = 0, 0, 0
    for i, ch in enumerate(s):
        if depth == 0:
            if ch in _OPENERS and (ch == "《" or _closes_later(s, i)):
                depth, parens, start = 1, 0, i
            continue
        if ch in _OPENERS:
            depth += 1
        elif ch in _CLOSERS:
            depth -= 1
        elif ch in "（(":
            parens += 1
        elif ch in "）)":
            if parens:
                parens -= 1
            else:
                depth = 0
        else:
            continue
        if depth == 0:
            spans.append((start, i + 1))
    if depth:
        stop = _UNCLOSED_END.search(s, start + 1)
        spans.append((start, stop.start() if stop else len(s)))
    return [_implementing_span(s, a, b) for a, b in spans]


def _closes_later(s: str, i: int) -> bool:
    """A top-level 〈 or < opens a title only when a closer follows on the same line."""
    line_end = s.find("\n", i)
    return any(c in s[i + 1 : line_end if line_end >= 0 else len(s)] for c in _CLOSERS)


_IMPLEMENTING_BEFORE = re.compile(rf"[{_CJK}]{{2,12}}?(?:省|市|自治区|州|县|区|盟|旗)(?:实施)?\s*$")
_IMPLEMENTING_AFTER = re.compile(r"\s*(?:实施)?(?:办法|条例|细则|规定|若干规定)")


def _implementing_span(s: str, start: int, end: int) -> tuple[int, int]:
    """Widen 某省实施《…法》办法 (outer brackets missing) to the whole title, so the bracketed
    law is read as part of the place's implementing regulation, not cited on its own."""
    if s[start] != "《" or s[end - 1 : end] not in _CLOSERS:
        return start, end
    before = _IMPLEMENTING_BEFORE.search(s, max(0, start - 14), start)
    after = _IMPLEMENTING_AFTER.match(s, end)
    if not before or not after:
        return start, end
    if "实施" not in before.group() and "实施" not in after.group():
        return start, end
    return before.start(), after.end()


def _doc_number_at(match: re.Match[str]) -> tuple[int, str]:
    """Start and normalised text of a document-number match, trimming prose glued in front."""
    start, text = match.start(), match.group()
    prefix = match.group("prefix")
    if prefix:
        cut = _PREFIX_CUT.match(prefix)
        if cut:
            start += cut.end()
            text = text[cut.end() :]
    return start, normalise_document_number(text)


def _matching_close(s: str, i: int) -> int:
    """Index just past the bracket closing the one at ``i`` (or -1 when it never closes)."""
    depth = 0
    for j in range(i, len(s)):
        if s[j] in _OPEN:
            depth += 1
        elif s[j] in _CLOSE:
            depth -= 1
            if depth == 0:
                return j + 1
    return -1


# --- provisions ---------------------------------------------------------------------------


def _skip(pattern: re.Pattern[str], s: str, pos: int, limit: int) -> int:
    """Index after an optional run of ``pattern`` at ``pos`` (the pattern may match empty)."""
    m = pattern.match(s, pos, limit)
    return m.end() if m else pos


def _read_provisions(
    s: str, pos: int, limit: int
) -> tuple[int, tuple[ProvisionRef, ...], tuple[str, ...]]:
    """Read 第…条/款/项 tokens from ``pos``; return the end, the provisions and bad tokens.

    The first token needs its 第; a bare number (三十九条) is accepted only after a list
    separator (第三十条、三十九条). A 款 or 项 refines the article before it, also across 、
    (第四条、第二款 is paragraph 2 of article 4); a second one adds a sibling provision.
    """
    refs: list[ProvisionRef] = []
    bad: list[str] = []
    end = pos
    m = _PROVISION.match(s, _skip(_SPACES, s, pos, limit), limit)
    if not m or not m.group(1):
        return pos, (), ()
    while m:
        end = m.end()
        token = _squeeze(m.group())
        try:
            n = chinese_to_int(re.sub(r"\s+", "", m.group(2)))
        except ValueError:
            n = None
        kind = m.group(3)
        if n is None or (kind != "条" and not refs):
            bad.append(token)
        elif kind == "条":
            refs.append(ProvisionRef(n))
        elif kind == "款":
            last = refs[-1]
            if last.paragraph is None and last.item is None:
                refs[-1] = ProvisionRef(last.article, n)
            else:
                refs.append(ProvisionRef(last.article, n))
        else:
            last = refs[-1]
            if last.item is None:
                refs[-1] = ProvisionRef(last.article, last.paragraph, n)
            else:
                refs.append(ProvisionRef(last.article, last.paragraph, n))
        glue_end = _skip(_LIST_GLUE, s, end, limit)
        m = _PROVISION.match(s, glue_end, limit)
        if m and not m.group(1) and not re.search(r"[、，,和及与]", s[end:glue_end]):
            m = None
    return end, tuple(refs), tuple(bad)


# --- issuers and titles -------------------------------------------------------------------


def _issuer_parts(text: str) -> list[str] | None:
    """Split an issuer list (``中共中央办公厅、国务院办公厅`` or space-separated) or None."""
    parts = [p for p in re.split(r"[、\s]+", text.strip()) if p]
    if parts and all(_ISSUER_PART.match(p) for p in parts):
        return parts
    return None


def _issuer_before(s: str, lo: int, hi: int) -> tuple[str | None, int]:
    """The issuer printed just before a title in ``s[lo:hi]``, and where it starts.

    Only the last piece after a separator or list number counts, the trailing 印发/关于印发/令
    is dropped, and every word must look like the name of a body (…办公厅, …委, 国务院);
    prose left of it is skipped, so run-together OCR rows do not become issuers.
    """
    piece_start = lo
    for m in _SEPARATORS.finditer(s, lo, hi):
        piece_start = m.end()
    piece = s[piece_start:hi]
    trimmed = _ISSUER_TAIL.sub("", piece.rstrip()).rstrip()
    words = list(re.finditer(r"[^、\s]+", trimmed))
    for k in range(len(words)):
        text = trimmed[words[k].start() :]
        parts = _issuer_parts(text)
        if parts:
            return "、".join(parts), piece_start + words[k].start()
    return None, hi


def _title_text(span: str) -> str:
    """A title span without its outer brackets: the opener, and the last character when it
    is the closer left over once the inner brackets are paired (》, 〉, or a lone ）).

    >>> _title_text("《某省实施《城市居民委员会组织法〉办法》")
    '某省实施《城市居民委员会组织法〉办法'
    >>> _title_text("《社会救助暂行办法）"), _title_text("《社区矫正法实施办法（试行）")
    ('社会救助暂行办法', '社区矫正法实施办法（试行）')
    """
    if span[:1] not in _OPENERS:
        return span  # 某省实施《…》办法: the brackets are the inner title's
    inner = span[1:]
    last = inner[-1:]
    if last in _CLOSERS:
        opened = sum(inner.count(c) for c in _OPENERS)
        if sum(inner.count(c) for c in _CLOSERS) > opened:
            return inner[:-1]
    elif last in "）)" and inner.count("）") + inner.count(")") > inner.count("（") + inner.count(
        "("
    ):
        return inner[:-1]
    return inner


def _clean_title(raw: str) -> str:
    return _squeeze(_inner_brackets(raw))


def _split_inside_issuer(title: str) -> tuple[str | None, str]:
    """《中共中央办公厅、国务院办公厅〈关于…意见〉》 → (issuer, inner title); else (None, title)."""
    m = _INSIDE_ISSUER.match(title)
    if m:
        parts = _issuer_parts(m.group("issuer"))
        if parts:
            return "、".join(parts), m.group("title")
    return None, title


# --- the parser ---------------------------------------------------------------------------


@dataclass
class _Found:
    start: int
    end: int
    title: str | None
    number: str | None = None
    issuer: str | None = None
    provisions: tuple[ProvisionRef, ...] = ()
    unparsed: tuple[str, ...] = ()


def _read_tail(s: str, found: _Found, limit: int) -> None:
    """Consume what follows a title: 的通知, (document number), (edition note), provisions."""
    pos = found.end
    while True:
        wrapper = _WRAPPER_TAIL.match(s, pos, limit)
        if wrapper:
            pos = wrapper.end()
            continue
        lead = _skip(_SPACES, s, pos, limit)
        if lead >= limit or s[lead] not in _OPEN:
            break
        close = _matching_close(s[:limit], lead)
        if close < 0:
            break
        number = _DOC_NUMBER.search(s, lead, close)
        if number and found.number is None:
            found.number = _doc_number_at(number)[1]
        elif not number and not _EDITION_NOTE.search(s, lead, close):
            break  # a parenthesis that is neither a number nor an edition note
        pos = close
    found.end = pos
    end, provisions, unparsed = _read_provisions(s, pos, limit)
    if provisions or unparsed:
        found.end, found.provisions, found.unparsed = end, provisions, unparsed


def _bare_title(s: str, lo: int, hi: int) -> _Found | None:
    """An unbracketed title starting the piece ``s[lo:hi]``.

    Accepted only when articles follow it (城市居民委员会组织法第三条) or when the whole
    piece is title-shaped and starts like a title (中华人民共和国…, 国务院…, 关于…, 某省…), so
    prose such as 无国家法律法规依据 is not mistaken for a citation.
    """
    lead = _skip(_SPACES, s, lo, hi)
    m = _BARE_TITLE_BEFORE_ARTICLE.match(s, lead, hi)
    if m:
        item = _Found(lead, m.end(1), _clean_title(m.group(1)))
        _read_tail(s, item, hi)
        if item.provisions or item.unparsed:
            return item
    text = s[lead:hi].rstrip(" \t。")
    if _BARE_TITLE_WHOLE.fullmatch(text) and _BARE_TITLE_START.match(text):
        return _Found(lead, lead + len(text), _clean_title(text))
    return None


def _bare_citations(s: str, lo: int, hi: int) -> list[_Found]:
    """Citations in a stretch with no 《…》: document numbers and unbracketed titles."""
    found: list[_Found] = []
    for m in _DOC_NUMBER.finditer(s, lo, hi):
        start, number = _doc_number_at(m)
        found.append(_Found(start, m.end(), None, number))
    cuts = [lo, *(p for m in _SEPARATORS.finditer(s, lo, hi) for p in m.span()), hi]
    for a, b in zip(cuts[::2], cuts[1::2], strict=True):
        inside = [f for f in found if f.start < b and a < f.end]
        if len(inside) == 1:
            _title_before_number(s, a, inside[0])
        if inside:
            continue
        item = _bare_title(s, a, b)
        if item:
            found.append(item)
    return found


def _title_before_number(s: str, lo: int, number: _Found) -> None:
    """国务院关于…的意见（国发〔2016〕36号）: an unbracketed title before a bracketed number
    is that number's title (only when the whole stretch before the bracket reads as one)."""
    opening = max(s.rfind(c, lo, number.start) for c in _OPEN)
    if opening < 0 or s[opening + 1 : number.start].strip():
        return
    lead = _skip(_SPACES, s, lo, opening)
    text = s[lead:opening].rstrip()
    if _BARE_TITLE_WHOLE.fullmatch(text) and _BARE_TITLE_START.match(text):
        close = _matching_close(s, opening)
        number.start, number.title = lead, _clean_title(text)
        number.end = close if close > 0 else number.end


def _merge_leading_numbers(found: list[_Found], s: str) -> list[_Found]:
    """渝府发〔2019〕3号《…办法》: a bare document number printed just before a title (nothing
    but spaces, a line break or a colon between) is that title's number, not a citation of
    its own."""
    merged: list[_Found] = []
    for item in found:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.title is None
            and item.title is not None
            and item.number is None
            and not s[last.end : item.start].strip(" \t\r\n:：")
        ):
            item.start, item.number = last.start, last.number
            merged[-1] = item
            continue
        merged.append(item)
    return merged


def numbered_citations(cells: Iterable[str]) -> Iterator[tuple[int, CitationRef]]:
    """A duty's citations with their numbers: every citation of every 依据 cell, resolved or
    not, counted from 1 in print order — the number in the citation's IRI, so that the catalog
    graph and the law-text readings name each citation alike.

    >>> [(n, c.title) for n, c in numbered_citations(["《甲法》、《乙条例》", "", "《丙办法》"])]
    [(1, '甲法'), (2, '乙条例'), (3, '丙办法')]
    """
    return enumerate((c for cell in cells for c in parse_citations(cell)), start=1)


def parse_citations(cell: str) -> list[CitationRef]:
    """Every document cited in ``cell``, in order, with its articles, paragraphs and items.

    An empty or blank cell gives ``[]``. Never raises on messy text: unreadable provision
    numbers are kept in ``CitationRef.unparsed``.

    >>> [c.title for c in parse_citations("《居住证暂行条例》第七条、第八条")]
    ['居住证暂行条例']
    >>> parse_citations("《宗教事务条例》第六条第三款")[0].provisions
    (ProvisionRef(article=6, paragraph=3, item=None),)
    """
    if not cell or not cell.strip():
        return []
    s = _mask_tags(cell)
    spans = _title_spans(s)
    found: list[_Found] = []
    cursor = 0
    for k, (start, end) in enumerate(spans):
        limit = spans[k + 1][0] if k + 1 < len(spans) else len(s)
        issuer, issuer_start = _issuer_before(s, cursor, start)
        found.extend(_bare_citations(s, cursor, issuer_start if issuer else start))
        inside_issuer, title = _split_inside_issuer(_clean_title(_title_text(s[start:end])))
        item = _Found(issuer_start if issuer else start, end, title, issuer=issuer or inside_issuer)
        _read_tail(s, item, limit)
        found.append(item)
        cursor = item.end
    found.extend(_bare_citations(s, cursor, len(s)))
    found.sort(key=lambda f: f.start)
    found = _merge_leading_numbers(found, s)
    return [
        CitationRef(
            text=cell[f.start : f.end].strip(),
            title=f.title,
            document_number=f.number,
            issuer=f.issuer,
            provisions=f.provisions,
            unparsed=f.unparsed,
        )
        for f in found
    ]
