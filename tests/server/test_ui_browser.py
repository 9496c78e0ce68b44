"""The query UI (server/ui.py) in a real headless Chromium, and the page without a browser.

The browser test starts the real app (create_app) under waitress on 127.0.0.1, opens ``/``,
runs a named query from the example list, checks a real Chongqing duty label appears in
YASR's result table, follows the duty's IRI to its linked-data page and on to the source file
at the quoted line — and checks that the browser never asked anything of another host.

Chromium is Debian's (``apt-get install chromium``; .ci/run installs it), driven by
Playwright for Python (``pip install -e .[dev]``) without Playwright's own browser download.
YASGUI comes from ``npm ci``.
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
import waitress
from flask.testing import FlaskClient
from test_linked_data import DUTY_LABEL, ROOT, make_store

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
YASGUI = ROOT / "node_modules" / "@zazuko" / "yasgui" / "build" / "yasgui.min.js"
SCREENSHOTS = Path(tempfile.gettempdir())
QUERY_NAME = "ld-test-chongqing-duties"
QUERY = """# title@zh: 重庆市的协助事项
# title@en: Assistance duties of Chongqing
# description: Test query of tests/server/test_ui_browser.py: duties of the Chongqing catalog.
# kind: question
PREFIX cd: <https://w3id.org/cdkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?duty ?number ?label WHERE {
  ?duty a cd:AssistanceDuty ;
        cd:inCatalog <https://w3id.org/cdkg/id/catalog/chongqing> ;
        cd:number ?number ;
        rdfs:label ?label .
}
ORDER BY ?number
"""


def project_root(folder: Path, with_yasgui: bool = True) -> ProjectPaths:
    """A project folder for the server: the checkout's data/ (and node_modules/), and a
    queries/ with the checkout's named queries plus this test's query."""
    (folder / "data").symlink_to(ROOT / "data")
    if with_yasgui:
        (folder / "node_modules").symlink_to(ROOT / "node_modules")
    queries = folder / "queries"
    queries.mkdir()
    for path in (ROOT / "queries").glob("*.rq"):
        shutil.copy(path, queries / path.name)
    (queries / f"{QUERY_NAME}.rq").write_text(QUERY, encoding="utf-8")
    return ProjectPaths(root=folder, build=folder / "build")


def client_for(paths: ProjectPaths) -> FlaskClient:
    return create_app(make_store("oxigraph"), ServerConfig(paths=paths)).test_client()


class Tags(HTMLParser):
    """Every start tag with its attributes."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def attr(self, tag: str, name: str) -> list[str]:
        return [str(a[name]) for t, a in self.tags if t == tag and a.get(name) is not None]


# --- the page without a browser -------------------------------------------------------------


def test_page_lists_every_named_query_and_loads_only_local_files(tmp_path: Path) -> None:
    if not YASGUI.is_file():
        pytest.fail("YASGUI is not installed: run `npm ci` in the project folder")
    client = client_for(project_root(tmp_path))
    response = client.get("/")
    assert response.status_code == 200
    assert response.content_type == "text/html; charset=utf-8"
    tags = Tags(response.get_data(as_text=True))
    names = {p.stem for p in (tmp_path / "queries").glob("*.rq")}
    assert names <= set(tags.attr("li", "data-name"))
    assert "重庆市的协助事项" in response.get_data(as_text=True)
    assert ("html", {"lang": "zh"}) in tags.tags
    sources = tags.attr("script", "src") + tags.attr("link", "href")
    local = [s for s in sources if s.startswith("/") and not s.startswith("//")]
    assert local and set(sources) - set(local) == {"data:,"}  # the empty favicon
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp
    assert "'unsafe-inline'" not in csp and "nonce" not in csp
    assert "<style" not in response.get_data(as_text=True)
    assert [a for t, a in tags.tags if t == "script" and "src" not in a] == [
        {"type": "application/json", "id": "cdkg-config"}  # data, never run
    ]


def test_a_query_file_with_a_bad_header_is_reported_not_fatal(tmp_path: Path) -> None:
    paths = project_root(tmp_path)
    (paths.queries / "broken.rq").write_text("# title@zh: 坏\nSELECT * {}\n", encoding="utf-8")
    response = client_for(paths).get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "broken.rq" in html and "重庆市的协助事项" in html
    assert "broken" not in Tags(html).attr("li", "data-name")


