"""The generic department name table (data/registers/department-names.csv) and the register's
fallback to it for jurisdictions without rows of their own in departments.csv."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest

from cdkg.loaders.normalise import department_rules
from cdkg.loaders.normalise.department_rules import load_synonyms
from cdkg.loaders.normalise.departments import (
    DepartmentRegister,
    RegisterError,
    load_generic_names,
    load_sectors,
    split_departments,
)

REGISTERS = Path(__file__).resolve().parents[2] / "data" / "registers"


@pytest.fixture(scope="module")
def register() -> DepartmentRegister:
    return DepartmentRegister.load(REGISTERS / "departments.csv")


def test_the_names_the_issue_lists_are_mapped(register: DepartmentRegister) -> None:
    expected = {
        "公安局": "public-security",
        "公安分局": "public-security",
        "公安部门": "public-security",
        "民政局": "civil-affairs",
        "民政部门": "civil-affairs",
        "卫生健康局": "health",
        "卫生健康委": "health",
        "应急管理局": "emergency-management",
        "住房城乡建设局": "housing-urban-rural-development",
        "自然资源局": "natural-resources-planning",
        "市场监管局": "market-regulation",
        "司法局": "justice",
        "人力资源和社会保障局": "human-resources-social-security",
        "教育局": "education",
        "统计局": "statistics",
        "退役军人事务局": "veterans-affairs",
        "城市管理局": "urban-management",
        "综合执法局": "urban-management",
        "生态环境局": "ecology-environment",
        "农业农村局": "agriculture-rural-affairs",
        "文化旅游局": "culture-tourism",
        "街道办事处": "unspecified",
        "组织部": "party-organization",
        "宣传部": "party-propaganda",
        "统战部": "united-front",
        "政法委": "political-legal-affairs",
        "社会工作部": "social-work",
        "妇联": "mass-organizations",
        "团委": "mass-organizations",
        "残联": "mass-organizations",
        "红十字会": "mass-organizations",
        "消防救援大队": "fire-rescue",
        "人武部": "peoples-armed-forces",
    }
    found = {}
    for name in expected:
        entry = register.lookup("a-template-catalog", name)
        found[name] = entry.sector if entry else None
    assert found == expected


def test_fallback_only_without_own_rows(register: DepartmentRegister) -> None:
    # Chongqing has rows of its own: 公安局 is not one of them, and stays unmapped there.
    assert register.lookup("chongqing", "公安局") is None
    assert register.lookup("chongqing", "公安部门").id == "public-security-department"
    entry = register.lookup("new-catalog", "公安局")
    assert entry is not None and entry.jurisdiction == "new-catalog"
    assert register.lookup("new-catalog", "某某不存在的局") is None
    assert "公安局" in register.names("new-catalog")
    assert "公安局" not in register.names("chongqing")
    assert len(register) == 62  # the generic names are not department rows


def test_generic_names_split_as_the_table_lists_them(register: DepartmentRegister) -> None:
    names = register.names("new-catalog")
    assert split_departments("公安局、民政局；街道办事处", names) == [
        "公安局",
        "民政局",
        "街道办事处",
    ]
    assert split_departments("生态环境、公安、文化旅游部门", names) == [
        "生态环境部门",
        "公安部门",
        "文化旅游部门",
    ]


def test_bad_generic_row_names_file_and_line(tmp_path: Path) -> None:
    sectors = load_sectors(REGISTERS / "sectors.csv")
    path = tmp_path / "department-names.csv"
    path.write_text(
        "name,id,sector,note\n公安局,public-security-bureau,public-security,\n"
        "民政局,civil-affairs-bureau,civil-matters,\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError, match=r"department-names.csv:3: unknown sector id"):
        load_generic_names(path, sectors)
    path.write_text(
        "name,id,sector,note\n公安局,bureau,public-security,\n民政局,bureau,civil-affairs,\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError, match=r":3: duplicate id 'bureau' \(first on line 2\)"):
        load_generic_names(path, sectors)


# --- general rules for names no table lists (issue 14, item 5) -------------------------------


@pytest.mark.parametrize(
    ("printed", "name", "department_id", "sector"),
    [
        ("区民政局", "民政局", "civil-affairs-bureau", "civil-affairs"),
        ("成都市锦江区民政局", "民政局", "civil-affairs-bureau", "civil-affairs"),
        ("县公安局", "公安局", "public-security-bureau", "public-security"),
        ("派出所", "派出所", "police-station", "public-security"),
        ("春熙路派出所", "派出所", "police-station", "public-security"),
        ("公安分局", "公安分局", "public-security-sub-bureau", "public-security"),
        ("市场监管所", "市场监管所", "market-regulation-office", "market-regulation"),
        ("锦江区市场监管所", "市场监管所", "market-regulation-office", "market-regulation"),
        ("某某街道办事处", "街道办事处", "sub-district-office", "unspecified"),
        ("某某镇人民政府", "乡镇人民政府", "township-government", "unspecified"),
        ("卫健委", "卫健委", "health-commission-short", "health"),
        ("卫计委", "卫生健康委", "health-commission", "health"),
        ("区卫健局", "卫生健康局", "health-bureau", "health"),
        ("中共锦江区委组织部", "组织部", "organization-department", "party-organization"),
        (
            "住建委",
            "住建委",
            "housing-urban-rural-development-commission",
            "housing-urban-rural-development",
        ),
        ("工商局", "市场监管局", "market-regulation-bureau", "market-regulation"),
        ("残疾人联合会", "残联", "disabled-persons-federation", "mass-organizations"),
        ("公安县公安局", "公安局", "public-security-bureau", "public-security"),
        (
            "县人社局",
            "人社局",
            "human-resources-social-security-bureau-short",
            "human-resources-social-security",
        ),
    ],
)
def test_general_rules_place_unknown_names(
    register: DepartmentRegister, printed: str, name: str, department_id: str, sector: str
) -> None:
    entry = register.lookup("a-new-catalog", printed)
    assert entry is not None
    assert (entry.name, entry.id, entry.sector, entry.jurisdiction) == (
        name,
        department_id,
        sector,
        "a-new-catalog",
    )


@pytest.mark.parametrize("nonsense", ["某某不存在的局", "县人民政府", "阿巴阿巴"])
def test_what_no_rule_places_stays_unresolved(register: DepartmentRegister, nonsense: str) -> None:
    """县人民政府: the whole government, no sector."""
    assert register.lookup("a-new-catalog", nonsense) is None


@pytest.mark.parametrize(
    ("printed", "department_id", "sector"),
    [
        ("县林业局", "forestry-bureau", "natural-resources-planning"),
        ("区林业和草原局", "forestry-grassland-bureau", "natural-resources-planning"),
        ("水务局", "water-affairs-bureau", "water-resources"),
        ("长沙市水利局", "water-resources-bureau", "water-resources"),
    ],
)
def test_forestry_and_water_bodies_have_their_sectors(
    register: DepartmentRegister, printed: str, department_id: str, sector: str
) -> None:
    """林业局 sits in the natural-resources system since the 2018 reform; 水利局/水务局 are the
    water administration (data/registers/sectors.csv: water-resources)."""
    entry = register.lookup("a-new-catalog", printed)
    assert entry is not None
    assert (entry.id, entry.sector) == (department_id, sector)


def test_seed_jurisdictions_keep_their_own_rows(register: DepartmentRegister) -> None:
    """The rules serve catalogs without rows of their own; a seed's register stays exact."""
    assert register.lookup("chongqing", "区民政局") is None


def test_every_synonym_row_has_a_source_and_a_known_name() -> None:
    sectors = load_sectors(REGISTERS / "sectors.csv")
    names = {e.name: e.id for e in load_generic_names(REGISTERS / "department-names.csv", sectors)}
    synonyms = load_synonyms(REGISTERS / "department-synonyms.csv", names)
    assert len(synonyms) >= 50
    assert all(s.source and s.name in names for s in synonyms)


def test_bad_synonym_row_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "department-synonyms.csv"
    path.write_text(
        "alias,name,match,source\n卫计委,卫生健康委,name,2018\n工商局,工商管理局,name,x\n",
        encoding="utf-8",
    )
    with pytest.raises(RegisterError, match=r"department-synonyms.csv:3: name '工商管理局'"):
        load_synonyms(path, {"卫生健康委": "health-commission"})
    path.write_text("alias,name,match,source\n卫计委,卫生健康委,prefix,2018\n", encoding="utf-8")
    with pytest.raises(RegisterError, match=r":2: match must be one of name, suffix, stem"):
        load_synonyms(path, {"卫生健康委": "health-commission"})


def test_doctests() -> None:
    assert doctest.testmod(department_rules).failed == 0
