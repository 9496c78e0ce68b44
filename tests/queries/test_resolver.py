"""The one parameter resolver (cdkg.queries.resolver) on the shipped data: codes, IRIs and
Chinese names for jurisdictions, list types and topics; errors in zh and en with "did you
mean"; the choices a select box offers. Names and codes come from data/registers
(jurisdictions.csv, topics.csv, import-headers.csv)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cdkg.loaders.build import build
from cdkg.loaders.layout import project_paths
from cdkg.queries.library import load_library
from cdkg.queries.resolver import ParamError, Resolver, resolver_for
from cdkg.server.store.engines import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/cdkg/id/"
CD = "https://w3id.org/cdkg/ontology#"
LIBRARY = load_library(ROOT / "queries")


@pytest.fixture(scope="module")
def resolver(tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    paths = project_paths(ROOT, tmp_path_factory.mktemp("resolver-build"))
    result = build(paths)
    assert result.published is not None, result.report.errors()
    store = OxigraphStore.from_file(paths.current / "dataset.nq")
    return resolver_for(store, ID, paths.registers)


@pytest.mark.parametrize(
    ("param", "value", "iri"),
    [
        ("jurisdiction", "500000", f"{ID}jurisdiction/500000"),
        ("jurisdiction", "重庆市", f"{ID}jurisdiction/500000"),
        ("jurisdiction", "重庆", f"{ID}jurisdiction/500000"),
        ("jurisdiction", f"<{ID}jurisdiction/500000>", f"{ID}jurisdiction/500000"),
        ("jurisdiction", f"{ID}jurisdiction/500000", f"{ID}jurisdiction/500000"),
        ("other_jurisdiction", "id:jurisdiction/510000", f"{ID}jurisdiction/510000"),
        ("other_jurisdiction", "四川", f"{ID}jurisdiction/510000"),
        ("jurisdiction", "宁夏", f"{ID}jurisdiction/640000"),  # 宁夏回族自治区, not the district
        ("jurisdiction", "ningxia-district", f"{ID}jurisdiction/ningxia-district"),
        ("jurisdiction", "长治", f"{ID}jurisdiction/140400"),
        ("jurisdiction", "Chongqing Municipality", f"{ID}jurisdiction/500000"),
        ("list_type", "协助", f"{CD}AssistanceDuty"),
        ("list_type", "依法协助", f"{CD}AssistanceDuty"),
        ("list_type", "协助办理", f"{CD}AssistanceDuty"),  # 四川 附件2's heading
        ("list_type", "assistance", f"{CD}AssistanceDuty"),
        ("list_type", "依法自治", f"{CD}SelfGovernanceDuty"),
        ("list_type", "负面", f"{CD}ExcludedDuty"),
        ("list_type", "取消", f"{CD}CancelledDuty"),
        ("list_type", "cd:SupervisionDuty", f"{CD}SupervisionDuty"),
        ("topic", "禁毒", f"{ID}topic/drug-control"),
        ("topic", "drug-control", f"{ID}topic/drug-control"),
        ("duty", "chongqing/assistance/6", f"{ID}duty/chongqing/assistance/6"),
    ],
)
def test_a_code_an_iri_or_a_name(resolver: Resolver, param: str, value: str, iri: str) -> None:
    assert resolver.value(param, value) == iri


def test_unknown_name_suggests_close_ones(resolver: Resolver) -> None:
    with pytest.raises(ParamError) as raised:
        resolver.value("jurisdiction", "重床市")
    error = raised.value
    assert error.param == "jurisdiction"
    assert [c.label for c in error.suggestions][:1] == ["重庆市"]
    assert (
        error.en
        == "parameter 'jurisdiction': no jurisdiction '重床市'; did you mean 重庆市 (500000)?"
    )
    assert error.zh == "参数 jurisdiction：没有名为“重床市”的地区。您是否要找：重庆市 (500000)"
    assert len(error.candidates) == len(resolver.choices("jurisdiction")) == 34


def test_ambiguous_name_lists_what_it_fits(resolver: Resolver) -> None:
    with pytest.raises(ParamError) as raised:
        resolver.value("jurisdiction", "山")
    assert [(c.label, c.key) for c in raised.value.candidates] == [
        ("山西省", "140000"),
        ("山东省", "370000"),
    ]
    assert "可指多个地区" in raised.value.zh and "fits several" in raised.value.en


def test_a_duty_not_in_the_dataset_points_to_search(resolver: Resolver) -> None:
    with pytest.raises(ParamError, match="search-duties"):
        resolver.value("duty", "chongqing/assistance/99")
    with pytest.raises(ParamError, match="is not a duty IRI or key"):
        resolver.value("duty", "not an iri")


def test_a_resource_of_another_kind_is_refused(resolver: Resolver) -> None:
    # A topic's IRI is not a jurisdiction: it is looked up by name among jurisdictions.
    with pytest.raises(ParamError, match="no jurisdiction"):
        resolver.value("jurisdiction", f"<{ID}topic/drug-control>")


def test_resolve_binds_a_named_query(resolver: Resolver) -> None:
    query = LIBRARY["assigned-here-removed-there"]
    values = resolver.resolve(query, {"jurisdiction": "重庆市", "other_jurisdiction": "510000"})
    assert values == {
        "jurisdiction": f"{ID}jurisdiction/500000",
        "other_jurisdiction": f"{ID}jurisdiction/510000",
    }
    assert f"VALUES ?jurisdiction {{ <{ID}jurisdiction/500000> }}" in query.bind(values)
    keyword = resolver.resolve(LIBRARY["search-duties"], {"keyword": "重庆"})
    assert keyword == {"keyword": "重庆"}  # not a resource: passed on as it is
    with pytest.raises(ValueError, match="unknown parameter 'place'"):
        resolver.resolve(query, {"place": "重庆"})


def test_choices_for_select_boxes(resolver: Resolver) -> None:
    jurisdictions = resolver.choices("other_jurisdiction")
    assert jurisdictions[0].key == "100000" and jurisdictions[0].label == "中华人民共和国"
    assert ("重庆市 (500000)", f"{ID}jurisdiction/500000") in [
        (c.display, c.value) for c in jurisdictions
    ]
    list_types = resolver.choices("list_type")
    assert [c.key for c in list_types] == [
        "self-governance",
        "assistance",
        "supervision",
        "certification",
        "cancelled",
        "excluded",
    ]
    assert list_types[1].label == "依法协助事项" and "协助办理" in list_types[1].names
    topics = {c.key: c.label for c in resolver.choices("topic")}
    assert topics["drug-control"] == "禁毒"
    assert resolver.choices("keyword") == [] and resolver.choices("duty") == []