def test_yasgui_files_are_served_from_node_modules(tmp_path: Path) -> None:
    if not YASGUI.is_file():
        pytest.fail("YASGUI is not installed: run `npm ci` in the project folder")
    client = client_for(project_root(tmp_path))
    script = client.get("/static/yasgui/yasgui.min.js")
    assert script.status_code == 200
    assert script.mimetype == "text/javascript"
    assert client.get("/static/yasgui/yasgui.min.css").mimetype == "text/css"
    for name in ("package.json", "..%2Fpackage.json", "ts"):
        assert client.get(f"/static/yasgui/{name}").status_code == 404


def test_without_yasgui_the_page_says_how_to_install_and_offers_a_plain_form(
    tmp_path: Path,
) -> None:
    client = client_for(project_root(tmp_path, with_yasgui=False))
    response = client.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "npm ci" in html
    tags = Tags(html)
    assert tags.attr("script", "src") == ["/static/ui.js"]  # the page's own script only
    forms = [a for t, a in tags.tags if t == "form" and a.get("class") != "site-search"]
    assert forms == [forms[0]] and forms[0]["action"] == "/sparql"
    assert forms[0]["method"] == "post"
    assert {"json", "csv", "turtle"} <= set(tags.attr("option", "value"))
    assert "重庆市的协助事项" in html
    assert client.get("/static/yasgui/yasgui.min.js").status_code == 404
    # the plain form's request is answered by the endpoint
    answer = client.post("/sparql", data={"query": QUERY.split("\n", 4)[4], "format": "csv"})
    assert answer.status_code == 200
    assert DUTY_LABEL in answer.get_data(as_text=True)


# --- in Chromium ------------------------------------------------------------------------------


@contextmanager
def serving(paths: ProjectPaths) -> Iterator[str]:
    """The real app under waitress on a free loopback port, in a thread; yields its URL."""
    app = create_app(make_store("oxigraph"), ServerConfig(paths=paths))
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    port = server.effective_port
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        thread.join(timeout=5)


def close_browser(context: Any) -> None:
    """Close the browser (and its keep-alive connections) before the server stops, or
    waitress waits for them."""
    context.close()


# Every Content-Security-Policy violation a page reports, as a console error the Recorder sees
# (Chromium logs most of them itself; the event catches the rest, e.g. in report-only cases).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || "inline"}`);
});
"""


class Recorder:
    """Every request a browser context makes, and every script error, console error or
    Content-Security-Policy violation."""

    def __init__(self, context: Any) -> None:
        self.requests: list[str] = []
        self.problems: list[str] = []
        context.add_init_script(REPORT_VIOLATIONS)
        context.on("request", lambda r: self.requests.append(r.url))
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on(
            "console",
            lambda message: (
                self.problems.append(f"console: {message.text} {message.location}")
                if message.type == "error"
                else None
            ),
        )

    def assert_only(self, url: str) -> None:
        """No request beyond ``url``'s host:port (``data:`` URLs never leave the page)."""
        outside = [
            r for r in self.requests if not r.startswith(url + "/") and not r.startswith("data:")
        ]
        assert self.requests and outside == [], outside
        assert self.problems == [], self.problems


@pytest.fixture()
def browser_context(tmp_path: Path) -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(
            "Chromium not found at /usr/bin/chromium: install Debian's package with "
            "`sudo apt-get install chromium` (.ci/run does) to run the browser test"
        )
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="Playwright for Python missing: pip install -e '.[dev]'"
    )
    if not YASGUI.is_file():
        pytest.fail("YASGUI is not installed: run `npm ci` in the project folder")
    with sync_api.sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=CHROMIUM_ARGS,
            locale="zh-CN",
            viewport={"width": 1400, "height": 1000},
        )
        try:
            yield context
        finally:
            context.close()


def test_named_query_runs_and_result_iri_leads_to_the_source_line(
    tmp_path: Path, browser_context: Any
) -> None:
    context = browser_context
    recorder = Recorder(context)
    with serving(project_root(tmp_path)) as url:
        page = context.new_page()
        run_and_follow(context, page, url)
        close_browser(context)
    recorder.assert_only(url)


