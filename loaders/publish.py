"""Writing the built dataset atomically.

Files are written into a staging folder beside the datasets, renamed into a folder of
build/datasets/ that did not exist before — ``<version>``, or ``<version>.<n>`` when a
rebuild of the same version finds ``<version>`` published (and perhaps in use by a server) —
and only then published by swapping the build/current symlink with os.replace, an atomic
rename. Older folders of the same version are removed only after the swap. A crash or
Ctrl-C at any point leaves either the previous dataset or the new one behind build/current,
complete, never a half-written or a missing one (tests/loaders/test_publish_window.py stops
the publication at each of its file-system steps to check).

Staging folders (``.tmp-<pid>-…``) and a build's work folder (``.work-<pid>-…``, see
cdkg.loaders.scalable) carry the id of the process that owns them; :func:`remove_orphans`
removes those whose process is gone (a killed build), never one of a build still running.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

from .layout import DATASET_FILE

KEEP = 2  # datasets kept besides the current one, for a quick roll-back


def stable_graph(graph: Graph) -> Graph:
    """The graph with deterministic blank-node labels (the ontology's OWL lists), so the same
    data always serialises to the same bytes and the dataset version only changes with it."""
    if not any(isinstance(term, BNode) for triple in graph for term in triple):
        return graph
    return to_canonical_graph(graph)


_stable = stable_graph


def nquads_lines(graphs: Sequence[Graph]) -> list[str]:
    """Sorted N-Quads lines of all graphs: the same data always gives the same bytes."""
    dataset = Dataset()
    for graph in graphs:
        target = dataset.graph(graph.identifier)
        for triple in _stable(graph):
            target.add(triple)
    text = dataset.serialize(format="nquads")
    return sorted(set(line for line in text.splitlines() if line.strip()))


def publish(
    build_dir: Path,
    graphs: Sequence[Graph],
    extra_files: dict[str, Callable[[Path], None]],
    manifest: dict[str, object],
) -> Path:
    """Write dataset.nq, dataset.trig, the extra files and manifest.json, then publish them as
    build/current. Returns the published folder."""

    def fill(staging: Path) -> str:
        lines = nquads_lines(graphs)
        body = ("\n".join(lines) + "\n").encode("utf-8")
        (staging / DATASET_FILE).write_bytes(body)
        dataset = Dataset()
        dataset.parse(data=body.decode("utf-8"), format="nquads")
        for graph in graphs:
            for prefix, namespace in graph.namespaces():
                dataset.bind(prefix, namespace, override=True)
            break
        dataset.serialize(destination=staging / "dataset.trig", format="trig")
        return hashlib.sha256(body).hexdigest()[:16]

    return publish_folder(build_dir, fill, extra_files, manifest)


def publish_folder(
    build_dir: Path,
    fill: Callable[[Path], str],
    extra_files: dict[str, Callable[[Path], None]],
    manifest: dict[str, object],
) -> Path:
    """The atomic part of publishing: ``fill`` writes the dataset files into a staging folder
    and returns the dataset version; the extra files and manifest.json are added, the folder
    is renamed to a new folder build/datasets/<version>[.<n>]/, build/current is switched
    to it, and then older folders of that version are removed. Returns the published
    folder."""
    build_dir.mkdir(parents=True, exist_ok=True)
    datasets = build_dir / "datasets"
    datasets.mkdir(exist_ok=True)
    remove_orphans(build_dir, STAGING_PREFIX)
    staging = Path(tempfile.mkdtemp(prefix=owned_prefix(STAGING_PREFIX), dir=build_dir))
    try:
        version = fill(staging)
        for name, writer in extra_files.items():
            writer(staging / name)
        manifest = {**manifest, "version": version}
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        target = _fresh_folder(datasets, version)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = build_dir / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path("datasets") / target.name)
    os.replace(link, build_dir / "current")
    for older in published_folders(datasets, version):
        if older != target:
            shutil.rmtree(older, ignore_errors=True)
    _prune(datasets, keep={target.name})
    return target


STAGING_PREFIX = ".tmp-"
UNOWNED_AGE_S = 24 * 3600
_OWNED = re.compile(r"^(?P<prefix>\.[a-z]+-)(?P<pid>\d+)-")


def owned_prefix(prefix: str) -> str:
    """The name prefix of a scratch folder this process owns: ``prefix`` and its pid."""
    return f"{prefix}{os.getpid()}-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def remove_orphans(folder: Path, prefix: str) -> list[Path]:
    """Remove the scratch folders ``folder/<prefix><pid>-…`` whose process has ended (a build
    killed with kill -9 or a power cut leaves them); a folder of a running process is kept,
    and one without a pid in its name (made by an older cdkg) is removed only when nothing
    in it changed for ``UNOWNED_AGE_S``. Returns the folders removed."""
    removed = []
    for path in folder.glob(f"{prefix}*"):
        owned = _OWNED.match(path.name)
        if owned is None:
            try:
                if time.time() - path.stat().st_mtime < UNOWNED_AGE_S:
                    continue
            except OSError:
                continue
        elif owned["prefix"] != prefix or _alive(int(owned["pid"])):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def published_folders(datasets: Path, version: str) -> list[Path]:
    """The folders of build/datasets/ holding ``version`` (``<version>``, ``<version>.<n>``)."""
    if not datasets.is_dir():
        return []
    return sorted(
        p for p in datasets.iterdir() if p.is_dir() and p.name.split(".", 1)[0] == version
    )


def _fresh_folder(datasets: Path, version: str) -> Path:
    """``datasets/<version>``, or ``<version>.<n>`` when that is taken (a rebuild)."""
    candidate, n = datasets / version, 0
    while candidate.exists():
        n += 1
        candidate = datasets / f"{version}.{n}"
    return candidate


def _prune(datasets: Path, keep: set[str]) -> None:
    """Remove old datasets, keeping the newest few for roll-back."""
    folders = sorted(
        (p for p in datasets.iterdir() if p.is_dir() and p.name not in keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
