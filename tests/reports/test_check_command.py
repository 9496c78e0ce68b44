"""`cdkg check`: exit status at each threshold, findings traced to real source lines, and the
reports it writes (Markdown, HTML with its two pictures, JSON)."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from reports_data import (
    CHONGQING_6,
    CHONGQING_6_LABEL,
    DUTIES,
    FIXTURE_QUERIES,
    ID,
    SICHUAN_NO_BASIS,
)

from cdkg.cli import main
from cdkg.loaders.layout import ProjectPaths
from cdkg.server.reports.checks import CheckFinding, CheckResult

CD = "https://w3id.org/cdkg/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV = "http://www.w3.org/ns/prov#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def check(built: ProjectPaths, *args: str) -> int:
    return main(["--build-dir", str(built.build), "check", *args])


@pytest.fixture(scope="module")
def reports(built: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One run of the fixture checks and SHACL on the shipped data; its report folder."""
    output = tmp_path_factory.mktemp("check-report")
    assert check(built, "--queries", str(FIXTURE_QUERIES), "--output", str(output)) == 0
    return output


@pytest.fixture(scope="module")
def report_json(reports: Path) -> dict:  # type: ignore[type-arg]
    document: dict = json.loads((reports / "report.json").read_text(encoding="utf-8"))  # type: ignore[type-arg]
    return document


@pytest.fixture(scope="module")
def html_report(reports: Path) -> str:
    return (reports / "report.html").read_text(encoding="utf-8")


def by_name(document: dict) -> dict[str, dict]:  # type: ignore[type-arg]
    return {c["name"]: c for c in document["checks"]}


# --- exit status --------------------------------------------------------------------------


