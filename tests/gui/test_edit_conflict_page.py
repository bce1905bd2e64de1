"""Issue 9 item 8: two editors on one record, through the real pages (AppTest) and the real
bundled server. ed1 opens Edit; ed2 (another editor, through the API) saves a change; ed1 saves.
AppTest keeps no cache between runs, so every run reads fresh — the situation of an expired cache."""

from __future__ import annotations

import itertools
import os
from datetime import date

import pytest

from stemgui.auth import UserStore
from stemgui.outbox import Outbox
from tests.faults import FaultProxy
from tests.gui.apptest import form_prefix, logged_in, texts, values

_names = itertools.count(1)


def _session(user, **fields) -> dict:
    project = user.api.list_all("project")[0]["id"]
    body = {"name": f"conflict {os.getpid()}-{next(_names)}", "projects": [project], **fields}
    return user.api.save_model("session", data=body)["session"]


def _stored(user, session_id: str) -> dict:
    return user.api.load_model("session", id=session_id)["session"]


def _open_edit(user, session: dict):
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.edit").click().run()
    assert not at.exception
    return at, form_prefix(at)


def _save(at):
    at.button(key=f"{form_prefix(at)}.save").click().run()
    assert not at.exception
    return at


def test_the_later_save_does_not_revert_the_other_editors_change(make_user):
    """The issue's scenario: ed2 changes the description, ed1 (form opened before) changes the
    date: the description stays ed2's, and ed1 is shown ed2's change before anything is saved."""
    ed1, ed2 = make_user("editor"), make_user("editor")
    session = _session(ed1, description="as opened", date_time="2024-01-01")
    at, prefix = _open_edit(ed1, session)
    ed2.api.save_model("session", id=session["id"], data={"description": "ed2's text"})
    at.date_input(key=f"{prefix}.date_time").set_value(date(2024, 2, 2))

    _save(at)

    assert _stored(ed1, session["id"])["description"] == "ed2's text"  # not reverted
    assert _stored(ed1, session["id"])["date_time"].startswith("2024-01-01")  # nothing saved yet
    assert any("Someone else saved this record" in w for w in values(at.warning))
    assert "ed2's text" in texts(at) and at.session_state["sessions.form"]  # the form stays
    assert at.radio(key=f"{prefix}.conflict.choice.description").value == "theirs"

    _save(at)  # keep theirs (preselected: ed1 did not change the description)

    stored = _stored(ed1, session["id"])
    assert stored["description"] == "ed2's text" and stored["date_time"].startswith("2024-02-02")
    assert "sessions.form" not in at.session_state


def test_both_changed_one_field_the_editor_chooses(make_user):
    ed1, ed2 = make_user("editor"), make_user("editor")
    session = _session(ed1, description="as opened", tags=["t"])
    at, prefix = _open_edit(ed1, session)
    ed2.api.save_model("session", id=session["id"], data={"description": "ed2's text"})
    at.text_area(key=f"{prefix}.description").input("ed1's text")

    _save(at)
    assert _stored(ed1, session["id"])["description"] == "ed2's text"
    choice = at.radio(key=f"{prefix}.conflict.choice.description")
    assert choice.value is None  # a clash: no default, the editor must decide
    page = texts(at)
    assert "ed1's text" in page and "ed2's text" in page and "changed by both of you" in page

    _save(at)  # without a choice: asked again, nothing written
    assert any("Choose yours or theirs for: description" in e for e in values(at.error))
    assert _stored(ed1, session["id"])["description"] == "ed2's text"

    at.radio(key=f"{prefix}.conflict.choice.description").set_value("mine").run()
    _save(at)
    assert _stored(ed1, session["id"])["description"] == "ed1's text"
    assert "sessions.form" not in at.session_state


