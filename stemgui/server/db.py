"""Engine creation and create-or-migrate: SQLite by default (WAL, foreign keys), any SQLAlchemy URL."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.orm import sessionmaker

from stemgui.private_files import private_dir, private_sqlite
from stemgui.server import (
    idempotency,  # noqa: F401  (registers the idempotency_keys table on Base)
    tables_history,  # noqa: F401  (registers the history table on Base)
    write_turns,
)
from stemgui.server.tables import Base

log = logging.getLogger(__name__)

POOL_SIZE = 20  # connections kept open per server process (SQLite files and PostgreSQL)
POOL_MAX_OVERFLOW = 20  # extra connections opened under load, closed when returned


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url``; a SQLite file's folder is created (mode 700), the file and its
    -wal/-shm are mode 600 (they hold every record and the password and token hashes), and WAL +
    foreign keys are enabled."""
    if db_url.startswith("sqlite"):
        database = db_url.split("///", 1)[1].split("?", 1)[0] if "///" in db_url else ""
        if database and database != ":memory:":
            folder = Path(database).parent
            if not folder.exists():
                private_dir(folder)  # a folder that exists may be shared (e.g. /tmp): left as it is
            private_sqlite(database)
        # As many pooled connections as for PostgreSQL: with SQLAlchemy's default 5, the 6th
        # concurrent request (a list walk sends 8) opened a connection and closed it after, paying
        # the PRAGMAs below each time (a tenth of the server's time in a concurrent walk).
        engine = create_engine(db_url, connect_args={"check_same_thread": False, "timeout": 10},
                               pool_size=POOL_SIZE, max_overflow=POOL_MAX_OVERFLOW)  # fmt: skip
        event.listen(engine, "connect", _sqlite_pragmas)
        write_turns.install(engine)
        return engine
    # 20 concurrent clients (Starlette's thread pool runs up to 40 requests at once) get one
    # connection each without waiting, with room for bursts; pre-ping drops connections the
    # database closed meanwhile.
    return create_engine(db_url, pool_size=POOL_SIZE, max_overflow=POOL_MAX_OVERFLOW, pool_pre_ping=True)


def _default_value(column):
    """The Python default of ``column`` (called if it is a factory), or None."""
    default = column.default
    if default is None:
        return None
    try:
        return default.arg(None) if default.is_callable else default.arg
    except Exception:  # a default that needs an execution context: leave the column NULL
        return None


def migrate(engine: Engine) -> None:
    """Create missing tables, columns and indexes, so a database made by an older version keeps working.

    New columns are added nullable and back-filled with their default (SQLite cannot add a
    NOT NULL column without a constant default).
    """
    Base.metadata.create_all(engine)
    existing = inspect(engine)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            present = {col["name"] for col in existing.get_columns(table.name)}
            for column in table.columns:
                if column.name in present:
                    continue
                log.info("migrating: adding %s.%s", table.name, column.name)
                kind = column.type.compile(dialect=engine.dialect)
                conn.execute(text(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"))
                value = _default_value(column)
                if value is not None:
                    conn.execute(table.update().values({column.name: value}))
            for index in table.indexes:
                index.create(conn, checkfirst=True)


@lru_cache(maxsize=8)
def sessionmaker_for(db_url: str) -> sessionmaker:
    """One migrated engine (and session factory) per database URL per process."""
    engine = make_engine(db_url)
    migrate(engine)
    return sessionmaker(engine, expire_on_commit=False)
