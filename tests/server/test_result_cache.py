"""The in-memory result cache: same question, same dataset version → the kept answer."""

from __future__ import annotations

import json
from dataclasses import replace

from flask import Flask

from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.result_cache import CachedAnswer, ResultCache
from cdkg.server.store.engines import OxigraphStore

CHONGQING_COUNT = """
SELECT (COUNT(DISTINCT ?duty) AS ?n) WHERE {
  ?duty cd:jurisdiction <https://w3id.org/cdkg/id/jurisdiction/500000> ; a cd:Duty }
"""


def answer(size: int) -> CachedAnswer:
    return CachedAnswer("text/plain", b"x" * size)


def test_least_recently_used_answers_go_first() -> None:
    cache = ResultCache(400)
    for key in "abc":
        assert cache.put(key, answer(100))
    assert cache.get("a") is not None  # a is now the most recent
    cache.put("d", answer(100))
    cache.put("e", answer(100))  # 500 bytes > 400: the least recent (b) goes
    assert cache.get("b") is None
    assert [k for k in "acde" if cache.get(k) is not None] == ["a", "c", "d", "e"]
    assert cache.size_bytes == 400 and len(cache) == 4


def test_an_answer_over_a_quarter_of_the_budget_is_not_kept() -> None:
    cache = ResultCache(400)
    assert not cache.put("big", answer(101))
    assert cache.get("big") is None and cache.size_bytes == 0
    assert not ResultCache(0).put("any", answer(1))


def test_the_second_ask_is_answered_from_the_cache(app: Flask) -> None:
    client = app.test_client()
    query = {"query": CHONGQING_COUNT, "x-variant": "cache-test"}
    first = client.get("/sparql", query_string=query, headers={"Accept": "application/json"})
    second = client.get("/sparql", query_string=query, headers={"Accept": "application/json"})
    assert first.status_code == second.status_code == 200
    # fixtures/sample.trig holds two of 重庆市's duties: 依法协助 items 3 and 6.
    rows = json.loads(second.data)["results"]["bindings"]
    assert rows[0]["n"]["value"] == "2"
    assert first.headers["X-Cache"] == "miss" and second.headers["X-Cache"] == "hit"
    assert first.data == second.data and first.headers["ETag"] == second.headers["ETag"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert "cdkg_result_cache_hits_total" in metrics


def test_each_format_is_kept_apart(app: Flask) -> None:
    client = app.test_client()
    query = {"query": CHONGQING_COUNT + " # formats"}
    as_csv = client.get("/sparql", query_string=query, headers={"Accept": "text/csv"})
    as_json = client.get("/sparql", query_string=query, headers={"Accept": "application/json"})
    assert as_csv.headers["X-Cache"] == as_json.headers["X-Cache"] == "miss"
    assert as_csv.get_data(as_text=True).splitlines() == ["n", "2"]


def test_a_new_dataset_version_is_never_answered_from_the_old(
    dataset_path, config: ServerConfig
) -> None:  # type: ignore[no-untyped-def]
    store = OxigraphStore.from_file(dataset_path)
    client = create_app(store, config).test_client()
    query = {"query": CHONGQING_COUNT}
    assert client.get("/sparql", query_string=query).headers["X-Cache"] == "miss"
    assert client.get("/sparql", query_string=query).headers["X-Cache"] == "hit"
    other = OxigraphStore.from_file(dataset_path, version="another-build")
    client = create_app(other, config).test_client()
    assert client.get("/sparql", query_string=query).headers["X-Cache"] == "miss"


def test_the_cache_can_be_turned_off(oxigraph_store: OxigraphStore, config: ServerConfig) -> None:
    client = create_app(oxigraph_store, replace(config, result_cache_bytes=0)).test_client()
    response = client.get("/sparql", query_string={"query": CHONGQING_COUNT})
    assert response.status_code == 200 and "X-Cache" not in response.headers