def test_shipped_data_passes_at_the_default_threshold(
    built: ProjectPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The real library (queries/) and the shapes: no error-severity finding today."""
    assert check(built, "--output", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert re.search(r"^check\s+title\s+severity\s+findings\s+status$", out, re.MULTILINE)
    assert re.search(r"^shacl:AssistanceBasisShape\s.*\swarning\s+8\s+findings$", out, re.M)
    for name in ("report.md", "report.html", "report.json"):
        assert (tmp_path / name).stat().st_size > 0


def test_default_output_is_beside_the_build_report(built: ProjectPaths) -> None:
    assert check(built, "--queries", str(FIXTURE_QUERIES), "--no-shacl") == 0
    folder = built.current / "check"
    assert (folder / "report.html").is_file() and (folder / "report.md").is_file()
    assert (
        (built.current / "report.md").read_text(encoding="utf-8").startswith("# cdkg build report")
    ), "the build's own report.md is left alone"


@pytest.mark.parametrize(
    ("threshold", "status"), [("error", 0), ("warning", 1), ("info", 1), ("never", 0)]
)
def test_threshold(built: ProjectPaths, tmp_path: Path, threshold: str, status: int) -> None:
    """The fixture checks on the shipped data: 8 warnings (no basis), no errors."""
    args = ["--queries", str(FIXTURE_QUERIES), "--no-shacl", "--output", str(tmp_path)]
    assert check(built, *args, "--fail-on", threshold) == status


def _injected_build(built: ProjectPaths, tmp_path: Path, edit: str, extra: list[str]) -> Path:
    """A copy of the built dataset with lines removed (``edit`` filtered) and added."""
    current = tmp_path / "build" / "current"
    current.mkdir(parents=True)
    lines = (built.current / "dataset.nq").read_text(encoding="utf-8").splitlines()
    kept = [line for line in lines if not (edit and edit in line)]
    assert len(kept) < len(lines) or not edit
    (current / "dataset.nq").write_text("\n".join(kept + extra) + "\n", encoding="utf-8")
    shutil.copyfile(built.current / "manifest.json", current / "manifest.json")
    return tmp_path / "build"


def _quad(s: str, p: str, o: str, graph: str = "chongqing") -> str:
    return f"<{s}> <{p}> {o} <{ID}graph/{graph}> ."


INJECTED = f"{ID}duty/chongqing/assistance/99"
INJECTED_CITATION = f"{INJECTED}/citation/1"
INJECTED_QUADS = [
    _quad(INJECTED, RDF_TYPE, f"<{CD}AssistanceDuty>"),
    _quad(INJECTED, RDF_TYPE, f"<{CD}Duty>"),
    _quad(INJECTED, f"{RDFS}label", '"协助核查一项并不存在的条例"@zh'),
    _quad(INJECTED, f"{CD}number", '"99"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    _quad(INJECTED, f"{CD}inCatalog", f"<{ID}catalog/chongqing>"),
    _quad(INJECTED, f"{CD}jurisdiction", f"<{ID}jurisdiction/500000>"),
    _quad(INJECTED, f"{CD}citationText", '"《不存在条例》第一条"'),
    _quad(INJECTED, f"{CD}sourceLine", f'"999"^^<{XSD}integer>'),
    _quad(INJECTED, f"{PROV}wasDerivedFrom", f"<{ID}source/chongqing.txt>"),
    _quad(INJECTED, f"{CD}topic", f"<{ID}topic/drug-control>"),
    _quad(INJECTED, f"{CD}department", f"<{ID}department/500000/public-security-department>"),
    _quad(INJECTED, f"{CD}hasCitation", f"<{INJECTED_CITATION}>"),
    _quad(INJECTED_CITATION, RDF_TYPE, f"<{CD}Citation>"),
    _quad(INJECTED_CITATION, f"{CD}citationText", '"《不存在条例》第一条"'),
    _quad(INJECTED_CITATION, f"{CD}citedTitle", '"不存在条例"'),
]


def test_injected_unresolved_citation_fails(
    built: ProjectPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An assistance duty citing a document the law register does not know: the error-level
    check query and SHACL's CitationShape both find it, traced to chongqing.txt:999."""
    build_dir = _injected_build(built, tmp_path, "", INJECTED_QUADS)
    args = ["--format", "json", "--queries", str(FIXTURE_QUERIES)]
    status = main(["--build-dir", str(build_dir), "check", *args])
    document = json.loads(capsys.readouterr().out)
    assert status == 1 and document["ok"] is False
    checks = by_name(document)
    [finding] = checks["citation-unresolved"]["findings"]
    assert (finding["duty"], finding["file"], finding["line"]) == (INJECTED, "chongqing.txt", 999)
    assert finding["label"] == "协助核查一项并不存在的条例"
    assert finding["jurisdiction"] == "重庆市"
    assert "不存在条例" in finding["message"]
    [shacl] = checks["shacl:CitationShape"]["findings"]
    assert (shacl["focus"], shacl["duty"], shacl["line"]) == (INJECTED_CITATION, INJECTED, 999)
    assert checks["shacl:CitationShape"]["fails"] is True
    no_basis = {f["duty"] for f in checks["assistance-without-basis"]["findings"]}
    assert INJECTED in no_basis and len(no_basis) == 9


def test_injected_missing_source_line_fails_with_the_real_library(
    built: ProjectPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deleting one duty's cd:sourceLine breaks DutyShape (sh:Violation): exit status 1."""
    build_dir = _injected_build(built, tmp_path, f"<{CHONGQING_6}> <{CD}sourceLine>", [])
    assert main(["--build-dir", str(build_dir), "check"]) == 1
    captured = capsys.readouterr()
    assert re.search(r"^shacl:DutyShape\s.*\serror\s+1\s+FAIL$", captured.out, re.MULTILINE)
    assert "failing at --fail-on error: shacl:DutyShape" in captured.err
    document = json.loads((build_dir / "current" / "check" / "report.json").read_text("utf-8"))
    [finding] = by_name(document)["shacl:DutyShape"]["findings"]
    assert (finding["duty"], finding["label"], finding["file"], finding["line"]) == (
        CHONGQING_6,
        CHONGQING_6_LABEL,
        "chongqing.txt",
        None,
    )
    assert "source line" in finding["message"]


# --- findings traced to the source ----------------------------------------------------------


def test_json_on_standard_output(
    built: ProjectPaths, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--queries", str(FIXTURE_QUERIES), "--no-shacl", "--output", str(tmp_path)]
    assert check(built, "--format", "json", *args) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["ok"] is True and document["threshold"] == "error"
    assert [c["name"] for c in document["checks"]] == [
        "citation-unresolved",
        "assistance-without-basis",
    ]
    assert document == json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))


def test_findings_name_real_duties_and_lines(report_json: dict, raw_dir: Path) -> None:  # type: ignore[type-arg]
    document = report_json
    assert document["ok"] is True
    assert document["duties"] == DUTIES
    found = by_name(document)["assistance-without-basis"]["findings"]
    sichuan = {f["duty"]: f for f in found if f["file"] == "sichuan.txt"}
    assert set(sichuan) == {f"{ID}duty/sichuan/assistance/{n}" for n in SICHUAN_NO_BASIS}
    lines = (raw_dir / "sichuan.txt").read_text(encoding="utf-8").splitlines()
    for number, line in SICHUAN_NO_BASIS.items():
        finding = sichuan[f"{ID}duty/sichuan/assistance/{number}"]
        assert (finding["line"], finding["jurisdiction"], finding["number"]) == (
            line,
            "四川省",
            number,
        )
        # The row starts with its number; the name follows two lines below.
        assert lines[line - 1].strip() == str(number)
        assert lines[line + 1].strip() == finding["label"]
    assert sichuan[f"{ID}duty/sichuan/assistance/26"]["label"] == "协助做好社区矫正工作。"
    [changzhi] = [f for f in found if f["file"] == "changzhi.txt"]
    assert (changzhi["duty"], changzhi["line"]) == (f"{ID}duty/changzhi/assistance/34", 167)
    shacl = by_name(document)["shacl:AssistanceBasisShape"]["findings"]
    assert {f["duty"] for f in shacl} == {f["duty"] for f in found}
    assert all(
        f["message"] == "assistance duty cites no legal basis (hasLegalBasis)" for f in shacl
    )
    infos = by_name(document)["shacl:CatalogDepartmentShape"]
    assert infos["severity"] == "info"
    assert {f["focus"] for f in infos["findings"]} == {
        f"{ID}catalog/{key}" for key in ("changzhi", "sichuan", "tianjin")
    }


# --- the reports ----------------------------------------------------------------------------


class _Svg(HTMLParser):
    """Collects the text of each <svg class=…> and the page's external references."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: dict[str, list[str]] = {}
        self.titles: dict[str, list[str]] = {}
        self.rects: dict[str, int] = {}
        self.external: list[str] = []
        self.scripts = 0
        self._svg: str | None = None
        self._stack: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href"):
            if (values.get(name) or "").startswith(("http://", "https://", "//")) and tag != "a":
                self.external.append(values[name] or "")
        self.scripts += tag == "script"
        if tag == "svg":
            self._svg = (values.get("class") or "").split()[0]
            self.texts[self._svg], self.titles[self._svg] = [], []
            self.rects[self._svg] = 0
        elif self._svg and tag == "rect":
            self.rects[self._svg] += 1
        self._stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg = None
        while self._stack and self._stack.pop() != tag:
            pass

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        if self._svg and self._stack and data.strip():
            kind = self.titles if self._stack[-1] == "title" else self.texts
            if self._stack[-1] in ("text", "title"):
                kind[self._svg].append(data.strip())


def test_html_heatmap_and_bar_chart_with_chinese_text(html_report: str) -> None:
    page = _Svg()
    page.feed(html_report)
    assert set(page.texts) == {"heatmap", "bars"}
    heat = page.texts["heatmap"]
    # Column heads: the jurisdictions; row heads: topics — text, not pictures of text.
    for jurisdiction in ("长治市", "重庆市", "宁夏回族自治区某城区", "四川省", "天津市"):
        assert jurisdiction in heat
    assert {"禁毒", "社区矫正", "出具证明", "社区减负"} <= set(heat)
    assert "重庆市 · 禁毒: 1" in page.titles["heatmap"]
    assert "长治市 · 出具证明: 12" in page.titles["heatmap"]
    assert page.rects["heatmap"] >= 5 * 50
    bars = page.texts["bars"]
    assert {"公安", "卫生健康", "民政"} <= set(bars)
    assert "重庆市" in bars and "宁夏回族自治区某城区" in bars  # the legend
    assert any(t.startswith("公安 · 重庆市: ") for t in page.titles["bars"])
    assert page.external == [] and page.scripts == 0, "the page must be self-contained"


def test_html_findings_link_duties_with_source_lines(html_report: str) -> None:
    duty = f"{ID}duty/sichuan/assistance/26"
    assert f'<a href="{duty}">协助做好社区矫正工作。</a>' in html_report
    row = html_report[html_report.index(f'<a href="{duty}">') :]
    row = row[: row.index("</tr>")]
    assert "四川省" in row and '<td class="source">sichuan.txt:297</td>' in row
    assert '<p class="verdict pass">通过 <span lang="en">PASS</span>' in html_report


def test_markdown_report(reports: Path) -> None:
    text = (reports / "report.md").read_text(encoding="utf-8")
    assert "| assistance-without-basis | 没有法律依据的协助事项 · " in text
    assert (
        f"- 协助做好社区矫正工作。 <{ID}duty/sichuan/assistance/26> — 四川省 — sichuan.txt:297"
        in text
    )
    assert "## Coverage: duties per topic and jurisdiction" in text


# --- the threshold rule ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "threshold", "fails"),
    [
        ("error", "error", True),
        ("warning", "error", False),
        ("warning", "warning", True),
        ("info", "warning", False),
        ("info", "info", True),
        ("error", "never", False),
    ],
)
def test_fails_at_or_above_the_threshold(severity: str, threshold: str, fails: bool) -> None:
    result = CheckResult("c", "query", severity, "标题", "Title", findings=[CheckFinding(None)])
    assert result.fails(threshold) is fails
    assert CheckResult("c", "query", severity, "", "").fails(threshold) is False


def test_a_check_that_cannot_run_fails(built: ProjectPaths, tmp_path: Path) -> None:
    queries = tmp_path / "queries"
    queries.mkdir()
    (queries / "broken.rq").write_text(
        "# title@zh: 坏\n# title@en: Broken\n# description: Not SPARQL.\n# kind: check\n"
        "# severity: info\nSELECT WHERE {\n",
        encoding="utf-8",
    )
    args = ["--queries", str(queries), "--no-shacl", "--output", str(tmp_path / "out")]
    assert check(built, *args) == 1
    assert check(built, *args, "--fail-on", "never") == 0


def test_reports_list_the_first_findings_and_count_the_rest(
    built: ProjectPaths,
    report_json: dict,  # type: ignore[type-arg]
) -> None:
    """With ``shown`` smaller than a check's findings, report.html and report.md list that
    many and say how many there are; the JSON keeps them all."""
    from cdkg.server.reports.check_report import render_html, render_markdown
    from cdkg.server.reports.checks import CheckRun

    run = CheckRun.from_json(report_json)
    no_basis = by_name(report_json)["assistance-without-basis"]
    total = no_basis["count"]
    assert total > 2
    html = render_html(run, "error", shown=2)
    section = html[html.index('id="check-assistance-without-basis"') :]
    section = section[: section.index("</section>")]
    assert section.count('<tr><td class="num">') == 2
    assert f"共 {total} 条，此处列出前 2 条；全部见 report.json" in section
    assert f"Showing 2 of {total}; all in report.json" in section
    markdown = render_markdown(run, "error", shown=2)
    assert f"共 {total} 条，此处列出前 2 条；全部见 report.json / Showing 2 of {total}" in markdown
    assert len(run.to_json("error")["checks"][0]["findings"]) == report_json["checks"][0]["count"]
