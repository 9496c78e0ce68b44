"""Department cells → names, and the department → sector register (data/registers/).

The coverage tests read the verbatim sources in data/raw/ themselves, with rules stated here,
so that every department name either catalog prints is proven to have a reviewed register row.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cdkg.loaders.normalise.departments import (
    DepartmentRegister,
    RegisterError,
    load_sectors,
    normalise_cell,
    split_departments,
    split_qualifier,
)

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "data" / "raw"
REGISTERS = ROOT / "data" / "registers"
DEPARTMENTS_CSV = REGISTERS / "departments.csv"
SECTORS_CSV = REGISTERS / "sectors.csv"

NINGXIA = "ningxia-district"
CHONGQING = "chongqing"


@pytest.fixture(scope="module")
def register() -> DepartmentRegister:
    return DepartmentRegister.load(DEPARTMENTS_CSV)


# --- source cells ------------------------------------------------------------------------------


def ningxia_cells() -> list[tuple[int, str]]:
    """(line, cell) of the 4th column (指导部门 / 对应部门) of every table row of the first copy
    of the catalog (lines 7–91). Header rows (类别 / 序号) and the closing "其他…" rows, whose
    4th column is empty, give no cell."""
    lines = (RAW / "ningxia-district.txt").read_text(encoding="utf-8").split("\n")
    cells = []
    for number in range(7, 92):
        columns = lines[number - 1].split("\t")
        if len(columns) < 4 or columns[0] in ("类别", "序号"):
            continue
        if columns[3].strip():
            cells.append((number, columns[3]))
    return cells


def chongqing_cells() -> list[tuple[int, str]]:
    """(line, cell) of every 主管单位 cell.

    Rule: in this layout each cell starts on a tab-led line. A tab-led line beginning with 《
    is the first line of an item's 依据 cell (continuation lines of that cell are not
    tab-led), and the next tab-led line with any text is the 主管单位 cell. Looking for the
    empty 备注 cell instead would miss items 18 and 22, whose 备注 cell ran into the next item.
    """
    lines = (RAW / "chongqing.txt").read_text(encoding="utf-8").split("\n")
    cells = []
    after_basis = False
    for number, line in enumerate(lines, start=1):
        if not line.lstrip(" ").startswith("\t"):
            continue
        text = line.strip()
        if text.startswith("《"):
            after_basis = True
        elif text and after_basis:
            cells.append((number, text))
            after_basis = False
    return cells


def test_source_cell_counts() -> None:
    """Ningxia: 46 duties, 5 of them with a continuation row (lines 11, 18, 63–65) → 51 cells.
    Chongqing: 27 items (numbers 19 and 23 are lost in the text, their cells are not)."""
    assert len(ningxia_cells()) == 51
    assert len(chongqing_cells()) == 27


def test_every_source_department_has_a_register_row(register: DepartmentRegister) -> None:
    unmapped: list[str] = []
    for jurisdiction, cells in ((NINGXIA, ningxia_cells()), (CHONGQING, chongqing_cells())):
        known = register.names(jurisdiction)
        for line, cell in cells:
            names = split_departments(cell, known)
            assert names, f"{jurisdiction}:{line}: no department in {cell!r}"
            unmapped += [
                f"{jurisdiction}:{line}: {name!r} (cell {cell!r})"
                for name in names
                if register.lookup(jurisdiction, name) is None
            ]
    assert not unmapped, "names without a row in departments.csv:\n" + "\n".join(unmapped)


def test_every_register_row_is_used(register: DepartmentRegister) -> None:
    """A row no source cell produces is a typo or a stale decision."""
    used = {
        (jurisdiction, name)
        for jurisdiction, cells in ((NINGXIA, ningxia_cells()), (CHONGQING, chongqing_cells()))
        for _, cell in cells
        for name in split_departments(cell, register.names(jurisdiction))
    }
    unused = [
        (e.jurisdiction, e.name) for e in register.entries() if (e.jurisdiction, e.name) not in used
    ]
    assert not unused


def test_distinct_name_counts(register: DepartmentRegister) -> None:
    assert len(register.names(NINGXIA)) == 46
    assert len(register.names(CHONGQING)) == 16


# --- splitting ---------------------------------------------------------------------------------

KNOWN_NINGXIA = {
    "工业信息化和科学技术局",
    "党建引领基层治理协调机制成员单位",
    "基本公共服务、社会公益服务和便民利民服务主管部门",
}


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("纪委监委 组织部 宣传部", ["纪委监委", "组织部", "宣传部"]),
        ("组织部 社会工作部", ["组织部", "社会工作部"]),
        ("公安分局 (禁毒委)", ["公安分局（禁毒委）"]),
        ("公安分局（禁毒委）", ["公安分局（禁毒委）"]),
        ("公安分局 ( 禁毒委 ) 民政局", ["公安分局（禁毒委）", "民政局"]),
        ("党建引领基层治理协调机制 成员单位", ["党建引领基层治理协调机制成员单位"]),
        (
            "应急管理局 自然资源局 工业信息化和科学 技术局 农业农村和水务局",
            ["应急管理局", "自然资源局", "工业信息化和科学技术局", "农业农村和水务局"],
        ),
        ("住房城乡建设和交通局", ["住房城乡建设和交通局"]),
        (
            "基本公共服务、社会公益服务和便民利民服务主管部门",
            ["基本公共服务、社会公益服务和便民利民服务主管部门"],
        ),
        ("相关意见建议涉及业务主管部门", ["相关意见建议涉及业务主管部门"]),
        ("法院系统", ["法院系统"]),
        ("区委办", ["区委办"]),
        ("政府办", ["政府办"]),
        ("<b>组织部</b> <p>宣传部</p>", ["组织部", "宣传部"]),
        ("", []),
        ("  \t ", []),
    ],
)
def test_split_ningxia(cell: str, expected: list[str]) -> None:
    assert split_departments(cell, KNOWN_NINGXIA) == expected


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("民政部门", ["民政部门"]),
        ("生态环境、公安、文化旅游部门", ["生态环境部门", "公安部门", "文化旅游部门"]),
        (
            "公安部门、城市管理部门、市场监管部门、农业农村部门、卫生健康部门",
            ["公安部门", "城市管理部门", "市场监管部门", "农业农村部门", "卫生健康部门"],
        ),
        ("城市管理部门、规划自然资源部门", ["城市管理部门", "规划自然资源部门"]),
        ("消防总队", ["消防总队"]),
        ("相关部门", ["相关部门"]),
        ("民政部门；公安部门,教育部门，司法部门", ["民政部门", "公安部门", "教育部门", "司法部门"]),
        ("民政局、公安、教育部门", ["民政局", "公安部门", "教育部门"]),
    ],
)
def test_split_chongqing(cell: str, expected: list[str]) -> None:
    assert split_departments(cell) == expected


def test_space_wrap_needs_the_known_name() -> None:
    """Without the register a wrapped name cannot be told from two names."""
    assert split_departments("工业信息化和科学 技术局") == ["工业信息化和科学", "技术局"]


def test_known_name_with_enumeration_comma_is_not_expanded() -> None:
    """The generic Ningxia name contains 、 but is one name, so no 部门 suffix is shared."""
    cell = "基本公共服务、社会公益服务和便民利民服务主管部门"
    assert split_departments(cell) != [cell]
    assert split_departments(cell, KNOWN_NINGXIA) == [cell]


def test_repeats_are_dropped_in_order() -> None:
    assert split_departments("妇联 团委 妇联") == ["妇联", "团委"]


def test_separator_inside_brackets_does_not_split() -> None:
    assert split_departments("公安分局（禁毒委、综治委） 民政局") == [
        "公安分局（禁毒委、综治委）",
        "民政局",
    ]


def test_split_qualifier() -> None:
    assert split_qualifier("公安分局（禁毒委）") == ("公安分局", "禁毒委")
    assert split_qualifier("公安分局") == ("公安分局", None)


def test_normalise_cell_keeps_chinese_angle_titles() -> None:
    assert normalise_cell("<p>《条例》 <关于…的意见></p>") == "《条例》 <关于…的意见>"


# --- register ----------------------------------------------------------------------------------


def test_register_lookups(register: DepartmentRegister) -> None:
    def sector(jurisdiction: str, name: str) -> str:
        entry = register.lookup(jurisdiction, name)
        assert entry is not None, name
        return entry.sector

    assert sector(NINGXIA, "公安分局") == "public-security"
    assert sector(NINGXIA, "公安分局（禁毒委）") == "public-security"
    assert sector(CHONGQING, "公安部门") == "public-security"
    assert sector(NINGXIA, "卫生健康局") == "health"
    assert sector(CHONGQING, "卫生健康部门") == "health"
    assert sector(NINGXIA, "民政局") == sector(CHONGQING, "民政部门") == "civil-affairs"
    assert sector(CHONGQING, "相关部门") == "unspecified"
    assert sector(NINGXIA, "妇联") == "mass-organizations"
    assert register.lookup(CHONGQING, "公安分局") is None
    sub_bureau = register.lookup(NINGXIA, "公安分局")
    assert sub_bureau is not None and sub_bureau.id == "public-security-sub-bureau"


def test_sub_body_points_to_its_parent(register: DepartmentRegister) -> None:
    entry = register.lookup(NINGXIA, "公安分局（禁毒委）")
    assert entry is not None and entry.parent_name == "公安分局"
    assert register.lookup(NINGXIA, entry.parent_name) is not None
    plain = register.lookup(NINGXIA, "民政局")
    assert plain is not None and plain.parent_name is None


def test_generic_names_say_so(register: DepartmentRegister) -> None:
    entry = register.lookup(CHONGQING, "相关部门")
    assert entry is not None and entry.note.startswith("generic")


def test_ids_are_unique_slugs_per_jurisdiction(register: DepartmentRegister) -> None:
    seen: set[tuple[str, str]] = set()
    for entry in register.entries():
        key = (entry.jurisdiction, entry.id)
        assert key not in seen, key
        seen.add(key)
        assert entry.id.isascii() and entry.id == entry.id.lower()


def test_every_referenced_sector_exists(register: DepartmentRegister) -> None:
    sectors = load_sectors(SECTORS_CSV)
    assert {e.sector for e in register.entries()} <= set(sectors)


def test_sector_scheme() -> None:
    sectors = load_sectors(SECTORS_CSV)
    assert 25 <= len(sectors) <= 40
    for sector in sectors.values():
        assert sector.label_zh and sector.label_en and sector.org_classification_note
    assert sectors["public-security"].label_zh == "公安"


def test_department_columns_are_exact() -> None:
    with DEPARTMENTS_CSV.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["jurisdiction", "name", "id", "sector", "note"]


# --- register errors ---------------------------------------------------------------------------

HEADER = "jurisdiction,name,id,sector,note\n"


def _load(tmp_path: Path, rows: str) -> DepartmentRegister:
    path = tmp_path / "departments.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    return DepartmentRegister.load(path, SECTORS_CSV)


def test_duplicate_name_names_file_and_line(tmp_path: Path) -> None:
    rows = "chongqing,公安部门,public-security,public-security,\n" * 2
    with pytest.raises(RegisterError, match=r"departments\.csv:3: duplicate name '公安部门'"):
        _load(tmp_path, rows)


def test_duplicate_id(tmp_path: Path) -> None:
    rows = "chongqing,公安部门,police,public-security,\nchongqing,民政部门,police,civil-affairs,\n"
    with pytest.raises(RegisterError, match=r":3: duplicate id 'police'"):
        _load(tmp_path, rows)


def test_same_name_in_two_jurisdictions_is_fine(tmp_path: Path) -> None:
    rows = "chongqing,妇联,womens-federation,mass-organizations,\n" + (
        "ningxia-district,妇联,womens-federation,mass-organizations,\n"
    )
    assert len(_load(tmp_path, rows)) == 2


def test_unknown_sector(tmp_path: Path) -> None:
    with pytest.raises(RegisterError, match=r":2: unknown sector id 'police'"):
        _load(tmp_path, "chongqing,公安部门,public-security,police,\n")


@pytest.mark.parametrize("bad_id", ["Public-Security", "公安", "public_security", "a--b", "-a"])
def test_bad_id(tmp_path: Path, bad_id: str) -> None:
    with pytest.raises(RegisterError, match=r":2: bad id"):
        _load(tmp_path, f"chongqing,公安部门,{bad_id},public-security,\n")


def test_name_not_in_normal_form(tmp_path: Path) -> None:
    with pytest.raises(
        RegisterError, match=r":2: name '公安分局 \(禁毒委\)' is not as split_departments"
    ):
        _load(tmp_path, "ningxia-district,公安分局 (禁毒委),a,public-security,\n")


def test_wrong_header(tmp_path: Path) -> None:
    path = tmp_path / "departments.csv"
    path.write_text("jurisdiction,name,id,sector\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r"departments\.csv:1: header"):
        DepartmentRegister.load(path, SECTORS_CSV)


def test_duplicate_sector_id(tmp_path: Path) -> None:
    path = tmp_path / "sectors.csv"
    row = "health,卫生健康,health,d,d,n\n"
    path.write_text(SECTORS_CSV.read_text(encoding="utf-8").splitlines()[0] + "\n" + row * 2)
    with pytest.raises(RegisterError, match=r"sectors\.csv:3: duplicate sector id 'health'"):
        load_sectors(path)


def test_run_together_known_names_are_split() -> None:
    """A cell cleaned by a prose cleaner (wrap spaces between Chinese characters dropped)."""
    known = {"卫生健康局", "公安分局", "公安分局（禁毒委）", "综合执法局"}
    assert split_departments("卫生健康局公安分局综合执法局", known) == [
        "卫生健康局",
        "公安分局",
        "综合执法局",
    ]
    assert split_departments("卫生健康局某某局", known) == ["卫生健康局某某局"]


def test_ningxia_cells_survive_space_removal(register: DepartmentRegister) -> None:
    """Raw and space-stripped cells give the same names, whichever form a parser passes."""
    known = register.names(NINGXIA)
    for line, cell in ningxia_cells():
        squeezed = "".join(cell.split())
        assert split_departments(squeezed, known) == split_departments(cell, known), line
