"""Issue 16: every cited article checked against the law's own text.

The fixtures (tests/loaders/fixtures/law-texts/, see its README) are invented laws in the
LawRefBook mirror's layout and template catalogs citing them in every way the checks look for;
a temporary project holds them with the seeds left out, and each check's findings are asserted
exactly. The reader is also run on a real text and the seeds are built with the texts of
../shared/reference/law-texts (skipped where ../shared is absent).
"""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from cdkg.loaders.build import BuildOptions, BuildResult, build
from cdkg.loaders.laws.articles import bigrams, dice, overlap, reference_date
from cdkg.loaders.laws.register import LawRegister
from cdkg.loaders.laws.texts import (
    LawTextError,
    match_files,
    parse_law_text,
    read_law_text,
    scan_folder,
)
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.queries.library import load_library
from cdkg.settings import SettingsError, law_texts_folder

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "law-texts"
TEXTS = FIXTURES / "texts"
SHARED_TEXTS = ROOT.parent / "shared" / "reference" / "law-texts"
LIBRARY = load_library(ROOT / "queries")
ID = "https://w3id.org/cdkg/id/"
CHECKS = (
    "law-text-article-not-found",
    "law-text-article-renumbered",
    "law-text-revised-since-catalog",
    "law-text-unrelated-to-duty",
    "law-text-edition-missing",
    "law-text-not-checked",
)


def fixture_project(tmp: Path) -> ProjectPaths:
    """The project's data and ontology without the seed catalogs, the fixture catalogs in
    data/catalogs/ and the fixture register rows appended to the registers."""
    shutil.copytree(ROOT / "data" / "registers", tmp / "data" / "registers")
    shutil.copytree(ROOT / "ontology", tmp / "ontology")
    (tmp / "data" / "raw").mkdir()
    (tmp / "data" / "catalogs").mkdir()
    overrides = (ROOT / "data" / "topic-overrides.csv").read_text(encoding="utf-8")
    (tmp / "data" / "topic-overrides.csv").write_text(overrides.splitlines()[0] + "\n")
    registers = tmp / "data" / "registers"
    header = (registers / "catalogs.csv").read_text(encoding="utf-8").splitlines()[0]
    (registers / "catalogs.csv").write_text(header + "\n", encoding="utf-8")
    for name in ("laws.csv", "laws-national.csv", "law-editions.csv"):
        rows = (FIXTURES / "register" / name).read_text(encoding="utf-8")
        with (registers / name).open("a", encoding="utf-8") as handle:
            handle.write(rows)
    for catalog in (FIXTURES / "catalogs").glob("*.csv"):
        shutil.copy(catalog, tmp / "data" / "catalogs" / catalog.name)
    return project_paths(tmp, tmp / "build")


def select(store: ox.Store, query: str) -> ox.QuerySolutions:
    result = store.query(query, use_default_graph_as_union=True)
    assert isinstance(result, ox.QuerySolutions)
    return result


def findings(store: ox.Store, name: str) -> list[tuple[str, str]]:
    """A check's rows as (duty or document IRI without the base, message)."""
    rows = []
    for row in select(store, LIBRARY[name].text):
        subject = row["duty"] or (row["document"] if name == "law-text-not-checked" else None)
        key = subject.value.removeprefix(ID) if subject is not None else ""
        rows.append((key, row["message"].value))
    return sorted(rows)


