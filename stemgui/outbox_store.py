"""The outbox's file: a private folder and SQLite file, its tables, and plain words for a disk
that cannot take a write.

Used by ``stemgui.outbox``. Modes are set when a folder or file is created and tightened only
when they are looser than private (0700 / 0600): a folder that is already private is never
chmod-ed, so an outbox folder made immutable or owned by someone else still reads. A full or
read-only disk becomes ``LocalSaveFailed`` ("Could not save locally: the disk is full ..."),
never a traceback.
"""

from __future__ import annotations

import errno
import os
import sqlite3
import stat
from pathlib import Path

from stemgui.errors import LocalSaveFailed

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    model TEXT NOT NULL,
    operation TEXT NOT NULL,
    record_id TEXT,
    payload TEXT NOT NULL,
    dedup TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    field_errors TEXT NOT NULL DEFAULT '{}',
    version INTEGER NOT NULL DEFAULT 1,
    maybe_applied INTEGER NOT NULL DEFAULT 0,
    seen_before TEXT,
    idempotency_key TEXT,
    if_match TEXT
);
CREATE TABLE IF NOT EXISTS claims (
    model TEXT NOT NULL,
    record_id TEXT NOT NULL,
    entry_id INTEGER,
    claimed_at TEXT NOT NULL,
    PRIMARY KEY (model, record_id)
);
"""
# Columns added after the first release: (name, definition, how to fill it in older files).
# An older entry that was tried once may have reached the server: it counts as maybe applied.
_ADDED_COLUMNS = (
    ("maybe_applied", "INTEGER NOT NULL DEFAULT 0",
     "UPDATE entries SET maybe_applied = 1 WHERE attempts > 0 AND operation = 'create'"),
    ("seen_before", "TEXT", None),
    ("idempotency_key", "TEXT", None),
    ("if_match", "TEXT", None),
)  # fmt: skip

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def migrate(conn: sqlite3.Connection) -> None:
    """Add the columns an outbox file of an older version lacks."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(entries)")}
    for name, definition, backfill in _ADDED_COLUMNS:
        if name not in have:
            conn.execute(f"ALTER TABLE entries ADD COLUMN {name} {definition}")
            if backfill:
                conn.execute(backfill)


def private_dir(folder: Path) -> None:
    """``folder`` exists and is private; its mode is changed only if others could read it."""
    folder.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _tighten(folder, PRIVATE_DIR)


def private_file(path: Path) -> None:
    """``path`` exists and is private (created 0600, never opened for writing here)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
    except FileExistsError:
        pass
    _tighten(path, PRIVATE_FILE)


def _tighten(path: Path, mode: int) -> None:
    if stat.S_IMODE(path.stat().st_mode) & 0o077:
        path.chmod(mode)


def save_failed(exc: OSError | sqlite3.Error, folder: Path) -> LocalSaveFailed:
    """The plain message for a write the outbox folder could not take."""
    why = reason(exc)
    advice = "free some disk space" if why == FULL else "make the folder writable for the app"
    return LocalSaveFailed(f"Could not save locally: {why} ({folder}) — {advice}, then save again")


FULL = "the disk is full"


def reason(exc: OSError | sqlite3.Error) -> str:
    """Why the disk refused a write, in a few plain words."""
    if isinstance(exc, OSError):
        code = exc.errno
    else:  # SQLite's own code: SQLITE_FULL, SQLITE_READONLY..., SQLITE_CANTOPEN
        code = getattr(exc, "sqlite_errorname", "") or ""
    if code == errno.ENOSPC or str(code).startswith("SQLITE_FULL"):
        return FULL
    if code == errno.EROFS or str(code).startswith("SQLITE_READONLY"):
        return "the outbox folder is read-only"
    if code in (errno.EACCES, errno.EPERM) or str(code).startswith("SQLITE_CANTOPEN"):
        return "no permission to write in the outbox folder"
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def is_storage_error(exc: sqlite3.OperationalError) -> bool:
    """A disk that refuses the write (full, read-only, cannot open), not a programming error."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    return name.startswith(("SQLITE_FULL", "SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR",
                            "SQLITE_PERM"))  # fmt: skip
