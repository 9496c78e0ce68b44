"""Issue 12, item 5, on the site: links only from http(s) IRIs, and every answer sent with
the site's Content-Security-Policy and ``X-Content-Type-Options: nosniff``.

The store is the linked-data fixture (fixtures/ld-chongqing.trig: real Chongqing values),
the ontology and fixtures/hostile-iris.trig, whose duty, topic and catalog IRIs are
``javascript:``, ``data:`` and ``vbscript:`` IRIs. Each page that shows them is parsed back:
no ``href`` but http(s) and this site's own paths, and the hostile IRI still shown as text.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from flask import Flask
from flask.testing import FlaskClient
from test_linked_data import FIXTURE, ONTOLOGY_FILE, ROOT

from cdkg.loaders.layout import ProjectPaths
from cdkg.ontology.namespace import ONTOLOGY_IRI
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.headers import CONTENT_SECURITY_POLICY
from cdkg.server.store.engines import OxigraphStore

HOSTILE = Path(__file__).resolve().parent / "fixtures" / "hostile-iris.trig"
HOSTILE_QUERY = """# title@zh: 恶意链接
# title@en: Hostile links
# description: Test query of tests/server/test_safe_outputs.py: every IRI of the hostile graph.
# kind: question
SELECT ?s ?p ?o WHERE {
  GRAPH <https://w3id.org/cdkg/id/graph/hostile> { ?s ?p ?o }
}
"""
DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}


class Links(HTMLParser):
    """Every href and src of a page, and its text."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.targets: list[str] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.targets += [str(v) for k, v in attrs if k in ("href", "src", "action") and v]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def unsafe_targets(html: str) -> list[str]:
    """The hrefs of ``html`` that are neither http(s) nor a path or fragment of this site."""
    return [
        t
        for t in Links(html).targets
        if not t.lower().startswith(("http://", "https://", "#", "search", "data:,"))
        and not (t.startswith("/") and not t.startswith("//"))
    ]


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    root = tmp_path_factory.mktemp("project")
    (root / "data").symlink_to(ROOT / "data")
    (root / "queries").mkdir()
    (root / "queries" / "hostile-links.rq").write_text(HOSTILE_QUERY, encoding="utf-8")
    store = ox.Store()
    store.bulk_load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    store.bulk_load(path=str(HOSTILE), format=ox.RdfFormat.TRIG)
    ontology = ox.NamedNode(str(ONTOLOGY_IRI))
    store.bulk_load(path=str(ONTOLOGY_FILE), format=ox.RdfFormat.TURTLE, to_graph=ontology)
    paths = ProjectPaths(root=root, build=root / "build")
    return create_app(OxigraphStore(store, "safe-outputs-test"), ServerConfig(paths=paths))


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.mark.parametrize(
    ("page", "shown"),
    [
        ("/search?q=恶意链接&format=html", "恶意链接事项甲"),
        ("/queries/hostile-links?format=html", "javascript:alert(6)"),
        ("/id/duty/hostile/assistance/1", "javascript:alert(2)"),
        ("/id/catalog/hostile", "javascript:alert(6)"),
    ],
    ids=["search", "named-query", "duty-page", "catalog-page"],
)
def test_a_javascript_iri_in_the_data_is_text_not_a_link(
    client: FlaskClient, page: str, shown: str
) -> None:
    response = client.get(page, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    html = response.get_data(as_text=True)
    assert unsafe_targets(html) == []
    assert shown in "".join(Links(html).text)
    assert "javascript:" not in " ".join(Links(html).targets).lower()


def test_the_named_query_page_still_links_http_iris(client: FlaskClient) -> None:
    html = client.get("/queries/hostile-links?format=html").get_data(as_text=True)
    targets = Links(html).targets
    assert "https://example.org/safe" in targets
    assert "/id/catalog/hostile" in targets


def html_routes(app: Flask) -> list[str]:
    """Every GET route of the app without a parameter, plus pages with parameters."""
    plain = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if "GET" in (rule.methods or ()) and not rule.arguments
    )
    return [
        *plain,
        "/id/duty/chongqing/assistance/6",
        "/id/duty/hostile/assistance/1",
        "/queries/hostile-links?format=html",
        "/search?q=禁毒",
        "/search?q=",
        "/report",
    ]


def policy(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def test_every_html_page_sends_the_policy_and_nosniff(app: Flask, client: FlaskClient) -> None:
    pages = 0
    routes = html_routes(app)
    assert {"/", "/queries", "/report", "/ontology", "/search"} <= set(routes)
    for route in routes:
        response = client.get(route, headers={"Accept": "text/html"})
        assert response.headers.get("X-Content-Type-Options") == "nosniff", route
        if response.mimetype != "text/html":
            continue
        pages += 1
        csp = policy(response.headers.get("Content-Security-Policy", ""))
        assert {k: csp.get(k) for k in DIRECTIVES if k != "style-src"} == {
            k: v for k, v in DIRECTIVES.items() if k != "style-src"
        }, route
        assert csp["style-src"].startswith("'self'"), route  # '/' adds YASGUI's hashes
        assert "'unsafe-inline'" not in str(csp) and "'unsafe-eval'" not in str(csp), route
        html = response.get_data(as_text=True)
        assert "<style" not in html and " style=" not in html, route
        assert "onclick" not in html and unsafe_targets(html) == [], route
    assert pages >= 9


@pytest.mark.parametrize(
    ("request_args", "mimetype"),
    [
        (("/search?q=禁毒", {"Accept": "application/json"}), "application/json"),
        (
            ("/sparql?query=SELECT%20*%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201&format=csv", {}),
            "text/csv",
        ),
        (("/id/duty/chongqing/assistance/6", {"Accept": "text/turtle"}), "text/turtle"),
        (("/static/cdkg.css", {}), "text/css"),
        (("/static/ui.js", {}), "text/javascript"),
        (("/no-such-page", {"Accept": "text/html"}), None),
        (("/no-such-page", {}), None),
        (("/sparql?query=SELEC", {}), None),
        (("/queries/no-such-query", {"Accept": "application/json"}), None),
    ],
    ids=["json", "csv", "rdf", "css", "js", "404-page", "404", "400", "query-404"],
)
def test_every_response_type_sends_nosniff(
    client: FlaskClient, request_args: tuple[str, dict[str, str]], mimetype: str | None
) -> None:
    path, headers = request_args
    response = client.get(path, headers=headers)
    if mimetype is None:
        assert response.status_code >= 400
    else:
        assert (response.status_code, response.mimetype) == (200, mimetype)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


@pytest.mark.parametrize(
    "module",
    [
        "cdkg.server.reports.links",
        "cdkg.server.reports.spreadsheet",
        "cdkg.server.headers",
        "cdkg.server.ui",
    ],
)
def test_doctests(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0 and result.failed == 0
