"""Issue 9 item 5: the data dir is 0700 and what it holds (database, -wal/-shm, logs, keys) 0600,
whoever creates it: the server's CLI, the server itself, or the GUI's launcher."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from stemgui import backend
from stemgui.auth import UserStore
from stemgui.login_limit import LoginLimiter
from tests.server.test_cli import run_cli
from tests.serverproc import REPO_ROOT, ServerProcess


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextlib.contextmanager
def usual_umask():
    """The umask most desktops have (files 644, folders 755): what the old code relied on."""
    before = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(before)


def assert_private(data_dir: Path, names: list[str]) -> None:
    assert mode(data_dir) == 0o700, oct(mode(data_dir))
    for name in names:
        assert mode(data_dir / name) == 0o600, (name, oct(mode(data_dir / name)))
    for path in data_dir.iterdir():  # nothing at all in it readable by others
        assert mode(path) & 0o077 == 0, (path.name, oct(mode(path)))


def test_cli_makes_a_private_data_dir_and_database(tmp_path):
    """Issue 9 item 5: ``adduser`` on a fresh data dir, then ``serve`` writing to the database."""
    data_dir = tmp_path / "data"
    env = {**os.environ, "STEMGUI_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
    with usual_umask():
        result = run_cli("adduser", "alice", "--email", "a@example.org", "--password", "pw", env=env)
        assert result.returncode == 0, result.stderr
        proc = ServerProcess(f"sqlite:///{data_dir / 'stemgui.sqlite'}", tmp_path / "logs").start()
        try:
            proc.token("alice", "pw")  # a write: the token lands in the -wal file
            assert (data_dir / "stemgui.sqlite-wal").exists()
            assert (data_dir / "stemgui.sqlite-writeturn").exists()  # the writers' turn between processes
            files = ["stemgui.sqlite", "stemgui.sqlite-wal", "stemgui.sqlite-shm", "stemgui.sqlite-writeturn"]
            assert_private(data_dir, files)
        finally:
            proc.stop()


def test_cli_repairs_what_an_older_version_left_readable(tmp_path):
    """Issue 9 item 5: a data dir at 0755 with the database at 0644 is tightened on the next run."""
    data_dir = tmp_path / "data"
    data_dir.mkdir(mode=0o755)
    data_dir.chmod(0o755)
    database = data_dir / "stemgui.sqlite"
    sqlite3.connect(database).close()
    database.chmod(0o644)
    env = {**os.environ, "STEMGUI_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
    result = run_cli("adduser", "bob", "--email", "b@example.org", "--password", "pw", env=env)
    assert result.returncode == 0, result.stderr
    assert_private(data_dir, ["stemgui.sqlite"])


def test_a_database_outside_the_data_dir_leaves_an_existing_folder_alone(tmp_path):
    """``--db sqlite:////tmp/x.sqlite``: the file is private, its (shared) folder is not changed."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o755)
    env = {**os.environ, "STEMGUI_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": str(REPO_ROOT)}
    with usual_umask():
        result = run_cli("adduser", "carol", "--email", "c@example.org", "--password", "pw",
                         "--db", f"sqlite:///{shared / 'x.sqlite'}", env=env)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert mode(shared) == 0o755 and mode(shared / "x.sqlite") == 0o600


@pytest.mark.timeout(300)
def test_the_gui_launcher_makes_a_private_data_dir(tmp_path, monkeypatch):
    """Issue 9 item 5: the GUI's first start (users, login limit, bundled server, its database,
    log and API users) leaves nothing readable by others."""
    monkeypatch.setenv("STEMGUI_BCRYPT_ROUNDS", "4")
    data_dir = tmp_path / "gui" / "data"
    with usual_umask():
        store = UserStore(data_dir)
        store.bootstrap()
        LoginLimiter(data_dir).failed("someone")
        server = backend.BundledServer(data_dir, f"sqlite:///{data_dir / backend.DB_FILE}").start()
        try:
            server.provision("admin", "admin")
        finally:
            server.stop()
    assert_private(data_dir, ["auth.yaml", "initial-admin-password.txt", "login-attempts.sqlite",
                              "stemgui.sqlite", "bundled-server.log", "api-users.yaml"])  # fmt: skip
