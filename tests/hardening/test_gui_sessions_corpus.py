"""Hostile input through the Sessions page (AppTest, bundled backend): each case gets a message
at the field it is about, writes nothing, and no traceback or markup reaches the page."""

from __future__ import annotations

import itertools
import os

import pandas as pd
import pytest

from tests.gui.apptest import form_prefix, logged_in, values
from tests.hardening.gui_helpers import assert_safe_page

SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE session; --"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_names)}"


def my_project(user) -> str:
    return user.api.list_all("project")[0]["id"]


def count(user) -> int:
    return len(user.api.list_all("session"))


def open_form(at, user, name: str, **fields) -> str:
    at.button(key="sessions.new").click().run()
    prefix = form_prefix(at)
    at.text_input(key=f"{prefix}.name").input(name)
    at.multiselect(key=f"{prefix}.projects").set_value([my_project(user)])
    if "description" in fields:
        at.text_area(key=f"{prefix}.description").input(fields["description"])
    if "storage" in fields:
        at.text_input(key=f"{prefix}.name_used_in_storage").input(fields["storage"])
    for table, columns in (("extra", ["key", "value"]), ("links", ["Repository", "URL"])):
        if table in fields:
            at.session_state[f"{prefix}.{table}.seed"] = pd.DataFrame(
                fields[table], columns=columns, dtype="object"
            )
    return prefix


# field -> (form fields, the field whose message must show)
REFUSED = {
    "name-only-spaces": ({"name": "   "}, "name"),
    "extra-key-script": ({"extra": [{"key": SCRIPT, "value": "1"}]}, "extra_fields"),
    "extra-key-sql": ({"extra": [{"key": SQL, "value": "1"}]}, "extra_fields"),
    "extra-key-emoji": ({"extra": [{"key": "🧠", "value": "1"}]}, "extra_fields"),
    "extra-key-rtl": ({"extra": [{"key": "\u202eabc", "value": "1"}]}, "extra_fields"),
    "extra-key-twice": ({"extra": [{"key": "a", "value": "1"}, {"key": "a", "value": "2"}]}, "extra_fields"),
    "extra-value-no-key": ({"extra": [{"key": None, "value": SCRIPT}]}, "extra_fields"),
    "link-without-url": ({"links": [{"Repository": SCRIPT, "URL": None}]}, "download_links"),
}


@pytest.mark.parametrize("case_id", list(REFUSED))
def test_hostile_form_input_is_refused_at_its_field(make_user, case_id):
    fields, field = REFUSED[case_id]
    user = make_user("editor")
    at = logged_in(user)
    before = count(user)
    name = fields.pop("name", unique("hostile"))
    prefix = open_form(at, user, name, **fields)
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    errors = at.session_state[f"{prefix}.errors"]
    assert field in errors, errors
    shown = values(at.error)
    assert any(errors[field][:40] in message for message in shown), (errors, shown)
    assert at.text_input(key=f"{prefix}.name").value == name  # what was typed is still there
    assert count(user) == before


@pytest.mark.parametrize(("field", "limit", "typed"), [
    ("name", 100, "n" * 101),
    ("name", 100, "🐀" * 10_000),
    ("name_used_in_storage", 200, "s" * 201),
])  # fmt: skip
def test_overlong_text_is_capped_by_the_widget_and_never_saved(make_user, field, limit, typed):
    user = make_user("editor")
    at = logged_in(user)
    before = count(user)
    prefix = open_form(at, user, typed if field == "name" else unique("cap"))
    at.text_input(key=f"{prefix}.{field}").input(typed)
    assert at.text_input(key=f"{prefix}.{field}").proto.max_chars == limit  # the browser stops typing there
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    if field == "name":  # an impossible value is dropped by the widget: the form then asks for a name
        assert "name" in at.session_state[f"{prefix}.errors"] and count(user) == before
    assert not any(typed in str(s.get(field)) for s in user.api.list_all("session"))


