"""The store ``cdkg serve`` serves (``cdkg.server.store.live``): admin updates that survive a
restart with versions that never repeat (issue 12, item 8), and a newly published build served
without a restart (issue 14, item 7).

Build folders here are laid out as ``cdkg build`` publishes them: build/datasets/<version>/
and a build/current symlink swapped with an atomic rename."""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DUTY_6, ROOT, LiveServer, _write_build, running
from flask import Flask

from cdkg.loaders.layout import ProjectPaths
from cdkg.server.app import create_app
from cdkg.server.config import ServerConfig
from cdkg.server.serve import open_live_store, resolve
from cdkg.server.store.journal import JOURNAL_FILE, JOURNAL_FOLDER, UpdateJournal
from cdkg.server.store.live import LiveStore
from cdkg.server.store.workers import WorkerPoolStore

TOKEN = "journal-test-token"
NEW_DUTY = "https://w3id.org/cdkg/id/duty/test/self-governance/1"
GRAPH = "https://w3id.org/cdkg/id/graph/test"
INSERT = f'INSERT DATA {{ GRAPH <{GRAPH}> {{ <{DUTY_6}> cd:note "{{n}}" }} }}'
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o }"


def publish(build: Path, extra_quads: str = "") -> str:
    """Publish the sample dataset (plus ``extra_quads``) as a new build folder and switch
    build/current to it, as ``cdkg build`` does. Returns the new version."""
    staging = build / ".staging"
    _write_build(staging)
    if extra_quads:
        with (staging / "dataset.nq").open("a", encoding="utf-8") as stream:
            stream.write(extra_quads)
        manifest = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))
        manifest["version"] = f"{manifest['version'][:8]}{abs(hash(extra_quads)) % 10**8:08d}"
        (staging / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    version = json.loads((staging / "manifest.json").read_text(encoding="utf-8"))["version"]
    (build / "datasets").mkdir(exist_ok=True)
    target = build / "datasets" / version
    os.replace(staging, target)
    link = build / ".current-new"
    link.symlink_to(Path("datasets") / version)
    os.replace(link, build / "current")
    return version


def new_duty_quad() -> str:
    """A duty of a catalog the first build lacks (what a new `cdkg build` would add)."""
    graph = "<https://w3id.org/cdkg/id/graph/test>"
    catalog = "<https://w3id.org/cdkg/id/catalog/test>"
    return (
        f"<{NEW_DUTY}> <http://www.w3.org/2000/01/rdf-schema#label> "
        f'"协助开展新的测试事项"@zh {graph} .\n'
        f"<{NEW_DUTY}> <https://w3id.org/cdkg/ontology#inCatalog> {catalog} {graph} .\n"
    )


@pytest.fixture()
def paths(tmp_path: Path) -> ProjectPaths:
    build = tmp_path / "build"
    build.mkdir()
    publish(build)
    return ProjectPaths(root=ROOT, build=build)


def admin_config(paths: ProjectPaths) -> ServerConfig:
    return resolve(ServerConfig(paths=paths, admin_token=TOKEN, workers=1, reload_check_s=0.1))


def update(app: Flask, text: str) -> int:
    response = app.test_client().post(
        "/sparql",
        data=text.encode(),
        headers={
            "Content-Type": "application/sparql-update",
            "Authorization": f"Bearer {TOKEN}",
        },
    )
    return response.status_code


def count_notes(app: Flask) -> int:
    query = urllib.parse.quote(f"SELECT (COUNT(*) AS ?n) {{ <{DUTY_6}> cd:note ?x }}")
    answer = app.test_client().get(f"/sparql?query={query}").get_json()
    return int(answer["results"]["bindings"][0]["n"]["value"])


def version(app: Flask) -> str:
    return str(app.test_client().get("/healthz").get_json()["version"])


# --- updates on disk ------------------------------------------------------------------------


def test_updates_survive_a_restart_and_versions_never_repeat(paths: ProjectPaths) -> None:
    config = admin_config(paths)
    seen: list[str] = []
    store = open_live_store(paths, config)
    try:
        app = create_app(store, config)
        seen.append(version(app))
        for n in (1, 2):
            assert update(app, INSERT.replace("{n}", str(n))) == 204
            seen.append(version(app))
        assert update(app, "INSERT DATA { this is not SPARQL }") == 400  # not journaled
        assert version(app) == seen[-1]
        before_restart = version(app)
    finally:
        store.close()
    journal = paths.build / JOURNAL_FOLDER / JOURNAL_FILE
    assert len(journal.read_text(encoding="utf-8").splitlines()) == 3  # header + 2 updates

    store = open_live_store(paths, config)  # the restart
    try:
        app = create_app(store, config)
        assert count_notes(app) == 2  # replayed
        assert version(app) == before_restart  # the same data, the same version (and ETags)
        assert update(app, INSERT.replace("{n}", "3")) == 204
        assert count_notes(app) == 3
        assert version(app) not in seen
        seen.append(version(app))
    finally:
        store.close()
    assert len(set(seen)) == len(seen) == 4


def test_a_journal_of_another_build_is_set_aside(
    paths: ProjectPaths, caplog: pytest.LogCaptureFixture
) -> None:
    config = admin_config(paths)
    store = open_live_store(paths, config)
    try:
        app = create_app(store, config)
        assert update(app, INSERT.replace("{n}", "1")) == 204
        updated = version(app)
    finally:
        store.close()
    new_version = publish(paths.build, new_duty_quad())
    with caplog.at_level(logging.WARNING, logger="cdkg.server.store.journal"):
        store = open_live_store(paths, config)
    try:
        app = create_app(store, config)
        assert count_notes(app) == 0
        assert version(app) == new_version
        assert update(app, INSERT.replace("{n}", "2")) == 204
        assert version(app) not in (updated, new_version)
    finally:
        store.close()
    assert "set aside" in caplog.text
    aside = list((paths.build / JOURNAL_FOLDER).glob("journal-*.jsonl"))
    assert len(aside) == 1 and "INSERT DATA" in aside[0].read_text(encoding="utf-8")


def test_a_line_cut_short_by_a_crash_is_dropped(tmp_path: Path) -> None:
    journal = UpdateJournal.open(tmp_path, "v1")
    journal.append("INSERT DATA { <http://s> <http://p> 1 }")
    with journal.path.open("ab") as stream:
        stream.write(b'{"n": 2, "update": "INSERT DA')  # the crash
    reopened = UpdateJournal.open(tmp_path, "v1")
    assert reopened.entries == ["INSERT DATA { <http://s> <http://p> 1 }"]
    reopened.append("INSERT DATA { <http://s> <http://p> 2 }")
    assert UpdateJournal.open(tmp_path, "v1").entries == [
        "INSERT DATA { <http://s> <http://p> 1 }",
        "INSERT DATA { <http://s> <http://p> 2 }",
    ]


# --- a new build without a restart ----------------------------------------------------------


@pytest.fixture()
def live(paths: ProjectPaths) -> Iterator[tuple[LiveServer, LiveStore]]:
    config = resolve(ServerConfig(paths=paths, workers=1, reload_check_s=0.2, query_timeout_s=3.0))
    store = open_live_store(paths, config)
    try:
        with running(create_app(store, config), threads=6) as server:
            yield server, store
    finally:
        store.close()


def _get(url: str) -> tuple[int, dict[str, str], bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            headers = {name.lower(): value for name, value in response.headers.items()}
            return response.status, headers, response.read()
    except urllib.error.HTTPError as error:
        headers = {name.lower(): value for name, value in error.headers.items()}
        return error.code, headers, error.read()


def test_a_new_build_is_served_without_a_restart(
    live: tuple[LiveServer, LiveStore], paths: ProjectPaths
) -> None:
    server, store = live
    ask_new = f"{server.endpoint}?query=" + urllib.parse.quote(f"ASK {{ <{NEW_DUTY}> ?p ?o }}")
    status, headers, body = _get(ask_new)
    assert status == 200 and json.loads(body)["boolean"] is False
    old_etag = headers["etag"]
    old_version = json.loads(_get(f"{server.url}/healthz")[2])["version"]
    old_pool = store.store
    assert isinstance(old_pool, WorkerPoolStore)
    old_workers = [worker.process for worker in old_pool._all]

    # a slow query is running on the old build while the new one is published
    slow: list[tuple[int, bytes]] = []

    def run_slow() -> None:
        status, _, body = _get(f"{server.endpoint}?query=" + urllib.parse.quote(SLOW))
        slow.append((status, body))

    runner = threading.Thread(target=run_slow)
    runner.start()
    time.sleep(0.5)
    new_version = publish(paths.build, new_duty_quad())
    deadline = time.monotonic() + 60
    while json.loads(_get(f"{server.url}/healthz")[2])["version"] != new_version:
        assert time.monotonic() < deadline, "the new build was not taken up"
        time.sleep(0.1)
    assert new_version != old_version

    status, headers, body = _get(ask_new)
    assert status == 200 and json.loads(body)["boolean"] is True  # the new duty
    assert headers["etag"] != old_etag
    description = _get(f"{server.url}/.well-known/void?format=ttl")[2].decode()
    assert new_version in description
    search = json.loads(_get(f"{server.url}/search?q=" + urllib.parse.quote("新的测试事项"))[2])
    assert [hit["iri"] for hit in search["results"]] == [NEW_DUTY]

    # the query in flight finished on the old build (its timeout, not a closed engine) ...
    runner.join(timeout=60)
    assert slow and slow[0][0] == 503 and b"Query timeout" in slow[0][1]
    # ... and then the old build's workers were stopped
    deadline = time.monotonic() + 30
    while any(process.poll() is None for process in old_workers):
        assert time.monotonic() < deadline, "the old build's workers were left running"
        time.sleep(0.1)
    assert store.reloads == 1
    assert "cdkg_builds_reloaded_total 1" in _get(f"{server.url}/metrics")[2].decode()


def test_a_build_that_cannot_be_opened_leaves_the_old_one_serving(
    live: tuple[LiveServer, LiveStore], paths: ProjectPaths, caplog: pytest.LogCaptureFixture
) -> None:
    server, _ = live
    old_version = json.loads(_get(f"{server.url}/healthz")[2])["version"]
    broken = paths.build / "datasets" / "broken"
    shutil.copytree(paths.current.resolve(), broken)
    (broken / "dataset.nq").write_text("this is not N-Quads\n", encoding="utf-8")
    manifest = json.loads((broken / "manifest.json").read_text(encoding="utf-8"))
    (broken / "manifest.json").write_text(json.dumps({**manifest, "version": "broken"}))
    link = paths.build / ".current-new"
    link.symlink_to(Path("datasets") / "broken")
    with caplog.at_level(logging.ERROR, logger="cdkg.server.store.live"):
        os.replace(link, paths.current)
        deadline = time.monotonic() + 30
        while "could not be opened" not in caplog.text:
            assert time.monotonic() < deadline
            _get(f"{server.url}/healthz")
            time.sleep(0.2)
    status, _, body = _get(f"{server.url}/healthz")
    assert status == 200 and json.loads(body)["version"] == old_version
    query = urllib.parse.quote(f"ASK {{ <{DUTY_6}> ?p ?o }}")
    assert json.loads(_get(f"{server.endpoint}?query={query}")[2])["boolean"] is True
