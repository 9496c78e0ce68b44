"""The server's /report, /queries and /queries/NAME on the real build (Flask test client);
every response is parsed back before asserting."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from reports_data import CHONGQING_6, CHONGQING_6_LABEL, FIXTURE_QUERIES, ID, SICHUAN_NO_BASIS

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.report_routes import REPORTS_KEY, ReportCache, warm_report
from cdkg.server.store.engines import OxigraphStore

CHONGQING = f"{ID}jurisdiction/500000"
SICHUAN = f"{ID}jurisdiction/510000"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def app(built: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> Flask:
    """An app over the built store whose named-query library is the test fixtures."""
    root = tmp_path_factory.mktemp("reports-root")
    shutil.copytree(FIXTURE_QUERIES, root / "queries")
    paths = ProjectPaths(root=root, build=built.build)
    store = OxigraphStore.from_file(built.current / "dataset.nq")
    return create_app(store, ServerConfig(paths=paths, rate_limit_per_minute=None))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


# --- /report --------------------------------------------------------------------------------


def test_report_json_names_duties_with_source_lines(client: FlaskClient) -> None:
    response = client.get("/report", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["ok"] is True and document["duties"] == 210
    # the fixture build kept no check run (loaders' build, not the door): the checks ran live
    assert document["notes"] == [
        "检查在此次运行中完成 / checks ran live: no run kept by the build (check/run.json.gz)"
    ]
    checks = {c["name"]: c for c in document["checks"]}
    assert {"citation-unresolved", "assistance-without-basis", "shacl:DutyShape"} <= set(checks)
    found = {
        f["duty"]: (f["file"], f["line"]) for f in checks["assistance-without-basis"]["findings"]
    }
    for number, line in SICHUAN_NO_BASIS.items():
        assert found[f"{ID}duty/sichuan/assistance/{number}"] == ("sichuan.txt", line)
    assert checks["shacl:AssistanceBasisShape"]["count"] == 8
    assert document["shacl_seconds"] > 0


def test_the_report_is_computed_before_the_first_request(app: Flask, client: FlaskClient) -> None:
    """Issue 17: cdkg serve computes the report in the background at start (warm_report), so
    the first /report a person opens is answered from the cache, not by running the checks."""
    app.extensions[REPORTS_KEY] = ReportCache()  # as a freshly started server
    warm_report(app)
    warmed = app.extensions[REPORTS_KEY]._run
    assert warmed is not None and warmed.version == app.extensions["cdkg.store"].version
    first = client.get("/report?format=json").get_json()
    assert first["generated"] == warmed.generated
    assert first["duties"] == 210


def test_report_is_cached_per_version(app: Flask, client: FlaskClient) -> None:
    first = client.get("/report?format=json").get_json()
    again = client.get("/report?format=json").get_json()
    assert first["generated"] == again["generated"]
    cached = app.extensions[REPORTS_KEY]._run
    assert cached is not None and cached.version == app.extensions["cdkg.store"].version


def test_report_html_with_pictures_and_local_links(client: FlaskClient) -> None:
    response = client.get("/report", headers={"Accept": BROWSER})
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<svg class="heatmap"' in page and '<svg class="bars"' in page
    assert ">禁毒</text>" in page and ">公安</text>" in page and ">重庆市</text>" in page
    # Duties link to this server's linked-data pages.
    assert '<a href="/id/duty/sichuan/assistance/26">协助做好社区矫正工作。</a>' in page
    assert "sichuan.txt:297" in page
    assert response.headers["ETag"]
    again = client.get(
        "/report", headers={"Accept": BROWSER, "If-None-Match": response.headers["ETag"]}
    )
    assert again.status_code == 304


def test_report_markdown_and_threshold(client: FlaskClient) -> None:
    markdown = client.get("/report?format=md")
    assert markdown.mimetype == "text/markdown"
    assert markdown.get_data(as_text=True).startswith("# cdkg check report")
    strict = client.get("/report?format=json&fail-on=warning").get_json()
    assert strict["ok"] is False and strict["threshold"] == "warning"
    bad = client.get("/report?fail-on=sometimes")
    assert bad.status_code == 400 and "fail-on" in bad.get_data(as_text=True)
    assert client.get("/report", headers={"Accept": "image/png"}).status_code == 406


# --- /queries -------------------------------------------------------------------------------


def test_queries_listing_json(client: FlaskClient) -> None:
    response = client.get("/queries", headers={"Accept": "application/json"})
    assert response.status_code == 200
    queries = {q["name"]: q for q in response.get_json()["queries"]}
    assert set(queries) == {
        "assistance-without-basis",
        "citation-unresolved",
        "duties-of-jurisdiction",
    }
    question = queries["duties-of-jurisdiction"]
    assert question["kind"] == "question" and question["severity"] is None
    assert question["title"] == {
        "zh": "某地区含关键词的事项",
        "en": "Duties of a jurisdiction whose name contains a word",
    }
    assert question["params"] == [
        {
            "name": "jurisdiction",
            "type": "iri",
            "default": f"<{CHONGQING}>",
            "description": "The jurisdiction",
        },
        {
            "name": "word",
            "type": "string",
            "default": '""',
            "description": "A word the duty's name contains",
        },
    ]
    assert question["url"] == "/queries/duties-of-jurisdiction"
    assert queries["citation-unresolved"]["severity"] == "error"


def test_a_home_without_queries_serves_the_installed_ones(
    built: ProjectPaths, tmp_path: Path
) -> None:
    """``cdkg serve --home X`` whose X has a build but no queries/ folder lists the queries
    installed with the package (cdkg.queries), and runs them."""
    paths = ProjectPaths(root=tmp_path, build=built.build)
    store = OxigraphStore.from_file(built.current / "dataset.nq")
    client = create_app(store, ServerConfig(paths=paths, rate_limit_per_minute=None)).test_client()
    listed = client.get("/queries", headers={"Accept": "application/json"}).get_json()
    names = {q["name"] for q in listed["queries"]}
    assert {"catalog-summary", "search-duties", "duties-without-legal-basis"} <= names
    answer = client.get("/queries/catalog-summary", headers={"Accept": "application/json"})
    assert answer.status_code == 200 and len(answer.get_json()["results"]["bindings"]) == 12


def test_queries_listing_html_groups_questions_and_checks(client: FlaskClient) -> None:
    response = client.get("/queries", headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    questions, checks = page.split("<h2>一致性检查")
    assert "研究问题" in questions and "某地区含关键词的事项" in questions
    assert 'href="/queries/duties-of-jurisdiction"' in questions
    assert 'href="/queries/citation-unresolved"' in checks
    assert "?jurisdiction" not in page  # no variable names shown


def test_named_query_page_offers_jurisdictions_by_name(client: FlaskClient) -> None:
    """The page's jurisdiction parameter is a list of names with codes; the URL may give the
    code, the IRI or the Chinese name; a wrong name answers in zh and en with the closest."""
    pages = [
        client.get(
            f"/queries/duties-of-jurisdiction?jurisdiction={value}", headers={"Accept": BROWSER}
        )
        for value in ("500000", CHONGQING, "重庆市")
    ]
    assert {p.status_code for p in pages} == {200}
    texts = {p.get_data(as_text=True).split("<h2")[-1] for p in pages}
    assert len(texts) == 1  # the same answer each way
    page = pages[0].get_data(as_text=True)
    assert '<option value="500000" selected>重庆市（500000）</option>' in page
    assert '<th class="num">#</th>' in page and ">名称 <span" in page
    wrong = client.get(
        "/queries/duties-of-jurisdiction?jurisdiction=重庆省", headers={"Accept": BROWSER}
    )
    assert wrong.status_code == 400
    message = wrong.get_data(as_text=True)
    assert "您是否要找：重庆市 (500000)" in message and "did you mean 重庆市 (500000)" in message
    assert message.index("您是否要找") < message.index("did you mean")  # Chinese first


def test_named_query_table_downloads(client: FlaskClient) -> None:
    """format=xlsx and format=csv: the page's table, Chinese headers, numbers as numbers."""
    from openpyxl import load_workbook

    xlsx = client.get("/queries/duties-of-jurisdiction?jurisdiction=500000&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(xlsx.data)).worksheets[0].iter_rows(values_only=True))
    assert len(rows) == 28 and "名称" in rows[0]
    assert CHONGQING_6_LABEL in {row[rows[0].index("名称")] for row in rows}
    text = client.get("/queries/duties-of-jurisdiction?jurisdiction=重庆市&format=csv")
    assert text.data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(text.data.decode("utf-8-sig"))))
    assert [tuple(r) for r in table] == [
        tuple("" if v is None else str(v) for v in r) for r in rows
    ]


