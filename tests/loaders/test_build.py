"""`cdkg build` end to end on the shipped sources, and on deliberately broken copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from cdkg.cli import main
from cdkg.loaders.build import BuildOptions, BuildResult, build
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.loaders.publish import nquads_lines, publish

ROOT = Path(__file__).resolve().parents[2]
CD = "https://w3id.org/cdkg/ontology#"
ID = "https://w3id.org/cdkg/id/"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, ProjectPaths]:
    paths = project_paths(ROOT, tmp_path_factory.mktemp("build"))
    return build(paths), paths


@pytest.fixture(scope="module")
def store(built: tuple[BuildResult, ProjectPaths]) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(built[1].current / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, query: str) -> list[dict[str, str]]:
    prefixes = f"PREFIX cd: <{CD}>\nPREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    solutions = store.query(prefixes + query, use_default_graph_as_union=True)
    variables = [v.value for v in solutions.variables]
    return [{v: row[v].value for v in variables if row[v] is not None} for row in solutions]


def test_every_count_matches(built: tuple[BuildResult, ProjectPaths]) -> None:
    report = built[0].report
    assert report.errors() == []
    assert report.findings() == []  # issue 14: the seeds' references are all registered
    table = {(r[0], r[1]): (r[2], r[3], r[4], r[6]) for r in report.rows()}
    assert table[("ningxia-district", "assistance")] == ("23", "23", "1–23", "ok")
    assert table[("chongqing", "assistance")] == ("(27)", "27", "1–27", "ok")
    assert table[("changzhi", "assistance")] == ("(34)", "34", "1–34", "ok")
    assert table[("sichuan", "excluded")] == ("(7)", "7", "1–7", "ok")
    assert len(table) == 12


def test_published_dataset(built: tuple[BuildResult, ProjectPaths]) -> None:
    result, paths = built
    current = paths.current
    assert current.is_symlink() and current.resolve() == result.published
    for name in ("dataset.nq", "dataset.trig", "report.md", "report.json", "manifest.json"):
        assert (current / name).stat().st_size > 0
    report = (current / "report.md").read_text(encoding="utf-8")
    assert "| chongqing | assistance | (27) | 27 | 1–27 | 0 | ok |" in report
    assert "ningxia-district.txt:36: catch-all clause" in report


def test_one_named_graph_per_catalog(store: ox.Store) -> None:
    graphs = {g.value for g in store.named_graphs()}
    catalogs = ("ningxia-district", "chongqing", "changzhi", "sichuan", "tianjin")
    assert graphs == {f"{ID}graph/{k}" for k in catalogs} | {
        f"{ID}graph/registers",
        f"{ID}graph/statistics",
        f"{ID}graph/answers",
        "https://w3id.org/cdkg/ontology",
    }


def test_duty_traced_to_source_line(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?label ?line ?file ?basis WHERE {{
          <{ID}duty/chongqing/assistance/6> rdfs:label ?label ; cd:sourceLine ?line ;
              cd:citationText ?basis ;
              <http://www.w3.org/ns/prov#wasDerivedFrom> [ cd:fileName ?file ] }}""",
    )
    assert rows == [
        {
            "label": "协助开展禁毒宣传、落实禁毒防范措施",
            "line": "97",
            "file": "chongqing.txt",
            "basis": "《中华人民共和国禁毒法》第十七条、第十九条\n《重庆市禁毒条例》第九条",
        }
    ]


def test_reasoning_lets_users_find_all_duties_without_paths(store: ox.Store) -> None:
    rows = select(store, "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a cd:Duty }")
    assert rows == [{"n": "210"}]
    # The jurisdiction property chain: duties get their catalog's jurisdiction.
    rows = select(
        store,
        f"SELECT ?j WHERE {{ <{ID}duty/changzhi/assistance/2> cd:jurisdiction ?j }}",
    )
    assert rows == [{"j": f"{ID}jurisdiction/140400"}]
    # cd:partOf is transitive: Changzhi duties are found by asking for Shanxi province.
    rows = select(
        store,
        f"""SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE {{
          ?d a cd:Duty ; cd:jurisdiction/cd:partOf <{ID}jurisdiction/140000> }}""",
    )
    assert rows == [{"n": "66"}]


def test_citation_to_provision_and_document(store: ox.Store) -> None:
    rows = select(
        store,
        f"""SELECT ?basis WHERE {{ <{ID}duty/chongqing/assistance/19> cd:hasLegalBasis ?basis }}
            ORDER BY ?basis""",
    )
    bases = [r["basis"].removeprefix(ID) for r in rows]
    assert len(bases) == 3
    assert any(b.endswith("/art-6/para-3") for b in bases)  # 《宗教事务条例》第六条第三款
    assert sum(b.endswith(("/art-38", "/art-69")) for b in bases) == 2


