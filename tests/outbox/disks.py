"""Real disks that refuse writes, for the outbox tests (issue 9 item 10).

- ``immutable(folder)``: ``chattr +i`` — nothing in the folder can be created, renamed or
  chmod-ed, even by root (tests run as root here, where a mode of 0500 would not stop a write).
- ``full_disk(folder)``: a 64 KiB tmpfs mounted on the folder and filled to the last byte.

Both need root and a filesystem that allows them; elsewhere the test is skipped with the reason.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@contextmanager
def immutable(folder: Path) -> Iterator[Path]:
    """``folder`` made immutable for the duration (``chattr +i``), then made normal again."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    try:
        made = _run("chattr", "+i", str(folder))
    except FileNotFoundError:
        pytest.skip("chattr is not installed: cannot make a real read-only folder")
    if made.returncode:
        pytest.skip(f"chattr +i is not possible here: {made.stderr.strip()}")
    try:
        yield folder
    finally:
        _run("chattr", "-i", str(folder))


@contextmanager
def full_disk(folder: Path) -> Iterator[Path]:
    """A tiny tmpfs on ``folder``, filled so that no further byte can be written."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    mounted = _run("mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs", str(folder))
    if mounted.returncode:
        pytest.skip(f"cannot mount a small tmpfs to fill (needs root): {mounted.stderr.strip()}")
    try:
        with open(folder / "filler", "wb", buffering=0) as filler:
            try:
                while True:
                    filler.write(b"\0" * 4096)
            except OSError:
                pass  # ENOSPC: the disk is full
        yield folder
    finally:
        _run("umount", "-l", str(folder))
