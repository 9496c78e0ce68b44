"""``cdkg build`` keeps its check run beside the dataset, and ``cdkg check`` reuses it while the
dataset version, the check queries and the shapes are those it was computed under; otherwise
it runs the checks live (and says so). The reused report equals the live one."""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest
from reports_data import DUTIES, ROOT

from cdkg.cli import main
from cdkg.queries.library import load_library
from cdkg.server.reports.check_files import RUN_FILE, dependencies, load_run
from cdkg.server.reports.checks import SHAPES_FILE, CheckRun, published_validation, run_checks
from cdkg.server.store.engines import OxigraphStore, published_store

ID = "https://w3id.org/cdkg/id/"
TIMINGS = ("seconds", "generated", "notes")


@pytest.fixture(scope="module")
def door_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped sources built by ``cdkg build`` (the door, which runs the checks)."""
    folder = tmp_path_factory.mktemp("door-build")
    assert main(["--build-dir", str(folder), "build"]) == 0
    return folder


def check(build: Path, *args: str) -> int:
    return main(["--build-dir", str(build), "check", *args])


def without_timings(document: dict) -> dict:  # type: ignore[type-arg]
    kept = {k: v for k, v in document.items() if k not in TIMINGS}
    kept["checks"] = [{k: v for k, v in c.items() if k != "seconds"} for c in document["checks"]]
    return kept


def test_the_build_keeps_its_check_run(door_build: Path) -> None:
    folder = door_build / "current" / "check"
    assert {p.name for p in folder.iterdir()} >= {RUN_FILE, "report.html", "report.md"}
    with gzip.open(folder / RUN_FILE, "rt", encoding="utf-8") as source:
        kept = json.load(source)
    assert kept["depends"]["version"] == kept["version"]
    assert kept["duties"] == DUTIES
    assert len(kept["coverage"]["jurisdictions"]) == 5


def test_check_reuses_the_build_run_and_it_equals_a_live_run(
    door_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert check(door_build, "--output", str(tmp_path)) == 0
    out = capsys.readouterr().out
    assert "reused the build's check run" in out
    reused = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    dataset = door_build / "current" / "dataset.nq"
    store_folder = published_store(dataset)
    assert store_folder is not None
    live = run_checks(
        OxigraphStore.open_published(store_folder, dataset),
        load_library(ROOT / "queries"),
        validation=published_validation(dataset.parent),
        shapes_path=SHAPES_FILE,
        version=reused["version"],
        dataset=str(dataset),
    ).to_json("error")
    assert without_timings(reused) == without_timings(live)
    by_name = {c["name"]: c for c in reused["checks"]}
    warnings = by_name["shacl:AssistanceBasisShape"]
    assert warnings["count"] == 8
    # a finding traced to its duty, list number, file and line (sichuan.txt:297, 协助事项 26)
    [traced] = [f for f in warnings["findings"] if f["duty"] == f"{ID}duty/sichuan/assistance/26"]
    assert (traced["label"], traced["number"], traced["file"], traced["line"]) == (
        "协助做好社区矫正工作。",
        26,
        "sichuan.txt",
        297,
    )
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "检查结果取自构建时的检查" in html


def test_a_changed_check_query_runs_live(
    door_build: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    queries = tmp_path / "queries"
    shutil.copytree(ROOT / "queries", queries)
    library = load_library(queries)
    name = next(q.name for q in library.values() if q.kind == "check")
    [path] = [p for p in queries.glob("*.rq") if p.stem == name]
    path.write_text(path.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert check(door_build, "--queries", str(queries), "--output", str(tmp_path / "out")) == 0
    out = capsys.readouterr().out
    assert "checks ran live: the check queries or shapes changed" in out


def test_another_version_runs_live(door_build: Path) -> None:
    folder = door_build / "current" / "check"
    digest = dependencies(load_library(ROOT / "queries"))
    kept, why = load_run(folder, "not-this-version", digest)
    assert kept is None and "not not-this-version" in why
    kept, why = load_run(folder, _version(folder), digest)
    assert isinstance(kept, CheckRun) and why == ""


def _version(folder: Path) -> str:
    with gzip.open(folder / RUN_FILE, "rt", encoding="utf-8") as source:
        return str(json.load(source)["version"])


def test_build_no_check_keeps_no_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--build-dir", str(tmp_path), "build", "--no-check"]) == 0
    assert "check:" not in capsys.readouterr().out
    assert not (tmp_path / "current" / "check").exists()


def test_round_trip(door_build: Path) -> None:
    """CheckRun.from_json gives back what to_json wrote, pictures included."""
    folder = door_build / "current" / "check"
    kept, _ = load_run(folder, _version(folder), dependencies(load_library(ROOT / "queries")))
    assert kept is not None
    document = kept.to_json("warning", pictures=True)
    again = CheckRun.from_json(document)
    assert again.to_json("warning", pictures=True) == document
    assert again.coverage == kept.coverage and again.sectors == kept.sectors


def test_report_page_reuses_the_build_run(door_build: Path) -> None:
    """/report over the published store answers from the kept run; over a store of another
    version (an in-memory copy after an update) it runs the checks live."""
    from cdkg.loaders.layout import ProjectPaths
    from cdkg.server.app import create_app
    from cdkg.server.config import ServerConfig

    dataset = door_build / "current" / "dataset.nq"
    config = ServerConfig(
        paths=ProjectPaths(root=ROOT, build=door_build), rate_limit_per_minute=None
    )
    store = OxigraphStore.from_file(dataset)
    document = create_app(store, config).test_client().get("/report?format=json").get_json()
    assert any("reused the build's check run" in note for note in document["notes"])
    assert {c["name"]: c["count"] for c in document["checks"]}["shacl:AssistanceBasisShape"] == 8
    other = OxigraphStore.from_file(dataset, version="another-version")
    document = create_app(other, config).test_client().get("/report?format=json").get_json()
    assert any("checks ran live" in note for note in document["notes"])
