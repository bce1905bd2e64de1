"""The Sessions page through AppTest against the bundled server: list, filters, create, edit,
duplicate, delete, a rejected duplicate name, deep links, viewers, HTML shown as text."""

from __future__ import annotations

import itertools
import os
from datetime import date

import pandas as pd
import pytest

from stemgui.errors import NotFound, PermissionDenied, ValidationFailed
from stemgui.gui.loaders import newest_first
from tests.gui.apptest import form_prefix, logged_in, new_app, texts, values

_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_names)}"


def project_ids(user) -> dict[str, str]:
    """Project name -> id as the user sees them."""
    return {p["name"]: p["id"] for p in user.api.list_all("project")}


def make_session(user, **fields) -> dict:
    body = {"name": unique("api"), "projects": list(project_ids(user).values())[:1], **fields}
    return user.api.save_model("session", data=body)["session"]


def shown(at) -> pd.DataFrame:
    return at.dataframe[0].value


def flat(node) -> list:
    """The page's elements in display order (blocks opened)."""
    children = getattr(node, "children", None)
    if not children:
        return [node]
    return [leaf for key in sorted(children) for leaf in flat(children[key])]


def table_key(at) -> str:
    return at.session_state["sessions.table.key"]


def open_new_form(at):
    at.button(key="sessions.new").click().run()
    return form_prefix(at)


def fill(at, prefix: str, *, name: str, projects: list[str], description: str = "", day: date | None = None,
         extra: list[dict] | None = None, links: list[dict] | None = None) -> None:  # fmt: skip
    at.text_input(key=f"{prefix}.name").input(name)
    at.multiselect(key=f"{prefix}.projects").set_value(projects)
    at.text_area(key=f"{prefix}.description").input(description)
    if day:
        at.date_input(key=f"{prefix}.date_time").set_value(day)
    if extra is not None:  # what the data editor holds (AppTest cannot type into it)
        at.session_state[f"{prefix}.extra.seed"] = pd.DataFrame(
            extra, columns=["key", "value"], dtype="object"
        )
    if links is not None:
        at.session_state[f"{prefix}.links.seed"] = pd.DataFrame(
            links, columns=["Repository", "URL"], dtype="object"
        )


def save(at):
    at.button(key=f"{form_prefix(at)}.save").click()
    return at.run()


# ---------------------------------------------------------------- list and filters


def test_list_shows_every_visible_session_with_project_names(make_user):
    user = make_user("viewer")
    at = logged_in(user)
    assert not at.exception
    expected = user.api.list_all("session")
    frame = shown(at)
    assert len(frame) == len(expected) >= 20
    assert set(frame["name"]) == {s["name"] for s in expected}
    names = set(project_ids(user))
    for cell in frame["projects"]:
        assert set(cell.split(", ")) <= names
    assert f"{len(expected):,} sessions shown" in texts(at)
    csv = at.get("download_button")[0]
    assert csv.label == "Download CSV"


def _matches(session: dict, key: str, value) -> bool:
    if key == "text":
        return (
            value.lower() in session["name"].lower()
            or value.lower() in (session.get("description") or "").lower()
        )
    if key == "projects":
        return bool(set(value) & set(session["projects"]))
    if key == "tags":
        return bool(set(value) & set(session.get("tags") or []))
    day = (session.get("date_time") or "")[:10]
    return bool(day) and value[0].isoformat() <= day <= value[1].isoformat()


@pytest.mark.parametrize("kind", ["text", "text-description", "one project", "two projects", "dates", "tags"])
def test_each_filter_shows_exactly_the_matching_sessions(make_user, kind):
    user = make_user("editor")
    own = user.api.save_model("project", data={"name": unique("own project")})["project"]
    make_session(user, projects=[own["id"]], description="in my own project")
    everything = user.api.list_all("session")
    at = logged_in(user)
    projects = project_ids(user)
    dated = sorted(s["date_time"][:10] for s in everything if s.get("date_time"))
    if kind == "text":
        key, value = "text", "LINEAR"
        at.text_input(key="sessions.f.text").input(value).run()
    elif kind == "text-description":
        key, value = "text", everything[0]["description"].split()[0]
        at.text_input(key="sessions.f.text").input(value).run()
    elif kind == "one project":
        key, value = "projects", [next(iter(projects.values()))]
        at.multiselect(key="sessions.f.projects").set_value(value).run()
    elif kind == "two projects":
        key, value = "projects", [next(iter(projects.values())), own["id"]]
        at.multiselect(key="sessions.f.projects").set_value(value).run()
    elif kind == "dates":
        key, value = "dates", (date.fromisoformat(dated[3]), date.fromisoformat(dated[-4]))
        at.date_input(key="sessions.f.from").set_value(value[0])
        at.date_input(key="sessions.f.to").set_value(value[1]).run()
    else:
        key, value = "tags", [sorted({t for s in everything for t in s.get("tags") or []})[0]]
        at.multiselect(key="sessions.f.tags").set_value(value).run()
    assert not at.exception
    expected = {s["name"] for s in everything if _matches(s, key, value)}
    assert 0 < len(expected) < len(everything)
    assert set(shown(at)["name"]) == expected
    assert len(shown(at)) == len(expected)


