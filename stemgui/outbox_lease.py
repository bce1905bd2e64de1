"""The flush lease of an outbox file: one flush at a time per user, across tabs and processes.

The lease is one row in the outbox's SQLite file, taken and renewed in ``BEGIN IMMEDIATE``
transactions, so two flushes can never both believe they hold it. A flush that dies leaves
the row behind: it is taken over once ``LEASE_SECONDS`` have passed without a renewal, or at
once when the holder was a process on this host that no longer exists.
"""

from __future__ import annotations

import os
import socket
import sqlite3
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager

LEASE_SECONDS = 300.0  # longest a hung flush blocks others; renewed before every entry

LEASE_SCHEMA = """
CREATE TABLE IF NOT EXISTS flush_lease (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    holder TEXT,
    expires_at REAL NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO flush_lease (id, holder, expires_at) VALUES (1, NULL, 0);
"""

WriteTransaction = Callable[[], AbstractContextManager[sqlite3.Connection]]


@contextmanager
def held_lease(write: WriteTransaction) -> Iterator[FlushLease | None]:
    """The flush lease of this outbox, or None while another flush holds it."""
    lease = FlushLease(write)
    if not lease.acquire():
        yield None
        return
    try:
        yield lease
    finally:
        lease.release()


class FlushLease:
    """The right to send this outbox's entries, held by one flush at a time."""

    def __init__(self, write: WriteTransaction) -> None:
        self._write = write
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex}"

    def acquire(self) -> bool:
        with self._write() as conn:
            holder, expires_at = conn.execute(
                "SELECT holder, expires_at FROM flush_lease WHERE id = 1"
            ).fetchone()
            if holder and expires_at > time.time() and holder_alive(holder):
                return False
            conn.execute(
                "UPDATE flush_lease SET holder = ?, expires_at = ? WHERE id = 1",
                (self.holder, time.time() + LEASE_SECONDS),
            )
        return True

    def renew(self) -> bool:
        """Extend the lease; False if it was lost (taken over after expiring)."""
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE flush_lease SET expires_at = ? WHERE id = 1 AND holder = ?",
                (time.time() + LEASE_SECONDS, self.holder),
            )
        return cursor.rowcount == 1

    def release(self) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE flush_lease SET holder = NULL, expires_at = 0 WHERE id = 1 AND holder = ?",
                (self.holder,),
            )


def holder_alive(holder: str) -> bool:
    """False only when the holder is a process on this host that no longer exists."""
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
