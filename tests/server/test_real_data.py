"""The endpoint on the real dataset, built from data/raw by the real pipeline."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from conftest import DUTY_3, DUTY_3_LABEL, DUTY_6, DUTY_6_LABEL, ROOT, LiveServer, running
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from cdkg.paths import ProjectPaths
from cdkg.querylib import load_library
from cdkg.server import negotiation as n
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store import QueryOptions, QueryTimeout
from cdkg.server.stores import OxigraphStore, StoreSpec
from cdkg.server.workers import WorkerPoolStore

LIBRARY = load_library(ROOT / "queries")


RDFLIB_PATIENCE_S = 10.0


@pytest.fixture(scope="module")
def real_stores(real_paths: ProjectPaths) -> Iterator[tuple[OxigraphStore, WorkerPoolStore]]:
    """pyoxigraph in process; rdflib in a worker, so that a query it cannot answer in
    reasonable time is stopped rather than hanging the suite."""
    dataset = real_paths.current / "dataset.nq"
    rdflib_pool = WorkerPoolStore(StoreSpec(engine="rdflib", dataset=dataset), size=1)
    try:
        yield OxigraphStore.from_file(dataset), rdflib_pool
    finally:
        rdflib_pool.close()


@pytest.fixture(scope="module")
def real_server(real_paths: ProjectPaths) -> Iterator[LiveServer]:
    pool = WorkerPoolStore(StoreSpec(dataset=real_paths.current / "dataset.nq"), size=2)
    try:
        with running(create_app(pool, ServerConfig(paths=real_paths))) as server:
            yield server
    finally:
        pool.close()


def _rows(store: OxigraphStore | WorkerPoolStore, query: str) -> Counter[str]:
    options = QueryOptions(timeout_s=RDFLIB_PATIENCE_S)
    _, body = store.execute(query, n.SPARQL_JSON.media_type, options)
    rows = json.loads(body)["results"]["bindings"]
    return Counter(json.dumps(row, sort_keys=True, ensure_ascii=False) for row in rows)


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_named_queries_agree_on_both_engines(
    real_stores: tuple[OxigraphStore, WorkerPoolStore], name: str
) -> None:
    oxigraph, rdflib_pool = real_stores
    text = LIBRARY[name].text
    expected = _rows(oxigraph, text)
    try:
        answer = _rows(rdflib_pool, text)
    except QueryTimeout:
        # Not a different answer, but `cdkg serve --engine rdflib` would time out on it:
        # shown in the summary (-ra) so that the query can be made friendlier to rdflib.
        pytest.xfail(f"rdflib's engine did not answer {name} within {RDFLIB_PATIENCE_S:g} s")
    assert answer == expected


def test_duties_as_printed(real_server: LiveServer) -> None:
    client = SPARQLWrapper(real_server.endpoint)
    client.setMethod(POST)
    client.setReturnFormat(JSON)
    client.setQuery(
        f"SELECT ?duty ?label ?citation WHERE {{ VALUES ?duty {{ <{DUTY_3}> <{DUTY_6}> }} "
        "?duty rdfs:label ?label ; cd:citationText ?citation } ORDER BY ?duty"
    )
    rows = client.queryAndConvert()["results"]["bindings"]  # type: ignore[index]
    assert [(r["duty"]["value"], r["label"]["value"]) for r in rows] == [
        (DUTY_3, DUTY_3_LABEL),
        (DUTY_6, DUTY_6_LABEL),
    ]
    assert rows[0]["citation"]["value"].startswith("《居住证暂行条例》第七条、第八条")
    assert (
        rows[1]["citation"]["value"]
        == "《中华人民共和国禁毒法》第十七条、第十九条\n《重庆市禁毒条例》第九条"
    )


def test_search_on_real_data(real_server: LiveServer) -> None:
    import urllib.parse
    import urllib.request

    url = f"{real_server.url}/search?" + urllib.parse.urlencode({"q": "禁毒"})
    with urllib.request.urlopen(url) as response:
        hits = json.loads(response.read())["results"]
    top = [hit["iri"] for hit in hits if hit["field"] == "label"]
    assert DUTY_6 in top
    jurisdictions = {hit["jurisdiction"]["label"] for hit in hits}
    assert {"重庆市", "四川省"} <= jurisdictions
