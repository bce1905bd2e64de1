"""SQLite write transactions of one process take turns on a lock instead of SQLite's busy wait.

SQLite lets one transaction write at a time; another writer waits in SQLite's busy handler, which
sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between tries whether or not the lock was
freed meanwhile. Under 20 concurrent clients a write then waited hundreds of milliseconds for a
lock held a few milliseconds at a time (bench_load: p95 of creates ~800 ms). Here a process's
writers queue on a ``threading.Lock`` instead, taken just before a transaction's first write
statement (when SQLite would take its write lock) and given back when it commits or rolls back,
so the next writer starts as soon as the previous one is done. Other processes on the same file
(``serve --workers 2``, the command line) still meet SQLite's own wait, and so does a writer
that waited ``WAIT_SECONDS`` (a thread writing on two connections at once would otherwise wait
for itself for ever; SQLite answers it "database is locked" after its own timeout).
"""

from __future__ import annotations

import threading

from sqlalchemy import Engine, event

_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")
WAIT_SECONDS = 10  # as long as SQLite's own busy timeout (db.py); after it, SQLite decides
_HOLDS = "stemgui_write_turn"  # key in the pooled connection's info while it holds the turn


def _writes(statement: str) -> bool:
    return statement.lstrip()[:7].upper().startswith(_WRITES)


def install(engine: Engine) -> None:
    """Make the write transactions on ``engine`` (a SQLite file's) take turns."""
    turn = threading.Lock()

    def take(conn, _cursor, statement: str, *_args) -> None:
        if not conn.info.get(_HOLDS) and _writes(statement) and turn.acquire(timeout=WAIT_SECONDS):
            conn.info[_HOLDS] = True

    def give_back(info: dict) -> None:
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
