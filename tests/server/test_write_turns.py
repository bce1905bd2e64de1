"""Issue 17: a process's SQLite writers take turns on a lock (write_turns.py). Every write lands,
and the turn is given back however a transaction ends: committed, refused by the database, or
abandoned, so no writer after it waits for ever."""

from __future__ import annotations

import fcntl
import os
import threading
import uuid

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from stemgui.server import write_turns
from stemgui.server.db import make_engine, migrate
from stemgui.server.tables import Group

WRITERS, WRITES_EACH = 6, 25


@pytest.fixture
def engine(tmp_path):
    made = make_engine(f"sqlite:///{tmp_path / 'turns.sqlite'}")
    migrate(made)
    yield made
    made.dispose()


def _add_group(engine, name: str) -> None:
    with Session(engine) as db:
        db.execute(insert(Group).values(id=str(uuid.uuid4()), name=name))
        db.commit()


def _finishes(work, seconds: float = 10) -> bool:
    """Whether ``work`` finishes within ``seconds`` on a thread of its own (a lost turn hangs it)."""
    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(seconds)
    return not thread.is_alive()


def test_concurrent_writers_all_land(engine):
    failures: list[BaseException] = []

    def write_many(writer: int) -> None:
        try:
            for index in range(WRITES_EACH):
                _add_group(engine, f"g-{writer}-{index}")
        except BaseException as error:  # noqa: BLE001  (reported by the assertion below)
            failures.append(error)

    threads = [threading.Thread(target=write_many, args=(writer,)) for writer in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    with Session(engine) as db:
        assert len(db.scalars(select(Group.name)).all()) == WRITERS * WRITES_EACH


def test_a_refused_write_gives_the_turn_back(engine):
    _add_group(engine, "taken")
    with pytest.raises(IntegrityError):
        _add_group(engine, "taken")  # the unique name: rolled back
    assert _finishes(lambda: _add_group(engine, "after a refused write"))


def test_an_abandoned_transaction_gives_the_turn_back(engine):
    db = Session(engine)
    db.execute(insert(Group).values(id=str(uuid.uuid4()), name="never committed"))
    db.close()  # neither commit nor rollback by the caller: the connection goes back to the pool
    assert _finishes(lambda: _add_group(engine, "after an abandoned one"))
    with Session(engine) as check:
        assert check.scalars(select(Group.name)).all() == ["after an abandoned one"]


def test_a_connection_dropped_mid_write_gives_the_turn_back(engine):
    """The pool's check-in is the last resort: a connection invalidated (its database connection
    closed, as after a crash) in the middle of a write sees neither commit nor rollback."""
    conn = engine.connect()
    conn.execute(insert(Group).values(id=str(uuid.uuid4()), name="dropped"))
    conn.invalidate()
    conn.rollback()  # what SQLAlchemy requires before the connection can be closed
    conn.close()
    assert _finishes(lambda: _add_group(engine, "after a dropped one"), seconds=5)


def _file_lock_free(path: str) -> bool:
    """Whether nobody holds the lock of ``path`` (tried without waiting, as another process would)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # gives back what it took


def test_the_turn_is_shared_with_other_processes_through_a_file_lock(engine):
    """A writer holds the lock of ``<db>-writeturn`` from its first write to its end, so the
    writers of another process on the same file (another engine here: its own descriptor, as a
    process would have) wait for it there and start as soon as it is done."""
    path = write_turns.lock_path(engine)
    assert path and path.endswith("turns.sqlite-writeturn")
    other_process = make_engine(str(engine.url))
    try:
        for end in ("commit", "rollback", "close"):
            conn = engine.connect()
            conn.execute(select(Group.id))  # a read takes no turn
            assert _file_lock_free(path)
            conn.execute(insert(Group).values(id=str(uuid.uuid4()), name=f"first, then {end}"))
            assert not _file_lock_free(path)
            waiting = threading.Thread(target=_add_group, args=(other_process, f"second after {end}"))
            waiting.start()
            getattr(conn, end)()
            if end != "close":
                conn.close()
            waiting.join(15)
            assert not waiting.is_alive()
            assert _file_lock_free(path)
        with Session(engine) as db:
            names = set(db.scalars(select(Group.name)))
        seconds = {f"second after {end}" for end in ("commit", "rollback", "close")}
        assert {"first, then commit", *seconds} <= names
        assert "first, then rollback" not in names
    finally:
        other_process.dispose()


def test_a_lock_file_that_cannot_be_made_does_not_stop_writes(engine, tmp_path):
    """The turn between processes is a help, not a gate: where its file cannot be opened (here a
    folder stands in its way), writes still land, and SQLite's own wait orders them."""
    (tmp_path / "turns.sqlite-writeturn").mkdir()
    _add_group(engine, "written all the same")
    with Session(engine) as db:
        assert db.scalars(select(Group.name)).all() == ["written all the same"]
