"""The check folder beside a dataset (build/current/check/): the reports ``cdkg check`` writes,
and the build's check run kept so that ``cdkg check`` and /report can reuse it.

At 3,000 jurisdictions a check run is minutes of queries (docs/scaling.md); its answer only
changes with the dataset, the check queries and the shapes. So ``cdkg build`` runs the checks
once on the store it published and keeps the run in ``RUN_FILE`` with what it depends on: the
dataset version and a digest of the check queries' texts and of ontology/shapes.ttl
(:func:`dependencies`). :func:`load_run` gives the run back only when both still match;
otherwise the caller runs the checks live.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from cdkg.queries.library import NamedQuery

from .check_report import render_html, render_markdown
from .checks import SHAPES_FILE, CheckRun, check_queries

REPORT_FOLDER = "check"
"""The check folder's name, beside the dataset."""
RUN_FILE = "run.json.gz"
"""The build's check run: CheckRun.to_json with pictures, and ``depends``."""
REUSED_NOTE = "检查结果取自构建时的检查（{generated}）/ reused the build's check run of {generated}"
LIVE_NOTE = "检查在此次运行中完成 / checks ran live: {why}"


def dependencies(library: Mapping[str, NamedQuery], shapes_path: Path | None = SHAPES_FILE) -> str:
    """A digest of what a check run's findings depend on besides the dataset: the name,
    severity and text of every check query, and the shapes file's bytes.

    >>> len(dependencies({}, None))
    64
    """
    digest = hashlib.sha256()
    for query in check_queries(library):
        for part in (query.name, query.severity or "", query.text):
            digest.update(part.encode("utf-8") + b"\0")
    if shapes_path is not None and shapes_path.is_file():
        digest.update(shapes_path.read_bytes())
    return digest.hexdigest()


def write_reports(run: CheckRun, folder: Path, threshold: str) -> dict[str, object]:
    """report.md, report.html and report.json of ``run`` into ``folder``; the JSON report."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "report.md").write_text(render_markdown(run, threshold), encoding="utf-8")
    (folder / "report.html").write_text(render_html(run, threshold), encoding="utf-8")
    report = run.to_json(threshold)
    (folder / "report.json").write_text(
        json.dumps(report, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return report


def save_run(run: CheckRun, folder: Path, digest: str) -> Path:
    """Keep ``run`` in ``folder``/RUN_FILE with the digest it was computed under."""
    folder.mkdir(parents=True, exist_ok=True)
    document = run.to_json("error", pictures=True)
    document["depends"] = {"version": run.version, "digest": digest}
    path = folder / RUN_FILE
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=3) as out:
        json.dump(document, out, ensure_ascii=False, separators=(",", ":"))
    return path


def load_run(folder: Path, version: str, digest: str) -> tuple[CheckRun | None, str]:
    """The run kept in ``folder`` when it was computed for ``version`` under ``digest``;
    else None and why not (for the live run's note; no folder of the machine in it)."""
    path = folder / RUN_FILE
    if not path.is_file():
        return None, f"no run kept by the build ({REPORT_FOLDER}/{RUN_FILE})"
    try:
        with gzip.open(path, "rt", encoding="utf-8") as source:
            document = json.load(source)
    except (OSError, ValueError) as error:
        return None, f"{REPORT_FOLDER}/{RUN_FILE} is unreadable: {error}"
    depends = document.get("depends") or {}
    if depends.get("version") != version:
        return None, f"the kept run is of version {depends.get('version')}, not {version}"
    if depends.get("digest") != digest:
        return None, "the check queries or shapes changed since the kept run"
    run = CheckRun.from_json(document)
    run.notes.append(REUSED_NOTE.format(generated=run.generated))
    return run, ""


def check_published(dataset: Path, queries: Path) -> tuple[CheckRun, Path]:
    """Run every check of the library in ``queries`` on the store published beside
    ``dataset``, with the build's SHACL findings; write the reports and keep the run in the
    check folder beside the dataset (``cdkg build`` calls it after publishing). The run and
    the folder."""
    import time

    from cdkg.queries.library import load_library
    from cdkg.server.store.engines import OxigraphStore, published_store

    from .checks import published_validation, run_checks

    started = time.perf_counter()
    library = load_library(queries)
    published = published_store(dataset)
    store = (
        OxigraphStore.open_published(published, dataset)
        if published is not None
        else OxigraphStore.from_file(dataset)
    )
    run = run_checks(
        store,
        library,
        validation=published_validation(dataset.parent),
        shapes_path=SHAPES_FILE,
        version=store.version,
        dataset=str(dataset),
    )
    run.seconds = time.perf_counter() - started
    folder = dataset.parent / REPORT_FOLDER
    write_reports(run, folder, "error")
    save_run(run, folder, dependencies(library))
    return run, folder
