"""Issue 14 part B: a catalog citing what no register knows still builds and publishes.

The fixture tests/catalogs/fixtures/provisional/hunan-damaged.csv prints one provincial
implementing regulation four ways, a local document no register can know, a misnamed
national law, a department no rule knows and an excluded row without departments. The build
publishes it with provisional entities and findings (file, row, text as printed); --strict
fails on the same input and publishes nothing; both engines agree; `cdkg laws` lists it all.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS

from cdkg.cli import main
from cdkg.loaders.build import BuildResult, build
from cdkg.loaders.laws.register import COLUMNS
from cdkg.loaders.layout import ProjectPaths, project_paths
from cdkg.loaders.normalise.citations import normalise_title
from cdkg.loaders.normalise.provisional import department_id, provisional_id

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "provisional" / "hunan-damaged.csv"
FILE = "data/catalogs/hunan-damaged.csv"
CD = Namespace("https://w3id.org/cdkg/ontology#")
ID = Namespace("https://w3id.org/cdkg/id/")
IMPLEMENTING = ID[
    "law/" + provisional_id(normalise_title("湖南省实施〈城市居民委员会组织法〉办法"))
]
ELECTION = ID["law/" + provisional_id(normalise_title("湖南省城市社区居民委员会选举规程"))]
MISNAMED = ID["law/" + provisional_id(normalise_title("城市居民委员会组织条例"))]
CHRONICLE = ID[f"department/430000/{department_id('湖南省地方志编纂院')}"]
RESIDENTS_LAW = ID["law/prc-urban-residents-committee-organization-law"]


def project(tmp: Path) -> ProjectPaths:
    """A copy of the project's data and ontology with the fixture in data/catalogs/."""
    shutil.copytree(ROOT / "data", tmp / "data")
    shutil.copytree(ROOT / "ontology", tmp / "ontology")
    shutil.copy(FIXTURE, tmp / FILE)
    return project_paths(tmp, tmp / "build")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, ProjectPaths]:
    paths = project(tmp_path_factory.mktemp("provisional"))
    return build(paths, stream=io.StringIO()), paths


@pytest.fixture(scope="module")
def graph(built: tuple[BuildResult, ProjectPaths]) -> Graph:
    union = Graph()
    for g in built[0].graphs:
        for triple in g:
            union.add(triple)
    return union


def test_the_build_publishes(built: tuple[BuildResult, ProjectPaths]) -> None:
    result, paths = built
    assert result.report.errors() == []
    assert result.published is not None and (paths.current / "dataset.nq").is_file()
    rows = {(r[0], r[1]): r[6] for r in result.report.rows() if r[0] == "hunan-damaged"}
    assert rows == {
        ("hunan-damaged", "self-governance"): "ok",
        ("hunan-damaged", "assistance"): "ok",
        ("hunan-damaged", "excluded"): "ok",
    }


def test_four_printings_are_one_provisional_implementing_regulation(graph: Graph) -> None:
    cited = {
        int(str(graph.value(duty, CD.number))): graph.value(citation, CD.citedDocument)
        for duty, citation in graph.subject_objects(CD.hasCitation)
        if str(duty).startswith(str(ID["duty/hunan-damaged/self-governance/"]))
        and "组织法" in str(graph.value(citation, CD.citedTitle))
    }
    assert cited == {1: IMPLEMENTING, 2: IMPLEMENTING, 3: IMPLEMENTING, 4: IMPLEMENTING}
    assert graph.value(IMPLEMENTING, CD.provisional) == Literal(True)
    assert graph.value(IMPLEMENTING, CD.documentType) == Literal("地方性法规")
    assert graph.value(IMPLEMENTING, CD.level) == Literal("provincial")
    assert graph.value(IMPLEMENTING, CD.issuingJurisdiction) == ID["jurisdiction/430000"]
    assert graph.value(IMPLEMENTING, CD.implements) == RESIDENTS_LAW
    label = str(graph.value(IMPLEMENTING, RDFS.label))
    assert normalise_title(label) == normalise_title("湖南省实施〈城市居民委员会组织法〉办法")
    # article 13 of it, not a title that swallowed "〉第十三条"
    provision = URIRef(f"{IMPLEMENTING}/art-13")
    assert (provision, CD.isProvisionOf, IMPLEMENTING) in graph


def test_a_local_document_no_register_knows(graph: Graph) -> None:
    assert graph.value(ELECTION, CD.provisional) == Literal(True)
    assert graph.value(ELECTION, RDFS.label) == Literal(
        "湖南省城市社区居民委员会选举规程", lang="zh"
    )
    assert graph.value(ELECTION, CD.documentType) == Literal("规范性文件")
    assert graph.value(ELECTION, CD.level) == Literal("provincial")
    assert graph.value(ELECTION, CD.suggestedDocument) is None


def test_a_misnamed_law_gets_the_closest_registered_title(graph: Graph) -> None:
    assert graph.value(MISNAMED, CD.suggestedDocument) == RESIDENTS_LAW
    assert float(graph.value(MISNAMED, CD.suggestionSimilarity)) == pytest.approx(0.857, abs=1e-3)
    assert graph.value(MISNAMED, CD.level) == Literal("national")
    assert graph.value(MISNAMED, CD.documentType) == Literal("行政法规")


def test_registered_laws_with_damaged_titles_resolve(graph: Graph) -> None:
    titles = {
        str(graph.value(c, CD.citedTitle)): graph.value(c, CD.citedDocument)
        for c in graph.subjects(CD.citedTitle, None)
        if str(c).startswith(str(ID["duty/hunan-damaged/assistance/"]))
    }
    assert titles["中华人民共和国宪法"] == ID["law/prc-constitution"]
    assert titles["中华人民共和国禁毒法"] == ID["law/prc-narcotics-control-law"]


