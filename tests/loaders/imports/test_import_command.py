"""``cdkg import`` on a temporary copy of the project: preview writes nothing, missing
metadata is asked for by option, the written template and the kept original build, and the
duty's page shows where in the original it came from."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rdflib import Literal, Namespace
from rdflib.namespace import PROV

from cdkg.cli import main
from cdkg.loaders.build import BuildOptions, build
from cdkg.loaders.layout import project_paths
from cdkg.loaders.sources.template import read_template
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.store.engines import OxigraphStore

from . import published

ROOT = Path(__file__).resolve().parents[3]
CD = Namespace("https://w3id.org/cdkg/ontology#")
ID = Namespace("https://w3id.org/cdkg/id/")


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    if not published.FONT.exists():
        pytest.skip(f"{published.FONT} missing: install fonts-wqy-microhei (./dev test does)")
    root = tmp_path / "project"
    shutil.copytree(ROOT / "data", root / "data", ignore=shutil.ignore_patterns("*.csv~"))
    shutil.copytree(ROOT / "ontology", root / "ontology")
    for stray in (root / "data" / "catalogs").iterdir():
        if stray.name != "README.md":  # only the import under test
            shutil.rmtree(stray) if stray.is_dir() else stray.unlink()
    return root


def cdkg(root: Path, *args: str) -> int:
    return main(["--home", str(root), "--build-dir", str(root / "build"), *args])


def test_preview_writes_nothing(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "附件1.docx"
    published.write_docx(source)
    before = sorted(p.name for p in (project / "data" / "catalogs").rglob("*"))
    assert cdkg(project, "import", str(source), "--key", "guizhou", "--preview") == 0
    assert sorted(p.name for p in (project / "data" / "catalogs").rglob("*")) == before
    out = capsys.readouterr().out
    assert "jurisdiction: 520000 贵州省 (province, part of 100000) from the place name" in out
    assert (
        "  assistance: 4 duties (heading '二、依法协助政府工作事项（4项）' at table 2, row 1, "
        "declares 4)" in out
    )
    assert "  table 2: category '社会治安' (blank cell, carried down) on row 6" in out
    assert "preview: nothing written" in out


def test_missing_metadata_is_asked_for_by_option(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "list.txt"
    source.write_text("1.协助维护社会治安。\n依据：《中华人民共和国宪法》第一百一十一条\n", "utf-8")
    assert cdkg(project, "import", str(source), "--key", "x", "--preview") == 2
    assert "give --list-type" in capsys.readouterr().err
    args = ("import", str(source), "--key", "x", "--list-type", "assistance", "--preview")
    assert cdkg(project, *args) == 2
    err = capsys.readouterr().err
    assert "cdkg import: give --title: the document prints no title line" in err
    assert "cdkg import: give --jurisdiction: no place name printed" in err
    assert cdkg(project, *args, "--title", "某区社区工作事项清单", "--jurisdiction", "朝阳区") == 2
    assert "--jurisdiction 朝阳区: several have that name: 110105 (北京市), 220104 (长春市)" in (
        capsys.readouterr().err
    )
    assert cdkg(project, *args, "--title", "某区清单", "--jurisdiction", "510104") == 0
    assert "jurisdiction: 510104 锦江区 (district, part of 510100) from --jurisdiction" in (
        capsys.readouterr().out
    )


def test_unrecognised_header_and_scanned_pdf_fail(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scan = tmp_path / "scan.pdf"
    published.write_scanned_pdf(scan)
    assert cdkg(project, "import", str(scan), "--key", "x") == 1
    assert "scan.pdf: has no text layer (a scanned image?)" in capsys.readouterr().err
    assert not (project / "data" / "catalogs" / "x.csv").exists()


def test_imported_catalog_builds_and_its_page_shows_the_original(
    project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "附件.xlsx"
    published.write_xlsx(source)
    args = ("import", str(source), "--key", "guizhou", "--title", published.TITLE)
    assert cdkg(project, *args, "--jurisdiction", "贵州省") == 0
    template = project / "data" / "catalogs" / "guizhou.csv"
    copy = project / "data" / "catalogs" / "sources" / "guizhou.xlsx"
    assert copy.read_bytes() == source.read_bytes()
    catalog, result = read_template(template)
    assert (catalog.jurisdiction_code, catalog.part_of_code, catalog.source_file) == (
        "520000",
        "100000",
        "sources/guizhou.xlsx",
    )
    assert catalog.expected_counts() == "self-governance=3 | assistance=4 | excluded=2"
    assert [d.source_location for d in result.duties][3:5] == [
        "sheet '协助政府工作事项', row 3",
        "sheet '协助政府工作事项', row 4",
    ]
    assert cdkg(project, *args) == 2  # exists: not overwritten without --force
    capsys.readouterr()

    paths = project_paths(project, project / "build")
    built = build(paths, BuildOptions(reason=False, validate_shapes=False), io.StringIO())
    report = next(c for c in built.report.catalogs if c.key == "guizhou")
    assert [r[2:] for r in built.report.rows() if r[0] == "guizhou"] == [
        ("3", "3", "1–3", "0", "ok"),
        ("4", "4", "1–4", "0", "ok"),
        ("2", "2", "1–2", "0", "ok"),
    ]
    assert report.duties == 9
    (graph,) = [g for g in built.graphs if g.identifier == ID["graph/guizhou"]]
    duty = ID["duty/guizhou/assistance/2"]
    original = ID["source/guizhou.xlsx"]
    assert graph.value(duty, CD.sourceLocation) == Literal("sheet '协助政府工作事项', row 4")
    assert graph.value(duty, PROV.hadPrimarySource) == original
    assert graph.value(duty, PROV.wasDerivedFrom) == ID["source/guizhou.csv"]
    assert graph.value(ID["source/guizhou.csv"], PROV.wasDerivedFrom) == original
    assert graph.value(original, CD.fileName) == Literal("sources/guizhou.xlsx")

    store = OxigraphStore.from_file(paths.current / "dataset.nq")
    client = create_app(store, ServerConfig(paths=paths)).test_client()
    page = client.get("/id/duty/guizhou/assistance/2", headers={"Accept": "text/html"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "协助开展禁毒防范和社区戒毒。" in html
    assert '<a href="/id/source/guizhou.xlsx">sources/guizhou.xlsx</a>' in html
    assert "sheet &#39;协助政府工作事项&#39;, row 4" in html