# --- /queries/NAME --------------------------------------------------------------------------


def _csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def test_named_query_defaults_as_json(client: FlaskClient) -> None:
    response = client.get("/queries/duties-of-jurisdiction")
    assert response.mimetype == "application/sparql-results+json"
    bindings = response.get_json()["results"]["bindings"]
    assert len(bindings) == 27  # every Chongqing duty
    assert {b["duty"]["value"] for b in bindings} >= {CHONGQING_6}


def test_named_query_parameters_as_csv(client: FlaskClient) -> None:
    response = client.get(
        f"/queries/duties-of-jurisdiction?jurisdiction={SICHUAN}&word=矫正",
        headers={"Accept": "text/csv"},
    )
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = _csv(response.data)
    assert [(r["duty"], r["label"], r["line"]) for r in rows] == [
        (f"{ID}duty/sichuan/assistance/26", "协助做好社区矫正工作。", "297")
    ]


def test_named_query_every_result_format(client: FlaskClient) -> None:
    url = "/queries/duties-of-jurisdiction?word=禁毒"
    for accept, mimetype in [
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("text/csv", "text/csv"),
        ("application/sparql-results+json", "application/sparql-results+json"),
    ]:
        response = client.get(url, headers={"Accept": accept})
        assert response.status_code == 200 and response.mimetype == mimetype
        assert CHONGQING_6_LABEL in response.get_data(as_text=True)
    assert client.get(url, headers={"Accept": "text/turtle"}).status_code == 406


