"""Issue 12, item 7: publishing never leaves build/current without a complete dataset, and
the scratch folders of killed builds are removed by the next build — not those of a build
that is still running.

The publication is stopped at each of its file-system steps in turn (a rename, a removal or
a symlink that fails, as a crash there would leave things), and before every step build/current
is checked: it must always resolve to a complete dataset — the one published before, or the
new one. The rebuild publishes the same version again (the same graphs) with a new report, the
case that used to delete the published folder before replacing it.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from cdkg.loaders import publish as publishing
from cdkg.loaders.scalable import workdir

GRAPH = Graph(identifier=URIRef("https://w3id.org/cdkg/id/graph/test"))
GRAPH.add(
    (
        URIRef("https://w3id.org/cdkg/id/duty/test/assistance/1"),
        RDFS.label,
        Literal("协助开展禁毒宣传", lang="zh"),
    )
)
FILES = {"dataset.nq", "dataset.trig", "manifest.json", "report.md"}


class Crash(Exception):
    """A build stopped at one file-system step (as kill -9 or a full disk would)."""


def publish(build: Path, report: str) -> Path:
    def write_report(path: Path) -> None:
        path.write_text(report, encoding="utf-8")

    return publishing.publish(build, [GRAPH], {"report.md": write_report}, {"built": report})


def complete(build: Path) -> str:
    """The report of the dataset build/current resolves to; fails unless it is complete."""
    current = build / "current"
    assert current.is_dir(), f"build/current dangles: {os.readlink(current)}"
    assert {p.name for p in current.iterdir()} >= FILES
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    assert (current / "dataset.nq").read_text(encoding="utf-8").count("\n") == 1
    return str(manifest["built"])


@contextmanager
def steps(build: Path, crash_at: int | None) -> Iterator[list[str]]:
    """Check build/current before every rename, removal and symlink of the publication, and
    raise Crash instead of doing step number ``crash_at``."""
    done: list[str] = []
    originals = {
        "replace": os.replace,
        "rmtree": shutil.rmtree,
        "symlink_to": Path.symlink_to,
    }

    def step(name: str, run: Callable[[], None]) -> None:
        if done:  # before the first step there is only the first build's dataset
            complete(build)
        if len(done) == crash_at:
            raise Crash(f"stopped before step {crash_at} ({name})")
        done.append(name)
        run()

    def replace(source: object, target: object) -> None:
        step(f"replace {target}", lambda: originals["replace"](source, target))  # type: ignore[operator]

    def rmtree(path: object, *args: object, **kwargs: object) -> None:
        step(f"rmtree {path}", lambda: originals["rmtree"](path, *args, **kwargs))  # type: ignore[operator]

    def symlink_to(self: Path, target: object, *args: object) -> None:
        step(f"symlink {self}", lambda: originals["symlink_to"](self, target, *args))  # type: ignore[operator]

    patch = pytest.MonkeyPatch()
    patch.setattr(publishing.os, "replace", replace)
    patch.setattr(publishing.shutil, "rmtree", rmtree)
    patch.setattr(Path, "symlink_to", symlink_to)
    try:
        yield done
    finally:
        patch.undo()


def test_a_rebuild_of_the_same_version_never_leaves_current_incomplete(tmp_path: Path) -> None:
    build = tmp_path / "build"
    first = publish(build, "first build")
    assert complete(build) == "first build"
    with steps(build, None) as done:
        second = publish(build, "second build")
    assert complete(build) == "second build"
    assert second.name.split(".")[0] == first.name and second != first
    assert not first.exists(), "the older folder of the version is removed after the swap"
    assert len(done) >= 3
    for crash_at in range(len(done)):
        trial = tmp_path / f"crash-{crash_at}"
        shutil.copytree(build, trial, symlinks=True)
        with steps(trial, crash_at), pytest.raises(Crash):
            publish(trial, f"crashed at {crash_at}")
        assert complete(trial) in ("second build", f"crashed at {crash_at}")
        publish(trial, "after the crash")  # the next build publishes over what was left
        assert complete(trial) == "after the crash"
        # a staging folder left by the "crash" is this (still running) process's: the next
        # build of another process removes it (the second test)
        leftovers = [p.name for p in trial.iterdir() if p.name.startswith(".tmp-")]
        assert all(name.startswith(f".tmp-{os.getpid()}-") for name in leftovers)


def dead_pid() -> int:
    """The id of a process that has ended."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_next_build_removes_work_folders_of_killed_builds_only(tmp_path: Path) -> None:
    build = tmp_path / "build"
    build.mkdir()
    killed = build / f".work-{dead_pid()}-abc123"
    (killed / "store").mkdir(parents=True)
    (killed / "asserted.nq").write_text("<a> <b> <c> .\n", encoding="utf-8")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        alive = build / f".work-{running.pid}-def456"
        alive.mkdir()
        staging = build / f".tmp-{dead_pid()}-ghi789"
        staging.mkdir()
        with workdir(build, persistent=True) as scratch:
            assert Path(scratch).name.startswith(f".work-{os.getpid()}-")
            assert not killed.exists()
            assert alive.is_dir()
            publish(build, "next build")
            assert not staging.exists()
            assert Path(scratch).is_dir() and alive.is_dir()
    finally:
        running.kill()
        running.wait()
