"""SQLite write transactions of one process take turns on a lock instead of SQLite's busy wait.

SQLite lets one transaction write at a time; another writer waits in SQLite's busy handler, which
sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries whether or not the lock was
freed meanwhile. Under 20 concurrent clients a write then waited hundreds of milliseconds for a
lock held a few milliseconds at a time (bench_load: p95 of creates ~800 ms). Here a process's
writers queue on a ``threading.Lock`` instead, taken just before a transaction's first write
statement (when SQLite would take its write lock) and given back when it commits or rolls back,
so the next writer starts as soon as the previous one is done.

Between processes on the same file (``serve --workers 2``, as ``make run`` starts it; the
command line) the writer holding its process's turn also takes an exclusive ``flock`` on a file
beside the database (``<db>-writeturn``), asked again every half millisecond while another
process holds it: with SQLite's own wait, a write of one process waited up to 100 ms per try for
the other's (bench_load with 2 processes: p99 of creates 1.3 s). A writer that waited
``WAIT_SECONDS`` goes on without its turn (a thread writing on two connections at once would
otherwise wait for itself for ever; SQLite answers it "database is locked" after its own
timeout). A process that dies holding the file lock loses it with its files.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time

from sqlalchemy import Engine, event

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WAIT_SECONDS = 10  # as long as SQLite's own busy timeout (db.py); after it, SQLite decides
RETRY_SECONDS = 0.0005  # between tries of the file lock another process holds
_HOLDS = "stemgui_write_turn"  # key in the pooled connection's info while it holds the turn
_FILE = "stemgui_write_turn_file"  # ... and the open lock file's descriptor, when it has one


def _writes(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def lock_path(engine: Engine) -> str | None:
    """The file whose lock is the turn between processes; None for an in-memory database."""
    database = engine.url.database
    return f"{database}-writeturn" if database and database != ":memory:" else None


def _lock_file(path: str, deadline: float) -> int | None:
    """An open descriptor of ``path`` holding its exclusive lock, or None at ``deadline`` or when
    the file cannot be opened (the write goes on, and SQLite's own wait decides). Closing the
    descriptor gives the lock back."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)  # beside the database, private like it
    except OSError:
        return None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                return None
            time.sleep(RETRY_SECONDS)


def install(engine: Engine) -> None:
    """Make the write transactions on ``engine`` (a SQLite file's) take turns, in this process
    and with the other processes on the same file."""
    turn = threading.Lock()
    path = lock_path(engine)

    def take(conn, _cursor, statement: str, *_args) -> None:
        if conn.info.get(_HOLDS) or not _writes(statement):
            return
        deadline = time.monotonic() + WAIT_SECONDS
        if not turn.acquire(timeout=WAIT_SECONDS):
            return
        conn.info[_HOLDS] = True
        if path:
            fd = _lock_file(path, deadline)
            if fd is not None:
                conn.info[_FILE] = fd

    def give_back(info: dict) -> None:
        fd = info.pop(_FILE, None)
        if fd is not None:
            os.close(fd)  # the other processes' turn first, then this process's next writer
        if info.pop(_HOLDS, False):
            turn.release()

    def ended(conn) -> None:
        if not conn.invalidated:  # a dropped one gave it back (below); its .info would reconnect
            give_back(conn.info)

    event.listen(engine, "before_cursor_execute", take)
    event.listen(engine, "commit", ended)
    event.listen(engine, "rollback", ended)
    # a connection returned to the pool without either gives it back too, and one dropped (its
    # database connection closed, as after an error) at once
    event.listen(engine.pool, "checkin", lambda _dbapi, record: give_back(record.info))
    event.listen(engine.pool, "invalidate", lambda _dbapi, record, _error: give_back(record.info))
