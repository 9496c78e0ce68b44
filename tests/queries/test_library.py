"""The named-query library (cdkg.queries.library): headers, parameters, and injection-proof
binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from cdkg.queries.library import INSTALLED, Param, format_value, load_library, parse_query

ROOT = Path(__file__).resolve().parents[2]

HEADER = """# title@zh: 某地区的职责
# title@en: Duties of a jurisdiction
# description: Every duty of the catalogs of one jurisdiction,
#   with its label.
# kind: question
# param: jurisdiction iri <https://w3id.org/cdkg/id/jurisdiction/500000> The jurisdiction
# param: word string "禁毒" A word the label contains
# param: top integer 10 How many
# param: title lang-string "清单"@zh A title
"""
BODY = """PREFIX cd: <https://w3id.org/cdkg/ontology#>
SELECT ?duty ?label ?title WHERE {
  VALUES ?jurisdiction { <https://w3id.org/cdkg/id/jurisdiction/500000> }
  VALUES ?word { "禁毒" }
  VALUES ?title { "清单"@zh }
  ?duty cd:jurisdiction ?jurisdiction ; rdfs:label ?label .
  FILTER(CONTAINS(?label, ?word))
}
LIMIT 10
"""
TOP = BODY.replace("LIMIT 10", "VALUES ?top { 10 }")


def query(text: str = HEADER + TOP):  # type: ignore[no-untyped-def]
    return parse_query("duties-of", text)


def test_header() -> None:
    q = query()
    assert (q.name, q.title_zh, q.title_en, q.kind, q.severity) == (
        "duties-of",
        "某地区的职责",
        "Duties of a jurisdiction",
        "question",
        None,
    )
    assert q.description == "Every duty of the catalogs of one jurisdiction, with its label."
    assert [(p.name, p.type, p.default) for p in q.params] == [
        ("jurisdiction", "iri", "<https://w3id.org/cdkg/id/jurisdiction/500000>"),
        ("word", "string", '"禁毒"'),
        ("top", "integer", "10"),
        ("title", "lang-string", '"清单"@zh'),
    ]
    assert q.params[0].description == "The jurisdiction"


def test_bind_replaces_only_the_values_terms() -> None:
    q = query()
    text = q.bind(
        {
            "jurisdiction": "https://w3id.org/cdkg/id/jurisdiction/510000",
            "word": "居住证",
            "top": "3",
            "title": "list@en",
        }
    )
    assert "VALUES ?jurisdiction { <https://w3id.org/cdkg/id/jurisdiction/510000> }" in text
    assert 'VALUES ?word { "居住证" }' in text
    assert "VALUES ?top { 3 }" in text
    assert 'VALUES ?title { "list"@en }' in text
    assert q.bind({}) == q.text


@pytest.mark.parametrize(
    ("kind", "raw", "term"),
    [
        ("iri", "<http://example.org/a>", "<http://example.org/a>"),
        ("iri", " urn:x:1 ", "<urn:x:1>"),
        ("string", 'a"b\\c\nd', '"a\\"b\\\\c\\nd"'),
        ("string", "禁毒", '"禁毒"'),
        ("integer", "+007", "7"),
        ("integer", "-3", "-3"),
        ("lang-string", "禁毒@zh-Hans", '"禁毒"@zh-hans'),
        ("lang-string", '"a@b"@en', '"a@b"@en'),
        ("lang-string", "e-mail a@b@en", '"e-mail a@b"@en'),
    ],
)
def test_format_value(kind: str, raw: str, term: str) -> None:
    assert format_value(Param("p", kind, ""), raw) == term


@pytest.mark.parametrize(
    ("kind", "raw"),
    [
        ("iri", "relative/path"),
        ("iri", "http://x> } DROP ALL { <http://y"),
        ("iri", "http://exa mple.org/"),
        ("iri", 'http://x/"'),
        ("iri", ""),
        ("integer", "1.5"),
        ("integer", "1; DROP ALL"),
        ("integer", "9" * 30),
        ("string", "bell\x07"),
        ("lang-string", "no tag"),
        ("lang-string", "x@zh } DROP ALL"),
        ("lang-string", "x@"),
    ],
)
def test_bad_values_name_the_parameter(kind: str, raw: str) -> None:
    with pytest.raises(ValueError, match="parameter 'p'"):
        format_value(Param("p", kind, ""), raw)


INJECTIONS = [
    '禁毒" } } DROP ALL #',
    '"""',
    "\\",
    "'} UNION { ?s ?p ?o }",
    'x" . ?s ?p ?o . FILTER("',
    "\\u0022 } SERVICE <http://evil> {",
]


