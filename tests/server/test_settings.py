"""Issue 11 item "a server Settings object read once": the bundled server's settings."""

from __future__ import annotations

import ast
import os
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from stemgui.server import history, security
from stemgui.server import settings as server_settings
from stemgui.server.app import create_app
from stemgui.server.login_guard import Limits
from stemgui.server.settings import Settings
from tests.serverproc import REPO_ROOT, ServerProcess

SERVER_DIR = REPO_ROOT / "stemgui" / "server"


def test_settings_from_an_environment_with_defaults_and_bad_values():
    """Issue 11: every variable is read in one place, with its documented default."""
    default = Settings.from_env({})
    assert default.data_dir == Path("data") and default.default_db_url == "sqlite:///data/stemgui.sqlite"
    assert default.token_lifetime == timedelta(days=30) and default.bcrypt_rounds == 12
    assert default.login_limits == Limits(5, 20, timedelta(seconds=300))
    assert default.device_poll_interval == 5 and default.history is True
    assert default.hashing_slots == max(1, (os.cpu_count() or 2) // 2)
    tuned = Settings.from_env({
        "STEMGUI_DATA_DIR": "/tmp/lab", "STEMGUI_TOKEN_DAYS": "0.5", "STEMGUI_HASHING_CONCURRENCY": "3",
        "STEMGUI_BCRYPT_ROUNDS": "40", "STEMGUI_LOGIN_MAX_FAILURES": "2",
        "STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS": "9", "STEMGUI_LOGIN_COOLDOWN": "60",
        "STEMGUI_DEVICE_POLL_INTERVAL": "0", "STEMGUI_HISTORY": " OFF ",
    })  # fmt: skip
    assert tuned == Settings(
        data_dir=Path("/tmp/lab"), token_lifetime=timedelta(hours=12), hashing_slots=3, bcrypt_rounds=16,
        login_limits=Limits(2, 9, timedelta(seconds=60)), device_poll_interval=0, history=False,
    )  # fmt: skip
    broken = Settings.from_env({key: "many" for key in (
        "STEMGUI_TOKEN_DAYS", "STEMGUI_HASHING_CONCURRENCY", "STEMGUI_BCRYPT_ROUNDS",
        "STEMGUI_LOGIN_MAX_FAILURES", "STEMGUI_LOGIN_COOLDOWN", "STEMGUI_DEVICE_POLL_INTERVAL")})  # fmt: skip
    assert broken.token_lifetime == default.token_lifetime and broken.bcrypt_rounds == 12
    assert broken.login_limits == default.login_limits and broken.device_poll_interval == 5
    assert broken.hashing_slots == default.hashing_slots


WORKER_CASES = [("", 1), ("many", 1), ("0", 1), ("-3", 1), ("2", 2), ("2.7", 2), ("1e9", 16), ("inf", 16),
                ("nan", 1)]  # fmt: skip


@pytest.mark.parametrize(("asked", "workers"), WORKER_CASES)
def test_server_processes_stay_within_one_and_sixteen(asked, workers):
    """Issue 17: STEMGUI_SERVER_WORKERS; an absurd value must not fork the machine to death."""
    assert Settings.from_env({"STEMGUI_SERVER_WORKERS": asked}).workers == workers


def test_no_server_module_but_settings_reads_the_environment():
    """Issue 11: before, db.py, security.py, login_guard.py, device_auth.py and history.py each
    read os.environ on their own (some on every request)."""
    readers = []
    for path in sorted(SERVER_DIR.glob("*.py")):
        if path.name == "settings.py":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv"):
                readers.append(f"{path.name}:{node.lineno}")
    assert readers == []


def test_the_app_holds_the_settings_it_was_created_with(tmp_path, monkeypatch):
    """Issue 11: settings are read once, at app creation; a later change of the environment does
    not reach the running server."""
    monkeypatch.setenv("STEMGUI_TOKEN_DAYS", "2")
    monkeypatch.setenv("STEMGUI_HISTORY", "on")
    previous = server_settings.current()
    try:
        app = create_app(f"sqlite:///{tmp_path / 'held.sqlite'}")
        assert app.state.settings is server_settings.current()
        monkeypatch.setenv("STEMGUI_TOKEN_DAYS", "9")
        monkeypatch.setenv("STEMGUI_HISTORY", "off")
        assert security.token_lifetime() == timedelta(days=2)
        assert history.enabled() is True
        given = Settings(device_poll_interval=7)
        assert create_app(f"sqlite:///{tmp_path / 'given.sqlite'}", given).state.settings is given
    finally:
        server_settings.install(previous)


def test_a_server_process_takes_its_settings_from_its_environment(tmp_path):
    """Issue 11: a server started with settings in its environment (as the test suites start
    them) serves them: the device-login poll interval."""

    class PollEvery3(ServerProcess):
        @property
        def env(self):
            return {**super().env, "STEMGUI_DEVICE_POLL_INTERVAL": "3"}

    server = PollEvery3(f"sqlite:///{tmp_path / 'poll.sqlite'}", tmp_path).start()
    try:
        answer = requests.post(server.url + "api/auth/device/", json={}, timeout=10)
        assert answer.status_code == 200 and answer.json()["interval"] == 3
    finally:
        server.stop()
