"""``cdkg query NAME --limit N --offset M``: a page of a SELECT's answer, the same rows as
``/queries/NAME?limit=&offset=``; bad values exit 2 naming the option."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from cdkg.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(build_dir: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    status = main(["--home", str(ROOT), "--build-dir", str(build_dir), "query", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    build_dir = tmp_path_factory.mktemp("query-paging-build")
    capture = pytest.MonkeyPatch()
    capture.setattr("sys.stdout", io.StringIO())
    capture.setattr("sys.stderr", io.StringIO())
    try:
        status = main(
            ["--home", str(ROOT), "--build-dir", str(build_dir), "query", "duty-count-by-catalog"]
        )
    finally:
        capture.undo()
    assert status == 0
    return build_dir


def csv_rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out)))


def test_pages_in_csv_give_the_whole_answer(
    built: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status, out, err = run(built, capsys, "topic-coverage-matrix", "--format", "csv")
    assert (status, err) == (0, "")
    header, *whole = csv_rows(out)
    assert len(whole) > 100
    read: list[list[str]] = []
    offset = 0
    while True:
        status, out, err = run(
            built,
            capsys,
            "topic-coverage-matrix",
            "--format",
            "csv",
            "--limit",
            "40",
            "--offset",
            str(offset),
        )
        assert (status, err) == (0, "")
        page_header, *rows = csv_rows(out)
        assert page_header == header
        read += rows
        if len(rows) < 40:
            break
        offset += 40
    assert read == whole


def test_table_says_which_rows(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(built, capsys, "topic-coverage-matrix", "--limit", "7", "--offset", "14")
    assert (status, err) == (0, "")
    lines = out.rstrip("\n").split("\n")
    assert len(lines) == 2 + 7 + 1
    assert lines[-1] == "(7 rows: rows 15–21 of the answer)"


def test_json_page(built: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, whole, _ = run(built, capsys, "legal-status-unverified", "--format", "json")
    status, page, err = run(
        built,
        capsys,
        "legal-status-unverified",
        "--format",
        "json",
        "--offset",
        "5",
        "--limit",
        "3",
    )
    assert (status, err) == (0, "")
    expected = json.loads(whole)["results"]["bindings"][5:8]
    assert json.loads(page)["results"]["bindings"] == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--limit", "0"), "--limit: parameter 'limit' must be from 1 to 10000: 0"),
        (("--limit", "10001"), "--limit: parameter 'limit' must be from 1 to 10000"),
        (("--limit", "ten"), "--limit: parameter 'limit' must be a whole number"),
        (("--offset", "-1"), "--offset: parameter 'offset' must be a whole number"),
    ],
)
def test_bad_values_exit_2_naming_the_option(
    built: Path, capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    status, out, err = run(built, capsys, "topic-coverage-matrix", *args)
    assert status == 2 and out == ""
    assert message in err


def test_a_query_without_order_is_not_paged(
    built: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    adhoc = tmp_path / "adhoc.rq"
    adhoc.write_text("SELECT ?s WHERE { ?s ?p ?o }\n", encoding="utf-8")
    status, out, err = run(built, capsys, str(adhoc), "--limit", "3")
    assert status == 2 and out == ""
    assert "no top-level ORDER BY" in err
    ask = tmp_path / "ask.rq"
    ask.write_text("ASK { ?s ?p ?o }\n", encoding="utf-8")
    status, out, err = run(built, capsys, str(ask), "--limit", "3")
    assert status == 2 and "page a SELECT's answer, not ASK" in err
