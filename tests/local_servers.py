"""Throwaway SPARQL servers on this machine: free loopback ports and Virtuoso's ``virtuoso.ini``.

tests/scaling (``cdkg push`` and ``cdkg serve --upstream`` against a real Virtuoso) and
benchmarks/run.py (Virtuoso as a peer) both start their own ``virtuoso-t`` with a fresh
database directory. Its configuration used to be written in both places and had begun to
drift, so the one writer lives here, with parameters for what the two really need differently
(buffers, the bulk loader's data directory, threads per query, the row limit). It is a test helper,
not part of the installed package: tests import it as ``local_servers`` (tests/ is on ``sys.path``
through tests/conftest.py), benchmarks/run.py puts tests/ on its path first.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from pathlib import Path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free when asked (the operating system's pick)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def write_virtuoso_ini(
    directory: Path,
    sql_port: int,
    http_port: int,
    *,
    buffers: int = 10_000,
    dirty_buffers: int = 6_000,
    extra_dirs: Sequence[Path] = (),
    threads_per_query: int | None = None,
    result_set_max_rows: int = 1_000_000,
    uriqa: bool = True,
) -> Path:
    """Write ``directory/virtuoso.ini`` for a server listening on 127.0.0.1 only; its path.

    ``directory`` holds the database, its logs and transaction files. ``buffers`` are 8 KB
    pages (Virtuoso's guide: about 85 000 per GB it may use), ``dirty_buffers`` usually 3/4 of
    them. ``extra_dirs`` are added to ``DirsAllowed`` (the bulk loader, ``ld_dir``, reads only
    from allowed directories). ``threads_per_query`` left ``None`` keeps Virtuoso's default.
    ``uriqa`` names 127.0.0.1:``http_port`` as the server's own host.
    """
    allowed = ", ".join([".", str(directory), *(str(path) for path in extra_dirs)])
    threads = f"ThreadsPerQuery = {threads_per_query}\n" if threads_per_query is not None else ""
    uriqa_section = (
        f"[URIQA]\nDynamicLocal = 0\nDefaultHost = 127.0.0.1:{http_port}\n\n" if uriqa else ""
    )
    text = f"""\
[Database]
DatabaseFile = {directory}/virtuoso.db
ErrorLogFile = {directory}/virtuoso.log
LockFile = {directory}/virtuoso.lck
TransactionFile = {directory}/virtuoso.trx
xa_persistent_file = {directory}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {directory}/virtuoso-temp.db
TransactionFile = {directory}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {allowed}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty_buffers}
CheckpointInterval = 60
CaseMode = 2
{threads}
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {directory}
MaxClientConnections = 10
ServerThreads = 10
Charset = UTF-8

{uriqa_section}[SPARQL]
; above cdkg's row cap (100 000): Virtuoso truncates larger results without saying so
ResultSetMaxRows = {result_set_max_rows}
; 0: no "anytime" partial results; cdkg's own timeout stops a slow query
MaxQueryExecutionTime = 0
MaxQueryCostEstimationTime = 0
"""
    ini = directory / "virtuoso.ini"
    ini.write_text(text, encoding="utf-8")
    return ini


def virtuoso_command(binary: str, ini: Path) -> list[str]:
    """The command line that runs ``virtuoso-t`` in the foreground on ``ini``."""
    return [binary, "+configfile", str(ini), "+foreground"]