# ---------------------------------------------------------------- create / reject / edit / duplicate / delete


def test_create_session_through_the_form(make_user):
    user = make_user("editor")
    at = logged_in(user)
    prefix = open_new_form(at)
    project = next(iter(project_ids(user).values()))
    name = unique("created")
    extra = [{"key": "depth_um", "value": "1200"}, {"key": "rig", "value": "B2"}, {"key": None, "value": ""}]
    links = [{"Repository": "GitHub", "URL": "https://github.com/x/y"}]
    fill(at, prefix, name=name, projects=[project], description="made in a test", day=date(2024, 6, 1),
         extra=extra, links=links)  # fmt: skip
    save(at)
    assert not at.exception and not at.error
    stored = [s for s in user.api.list_all("session", filters={"name": name})]
    assert len(stored) == 1
    record = stored[0]
    assert record["extra_fields"] == {"depth_um": 1200, "rig": "B2"}
    assert record["download_links"] == [{"Repository": "GitHub", "URL": "https://github.com/x/y"}]
    assert record["date_time"][:10] == "2024-06-01" and record["projects"] == [project]
    assert at.query_params["session"] == record["id"]  # the new record is selected
    assert name in shown(at)["name"].tolist()  # the list was refreshed
    assert any(name in t for t in values(at.toast))
    assert name in [t.value for t in at.text]  # the detail panel shows it
    assert "sessions.form" not in at.session_state


def test_duplicate_name_is_rejected_at_the_name_field_and_keeps_everything_typed(make_user):
    user = make_user("editor")
    taken = make_session(user)["name"]
    at = logged_in(user)
    prefix = open_new_form(at)
    project = next(iter(project_ids(user).values()))
    fill(at, prefix, name=taken, projects=[project], description="keep me", day=date(2024, 2, 3),
         extra=[{"key": "n", "value": "5"}])  # fmt: skip
    save(at)
    assert not at.exception
    elements = flat(at.main)
    name_at = next(i for i, e in enumerate(elements) if getattr(e, "key", None) == f"{prefix}.name")
    assert elements[name_at + 1].type == "alert" or type(elements[name_at + 1]).__name__ == "Error"
    message = elements[name_at + 1].value
    assert "name" in message.lower() or "exist" in message.lower()
    assert at.text_input(key=f"{prefix}.name").value == taken
    assert at.text_area(key=f"{prefix}.description").value == "keep me"
    assert at.multiselect(key=f"{prefix}.projects").value == [project]
    assert at.date_input(key=f"{prefix}.date_time").value == date(2024, 2, 3)
    assert at.session_state[f"{prefix}.extra.seed"]["value"].tolist() == ["5"]
    assert len(user.api.list_all("session", filters={"name": taken})) == 1


@pytest.mark.parametrize(("field", "typed", "message"), [
    ("name", "", "Give the session a name."),
    ("projects", [], "Choose at least one project."),
])  # fmt: skip
def test_form_checks_required_fields_before_sending(make_user, field, typed, message):
    user = make_user("editor")
    at = logged_in(user)
    prefix = open_new_form(at)
    fill(at, prefix, name="x", projects=[next(iter(project_ids(user).values()))])
    if field == "name":
        at.text_input(key=f"{prefix}.name").input(typed)
    else:
        at.multiselect(key=f"{prefix}.projects").set_value(typed)
    save(at)
    assert message in values(at.error)