@pytest.mark.parametrize("value", INJECTIONS)
def test_a_string_value_stays_one_literal(value: str) -> None:
    """Whatever the text, the bound query parses and binds ?word to exactly that text."""
    q = query(HEADER.replace("# param: top integer 10 How many\n", "") + BODY)
    text = q.bind({"word": value})
    store = ox.Store()
    probe = text.replace("SELECT ?duty ?label ?title WHERE {", "SELECT ?word WHERE {", 1)
    probe = probe.replace("?duty cd:jurisdiction ?jurisdiction ; rdfs:label ?label .", "")
    probe = probe.replace("FILTER(CONTAINS(?label, ?word))", "")
    rows = list(store.query(probe, prefixes={"rdfs": "http://www.w3.org/2000/01/rdf-schema#"}))
    assert [row["word"].value for row in rows] == [value]  # type: ignore[union-attr]


def test_unknown_parameter() -> None:
    with pytest.raises(ValueError, match="unknown parameter 'nope'"):
        query().bind({"nope": "1"})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEADER.replace("# kind: question\n", "") + TOP, "no kind"),
        (HEADER.replace("question", "report") + TOP, "kind must be"),
        (HEADER.replace("question", "check") + TOP, "severity"),
        (HEADER + "# severity: error\n" + TOP, "only checks"),
        (HEADER + TOP.replace('VALUES ?word { "禁毒" }', ""), "exactly one"),
        (HEADER + TOP.replace('VALUES ?word { "禁毒" }', 'VALUES ?word { "毒" }'), "default"),
        (HEADER.replace("iri <https", "uri <https") + TOP, "type must be"),
        (HEADER.replace("# title@en", "# titel@en") + TOP, "not a header line"),
        (HEADER + '# param: word string "禁毒" again\n' + TOP, "declared twice"),
    ],
)
def test_bad_headers(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_query("bad", text)


def test_check_with_severity() -> None:
    text = HEADER.replace("question", "check").replace("# param", "# severity: warning\n# param", 1)
    assert parse_query("c", text + TOP).severity == "warning"


SAMPLE_VALUES = {
    "iri": "https://w3id.org/cdkg/id/x",
    "string": "禁毒",
    "integer": "1",
    "lang-string": "x@en",
}


def test_the_project_library_loads() -> None:
    """Every file of queries/ parses, runs unchanged with its defaults, and still parses with
    each parameter bound."""
    for name, named in load_library(ROOT / "queries").items():
        assert named.name == name and named.path is not None
        ox.Store().query(named.text)
        values = {param.name: SAMPLE_VALUES[param.type] for param in named.params}
        ox.Store().query(named.bind(values))


def test_one_loader_strict_for_the_command_line_tolerant_for_pages(tmp_path: Path) -> None:
    """load_library raises on the first bad file (cdkg query, cdkg check); given a list of
    errors (the UI and /report pages) it leaves the file out and says why."""
    good = "# title@zh: 好\n# title@en: Good\n# description: All.\n# kind: question\nASK {}\n"
    (tmp_path / "good.rq").write_text(good, encoding="utf-8")
    (tmp_path / "bad.rq").write_text("# title@zh: 坏\n# kind: sometimes\nASK {}\n", "utf-8")
    with pytest.raises(ValueError, match="title@en"):
        load_library(tmp_path)
    errors: list[str] = []
    assert list(load_library(tmp_path, errors)) == ["good"]
    assert len(errors) == 1 and errors[0].startswith("bad.rq: ") and "title@en" in errors[0]
    installed = load_library(tmp_path / "missing", [])  # a home without queries/ of its own
    assert "catalog-summary" in installed and installed == load_library(INSTALLED)
    assert installed["catalog-summary"].path == INSTALLED / "catalog-summary.rq"
