"""``cdkg push`` end to end: the Graph Store Protocol against Oxigraph server and Virtuoso.

Every graph of the real build is PUT (twice: replace, not append), then counted on the
server and compared with manifest.json; the content is read back and compared triple by
triple; a wrong manifest, stale graphs, a missing --graph-store and wrong credentials give
the documented messages and exit statuses.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests
from conftest import SparqlServer, manifest_graphs, record

from cdkg.cli import main
from cdkg.loaders.layout import ProjectPaths
from cdkg.server.store.gsp import Build, read_build


def cdkg_push(
    paths: ProjectPaths,
    server: SparqlServer,
    monkeypatch: pytest.MonkeyPatch,
    *extra: str,
) -> int:
    if server.password is not None:
        monkeypatch.setenv("CDKG_PUSH_PASSWORD", server.password)
    argv = ["--home", str(paths.root), "--build-dir", str(paths.build), "push"]
    return main([*argv, *server.push_args(), *extra])


def term_key(term: object) -> tuple[str, ...]:
    """A term compared across servers: blank nodes all alike, language tags lower-cased."""
    if isinstance(term, ox.NamedNode):
        return ("iri", term.value)
    if isinstance(term, ox.BlankNode):
        return ("bnode",)
    assert isinstance(term, ox.Literal)
    if term.language:
        return ("lang", term.value, term.language.lower())
    return ("typed", term.value, term.datatype.value)


def triples_key(quads: object) -> Counter[tuple[tuple[str, ...], ...]]:
    return Counter(
        (term_key(q.subject), term_key(q.predicate), term_key(q.object))  # type: ignore[attr-defined]
        for q in quads  # type: ignore[attr-defined]
    )


@pytest.mark.parametrize("fmt", ["turtle", "ntriples"])
def test_push_twice_leaves_the_manifest_counts(
    server: SparqlServer,
    built_paths: ProjectPaths,
    built: Build,
    fmt: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for attempt in (1, 2):
        started = time.perf_counter()
        status = cdkg_push(built_paths, server, monkeypatch, "--format", fmt)
        seconds = time.perf_counter() - started
        out, err = capsys.readouterr()
        assert status == 0, out + err
        record(f"cdkg push to {server.name} ({fmt}, run {attempt})", f"{seconds:.2f} s")
        for graph, count in built.graphs.items():
            assert re.search(
                rf"{re.escape(graph)}\s+{count:,} triples\s+[\d.,]+ KiB\s+[\d.]+ s", out
            )
        assert "verified: every graph" in out
    found = server.remote(scope=()).count_graphs()
    for graph, count in manifest_graphs(built).items():
        assert found[graph] == count, graph


def test_pushed_graphs_read_back_unchanged(loaded: SparqlServer, built: Build) -> None:
    """Every triple arrives as built (lexical forms and datatypes kept; only blank-node
    labels and the case of language tags may differ)."""
    local = ox.Store()
    local.bulk_load(path=str(built.dataset), format=ox.RdfFormat.N_QUADS)
    for graph in built.graphs:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        response = requests.get(
            loaded.endpoint,
            params={"query": query},
            headers={"Accept": "application/n-triples"},
            timeout=60,
        )
        response.raise_for_status()
        remote = triples_key(ox.parse(response.content, ox.RdfFormat.N_TRIPLES))
        expected = triples_key(local.quads_for_pattern(None, None, None, ox.NamedNode(graph)))
        # a server keeps a set of triples: compare which triples, not how often a blank-node
        # shape repeats
        assert set(remote) == set(expected), graph


def test_a_wrong_manifest_count_is_reported_and_fails(
    loaded: SparqlServer,
    built_paths: ProjectPaths,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    build = tmp_path / "build"
    shutil.copytree(built_paths.current, build / "current")
    manifest = build / "current" / "manifest.json"
    data = json.loads(manifest.read_text(encoding="utf-8"))
    graph = "https://w3id.org/cdkg/id/graph/chongqing"
    data["graphs"][graph] += 1
    manifest.write_text(json.dumps(data), encoding="utf-8")
    status = cdkg_push(ProjectPaths(built_paths.root, build), loaded, monkeypatch)
    err = capsys.readouterr().err
    assert status == 1
    expected = data["graphs"][graph]
    assert f"MISMATCH {graph}: manifest {expected:,}, endpoint {expected - 1:,}" in err
    assert "1 graph(s) differ from manifest.json" in err


def test_graphs_not_in_the_build_are_listed_then_pruned(
    loaded: SparqlServer,
    built_paths: ProjectPaths,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stale = "https://w3id.org/cdkg/id/graph/stale-catalog"
    body = f'<{stale}> <http://www.w3.org/2000/01/rdf-schema#label> "旧"@zh .\n'.encode()
    loaded.graph_store_client().put(stale, body, "application/n-triples")

    assert cdkg_push(built_paths, loaded, monkeypatch) == 0
    out, _ = capsys.readouterr()
    assert f"not in this build: {stale} (1 triples)" in out
    assert "--prune" in out

    assert cdkg_push(built_paths, loaded, monkeypatch, "--prune") == 0
    out, _ = capsys.readouterr()
    assert f"deleted {stale}" in out
    assert stale not in loaded.remote(scope=()).count_graphs()


def test_virtuoso_needs_a_graph_store_url(
    built_paths: ProjectPaths, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--home", str(built_paths.root), "--build-dir", str(built_paths.build), "push"]
    assert main([*argv, "--endpoint", "http://127.0.0.1:9/sparql"]) == 2
    assert "sparql-graph-crud-auth" in capsys.readouterr().err


def test_wrong_credentials_stop_at_the_first_graph(
    virtuoso_server: SparqlServer,
    built_paths: ProjectPaths,
    built: Build,
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["--home", str(built_paths.root), "--build-dir", str(built_paths.build), "push"]
    argv += [*virtuoso_server.push_args(), "--password", "wrong", "--retries", "5"]
    assert main(argv) == 1
    err = capsys.readouterr().err
    first = next(iter(built.graphs))
    assert f"PUT {first}: 401" in err
    assert "check --auth, --user and the password" in err
    assert "attempts" not in err  # a refusal is not retried


def test_read_build_needs_a_build(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="cdkg build"):
        read_build(tmp_path)
