"""The generic department name table (data/registers/department-names.csv) and the register's
fallback to it for jurisdictions without rows of their own in departments.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.loaders.departments import (
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