def run_and_follow(context: Any, page: Any, url: str) -> None:
    """Run the test's named query in YASGUI, then follow the duty's IRI and its source."""
    page.goto(url + "/", wait_until="networkidle")
    page.wait_for_selector(".yasqe .CodeMirror")
    page.click(f'li[data-name="{QUERY_NAME}"] button.run')
    cell = page.locator(".yasr table tbody td", has_text=DUTY_LABEL)
    cell.first.wait_for(timeout=15_000)
    rows = page.locator(".yasr table tbody tr")
    assert rows.count() == 3
    assert "协助开展消防宣传教育" in page.locator(".yasr table").inner_text()
    page.screenshot(path=str(SCREENSHOTS / "cdkg-ui-query.png"), full_page=True)

    # Offline completion: cdkg's prefixes and variables only; no LOV, no endpoint catalogue.
    settings = page.evaluate(
        """() => ({
            completers: window.cdkgYasgui.getTab().getYasqe().config.autocompleters,
            catalogue: window.cdkgYasgui.config.endpointCatalogueOptions.getData(),
        })"""
    )
    assert settings == {"completers": ["cdkgPrefixes", "variables"], "catalogue": []}

    # The duty's IRI opens this server's /id/ page (the data keep the w3id IRI).
    link = page.locator('.yasr a[href="/id/duty/chongqing/assistance/6"]')
    assert link.get_attribute("data-iri") == "https://w3id.org/cdkg/id/duty/chongqing/assistance/6"
    if link.get_attribute("target") == "_blank":
        with context.expect_page() as opened:
            link.click()
        duty = opened.value
    else:
        link.click()
        duty = page
    duty.wait_for_load_state()
    assert duty.url == url + "/id/duty/chongqing/assistance/6"
    quote = duty.locator("blockquote.quote").inner_text()
    assert "《中华人民共和国禁毒法》第十七条、第十九条" in quote
    assert "97" in quote
    assert "chongqing.txt" in duty.locator("p.source-ref").inner_text()
    assert DUTY_LABEL in duty.locator("h1").inner_text()
    duty.screenshot(path=str(SCREENSHOTS / "cdkg-duty-page.png"), full_page=True)

    # ... and from the quote back to the line in the source file.
    duty.click('p.source-ref a[href="/id/source/chongqing.txt#L97"]')
    duty.wait_for_url("**/id/source/chongqing.txt#L97")
    assert "协助开展禁毒宣传、落实禁毒防范措施" in duty.locator("tr#L98").inner_text()

    # The catalog page links back to the duty.
    duty.goto(url + "/id/catalog/chongqing")
    assert duty.locator('a[href="/id/duty/chongqing/assistance/6"]').count() >= 1

    # Typing where YASGUI would ask LOV for classes, and a prefix it should declare itself.
    page.bring_to_front()
    page.evaluate(
        "() => { const y = window.cdkgYasgui.getTab().getYasqe(); y.setValue(''); y.focus(); }"
    )
    page.keyboard.type("SELECT * WHERE { ?s a skos:")
    page.keyboard.type("Concept ; rdfs:label ?l }")
    page.wait_for_timeout(500)
    value = page.evaluate("() => window.cdkgYasgui.getTab().getYasqe().getValue()")
    assert "PREFIX skos: <http://www.w3.org/2004/02/skos/core#>" in value


def test_without_yasgui_an_example_runs_through_the_plain_form(
    tmp_path: Path, browser_context: Any
) -> None:
    recorder = Recorder(browser_context)
    with serving(project_root(tmp_path, with_yasgui=False)) as url:
        page = browser_context.new_page()
        page.goto(url + "/", wait_until="networkidle")
        assert "npm ci" in page.locator("#yasgui-missing").inner_text()
        page.click(f'li[data-name="{QUERY_NAME}"] button.load')
        assert "cd:AssistanceDuty" in page.locator("form.plain textarea").input_value()
        with page.expect_navigation():
            page.click("form.plain button[type=submit]")
        assert page.url == url + "/sparql"
        assert DUTY_LABEL in page.locator("body").inner_text()
        close_browser(browser_context)
    recorder.assert_only(url)


