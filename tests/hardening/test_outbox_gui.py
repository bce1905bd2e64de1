"""The GUI around the outbox and the login limit (AppTest, bundled backend): queued entries sent
by themselves, a server 400 brought back with its field errors, edit/retry/discard, forms that
survive a page switch, and the per-username login limit."""

from __future__ import annotations

import itertools
import json
import os

import pytest

from stemgui.outbox import Outbox
from tests.gui.apptest import form_prefix, logged_in, new_app, texts, values
from tests.hardening.gui_helpers import assert_safe_page

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_names)}"


def sidebar(at) -> str:
    parts = list(at.sidebar.markdown) + list(at.sidebar.caption) + list(at.sidebar.warning)
    return "\n".join(str(e.value) for e in parts).lower()


def test_a_waiting_entry_is_sent_by_itself_on_the_next_run(make_user, gui_env):
    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    name = unique("queued earlier")
    Outbox(gui_env, user.username).add("session", "create", {"name": name, "projects": [project]},
                                       last_error="backend was down")  # fmt: skip
    at = logged_in(user)
    assert_safe_page(at)
    assert Outbox(gui_env, user.username).count() == 0
    assert [s["name"] for s in user.api.list_all("session", filters={"name": name})] == [name]
    assert name in at.dataframe[0].value["name"].tolist() and "waiting" not in sidebar(at)


def test_a_refused_entry_comes_back_with_its_field_errors_and_can_be_fixed(make_user, gui_env):
    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    taken = user.api.save_model("session", data={"name": unique("taken"), "projects": [project]})["session"]
    box = Outbox(gui_env, user.username)
    entry = box.add(
        "session", "create", {"name": taken["name"], "projects": [project], "description": "mine"}
    )
    at = logged_in(user)
    assert_safe_page(at)
    assert box.rejected()[0].field_errors.get("name")  # the server's 400, kept with the entry
    assert "refused" in texts(at).lower() and "saved locally — 1 waiting" in sidebar(at)

    at.switch_page("pages/outbox.py").run()
    assert_safe_page(at)
    assert any(m.startswith("name:") for m in values(at.error)), values(at.error)
    tries = box.get(entry).attempts
    at.button(key=f"outbox.retry.{entry}").click().run()  # unchanged, it is refused again
    assert_safe_page(at)
    assert box.get(entry).state == "rejected" and box.get(entry).attempts == tries + 1
    at.button(key=f"outbox.edit.{entry}").click().run()
    fixed = unique("fixed")
    edited = json.loads(at.text_area[0].value) | {"name": fixed}
    at.text_area[0].input(json.dumps(edited))
    at.button(key=f"outbox.keep.{entry}").click().run()  # kept, then sent by itself on the rerun
    assert_safe_page(at)
    assert box.count() == 0 and "Nothing waiting" in texts(at)
    stored = user.api.list_all("session", filters={"name": fixed})
    assert len(stored) == 1 and stored[0]["description"] == "mine"


def test_an_entry_can_be_discarded_after_a_second_click(make_user, gui_env):
    user = make_user("editor")
    box = Outbox(gui_env, user.username)
    entry = box.add("session", "create", {"name": unique("<b>discard</b>"), "projects": ["not-a-uuid"]})
    at = logged_in(user, page="pages/outbox.py")
    assert_safe_page(at)
    at.button(key=f"outbox.discard.{entry}").click().run()
    assert box.get(entry) is not None  # asked first
    at.button(key=f"outbox.discard.yes.{entry}").click().run()
    assert box.get(entry) is None and "Nothing waiting" in texts(at)


def test_viewers_have_no_outbox_page(make_user):
    at = logged_in(make_user("viewer"))
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/outbox.py")


def test_what_was_typed_survives_a_page_switch(make_user):
    user = make_user("editor")
    at = logged_in(user)
    at.button(key="sessions.new").click().run()
    prefix = form_prefix(at)
    project = user.api.list_all("project")[0]["id"]
    at.text_input(key=f"{prefix}.name").input("half typed")
    at.multiselect(key=f"{prefix}.projects").set_value([project])
    at.text_area(key=f"{prefix}.description").input("notes so far").run()
    at.switch_page("pages/account.py").run()
    at.switch_page("pages/sessions.py").run()
    assert_safe_page(at)
    assert at.text_input(key=f"{prefix}.name").value == "half typed"
    assert at.text_area(key=f"{prefix}.description").value == "notes so far"
    assert at.multiselect(key=f"{prefix}.projects").value == [project]


def _try_login(at, username: str, password: str):
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_is_refused_after_five_wrong_passwords_in_any_tab(make_user):
    user = make_user("viewer")
    at = new_app().run()
    for _ in range(4):
        _try_login(at, user.username, "wrong password")
        assert "Username or password is incorrect." in values(at.error)
    _try_login(at, user.username, "wrong password")
    assert any("Too many wrong passwords" in m for m in values(at.error))
    other_tab = new_app().run()  # a new browser session does not start again at zero
    _try_login(other_tab, user.username, user.password)
    assert other_tab.session_state["authentication_status"] is not True
    assert any("Too many wrong passwords" in m for m in values(other_tab.error))
    assert_safe_page(other_tab)


