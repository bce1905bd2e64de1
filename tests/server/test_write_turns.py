"""Issue 17: a process's SQLite writers take turns on a lock (write_turns.py). Every write lands,
and the turn is given back however a transaction ends: committed, refused by the database, or
abandoned, so no writer after it waits for ever."""

from __future__ import annotations

import threading
import uuid

import pytest
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

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