def test_bad_extra_field_key_is_flagged_as_typed_and_blocks_saving(make_user):
    user = make_user("editor")
    at = logged_in(user)
    prefix = open_new_form(at)
    name = unique("badkey")
    fill(
        at,
        prefix,
        name=name,
        projects=[next(iter(project_ids(user).values()))],
        extra=[{"key": "9lives", "value": "1"}],
    )
    at.run()
    assert any("9lives" in w for w in values(at.warning))  # before any save
    save(at)
    assert any("9lives" in e for e in values(at.error))
    assert user.api.list_all("session", filters={"name": name}) == []


def test_edit_changes_the_record(make_user):
    user = make_user("editor")
    session = make_session(user, description="before", extra_fields={"k": 1})
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.edit").click().run()
    prefix = form_prefix(at)
    assert at.text_input(key=f"{prefix}.name").value == session["name"]
    at.text_area(key=f"{prefix}.description").input("after")
    save(at)
    assert not at.error
    stored = user.api.load_model("session", id=session["id"])["session"]
    assert stored["description"] == "after" and stored["extra_fields"] == {"k": 1}
    assert "after" in [t.value for t in at.text]


def test_duplicate_prefills_a_new_record_with_the_name_marked(make_user):
    user = make_user("editor")
    session = make_session(user, tags=["dup"], extra_fields={"gain": 2.5})
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.duplicate").click().run()
    prefix = form_prefix(at)
    assert at.text_input(key=f"{prefix}.name").value == session["name"] + " (copy)"
    assert any("Change the name" in i for i in values(at.info))
    save(at)
    copies = user.api.list_all("session", filters={"name": session["name"] + " (copy)"})
    assert len(copies) == 1
    assert copies[0]["id"] != session["id"]
    assert (copies[0]["projects"], copies[0]["tags"], copies[0]["extra_fields"]) == (
        session["projects"], ["dup"], {"gain": 2.5})  # fmt: skip


def test_delete_asks_naming_the_record_and_deletes_only_on_yes(make_user):
    user = make_user("editor")
    session = make_session(user, date_time="2024-05-01")
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.delete").click().run()
    assert f"Delete the session “{session['name']}” of 2024-05-01?" in texts(at)
    at.button(key="sessions.delete.no").click().run()
    assert user.api.load_model("session", id=session["id"])["session"]["name"] == session["name"]
    at.button(key="sessions.delete").click().run()
    at.button(key="sessions.delete.yes").click().run()
    assert not at.exception
    with pytest.raises(NotFound):
        user.api.load_model("session", id=session["id"])
    assert session["name"] not in shown(at)["name"].tolist()
    assert "session" not in at.query_params


def test_a_delete_stops_when_someone_changed_the_record_after_the_prompt(make_user):
    """The delete prompt names the record as it was; a colleague's save in between is not
    deleted unseen: nothing is deleted and the page says why (the server's If-Match check)."""
    user = make_user("editor")
    session = make_session(user, date_time="2024-05-01")
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.delete").click().run()
    user.api.save_model("session", id=session["id"], data={"description": "a colleague's new result"})
    at.button(key="sessions.delete.yes").click().run()
    assert not at.exception
    assert any("after you asked to delete it: nothing was deleted" in e for e in values(at.error))
    stored = user.api.load_model("session", id=session["id"])["session"]
    assert stored["description"] == "a colleague's new result"
    at.button(key="sessions.delete").click().run()  # asked again, about the record as it is now
    at.button(key="sessions.delete.no").click().run()  # kept; then a colleague saves once more
    user.api.save_model("session", id=session["id"], data={"description": "seen before the next ask"})
    at.button(key="sessions.delete").click().run()  # a new prompt reads the version afresh
    at.button(key="sessions.delete.yes").click().run()
    with pytest.raises(NotFound):
        user.api.load_model("session", id=session["id"])


# ---------------------------------------------------------------- selection, deep links, viewers, HTML


def test_selecting_a_row_opens_it_and_puts_it_in_the_url(make_user):
    user = make_user("viewer")
    at = logged_in(user)
    frame = shown(at)
    at.session_state[table_key(at)] = {"selection": {"rows": [2], "columns": [], "cells": []}}
    at.run()
    assert at.query_params["session"] == frame.index[2]
    assert frame["name"].iloc[2] in [t.value for t in at.text]