def test_server_rejection_quoting_hostile_text_is_shown_as_text(make_user):
    user = make_user("editor")
    taken = unique(SCRIPT)
    user.api.save_model("session", data={"name": taken, "projects": [my_project(user)]})
    at = logged_in(user)
    before = count(user)
    prefix = open_form(at, user, taken, description=SCRIPT)
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    assert "name" in at.session_state[f"{prefix}.errors"]
    assert at.text_area(key=f"{prefix}.description").value == SCRIPT
    assert count(user) == before


KEPT = {
    "script-everywhere": (SCRIPT, SCRIPT, [{"key": "note", "value": SCRIPT}]),
    "img-onerror": ('<img src=x onerror="alert(1)">', "<b>bold</b>", [{"key": "v", "value": "<i>x</i>"}]),
    "emoji-and-rtl": ("🐀 \u202eevil\u202c مرحبا", "שלום 👩‍🔬", [{"key": "v", "value": "\u200b"}]),
    "nan-infinity-as-text": (
        "numbers",
        "NaN",
        [{"key": "a", "value": "NaN"}, {"key": "b", "value": "1e309"}, {"key": "c", "value": "-Infinity"}],
    ),  # fmt: skip
}


@pytest.mark.parametrize("case_id", list(KEPT))
def test_hostile_text_is_saved_as_typed_and_shown_as_text(make_user, case_id):
    name_part, description, extra = KEPT[case_id]
    user = make_user("editor")
    at = logged_in(user)
    name = unique(name_part)
    prefix = open_form(at, user, name, description=description, extra=extra)
    at.button(key=f"{prefix}.save").click().run()
    assert_safe_page(at)
    stored = user.api.list_all("session", filters={"name": name})
    assert len(stored) == 1
    expected_extra = {row["key"]: row["value"] for row in extra}  # non-finite numbers stay text
    assert (stored[0]["description"], stored[0]["extra_fields"]) == (description, expected_extra)
    shown = [t.value for t in at.text]
    assert name in shown and description in shown
    assert name in at.dataframe[0].value["name"].tolist()


FILTERS = {
    "drop-table": SQL,
    "or-1-equals-1": "' OR '1'='1",
    "percent": "%",
    "underscore": "_",
    "script": SCRIPT,
    "rtl-emoji": "\u202e🐀",
    "overlong": "x" * 5000,
}


@pytest.mark.parametrize("case_id", list(FILTERS))
def test_hostile_search_text_matches_literally(make_user, case_id):
    text = FILTERS[case_id]
    user = make_user("viewer")
    at = logged_in(user)
    everything = len(at.dataframe[0].value)
    at.text_input(key="sessions.f.text").input(text).run()
    assert_safe_page(at)
    needle = text.strip().lower()
    expected = [
        s for s in user.api.list_all("session")
        if needle in s["name"].lower() or needle in (s.get("description") or "").lower()
    ]  # fmt: skip
    assert len(at.dataframe[0].value) == len(expected)
    at.text_input(key="sessions.f.text").input("").run()
    assert len(at.dataframe[0].value) == everything == count(user)  # the table is still all there


def _others_session(make_user) -> str:
    """A session in a project that only another user belongs to."""
    other = make_user("editor")
    project = other.api.save_model("project", data={"name": unique("private")})["project"]["id"]
    return other.api.save_model("session", data={"name": unique("secret"), "projects": [project]})["session"][
        "id"
    ]


@pytest.mark.parametrize("link", ["others", SCRIPT, "../../admin", "1 OR 1=1", "🧠", "0" * 5000])
def test_hostile_deep_link_says_not_found(make_user, link):
    target = _others_session(make_user) if link == "others" else link
    user = make_user("editor")
    at = logged_in(user, session=target)
    assert_safe_page(at)
    assert "does not exist" in "\n".join(values(at.warning))
    assert not any(b.key in ("sessions.edit", "sessions.delete") for b in at.button)
