"""Entity pages grouped by meaning (issue 17 item 7, issue 16 item 4), over real builds.

Two builds, made once for the module: the five seed catalogs from data/raw with reasoning (so
the reasoner's copies — cv:hasLegalResource, dct:isPartOf, dct:subject, implied types — are in
the store and the pages must fold them), and the law-texts fixture of
tests/loaders/test_law_texts.py built with its texts folder (editions and article text).
Pages are read with html.parser: the sections in document order, each with its text and links.
"""

from __future__ import annotations

import importlib.util
import io
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import pytest
from flask.testing import FlaskClient
from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, RDF

from cdkg.loaders.build import BuildOptions, build
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.ontology.namespace import CD, CV
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.entity_views import PAGE_SIZE
from cdkg.server.store.engines import OxigraphStore

ROOT = Path(__file__).resolve().parents[2]
ID = "https://w3id.org/cdkg/id/"
DUTY_PATH = "/id/duty/chongqing/assistance/6"


def _law_texts_module() -> ModuleType:
    """tests/loaders/test_law_texts.py, for its fixture project (one definition of it)."""
    path = ROOT / "tests" / "loaders" / "test_law_texts.py"
    spec = importlib.util.spec_from_file_location("law_texts_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _client(paths: ProjectPaths) -> FlaskClient:
    store = OxigraphStore.from_file(paths.current / "dataset.nq")
    return create_app(store, ServerConfig(paths=paths)).test_client()


@pytest.fixture(scope="module")
def seeds(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    paths = project_paths(ROOT, tmp_path_factory.mktemp("entity-seeds"))
    result = build(paths, BuildOptions(validate_shapes=False), io.StringIO())
    assert result.published is not None
    return _client(paths)


@pytest.fixture(scope="module")
def texts(tmp_path_factory: pytest.TempPathFactory) -> FlaskClient:
    module = _law_texts_module()
    paths = module.fixture_project(tmp_path_factory.mktemp("entity-law-texts"))
    result = build(
        paths, BuildOptions(law_texts=module.TEXTS, validate_shapes=False), io.StringIO()
    )
    assert result.published is not None
    return _client(paths)


class Sections(HTMLParser):
    """A page's title, its <section id> in order with their text and links, all links."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.order: list[str] = []
        self.text: dict[str, str] = {}
        self.links: dict[str, list[str]] = {}
        self.all_links: list[str] = []
        self.title = ""
        self.page_text: list[str] = []
        self._current: str | None = None
        self._in_title = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "section" and attributes.get("id"):
            self._current = str(attributes["id"])
            self.order.append(self._current)
            self.text[self._current] = ""
            self.links[self._current] = []
        if tag == "a" and attributes.get("href"):
            self.all_links.append(str(attributes["href"]))
            if self._current:
                self.links[self._current].append(str(attributes["href"]))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        if tag == "section":
            self._current = None
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        self.page_text.append(data)
        if self._current:
            self.text[self._current] += data


def sections(client: FlaskClient, path: str) -> Sections:
    response = client.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return Sections(response.get_data(as_text=True))


def duty_rows(page: Sections) -> list[str]:
    """The duty links of the page's duty list, in order."""
    return [link for link in page.links["duties"] if link.startswith("/id/duty/")]


# --- a duty ---------------------------------------------------------------------------------


def test_duty_page_sections_in_meaning_order_with_real_values(seeds: FlaskClient) -> None:
    page = sections(seeds, DUTY_PATH)
    assert page.title.startswith("协助开展禁毒宣传、落实禁毒防范措施 ·")
    assert page.order[:5] == ["what", "source", "basis", "departments", "topics"]
    what = page.text["what"]
    assert (
        "事项" in what and "依法协助事项" in what and "协助开展禁毒宣传、落实禁毒防范措施" in what
    )
    assert "/id/catalog/chongqing" in page.links["what"]
    assert "chongqing.txt" in page.text["source"]
    assert "/id/source/chongqing.txt#L97" in page.links["source"]
    basis = page.text["basis"]
    assert "《中华人民共和国禁毒法》第十七条、第十九条" in basis  # as printed
    assert "《重庆市禁毒条例》第九条" in basis
    assert "/id/law/prc-narcotics-control-law" in page.links["basis"]
    assert "/id/law/prc-narcotics-control-law/art-17" in page.links["basis"]
    assert "/id/law/chongqing-narcotics-control-regulations/art-9" in page.links["basis"]
    assert "/id/duty/chongqing/assistance/6/citation/1" in page.links["basis"]
    assert "公安部门" in page.text["departments"] and "公安" in page.text["departments"]
    assert "/id/sector/public-security" in page.links["departments"]
    assert "禁毒" in page.text["topics"] and "社会治安与平安建设" in page.text["topics"]


def test_inferred_duplicates_are_folded_in_html_and_kept_in_rdf(seeds: FlaskClient) -> None:
    html = seeds.get(DUTY_PATH, headers={"Accept": "text/html"}).get_data(as_text=True)
    for copied in ("cv:hasLegalResource", "dct:isPartOf", "dct:subject", "cpsv:PublicService"):
        assert copied not in html, copied
    assert "cv:hasCompetentAuthority" not in html and "dct:spatial" not in html
    assert 'href="/ontology#Duty"' not in html  # implied by cd:AssistanceDuty
    turtle = seeds.get(DUTY_PATH, headers={"Accept": "text/turtle"}).get_data(as_text=True)
    graph = Graph().parse(data=turtle, format="turtle")
    duty = URIRef(ID + "duty/chongqing/assistance/6")
    art17 = URIRef(ID + "law/prc-narcotics-control-law/art-17")
    assert (duty, CD.hasLegalBasis, art17) in graph
    assert (duty, CV.hasLegalResource, art17) in graph
    assert (duty, DCTERMS.isPartOf, URIRef(ID + "catalog/chongqing")) in graph
    assert (duty, DCTERMS.subject, URIRef(ID + "topic/drug-control")) in graph
    assert (duty, RDF.type, CD.Duty) in graph


def test_citation_page_is_titled_by_its_printed_text(seeds: FlaskClient) -> None:
    page = sections(seeds, "/id/duty/chongqing/assistance/6/citation/1")
    assert page.title.startswith("《中华人民共和国禁毒法》第十七条、第十九条 ·")


# --- long lists -----------------------------------------------------------------------------


def test_chongqing_lists_its_27_duties_on_one_page_in_number_order(seeds: FlaskClient) -> None:
    page = sections(seeds, "/id/jurisdiction/500000")
    assert page.title.startswith("重庆市 ·")
    assert "27" in page.text["lists"] and "依法协助事项" in page.text["lists"]
    assert "/id/catalog/chongqing" in page.links["lists"]
    rows = duty_rows(page)
    assert rows == [f"/id/duty/chongqing/assistance/{n}" for n in range(1, 28)]
    assert "共 27 项" in page.text["duties"]
    assert not [link for link in page.links["duties"] if "page=" in link]
    # the duties are not listed a second time among the incoming links
    assert not [link for link in page.links.get("incoming", []) if link.startswith("/id/duty/")]


def test_a_catalog_longer_than_a_page_pages(seeds: FlaskClient) -> None:
    first = sections(seeds, "/id/catalog/changzhi")
    rows = duty_rows(first)
    assert len(rows) == PAGE_SIZE
    assert "/id/catalog/changzhi?page=2#duties" in first.links["duties"]
    assert "共 66 项" in first.text["duties"]
    second = sections(seeds, "/id/catalog/changzhi?page=2")
    rest = duty_rows(second)
    assert len(rest) == 66 - PAGE_SIZE
    assert not set(rows) & set(rest)
    assert "/id/catalog/changzhi?page=1#duties" in second.links["duties"]
    # out of range or not a number: clamped, never an error
    assert duty_rows(sections(seeds, "/id/catalog/changzhi?page=99")) == rest
    assert duty_rows(sections(seeds, "/id/catalog/changzhi?page=x")) == rows


def test_the_pages_of_a_list_keep_list_type_then_number_order(seeds: FlaskClient) -> None:
    rows = duty_rows(sections(seeds, "/id/catalog/changzhi")) + duty_rows(
        sections(seeds, "/id/catalog/changzhi?page=2")
    )
    keys = [(r.split("/")[-2], int(r.split("/")[-1])) for r in rows]
    by_type: dict[str, list[int]] = {}
    for kind, number in keys:
        by_type.setdefault(kind, []).append(number)
    assert all(numbers == sorted(numbers) for numbers in by_type.values())
    # each list type is one run of rows
    runs = [kind for i, (kind, _) in enumerate(keys) if i == 0 or keys[i - 1][0] != kind]
    assert len(runs) == len(set(runs)) > 1


# --- with the law texts ---------------------------------------------------------------------


def test_duty_page_shows_the_cited_article_text(texts: FlaskClient) -> None:
    page = sections(texts, "/id/duty/fixture-2012/assistance/1")
    assert page.order[:5] == ["what", "source", "basis", "departments", "topics"]
    basis = page.text["basis"]
    assert (
        "居民委员会发现辖区内存在消防安全隐患时，应当及时向街道办事处和消防救援机构报告。" in basis
    )
    assert "（2010-01-01）" in basis  # the edition read: in force at the catalog's date


def test_law_page_lists_editions_and_cited_articles_with_text(texts: FlaskClient) -> None:
    page = sections(texts, "/id/law/lrb-fixture00001")
    assert page.title.startswith("中华人民共和国社区示例法 ·")
    editions = [link for link in page.links["editions"] if "/edition/" in link]
    assert editions == [
        f"/id/law/lrb-fixture00001/edition/{d}" for d in ("2010-01-01", "2015-06-01", "2020-05-01")
    ]
    assert "2020-07-01" in page.text["editions"]  # in force from
    assert "现行有效" in page.text["editions"]
    articles = page.text["articles"]
    assert "居民委员会发现辖区内存在消防安全隐患时" in articles
    assert "/id/duty/fixture-2012/assistance/1" in page.links["articles"]
    assert "/id/law/lrb-fixture00001/art-3" in page.links["articles"]
    # the editions are listed once, in their table, not again as eli:is_realized_by values
    assert sum(link.endswith("/edition/2020-05-01") for link in page.all_links) == 1


ENTITY_PAGES = (
    DUTY_PATH,
    "/id/duty/chongqing/assistance/6/citation/1",
    "/id/jurisdiction/500000",
    "/id/catalog/changzhi?page=2",
    "/id/law/prc-narcotics-control-law",
    "/id/department/500000/public-security-department",
    "/id/topic/drug-control",
)


@pytest.mark.parametrize("path", ENTITY_PAGES)
def test_entity_pages_keep_the_content_security_policy(seeds: FlaskClient, path: str) -> None:
    """No inline style or script (server/headers.py forbids them); no RDF syntax as text."""
    response = seeds.get(path, headers={"Accept": "text/html"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert " style=" not in html and "<style" not in html and "<script" not in html
    text = "".join(Sections(html).page_text)
    assert "^^xsd:" not in text and "@zh" not in text


def test_the_national_page_counts_duties_inside_each_province(seeds: FlaskClient) -> None:
    page = sections(seeds, "/id/jurisdiction/100000")
    rows = page.text["places"]
    assert "140000山西省66" in rows  # 长治's catalog, two levels down
    assert "500000重庆市27" in rows and "510000四川省59" in rows
    assert "110000北京市0" in rows


def test_parts_of_listed_duties_are_not_repeated_as_incoming_links(seeds: FlaskClient) -> None:
    page = sections(seeds, "/id/topic/drug-control")
    assert len(duty_rows(page)) == 5
    assert not [
        link for link in page.all_links if "/topic/drug-control" in link and "duty/" in link
    ]


def test_coded_values_are_shown_in_chinese_with_english(seeds: FlaskClient) -> None:
    """Issue 17: no internal codes as text on a Chinese page. 婚姻法 (repealed by 民法典) and
    a province: the codes stay in the RDF, the page shows queries/values.csv's labels."""
    html = seeds.get("/id/law/prc-marriage-law", headers={"Accept": "text/html"})
    law = html.get_data(as_text=True)
    assert "已废止 repealed" in law and "全国 national" in law and "已核实 verified" in law
    assert "失效 No longer in force" in law
    # a value is never the bare code (a property's curie beside its label is for SPARQL users)
    for code in ("repealed", "national", "verified", "in_force"):
        assert f">{code}<" not in law
    province = " ".join(sections(seeds, "/id/jurisdiction/140000").page_text)
    assert "省级 provincial" in province
    turtle = seeds.get("/id/law/prc-marriage-law", headers={"Accept": "text/turtle"})
    assert '"repealed"' in turtle.get_data(as_text=True)