def test_keep_theirs_for_all_then_a_third_save_meanwhile_is_caught_again(make_user):
    ed1, ed2 = make_user("editor"), make_user("editor")
    session = _session(ed1, description="as opened", name_used_in_storage="s0")
    at, prefix = _open_edit(ed1, session)
    ed2.api.save_model("session", id=session["id"], data={"description": "ed2's text"})
    at.text_area(key=f"{prefix}.description").input("ed1's text")
    at.text_input(key=f"{prefix}.name_used_in_storage").input("s1")
    _save(at)
    at.button(key=f"{prefix}.conflict.all_theirs").click().run()
    assert at.radio(key=f"{prefix}.conflict.choice.description").value == "theirs"
    ed2.api.save_model("session", id=session["id"], data={"name_used_in_storage": "s2"})  # again

    _save(at)

    stored = _stored(ed1, session["id"])
    assert (stored["description"], stored["name_used_in_storage"]) == ("ed2's text", "s2")
    assert at.radio(key=f"{prefix}.conflict.choice.name_used_in_storage").value is None
    assert "description" not in [r.key.rsplit(".", 1)[-1] for r in at.radio]  # decided before
    at.button(key=f"{prefix}.conflict.all_mine").click().run()
    _save(at)
    stored = _stored(ed1, session["id"])
    assert (stored["description"], stored["name_used_in_storage"]) == ("ed2's text", "s1")


def test_an_edit_without_a_concurrent_change_saves_only_the_changed_field(make_user):
    ed1 = make_user("editor")
    session = _session(ed1, description="as opened", tags=["keep"])
    at, prefix = _open_edit(ed1, session)
    at.text_area(key=f"{prefix}.description").input("new")
    _save(at)
    stored = _stored(ed1, session["id"])
    assert (stored["description"], stored["tags"]) == ("new", ["keep"])
    assert not at.warning and "sessions.form" not in at.session_state


# ---------------------------------------------------------------- actions


def _action(user, **fields) -> dict:
    subject = user.api.list_all("subject")[0]["id"]
    body = {"type": "VirusInjection", "subject": subject, "description": "as opened",
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "date_time": "2024-05-01T10:30:00",
            "details": {"injectionVolume": 200.0}, "coordinates_details": {"apCoordinate": -2.0},
            **fields}  # fmt: skip
    return user.api.save_model("action", data=body)["action"]


def test_actions_page_later_save_keeps_the_other_editors_change_and_shows_it(make_user):
    ed1, ed2 = make_user("editor"), make_user("editor")
    action = _action(ed1)
    at = logged_in(ed1, "pages/actions.py", action=action["id"])
    at.button(key="actions.edit").click().run()
    form = at.session_state["actions.form"]["key"]
    ed2.api.save_model("action", id=action["id"], data={"description": "ed2's note"})
    at.text_area(key=f"{form}.description").input("ed1's note")

    at.button(key=f"{form}.save").click().run()

    assert not at.exception
    stored = ed1.api.load_model("action", id=action["id"])["action"]
    assert stored["description"] == "ed2's note"
    assert any("Someone else saved this record" in w for w in values(at.warning))
    assert at.radio(key=f"{form}.conflict.choice.description").value is None
    at.button(key=f"{form}.conflict.all_mine").click().run()
    at.button(key=f"{form}.save").click().run()
    assert ed1.api.load_model("action", id=action["id"])["action"]["description"] == "ed1's note"
    assert "actions.form" not in at.session_state