def test_build_is_deterministic() -> None:
    paths = project_paths(ROOT)
    options = BuildOptions(publish_dataset=False, reason=False, validate_shapes=False)
    first = build(paths, options)
    second = build(paths, options)

    assert nquads_lines(first.graphs) == nquads_lines(second.graphs)


def test_interrupted_publish_keeps_the_previous_dataset(tmp_path: Path) -> None:
    graph = Graph(identifier=URIRef(f"{ID}graph/test"))
    graph.add((URIRef(f"{ID}a"), URIRef(f"{CD}number"), URIRef(f"{ID}b")))
    first = publish(tmp_path, [graph], {}, {"run": 1})

    def interrupted(path: Path) -> None:
        path.write_text("half", encoding="utf-8")
        raise KeyboardInterrupt

    graph.add((URIRef(f"{ID}c"), URIRef(f"{CD}number"), URIRef(f"{ID}d")))
    with pytest.raises(KeyboardInterrupt):
        publish(tmp_path, [graph], {"report.md": interrupted}, {"run": 2})
    assert (tmp_path / "current").resolve() == first
    assert len((tmp_path / "current" / "dataset.nq").read_text().splitlines()) == 1
    assert not list(tmp_path.glob(".tmp-*"))


# --- bad input: each case names file, line and problem; the other catalogs still build ---


def broken_project(tmp_path: Path, file: str, change) -> ProjectPaths:
    """A project folder sharing the real registers and ontology, with one raw file changed."""
    for folder in ("ontology",):
        (tmp_path / folder).symlink_to(ROOT / folder)
    (tmp_path / "data").mkdir()
    for folder in ("registers", "corrections"):
        (tmp_path / "data" / folder).symlink_to(ROOT / "data" / folder)
    shutil.copytree(ROOT / "data" / "raw", tmp_path / "data" / "raw")
    (tmp_path / "data" / "topic-overrides.csv").symlink_to(ROOT / "data" / "topic-overrides.csv")
    path = tmp_path / "data" / "raw" / file
    path.write_bytes(change(path.read_bytes()))
    return project_paths(tmp_path, tmp_path / "build")


def quick_build(paths: ProjectPaths) -> BuildResult:
    return build(paths, BuildOptions(reason=False, validate_shapes=False))


def assert_others_built(result: BuildResult, broken: str) -> None:
    rows = result.report.rows()
    assert {r[0] for r in rows if r[6] == "ok"} >= {
        k
        for k in ("ningxia-district", "chongqing", "changzhi", "sichuan", "tianjin")
        if k != broken
    }
    assert result.published is None
    assert not result.report.ok


def test_truncated_file(tmp_path: Path) -> None:
    def truncate(data: bytes) -> bytes:
        return b"\n".join(data.split(b"\n")[:183])  # Chongqing ends after item 11

    result = quick_build(broken_project(tmp_path, "chongqing.txt", truncate))
    assert "chongqing.txt:14: assistance: register expects 27 items, 11 parsed" in (
        result.report.errors()
    )
    assert_others_built(result, "chongqing")


def test_file_in_another_encoding(tmp_path: Path) -> None:
    def to_gbk(data: bytes) -> bytes:
        return data.decode("utf-8").encode("gbk", errors="replace")

    result = quick_build(broken_project(tmp_path, "tianjin.txt", to_gbk))
    errors = result.report.errors()
    assert any(e.startswith("tianjin.txt:1: error: not UTF-8") for e in errors)
    assert_others_built(result, "tianjin")


def test_duplicate_and_missing_item_numbers(tmp_path: Path) -> None:
    def renumber(data: bytes) -> bytes:
        lines = data.split(b"\n")
        assert lines[188] == b"\t5"  # Sichuan 附件2 item 5 (line 189)
        lines[188] = b"\t4"
        return b"\n".join(lines)

    result = quick_build(broken_project(tmp_path, "sichuan.txt", renumber))
    errors = result.report.errors()
    assert "sichuan.txt:161: assistance: duplicate item number 4" in errors
    assert "sichuan.txt:161: assistance: missing item number 5" in errors
    assert_others_built(result, "sichuan")


def test_unknown_table_header(tmp_path: Path) -> None:
    def rename_column(data: bytes) -> bytes:
        return data.replace("\t依据\n".encode(), "\t法律依据\n".encode(), 1)

    result = quick_build(broken_project(tmp_path, "chongqing.txt", rename_column))
    errors = result.report.errors()
    assert any(e.startswith("chongqing.txt:15: error: unknown table header") for e in errors)
    assert_others_built(result, "chongqing")


def test_cli_exit_status_and_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def renumber(data: bytes) -> bytes:
        return data.replace(b"\n\t2\n", b"\n\t1\n", 1)  # Chongqing item 2 printed as 1

    paths = broken_project(tmp_path, "chongqing.txt", renumber)
    code = main(["--home", str(paths.root), "build", "--no-reasoning"])
    captured = capsys.readouterr()
    assert code == 1
    assert "chongqing         assistance       (27)      27" in captured.out
    assert "duplicate item number 1" in captured.err
