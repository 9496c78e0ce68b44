"""Writing the built dataset atomically.

Files are written into a temporary folder beside the datasets, renamed into
build/datasets/<version>/ and only then published by swapping the build/current symlink with
os.replace — an atomic rename. A crash or Ctrl-C at any point leaves either the previous
dataset or the new one behind build/current, never a half-written one.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from rdflib import BNode, Dataset, Graph
from rdflib.compare import to_canonical_graph

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
        (staging / "dataset.nq").write_bytes(body)
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
    is renamed to build/datasets/<version>/ and build/current is switched to it. Returns the
    published folder."""
    build_dir.mkdir(parents=True, exist_ok=True)
    datasets = build_dir / "datasets"
    datasets.mkdir(exist_ok=True)
    for stale in build_dir.glob(".tmp-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".tmp-", dir=build_dir))
    try:
        version = fill(staging)
        for name, writer in extra_files.items():
            writer(staging / name)
        manifest = {**manifest, "version": version}
        (staging / "manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        target = datasets / version
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    link = build_dir / f".current-{os.getpid()}"
    if link.is_symlink() or link.exists():
        link.unlink()
    link.symlink_to(Path("datasets") / version)
    os.replace(link, build_dir / "current")
    _prune(datasets, keep={version})
    return target


def _prune(datasets: Path, keep: set[str]) -> None:
    """Remove old datasets, keeping the newest few for roll-back."""
    folders = sorted(
        (p for p in datasets.iterdir() if p.is_dir() and p.name not in keep),
        key=lambda p: p.stat().st_mtime,
        reverse=True,
    )
    for old in folders[KEEP:]:
        shutil.rmtree(old, ignore_errors=True)
