"""``serve()`` end to end: a separate process loads the build, answers, and stops on SIGINT."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import DUTY_6

from cdkg.local_servers import free_port
from cdkg.paths import ProjectPaths

SCRIPT = """
import sys
from pathlib import Path
from cdkg.paths import ProjectPaths
from cdkg.server.serve import serve
serve(ProjectPaths(root=Path(sys.argv[1]), build=Path(sys.argv[2])), port=int(sys.argv[3]),
      engine=sys.argv[4], threads=4, workers=int(sys.argv[5]))
"""


def _children(pid: int) -> list[int]:
    """Process ids whose parent is ``pid`` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _alive(pid: int) -> bool:
    """Running (not gone, not a zombie waiting for its parent)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(url: str, seconds: float) -> dict[str, object]:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return json.loads(response.read())  # type: ignore[no-any-return]
        except (urllib.error.URLError, ConnectionError):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@pytest.mark.parametrize(
    ("engine", "workers", "stop"),
    [("oxigraph", 2, signal.SIGINT), ("oxigraph", 1, signal.SIGTERM), ("rdflib", 0, signal.SIGINT)],
)
def test_serve(built_paths: ProjectPaths, engine: str, workers: int, stop: signal.Signals) -> None:
    port = free_port()
    started = time.monotonic()
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(built_paths.root),
            str(built_paths.build),
            str(port),
            engine,
            str(workers),
        ],
        stderr=subprocess.PIPE,
    )
    try:
        health = wait_for(f"http://127.0.0.1:{port}/healthz", 30)
        assert health["engine"] == engine
        assert time.monotonic() - started < 15
        query = urllib.request.quote(f"ASK {{ <{DUTY_6}> rdfs:label ?l }}")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query={query}") as answer:
            assert json.loads(answer.read())["boolean"] is True
        workers_before = _children(process.pid)
        if Path("/proc/self/stat").exists():
            assert len(workers_before) == workers
    finally:
        process.send_signal(stop)
        # Generous: on a loaded 2-core machine a clean shutdown of waitress and the workers can
        # take several seconds; the assertions below check that it did stop, and completely.
        try:
            _, stderr = process.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            for pid in (*_children(process.pid), process.pid):  # never leave a server behind
                os.kill(pid, signal.SIGKILL)
            raise
    assert process.returncode is not None
    time.sleep(0.2)
    assert not any(_alive(pid) for pid in workers_before)  # the workers were stopped too
    log = stderr.decode("utf-8")
    assert f"cdkg endpoint on http://127.0.0.1:{port}/sparql" in log
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line["route"] == "/sparql" and line["status"] == 200 for line in lines)