def test_unknown_department_is_provisional_in_the_catalogs_jurisdiction(graph: Graph) -> None:
    duty = ID["duty/hunan-damaged/assistance/2"]
    assert graph.value(duty, CD.department) == CHRONICLE
    assert graph.value(CHRONICLE, CD.provisional) == Literal(True)
    assert graph.value(CHRONICLE, CD.jurisdiction) == ID["jurisdiction/430000"]
    assert graph.value(CHRONICLE, CD.sector) == ID["sector/unspecified"]


def test_excluded_row_without_departments_is_valid(built: tuple[BuildResult, ProjectPaths]) -> None:
    focus = str(ID["duty/hunan-damaged/excluded/1"])
    assert [f for f in built[0].report.validation.findings if f.focus == focus] == []


def test_findings_name_file_row_and_text(built: tuple[BuildResult, ProjectPaths]) -> None:
    result, paths = built
    found = {(f.kind, f.line, f.text) for f in result.report.findings()}
    assert found == {
        ("title", 15, "湖南省实施〈中华人民共和国城市居民委员会组织法〉办法"),
        ("title", 16, "湖南省实施〈城市居民委员会组织法〉办法"),
        ("title", 17, "湖南省实施〈中华人民共和国城市居民委员会组织法〉办法"),
        ("title", 19, "湖南省实施〈中华人民共和国城市居民委员会组织法〉办法"),
        ("title", 19, "湖南省城市社区居民委员会选举规程"),
        ("title", 21, "湖南省地方志工作规定"),
        ("title", 22, "中华人民共和国城市居民委员会组织条例"),
        ("department", 21, "湖南省地方志编纂院"),
    }
    assert {f.file for f in result.report.findings()} == {FILE}
    report = json.loads((paths.current / "report.json").read_text(encoding="utf-8"))
    assert report["ok"] is True
    misnamed = [f for f in report["findings"] if f["line"] == 22]
    assert misnamed == [
        {
            "severity": "warning",
            "file": FILE,
            "line": 22,
            "kind": "title",
            "text": "中华人民共和国城市居民委员会组织条例",
            "iri": str(MISNAMED),
            "suggestion": "中华人民共和国城市居民委员会组织法",
            "message": f"{FILE}:22: unknown title: 中华人民共和国城市居民委员会组织条例 "
            "(closest registered: 中华人民共和国城市居民委员会组织法)",
        }
    ]
    markdown = (paths.current / "report.md").read_text(encoding="utf-8")
    assert "## Findings for review (8)" in markdown
    assert f"- {FILE}:21: unknown department: 湖南省地方志编纂院" in markdown


def test_strict_fails_and_publishes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = project(tmp_path)
    code = main(["--home", str(paths.root), "build", "--strict"])
    captured = capsys.readouterr()
    assert code == 1
    assert not paths.current.exists()
    assert f"{FILE}:21: unknown department: 湖南省地方志编纂院" in captured.out
    assert "--strict: 8 finding(s) fail the build" in captured.err


def test_laws_command(
    built: tuple[BuildResult, ProjectPaths], capsys: pytest.CaptureFixture[str]
) -> None:
    _, paths = built
    home = ["--home", str(paths.root), "--build-dir", str(paths.build)]
    assert main([*home, "laws"]) == 0
    out = capsys.readouterr().out
    assert "national documents:" in out
    assert f"{IMPLEMENTING.rsplit('/', 1)[-1]}  《" in out
    assert "  implements: 《中华人民共和国城市居民委员会组织法》" in out
    assert f"  {FILE}:16: 湖南省实施〈城市居民委员会组织法〉办法" in out
    assert "  closest registered: 《中华人民共和国城市居民委员会组织法》" in out
    assert main([*home, "laws", "suggest"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert tuple(rows[0]) == COLUMNS
    by_id = {row["id"]: row for row in rows}
    assert len(by_id) == 4
    implementing = by_id[IMPLEMENTING.rsplit("/", 1)[-1]]
    assert implementing["doc_type"] == "地方性法规"
    assert implementing["level"] == "provincial"
    assert implementing["issuing_jurisdiction"] == "430000"
    assert implementing["confidence"] == "unverified"
    assert implementing["source"] == f"cdkg laws suggest from {FILE}:15"
    assert implementing["note"] == "implements prc-urban-residents-committee-organization-law"


def test_check_lists_the_findings_with_file_and_row(
    built: tuple[BuildResult, ProjectPaths], capsys: pytest.CaptureFixture[str]
) -> None:
    _, paths = built
    home = ["--home", str(paths.root), "--build-dir", str(paths.build)]
    code = main(
        [*home, "check", "--format", "json", "--no-shacl", "--queries", str(ROOT / "queries")]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 0  # warnings do not fail at the default threshold
    (check,) = [c for c in report["checks"] if c["name"] == "provisional-references"]
    assert check["severity"] == "warning"
    found = {(f["file"], f["line"], f["message"]) for f in check["findings"]}
    name = Path(FILE).name  # checks name the source by its cd:fileName
    assert (name, 21, "unknown department: 湖南省地方志编纂院") in found
    assert (
        name,
        22,
        "unknown title: 中华人民共和国城市居民委员会组织条例 "
        "(closest registered: 中华人民共和国城市居民委员会组织法)",
    ) in found
    assert len(found) == 8