@pytest.fixture(scope="module")
def fixture_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, ox.Store]:
    paths = fixture_project(tmp_path_factory.mktemp("law-texts"))
    result = build(paths, BuildOptions(law_texts=TEXTS), io.StringIO())
    assert result.published is not None, result.report.errors()
    store = ox.Store()
    store.bulk_load(path=str(paths.current / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return result, store


def graph_value(store: ox.Store, subject: str, predicate: str) -> list[str]:
    query = f"SELECT ?o WHERE {{ <{ID}{subject}> <{predicate}> ?o }}"
    return sorted({row["o"].value for row in select(store, query)})


CD = "https://w3id.org/cdkg/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
LAW = "law/lrb-fixture00001"
NEAREST = (
    "the edition of 2015-06-01 (in force on the catalog's date) is not in the law-texts folder: "
    "checked against the nearest edition, 2020-05-01 (社会法/社区示例法(2020-05-01).md)"
)
REVISED_2012 = (
    "catalog read as of 2012-05-01, citing the edition of 2010-01-01; "
    "revised since: 2 editions, 2015-06-01 to 2020-05-01"
)
EXPECTED = {
    "law-text-article-not-found": [
        (
            "duty/fixture-2012/assistance/2",
            "no article 9 (the last article is 8) in the edition of 2010-01-01",
        ),
        (
            "duty/fixture-2012/assistance/3",
            "no paragraph 3 in article 2 (it has 2) in the edition of 2010-01-01",
        ),
    ],
    "law-text-article-renumbered": [
        (
            "duty/fixture-2012/assistance/1",
            "article 3 of the edition of 2010-01-01 is article 4 in the edition of 2020-05-01 "
            "(bigram Dice 100%); article 3 there now holds other text (0%)",
        ),
        (
            "duty/fixture-2012/assistance/4",
            "article 5 of the edition of 2010-01-01 is article 6 in the edition of 2020-05-01 "
            "(bigram Dice 100%); article 5 there now holds other text (20%)",
        ),
    ],
    "law-text-revised-since-catalog": [
        *((f"duty/fixture-2012/assistance/{n}", REVISED_2012) for n in (1, 2, 3, 4)),
        (
            "duty/fixture-2012/assistance/5",
            "catalog read as of 2012-05-01, citing the edition of 2012-03-01; repealed 2019-03-01",
        ),
        ("duty/fixture-2012/assistance/6", REVISED_2012),
        (
            "duty/fixture-2016/assistance/1",
            "catalog read as of 2016-01-01, citing the edition of 2015-06-01; "
            "revised since: 2020-05-01",
        ),
    ],
    "law-text-unrelated-to-duty": [
        (
            "duty/fixture-2012/assistance/6",
            "bigram overlap with the duty 0% in the edition of 2010-01-01",
        ),
    ],
    "law-text-edition-missing": [("duty/fixture-2016/assistance/1", NEAREST)],
    "law-text-not-checked": [],
}


@pytest.mark.parametrize("name", CHECKS)
def test_each_check_finds_exactly_the_fixture_cases(
    fixture_build: tuple[BuildResult, ox.Store], name: str
) -> None:
    assert findings(fixture_build[1], name) == sorted(EXPECTED[name])


def test_severities_are_declared() -> None:
    assert {name: LIBRARY[name].severity for name in CHECKS} == {
        "law-text-article-not-found": "error",
        "law-text-article-renumbered": "warning",
        "law-text-revised-since-catalog": "warning",
        "law-text-unrelated-to-duty": "info",
        "law-text-edition-missing": "info",
        "law-text-not-checked": "info",
    }


def test_build_reports_what_the_folder_gave(fixture_build: tuple[BuildResult, ox.Store]) -> None:
    readings = fixture_build[0].law_texts
    assert readings is not None
    assert (readings.cited, len(readings.readings), sum(r.found for r in readings.readings)) == (
        8,
        8,
        6,
    )
    assert readings.unmatched_files == ["行政法规/无登记条例(2000-01-01).md"]


def test_editions_are_eli_expressions_with_their_dates(
    fixture_build: tuple[BuildResult, ox.Store],
) -> None:
    store = fixture_build[1]
    editions = graph_value(store, LAW, ELI + "is_realized_by")
    assert editions == [
        f"{ID}{LAW}/edition/{d}" for d in ("2010-01-01", "2015-06-01", "2020-05-01")
    ]
    latest, missing = f"{LAW}/edition/2020-05-01", f"{LAW}/edition/2015-06-01"
    assert graph_value(store, latest, ELI + "date_document") == ["2020-05-01"]
    assert graph_value(store, latest, ELI + "first_date_entry_in_force") == ["2020-07-01"]
    assert graph_value(store, latest, ELI + "in_force") == [ELI + "InForce-inForce"]
    assert graph_value(store, latest, CD + "textFile") == ["社会法/社区示例法(2020-05-01).md"]
    assert graph_value(store, latest, CD + "articleCount") == ["9"]
    assert graph_value(store, missing, ELI + "in_force") == [ELI + "InForce-notInForce"]
    assert graph_value(store, missing, CD + "textFile") == []
    types = graph_value(store, latest, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    assert ELI + "LegalExpression" in types  # cd:Edition ⊑ eli:LegalExpression, reasoned


def test_cited_item_and_paragraph_carry_their_own_text(
    fixture_build: tuple[BuildResult, ox.Store],
) -> None:
    store = fixture_build[1]
    item = "duty/fixture-2012/assistance/4/citation/1/reading/art-5-item-2"
    assert graph_value(store, item, CD + "articleText") == ["（二）适龄青年的兵役登记宣传；"]
    assert graph_value(store, item, CD + "itemCount") == ["3"]
    article = "duty/fixture-2012/assistance/1/citation/1/reading/art-3"
    assert graph_value(store, article, CD + "articleText") == [
        "居民委员会发现辖区内存在消防安全隐患时，应当及时向街道办事处和消防救援机构报告。"
    ]
    assert graph_value(store, article, CD + "editionInForce") == [f"{ID}{LAW}/edition/2010-01-01"]
    assert graph_value(store, article, CD + "nowHeldBy") == [f"{ID}{LAW}/edition/2020-05-01/art-4"]


def test_an_undated_catalog_reads_the_latest_edition_and_says_so(
    fixture_build: tuple[BuildResult, ox.Store],
) -> None:
    store = fixture_build[1]
    reading = "duty/fixture-undated/assistance/1/citation/1/reading/art-4"
    assert graph_value(store, reading, CD + "editionInForce") == [f"{ID}{LAW}/edition/2020-05-01"]
    assert graph_value(store, reading, "http://www.w3.org/2004/02/skos/core#note") == [
        "the catalog is undated: read against the latest edition"
    ]
    assert graph_value(store, reading, CD + "referenceDate") == []


def test_without_a_folder_the_checks_say_not_checked(tmp_path: Path) -> None:
    paths = fixture_project(tmp_path)
    result = build(paths, stream=io.StringIO())
    assert result.published is not None and result.law_texts is None
    store = ox.Store()
    store.bulk_load(path=str(paths.current / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    assert findings(store, "law-text-not-checked") == [
        (
            "",
            "not checked: the build was given no law-texts folder, so no cited article was "
            "read against the law's text",
        )
    ]
    for name in CHECKS[:-1]:
        assert findings(store, name) == []
    names = {str(g.identifier).rsplit("/", 1)[-1] for g in result.graphs}
    assert "law-texts" not in names


# --- the reader -----------------------------------------------------------------------------


def test_reader_reads_history_chapters_paragraphs_and_items() -> None:
    law = read_law_text(TEXTS, "社会法/社区示例法(2020-05-01).md")
    assert (law.title, law.short_title, law.edition) == (
        "中华人民共和国社区示例法",
        "社区示例法",
        "2020-05-01",
    )
    assert [h.date for h in law.history] == ["2010-01-01", "2015-06-01", "2020-05-01"]
    assert [a.number for a in law.articles] == list(range(1, 10))
    sixth = law.article(6)
    assert sixth is not None and sixth.chapter == "第二章 居民委员会的职责"
    assert [len(p.items) for p in sixth.paragraphs] == [3]
    second = law.article(2)
    assert second is not None and len(second.paragraphs) == 2
    assert second.provision_text(2, None) == "居民委员会应当定期向居民公布示例工作情况。"
    assert law.last_article == 9


def test_reader_names_file_and_line_of_a_bad_article_number() -> None:
    text = "# 坏法\n\n<!-- INFO END -->\n\n第一条 好。\n\n第三百五条 坏。\n"
    with pytest.raises(LawTextError, match=r"^其他/坏法\(2000-01-01\)\.md:7: "):
        parse_law_text(text, "其他/坏法(2000-01-01).md")
    with pytest.raises(LawTextError, match="no <!-- INFO END -->"):
        parse_law_text("# 坏法\n第一条 好。\n", "其他/坏法.md")


def test_files_are_matched_to_register_documents_and_editions(tmp_path: Path) -> None:
    paths = fixture_project(tmp_path)
    register = LawRegister.load(paths.registers / "laws.csv")
    index = match_files(TEXTS, scan_folder(TEXTS), register)
    assert {k: [m.edition for m in v] for k, v in index.by_document.items()} == {
        "lrb-fixture00001": ["2010-01-01", "2020-05-01"],
        "fixture-repealed-regulation": ["2012-03-01"],
    }
    assert [f.file for f in index.unmatched] == ["行政法规/无登记条例(2000-01-01).md"]
    assert index.unlisted_editions == []


def test_similarity_measures() -> None:
    assert reference_date("2016") == "2016-01-01"
    assert dice(bigrams("居民委员会报告"), bigrams("居民委员会报告。")) == 1.0
    assert overlap(bigrams("组织观看电影"), bigrams("为了规范社区示例工作，制定本法。")) == 0.0


def test_settings_option_then_environment_then_config_file(tmp_path: Path) -> None:
    (tmp_path / "texts").mkdir()
    (tmp_path / "cdkg.toml").write_text('law_texts = "texts"\n', encoding="utf-8")
    assert law_texts_folder(None, {}, tmp_path) == tmp_path / "texts"
    assert law_texts_folder(None, {"CDKG_LAW_TEXTS": str(TEXTS)}, tmp_path) == TEXTS
    assert law_texts_folder(str(FIXTURES), {"CDKG_LAW_TEXTS": str(TEXTS)}, tmp_path) == FIXTURES
    with pytest.raises(SettingsError, match=r"^\$CDKG_LAW_TEXTS: law texts folder .* does not"):
        law_texts_folder(None, {"CDKG_LAW_TEXTS": str(tmp_path / "nowhere")}, tmp_path)
    (tmp_path / "cdkg.toml").write_text("law_texts = 3\n", encoding="utf-8")
    with pytest.raises(SettingsError, match=r"cdkg\.toml: law_texts must be"):
        law_texts_folder(None, {}, tmp_path)


# --- real texts (../shared/reference/law-texts; skipped where absent) ------------------------

needs_shared = pytest.mark.skipif(not SHARED_TEXTS.is_dir(), reason="../shared is absent")


@needs_shared
def test_real_text_work_safety_law_article_75() -> None:
    law = read_law_text(SHARED_TEXTS, "社会法/安全生产法(2021-06-10).md")
    article = law.article(75)
    assert article is not None and "居民委员会" in article.text
    assert article.chapter == "第四章 安全生产的监督管理"
    assert law.last_article == 119
    assert [h.date for h in law.history][-1] == "2021-06-10"


@needs_shared
def test_seeds_with_the_shared_texts(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The five seed catalogs read against the mirror's texts of every national document they
    cite: how many cited articles were found with their text, and each check's count (the
    findings themselves are listed in the closing note of issue 16)."""
    paths = project_paths(ROOT, tmp_path_factory.mktemp("seeds-law-texts"))
    result = build(paths, BuildOptions(law_texts=SHARED_TEXTS), io.StringIO())
    assert result.published is not None and result.law_texts is not None
    readings = result.law_texts
    assert (readings.cited, len(readings.readings)) == (231, 166)
    assert sum(r.found for r in readings.readings) == 156
    assert result.report.timings["law texts"] < 3.0
    store = ox.Store()
    store.bulk_load(path=str(paths.current / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    counts = {name: len(findings(store, name)) for name in CHECKS}
    assert counts == {
        "law-text-article-not-found": 10,
        "law-text-article-renumbered": 6,
        "law-text-revised-since-catalog": 45,
        "law-text-unrelated-to-duty": 2,
        "law-text-edition-missing": 41,
        "law-text-not-checked": 1,
    }


@pytest.mark.parametrize("name", CHECKS)
def test_rdflib_gives_the_same_findings(
    fixture_build: tuple[BuildResult, ox.Store], name: str, tmp_path: Path
) -> None:
    """Portable SPARQL: rdflib's engine answers each check as pyoxigraph does (messages print
    similarities as whole percents: engines write decimals differently)."""
    from rdflib import Dataset

    store = fixture_build[1]
    dump = tmp_path / "dataset.nq"
    store.dump(str(dump), format=ox.RdfFormat.N_QUADS)
    dataset = Dataset(default_union=True)
    dataset.parse(str(dump), format="nquads")
    rows = dataset.query(LIBRARY[name].text)
    messages = sorted(str(row.message) for row in rows)  # type: ignore[union-attr]
    assert messages == sorted(message for _, message in EXPECTED[name])


def test_cdkg_laws_reports_text_coverage_per_edition(
    fixture_build: tuple[BuildResult, ox.Store], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from cdkg.cli import main

    dump = tmp_path / "dataset.nq"
    fixture_build[1].dump(str(dump), format=ox.RdfFormat.N_QUADS)
    assert main(["laws", "--dataset", str(dump)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-3:] == [
        "law texts: 2 cited national documents with editions: 2 with texts, 0 without; "
        "editions 3 of 4 present",
        "  中华人民共和国社区示例法: +2010-01-01 -2015-06-01 +2020-05-01",
        "  示例废止条例: +2012-03-01",
    ]
