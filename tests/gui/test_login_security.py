"""Issue 9 items 3-4 and issue 10 items 4, 5, 7 in the GUI: no timing gap for unknown users,
sessions and re-login cookies that end on logout and password change, the admin's password
reset, the Add-user form that keeps what was typed, the first-run password at start."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import time
from datetime import timedelta

import bcrypt
import jwt
import pytest
import requests
from sqlalchemy import update

from stemgui.auth import INITIAL_PASSWORD_FILE, UserStore
from stemgui.client import BrainstemClient
from stemgui.errors import AuthError
from stemgui.server import security
from stemgui.server.db import sessionmaker_for
from stemgui.server.tables import Token, now
from tests.gui.apptest import PASSWORD, REPO_ROOT, logged_in, texts


def click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def titles(at) -> list[str]:
    return [t.value for t in at.title]


# ------------------------------------------------------------------- issue 9 item 3


def test_unknown_username_costs_a_bcrypt_check_like_a_known_one(tmp_path, monkeypatch):
    """Issue 9 item 3 (GUI login): bcrypt is counted, not replaced."""
    store = UserStore(tmp_path)
    store.bootstrap()
    store.add_user("alice", PASSWORD, "editor")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda *a: calls.append(1) or real(*a))
    assert not store.check_password("alice", "wrong password")
    known = len(calls)
    assert not store.check_password("nobody", "wrong password")
    assert known == len(calls) - known == 1


# ------------------------------------------------------------------- issue 9 item 4: cookies


@pytest.fixture
def store(tmp_path) -> UserStore:
    users = UserStore(tmp_path)
    users.bootstrap()
    users.add_user("alice", PASSWORD, "editor")
    return users


def cookie_of(store: UserStore, username: str = "alice", days: float = 30) -> str:
    key = store.cookie()["key"]
    return store.relogin_cookie(username, key, time.time() + days * 86400)


def accepted(store: UserStore, cookie: str) -> bool:
    return store.relogin_claims(cookie, store.cookie()["key"]) is not None


def test_relogin_cookie_is_accepted_until_logout(store):
    """Issue 9 item 4: logout (end_sessions) bumps the session version the cookie carries."""
    cookie = cookie_of(store)
    assert accepted(store, cookie)
    store.end_sessions("alice")
    assert not accepted(store, cookie)
    assert accepted(store, cookie_of(store))  # a new login gets a new cookie


@pytest.mark.parametrize(
    "end",
    [
        lambda s: s.change_password("alice", PASSWORD, "a new password"),
        lambda s: s.reset_password("alice"),
        lambda s: s.reset_password("alice", "typed by an admin"),
    ],
    ids=["change", "reset-random", "reset-typed"],
)
def test_relogin_cookie_dies_with_a_password_change(store, end):
    """Issue 9 item 4: a password change or an admin reset ends every cookie of the user."""
    cookie, other = cookie_of(store), cookie_of(store, "admin")
    end(store)
    assert not accepted(store, cookie)
    assert accepted(store, other)  # other users' cookies live on


def test_a_reset_forgets_the_saved_personal_token(store):
    """Issue 10 item 5: a reset ends the user's tokens, also a BrainSTEM token kept in auth.yaml."""
    store.set_api_token("alice", "personal-token")
    store.set_api_token("admin", "admins-token")
    store.reset_password("alice")
    assert store.api_token("alice") is None and store.api_token("admin") == "admins-token"


def test_forged_expired_and_old_format_cookies_are_refused(store):
    key = store.cookie()["key"]
    assert not accepted(store, cookie_of(store, days=-1))
    assert not accepted(store, cookie_of(store, "nobody"))
    forged = jwt.encode({"username": "alice", "exp_date": time.time() + 999, "session": 0}, "x" * 64, "HS256")
    assert not accepted(store, forged)
    old_format = jwt.encode({"username": "alice", "exp_date": time.time() + 999}, key, algorithm="HS256")
    assert not accepted(store, old_format)  # streamlit-authenticator's own cookie, as issued before
    assert not accepted(store, "not a jwt") and not accepted(store, None)


def test_logout_elsewhere_ends_a_running_session(make_user, gui_env):
    """Issue 9 item 4: the session version is checked on every run, not only at login."""
    user = make_user("viewer")
    at = logged_in(user)
    assert titles(at) == ["Sessions"]
    UserStore(gui_env).end_sessions(user.username)  # e.g. Log out in another browser
    at.run()
    assert titles(at) == ["stemgui"] and at.session_state["authentication_status"] is None


def test_logout_bumps_the_session_version(make_user, gui_env):
    user = make_user("viewer")
    before = UserStore(gui_env).session_version(user.username)
    at = logged_in(user)
    at.sidebar.button(key="stemgui.logout").click().run()
    assert UserStore(gui_env).session_version(user.username) == before + 1


def test_changing_ones_password_keeps_this_session_and_ends_the_others(make_user, gui_env, bundled):
    """Issue 9 item 4: the other browser is logged out, this one stays; the API token is renewed."""
    user = make_user("editor")
    here, elsewhere = logged_in(user, "pages/account.py"), logged_in(user)
    here.text_input(key="account.old").input(PASSWORD)
    here.text_input(key="account.new").input("a brand new one")
    here.text_input(key="account.again").input("a brand new one")
    click(here, "Change password")
    assert "Password changed." in texts(here)
    here.run()
    assert titles(here) == ["Account"]
    elsewhere.run()
    assert titles(elsewhere) == ["stemgui"]
    with pytest.raises(AuthError):  # the token from before the change is revoked ...
        user.api.list_all("project")
    with BrainstemClient(bundled.url, bundled.token_for(user.username, "editor")) as api:
        assert api.list_all("project")  # ... and the app uses a new one


