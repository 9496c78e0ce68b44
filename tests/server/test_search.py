"""Chinese keyword search (/search): matching, ranking, and the JSON and HTML answers."""

from __future__ import annotations

import json

import pytest
from conftest import DUTY_3, DUTY_3_LABEL, DUTY_6, DUTY_6_LABEL
from flask.testing import FlaskClient

from cdkg.server.reports.search_engine import Entry, Field, bigrams, normalise, rank, snippet

SICHUAN_2 = "https://w3id.org/cdkg/id/duty/sichuan/assistance/2"
SICHUAN_5 = "https://w3id.org/cdkg/id/duty/sichuan/assistance/5"


def entry(iri: str, label: str, description: str = "", citation: str = "") -> Entry:
    texts = {"label": label, "description": description, "citation": citation}
    return Entry(iri, label, "", "", "", "", {k: Field.of(v) for k, v in texts.items()})


def test_normalise_maps_back_to_the_source() -> None:
    text = "协助做好社会\n救助工作 ＡＢ"
    normal, origin = normalise(text)
    assert normal == "协助做好社会救助工作ab"
    assert text[origin[normal.index("救")]] == "救"


def test_bigrams() -> None:
    assert bigrams("禁毒宣传") == {"禁毒", "毒宣", "宣传"}
    assert bigrams("毒") == {"毒"}
    assert bigrams("") == frozenset()


def test_a_name_match_ranks_above_description_and_citation_matches() -> None:
    entries = [
        entry("urn:c", "协助做好消防宣传", citation="《中华人民共和国禁毒法》第十七条"),
        entry("urn:b", "协助开展宣传教育", description="落实禁毒防范措施"),
        entry("urn:a", "协助开展禁毒宣传"),
        entry("urn:z", "与此无关"),
    ]
    assert [hit.entry.iri for hit in rank(entries, "禁毒", 10)] == ["urn:a", "urn:b", "urn:c"]
    assert [hit.field for hit in rank(entries, "禁毒", 10)] == ["label", "description", "citation"]


def test_matches_across_a_line_break_and_snippets_keep_the_text() -> None:
    hits = rank([entry("urn:x", "协助做好社会\n救助工作")], "社会救助", 5)
    assert hits[0].score == 4.0
    assert hits[0].snippet == "协助做好社会 救助工作"


def test_partial_bigram_match_ranks_below_exact() -> None:
    entries = [entry("urn:partial", "协助开展禁毒宣传"), entry("urn:exact", "禁毒宣教活动")]
    hits = rank(entries, "禁毒宣教", 5)
    assert [h.entry.iri for h in hits] == ["urn:exact", "urn:partial"]
    assert hits[1].score < hits[0].score


def test_every_term_must_match() -> None:
    entries = [entry("urn:a", "协助开展禁毒宣传"), entry("urn:b", "协助申领发放居住证")]
    assert rank(entries, "禁毒 居住证", 5) == []
    assert [h.entry.iri for h in rank(entries, "协助 居住证", 5)] == ["urn:b"]


def test_snippet_cuts_with_ellipses() -> None:
    text = "一" * 50 + "禁毒" + "二" * 50
    assert snippet(text, 50, 52, width=3) == "…一一一禁毒二二二…"


@pytest.mark.parametrize(
    ("query", "first", "also"),
    [
        ("禁毒", SICHUAN_2, {DUTY_6}),  # both by name; the shorter name first
        ("居住证", DUTY_3, {SICHUAN_5}),
        ("禁毒法", SICHUAN_2, {DUTY_6}),  # citation text (equal scores: shorter name first)
        ("居住证暂行条例", DUTY_3, {SICHUAN_5}),
        ("社区戒毒", SICHUAN_2, {DUTY_6}),  # name in Sichuan, description in Chongqing
    ],
)
def test_search_endpoint_json(client: FlaskClient, query: str, first: str, also: set[str]) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert response.content_type == "application/json; charset=utf-8"
    assert query.encode("utf-8") in response.data  # UTF-8 as is, no \u escapes
    document = json.loads(response.data)
    iris = [hit["iri"] for hit in document["results"]]
    assert iris[0] == first
    assert also <= set(iris)
    assert document["count"] == len(iris)


def test_search_result_fields(client: FlaskClient) -> None:
    document = client.get("/search", query_string={"q": "禁毒宣传"}).get_json()
    hit = document["results"][0]
    assert hit["iri"] == DUTY_6
    assert hit["label"] == DUTY_6_LABEL
    assert hit["catalog"]["iri"] == "https://w3id.org/cdkg/id/catalog/chongqing"
    assert hit["jurisdiction"] == {
        "iri": "https://w3id.org/cdkg/id/jurisdiction/500000",
        "label": "重庆市",
    }
    assert hit["field"] == "label"
    assert "禁毒宣传" in hit["snippet"]
    if "linked_data" in client.application.blueprints:
        assert hit["page"] == "/id/duty/chongqing/assistance/6"


def test_search_html(client: FlaskClient) -> None:
    response = client.get("/search?q=居住证", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    page = response.data.decode("utf-8")
    assert DUTY_3_LABEL.replace("居住证", "<mark>居住证</mark>") in page
    # linked to this server's page for the IRI when it serves them, else to the IRI itself
    assert 'href="/id/duty/chongqing/assistance/3"' in page or f'href="{DUTY_3}"' in page
    assert client.get("/search?format=html").status_code == 200  # the empty form


@pytest.mark.parametrize(
    ("query_string", "status"),
    [
        ({}, 400),
        ({"q": "  "}, 400),
        ({"q": "禁毒", "limit": "0"}, 400),
        ({"q": "禁毒", "limit": "x"}, 400),
        ({"q": "禁毒", "limit": "1000"}, 400),
        ({"q": "禁毒", "limit": "1"}, 200),
        ({"q": "禁毒", "format": "csv"}, 406),
    ],
)
def test_search_parameters(client: FlaskClient, query_string: dict[str, str], status: int) -> None:
    assert client.get("/search", query_string=query_string).status_code == status


def test_limit(client: FlaskClient) -> None:
    document = client.get("/search", query_string={"q": "协助", "limit": "2"}).get_json()
    assert document["count"] == 2
