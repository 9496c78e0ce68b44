"""Issue 14: legal titles read as a person reads them.

Table tests from forms real copies print, and property tests: damage a copyist or an OCR pass
does to a real title (wrap spaces, full-width forms, nested or unbalanced brackets, the state
name dropped) never changes its normalised key, so every damaged copy resolves to one document.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cdkg.loaders.laws.register import LawRegister
from cdkg.loaders.normalise.citations import ProvisionRef, normalise_title, parse_citations

ROOT = Path(__file__).resolve().parents[2]
REGISTER = LawRegister.load(ROOT / "data" / "registers" / "laws.csv")
# Real titles from the register: a national law, a regulation with (试行)-like parentheses,
# a provincial implementing regulation with a nested title, a party document.
TITLES = sorted({e.canonical_title for e in REGISTER if 4 <= len(e.canonical_title) <= 40}, key=str)
IMPLEMENTING = "湖南省实施〈中华人民共和国城市居民委员会组织法〉办法"


def P(article: int, paragraph: int | None = None) -> ProvisionRef:
    return ProvisionRef(article, paragraph)


# --- table tests: the forms issue 14 names ------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "title", "provisions"),
    [
        # the issue's own form: an inner 《 where 〈 was meant, and a wrap space
        (
            "《湖南省实施《中华人民共和国城市居民委员会组织法〉 办法》第十三条",
            IMPLEMENTING,
            (P(13),),
        ),
        # outer brackets missing: the bracketed law is part of the title, not a citation
        ("湖南省实施《中华人民共和国城市居民委员会组织法》办法第十三条", IMPLEMENTING, (P(13),)),
        # opened with 《, closed with 〉
        ("《湖南省实施<中华人民共和国城市居民委员会组织法>办法〉第十三条", IMPLEMENTING, (P(13),)),
        # closed with ）, and an article number split by a wrap space
        (
            "《湖南省实施〈中华人民共和国城市居民委员会组织法〉办法）第 十三条",
            IMPLEMENTING,
            (P(13),),
        ),
        # a missing closer stops at the article, never swallows it
        (
            "《中华人民共和国城市居民委员会组织法第三条",
            "中华人民共和国城市居民委员会组织法",
            (P(3),),
        ),
        ("《中华人民共和国刑法》第二百六十二 条", "中华人民共和国刑法", (P(262),)),
        # a title spread over two lines
        (
            "《中华人民共和国城市居民\n委员会组织法》第 二十条",
            "中华人民共和国城市居民委员会组织法",
            (P(20),),
        ),
        # full-width letters and digits
        ("《社区矫正法实施办法（试行）》第３条", "社区矫正法实施办法（试行）", (P(3),)),
    ],
)
def test_damaged_forms(cell: str, title: str, provisions: tuple[ProvisionRef, ...]) -> None:
    (citation,) = parse_citations(cell)
    assert normalise_title(citation.title or "") == normalise_title(title)
    assert citation.provisions == provisions
    assert "第" not in (citation.title or "")


def test_titles_run_together_without_separators() -> None:
    cell = "《中华人民共和国城市居民委员会组织法》第三条《中华人民共和国村民委员会组织法》第二条"
    found = [(c.title, c.provisions) for c in parse_citations(cell)]
    assert found == [
        ("中华人民共和国城市居民委员会组织法", (P(3),)),
        ("中华人民共和国村民委员会组织法", (P(2),)),
    ]


def test_document_number_before_and_after_the_title() -> None:
    after = parse_citations(
        "国务院关于加强和改进城市社区居民委员会建设工作的意见（中办发〔2010〕27号）"
    )
    before = parse_citations(
        "中办发〔2010〕27号 《关于加强和改进城市社区居民委员会建设工作的意见》"
    )
    assert [(c.title, c.document_number) for c in after] == [
        ("国务院关于加强和改进城市社区居民委员会建设工作的意见", "中办发〔2010〕27号")
    ]
    assert [(c.title, c.document_number) for c in before] == [
        ("关于加强和改进城市社区居民委员会建设工作的意见", "中办发〔2010〕27号")
    ]


def test_document_number_on_the_line_before_the_title() -> None:
    (citation,) = parse_citations("中华人民共和国国务院令第628号\n《殡葬管理条例》第十二条")
    assert (citation.title, citation.document_number) == ("殡葬管理条例", "国务院令第628号")
    assert citation.provisions == (P(12),)


def test_issuer_prefix_is_split_off() -> None:
    (citation,) = parse_citations("四川省民政厅《四川省最低生活保障实施办法》第五条")
    assert (citation.issuer, citation.title) == ("四川省民政厅", "四川省最低生活保障实施办法")


def test_four_printings_resolve_to_one_registered_document() -> None:
    cells = [
        "《四川省《中华人民共和国城市居民委员会组织法〉 实施办法》第八条",
        "四川省《中华人民共和国城市居民委员会组织法》实施办法第八条",
        "《四川省〈城市居民委员会组织法〉实施办法〉第八条",
        "《四川省 〈中华人民共和国城市居民委员会组织法〉实施办法》第 八条",
    ]
    ids = set()
    for cell in cells:
        (citation,) = parse_citations(cell)
        resolution = REGISTER.resolve(citation)
        assert resolution is not None, cell
        ids.add(resolution.entry.id)
    assert ids == {"sichuan-urban-residents-committee-law-implementing-measures"}


# --- property tests -----------------------------------------------------------------------

_WIDE = {chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)}


def _spaces(draw: st.DrawFn, text: str) -> str:
    """Wrap spaces or a line break at a few positions."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(chars)))
        chars.insert(at, draw(st.sampled_from([" ", "  ", "\u3000", "\n"])))
    return "".join(chars)


