"""Engine settings: PostgreSQL and SQLite engines pool enough connections for 20 concurrent clients."""

from __future__ import annotations

from stemgui.server.db import make_engine


def test_postgres_engine_pools_connections_for_20_clients():
    # create_engine does not connect, so no PostgreSQL server is needed here.
    engine = make_engine("postgresql+psycopg://user:pw@127.0.0.1:1/none")
    pool = engine.pool
    assert pool.size() >= 20 and pool.size() + pool._max_overflow >= 40
    assert pool._pre_ping
    engine.dispose()


def test_sqlite_engine_keeps_a_connection_for_each_concurrent_request(tmp_path):
    """Issue 17: with SQLAlchemy's default pool of 5, the 6th concurrent request (a list walk
    sends 8) opened a connection and closed it after, paying the PRAGMAs each time; a file is
    never pinged (pre-ping is for servers that drop connections)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert engine.pool.size() >= 20 and not engine.pool._pre_ping
    engine.dispose()