HTML_ROUTES = (
    "/",
    "/queries",
    f"/queries/{QUERY_NAME}?format=html",
    "/search?q=禁毒&format=html",
    "/report",
    "/ontology",
    "/id/duty/chongqing/assistance/6",
    "/id/source/chongqing.txt",
    "/downloads",
)


def test_no_page_violates_the_content_security_policy(tmp_path: Path, browser_context: Any) -> None:
    """Each HTML page of the site in Chromium: its style sheets and scripts load under the
    site's policy (no inline style or script left), and nothing is refused."""
    recorder = Recorder(browser_context)
    with serving(project_root(tmp_path)) as url:
        page = browser_context.new_page()
        for route in HTML_ROUTES:
            response = page.goto(url + route, wait_until="networkidle")
            assert response is not None and response.status == 200, route
            assert "'unsafe-inline'" not in response.headers["content-security-policy"]
            # every style sheet the page links was loaded and applied (none blocked)
            sheets = page.evaluate(
                """() => [...document.styleSheets].map(s => [s.href, s.cssRules.length])"""
            )
            linked = page.locator('link[rel="stylesheet"]').count()
            assert len(sheets) == linked and all(n > 0 for _, n in sheets), (route, sheets)
        page.goto(url + "/", wait_until="networkidle")
        page.wait_for_selector(".yasqe .CodeMirror")
        page.click(f'li[data-name="{QUERY_NAME}"] button.run')
        page.locator(".yasr table tbody td", has_text=DUTY_LABEL).first.wait_for(timeout=15_000)
        close_browser(browser_context)
    recorder.assert_only(url)


# --- the site for a researcher (issue 17) -------------------------------------------------------

SHOTS = Path(tempfile.gettempdir()) / "cdkg-pages"
SECTIONS = {
    "/": "查询",
    "/queries/": "问题",
    "/report": "检查报告",
    "/search": "搜索",
    "/downloads/": "下载",
    "/ontology": "本体",
}
NARROW = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}


def test_every_page_reaches_every_section(tmp_path: Path, browser_context: Any) -> None:
    """Each HTML page has the site header — the six sections and the search box — and no
    horizontal overflow at 1366 px; a screenshot of each page is kept for a person to look at."""
    SHOTS.mkdir(exist_ok=True)
    recorder = Recorder(browser_context)
    with serving(project_root(tmp_path)) as url:
        page = browser_context.new_page()
        page.set_viewport_size(NARROW)
        for route in (*HTML_ROUTES, "/queries/jurisdiction-profile?jurisdiction=500000", "/nope"):
            page.goto(url + route, wait_until="networkidle")
            links = page.eval_on_selector_all(
                "header.site nav a", "as => as.map(a => [a.getAttribute('href'), a.textContent])"
            )
            assert {href: text.split()[0] for href, text in links} == SECTIONS, route
            assert page.locator("header.site form.site-search input[name=q]").count() == 1
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= NARROW["width"], (route, width)
            name = route.strip("/").replace("/", "_").split("?")[0] or "home"
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
        # on a phone (390 px) too: long values wrap, wide tables scroll inside themselves
        page.set_viewport_size(PHONE)
        for route in (*HTML_ROUTES, "/id/law/prc-marriage-law", "/id/jurisdiction/500000"):
            page.goto(url + route, wait_until="networkidle")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            assert width <= PHONE["width"], (route, width)
            name = route.strip("/").replace("/", "_").split("?")[0] or "home"
            page.screenshot(path=str(SHOTS / f"phone-{name}.png"), full_page=False)
        page.set_viewport_size(NARROW)
        # the header's search box searches
        page.goto(url + "/downloads", wait_until="networkidle")
        page.fill("header.site input[name=q]", "禁毒")
        with page.expect_navigation():
            page.press("header.site input[name=q]", "Enter")
        assert DUTY_LABEL in page.locator("ol.hits").inner_text()
        assert "<mark>禁毒</mark>" in page.locator("ol.hits").inner_html()
        close_browser(browser_context)
    problems = [p for p in recorder.problems if "404" not in p]  # /nope is a 404 on purpose
    assert problems == [], problems