# ------------------------------------------------------------------- issue 10 item 5: reset


def test_admin_resets_a_password_to_a_random_one_shown_once(make_user, gui_env, bundled):
    """Issue 10 item 5: a random password shown once; the user's sessions and tokens end."""
    admin, target = make_user("admin"), make_user("editor")
    target_session = logged_in(target)
    at = logged_in(admin, "pages/admin.py")
    at.selectbox(key="admin.who").set_value(target.username).run()
    click(at, "Reset password")
    assert not at.exception
    assert f"Reset the password of {target.username}" in texts(at)
    shown = [c.value for c in at.code]
    assert len(shown) == 1 and len(shown[0]) >= 12
    store = UserStore(gui_env)
    assert store.check_password(target.username, shown[0])
    assert not store.check_password(target.username, PASSWORD)
    at.run()
    assert not at.code  # shown once
    target_session.run()
    assert titles(target_session) == ["stemgui"]
    with pytest.raises(AuthError):
        target.api.list_all("project")
    with BrainstemClient(bundled.url, bundled.token_for(target.username, "editor")) as api:
        assert api.list_all("project")


def test_admin_resets_a_password_to_one_they_type(make_user, gui_env):
    admin, target = make_user("admin"), make_user("viewer")
    at = logged_in(admin, "pages/admin.py")
    at.selectbox(key="admin.who").set_value(target.username).run()
    at.text_input(key=f"admin.reset_password.{target.username}").input("short")
    click(at, "Reset password")
    assert any("at least 8" in e.value for e in at.error)
    assert UserStore(gui_env).check_password(target.username, PASSWORD)  # nothing changed
    at.text_input(key=f"admin.reset_password.{target.username}").input("typed by the admin")
    click(at, "Reset password")
    assert not at.code  # the admin knows it: not shown again
    assert UserStore(gui_env).check_password(target.username, "typed by the admin")
    assert at.text_input(key=f"admin.reset_password.{target.username}").value == ""


# ------------------------------------------------------------------- issue 10 item 7


def test_add_user_keeps_what_was_typed_after_an_error(make_user, gui_env):
    """Issue 10 item 7: an error leaves every field as typed; a success empties the form."""
    at = logged_in(make_user("admin"), "pages/admin.py")
    typed = {"admin.username": "admin", "admin.name": "Ada Lovelace", "admin.email": "ada@lab.org",
             "admin.password": "long enough pw"}  # fmt: skip
    for key, value in typed.items():
        at.text_input(key=key).input(value)
    at.selectbox(key="admin.role").set_value("editor")
    click(at, "Add user")
    assert any("already taken" in e.value for e in at.error)
    assert {key: at.text_input(key=key).value for key in typed} == typed
    assert at.selectbox(key="admin.role").value == "editor"
    name = f"ada{os.getpid()}x{time.monotonic_ns() % 100000}"
    at.text_input(key="admin.username").input(name)
    click(at, "Add user")
    assert f"Added {name} as editor." in texts(at)
    assert UserStore(gui_env).get(name).email == "ada@lab.org"
    assert all(at.text_input(key=key).value == "" for key in typed)


# ------------------------------------------------------------------- bundled tokens


def test_an_expired_or_revoked_bundled_token_is_replaced_unnoticed(make_user, bundled):
    """Issue 9 item 4: the GUI's own API tokens expire too; the app gets a new one by itself."""
    user = make_user("viewer")
    token = bundled.token_for(user.username, "viewer")
    with sessionmaker_for(bundled.db_url).begin() as db:
        db.execute(update(Token).where(Token.key_hash == security.token_hash(token))
                   .values(expires_at=now() - timedelta(seconds=1)))  # fmt: skip
    renewed = bundled.token_for(user.username, "viewer")
    assert renewed != token
    with BrainstemClient(bundled.url, renewed) as api:
        assert api.list_all("project")
    revoked = requests.post(bundled.url + "api/token/revoke/", json={}, timeout=10,
                            headers={"Authorization": f"Bearer {renewed}"})  # fmt: skip
    assert revoked.json() == {"revoked": 1}
    again = bundled.token_for(user.username, "viewer")
    assert again != renewed
    with BrainstemClient(bundled.url, again) as api:
        assert api.list_all("project")


# ------------------------------------------------------------------- issue 10 item 4


def test_first_run_step_prints_the_password_before_any_visit(tmp_path):
    """Issue 10 item 4: ``make run`` runs ``python -m stemgui.firstrun`` before Streamlit starts;
    it prints the password once, writes the 600 file, and prints nothing on later starts."""
    data_dir = tmp_path / "fresh"
    env = {**os.environ, "STEMGUI_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("STEMGUI_API_URL", None)

    def start() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "stemgui.firstrun"], cwd=REPO_ROOT, env=env,
                              capture_output=True, text=True, timeout=120, check=True)  # fmt: skip

    first = start()
    password = (data_dir / INITIAL_PASSWORD_FILE).read_text().strip()
    assert first.stdout.count(password) == 1 and password not in first.stderr
    assert stat.S_IMODE((data_dir / INITIAL_PASSWORD_FILE).stat().st_mode) == 0o600
    assert UserStore(data_dir).check_password("admin", password)
    assert password not in start().stdout


def test_make_run_makes_the_admin_before_starting_streamlit():
    """Issue 10 item 4: the order of ``make run``'s steps (a dry run, nothing executed)."""
    steps = subprocess.run(["make", "-n", "run"], cwd=REPO_ROOT, capture_output=True, text=True,
                           timeout=60, check=True).stdout.splitlines()  # fmt: skip
    first_run = next(i for i, line in enumerate(steps) if "-m stemgui.firstrun" in line)
    streamlit = next(i for i, line in enumerate(steps) if "streamlit run app.py" in line)
    assert first_run < streamlit
