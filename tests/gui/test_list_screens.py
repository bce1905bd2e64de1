"""Issue 10: the Sessions and Actions list screens — filters that stay what their boxes say,
"Show all" as a toggle, counts, dates, empty related records, the new-session date.

AppTest against the bundled server. Where the browser's view matters (item 1), the tests read
what the widget message tells the browser to show when a box comes back after being hidden:
its ``set_value``/``value`` if the server sends one, otherwise its default (the browser has
forgotten the box). The browser tests in ``test_list_screens_browser.py`` check the same by eye.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from stemgui import dates
from stemgui.action_table import Lookups, actions_frame
from stemgui.outbox import Outbox
from tests.gui.apptest import form_prefix, logged_in, texts, unescape
from tests.gui.test_sessions import (
    fill,
    make_session,
    open_new_form,
    project_ids,
    save,
    shown,
    table_key,
    unique,
)


def box_text(at, key: str) -> str:
    """What a text box shows in the browser right after it comes back on screen."""
    proto = at.text_input(key=key).proto
    return proto.value if proto.set_value else proto.default


def box_choices(at, key: str) -> list[str]:
    """What a multiselect shows (as option texts) in the browser right after it comes back."""
    proto = at.multiselect(key=key).proto
    return list(proto.raw_values) if proto.set_value else [proto.options[i] for i in proto.default]


def count_line(at) -> str:
    return next(line for line in texts(at).splitlines() if " shown" in line or "Showing" in line)


def test_text_filter_stays_applied_and_visible_after_new_session_cancel(make_user):
    """Issue 10 item 1: "sleep", New session, Cancel — the box says "sleep" and the table agrees."""
    user = make_user("editor")
    at = logged_in(user)
    at.text_input(key="sessions.f.text").input("sleep").run()
    filtered = set(shown(at)["name"])
    assert 0 < len(filtered) < len(user.api.list_all("session"))
    prefix = open_new_form(at)
    at.button(key=f"{prefix}.cancel").click().run()
    assert not at.exception
    assert box_text(at, "sessions.f.text") == "sleep"  # the browser is told to show it again
    assert set(shown(at)["name"]) == filtered


def test_project_filter_stays_after_save_and_shows_the_new_session(make_user):
    """Issue 10 item 1: a project filter, New session, Save — box and table still agree."""
    user = make_user("editor")
    projects = project_ids(user)
    name_of = {pid: pname for pname, pid in projects.items()}
    project = next(iter(projects.values()))
    at = logged_in(user)
    at.multiselect(key="sessions.f.projects").set_value([project]).run()
    prefix = open_new_form(at)
    name = unique("saved under a filter")
    fill(at, prefix, name=name, projects=[project])
    save(at)
    assert not at.exception and not at.error
    assert box_choices(at, "sessions.f.projects") == [name_of[project]]
    expected = {s["name"] for s in user.api.list_all("session", filters={"projects.id": project})}
    assert set(shown(at)["name"]) == expected and name in expected


def test_tag_filter_stays_after_duplicate_and_save_and_lists_the_copy(make_user):
    """Issue 10 item 1: a tag filter, Duplicate, Save — the copy is listed under the visible filter."""
    user = make_user("editor")
    tag = unique("tag").replace(" ", "-")
    original = make_session(user, tags=[tag])
    at = logged_in(user)
    at.multiselect(key="sessions.f.tags").set_value([tag]).run()
    at.session_state[table_key(at)] = {"selection": {"rows": [0], "columns": [], "cells": []}}
    at.run()
    at.button(key="sessions.duplicate").click().run()
    copy_name = unique("copy")
    at.text_input(key=f"{form_prefix(at)}.name").input(copy_name)
    save(at)
    assert not at.exception and not at.error
    assert box_choices(at, "sessions.f.tags") == [tag]
    assert set(shown(at)["name"]) == {original["name"], copy_name}


def test_filters_survive_switching_pages_and_back(make_user):
    """Issue 10 item 1: Sessions and Actions filters are still set (and shown) after a visit elsewhere."""
    user = make_user("viewer")
    at = logged_in(user)
    at.text_input(key="sessions.f.text").input("sleep").run()
    filtered = set(shown(at)["name"])
    at.switch_page("pages/actions.py").run()
    at.text_input(key="actions.f.text").input("left").run()
    actions_filtered = len(at.dataframe[0].value)
    at.switch_page("pages/sessions.py").run()
    assert box_text(at, "sessions.f.text") == "sleep"
    assert set(shown(at)["name"]) == filtered
    at.switch_page("pages/actions.py").run()
    assert not at.exception
    assert box_text(at, "actions.f.text") == "left"
    assert len(at.dataframe[0].value) == actions_filtered


# ---------------------------------------------------------------- items 6, 8, 10, 15, 17, 19


def test_new_action_replaces_the_list_with_the_form(make_user):
    """Issue 10 item 8: "New action" shows the form instead of the table (as Sessions does)."""
    user = make_user("editor")
    at = logged_in(user, "pages/actions.py")
    assert len(at.dataframe) == 1
    at.button(key="actions.new").click().run()
    assert not at.exception
    assert "New action" in [h.value for h in at.subheader]
    assert len(at.dataframe) == 0 and not [b for b in at.button if b.key == "actions.new"]
    at.button(key=f"{at.session_state['actions.form']['key']}.cancel").click().run()
    assert len(at.dataframe) == 1


def test_one_action_is_counted_in_the_singular(make_user):
    """Issue 10 item 10: "1 action shown", not "1 actions shown"."""
    user = make_user("editor")
    description = unique("only-one")
    body = {"type": "VirusInjection", "subject": user.api.list_all("subject")[0]["id"],
            "description": description, "coordinates_system": "Stereotaxic_BregmaAbsolute"}  # fmt: skip
    user.api.save_model("action", data=body)
    at = logged_in(user, "pages/actions.py")
    at.text_input(key="actions.f.text").input(description).run()
    assert "1 action shown" in texts(at).splitlines()


def test_delete_confirmation_makes_keeping_the_default_and_deleting_red(make_user):
    """Issue 10 item 15: "Yes, delete" is not the primary button; "Keep it" is."""
    user = make_user("editor")
    session = make_session(user)
    at = logged_in(user, session=session["id"])
    at.button(key="sessions.delete").click().run()
    yes, keep = at.button(key="sessions.delete.yes"), at.button(key="sessions.delete.no")
    assert yes.proto.type != "primary" and keep.proto.type == "primary"
    assert yes.label == ":red[Yes, delete]"
    keep.click().run()
    assert user.api.load_model("session", id=session["id"])


def test_new_session_date_defaults_to_today(make_user):
    """Issue 10 item 19: a new session's date starts as today (the browser's day; UTC in AppTest)."""
    user = make_user("editor")
    at = logged_in(user)
    prefix = open_new_form(at)
    assert at.date_input(key=f"{prefix}.date_time").value == datetime.now(UTC).date()


def test_show_all_is_a_toggle_that_goes_back_to_the_newest(make_user, monkeypatch):
    """Issue 10 item 6: "Show all" can be switched off again, also after visiting another page."""
    monkeypatch.setattr("stemgui.gui.loaders.ROW_LIMIT", 3)
    user = make_user("viewer")
    at = logged_in(user)
    assert len(shown(at)) == 3
    at.toggle(key="sessions.show_all").set_value(True).run()
    assert len(shown(at)) == len(user.api.list_all("session"))
    at.switch_page("pages/actions.py").run()
    at.switch_page("pages/sessions.py").run()
    assert at.toggle(key="sessions.show_all").value is True  # still there to switch off
    at.toggle(key="sessions.show_all").set_value(False).run()
    assert len(shown(at)) == 3


def test_actions_table_has_empty_cells_for_missing_records_and_local_times():
    """Issue 10 items 13 and 17: no grey "None" for an unset region/consumable/device; times
    with an offset are shown in the browser's zone, times without one as entered."""
    lookups = Lookups(subjects={"s": "Rat 1"})
    actions = [
        {"id": "a", "type": "VirusInjection", "subject": "s", "date_time": "2026-11-27T21:14:16+00:00",
         "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {}},
        {"id": "b", "type": "VirusInjection", "subject": "s", "date_time": "2026-11-20T09:05:00",
         "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {"injectionVolume": 5.0}},
    ]  # fmt: skip
    frame = actions_frame(actions, lookups, "VirusInjection", dates.zone("Europe/Paris"))
    for column in ("brain region", "consumable", "hardware device"):
        assert list(frame[column]) == ["", ""]
    # a column mixing names and unset records (pandas 3 makes it a string column) too
    mixed = actions_frame([*actions, {**actions[0], "id": "c", "brain_region": "r"}],
                          Lookups(subjects={"s": "Rat 1"}, regions={"r": "CA1 — Field CA1"}))
    assert sorted(mixed["brain region"]) == ["", "", "CA1 — Field CA1"]
    assert list(frame["when"]) == ["2026-11-27 22:14", "2026-11-20 09:05"]
    assert not frame.drop(columns=["Injection volume (nL)"]).isna().any().any()


# ---------------------------------------------------------------- items 12, 16


def sidebar_captions(at) -> list[str]:
    return [str(c.value) for c in at.sidebar.caption]


def test_sidebar_shows_the_bundled_server_as_text_not_a_dead_link(make_user, bundled):
    """Issue 10 item 12: the bundled server's API root is no page: show its address as code, no link."""
    at = logged_in(make_user("viewer"))
    line = next(c for c in sidebar_captions(at) if c.startswith("Backend:"))
    host = bundled.url.split("//", 1)[1].rstrip("/")
    assert line == f"Backend: the bundled server · `{host}`"  # a code span is never turned into a link


def test_messages_name_the_bundled_server(make_user, bundled):
    """Issue 10 item 16: on the bundled backend, messages say "the bundled server", not BrainSTEM."""
    user = make_user("editor")
    at = logged_in(user, "pages/outbox.py")
    assert "Nothing waiting — everything you saved has reached the bundled server." in texts(at)
    assert "BrainSTEM" not in texts(at)


def test_every_date_box_shows_iso_dates(make_user):
    """Issue 10 item 13: filters and the session form show YYYY-MM-DD (Streamlit's default is YYYY/MM/DD)."""
    user = make_user("editor")
    at = logged_in(user)
    formats = {d.key: d.proto.format for d in at.date_input}  # the filters
    open_new_form(at)
    formats |= {d.key: d.proto.format for d in at.date_input}  # the form
    at.switch_page("pages/actions.py").run()
    formats |= {d.key: d.proto.format for d in at.date_input}
    assert len(formats) == 5 and set(formats.values()) == {"YYYY-MM-DD"}, formats


def test_kept_filters_do_not_outlive_a_logout(make_user):
    """Issue 10 item 1: filters kept across pages are still forgotten on logout (the next user
    in this browser starts with empty boxes)."""
    first, second = make_user("viewer"), make_user("viewer")
    at = logged_in(first)
    at.text_input(key="sessions.f.text").input("sleep").run()
    at.button(key="stemgui.logout").click().run()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = second.username
    at.run()
    assert box_text(at, "sessions.f.text") == "" and at.text_input(key="sessions.f.text").value == ""
    assert len(shown(at)) == len(second.api.list_all("session"))


def test_outbox_shows_local_minutes_with_utc_on_hover_and_names_the_backend(make_user, gui_env):
    """Issue 10 items 13, 15, 16: an outbox entry says when it was saved as "YYYY-MM-DD HH:MM"
    (not raw UTC ISO), UTC in the tooltip; it names the bundled server; discarding is not primary."""
    user = make_user("editor")
    payload = {"name": unique("no project"), "projects": []}  # the server refuses: projects are required
    entry = Outbox(gui_env, user.username).add("session", "create", payload)
    at = logged_in(user, "pages/outbox.py")  # the first run sends it; the server refuses it
    saved = [c for c in at.caption if str(c.value).startswith("Saved locally")]
    assert len(saved) == 1, texts(at)
    line = unescape(str(saved[0].value))
    expected = r"Saved locally \d{4}-\d{2}-\d{2} \d{2}:\d{2} · refused by the bundled server — "
    assert re.match(expected, line), line
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", saved[0].proto.help), saved[0].proto.help
    at.button(key=f"outbox.discard.{entry}").click().run()
    assert at.button(key=f"outbox.discard.yes.{entry}").proto.type != "primary"