@st.composite
def damaged(draw: st.DrawFn, title: str) -> str:
    """One damaged printing of ``title``: state name dropped or added, inner 〈〉 printed as
    《》/<>/unbalanced, full-width forms, wrap spaces, outer brackets of any shape."""
    text = title
    if text.startswith("中华人民共和国") and draw(st.booleans()):
        text = text.removeprefix("中华人民共和国")
    inner_open = draw(st.sampled_from(["〈", "《", "<", "＜", ""]))
    inner_close = draw(st.sampled_from(["〉", "》", ">", "＞", ""]))
    text = text.replace("〈", inner_open).replace("〉", inner_close)
    if draw(st.booleans()):
        text = "".join(_WIDE.get(c, c) for c in text)
    text = _spaces(draw, text)
    opener = draw(st.sampled_from(["《", "《", "〈", ""]))
    closer = draw(st.sampled_from(["》", "〉", ""]))
    return opener + text + closer


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_damage_never_changes_the_key(data: st.DataObject) -> None:
    title = data.draw(st.sampled_from(TITLES))
    copy = data.draw(damaged(title))
    assert normalise_title(copy) == normalise_title(title)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_damaged_bracketed_citation_resolves_to_its_row(data: st.DataObject) -> None:
    entry = data.draw(st.sampled_from([e for e in REGISTER if len(e.canonical_title) >= 4]))
    title = entry.canonical_title
    article = data.draw(st.integers(1, 300))
    inner = title.replace("〈", data.draw(st.sampled_from(["〈", "《", "<"])))
    inner = inner.replace("〉", data.draw(st.sampled_from(["〉", "》", ">"])))
    closer = data.draw(st.sampled_from(["》", "〉", "）", ""]))
    spaced = data.draw(st.sampled_from(["", " "]))
    cell = f"《{inner}{closer}第{spaced}{_chinese(article)}{spaced}条"
    citations = parse_citations(cell)
    assert len(citations) == 1, (cell, citations)
    resolution = REGISTER.resolve(citations[0])
    assert resolution is not None and resolution.entry.id == entry.id, cell
    assert citations[0].provisions == (P(article),)


def _chinese(n: int) -> str:
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    out = f"{digits[hundreds]}百" if hundreds else ""
    if tens:
        out += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        out += "零"
    return out + (digits[ones] if ones else "")


def test_chinese_numeral_helper() -> None:
    assert [_chinese(n) for n in (3, 10, 13, 105, 262)] == [
        "三",
        "十",
        "十三",
        "一百零五",
        "二百六十二",
    ]


def test_full_width_key_is_nfkc() -> None:
    assert normalise_title("ＡＢ法") == unicodedata.normalize("NFKC", "ＡＢ法")
