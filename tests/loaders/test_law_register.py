"""The reviewed law register: loading rules, alias unification, misprints, reference facts, and
coverage of every document the five raw catalogs cite."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

from cdkg.loaders.laws.register import COLUMNS, LawRegister, LawRegisterError
from cdkg.loaders.normalise.citations import (
    CitationRef,
    normalise_document_number,
    normalise_title,
    parse_citations,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
REGISTER = ROOT / "data" / "registers" / "laws.csv"
REFERENCE = Path("/work/shared/reference/legal-register.csv")


@pytest.fixture(scope="module")
def register() -> LawRegister:
    return LawRegister.load(REGISTER)


def cite(title: str | None = None, number: str | None = None) -> CitationRef:
    return CitationRef(
        text=title or number or "", title=title, document_number=number, issuer=None, provisions=()
    )


def resolve_id(register: LawRegister, title: str) -> str:
    resolution = register.resolve(cite(title))
    assert resolution is not None, title
    return resolution.entry.id


# --- the register file --------------------------------------------------------------------


def test_header_is_exactly_the_contract() -> None:
    with REGISTER.open(encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == list(COLUMNS)


def test_register_loads_and_ids_are_slugs(register: LawRegister) -> None:
    assert len(register) >= 150
    for entry in register:
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry.id)


def test_no_alias_or_misprint_in_two_rows(register: LawRegister) -> None:
    owner: dict[str, str] = {}
    for entry in register:
        for title in (*entry.titles, *entry.misprints):
            key = normalise_title(title)
            assert owner.setdefault(key, entry.id) == entry.id, (key, owner[key], entry.id)


def test_document_numbers_are_unique(register: LawRegister) -> None:
    numbers = [normalise_document_number(e.document_number) for e in register if e.document_number]
    assert len(numbers) == len(set(numbers))


def test_replaced_by_names_a_row(register: LawRegister) -> None:
    for entry in register:
        if entry.replaced_by:
            assert register[entry.replaced_by].id == entry.replaced_by


# --- aliases and misprints ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("spellings", "law_id"),
    [
        (
            [
                "居民委员会组织法",
                "城市居民委员会组织法",
                "中华人民共和国城市居民委员会组织法",
                "居委会组织法",
            ],
            "prc-urban-residents-committee-organization-law",
        ),
        (
            ["禁毒法", "中华人民共和国禁毒法", "《中华人民共和国禁毒法》"],
            "prc-narcotics-control-law",
        ),
        (
            ["中国共产党支部工作条例（试行）", "中国共产党支部工作条例(试行)"],
            "cpc-branch-work-regulations",
        ),
        (["宪法", "中华人民共和国宪法"], "prc-constitution"),
        (
            ["突发公共卫生应急条例", "突发公共卫生事件应急条例"],
            "public-health-emergency-regulations",
        ),
        (
            [
                "重庆市实施<中华人民共和国村民委员会组织法>办法",
                "重庆市实施《中华人民共和国村民委员会组织法》办法",
            ],
            "chongqing-villagers-committee-law-implementing-measures",
        ),
    ],
)
def test_spellings_unify(register: LawRegister, spellings: list[str], law_id: str) -> None:
    for spelling in spellings:
        resolution = register.resolve(cite(spelling))
        assert resolution is not None, spelling
        assert (resolution.entry.id, resolution.misprint) == (law_id, False), spelling


@pytest.mark.parametrize(
    ("printed", "law_id"),
    [
        # chongqing.txt:52 — a municipality cannot enact a 法; the reference says not_found
        ("重庆市环境噪音污染防治法", "chongqing-environmental-noise-pollution-prevention-measures"),
        # changzhi.txt:139
        ("中华人民共和国预防未成年犯罪法", "prc-juvenile-delinquency-prevention-law"),
        ("预防未成年犯罪法", "prc-juvenile-delinquency-prevention-law"),
        # the reference records 出租房屋治安管理规定 as a common mis-cite
        ("出租房屋治安管理规定", "rental-housing-public-security-provisions"),
        # chongqing.txt:211
        ("国家病残儿医学鉴定管理办法", "disabled-child-medical-appraisal-measures"),
        # sichuan.txt:79
        (
            "四川省〈中华人民共和国城市居民委员会〉实施办法",
            "sichuan-urban-residents-committee-law-implementing-measures",
        ),
        # changzhi.txt:160 (with its OCR space)
        (
            "山西省实施〈中华人民共和国权益保障 法〉办法",
            "shanxi-elderly-rights-law-implementing-measures",
        ),
        # ningxia-district.txt:59
        ("关于加快推进公共法律服务体系建议的意见", "public-legal-services-system-opinions-2019"),
        # changzhi.txt:139
        (
            "关于加强社区居民委员会建设工作的意见",
            "urban-community-residents-committee-building-opinions-2010",
        ),
    ],
)
def test_misprints_resolve_to_the_real_document(
    register: LawRegister, printed: str, law_id: str
) -> None:
    resolution = register.resolve(cite(printed))
    assert resolution is not None
    assert (resolution.entry.id, resolution.misprint, resolution.matched_by) == (
        law_id,
        True,
        "misprint",
    )


def test_resolve_by_document_number_alone(register: LawRegister) -> None:
    resolution = register.resolve(cite(number="国发〔2016〕36号"))
    assert resolution is not None
    assert resolution.entry.id == "children-in-difficulty-protection-opinions-2016"
    assert resolution.matched_by == "document_number"
    # chongqing.txt:16 cites its parent document by number only
    assert (
        resolve_number(register, "渝府办发〔2019〕23号") == "chongqing-community-duties-notice-2019"
    )
    # ningxia-district.txt:56 prints 国务院令649号 without 第
    assert resolve_number(register, "国务院令649号") == "social-assistance-interim-measures"


def resolve_number(register: LawRegister, number: str) -> str:
    resolution = register.resolve(cite(number=number))
    assert resolution is not None, number
    return resolution.entry.id


def test_title_wins_over_number(register: LawRegister) -> None:
    citation = cite("中华人民共和国禁毒法", "国发〔2016〕36号")
    resolution = register.resolve(citation)
    assert resolution is not None and resolution.entry.id == "prc-narcotics-control-law"


def test_unknown_title_does_not_resolve(register: LawRegister) -> None:
    assert register.resolve(cite("不存在的条例")) is None


# --- reference facts are carried over, never upgraded -------------------------------------


def reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared reference facts not present")
def test_reference_facts_keep_source_and_confidence(register: LawRegister) -> None:
    for ref in reference_rows():
        if ref["status"] == "not_found":
            # a title that does not exist: recorded as a misprint of the real document
            resolution = register.resolve(cite(ref["canonical_title"]))
            assert resolution is not None and resolution.misprint
            continue
        entry = register.resolve(cite(ref["canonical_title"]))
        assert entry is not None, ref["canonical_title"]
        law = entry.entry
        assert law.canonical_title == ref["canonical_title"]
        assert law.confidence == ref["confidence"]
        assert law.source.startswith(ref["source"])
        assert law.doc_type == ref["doc_type"]
        for name in ("promulgated", "effective", "status", "status_date"):
            value, confidence = law.fact(name)
            printed = ref[name]
            if not value:
                # an unknown value is left empty; the note says why
                assert not printed.split("[")[0].strip() or name in law.note, (law.id, name)
                continue
            assert printed.startswith(value), (law.id, name)
            if "[unverified" in printed:
                assert confidence == "unverified", (law.id, name)
            elif "[weak source" in printed or "[likely" in printed:
                assert confidence in ("likely", "unverified"), (law.id, name)
        for alias in ref["short_aliases"].split("|"):
            alias = alias.replace("[common mis-cite]", "").strip()
            if alias:
                assert register.resolve(cite(alias)) is not None, alias


def test_rows_outside_the_reference_assert_nothing_unchecked(register: LawRegister) -> None:
    titles = {r["canonical_title"] for r in reference_rows()} if REFERENCE.exists() else set()
    for entry in register:
        if entry.canonical_title in titles:
            continue
        if entry.confidence == "unverified":
            assert entry.status == "unknown", entry.id
        assert entry.confidence != "verified", entry.id
        assert entry.source, entry.id


# --- loading errors name the file and line ------------------------------------------------

ROW = {
    "id": "a-law",
    "canonical_title": "甲法",
    "aliases": "甲",
    "misprints": "",
    "doc_type": "法律",
    "level": "national",
    "issuing_jurisdiction": "100000",
    "issuer": "",
    "document_number": "",
    "promulgated": "",
    "effective": "",
    "status": "unknown",
    "status_date": "",
    "replaced_by": "",
    "source": "test",
    "confidence": "unverified",
    "note": "",
}


def write(tmp_path: Path, *rows: dict[str, str]) -> Path:
    path = tmp_path / "laws.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ({"id": "a-law"}, "duplicate id 'a-law'"),
        ({"aliases": "甲"}, "already belongs to 'a-law'"),
        ({"misprints": "甲法"}, "already belongs to 'a-law'"),
        ({"doc_type": "法规"}, "unknown doc_type"),
        ({"level": "county"}, "unknown level"),
        ({"status": "valid"}, "unknown status"),
        ({"confidence": "sure"}, "unknown confidence"),
        ({"replaced_by": "no-such-law"}, "replaced_by 'no-such-law' is not an id"),
        ({"id": "B_Law"}, "not a lowercase ASCII slug"),
        ({"effective": "2001年"}, "is not a date"),
        ({"status_date": "2020-01-01 [maybe]"}, "unknown qualifier"),
        ({"issuing_jurisdiction": "ningxia"}, "GB/T 2260"),
    ],
)
def test_load_errors_name_file_and_line(
    tmp_path: Path, second: dict[str, str], message: str
) -> None:
    other = {**ROW, "id": "b-law", "canonical_title": "乙法", "aliases": "乙", **second}
    path = write(tmp_path, ROW, other)
    with pytest.raises(
        LawRegisterError, match=re.escape(f"{path}:3: ") + ".*" + re.escape(message)
    ):
        LawRegister.load(path)


def test_wrong_header_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laws.csv"
    path.write_text("id,title\nx,y\n", encoding="utf-8")
    with pytest.raises(LawRegisterError, match=re.escape(f"{path}:1:")):
        LawRegister.load(path)


def test_qualifiers_lower_one_fact_only(tmp_path: Path) -> None:
    row = {
        **ROW,
        "status": "repealed",
        "status_date": "2020-03-27 [weak source]",
        "confidence": "verified",
        "effective": "2001-01-01 [unverified]",
    }
    entry = LawRegister.load(write(tmp_path, row))["a-law"]
    assert entry.status_date == "2020-03-27"
    assert entry.fact("status_date") == ("2020-03-27", "likely")
    assert entry.fact("effective") == ("2001-01-01", "unverified")
    assert entry.fact("status") == ("repealed", "verified")


# --- every document the raw catalogs cite resolves ----------------------------------------

# Table regions (1-based, inclusive) per raw file: where 依据/设定依据 cells are printed.
TABLE_LINES = {
    "ningxia-district.txt": (1, 10_000),  # the catalog, printed 9 times; headings carry no 《》
    "chongqing.txt": (15, 10_000),  # the item table after the covering notice
    "changzhi.txt": (124, 198),  # 附件1–附件4 (附件5 is a blank approval form)
    "sichuan.txt": (34, 10_000),  # 附件1–附件3
    "tianjin.txt": (0, -1),  # prose only, no item table
}

# 《…》 inside table regions that are not legal citations.
NOT_CITATIONS = {
    (
        "chongqing.txt",
        "社区居民、村民防火公约",
    ): "a pact the committee helps draft (duty text, line 120)",
    (
        "chongqing.txt",
        "社区、居民村民消防安全行为规范手册",
    ): "a handbook to draft (duty text, line 120)",
    ("changzhi.txt", "就业失业登记证"): "a certificate named in 附件4 (出具证明), line 191",
    ("changzhi.txt", "独生子女父母光荣证"): "a certificate named in 附件4, line 194",
    ("changzhi.txt", "再生育服务证"): "a certificate named in 附件4, line 194",
}

# Document numbers of the catalogs themselves (not citations of another document).
OWN_NUMBERS = {
    "渝民发〔2021〕6号": "chongqing.txt:3, the Chongqing catalog's own number",
    "长民发〔2017〕124号": "changzhi.txt:5, the Changzhi catalog's own number",
    "津民发〔2019〕35号": "tianjin.txt:4, the Tianjin document's own number",
}

# Documents named in covering notices and preambles (prose, outside the tables): they are in
# the register too, so a catalog can link to its parent document.
PREAMBLE_CITATIONS = [
    ("chongqing.txt", 6, "关于进一步明确基层群众性自治组织依法自治及协助政府工作事项的通知"),
    ("changzhi.txt", 11, "关于转发民政部中共中央组织部〈关于进一步开展社区减负工作的通知〉的通知"),
    ("changzhi.txt", 30, "关于进一步开展社区减负工作的通知"),
    ("changzhi.txt", 50, "关于加强和改进城市社区居民委员会建设工作的意见"),
    # split by the OCR: 《关于进一步加强城市社区居民委 (line 50) / 员会建设工作的实施意见》 (52)
    ("changzhi.txt", 52, "关于进一步加强城市社区居民委员会建设工作的实施意见"),
]
# Self-references in preambles (the catalog's own title or its annexes), not citations.
PREAMBLE_SELF = {
    "基层群众性自治组织依法协助政府工作事项细化清单",  # chongqing.txt:2, 7
    "关于减轻城乡社区负担提升社区服务效能的实施意见",  # changzhi.txt:7, 11
    "城乡社区依法自治工作事项",  # sichuan.txt:17 (附件1)
    "城乡社区协助办理工作事项",  # sichuan.txt:18 (附件2)
    "城乡社区负面工作事项",  # sichuan.txt:19 (附件3)
    "关于进一步开展社区减负工作依法厘清居民委员会职责提升为民服务效能的意见",  # tianjin.txt:10
}


def bracketed_titles(line: str) -> list[str]:
    """Every outermost 《…》 of a line, found by bracket counting only."""
    titles, depth, start = [], 0, 0
    for i, ch in enumerate(line):
        if ch == "《":
            depth, start = depth + 1, i if depth == 0 else start
        elif ch == "》" and depth:
            depth -= 1
            if depth == 0:
                titles.append(line[start + 1 : i])
    return titles


def raw_lines(name: str) -> list[str]:
    return (RAW / name).read_text(encoding="utf-8").split("\n")


def test_every_bracketed_title_in_the_tables_resolves(register: LawRegister) -> None:
    seen, unresolved = 0, []
    for name, (first, last) in TABLE_LINES.items():
        for number, line in enumerate(raw_lines(name), 1):
            if not first <= number <= last:
                continue
            for title in bracketed_titles(line):
                if (name, normalise_title(title)) in NOT_CITATIONS:
                    continue
                seen += 1
                citation = cite(title)
                # 《发文机关〈标题〉》: let the parser split the issuer off, as loaders will
                parsed = parse_citations(f"《{title}》")
                if register.resolve(citation) is None and (
                    not parsed or register.resolve(parsed[0]) is None
                ):
                    unresolved.append(f"{name}:{number} 《{title}》")
    assert seen > 600
    assert unresolved == []


def test_every_citation_the_parser_finds_in_the_tables_resolves(register: LawRegister) -> None:
    unresolved = []
    for name, (first, last) in TABLE_LINES.items():
        for number, line in enumerate(raw_lines(name), 1):
            if not first <= number <= last:
                continue
            for citation in parse_citations(line):
                key = (name, normalise_title(citation.title or ""))
                if key in NOT_CITATIONS:
                    continue
                if register.resolve(citation) is None:
                    unresolved.append(f"{name}:{number} {citation.text}")
    assert unresolved == []


def test_every_document_number_in_the_files_resolves(register: LawRegister) -> None:
    pattern = re.compile(r"[\u4e00-\u9fff]{1,8}〔\d{4}〕\d+号|[\u4e00-\u9fff]{0,12}令第?\d+号")
    unresolved, seen = [], 0
    for name in TABLE_LINES:
        for number, line in enumerate(raw_lines(name), 1):
            citations = parse_citations(line)
            for match in pattern.finditer(line):
                printed = normalise_document_number(match.group())
                if any(printed.endswith(own) for own in OWN_NUMBERS):
                    continue
                seen += 1
                carriers = [
                    c
                    for c in citations
                    if c.document_number and printed.endswith(c.document_number)
                ]
                if not carriers or any(register.resolve(c) is None for c in carriers):
                    unresolved.append(f"{name}:{number} {printed}")
    assert seen > 200
    assert unresolved == []


@pytest.mark.parametrize(("name", "line", "title"), PREAMBLE_CITATIONS)
def test_preamble_citations_resolve(
    register: LawRegister, name: str, line: int, title: str
) -> None:
    window = "".join(raw_lines(name)[max(0, line - 3) : line])  # OCR splits some titles
    assert normalise_title(title) in normalise_title(window)
    assert register.resolve(cite(title)) is not None


def test_self_references_are_not_in_the_register(register: LawRegister) -> None:
    for title in PREAMBLE_SELF:
        assert register.resolve(cite(title)) is None, title


# --- the national register (data/registers/laws-national.csv, law-editions.csv) -----------

NATIONAL = ROOT / "data" / "registers"
SOURCE_DB = ROOT.parent / "shared" / "reference" / "law-register-source.sqlite3"
SHARED_TEXTS = ROOT.parent / "shared" / "reference" / "law-texts"
GENERATOR = ROOT / "tools" / "make_national_register.py"
# National laws no seed catalog cites: (short title, full title, id, latest edition).
UNCITED_LAWS = [
    ("检察官法", "中华人民共和国检察官法", "lrb-8bea5e21ab8f", "2019-04-23"),
    (
        "澳门特别行政区驻军法",
        "中华人民共和国澳门特别行政区驻军法",
        "lrb-4b8446cecc97",
        "1999-06-28",
    ),
    ("集会游行示威法", "中华人民共和国集会游行示威法", "lrb-aedb5aae3185", "2009-08-27"),
    ("缔结条约程序法", "中华人民共和国缔结条约程序法", "lrb-08f1c0c5de20", "1990-12-28"),
    ("公司法", "中华人民共和国公司法", "lrb-346e158f261d", "2023-12-29"),
    ("会计法", "中华人民共和国会计法", "lrb-bfb214a9caad", "2024-06-28"),
    ("反垄断法", "中华人民共和国反垄断法", "lrb-d08bc25bd5c1", "2022-06-24"),
    ("反洗钱法", "中华人民共和国反洗钱法", "lrb-cf120f6662ba", "2024-11-08"),
    ("农业技术推广法", "中华人民共和国农业技术推广法", "lrb-100ff1789ec1", "2024-04-26"),
    ("国境卫生检疫法", "中华人民共和国国境卫生检疫法", "lrb-29eab9eef60f", "2024-06-28"),
]


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_national_register", GENERATOR)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_repealed_law_keeps_its_reviewed_date_and_successor(register: LawRegister) -> None:
    entry = register["prc-marriage-law"]
    assert (entry.status, entry.status_date, entry.replaced_by) == (
        "repealed",
        "2021-01-01",
        "prc-civil-code",
    )
    assert resolve_id(register, "婚姻法") == "prc-marriage-law"


def test_amended_law_has_the_editions_the_source_lists(register: LawRegister) -> None:
    entry = register["prc-work-safety-law"]  # a reviewed row: its id and facts are kept
    assert entry.national_id == "lrb-e9033ad1843a" and entry.status == "amended"
    editions = [(e.date, e.valid_from, e.expired, e.event) for e in entry.editions]
    assert editions == [
        ("2002-06-29", "", "", "通过"),  # adoption and the two amendments: the text's history
        ("2009-08-27", "", "", "修正"),
        ("2014-08-31", "", "", "修正"),
        ("2021-06-10", "2021-09-01", "0", "修正"),  # the one edition the sqlite file lists
    ]
    assert entry.editions[-1].source == (
        "db.sqlite3#law/e9033ad1843a44079caf140821259c42 ; 社会法/安全生产法(2021-06-10).md:9"
    )


def test_judicial_interpretation_resolves_by_full_and_short_title(register: LawRegister) -> None:
    full = "最高人民法院关于适用《中华人民共和国担保法》若干问题的解释"
    short = "最高人民法院关于适用《担保法》若干问题的解释"
    assert resolve_id(register, full) == resolve_id(register, short) == "lrb-07b3001c2279"
    entry = register.resolve(cite(short))
    assert entry is not None
    assert (entry.entry.canonical_title, entry.entry.doc_type, entry.entry.level) == (
        full,
        "司法解释",
        "national",
    )
    assert entry.entry.issuer == "最高人民法院" and not entry.entry.reviewed


def test_repealed_regulation_with_its_state_council_order_number(register: LawRegister) -> None:
    resolution = register.resolve(cite("信访条例"))
    assert resolution is not None
    entry = resolution.entry
    assert (entry.id, entry.doc_type, entry.document_number, entry.status) == (
        "lrb-457e27ab9606",
        "行政法规",
        "国务院令第431号",
        "repealed",  # its only edition is expired in the source: no longer in force
    )
    assert entry.status_date == "" and entry.replaced_by == ""  # not in the source
    assert [(e.date, e.expired) for e in entry.editions] == [("2005-01-10", "1")]
    by_number = register.resolve(cite(number="国务院令第431号"))
    assert by_number is not None and by_number.entry.id == entry.id


@pytest.mark.parametrize(("short", "full", "law_id", "latest"), UNCITED_LAWS)
def test_national_laws_no_seed_cites_resolve(
    register: LawRegister, short: str, full: str, law_id: str, latest: str
) -> None:
    seeds = "".join(normalise_title(p.read_text(encoding="utf-8")) for p in RAW.glob("*.txt"))
    assert normalise_title(short) not in seeds
    for title in (short, full, f"《{full}》"):
        resolution = register.resolve(cite(title))
        assert resolution is not None, title
        assert resolution.entry.id == law_id and resolution.entry.doc_type == "法律"
    entry = register.resolve(cite(full))
    assert entry is not None and entry.entry.editions[-1].date == latest


def test_reviewed_ids_are_unchanged_and_come_first(register: LawRegister) -> None:
    with REGISTER.open(encoding="utf-8") as handle:
        ids = [row["id"] for row in csv.DictReader(handle)]
    assert [e.id for e in register] == ids  # iteration: the reviewed rows, as published
    documents = list(register.documents())
    assert len(documents) - len(ids) == 1417 - sum(1 for e in register if e.national_id)
    assert all(e.id.startswith("lrb-") and not e.reviewed for e in documents[len(ids) :])


def test_no_title_is_claimed_by_two_documents(register: LawRegister) -> None:
    owner: dict[str, str] = {}
    for entry in register.documents():
        for title in (*entry.titles, *entry.misprints):
            key = normalise_title(title)
            assert owner.setdefault(key, entry.id) == entry.id, (key, owner[key], entry.id)
    assert register.collisions == ()
    # the one real collision in the source, resolved by the generator: one document listed
    # twice (dated and undated, its joint issuers spaced or with 、) is one entry
    resolution = register.resolve(
        cite(
            "最高人民法院 最高人民检察院关于办理非法从事资金支付结算业务、"
            "非法买卖外汇刑事案件适用法律若干问题的解释"
        )
    )
    assert resolution is not None and "two spellings" in resolution.entry.note


def test_national_register_without_its_editions_file_is_not_read(tmp_path: Path) -> None:
    (tmp_path / "laws.csv").write_bytes(REGISTER.read_bytes())
    (tmp_path / "laws-national.csv").write_bytes((NATIONAL / "laws-national.csv").read_bytes())
    alone = LawRegister.load(tmp_path / "laws.csv")
    assert len(list(alone.documents())) == 182


def test_malformed_national_row_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "laws.csv").write_bytes(REGISTER.read_bytes())
    lines = (NATIONAL / "laws-national.csv").read_text(encoding="utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if ",法律," in line)
    lines[index] = lines[index].replace(",法律,", ",法規,", 1)
    (tmp_path / "laws-national.csv").write_text("\n".join(lines), encoding="utf-8")
    (tmp_path / "law-editions.csv").write_bytes((NATIONAL / "law-editions.csv").read_bytes())
    where = f"laws-national.csv:{index + 1}: unknown doc_type '法規'"
    with pytest.raises(LawRegisterError, match=re.escape(where)):
        LawRegister.load(tmp_path / "laws.csv")


@pytest.mark.skipif(not SOURCE_DB.exists(), reason="../shared reference not present")
def test_generated_register_is_in_sync_with_the_generator(tmp_path: Path) -> None:
    (tmp_path / "law-headers.csv").write_bytes((NATIONAL / "law-headers.csv").read_bytes())
    assert load_generator().main([str(SOURCE_DB), "--out", str(tmp_path)]) == 0
    for name in ("laws-national.csv", "law-editions.csv"):
        assert (tmp_path / name).read_bytes() == (NATIONAL / name).read_bytes(), name


@pytest.mark.skipif(not SHARED_TEXTS.exists(), reason="../shared reference not present")
def test_committed_headers_are_the_texts_own() -> None:
    generator = load_generator()
    with (NATIONAL / "law-headers.csv").open(encoding="utf-8", newline="") as handle:
        committed: dict[str, list[tuple[int, str]]] = {}
        for row in csv.DictReader(handle):
            committed.setdefault(row["file"], []).append((int(row["line"]), row["text"]))
    checked = 0
    for path in sorted(SHARED_TEXTS.glob("*/*.md")):
        file = path.relative_to(SHARED_TEXTS).as_posix()
        if file in committed:
            assert generator.read_header_lines(path) == committed[file], file
            checked += 1
    assert checked >= 40
