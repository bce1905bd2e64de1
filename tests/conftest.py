"""Shared fixtures: real bundled servers on loopback with real SQLite files.

- ``database_url``: the database a server fixture uses (SQLite file per test session).
- ``server``: an empty server (no demo data), shared by the whole test session.
- ``demo_server``: a server with the demo data loaded, shared by the whole test session.
Tests create their own users with ``server.new_user()`` so they never depend on each other.
"""

from __future__ import annotations

import pytest

from tests.serverproc import ServerProcess


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'stemgui.sqlite'}"


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
