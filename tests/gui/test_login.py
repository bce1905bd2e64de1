"""Login, first run, role gates and navigation, logout, the sidebar, the backend by URL."""

import stat

import pytest
from streamlit.testing.v1 import AppTest

from stemgui.auth import INITIAL_PASSWORD_FILE, UserStore
from tests.gui.apptest import PASSWORD, REPO_ROOT, logged_in, new_app, texts


def login(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_first_run_makes_admin_with_a_private_password_file(tmp_path, monkeypatch):
    data_dir = tmp_path / "fresh"
    monkeypatch.setenv("STEMGUI_DATA_DIR", str(data_dir))
    monkeypatch.delenv("STEMGUI_API_URL", raising=False)
    monkeypatch.setenv("STEMGUI_LOGIN_SLEEP", "0")
    at = new_app().run()
    assert not at.exception
    assert [t.label for t in at.text_input] == ["Username", "Password"]
    password = (data_dir / INITIAL_PASSWORD_FILE).read_text().strip()
    store = UserStore(data_dir)
    assert [(u.username, u.role) for u in store.users()] == [("admin", "admin")]
    assert store.check_password("admin", password)
    assert len(store.cookie()["key"]) >= 64
    for name in ("auth.yaml", INITIAL_PASSWORD_FILE):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600
    assert password not in (data_dir / "auth.yaml").read_text()
    new_app().run()  # a second start keeps the admin and the password
    assert store.check_password("admin", password) and len(store.users()) == 1


@pytest.mark.parametrize(("password", "ok"), [(PASSWORD, True), ("wrong password", False), ("", False)])
def test_login_with_right_and_wrong_password(make_user, password, ok):
    user = make_user("viewer")
    at = login(new_app().run(), user.username, password)
    assert not at.exception
    assert (at.session_state["authentication_status"] is True) is ok
    if ok:
        at.run()
        assert [t.value for t in at.title] == ["Sessions"]
        assert user.username in texts(at)
    else:
        assert [t.value for t in at.title] == ["stemgui"]
        assert not any(d for d in at.dataframe)


NAV = {
    "viewer": ["pages/sessions.py", "pages/account.py"],
    "editor": ["pages/sessions.py", "pages/account.py"],
    "admin": ["pages/sessions.py", "pages/account.py", "pages/admin.py"],
}


@pytest.mark.parametrize("role", list(NAV))
def test_navigation_offers_the_pages_of_the_role(make_user, role):
    at = logged_in(make_user(role))
    for page in ("pages/sessions.py", "pages/account.py", "pages/admin.py"):
        if page in NAV[role]:
            at.switch_page(page).run()
            assert not at.exception
        else:
            with pytest.raises(ValueError, match="Could not find a navigation page"):
                at.switch_page(page)


@pytest.mark.parametrize(
    ("role", "page", "message"),
    [
        (None, "pages/sessions.py", "Please log in first."),
        (None, "pages/account.py", "Please log in first."),
        (None, "pages/admin.py", "Please log in first."),
        ("viewer", "pages/admin.py", "This page needs the admin role"),
        ("editor", "pages/admin.py", "This page needs the admin role"),
    ],
)
def test_every_page_checks_login_and_role_itself(make_user, role, page, message):
    """A page left out of the navigation is still reachable by URL: it must refuse by itself."""
    at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=30)
    if role:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = make_user(role).username
    at.run()
    assert not at.exception
    assert message in texts(at)
    assert not at.dataframe and not at.text_input


@pytest.mark.parametrize(("role", "can_write"), [("viewer", False), ("editor", True), ("admin", True)])
def test_write_buttons_follow_the_role(make_user, role, can_write):
    at = logged_in(make_user(role))
    assert any(b.key == "sessions.new" for b in at.button) is can_write


def test_sidebar_shows_user_backend_and_logout(make_user, bundled):
    user = make_user("editor")
    at = logged_in(user)
    sidebar = "\n".join(str(e.value) for e in at.sidebar.markdown) + "\n".join(
        c.value for c in at.sidebar.caption
    )
    assert "editor" in sidebar and "bundled server" in sidebar and "answering" in sidebar
    assert "not answering" not in sidebar
    at.sidebar.button(key="stemgui.logout").click().run()
    assert at.session_state["authentication_status"] is None
    assert not at.dataframe


def test_removed_user_is_logged_out(make_user, gui_env):
    user = make_user("editor")
    at = logged_in(user)
    UserStore(gui_env).remove_user(user.username, acting_user="admin")
    at.run()
    assert [t.value for t in at.title] == ["stemgui"]


def test_backend_by_url_uses_the_personal_token(monkeypatch, gui_env, demo_server):
    monkeypatch.setenv("STEMGUI_API_URL", demo_server.url)
    store = UserStore(gui_env)
    username, token = demo_server.new_user("urluser")
    demo_server.cli("demo", "--member", username)
    store.add_user(username.lower(), PASSWORD, "viewer")
    user = type("U", (), {"username": username.lower()})
    at = logged_in(user)
    assert not at.dataframe and "Paste your personal API token for 127.0.0.1" in texts(at)
    at.switch_page("pages/account.py").run()
    at.text_input(key="account.token_value").input(token)
    at.checkbox(key="account.remember").check()
    at.button[1].click().run()
    assert store.api_token(username.lower()) == token
    at.switch_page("pages/sessions.py").run()
    assert len(at.dataframe[0].value) > 0
    assert token not in texts(at)


def test_login_page_starts_the_bundled_server_once_in_the_background(gui_env, monkeypatch):
    """Issue 17 (fresh install): the login page starts the bundled server in the background, once
    per process and data dir, however many browsers show the login (the launcher is replaced by a
    recorder here: the shared test server is already up)."""
    from stemgui import backend
    from stemgui.gui import login as gui_login

    started = []
    monkeypatch.setattr(backend, "start_in_background", started.append)
    gui_login._start_bundled_backend.clear()
    for _ in range(2):  # two browser sessions
        at = new_app().run()
        assert not at.exception and [t.label for t in at.text_input] == ["Username", "Password"]
    gui_login._start_bundled_backend.clear()
    assert [path.resolve() for path in started] == [gui_env.resolve()]
