"""Files only their owner may read: the data dir (0700) and what it holds (0600).

Used by the GUI and the bundled server alike (no Streamlit here), so the mode does not depend on
who happens to create a file first. Modes are set explicitly rather than trusted to the umask,
and loosened modes left by older versions are repaired.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")


def private_dir(path: Path | str) -> Path:
    """Create ``path`` (and missing parents) if needed and make ``path`` itself mode 700."""
    path = Path(path)
    path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIR_MODE)
    return path


def private_file(path: Path | str) -> Path:
    """Create ``path`` empty if missing, and make it mode 600 (its folder must exist)."""
    path = Path(path)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, FILE_MODE))
    os.chmod(path, FILE_MODE)
    return path


def private_sqlite(path: Path | str) -> Path:
    """A SQLite file and its -wal/-shm/-journal companions mode 600.

    SQLite gives the companions it creates the mode of the database file, so creating that
    file as 600 before the first connection covers them too; existing ones are repaired here.
    """
    path = private_file(path)
    for suffix in SQLITE_COMPANIONS:
        companion = path.with_name(path.name + suffix)
        if companion.exists():
            os.chmod(companion, FILE_MODE)
    return path


def open_private_append(path: Path | str):
    """``path`` opened for binary appending, created or repaired as mode 600 (logs)."""
    private_file(path)
    return open(path, "ab")  # noqa: SIM115 - the caller owns (and closes) the handle


def write_private(path: Path | str, text: str) -> None:
    """Write ``text`` to ``path`` atomically with mode 600."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(tmp, path)
    os.chmod(path, FILE_MODE)
