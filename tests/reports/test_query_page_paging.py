"""/queries/NAME pages a long answer (Flask test client, the real build, the library in
queries/): the HTML table shows DEFAULT_PAGE_SIZE rows with 上一页/下一页, its page number and
rows; ``limit`` and ``offset`` page every format, each row once; bad values are 400 naming the
parameter; the downloads give the whole answer."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from cdkg.loaders.layout import ProjectPaths
from cdkg.queries.paging import DEFAULT_PAGE_SIZE
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store.engines import OxigraphStore

BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
LONG = "topic-coverage-matrix"  # 165 rows on the seeds
ROW = re.compile(r'<tr><td class="num">(\d+)</td>')


@pytest.fixture(scope="module")
def app(built: ProjectPaths) -> Flask:
    store = OxigraphStore.from_file(built.current / "dataset.nq")
    return create_app(store, ServerConfig(paths=built, rate_limit_per_minute=None))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def whole(client: FlaskClient, name: str) -> list[dict[str, object]]:
    response = client.get(f"/queries/{name}?format=json")
    assert response.status_code == 200
    bindings: list[dict[str, object]] = response.get_json()["results"]["bindings"]
    return bindings


def html(client: FlaskClient, url: str) -> str:
    response = client.get(url, headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    return response.get_data(as_text=True)


def test_the_page_shows_the_first_rows_and_links_to_the_next(client: FlaskClient) -> None:
    total = len(whole(client, LONG))
    assert DEFAULT_PAGE_SIZE < total < 2 * DEFAULT_PAGE_SIZE
    first = html(client, f"/queries/{LONG}")
    assert [int(n) for n in ROW.findall(first)] == list(range(1, DEFAULT_PAGE_SIZE + 1))
    assert "第 1 页" in first and f"第 1–{DEFAULT_PAGE_SIZE} 行" in first
    assert f'rel="next" href="/queries/{LONG}?offset={DEFAULT_PAGE_SIZE}"' in first
    assert 'rel="prev"' not in first
    second = html(client, f"/queries/{LONG}?offset={DEFAULT_PAGE_SIZE}")
    assert [int(n) for n in ROW.findall(second)] == list(range(DEFAULT_PAGE_SIZE + 1, total + 1))
    assert "第 2 页" in second and f"第 {DEFAULT_PAGE_SIZE + 1}–{total} 行" in second
    assert f'rel="prev" href="/queries/{LONG}"' in second and 'rel="next"' not in second


def test_a_short_answer_has_no_navigation(client: FlaskClient) -> None:
    page = html(client, "/queries/duty-count-by-catalog")
    assert len(ROW.findall(page)) == 12 and "12 行" in page
    assert 'class="pager"' not in page


def test_pages_keep_the_parameters_and_the_size(client: FlaskClient) -> None:
    page = html(client, "/queries/search-duties?keyword=协助&limit=7&offset=7")
    assert "第 2 页" in page and "第 8–14 行" in page
    assert 'rel="prev" href="/queries/search-duties?keyword=%E5%8D%8F%E5%8A%A9&amp;limit=7"' in page
    assert "offset=14" in page


def test_json_pages_give_every_row_once(client: FlaskClient) -> None:
    expected = whole(client, LONG)
    read: list[dict[str, object]] = []
    offset = 0
    while True:
        response = client.get(f"/queries/{LONG}?format=json&limit=7&offset={offset}")
        assert response.status_code == 200
        rows = response.get_json()["results"]["bindings"]
        read += rows
        if len(rows) < 7:
            break
        offset += 7
    assert read == expected


def test_the_download_is_the_whole_answer(client: FlaskClient) -> None:
    total = len(whole(client, LONG))
    page = html(client, f"/queries/{LONG}")
    assert "下载全部结果" in page
    href = re.search(r'<a href="([^"]*format=csv)" download>', page)
    assert href is not None and "limit" not in href.group(1) and "offset" not in href.group(1)
    table = list(csv.reader(io.StringIO(client.get(href.group(1)).data.decode("utf-8-sig"))))
    assert len(table) == 1 + total
    sliced = client.get(f"/queries/{LONG}?format=csv&limit=5&offset=10")
    rows = list(csv.reader(io.StringIO(sliced.data.decode("utf-8-sig"))))
    assert rows == [table[0], *table[11:16]]


@pytest.mark.parametrize(
    ("query", "param"),
    [
        ("limit=0", "limit"),
        ("limit=10001", "limit"),
        ("limit=abc", "limit"),
        ("offset=-5", "offset"),
        ("offset=1e3", "offset"),
        ("limit=5&limit=6", "limit"),
    ],
)
def test_bad_values_are_400_naming_the_parameter(
    client: FlaskClient, query: str, param: str
) -> None:
    for accept in (BROWSER, "application/sparql-results+json"):
        response = client.get(f"/queries/{LONG}?{query}", headers={"Accept": accept})
        assert response.status_code == 400
        assert f"{param}" in response.get_data(as_text=True)