def test_an_action_form_survives_a_page_switch(make_user):
    from tests.gui.action_helpers import fill_action, first_subject

    user = make_user("editor")
    at = logged_in(user, page="pages/actions.py")
    at.button(key="actions.new").click().run()
    form = at.session_state["actions.form"]["key"]
    _, subject = first_subject(user)
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": 42.0}, subject=subject, description="half way").run()  # fmt: skip
    at.switch_page("pages/sessions.py").run()
    at.switch_page("pages/actions.py").run()
    assert_safe_page(at)
    assert at.text_area(key=f"{form}.description").value == "half way"
    assert at.selectbox(key=f"{form}.subject").value == subject
    assert at.number_input(key=f"{form}.details.VirusInjection.injectionVolume").value == 42.0


def test_a_refused_session_reopens_in_its_form_with_the_error_at_the_field(make_user, gui_env):
    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    taken = user.api.save_model("session", data={"name": unique("taken"), "projects": [project]})["session"]
    box = Outbox(gui_env, user.username)
    entry = box.add(
        "session", "create", {"name": taken["name"], "projects": [project], "description": "kept"}
    )
    at = logged_in(user, page="pages/outbox.py")  # the first run sends it: refused, name taken
    at.button(key=f"outbox.form.{entry}").click().run()  # st.switch_page to the Sessions page
    at.switch_page("pages/sessions.py").run()  # AppTest does not follow st.switch_page for later runs
    assert_safe_page(at)
    prefix = form_prefix(at)
    assert at.text_input(key=f"{prefix}.name").value == taken["name"]
    assert at.text_area(key=f"{prefix}.description").value == "kept"
    assert "name" in at.session_state[f"{prefix}.errors"]
    fixed = unique("renamed")
    at.text_input(key=f"{prefix}.name").input(fixed)
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    assert box.count() == 0
    assert [s["description"] for s in user.api.list_all("session", filters={"name": fixed})] == ["kept"]


def test_an_immutable_outbox_folder_shows_its_entries_and_says_why_nothing_changes(make_user, gui_env):
    """Issue 9 item 10: a folder that takes no write (chattr +i): the Outbox page lists what
    waits, sends nothing it could not note as sent, and a discard says why it cannot happen."""
    from tests.outbox.disks import immutable

    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    name = unique("kept on a read-only disk")
    box = Outbox(gui_env, user.username)
    entry = box.add("session", "create", {"name": name, "projects": [project]})
    with immutable(gui_env / "outbox"):
        at = logged_in(user, page="pages/outbox.py")
        assert_safe_page(at)
        assert any(w.startswith("Could not save locally") for w in values(at.warning)), values(at.warning)
        assert user.api.list_all("session", filters={"name": name}) == []  # not sent: could not be noted
        at.button(key=f"outbox.discard.{entry}").click().run()
        at.button(key=f"outbox.discard.yes.{entry}").click().run()
        assert_safe_page(at)
        assert any(m.startswith("Could not save locally") for m in values(at.error)), values(at.error)
        assert box.count() == 1
    at.run()  # writable again: sent by itself, once
    assert box.count() == 0 and len(user.api.list_all("session", filters={"name": name})) == 1


def test_a_queued_session_edited_on_a_read_only_disk_keeps_its_form_and_says_why(make_user, gui_env):
    """Issue 9 item 10: a session kept in the outbox, reopened in its form and saved while the
    outbox folder takes no write (chattr +i): "Could not save locally" at the form, everything
    typed kept, the entry unchanged; once writable, the same Save goes through."""
    from tests.outbox.disks import immutable

    user = make_user("editor")
    project = user.api.list_all("project")[0]["id"]
    taken = user.api.save_model("session", data={"name": unique("taken"), "projects": [project]})["session"]
    box = Outbox(gui_env, user.username)
    queued = {"name": taken["name"], "projects": [project], "description": "kept"}
    entry = box.add("session", "create", queued)
    at = logged_in(user, page="pages/outbox.py")  # the first run sends it: refused, name taken
    at.button(key=f"outbox.form.{entry}").click().run()
    at.switch_page("pages/sessions.py").run()
    prefix = form_prefix(at)
    fixed = unique("renamed on a read-only disk")
    at.text_input(key=f"{prefix}.name").input(fixed)
    with immutable(gui_env / "outbox"):
        at.button(key=f"{prefix}.save").click().run()
        assert_safe_page(at)
        assert at.session_state[f"{prefix}.errors"]["form"].startswith("Could not save locally")
        assert at.text_input(key=f"{prefix}.name").value == fixed
        assert box.get(entry).payload["name"] == taken["name"]
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    assert [s["description"] for s in user.api.list_all("session", filters={"name": fixed})] == ["kept"]
