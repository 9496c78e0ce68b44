"""The doors read a materialised query's answer from the build's table (queries/answers.py):
``/queries/NAME`` (Flask test client) and ``cdkg query NAME``, for a page and for the whole
answer, while the query text is the one the build answered; an edited text runs as before.

To see which of the two answered, the table of a copy of the real build is tampered with: one
row's label in the answers graph is changed. Read from the table, the page shows the changed
label; run from the text, the real one (data/raw's).
"""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from flask import Flask
from reports_data import ROOT

from cdkg.cli import main
from cdkg.loaders.layout import ProjectPaths
from cdkg.queries.library import load_library
from cdkg.queries.paging import Page, paged
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store.engines import OxigraphStore

NAME = "duties-without-legal-basis"
REAL = "协助做好社区矫正工作。"  # row 1's label (sichuan, assistance 26)
TAMPERED = "篡改过的答案表"
BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
ROW_1_LABEL = (
    f"<https://w3id.org/cdkg/id/answers/{NAME}/row/1> "
    f"<https://w3id.org/cdkg/id/answers/{NAME}/column/label> "
)


@pytest.fixture(scope="module")
def tampered(built: ProjectPaths, tmp_path_factory: pytest.TempPathFactory) -> ProjectPaths:
    """A copy of the real build whose table of NAME has another label in row 1."""
    build = tmp_path_factory.mktemp("answers-tampered")
    (build / "current").mkdir()
    lines = (built.current / "dataset.nq").read_text(encoding="utf-8").splitlines()
    changed = [
        f'{ROW_1_LABEL}"{TAMPERED}"@zh <https://w3id.org/cdkg/id/graph/answers> .'
        if line.startswith(ROW_1_LABEL)
        else line
        for line in lines
    ]
    assert sum(a != b for a, b in zip(lines, changed, strict=True)) == 1
    (build / "current" / "dataset.nq").write_text("\n".join(changed) + "\n", encoding="utf-8")
    shutil.copy(built.current / "manifest.json", build / "current" / "manifest.json")
    return ProjectPaths(root=ROOT, build=build)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project root whose queries/ holds the library with NAME's text edited (a comment)."""
    root = tmp_path_factory.mktemp("answers-edited")
    shutil.copytree(ROOT / "queries", root / "queries", ignore=shutil.ignore_patterns("*.py"))
    path = root / "queries" / f"{NAME}.rq"
    path.write_text(path.read_text(encoding="utf-8") + "# edited after the build\n", "utf-8")
    return root


def app_for(paths: ProjectPaths) -> Flask:
    store = OxigraphStore.from_file(paths.build / "current" / "dataset.nq")
    return create_app(store, ServerConfig(paths=paths, rate_limit_per_minute=None))


def labels(app: Flask, query: str) -> list[str]:
    response = app.test_client().get(f"/queries/{NAME}?format=json{query}")
    assert response.status_code == 200
    return [row["label"]["value"] for row in response.get_json()["results"]["bindings"]]


def test_the_page_and_the_whole_answer_come_from_the_table(tampered: ProjectPaths) -> None:
    app = app_for(tampered)
    assert labels(app, "&limit=2") == [TAMPERED, "协助做好文化体育工作。"]
    whole = labels(app, "")
    assert len(whole) == 14 and whole[0] == TAMPERED
    page = app.test_client().get(f"/queries/{NAME}", headers={"Accept": BROWSER})
    text = page.get_data(as_text=True)
    assert TAMPERED in text and "Answered from the build's table" in text
    assert "答案取自构建时预先计算的结果表" in text
    other = app.test_client().get("/queries/misprinted-titles", headers={"Accept": BROWSER})
    assert "答案取自构建时预先计算的结果表" not in other.get_data(as_text=True)


def test_an_edited_text_is_run(tampered: ProjectPaths, edited: Path) -> None:
    app = app_for(ProjectPaths(root=edited, build=tampered.build))
    assert labels(app, "&limit=2") == [REAL, "协助做好文化体育工作。"]
    page = app.test_client().get(f"/queries/{NAME}", headers={"Accept": BROWSER})
    assert "答案取自构建时预先计算的结果表" not in page.get_data(as_text=True)


def test_the_table_gives_the_text_s_pages(built: ProjectPaths) -> None:
    """On the real build, every format's page and the whole answer are the text's."""
    app = app_for(built)
    store = OxigraphStore.from_file(built.current / "dataset.nq")
    text = load_library(ROOT / "queries")[NAME].text
    expected = [str(row["label"]) for row in store.select(paged(text, Page(4, 5)))]
    assert labels(app, "&limit=4&offset=5") == expected
    assert labels(app, "") == [str(row["label"]) for row in store.select(text)]
    response = app.test_client().get(f"/queries/{NAME}?format=tsv&limit=3&offset=12")
    assert response.status_code == 200
    assert len(response.get_data(as_text=True).splitlines()) == 1 + 2  # rows 13 and 14


def cli(capsys: pytest.CaptureFixture[str], paths: ProjectPaths, *args: str) -> list[list[str]]:
    status = main(
        ["--home", str(ROOT), "--build-dir", str(paths.build), "query", NAME, "-f", "csv", *args]
    )
    captured = capsys.readouterr()
    assert (status, captured.err) == (0, "")
    return list(csv.reader(io.StringIO(captured.out)))


def test_cdkg_query_reads_the_table(
    tampered: ProjectPaths, edited: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    header, *rows = cli(capsys, tampered, "--limit", "1")
    assert rows[0][header.index("label")] == TAMPERED and len(rows) == 1
    header, *rows = cli(capsys, tampered)
    assert rows[0][header.index("label")] == TAMPERED and len(rows) == 14
    header, *rows = cli(capsys, tampered, "--queries", str(edited / "queries"))
    assert rows[0][header.index("label")] == REAL and len(rows) == 14
