"""Secrets stay secret: tokens and passwords never reach a log, the page, a message or a URL, and
every file holding one (auth.yaml, api-users.yaml, outbox files) is mode 600."""

from __future__ import annotations

import logging
import stat

import pytest
import requests

from stemgui.auth import UserStore
from stemgui.backend import API_USERS_FILE
from stemgui.client import BrainstemClient
from stemgui.errors import AuthError, StemGuiError
from stemgui.outbox import Outbox
from tests.gui.apptest import PASSWORD, logged_in, new_app, texts


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_server_log_never_holds_tokens_or_passwords(server):
    username, token = server.new_user("hsecret")
    password = f"pw-{username}-secret"
    with BrainstemClient(server.url, token) as client:
        client.list_all("session")
        with pytest.raises(StemGuiError):
            client.save_model("session", data={"name": "x", "projects": ["nope"]})
    wrong = requests.post(
        server.url + "api/token/", json={"username": username, "password": "Wrong-" + password}
    )
    assert wrong.status_code in (400, 401)
    forged = token[:-4] + "abcd"
    with BrainstemClient(server.url, forged) as bad, pytest.raises(AuthError) as caught:
        bad.list_all("session")
    assert forged not in caught.value.message and token not in caught.value.message
    log = server.log_path.read_text(errors="replace")
    for secret in (token, forged, password, "Wrong-" + password):
        assert secret not in log


def test_client_logs_and_messages_never_hold_the_token(server, caplog):
    _, token = server.new_user("hlog")
    caplog.set_level(logging.DEBUG)
    with BrainstemClient(server.url, token, attempts=2, backoff=0) as client:
        assert token not in repr(client)
        client.list_all("session", filters={"name.icontains": "x"})
        for call in (
            lambda: client.load_model("session", id="nope"),
            lambda: client.save_model("session", data={"name": ""}),
            lambda: client.list_all("session", filters={"password": "x"}),
        ):
            with pytest.raises(StemGuiError) as caught:
                call()
            assert token not in caught.value.message
    assert caplog.records and token not in caplog.text


def test_gui_never_shows_or_logs_the_api_token(make_user, bundled, gui_env, caplog):
    caplog.set_level(logging.DEBUG)
    user = make_user("editor")
    token = bundled.token_for(user.username, user.role)
    at = logged_in(user)
    at.switch_page("pages/account.py").run()
    at.switch_page("pages/sessions.py").run()
    at.button(key="sessions.new").click().run()
    assert not at.exception
    for where in (texts(at), str(dict(at.query_params)), caplog.text):
        assert token not in where and PASSWORD not in where
    accounts = (gui_env / API_USERS_FILE).read_text()
    assert token in accounts  # the test looked at the real token
    assert mode(gui_env / API_USERS_FILE) == 0o600


def test_a_pasted_personal_token_is_kept_private(make_user, gui_env, monkeypatch, demo_server):
    """BrainSTEM-URL mode: the pasted token goes to auth.yaml (600) and never back to the page."""
    monkeypatch.setenv("STEMGUI_API_URL", demo_server.url)
    username, token = demo_server.new_user("hpaste")
    user = type("U", (), {"username": username.lower()})
    store = UserStore(gui_env)
    store.add_user(user.username, PASSWORD, "viewer")
    store.set_api_token(user.username, "not-a-valid-token-" + "x" * 20)
    at = logged_in(user)  # a rejected token: a message that does not repeat it
    assert not at.exception
    assert "token was rejected" in texts(at) and "not-a-valid-token" not in texts(at)
    at.switch_page("pages/account.py").run()
    at.text_input(key="account.token_value").input(token)
    at.checkbox(key="account.remember").check()
    at.button[1].click().run()
    assert store.api_token(user.username) == token
    assert mode(gui_env / "auth.yaml") == 0o600
    at.switch_page("pages/sessions.py").run()
    assert not at.exception and "token was rejected" not in texts(at)
    assert token not in texts(at) and token not in str(dict(at.query_params))
    assert [w.value for w in at.text_input if w.key == "account.token_value"] in ([], [""])


def test_private_files_are_mode_600_even_if_loosened(tmp_path):
    store = UserStore(tmp_path)
    store.bootstrap()
    store.add_user("alice", "long enough pw", "editor")
    store.set_api_token("alice", "tok")
    assert mode(tmp_path / "auth.yaml") == 0o600
    (tmp_path / "auth.yaml").chmod(0o644)
    store.bootstrap()  # every start repairs a loosened file
    assert mode(tmp_path / "auth.yaml") == 0o600
    box = Outbox(tmp_path, "alice")
    box.add("session", "create", {"name": "draft"})
    assert mode(box.path) == 0o600 and mode(box.path.parent) == 0o700
    for sidecar in box.path.parent.iterdir():  # journal/WAL files hold payloads too
        assert mode(sidecar) & 0o077 == 0, sidecar
    assert "password" not in box.path.read_bytes().decode(errors="replace").lower()


def test_first_run_prints_the_admin_password_once_and_never_logs_it(tmp_path, monkeypatch, capfd, caplog):
    monkeypatch.setenv("STEMGUI_DATA_DIR", str(tmp_path / "fresh"))
    monkeypatch.delenv("STEMGUI_API_URL", raising=False)
    monkeypatch.setenv("STEMGUI_LOGIN_SLEEP", "0")
    caplog.set_level(logging.DEBUG)
    at = new_app().run()
    assert not at.exception
    password_file = tmp_path / "fresh" / "initial-admin-password.txt"
    password = password_file.read_text().strip()
    assert mode(password_file) == 0o600
    first = capfd.readouterr()
    assert first.out.count(password) == 1 and str(password_file) in first.out
    assert not new_app().run().exception  # a later start: the admin exists, nothing is printed
    assert password not in capfd.readouterr().out
    assert password not in caplog.text
