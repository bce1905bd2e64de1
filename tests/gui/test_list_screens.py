"""Issue 10: the Sessions and Actions list screens — filters that stay what their boxes say,
"Show all" as a toggle, counts, dates, empty related records, the new-session date.

AppTest against the bundled server. Where the browser's view matters (item 1), the tests read
what the widget message tells the browser to show when a box comes back after being hidden:
its ``set_value``/``value`` if the server sends one, otherwise its default (the browser has
forgotten the box). The browser tests in ``test_list_screens_browser.py`` check the same by eye.
"""

from __future__ import annotations

from tests.gui.apptest import form_prefix, logged_in, texts
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
