"""The Users page (admins) and the Account page (everyone), with the bundled server's API users."""

import itertools
import os

import pytest

from stemgui.auth import UserStore
from stemgui.client import BrainstemClient
from stemgui.errors import AuthError, PermissionDenied, ValidationFailed
from tests.gui.apptest import PASSWORD, logged_in, texts

_counter = itertools.count(1)


def click(at, label: str):
    next(b for b in at.button if b.label == label).click()
    return at.run()


def can_write(api: BrainstemClient) -> bool:
    project = api.list_all("project")[0]["id"]
    try:
        api.save_model(
            "session", data={"name": f"probe {os.getpid()}-{next(_counter)}", "projects": [project]}
        )
        return True
    except (PermissionDenied, ValidationFailed):
        return False


def test_admin_adds_sets_role_and_removes_a_user(make_user, gui_env, bundled):
    at = logged_in(make_user("admin"), "pages/admin.py")
    name = f"newbie{os.getpid()}x{next(_counter)}"
    at.text_input(key="admin.username").input(name)
    at.selectbox(key="admin.role").set_value("viewer")
    at.text_input(key="admin.password").input("first password")
    click(at, "Add user")
    assert not at.exception and not at.error
    store = UserStore(gui_env)
    assert store.role(name) == "viewer" and store.check_password(name, "first password")
    assert f"Added {name} as viewer." in texts(at)
    api = BrainstemClient(bundled.url, bundled.token_for(name, "viewer"))
    assert len(api.list_all("project")) == 2  # a member of the demo projects
    assert not can_write(api)

    at.selectbox(key="admin.who").set_value(name).run()
    at.selectbox(key=f"admin.newrole.{name}").set_value("editor")
    click(at, "Set role")
    assert store.role(name) == "editor"
    assert can_write(BrainstemClient(bundled.url, bundled.token_for(name, "editor")))

    at.selectbox(key="admin.who").set_value(name).run()
    click(at, "Remove user")
    assert f"Remove the user “{name}”?" in texts(at)
    at.button(key="admin.remove.yes").click().run()  # a red destructive button: its label is styled
    assert store.get(name) is None
    with pytest.raises(AuthError):
        api.list_all("project")


@pytest.mark.parametrize(
    ("username", "password", "message"),
    [("admin", "long enough pw", "already taken"), ("ok", "short", "at least 8")],
)
def test_admin_add_user_errors_are_shown(make_user, gui_env, username, password, message):
    at = logged_in(make_user("admin"), "pages/admin.py")
    at.text_input(key="admin.username").input(username)
    at.text_input(key="admin.password").input(password)
    click(at, "Add user")
    assert any(message in e.value for e in at.error)


def test_admin_cannot_remove_themself(make_user, gui_env):
    admin = make_user("admin")
    at = logged_in(admin, "pages/admin.py")
    at.selectbox(key="admin.who").set_value(admin.username).run()
    click(at, "Remove user")
    at.button(key="admin.remove.yes").click().run()  # a red destructive button: its label is styled
    assert any("cannot remove your own account" in e.value for e in at.error)
    assert UserStore(gui_env).get(admin.username) is not None


@pytest.mark.parametrize(
    ("old", "new", "again", "message"),
    [
        (PASSWORD, "a brand new one", "a brand new one", "Password changed."),
        ("wrong old password", "a brand new one", "a brand new one", "The current password is not correct."),
        (PASSWORD, "a brand new one", "a different one", "The two new passwords differ."),
        (PASSWORD, "short", "short", "at least 8 characters"),
    ],
)
def test_change_own_password(make_user, gui_env, old, new, again, message):
    user = make_user("viewer")
    at = logged_in(user, "pages/account.py")
    at.text_input(key="account.old").input(old)
    at.text_input(key="account.new").input(new)
    at.text_input(key="account.again").input(again)
    click(at, "Change password")
    assert message in texts(at)
    changed = message == "Password changed."
    assert UserStore(gui_env).check_password(user.username, new) is changed
    assert UserStore(gui_env).check_password(user.username, PASSWORD) is not changed