def test_a_row_opened_by_link_closes_and_opens_again_from_its_marker(make_user):
    """The marker of the row a link opened: unchecked it closes the record, checked again it
    opens it (issue 17: the grid's selection default stays the one of its first drawing, so a
    pick is told from the selection last seen, not from that default)."""
    user = make_user("viewer")
    session_id = shown(logged_in(user)).index[1]
    at = logged_in(user, session=session_id)  # a link followed: a new browser session
    assert at.query_params.get("session") == session_id
    key = table_key(at)
    for rows, opened in (([], None), ([1], session_id), ([], None), ([1], session_id)):
        at.session_state[key] = {"selection": {"rows": rows, "columns": [], "cells": []}}
        at.run()
        assert not at.exception
        assert at.query_params.get("session") == opened, rows


def test_deep_link_opens_the_session(make_user):
    user = make_user("viewer")
    session = make_session(make_user("editor"), description="deep")  # another member's record
    at = logged_in(user, session=session["id"])
    assert session["name"] in [t.value for t in at.text]
    assert "deep" in [t.value for t in at.text]


def test_the_detail_shows_extra_fields_and_download_links_as_plain_text(make_user):
    """Issue 17: one plain text each (a data grid apiece made opening a session slow);
    user text stays text (no Markdown, no link made of it)."""
    user = make_user("viewer")
    session = make_session(
        make_user("editor"),
        extra_fields={"rig": "R1", "trials": 12, "note": "**bold** [x](javascript:alert(1))"},
        download_links=[{"Repository": "DANDI", "URL": "https://dandiarchive.org/dandiset/000001"}],
    )
    at = logged_in(user, session=session["id"])
    shown_texts = [t.value for t in at.text]
    extra = next(t for t in shown_texts if t.startswith("rig"))
    assert extra.splitlines() == ["rig: R1", "trials: 12", "note: **bold** [x](javascript:alert(1))"]
    assert "DANDI: https://dandiarchive.org/dandiset/000001" in shown_texts
    assert not [m for m in at.markdown if "javascript" in m.value]


def test_deep_link_survives_the_login_page(make_user):
    user = make_user("viewer")
    session = make_session(make_user("editor"))
    at = new_app()
    at.query_params["session"] = session["id"]
    at.run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(user.password)
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Sessions"]
    assert session["name"] in [t.value for t in at.text]


def test_deep_link_to_a_missing_record_says_so(make_user):
    at = logged_in(make_user("viewer"), session="00000000-0000-0000-0000-000000000000")
    assert not at.exception
    assert "does not exist" in texts(at)


def test_viewer_cannot_write(make_user):
    viewer = make_user("viewer")
    session = make_session(make_user("editor"))
    at = logged_in(viewer, session=session["id"])
    keys = {b.key for b in at.button}
    assert not keys & {"sessions.new", "sessions.edit", "sessions.duplicate", "sessions.delete"}
    at.session_state["sessions.form"] = {"mode": "create", "id": None, "nonce": 99}  # a forged open form
    at.run()
    assert not at.exception and not any(b.key and b.key.endswith(".save") for b in at.button)
    name = unique("nope")
    with pytest.raises((PermissionDenied, ValidationFailed)):  # the API refuses too: no can_change
        viewer.api.save_model("session", data={"name": name, "projects": session["projects"]})
    assert viewer.api.list_all("session", filters={"name": name}) == []


def test_html_in_records_is_shown_as_text(make_user):
    user = make_user("editor")
    html = '<img src=x onerror="alert(1)"><b>bold</b>'
    session = make_session(
        user, name=unique("<script>alert(1)</script>"), description=html, tags=["<i>t</i>"]
    )
    at = logged_in(user, session=session["id"])
    assert not at.exception
    assert session["name"] in [t.value for t in at.text] and html in [t.value for t in at.text]
    for element in at.markdown:
        assert not element.proto.allow_html
        assert "<b>" not in element.value and "<script>" not in element.value


def test_big_lists_show_the_newest_rows_until_asked_for_all(make_user, monkeypatch):
    monkeypatch.setattr("stemgui.gui.loaders.ROW_LIMIT", 5)
    user = make_user("viewer")
    everything = user.api.list_all("session")
    at = logged_in(user)
    newest = newest_first(everything)[:5]  # the server's order: date descending, then name
    assert set(shown(at)["name"]) == {s["name"] for s in newest}
    assert f"Showing the 5 newest of {len(everything):,} matching sessions" in texts(at)
    at.toggle(key="sessions.show_all").set_value(True).run()
    assert len(shown(at)) == len(everything)
    assert f"All {len(everything):,} matching sessions shown" in texts(at)
    at.toggle(key="sessions.show_all").set_value(False).run()  # issue 10 item 6: and back again
    assert set(shown(at)["name"]) == {s["name"] for s in newest}
