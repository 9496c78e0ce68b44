"""The Changzhi loader (长民发〔2017〕124号, OCR-damaged) and the generic corrections file.

Expected values are copied from data/raw/changzhi.txt (line numbers are 1-based source lines),
so each assertion can be checked by opening the source at that line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.loaders.cells import SourceError
from cdkg.loaders.normalise.corrections import Correction, apply_corrections, load_corrections
from cdkg.loaders.records import DutyRecord, ListType, ParseResult
from cdkg.loaders.sources import changzhi

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "data" / "raw" / "changzhi.txt"
CORRECTIONS = ROOT / "data" / "corrections" / "changzhi.csv"
HEADER = "file,line,list,number,field,value,reason\n"

SELF = ListType.SELF_GOVERNANCE
ASSIST = ListType.ASSISTANCE
SUPERVISE = ListType.SUPERVISION
PROOF = ListType.CERTIFICATION


@pytest.fixture(scope="module")
def corrections() -> list[Correction]:
    return load_corrections(CORRECTIONS)


@pytest.fixture(scope="module")
def result(corrections: list[Correction]) -> ParseResult:
    return changzhi.read(SOURCE, corrections)


@pytest.fixture(scope="module")
def uncorrected() -> ParseResult:
    return changzhi.read(SOURCE)


def duty(result: ParseResult, list_type: ListType, number: str) -> DutyRecord:
    [found] = [d for d in result.duties if d.list_type is list_type and d.number == number]
    return found


def source_line(number: int) -> str:
    return SOURCE.read_text(encoding="utf-8").split("\n")[number - 1]


def write_source(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    """A copy of the source with its lines edited, for the bad-input cases."""
    lines = SOURCE.read_text(encoding="utf-8").split("\n")
    path = tmp_path / "changzhi.txt"
    path.write_text("\n".join(edit(lines)), encoding="utf-8")
    return path


def write_csv(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "changzhi.csv"
    path.write_text(HEADER + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


# --- counts and numbering -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("list_type", "count"), [(SELF, 16), (ASSIST, 34), (SUPERVISE, 4), (PROOF, 12)]
)
def test_counts_and_numbers_one_to_n_once(
    result: ParseResult, list_type: ListType, count: int
) -> None:
    numbers = [d.number for d in result.duties if d.list_type is list_type]
    assert sorted(numbers, key=int) == [str(n) for n in range(1, count + 1)]


def test_no_problems_and_nothing_skipped(result: ParseResult) -> None:
    assert [str(p) for p in result.problems] == []
    assert result.skipped == []


def test_sections_one_per_attachment_without_declared_counts(result: ParseResult) -> None:
    sections = [(s.list_type, s.heading_line, s.declared) for s in result.sections]
    assert sections == [
        (SELF, 126, None),
        (ASSIST, 144, None),
        # 附件3's headings are printed after its table (OCR reversed the lines).
        (SUPERVISE, 175, None),
        (PROOF, 183, None),
    ]


def test_every_duty_is_traced_to_its_source_line(result: ParseResult) -> None:
    for d in result.duties:
        assert d.catalog == "changzhi"
        assert d.lines == [d.line]
        assert d.source_text == source_line(d.line)


def test_citations_are_verbatim_unless_a_correction_says_otherwise(result: ParseResult) -> None:
    for d in result.duties:
        corrected = any(n.startswith("correction (") for n in d.notes)
        for cell in d.citation_cells:
            assert cell in d.source_text or corrected, (d.list_type, d.number, cell)


# --- 附件1 依法履行职责事项 ----------------------------------------------------------------------


def test_self_governance_row_1(result: ParseResult) -> None:
    d = duty(result, SELF, "1")
    assert d.name == "宣传宪法、法律、法规和国家的政策"
    assert d.citation_cells == ["《城市居民委员会组织法》第三条"]
    assert d.line == 129
    assert d.category == ""
    assert d.notes == []


def test_self_governance_row_16_recovered_from_run_together_line(result: ParseResult) -> None:
    d = duty(result, SELF, "16")
    assert d.name == "向当地人民政府或者有关部门报告事故隐患或者安全生产违法行为"
    assert d.citation_cells == ["《中华人民共和国安全生产法》第七十二条"]
    assert d.line == 139
    assert d.source_text == source_line(139)
    assert d.notes == ["recovered from run-together line 139 by rule (split at item numbers)"]


def test_self_governance_row_13_echo_dropped_by_rule(result: ParseResult) -> None:
    d = duty(result, SELF, "13")
    assert d.name == "依法做好残疾人工作"
    assert d.citation_cells == [
        "《中华人民共和国残疾人保障法》第七十七条、第八十条、第八十二条、第八十四条"
    ]
    assert any(
        n.startswith("dropped OCR echo by rule") and "40、《中华人民共和国婚姻法》" in n
        for n in d.notes
    )


def test_self_governance_row_14_keeps_misprinted_citation_verbatim(result: ParseResult) -> None:
    d = duty(result, SELF, "14")
    assert d.name == (
        "确定消防安全管理人，组织制定消防安全公约，进行消防安全检查；"
        "并履行公众性消防安全自我教育工作"
    )
    assert d.citation_cells == [
        "《中华人民共和国消防法》第三十二条、第三 四十二条、第四十二条、第四十四条"
    ]


def test_self_governance_row_10_from_corrections(result: ParseResult) -> None:
    d = duty(result, SELF, "10")
    assert d.name.startswith("坚持按照协商于民、协商为民的要求")
    assert d.citation_cells == [
        "1. 中共中央办公厅、国务院办公厅《关于加强社区居民委员会建设工作的意见》"
        "(中办发〔2010〕27号) 2. 中共中央办公厅、国务院办公厅《关于加强城乡社区协商的指导意见》"
        "(中办发〔2015〕41号)"
    ]
    notes = [n for n in d.notes if n.startswith("correction (")]
    assert [n.split(":")[0] for n in notes] == ["correction (data/corrections/changzhi.csv"] * 2
    assert notes[0].startswith("correction (data/corrections/changzhi.csv:2): OCR printed")


def test_self_governance_row_12_correction_only_cuts_echo(result: ParseResult) -> None:
    d = duty(result, SELF, "12")
    assert d.name == "遵守妇女、儿童和老年人权益保障工作"
    [citation] = d.citation_cells
    assert citation in source_line(139)  # a cut, not a rewrite: the misprint stays
    assert "《中华人民共和国预防未成年犯罪法》" in citation
    assert citation.endswith("第二十八条、第四十一条")


# --- 附件2 依法协助政府工作事项 ------------------------------------------------------------------


def test_assistance_row_2(result: ParseResult) -> None:
    d = duty(result, ASSIST, "2")
    assert d.name == "协助开展禁毒宣传教育、禁毒防范和社区禁毒"
    assert d.category == "社会治安"  # carried down from row 1 (line 147)
    assert d.citation_cells == ["《禁毒法》第十七条、第三十四条"]
    assert d.line == 148


def test_assistance_row_14_recovered_from_run_together_line(result: ParseResult) -> None:
    d = duty(result, ASSIST, "14")
    assert d.name == "加强对未成年人的校外教育工作"
    assert d.citation_cells == ["《教育法》第五十一条"]
    assert d.line == 160
    assert d.category == ""  # no 分类 printed for it; not carried down across the run


def test_assistance_row_21_wrap_spaces_removed_from_name_only(result: ParseResult) -> None:
    d = duty(result, ASSIST, "21")
    assert d.name == "对就业困难人员实施就业援助，协助办理就业登记、失业登记"
    assert d.citation_cells == [
        "1、《就业促进法》第三十五条 2、《就业服务与就业管理规定》第三十 一条"
    ]


def test_assistance_row_34_has_empty_citation(result: ParseResult) -> None:
    d = duty(result, ASSIST, "34")
    assert d.name == "为流动人口提供劳动就业、社会保障、计划生育、教育等公共服务"
    assert d.citation_cells == []
    assert d.citation_text == ""
    assert d.category == "流动人口权益保障"
    assert d.line == 167


@pytest.mark.parametrize(
    ("number", "rule", "reviewed"),
    [("6", "社区矫正", "公共卫生"), ("9", "公共卫生", "人口和计划生育")],
)
def test_merged_category_cells_corrected(
    result: ParseResult, uncorrected: ParseResult, number: str, rule: str, reviewed: str
) -> None:
    assert duty(uncorrected, ASSIST, number).category == rule
    d = duty(result, ASSIST, number)
    assert d.category == reviewed
    assert d.notes[-1].startswith("correction (data/corrections/changzhi.csv:")


def test_assistance_row_13_name_interleaved_in_basis(result: ParseResult) -> None:
    d = duty(result, ASSIST, "13")
    assert d.name == "协助人民政府或者它的派出机关做好优扶工作"
    assert d.category == "优扶"
    [citation] = d.citation_cells
    assert citation.startswith("1、《居民委员会组织法》第三条第五款 2、中共中央办公厅")
    assert "协助" not in citation


def test_assistance_categories_printed_inside_run(result: ParseResult) -> None:
    assert duty(result, ASSIST, "25").category == "社会救助"
    assert duty(result, ASSIST, "25").name.startswith("协助人民政府")
    assert duty(result, ASSIST, "26").category == "文化活动"
    assert duty(result, ASSIST, "29").category == "老年人权益保障"
    assert duty(result, ASSIST, "29").citation_cells == ["《老年人权益保障法》第七十条"]


# --- 附件3 and 附件4 ------------------------------------------------------------------------------


def test_supervision_row_4(result: ParseResult, uncorrected: ParseResult) -> None:
    d = duty(result, SUPERVISE, "4")
    assert d.line == 173
    assert d.name == (
        "指导和监督社区内社会组织、业主委员会、业主大会、物业服务企业开展工作，"
        "维护社区居民的合法权益"
    )
    assert d.citation_cells == [
        "中共中央办公厅、国务院办公厅《关于加强和改进城市社区居民委员会建设工作的意见》"
        "（中办发〔2010〕27号）"
    ]
    assert "于加强和改进" in duty(uncorrected, SUPERVISE, "4").name  # the OCR echo, as printed


def test_certification_row_12(result: ParseResult) -> None:
    d = duty(result, PROOF, "12")
    assert d.name == "出具应征入伍政审鉴定意见"
    assert d.line == 197
    assert d.citation_cells == []
    assert d.category == ""


# --- without corrections ------------------------------------------------------------------------


def test_rows_no_rule_recovers_are_errors_without_corrections(uncorrected: ParseResult) -> None:
    unnamed = [(p.line, p.message.split(":")[0]) for p in uncorrected.problems]
    assert unnamed == [
        (139, "self-governance item 10"),
        (139, "self-governance item 11"),
        (139, "self-governance item 12"),
        (160, "assistance item 13"),
    ]
    assert all(p.severity == "error" for p in uncorrected.problems)


# --- corrections file ---------------------------------------------------------------------------


def test_corrections_file_is_reviewed(corrections: list[Correction]) -> None:
    assert corrections
    for c in corrections:
        assert c.file == "changzhi.txt"
        assert len(c.reason) > 40, c


def test_stale_correction_is_reported(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "changzhi.txt,129,self-governance,99,name,x,no such item: a stale entry",
        "changzhi.txt,130,self-governance,1,name,x,item 1 is read from line 129",
    )
    result = changzhi.read(SOURCE, load_corrections(path))
    stale = [p for p in result.problems if p.file == str(path)]
    assert [p.line for p in stale] == [2, 3]
    assert "stale correction" in stale[0].message
    assert "read from line 129" in stale[1].message


def test_missing_reason_is_an_error_naming_the_csv_line(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "changzhi.txt,139,self-governance,10,name,x,a reason",
        "changzhi.txt,139,self-governance,11,name,y,",
    )
    with pytest.raises(SourceError) as error:
        load_corrections(path)
    assert error.value.line == 3
    assert str(error.value).startswith(f"{path}:3: missing reason")


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ("changzhi.txt,139,self-governance,10,label,x,why", "unknown field 'label'"),
        ("changzhi.txt,139,selfgovernance,10,name,x,why", "bad list 'selfgovernance'"),
        ("changzhi.txt,line,self-governance,10,name,x,why", "bad source line"),
        ("changzhi.txt,139,self-governance,10,name,,why", "empty value"),
    ],
)
def test_bad_correction_rows(tmp_path: Path, row: str, message: str) -> None:
    with pytest.raises(SourceError, match=message) as error:
        load_corrections(write_csv(tmp_path, row))
    assert error.value.line == 2


def test_correction_that_changes_nothing_is_a_warning(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path, "changzhi.txt,129,self-governance,1,name,宣传宪法、法律、法规和国家的政策,why"
    )
    result = changzhi.read(SOURCE, load_corrections(path))
    [problem] = [p for p in result.problems if p.file == str(path)]
    assert problem.severity == "warning"


def test_skip_and_number_corrections_and_purity(tmp_path: Path) -> None:
    parsed = changzhi.parse_lines(SOURCE.read_text(encoding="utf-8").split("\n"), "changzhi.txt")
    path = write_csv(
        tmp_path,
        "changzhi.txt,186,certification,1,skip,,not a duty (test)",
        "changzhi.txt,187,certification,2,number,2a,renumbered (test)",
    )
    corrected = apply_corrections(parsed, load_corrections(path))
    assert [d.number for d in parsed.duties if d.list_type is PROOF][:2] == ["1", "2"]
    numbers = [d.number for d in corrected.duties if d.list_type is PROOF]
    assert numbers[:2] == ["2a", "3"]
    [skip] = corrected.skipped
    assert (skip.line, skip.reason) == (186, f"correction ({path}:2): not a duty (test)")


def test_build_applying_corrections_later_gives_the_same_result(
    result: ParseResult, uncorrected: ParseResult, corrections: list[Correction]
) -> None:
    later = apply_corrections(uncorrected, corrections)
    assert later.duties == result.duties
    assert later.problems == result.problems == []


def test_explain_correction_turns_a_numbering_error_into_a_warning(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path,
        "changzhi.txt,183,certification,4,explain,,item 4 is not printed in the source (test)",
    )
    explain = load_corrections(path)
    assert [(c.list, c.number, c.field) for c in explain] == [("certification", "4", "explain")]
    source = write_source(tmp_path, lambda lines: [*lines[:188], *lines[189:]])
    [problem] = changzhi.read(source, [*load_corrections(CORRECTIONS), *explain]).problems
    assert (problem.line, problem.severity) == (183, "warning")
    assert problem.message.startswith("certification: missing item number 4 of 1–12 — explained")


# --- bad input ----------------------------------------------------------------------------------


def test_unknown_table_header(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        lines[184] = "序号\t证明名称"
        return lines

    result = changzhi.read(write_source(tmp_path, edit))
    messages = [(p.line, p.message) for p in result.problems]
    assert (185, "unknown table header ('序号', '证明名称')") in messages
    assert any(m.startswith("附件4 日常出具证明事项: no table") for _, m in messages)


def test_missing_attachment(tmp_path: Path) -> None:
    corrections = load_corrections(CORRECTIONS)
    result = changzhi.read(write_source(tmp_path, lambda lines: lines[:180]), corrections)
    assert [p.message.split(" ")[0] for p in result.problems] == ["附件4", "附件4"]
    assert {s.list_type for s in result.sections} == {SELF, ASSIST, SUPERVISE}


def test_duplicate_and_missing_numbers(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        lines[188] = lines[188].replace("4\t", "3\t", 1)  # 附件4 row 4 printed as 3
        return lines

    result = changzhi.read(write_source(tmp_path, edit))
    messages = [(p.line, p.message) for p in result.problems]
    assert (189, "certification: duplicate item number 3 (first at line 188)") in messages
    assert (183, "certification: missing item number 4 of 1–12") in messages


def test_line_inside_a_table_that_is_not_a_row_is_skipped(tmp_path: Path) -> None:
    def edit(lines: list[str]) -> list[str]:
        return [*lines[:190], "注\t以上证明须加盖公章", *lines[190:]]

    result = changzhi.read(write_source(tmp_path, edit))
    [skipped] = result.skipped
    assert (skipped.line, skipped.text) == (191, "注\t以上证明须加盖公章")
    assert "not a numbered row" in skipped.reason


def test_file_in_another_encoding(tmp_path: Path) -> None:
    path = tmp_path / "changzhi.txt"
    path.write_bytes(SOURCE.read_text(encoding="utf-8").encode("gb18030"))
    result = changzhi.read(path)
    [problem] = result.problems
    assert (problem.file, problem.severity) == ("changzhi.txt", "error")
    assert "not UTF-8" in problem.message
    assert result.duties == []


# --- the rules ----------------------------------------------------------------------------------


def test_split_run_only_at_the_next_number_in_sequence() -> None:
    text = "a 1、《法》第三条 2、b\t11 c 13 x 12 d"
    assert changzhi.split_run(text, 10) == [
        ("10", "a 1、《法》第三条 2、b\t"),
        ("11", "c 13 x "),
        ("12", "d"),
    ]


@pytest.mark.parametrize(
    ("piece", "name", "basis"),
    [
        (
            "开展科普活动 《科学技术普及法》第二十一条",
            "开展科普活动 ",
            "《科学技术普及法》第二十一条",
        ),
        ("就业登记 1、《就业促进法》第三十五条", "就业登记 ", "1、《就业促进法》第三十五条"),
        ("1. 中共中央办公厅《意见》 名称", "", "1. 中共中央办公厅《意见》 名称"),
        ("维护社会治安", "维护社会治安", ""),
    ],
)
def test_split_name_basis(piece: str, name: str, basis: str) -> None:
    assert changzhi.split_name_basis(piece) == (name, basis)


def test_echo_dropped_only_when_every_fragment_repeats() -> None:
    basis = "《甲法》第一条 40、《乙法》第二条 1、《丙法》第三条"
    line = f"x {basis} y 《乙法》第二条 《丙法》第三条"
    assert changzhi.drop_echo(basis, line) == (
        "《甲法》第一条",
        "40、《乙法》第二条 1、《丙法》第三条",
    )
    unique = "《甲法》第一条 40、《丁法》第九条"
    assert changzhi.drop_echo(unique, f"x {unique}") == (unique, "")
    in_sequence = "1、《甲法》第一条 2、《乙法》第二条"
    assert changzhi.drop_echo(in_sequence, in_sequence + in_sequence) == (in_sequence, "")
