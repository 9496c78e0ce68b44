"""``serve()`` end to end: a separate process loads the build, answers, and stops on SIGINT."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from conftest import DUTY_6
from local_servers import free_port

from cdkg.loaders.layout import ProjectPaths

SCRIPT = """
import sys
from pathlib import Path
from cdkg.loaders.layout import ProjectPaths
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


# --- `cdkg serve` options -------------------------------------------------------------------


def test_serve_help_lists_every_option_with_its_default_and_variable() -> None:
    from cdkg.server.config import SERVE_OPTIONS

    shown = subprocess.run(
        [sys.executable, "-m", "cdkg", "serve", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "COLUMNS": "400"},
    ).stdout
    for flag in ("--host", "--port", "--engine", "--threads"):
        assert flag in shown
    assert len(SERVE_OPTIONS) == 11
    for option in SERVE_OPTIONS:
        assert option.flag in shown
        assert f"(default: {option.default}; env {option.env})" in shown
    from cdkg.cli import parser

    commands = next(a for a in parser()._actions if a.dest == "command")
    serve = commands.choices["serve"]  # type: ignore[index]
    assert all(action.help for action in serve._actions)  # every option says what it does


def test_serve_options_reach_the_config() -> None:
    from cdkg.cli import parser
    from cdkg.server.config import SERVE_OPTIONS, config_from_options

    line = "serve --max-memory 512M --query-timeout 10 --workers 3 --client-concurrency 0"
    args = parser().parse_args([*line.split(), "--rate-limit", "120", "--limit-loopback", "yes"])
    given = {option.dest: getattr(args, option.dest) for option in SERVE_OPTIONS}
    environ = {"CDKG_ADMIN_TOKEN": "t0ken", "CDKG_MAX_ROWS": "500", "CDKG_WORKERS": "9"}
    config = config_from_options(given, environ)
    assert config.max_memory_bytes == 512 << 20
    assert config.query_timeout_s == 10.0
    assert config.workers == 3  # the flag wins over CDKG_WORKERS
    assert config.client_concurrency == 0  # no limit
    assert config.rate_limit_per_minute == 120
    assert config.limit_loopback is True
    assert config.admin_token == "t0ken" and config.max_rows == 500  # from the environment
    assert config.max_memory_bytes and not config.read_only
    public = config_from_options({}, {"CDKG_PUBLIC_URL": "https://cdkg.example/kg/"})
    assert public.public_url == "https://cdkg.example/kg/"
    with pytest.raises(ValueError, match=r"^--public-url: 'cdkg.example' is not an absolute"):
        config_from_options({"public_url": "cdkg.example"}, {})
    with pytest.raises(ValueError, match=r"^--max-memory: '2X' is not a size"):
        config_from_options({"max_memory": "2X"}, {})
    with pytest.raises(ValueError, match=r"^CDKG_QUERY_TIMEOUT: 'soon' is not a number"):
        config_from_options({}, {"CDKG_QUERY_TIMEOUT": "soon"})


def test_a_bad_option_value_is_a_usage_error(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "cdkg", "serve", "--port", "1"],
        capture_output=True,
        text=True,
        env={**os.environ, "CDKG_MAX_MEMORY": "lots"},
        timeout=60,
    )
    assert done.returncode == 2
    assert "cdkg serve: CDKG_MAX_MEMORY: 'lots' is not a size like 2G" in done.stderr


def _serve_process(built_paths: ProjectPaths, build: Path, port: int) -> subprocess.Popen[bytes]:
    folders = ["--home", str(built_paths.root), "--build-dir", str(build)]
    options = ["--port", str(port), "--workers", "1", "--max-memory", "1G"]
    return subprocess.Popen(
        [sys.executable, "-m", "cdkg", *folders, "serve", *options],
        env={**os.environ, "CDKG_ADMIN_TOKEN": "restart-token"},
        stderr=subprocess.PIPE,
    )


def test_updates_survive_a_killed_cdkg_serve(built_paths: ProjectPaths, tmp_path: Path) -> None:
    """`cdkg serve` with the token in its environment: an update, kill -9, a new `cdkg serve`
    on the same build folder has it, under the same version; the next update's version is
    new."""
    build = tmp_path / "build"
    shutil.copytree(built_paths.current, build / "current")
    insert = f'INSERT DATA {{ GRAPH <urn:test> {{ <{DUTY_6}> <urn:note> "after restart" }} }}'
    ask = urllib.request.quote(f'ASK {{ <{DUTY_6}> <urn:note> "after restart" }}')
    versions: list[str] = []

    def post_update(port: int, text: str) -> int:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/sparql",
            data=text.encode(),
            headers={
                "Content-Type": "application/sparql-update",
                "Authorization": "Bearer restart-token",
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status)

    def asked(port: int) -> bool:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/sparql?query={ask}") as answer:
            return bool(json.loads(answer.read())["boolean"])

    logs = []
    for round_ in range(2):
        port = free_port()
        process = _serve_process(built_paths, build, port)
        try:
            health = wait_for(f"http://127.0.0.1:{port}/healthz", 60)
            if round_ == 0:
                versions.append(str(health["version"]))
                assert not asked(port)
                assert post_update(port, insert) == 204
                versions.append(str(wait_for(f"http://127.0.0.1:{port}/healthz", 5)["version"]))
            else:
                assert health["version"] == versions[-1]  # replayed: same data, same version
                assert asked(port)
                assert post_update(port, insert.replace("after", "second")) == 204
                versions.append(str(wait_for(f"http://127.0.0.1:{port}/healthz", 5)["version"]))
            workers = _children(process.pid)
        finally:
            process.kill()  # no clean shutdown
            _, stderr = process.communicate(timeout=60)
            logs.append(stderr.decode("utf-8"))
        deadline = time.monotonic() + 30
        while any(_alive(pid) for pid in workers):  # orphaned workers see the pipe close
            assert time.monotonic() < deadline, "a query worker outlived its server"
            time.sleep(0.1)
    assert len(set(versions)) == len(versions) == 3
    assert "updates journaled in updates/" in logs[0]
    assert "memory bound 1 GB each" in logs[0]
