"""``cdkg query``: named queries and .rq files from the command line, on the shipped data.

The first use builds the shipped sources into an empty temporary build folder (the command
builds when there is no dataset); every later test runs on that build. Expected values come
from data/raw, as in test_named_queries.py.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cdkg.cli import main
from cdkg.commands.query import render_table
from cdkg.loaders.terminal import display_width, fit
from cdkg.queries.library import load_library

ROOT = Path(__file__).resolve().parents[2]
LIBRARY = load_library(ROOT / "queries")
ID = "https://w3id.org/cdkg/id/"


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("query-command-build")


def run(build_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """``cdkg --home ROOT --build-dir BUILD query ARGS``: (exit status, stdout, stderr)."""
    status = main(["--home", str(ROOT), "--build-dir", str(build_dir), "query", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def built(build_dir: Path) -> Path:
    """The first query on an empty build folder builds the dataset first."""
    capture = pytest.MonkeyPatch()
    out, err = io.StringIO(), io.StringIO()
    capture.setattr("sys.stdout", out)
    capture.setattr("sys.stderr", err)
    try:
        status = main(
            ["--home", str(ROOT), "--build-dir", str(build_dir), "query", "catalog-summary"]
        )
    finally:
        capture.undo()
    assert status == 0, err.getvalue()
    assert "no built dataset yet: building first" in err.getvalue()
    # Build progress goes to stderr: stdout holds the answer only.
    assert out.getvalue().startswith("catalog ") and out.getvalue().endswith("(12 rows)\n")
    assert (build_dir / "current" / "dataset.nq").is_file()
    return build_dir


# --- table, CSV, JSON --------------------------------------------------------------------------


def test_table_aligns_chinese_text(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(built, capsys, "search-duties")  # keyword 禁毒
    assert (status, err) == (0, "")
    lines = out.rstrip("\n").split("\n")
    header, rule, rows, footer = lines[0], lines[1], lines[2:-1], lines[-1]
    assert header.split() == [
        "rank",
        "matchedIn",
        "duty",
        "label",
        "number",
        "jurisdiction",
        "jurisdictionLabel",
        "listType",
        "listLabel",
        "file",
        "line",
    ]
    assert set(rule) == {"-", " "} and footer == "(4 rows)"
    # chongqing.txt line 97 (item 6); the label column starts at the same display column in
    # every row although the rows before it hold wide (Chinese) and narrow text.
    assert any(
        "id:duty/chongqing/assistance/6" in row and "协助开展禁毒宣传" in row for row in rows
    )
    label_at = display_width(header[: header.index("label")])
    for row in rows:
        start = row.index("协助") if "协助" in row else row.index("宣传教育")
        assert display_width(row[:start]) == label_at
    # The last column (line) is numeric, right-aligned under its header: rows end with it.
    assert all(display_width(row) == display_width(header) for row in rows)


def test_table_cuts_long_cells_unless_told(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # changzhi.txt line 157: 附件2 item 11, a 120-character name.
    name = "城区、郊区、高新区所属的街道办事处，县政府驻地镇要以社区居民委员会为单位"
    status, out, _ = run(built, capsys, "assistance-duties-with-only-policy-basis")
    # Cut to 40 columns: 19 wide characters and the ellipsis.
    assert status == 0 and name not in out and "城区、郊区、高新区所属的街道办事处，县…" in out
    status, out, _ = run(built, capsys, "assistance-duties-with-only-policy-basis", "--width", "0")
    assert status == 0 and name in out
    assert out.rstrip().endswith("(10 rows)")


def test_csv_is_rfc_4180(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(built, capsys, "duties-without-legal-basis", "--format", "csv")
    assert status == 0
    assert out.count("\r\n") == 15 and "\n" not in out.replace("\r\n", "")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert len(rows) == 14
    first = rows[0]
    # sichuan.txt line 297: 附件2 item 26, an empty 依据 cell.
    assert first["duty"] == f"{ID}duty/sichuan/assistance/26"
    assert (first["label"], first["file"], first["line"]) == (
        "协助做好社区矫正工作。",
        "sichuan.txt",
        "297",
    )
    assert first["jurisdiction"] == f"{ID}jurisdiction/510000"


def test_csv_quotes_commas_and_line_breaks(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # chongqing.txt line 97: the 依据 cell is two lines; the source text has tabs.
    status, out, _ = run(built, capsys, "duty-profile", "-f", "csv")
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    citation = next(row for row in rows if row["property"].endswith("#citationText"))
    assert (
        citation["value"] == "《中华人民共和国禁毒法》第十七条、第十九条\n《重庆市禁毒条例》第九条"
    )
    assert int(next(row for row in rows if row["property"].endswith("#sourceLine"))["value"]) == 97


def test_json_is_sparql_results(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(built, capsys, "legal-basis-national-local-share", "--format", "json")
    assert status == 0
    document = json.loads(out)
    assert document["head"]["vars"][:3] == ["jurisdiction", "jurisdictionLabel", "citations"]
    first = document["results"]["bindings"][0]
    assert first["jurisdiction"] == {"type": "uri", "value": f"{ID}jurisdiction/140400"}
    assert first["jurisdictionLabel"] == {"type": "literal", "value": "长治市", "xml:lang": "zh"}
    assert first["nationalPercent"]["value"] == "94"  # 68 of 长治市's 72 citations
    total = sum(int(b["citations"]["value"]) for b in document["results"]["bindings"])
    assert total == 346


# --- parameters --------------------------------------------------------------------------------


def test_parameters_by_key_prefix_or_iri(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    expected = None
    for value in (
        "ningxia-district",
        "id:jurisdiction/ningxia-district",
        f"<{ID}jurisdiction/ningxia-district>",
    ):
        status, out, err = run(built, capsys, "departments-ranked", "-p", f"jurisdiction={value}")
        assert (status, err) == (0, "")
        expected = expected or out
        assert out == expected
    assert expected is not None
    # ningxia-district.txt: 社会工作部 is named by 14 duties, the most.
    first_row = expected.split("\n")[2]
    assert "社会工作部" in first_row and first_row.rstrip().endswith("14")


def test_two_jurisdictions(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(
        built,
        capsys,
        "topics-assigned-here-not-there",
        "--param",
        "jurisdiction=140000",
        "--param",
        "other_jurisdiction=640000",
        "-f",
        "csv",
    )
    assert status == 0
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert [(r["topicLabel"], r["duties"], r["otherRemoves"]) for r in rows] == [
        ("出具证明", "12", "false"),
        ("城市管理与市政服务", "1", "false"),
        ("居住证", "1", "false"),
        ("禁毒", "1", "true"),
    ]


def test_keyword(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(built, capsys, "search-duties", "-p", "keyword=居住证", "-f", "csv")
    rows = list(csv.DictReader(io.StringIO(out, newline="")))
    assert status == 0 and len(rows) == 5
    # chongqing.txt line 56: 协助申领发放居住证.
    assert f"{ID}duty/chongqing/assistance/3" in [r["duty"] for r in rows if r["rank"] == "1"]


def test_unknown_jurisdiction_lists_the_known_ones(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(built, capsys, "departments-ranked", "-p", "jurisdiction=140100")
    assert status == 2 and out == ""
    assert "parameter 'jurisdiction': no jurisdiction '140100'; did you mean 长治市 (140400)" in err
    assert "参数 jurisdiction：没有名为“140100”的地区。您是否要找：长治市 (140400)" in err
    for key, name in (("500000", "重庆市"), ("510000", "四川省"), ("140400", "长治市")):
        assert f"\n  {key}  {name}\n" in err


@pytest.mark.parametrize("value", ["500000", "重庆市", "重庆", f"<{ID}jurisdiction/500000>"])
def test_jurisdiction_by_code_name_or_iri(
    built: Path, capsys: pytest.CaptureFixture[str], value: str
) -> None:
    # One resolver (cdkg.queries.resolver) for the command line and the web (issue 17).
    status, out, err = run(built, capsys, "jurisdiction-profile", "-p", f"jurisdiction={value}")
    assert (status, err) == (0, "")
    assert "渝民发〔2021〕6号" in out


def test_ambiguous_name_lists_what_it_fits(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(built, capsys, "jurisdiction-profile", "-p", "jurisdiction=山")
    assert status == 2
    assert "'山' fits several: 山西省 (140000)、山东省 (370000)" in err
    assert "“山”可指多个地区" in err


def test_unknown_duty_points_to_search(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(built, capsys, "duty-profile", "-p", "duty=chongqing/assistance/99")
    assert status == 2
    assert "parameter 'duty'" in err and "search-duties" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["search-duties", "-p", "word=禁毒"], "unknown parameter 'word' (parameters: keyword)"),
        (["duty-profile", "-p", "duty=not an iri"], "parameter 'duty': 'not an iri' is not a duty"),
        (["laws-cited-by-most-jurisdictions", "-p", "min_jurisdictions=many"], "not an integer"),
        (["search-duties", "-p", "keyword"], "--param expects NAME=VALUE"),
        (["search-duties", "-p", "keyword=a", "-p", "keyword=b"], "given twice"),
        (["catalog-summary", "-p", "x=1"], "catalog-summary takes no parameters"),
    ],
)
def test_parameter_errors_name_the_parameter(
    built: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    status, out, err = run(built, capsys, *args)
    assert status == 2 and out == ""
    assert message in err


# --- names, files, listing ---------------------------------------------------------------------


def test_unknown_name_lists_the_library(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(built, capsys, "topics-in-every")
    assert status == 2 and out == ""
    assert "unknown query 'topics-in-every' (did you mean topics-in-every-jurisdiction?)" in err
    for name in LIBRARY:
        assert f"\n  {name}" in err


def test_no_name(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = run(built, capsys)
    assert status == 2 and "cdkg query --list" in err


def test_list(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(built, capsys, "--list")
    assert status == 0
    lines = out.rstrip("\n").split("\n")
    assert lines[0].split()[:3] == ["name", "kind", "title@zh"]
    assert len(lines) == 2 + len(LIBRARY)
    row = next(line for line in lines if line.startswith("duties-without-legal-basis "))
    assert "check (warning)" in row and "没有法律依据的事项" in row
    row = next(line for line in lines if line.startswith("topics-assigned-here-not-there "))
    assert row.rstrip().endswith("jurisdiction, other_jurisdiction")


def test_adhoc_file(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?duties) WHERE { ?d a cd:Duty }\n", encoding="utf-8")
    status, out, _ = run(built, capsys, str(path), "-f", "csv")
    assert (status, out) == (0, "duties\r\n210\r\n")
    status, _, err = run(built, capsys, str(path), "-p", "x=1")
    assert status == 2 and "needs a library header" in err


def test_file_with_a_header_takes_parameters(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "mine.rq"
    path.write_text(LIBRARY["search-duties"].text, encoding="utf-8")
    status, out, _ = run(built, capsys, str(path), "-p", "keyword=养犬", "-f", "json")
    bindings = json.loads(out)["results"]["bindings"]
    assert status == 0
    # chongqing.txt line 128: 协助做好养犬管理工作.
    assert [b["duty"]["value"] for b in bindings] == [f"{ID}duty/chongqing/assistance/8"]


def test_file_with_a_bad_header(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.rq"
    path.write_text("# title@zh: 坏\n# kind: sometimes\nASK {}\n", encoding="utf-8")
    status, _, err = run(built, capsys, str(path))
    assert status == 2 and "title@en" in err
    status, _, err = run(built, capsys, str(tmp_path / "missing.rq"))
    assert status == 2 and "no query file" in err


def test_ask_and_construct(built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ask = tmp_path / "ask.rq"
    ask.write_text('ASK { ?d cd:number 6 ; rdfs:label "协助开展禁毒宣传、落实禁毒防范措施"@zh }')
    assert run(built, capsys, str(ask))[:2] == (0, "true\n")
    graph = tmp_path / "graph.rq"
    graph.write_text(
        "CONSTRUCT { ?d rdfs:label ?l } WHERE { ?d cd:sourceLine 97 ; rdfs:label ?l }",
        encoding="utf-8",
    )
    status, out, _ = run(built, capsys, str(graph))
    assert status == 0
    assert f"<{ID}duty/chongqing/assistance/6> rdfs:label" in out
    assert '"协助开展禁毒宣传、落实禁毒防范措施"@zh' in out
    status, _, err = run(built, capsys, str(graph), "-f", "csv")
    assert status == 2 and "CONSTRUCT answer is a graph" in err


def test_a_failing_query_exits_1(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("SELECT * WHERE { ?s ?p }\n", encoding="utf-8")
    status, out, err = run(built, capsys, str(path))
    assert status == 1 and out == "" and "broken: syntax error" in err


def test_every_named_query_runs(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in LIBRARY:
        status, out, err = run(built, capsys, name)
        assert (status, err) == (0, ""), name
        assert out.rstrip().endswith(")"), name


# --- helpers -----------------------------------------------------------------------------------


def test_display_width_and_fit() -> None:
    assert display_width("重庆市") == 6 and display_width("abc") == 3
    assert display_width("（名称未印出）") == 14  # fullwidth brackets
    assert fit("宁夏回族自治区某城区", 9) == "宁夏回族…" and fit("short", 9) == "short"


def test_render_table() -> None:
    table = render_table(["地区", "n"], [["重庆市", "27"], ["四川省", "59"]], numeric=[False, True])
    assert table.split("\n") == ["地区     n", "------  --", "重庆市  27", "四川省  59"]


def test_a_home_without_queries_reads_the_installed_ones(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--home X`` whose X has a build but no queries/ folder lists and runs the queries
    installed with the package (cdkg.queries), not none."""
    home = tmp_path / "home"
    (home / "data").mkdir(parents=True)  # a project folder: data/, no queries/
    prefix = ["--home", str(home), "--build-dir", str(built), "query"]
    assert main([*prefix, "--list"]) == 0
    listed = capsys.readouterr().out
    assert "catalog-summary" in listed and "search-duties" in listed
    assert main([*prefix, "catalog-summary"]) == 0
    out, err = capsys.readouterr()
    assert err == "" and out.endswith("(12 rows)\n")
