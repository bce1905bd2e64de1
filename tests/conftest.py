"""Shared fixtures: real bundled servers on loopback with real SQLite files (and PostgreSQL).

- ``database_url``: the database the ``server`` fixture uses. Parametrized: a SQLite file, and a
  fresh database on the PostgreSQL server that ``make test`` starts (STEMGUI_TEST_POSTGRES_URL).
  Without it the PostgreSQL runs are skipped, visibly, with the reason.
- ``server``: an empty server (no demo data), shared by the whole test session, once per database.
- ``demo_server``: a server with the demo data loaded, shared by the whole test session.
Tests create their own users with ``server.new_user()`` so they never depend on each other.
"""

from __future__ import annotations

import os

import pytest

from tests.serverproc import ServerProcess, create_postgres_database

# Users are created by the hundred in tests; bcrypt's production cost (12) would dominate the run.
os.environ.setdefault("STEMGUI_BCRYPT_ROUNDS", "4")

POSTGRES_URL = os.environ.get("STEMGUI_TEST_POSTGRES_URL", "").strip()
POSTGRES_MISSING_REASON = (
    "PostgreSQL tests SKIPPED: "
    + (os.environ.get("STEMGUI_TEST_POSTGRES_ERROR", "").strip() or "STEMGUI_TEST_POSTGRES_URL is not set")
    + " (`make test` installs and starts PostgreSQL)"
)


@pytest.fixture(
    scope="session", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def database_url(request, tmp_path_factory) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'stemgui.sqlite'}"
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_MISSING_REASON)
    return create_postgres_database(POSTGRES_URL)


@pytest.fixture(scope="session")
def server(database_url, tmp_path_factory):
    proc = ServerProcess(database_url, tmp_path_factory.mktemp("server-data")).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="session")
def demo_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("demo-data")
    proc = ServerProcess(f"sqlite:///{data_dir / 'demo.sqlite'}", data_dir)
    proc.cli("demo")
    proc.start()
    yield proc
    proc.stop()


@pytest.fixture
def proxy_environment(monkeypatch):
    """An institute's proxy settings: ``proxy_environment(url)`` sets HTTP(S)_PROXY (both spellings)
    to ``url``, with no NO_PROXY, for the test."""

    def use(url: str) -> None:
        for name in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
            monkeypatch.setenv(name, url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)

    return use
