"""Issue 15 (GUI): the History tab every record screen of the kit gets, Undo of the user's own
edits and deletes, and the Recently deleted page — AppTest against the real bundled server."""

from __future__ import annotations

import itertools
import os

import pytest

from stemgui.auth import UserStore
from tests.client.test_history import NoHistoryBackend
from tests.faults import FaultProxy
from tests.gui.apptest import form_prefix, logged_in, texts, values

_names = itertools.count(1)


def _name(stem: str) -> str:
    return f"{stem} {os.getpid()}-{next(_names)}"


def _session(user, **fields) -> dict:
    project = user.api.list_all("project")[0]["id"]
    body = {"name": _name("hist"), "projects": [project], **fields}
    return user.api.save_model("session", data=body)["session"]


def _stored(user, session_id: str) -> dict:
    return user.api.load_model("session", id=session_id)["session"]


def _page(at) -> str:
    """The page's text without markdown's bold markers."""
    return texts(at).replace("**", "")


def _open_history(at, prefix: str = "sessions"):
    """Open the detail's History tab (only the open tab is drawn, issue 17)."""
    at.session_state[f"{prefix}.detail.tab"] = "History"
    return at.run()


def _edit_description(at, text: str):
    at.button(key="sessions.edit").click().run()
    prefix = form_prefix(at)
    at.text_area(key=f"{prefix}.description").input(text)
    at.button(key=f"{prefix}.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_history_tab_shows_the_edit_old_to_new_and_undo_writes_it_back(make_user):
    """Issue 15 GUI items 1 and 2: after an edit of a session's description, its History tab
    names who changed it and shows old → new ; the Undo shown right after
    the edit writes the old description back through the one write path."""
    editor = make_user("editor")
    session = _session(editor, description="first words")
    at = logged_in(editor, session=session["id"])
    assert [tab.label for tab in at.tabs] == ["Fields", "History"]
    assert "Created by" not in _page(at)  # the closed tab is not drawn
    assert f"Created by {editor.username}" in _page(_open_history(at))

    _edit_description(at, "second words")

    assert _stored(editor, session["id"])["description"] == "second words"
    page = _page(at)
    assert f"Changed by {editor.username}" in page
    assert "description: first words → second words" in page
    assert "Undo the edit of the session" in page

    at.button(key="stemgui.undo.latest").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert _stored(editor, session["id"])["description"] == "first words"
    assert "description: second words → first words" in _page(at)  # the undo is history too
    assert "stemgui.undo.latest" not in _keys(at)  # done: nothing left to undo


def test_undo_never_overwrites_a_later_change_by_someone_else(make_user):
    """Issue 15 GUI item 2: after my edit another editor changes the same field; my Undo then
    writes nothing and says which field changed again (theirs is kept)."""
    editor, other = make_user("editor"), make_user("editor")
    session = _session(editor, description="mine before")
    at = logged_in(editor, session=session["id"])
    _edit_description(at, "mine after")
    other.api.save_model("session", id=session["id"], data={"description": "theirs later"})

    at.button(key="stemgui.undo.latest").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert _stored(editor, session["id"])["description"] == "theirs later"
    assert any("Not undone: description changed again" in e for e in values(at.error)), values(at.error)


def test_a_long_history_shows_the_newest_50_then_more_with_projects_by_name(make_user):
    """Issue 15 GUI item 1: related ids read as the names the screen knows (projects), and a long
    history shows the 50 newest changes first, then all on "Show older changes"."""
    editor = make_user("editor")
    first, second = editor.api.list_all("project")[:2]
    session = _session(editor)
    editor.api.save_model("session", id=session["id"], data={"projects": [first["id"], second["id"]]})
    for number in range(50):
        editor.api.save_model("session", id=session["id"], data={"description": f"take {number}"})
    at = _open_history(logged_in(editor, session=session["id"]))
    page = _page(at)
    assert "The 50 newest of 52 changes shown." in page
    assert "take 48 → take 49" in page and "- projects: " not in page  # older than the 50 newest

    at.button(key=f"stemgui.history.session.{session['id']}.more").click().run()

    page = _page(at)
    line = next(line for line in page.splitlines() if line.startswith("- projects: "))
    old, new = line.removeprefix("- projects: ").split(" → ")
    assert old == first["name"] and sorted(new.split(", ")) == sorted([first["name"], second["name"]])
    assert "Created by" in page and "newest of" not in page


def _keys(at) -> set[str]:
    return {button.key for button in at.button}


def test_undo_of_a_delete_brings_the_action_back_with_its_id(make_user):
    """Issue 15 GUI item 2: delete an action on the Actions page, press Undo: it is back with the
    same id (restore, not a new record), and opening it shows the deletion and the restore."""
    editor = make_user("editor")
    subject = editor.api.list_all("subject")[0]["id"]
    action = editor.api.save_model("action", data={
        "type": "VirusInjection", "subject": subject, "description": "to undo",
        "coordinates_system": "Stereotaxic_BregmaAbsolute", "date_time": "2024-05-01T10:30:00",
        "details": {"injectionVolume": 200.0}, "coordinates_details": {"apCoordinate": -2.0},
    })["action"]  # fmt: skip
    at = logged_in(editor, "pages/actions.py", action=action["id"])
    at.button(key="actions.delete").click().run()
    at.button(key="actions.confirm_delete.yes").click().run()
    assert not editor.api.list_all("action", filters={"id": action["id"]})
    assert "Undo the deletion of the action" in _page(at)

    at.button(key="stemgui.undo.latest").click().run()

    assert not at.exception, [e.value for e in at.exception]
    assert editor.api.load_model("action", id=action["id"])["action"]["description"] == "to undo"
    operations = [row["operation"] for row in editor.api.history("action", action["id"])["history"]]
    assert operations == ["restore", "delete", "create"]
    assert "stemgui.undo.latest" not in _keys(at)  # done: nothing left to undo


def test_recently_deleted_restores_and_a_refused_restore_names_the_field(make_user):
    """Issue 15 GUI item 3: the page lists deleted sessions; Restore brings one back with its id;
    a restore the server refuses (its name was taken meanwhile) shows the message naming ``name``."""
    editor = make_user("editor")
    kept, taken = _session(editor), _session(editor)
    for session in (kept, taken):
        editor.api.delete_model("session", id=session["id"])
    _session(editor, name=taken["name"])  # the name is taken by then
    at = logged_in(editor, "pages/deleted.py")
    assert not at.exception, [e.value for e in at.exception]
    assert kept["name"] in _page(at) and taken["name"] in _page(at)

    at.button(key=f"stemgui.deleted.restore.{kept['id']}").click().run()
    assert _stored(editor, kept["id"])["name"] == kept["name"]
    assert kept["name"] not in _page(at)  # no longer deleted

    at.button(key=f"stemgui.deleted.restore.{taken['id']}").click().run()
    message = " ".join(values(at.error))
    assert f"“{taken['name']}” was not restored" in message and "name:" in message
    assert not editor.api.list_all("session", filters={"id": taken["id"]})


def test_recently_deleted_lists_every_kind_it_offers(make_user):
    """Issue 15 GUI item 3: each kind the page offers is one the backend keeps history of (its
    list loads, no warning)."""
    from stemgui.gui.history_views import DELETABLE

    at = logged_in(make_user("editor"), "pages/deleted.py")
    for model in DELETABLE:
        at.selectbox(key="stemgui.deleted.kind").set_value(model).run()
        assert not at.exception and not at.warning, (model, values(at.warning))
        assert "you may restore" in _page(at), model


def test_a_viewer_sees_history_but_cannot_undo_or_restore(make_user):
    """Issue 15 GUI: History is for everyone who may read the record; Undo and Recently deleted
    are for editors."""
    editor, viewer = make_user("editor"), make_user("viewer")
    session = _session(editor)
    at = logged_in(viewer, session=session["id"])
    assert [tab.label for tab in at.tabs] == ["Fields", "History"]
    assert f"Created by {editor.username}" in _page(_open_history(at))
    assert not {"sessions.edit", "stemgui.undo.latest"} & _keys(at)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page("pages/deleted.py")  # not offered to a viewer (the page checks the role too)


def test_a_user_of_another_lab_cannot_open_the_record_or_its_history(make_user):
    """Issue 15 GUI: a session in a project only its owner belongs to: a deep link by another
    editor shows no record and no History (the server refuses both)."""
    owner, stranger = make_user("editor"), make_user("editor")
    lab = {"name": _name("lab"), "description": "private"}
    project = owner.api.save_model("project", data=lab)["project"]
    secret = owner.api.save_model("session", data={"name": _name("secret"), "projects": [project["id"]],
                                                    "description": "not for you"})["session"]  # fmt: skip
    at = logged_in(stranger, session=secret["id"])
    assert not at.exception
    assert "does not exist (any more), or you cannot see it" in " ".join(values(at.warning))
    assert not at.tabs and "not for you" not in _page(at) and owner.username not in _page(at)


@pytest.fixture
def through(monkeypatch, make_user, bundled, gui_env):
    """``through(proxy_class)`` -> an editor whose app talks to the bundled server via that proxy."""
    proxies = []

    def make(proxy_class):
        editor = make_user("editor")
        proxy = proxy_class(bundled.url).__enter__()
        proxies.append(proxy)
        monkeypatch.setenv("STEMGUI_API_URL", proxy.url)
        UserStore(gui_env).set_api_token(editor.username, bundled.token_for(editor.username, editor.role))
        return editor, proxy

    yield make
    for proxy in proxies:
        proxy.__exit__(None, None, None)


def test_a_backend_without_history_says_so_in_the_tab(through):
    """Issue 15 GUI item 1: against a backend without the history endpoints (BrainSTEM) the
    History tab says it keeps none; the record's fields still show."""
    editor, _ = through(NoHistoryBackend)
    session = _session(editor, description="visible fields")
    at = logged_in(editor, session=session["id"])
    assert not at.exception, [e.value for e in at.exception]
    assert "visible fields" in _page(at)
    assert any("keeps no history of records" in i for i in values(_open_history(at).info))


def test_undo_while_the_backend_does_not_answer_says_it_needs_the_backend(through):
    """Issue 15 GUI item 2: a restore cannot wait in the outbox: Undo while the backend is down
    says so (nothing silently lost), and works once it answers."""
    editor, proxy = through(FaultProxy)
    session = _session(editor)
    at = logged_in(editor, session=session["id"])
    at.button(key="sessions.delete").click().run()
    at.button(key="sessions.delete.yes").click().run()
    proxy.fail_next(10_000)
    at.button(key="stemgui.undo.latest").click().run()
    assert any("needs the bundled server to answer" in e or "needs" in e and "answer" in e
               for e in values(at.error)), values(at.error)  # fmt: skip
    assert not editor.api.list_all("session", filters={"id": session["id"]})
    proxy.fail_next(0)
    at.button(key="stemgui.undo.latest").click().run()
    assert _stored(editor, session["id"])["id"] == session["id"]


def test_the_delete_question_says_whether_it_can_be_undone(make_user, through):
    """The delete question tells the truth about undoing: on a backend that keeps deleted
    records it says the delete can be undone (and the Undo is there after it); on one that keeps
    none (BrainSTEM) it says it cannot, and no Undo is offered that could only fail."""
    editor = make_user("editor")
    at = logged_in(editor, session=_session(editor)["id"])
    at.button(key="sessions.delete").click().run()
    assert any("You can undo it right after" in w for w in values(at.warning)), values(at.warning)
    at.button(key="sessions.delete.yes").click().run()
    assert "stemgui.undo.latest" in _keys(at)

    elsewhere, _ = through(NoHistoryBackend)
    session = _session(elsewhere)
    at = logged_in(elsewhere, session=session["id"])
    at.button(key="sessions.delete").click().run()
    assert any(w.endswith("This cannot be undone.") for w in values(at.warning)), values(at.warning)
    at.button(key="sessions.delete.yes").click().run()
    assert not at.exception and not elsewhere.api.list_all("session", filters={"id": session["id"]})
    assert "stemgui.undo.latest" not in _keys(at)