def test_surgery_day_edit_keeps_the_other_editors_change(make_user, monkeypatch):
    """The Surgery day on an action-only backend (issue 14 rebuilt it: its own step form, keyed
    ``surgery.entry``); an edit still shows the other editor's change instead of overwriting it."""
    monkeypatch.setenv("STEMGUI_SURGERY_MODEL", "action")
    ed1, ed2 = make_user("editor"), make_user("editor")
    action = _action(ed1, date_time=f"{date.today().isoformat()}T09:00:00")
    at = logged_in(ed1, "pages/surgery_day.py")
    at.selectbox(key="actions.day.subject").set_value(action["subject"]).run()
    at.button(key=f"actions.day.edit.{action['id']}").click().run()
    entry = at.session_state["surgery.entry"]["key"]
    ed2.api.save_model("action", id=action["id"], data={"description": "ed2's note"})
    volume = next(n.key for n in at.number_input if n.key.endswith("injectionVolume"))
    at.number_input(key=volume).set_value(150.0)

    at.button(key=f"{entry}.save").click().run()

    assert not at.exception
    stored = ed1.api.load_model("action", id=action["id"])["action"]
    assert stored["description"] == "ed2's note" and stored["details"]["injectionVolume"] == 200.0
    assert at.radio(key=f"{entry}.conflict.choice.description").value == "theirs"
    at.button(key=f"{entry}.save").click().run()
    stored = ed1.api.load_model("action", id=action["id"])["action"]
    assert stored["description"] == "ed2's note" and stored["details"]["injectionVolume"] == 150.0


# ---------------------------------------------------------------- a backend without versions


@pytest.fixture
def versionless(monkeypatch, make_user, bundled, gui_env):
    """(ed1, ed2): ed1's app talks to the bundled server through a proxy that drops ETags and
    preconditions both ways — a backend like BrainSTEM, which keeps no versions."""
    ed1, ed2 = make_user("editor"), make_user("editor")
    with FaultProxy(bundled.url, versionless=True) as proxy:
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(ed1.username, bundled.token_for(ed1.username, ed1.role))
        yield ed1, ed2


def test_without_versions_a_reread_before_the_write_catches_the_other_change(versionless):
    ed1, ed2 = versionless
    session = _session(ed1, description="as opened", date_time="2024-01-01")
    at, prefix = _open_edit(ed1, session)
    assert at.session_state[f"{prefix}.opened"]["etag"] is None  # the backend sent no version
    ed2.api.save_model("session", id=session["id"], data={"description": "ed2's text"})
    at.date_input(key=f"{prefix}.date_time").set_value(date(2024, 2, 2))

    _save(at)

    stored = _stored(ed1, session["id"])
    assert stored["description"] == "ed2's text" and stored["date_time"].startswith("2024-01-01")
    assert at.radio(key=f"{prefix}.conflict.choice.description").value == "theirs"
    _save(at)
    stored = _stored(ed1, session["id"])
    assert stored["description"] == "ed2's text" and stored["date_time"].startswith("2024-02-02")


def test_without_versions_an_edit_nobody_else_touched_saves_at_once(versionless):
    ed1, _ = versionless
    session = _session(ed1, description="as opened")
    at, prefix = _open_edit(ed1, session)
    at.text_area(key=f"{prefix}.description").input("new")
    _save(at)
    assert _stored(ed1, session["id"])["description"] == "new" and not at.warning


def test_an_edit_while_the_backend_does_not_answer_is_queued_with_only_the_changes(
    monkeypatch, make_user, bundled, gui_env
):
    """Edit pressed and saved while every request gets 503: the form opens on the record shown,
    and the outbox keeps only the field the user changed (it cannot revert anyone else's)."""
    ed1 = make_user("editor")
    session = _session(ed1, description="as opened", tags=["t"])
    with FaultProxy(bundled.url) as proxy:
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(ed1.username, bundled.token_for(ed1.username, ed1.role))
        at = logged_in(ed1, session=session["id"])
        proxy.fail_next(10_000)
        at.button(key="sessions.edit").click().run()
        prefix = form_prefix(at)
        assert at.session_state[f"{prefix}.opened"]["etag"] is None
        at.text_area(key=f"{prefix}.description").input("typed offline")
        _save(at)
        entries = Outbox(gui_env, ed1.username).entries()
    assert [(e.operation, e.record_id, e.payload) for e in entries] == [
        ("update", session["id"], {"description": "typed offline"})
    ]