def test_the_editor_shows_labels_and_plain_numbers_without_overflow(
    tmp_path: Path, browser_context: Any
) -> None:
    """A named query run from the home page: column titles are labels, numbers plain, no
    quotes, language tags or datatypes, no page wider than 1366 px; the result downloads as
    XLSX with the same rows."""
    from openpyxl import load_workbook

    recorder = Recorder(browser_context)
    with serving(project_root(tmp_path)) as url:
        page = browser_context.new_page()
        page.set_viewport_size(NARROW)
        page.goto(url + "/", wait_until="networkidle")
        page.wait_for_selector(".yasqe .CodeMirror")
        page.click(f'li[data-name="{QUERY_NAME}"] button.run')
        page.locator(".yasr table tbody td", has_text=DUTY_LABEL).first.wait_for(timeout=15_000)
        headers = page.locator(".yasr table thead th").all_inner_texts()
        shown = [h.split()[0] for h in headers if h.strip()]
        assert shown == ["事项", "序号"], headers  # ?duty shown by its ?label, one column
        duty_link = page.locator('.yasr a[href="/id/duty/chongqing/assistance/6"]')
        assert duty_link.inner_text() == DUTY_LABEL
        assert not any(h.strip() in ("number", "label", "duty") for h in headers), headers
        table = page.locator(".yasr table tbody").inner_text()
        assert "^^" not in table and '"' not in table and "@zh" not in table
        numbers = page.locator(
            ".yasr table tbody .cdkg-num, .yasr table tbody td"
        ).all_inner_texts()
        assert "6" in [n.strip() for n in numbers]
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        page.screenshot(path=str(SHOTS.parent / "cdkg-ui-plain-table.png"), full_page=True)
        with page.expect_download() as download:
            page.click("#result-downloads button[data-format=xlsx]")
        path = download.value.path()
        rows = list(
            load_workbook(BytesIO(path.read_bytes())).worksheets[0].iter_rows(values_only=True)
        )
        assert rows[0][:2] == ("事项", "序号") and len(rows) == 4
        assert DUTY_LABEL in {row[2] for row in rows}

        # the longest titles of a check: wrapped, not cut, and the page no wider
        page.click('li[data-name="duties-without-legal-basis"] button.run')
        page.wait_for_timeout(1500)
        assert page.evaluate("() => document.documentElement.scrollWidth") <= NARROW["width"]
        page.screenshot(path=str(SHOTS.parent / "cdkg-ui-check.png"), full_page=True)
        close_browser(browser_context)
    recorder.assert_only(url)


def test_a_query_page_takes_a_code_or_a_name(tmp_path: Path, browser_context: Any) -> None:
    """/queries/jurisdiction-profile with 500000 and with 重庆市 gives the same table; the list
    shows 重庆市 chosen; the XLSX download opens with openpyxl with the table's rows."""
    from openpyxl import load_workbook

    recorder = Recorder(browser_context)
    with serving(project_root(tmp_path)) as url:
        page = browser_context.new_page()
        page.set_viewport_size(NARROW)
        bodies = []
        for value in ("500000", "重庆市"):
            page.goto(f"{url}/queries/jurisdiction-profile?jurisdiction={value}")
            bodies.append(page.locator("table.results").inner_text())
            chosen = page.locator("select[name=jurisdiction] option:checked").inner_text()
            assert chosen == "重庆市（500000）"
        assert bodies[0] == bodies[1] and "依法协助" in bodies[0]
        page.screenshot(path=str(SHOTS.parent / "cdkg-query-page.png"), full_page=True)
        shown = page.locator("table.results tbody tr").count()
        with page.expect_download() as download:
            page.click("p.downloads a:text('Excel')")
        book = load_workbook(BytesIO(download.value.path().read_bytes()))
        rows = list(book.worksheets[0].iter_rows(values_only=True))
        assert len(rows) - 1 == shown
        wrong = page.goto(f"{url}/queries/jurisdiction-profile?jurisdiction=重庆省")
        assert wrong is not None and wrong.status == 400
        assert "您是否要找：重庆市 (500000)" in page.locator(".error-box").inner_text()
        page.screenshot(path=str(SHOTS.parent / "cdkg-query-error.png"), full_page=True)
        close_browser(browser_context)
    assert [p for p in recorder.problems if "400" not in p] == []
