"""Admin updates on disk: a journal replayed at start, so that an acknowledged update
survives a restart, and version strings that never repeat.

Durability over "in memory, and say so": an admin who was answered 204 expects the change to
be there tomorrow, and a restarted server that served the old data under a new update's
version (issue 12) would make ETags lie. The journal is small (updates are hand-made
corrections, not bulk loads), so a JSON line per update with an fsync before the 204 costs
a few milliseconds, and replaying it at start costs one update each.

The file (``<build>/updates/journal.jsonl``) starts with a header naming the dataset version
it applies to and a random journal id; each line after it is one update. Updates are patches
on one build: when the server opens another build (a new ``cdkg build``), a journal for
another version is set aside (renamed, with a warning in the log) and a new one starts — its
changes belong in the catalogs or registers, which the build reads. A line cut short by a
crash (an update that was never acknowledged) is dropped when the journal is opened.

Versions: the build's own version while nothing is journaled, then ``<build>+<id>.<n>`` after
the n-th update of the journal with that id. Ids are random, so a version names one state of
the data even across restarts, a journal set aside, or one removed by hand.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> journal = UpdateJournal.open(folder, "v1")
>>> journal.version("v1")
'v1'
>>> journal.append("INSERT DATA { <http://s> <http://p> 1 }")
>>> reopened = UpdateJournal.open(folder, "v1")
>>> reopened.entries, reopened.version("v1") == journal.version("v1")
(['INSERT DATA { <http://s> <http://p> 1 }'], True)
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

log = logging.getLogger(__name__)

JOURNAL_FOLDER = "updates"
JOURNAL_FILE = "journal.jsonl"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _fsync_folder(folder: Path) -> None:
    """Make a new or renamed file's directory entry durable too."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class UpdateJournal:
    """The admin updates applied on top of one dataset version, kept on disk."""

    def __init__(self, path: Path, base: str, journal_id: str, entries: list[str]) -> None:
        self.path = path
        self.base = base
        self.id = journal_id
        self.entries = entries
        self._lock = threading.Lock()

    @classmethod
    def open(cls, folder: Path, base: str) -> UpdateJournal:
        """The journal in ``folder`` for dataset version ``base``: read (and its torn last
        line, if any, dropped), or set aside when it belongs to another version, or new."""
        path = folder / JOURNAL_FILE
        if path.is_file():
            header, entries, good_bytes = _read(path)
            if header.get("base") == base and isinstance(header.get("id"), str):
                if good_bytes < path.stat().st_size:
                    log.warning("%s: dropped a last line cut short by a crash", path)
                    with path.open("r+b") as stream:
                        stream.truncate(good_bytes)
                        os.fsync(stream.fileno())
                if entries:
                    log.info("%s: %d admin update(s) replayed onto %s", path, len(entries), base)
                return cls(path, base, str(header["id"]), entries)
            aside = path.with_name(f"journal-{header.get('base', 'unknown')}-{_stamp()}.jsonl")
            path.rename(aside)
            log.warning(
                "%s holds %d admin update(s) to dataset version %s, not to %s (being served): "
                "set aside as %s; make those changes in the catalogs or registers",
                path,
                len(entries),
                header.get("base"),
                base,
                aside.name,
            )
        return cls(path, base, secrets.token_hex(4), [])

    def version(self, base: str) -> str:
        """The version of ``base`` with this journal's updates applied."""
        return f"{base}+{self.id}.{len(self.entries)}" if self.entries else base

    def append(self, update: str) -> None:
        """Write ``update`` and fsync it (the header first, for a new journal)."""
        with self._lock:
            new = not self.path.exists()
            if new:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("ab") as stream:
                if new:
                    header = {"base": self.base, "id": self.id, "created": _now()}
                    stream.write(_line(header))
                record = {"n": len(self.entries) + 1, "at": _now(), "update": update}
                stream.write(_line(record))
                stream.flush()
                os.fsync(stream.fileno())
            if new:
                _fsync_folder(self.path.parent)
            self.entries.append(update)

    def drop_last(self) -> None:
        """Take back the last append (its update failed before it was acknowledged)."""
        with self._lock:
            header, entries, _ = _read(self.path)
            del entries[-1]
            lines = [_line(header)] + [
                _line({"n": n, "at": _now(), "update": text})
                for n, text in enumerate(entries, start=1)
            ]
            temporary = self.path.with_suffix(".tmp")
            with temporary.open("wb") as stream:
                stream.write(b"".join(lines))
                os.fsync(stream.fileno())
            os.replace(temporary, self.path)
            _fsync_folder(self.path.parent)
            self.entries = entries


def _line(record: Mapping[str, object]) -> bytes:
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")


def _read(path: Path) -> tuple[dict[str, object], list[str], int]:
    """The header, the updates, and how many bytes of the file are whole lines."""
    header: dict[str, object] = {}
    entries: list[str] = []
    good = 0
    with path.open("rb") as stream:
        for raw in stream:
            if not raw.endswith(b"\n"):
                break  # cut short by a crash
            try:
                record = json.loads(raw)
            except ValueError:
                break
            if not header:
                header = record if isinstance(record, dict) else {"base": None}
            elif isinstance(record, dict) and isinstance(record.get("update"), str):
                entries.append(record["update"])
            else:
                break
            good += len(raw)
    return header, entries, good
