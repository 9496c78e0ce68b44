"""Citation parsing on every form the five catalogs use, with real cells as fixtures.

Each fixture is copied from data/raw/ (file and line in the comment); the raw-file tests in
test_law_register.py check that the cells are still there and still resolve.
"""

from __future__ import annotations

import re

import pytest

from cdkg.loaders.normalise.citations import (
    CitationRef,
    ProvisionRef,
    normalise_document_number,
    normalise_title,
    parse_citations,
)
from cdkg.loaders.normalise.numerals import chinese_to_int

P = ProvisionRef


def arts(*numbers: int) -> tuple[ProvisionRef, ...]:
    return tuple(P(n) for n in numbers)


# --- numerals -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一", 1),
        ("九", 9),
        ("十", 10),
        ("十一", 11),
        ("二十", 20),
        ("二十六", 26),
        ("三十九", 39),
        ("一百", 100),
        ("一百零六", 106),
        ("一百一十一", 111),
        ("一百一十八", 118),
        ("两百", 200),
        ("一千二百六十", 1260),
        ("一千零一", 1001),
        ("〇", 0),
        ("12", 12),
        ("１２", 12),
    ],
)
def test_chinese_to_int(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "  ", "三四十二", "十百", "一百六", "零五", "第三", "abc"])
def test_chinese_to_int_refuses_and_names_the_text(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        chinese_to_int(text)


# --- single citations, one per printed form -----------------------------------------------


def only(cell: str) -> CitationRef:
    citations = parse_citations(cell)
    assert len(citations) == 1, citations
    return citations[0]


@pytest.mark.parametrize(
    ("cell", "title", "provisions"),
    [
        # chongqing.txt:41 — one article
        ("《社会救助暂行办法》第四条", "社会救助暂行办法", arts(4)),
        # chongqing.txt:66 — list of articles
        ("《居住证暂行条例》第七条、第八条", "居住证暂行条例", arts(7, 8)),
        # chongqing.txt:262 — article and paragraph
        ("《宗教事务条例》第六条第三款", "宗教事务条例", (P(6, 3),)),
        # changzhi.txt:147 — short title, article and paragraph
        ("《居民委员会组织法》第三条第四款", "居民委员会组织法", (P(3, 4),)),
        # changzhi.txt:163 — one article, a three-character numeral
        ("《残疾人保障法》第七条", "残疾人保障法", arts(7)),
        # chongqing.txt:361 — 一百一十八
        (
            "《中华人民共和国未成年人保护法》（2020年10月17日第十三届全国人民代表大会常务委员会"
            "第二十二次会议第二次修订）第十一条、第四十三条、第一百一十八条",
            "中华人民共和国未成年人保护法",
            arts(11, 43, 118),
        ),
        # chongqing.txt:362 — edition note, and 三十九条 without 第
        (
            "《中华人民共和国预防未成年人犯罪法》（2020年12月26日第十三届全国人民代表大会常务委员会"
            "第二十四次会议修订）第四条、第二十五条、第三十条、三十九条、第四十二条、第五十六条、"
            "第五十七条",
            "中华人民共和国预防未成年人犯罪法",
            arts(4, 25, 30, 39, 42, 56, 57),
        ),
        # chongqing.txt:383 — 二十三条 without 第
        (
            "《重庆市进城务工农民权益保护和服务管理办法》第六条、二十三条、第三十八条",
            "重庆市进城务工农民权益保护和服务管理办法",
            arts(6, 23, 38),
        ),
        # chongqing.txt:372 — a bare 第二款 after 第四条 is paragraph 2 of article 4
        (
            "《中华人民共和国反家庭暴力法》第四条、第二款、第八条、第十三条、第十四条、第三十五条",
            "中华人民共和国反家庭暴力法",
            (P(4, 2), *arts(8, 13, 14, 35)),
        ),
        # chongqing.txt:293 — paragraphs inside a list
        (
            "《自然灾害救助条例》第五条、第六条第二款、第十二条、第二十条、第二十六条第二款",
            "自然灾害救助条例",
            (P(5), P(6, 2), P(12), P(20), P(26, 2)),
        ),
        # chongqing.txt:312
        (
            "《中华人民共和国突发事件应对法》第二十九条第二款、第三十八条第二款、第五十五条",
            "中华人民共和国突发事件应对法",
            (P(29, 2), P(38, 2), P(55)),
        ),
        # chongqing.txt:180 — a nested title in <>
        (
            "《重庆市实施<中华人民共和国村民委员会组织法>办法》第十六条",
            "重庆市实施〈中华人民共和国村民委员会组织法〉办法",
            arts(16),
        ),
        # sichuan.txt:44 — a nested title in 〈〉
        (
            "《四川省〈中华人民共和国村民委员会组织法〉实施办法》第八条",
            "四川省〈中华人民共和国村民委员会组织法〉实施办法",
            arts(8),
        ),
        # sichuan.txt:187 — no article
        ("《中华人民共和国消防法》", "中华人民共和国消防法", ()),
        # sichuan.txt:130 — a title on its own continuation line
        ("《四川省村务公开条例》", "四川省村务公开条例", ()),
        # ningxia-district.txt:24 — Ningxia ends its cells with 。
        ("《中华人民共和国城市居民委员会组织法》。", "中华人民共和国城市居民委员会组织法", ()),
        # changzhi.txt:160 — OCR space inside a number (第三十 一条)
        ("《就业服务与就业管理规定》第三十 一条", "就业服务与就业管理规定", arts(31)),
        # changzhi.txt:160 — OCR spaces inside a nested title
        (
            "《山西省实施〈中华人民共和国权益保障 法〉办法》第二十四条",
            "山西省实施〈中华人民共和国权益保障法〉办法",
            arts(24),
        ),
        # changzhi.txt:165 — a cell with a title only
        ("《中华人民共和国妇女权益保障法》", "中华人民共和国妇女权益保障法", ()),
    ],
)
def test_single_citation(cell: str, title: str, provisions: tuple[ProvisionRef, ...]) -> None:
    citation = only(cell)
    assert citation.title == title
    assert citation.provisions == provisions
    assert citation.unparsed == ()
    assert citation.text in cell


def test_document_number_and_item() -> None:
    # changzhi.txt:157
    cell = "《长治市推动非户籍人口在城市落户实施方案》（长政办发〔2017〕115号）第二条第七项"
    citation = only(cell)
    assert citation.title == "长治市推动非户籍人口在城市落户实施方案"
    assert citation.document_number == "长政办发〔2017〕115号"
    assert citation.provisions == (P(2, None, 7),)
    assert citation.text == cell


def test_order_number_with_state_prefix_then_second_citation() -> None:
    # sichuan.txt:257 — an order number, a 、 between citations and a trailing ；
    cell = "《自然灾害救助条例》（中华人民共和国国务院令第577号）第五条、《抗旱条例》第四十二条；"
    first, second = parse_citations(cell)
    assert (first.title, first.document_number, first.provisions) == (
        "自然灾害救助条例",
        "国务院令第577号",
        arts(5),
    )
    assert (second.title, second.provisions) == ("抗旱条例", arts(42))
    assert first.text == "《自然灾害救助条例》（中华人民共和国国务院令第577号）第五条"


def test_order_number_without_di() -> None:
    # ningxia-district.txt:56
    citation = parse_citations(
        "《社会救助暂行办法》(国务院令649号)； 《最低生活保障审核审批办法(试行)》"
    )[0]
    assert citation.document_number == "国务院令第649号"


def test_issuer_in_front_in_a_numbered_list() -> None:
    # changzhi.txt:130
    cell = (
        "1、《城市居民委员会组织法》第三条 2、中共中央办公厅、国务院办公厅"
        "《关于加强和改进城市社区居民委员会建设工作的意见》（中办发〔2010〕27号）"
    )
    law, opinion = parse_citations(cell)
    assert (law.title, law.provisions, law.issuer) == ("城市居民委员会组织法", arts(3), None)
    assert opinion.title == "关于加强和改进城市社区居民委员会建设工作的意见"
    assert opinion.issuer == "中共中央办公厅、国务院办公厅"
    assert opinion.document_number == "中办发〔2010〕27号"
    assert opinion.text.startswith("中共中央办公厅、国务院办公厅《")


def test_numbered_list_with_dots() -> None:
    # changzhi.txt:139, second column of the run-together row
    cell = (
        "1. 中共中央办公厅、国务院办公厅《关于加强社区居民委员会建设工作的意见》"
        "(中办发〔2010〕27号)"
        " 2. 中共中央办公厅、国务院办公厅《关于加强城乡社区协商的指导意见》(中办发〔2015〕41号)"
    )
    first, second = parse_citations(cell)
    assert first.document_number == "中办发〔2010〕27号"
    assert second.title == "关于加强城乡社区协商的指导意见"
    assert second.issuer == "中共中央办公厅、国务院办公厅"
    assert second.document_number == "中办发〔2015〕41号"


def test_issuer_inside_the_brackets() -> None:
    # changzhi.txt:160 — 《发文机关〈标题〉》 with OCR spaces
    cell = (
        "《中共中央办公厅、国务院办公厅〈关 于加强和改进城市社区居民委员会建设工 作的意见〉》"
        "（中办发〔2010〕27号）"
    )
    citation = only(cell)
    assert citation.issuer == "中共中央办公厅、国务院办公厅"
    assert citation.title == "关于加强和改进城市社区居民委员会建设工作的意见"
    assert citation.document_number == "中办发〔2010〕27号"


def test_issuer_order_prefix() -> None:
    # sichuan.txt:197
    citation = only("国务院令《物业管理条例》")
    assert (citation.issuer, citation.title) == ("国务院", "物业管理条例")


def test_ningxia_cell_with_issuers_notices_and_half_width_brackets() -> None:
    # ningxia-district.txt:25
    cell = (
        "《中华人民共和国城市居民委员会组织法》； 《中华人民共和国传染病防治法》； "
        "中共中央办公厅、国务院办公厅《关于坚持和发展新时代“枫桥经验”提升社会矛盾纠纷预防化解能力的"
        "意见》 (中办发〔2023〕50号)； 自治区党委政法委员会关于印发《关于坚持和发展新时代“枫桥经验”"
        "提升社会矛盾纠纷预防化解法治化水平的实施意见》的通知 (宁政法〔2023〕88号)； "
        "《宁夏回族自治区乡镇(街道)社会治安综合治理中心和村(社区)“塞上枫桥”基层治理工作机制规范化"
        "建设指导意见(试行)》 (宁政法〔2024〕63号)。"
    )
    citations = parse_citations(cell)
    assert [c.document_number for c in citations] == [
        None,
        None,
        "中办发〔2023〕50号",
        "宁政法〔2023〕88号",
        "宁政法〔2024〕63号",
    ]
    assert [c.issuer for c in citations] == [
        None,
        None,
        "中共中央办公厅、国务院办公厅",
        "自治区党委政法委员会",
        None,
    ]
    assert citations[3].title == (
        "关于坚持和发展新时代“枫桥经验”提升社会矛盾纠纷预防化解法治化水平的实施意见"
    )
    assert citations[3].text.endswith("的通知 (宁政法〔2023〕88号)")


def test_ningxia_space_separated_issuers_and_inner_title() -> None:
    # ningxia-district.txt:56 (last citation) and :59
    cell = (
        "自治区党委办公厅 政府办公厅《关于组织实施特殊困难群众关爱帮扶工程的意见》"
        "(宁党办〔2024〕63号)。"
    )
    citation = only(cell)
    assert citation.issuer == "自治区党委办公厅、政府办公厅"
    assert citation.document_number == "宁党办〔2024〕63号"
    cell = "中共中央办公厅 国务院办公厅印发《关于加快推进公共法律服务体系建议的意见》。"
    citation = only(cell)
    assert citation.issuer == "中共中央办公厅、国务院办公厅"
    assert citation.title == "关于加快推进公共法律服务体系建议的意见"


def test_ningxia_stray_spaces_and_angle_brackets_in_title() -> None:
    # ningxia-district.txt:78 — titles separated by spaces only; "<…>的 通知" from the PDF
    cell = (
        "《古树名木保护条例》 《中华人民共和国湿地保护法》 《自治区党委办公厅 人民政府办公厅印发 "
        "<关于全面推行林长制的实施意见>的 通知》(宁党办〔2021〕80号)。"
    )
    trees, wetlands, forest = parse_citations(cell)
    assert trees.title == "古树名木保护条例"
    assert wetlands.title == "中华人民共和国湿地保护法"
    assert (
        forest.title == "自治区党委办公厅人民政府办公厅印发〈关于全面推行林长制的实施意见〉的通知"
    )
    assert forest.document_number == "宁党办〔2021〕80号"


def test_ningxia_document_with_government_order_number() -> None:
    # ningxia-district.txt:52
    cell = "《宁夏回族自治区实施〈残疾预防和残疾人康复条例〉办法》（政府令130号）"
    citation = only(cell)
    assert citation.title == "宁夏回族自治区实施〈残疾预防和残疾人康复条例〉办法"
    assert citation.document_number == "政府令第130号"
    assert citation.issuer is None


def test_ningxia_html_tags_are_ignored_but_text_is_verbatim() -> None:
    # ningxia-district.txt:34 shape, wrapped in the <p>/<b> tags some Ningxia cells carry
    cell = (
        "<p>《中华人民共和国城市居民委员会组织法》；</p> <b>《中国共产党支部工作条例（试行）》</b>"
    )
    first, second = parse_citations(cell)
    assert first.title == "中华人民共和国城市居民委员会组织法"
    assert second.title == "中国共产党支部工作条例（试行）"
    assert second.text == "《中国共产党支部工作条例（试行）》"


def test_chongqing_multi_line_cell() -> None:
    # chongqing.txt:178-180
    cell = (
        "《中华人民共和国村民委员会组织法》第二条\n"
        "《中华人民共和国城市居民委员会组织法》第三条\n"
        "《重庆市实施<中华人民共和国村民委员会组织法>办法》第十六条"
    )
    assert [(c.title, c.provisions) for c in parse_citations(cell)] == [
        ("中华人民共和国村民委员会组织法", arts(2)),
        ("中华人民共和国城市居民委员会组织法", arts(3)),
        ("重庆市实施〈中华人民共和国村民委员会组织法〉办法", arts(16)),
    ]


def test_ocr_damage_is_reported_not_guessed() -> None:
    # changzhi.txt:139 — "第三 四十二条" is two numbers glued together by OCR
    cell = "《中华人民共和国消防法》第三十二条、第三 四十二条、第四十二条、第四十四条 41、"
    citation = only(cell)
    assert citation.provisions == arts(32, 42, 44)
    assert citation.unparsed == ("第三四十二条",)


def test_prose_after_provisions_is_not_swallowed() -> None:
    # changzhi.txt:160 — an OCR-merged row: provisions, then the next item's prose
    cell = (
        "1、《居民委员会组织法》第三条第五款 协助人民政府或者它的派出机关做好优 扶工作 "
        "2、中共中央办公厅、国务院办公厅《关 于加强和改进城市社区居民委员会建设工 作的意见》"
        "（中办发〔2010〕27号）"
    )
    law, opinion = parse_citations(cell)
    assert law.text == "《居民委员会组织法》第三条第五款"
    assert law.provisions == (P(3, 5),)
    assert opinion.issuer == "中共中央办公厅、国务院办公厅"
    assert opinion.title == "关于加强和改进城市社区居民委员会建设工作的意见"


def test_unbracketed_title_and_bare_number() -> None:
    citations = parse_citations("城市居民委员会组织法第三条；国发〔2016〕36号")
    assert [(c.title, c.document_number, c.provisions) for c in citations] == [
        ("城市居民委员会组织法", None, arts(3)),
        (None, "国发〔2016〕36号", ()),
    ]
    assert only("宁党办〔2021〕80号").document_number == "宁党办〔2021〕80号"
    assert only("中华人民共和国禁毒法").title == "中华人民共和国禁毒法"


@pytest.mark.parametrize(
    "cell",
    [
        "",
        "   ",
        "\n",
        # ningxia-district.txt:89 and :87 — remarks, not citations
        "无国家法律法规依据，建议取消。",
        "由辖区派出所负责社区戒毒工作。",
    ],
)
def test_cells_without_citations(cell: str) -> None:
    assert parse_citations(cell) == []


# --- normalisers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "key"),
    [
        ("《中国共产党支部工作条例（试行）》", "中国共产党支部工作条例(试行)"),
        ("中国共产党支部工作条例(试行)", "中国共产党支部工作条例(试行)"),
        ("重庆市实施<中华人民共和国村民委员会组织法>办法", "重庆市实施村民委员会组织法办法"),
        ("重庆市实施《中华人民共和国村民委员会组织法》办法", "重庆市实施村民委员会组织法办法"),
        ("关于全面推行林长制的实施意见> 的通知", "关于全面推行林长制的实施意见的通知"),
        (
            "全国人大常委会关于进一步开展法制宣 传教育的决议",
            "全国人大常委会关于进一步开展法制宣传教育的决议",
        ),
        ("中共中央 国务院关于加强基层治理体系", "中共中央国务院关于加强基层治理体系"),
        # issue 14: an inner 《 where 〈 was meant, with a wrap space
        ("某省实施《中华人民共和国城市居民委员会组织法〉 办法", "某省实施城市居民委员会组织法办法"),
        ("ＸＸ省实施〈城市居民委员会组织法〉办法", "XX省实施城市居民委员会组织法办法"),
        ("中华人民共和国", "中华人民共和国"),
    ],
)
def test_normalise_title(printed: str, key: str) -> None:
    assert normalise_title(printed) == key


@pytest.mark.parametrize(
    ("printed", "number"),
    [
        ("中办发〔2010〕27号", "中办发〔2010〕27号"),
        ("中办发[2010]27号", "中办发〔2010〕27号"),
        ("国发（2016） 36 号", "国发〔2016〕36号"),
        ("国务院令649号", "国务院令第649号"),
        ("中华人民共和国国务院令第577号", "国务院令第577号"),
    ],
)
def test_normalise_document_number(printed: str, number: str) -> None:
    assert normalise_document_number(printed) == number