def test_named_query_html_for_a_browser(client: FlaskClient) -> None:
    response = client.get("/queries/duties-of-jurisdiction?word=禁毒", headers={"Accept": BROWSER})
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert CHONGQING_6_LABEL in page and 'href="/id/duty/chongqing/assistance/6"' in page
    assert "1 行" in page and "1 rows" in page


def test_named_query_bad_parameters(client: FlaskClient) -> None:
    unknown = client.get("/queries/duties-of-jurisdiction?city=重庆")
    assert unknown.status_code == 400
    assert "unknown parameter 'city'" in unknown.get_data(as_text=True)
    bad = client.get("/queries/duties-of-jurisdiction?jurisdiction=not an iri")
    assert bad.status_code == 400
    assert "参数 jurisdiction：没有名为“not an iri”的地区" in bad.get_data(as_text=True)
    assert "no jurisdiction 'not an iri'" in bad.get_data(as_text=True)
    twice = client.get("/queries/duties-of-jurisdiction?word=a&word=b")
    assert twice.status_code == 400 and "'word'" in twice.get_data(as_text=True)
    missing = client.get("/queries/no-such-query")
    assert missing.status_code == 404 and "no-such-query" in missing.get_data(as_text=True)


def test_named_query_values_cannot_inject_sparql(client: FlaskClient) -> None:
    """A value is written as one SPARQL term: quotes and braces stay inside the string."""
    word = '"} } SELECT * WHERE { ?s ?p ?o } #'
    response = client.get(
        "/queries/duties-of-jurisdiction", query_string={"word": word, "format": "json"}
    )
    assert response.status_code == 200
    assert json.loads(response.data)["results"]["bindings"] == []


def test_the_server_never_imports_the_build() -> None:
    """STYLE.md: the report code the server uses lives in server/reports, not in loaders; of
    the loaders the server reads only the small helpers it shares with the build — the
    project's layout (folders and file names), terminal text widths, worker counts, the
    pyoxigraph-to-rdflib term conversion, the types of the SHACL findings the build
    publishes, and the readers of the reviewed registers the search and the parameter resolver
    use (register rows, GB/T 2260 divisions, the list-heading vocabulary) — never the build
    pipeline, no import reader's format library, and never pySHACL."""
    code = (
        "import sys, cdkg.server.app, cdkg.server.report_routes\n"
        "loaded = {m for m in sys.modules if m.startswith('cdkg.loaders')}\n"
        "shared = {'layout', 'terminal', 'machine', 'rdf', 'rdf.terms', 'validation',"
        " 'validation.findings', 'registers', 'records', 'normalise', 'normalise.divisions',"
        " 'imports', 'imports.headers', 'imports.model'}\n"
        "assert not {'docx', 'pdfplumber'} & set(sys.modules)\n"
        "assert loaded <= {'cdkg.loaders', *(f'cdkg.loaders.{m}' for m in shared)}, loaded\n"
        "assert 'pyshacl' not in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
