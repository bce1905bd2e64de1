"""Hostile input through the Actions page (AppTest, bundled backend): messages at their fields,
nothing written for refused input, text kept and shown as text, no traceback or markup."""

from __future__ import annotations

import itertools
import os

import pytest

from tests.gui.action_helpers import detail_key, errors_after, fill_action, first_subject
from tests.gui.apptest import logged_in, values
from tests.hardening.gui_helpers import assert_safe_page

PAGE = "pages/actions.py"
SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE action; --"
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_numbers)}"


def open_new(at) -> str:
    at.button(key="actions.new").click().run()
    return at.session_state["actions.form"]["key"]


def count(user) -> int:
    return len(user.api.list_all("action"))


@pytest.mark.parametrize("volume", [-1.0, -1e-9, -1e308])
def test_a_volume_below_the_schema_minimum_is_refused_at_its_field(make_user, volume):
    user = make_user("editor")
    at = logged_in(user, PAGE)
    before = count(user)
    form = open_new(at)
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": volume}, subject=first_subject(user)[1],
                description=unique(SCRIPT))  # fmt: skip
    at.button(key=f"{form}.save").click().run()
    assert_safe_page(at)
    message = errors_after(at, detail_key(form, "VirusInjection", "injectionVolume"))
    assert message and "Injection volume" in message, values(at.error)
    assert count(user) == before


@pytest.mark.parametrize("number", [float("nan"), float("inf"), 1e309])
def test_non_finite_numbers_never_reach_the_server(make_user, number):
    """A browser number box cannot hold NaN or Infinity: the widget makes it empty, never sent."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    description = unique("nan")
    coords = {"apCoordinate": number, "mlCoordinate": 1.5}
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                coords=coords, subject=first_subject(user)[1], description=description)  # fmt: skip
    at.button(key=f"{form}.save").click().run()
    assert_safe_page(at)
    stored = user.api.list_all("action", filters={"description": description})
    assert [a["coordinates_details"] for a in stored] in ([], [{"mlCoordinate": 1.5}])


@pytest.mark.parametrize("text", [SCRIPT, '<img src=x onerror="alert(1)">', "\u202e🐀 مرحبا", SQL])
def test_hostile_description_is_saved_as_typed_and_shown_as_text(make_user, text):
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    description = unique(text)
    fill_action(at, form, action_type="OpticFiberImplant", system="Stereotaxic_BregmaAbsolute",
                subject=first_subject(user)[1], description=description)  # fmt: skip
    at.button(key=f"{form}.save").click().run()
    assert_safe_page(at)
    stored = user.api.list_all("action", filters={"description": description})
    assert len(stored) == 1
    assert description in [t.value for t in at.text]  # the opened record, shown as plain text


@pytest.mark.parametrize("text", [SQL, "' OR '1'='1", "%", "_", SCRIPT, "x" * 3000])
def test_hostile_search_text_matches_literally(make_user, text):
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    everything = len(at.dataframe[0].value)
    at.text_input(key="actions.f.text").input(text).run()
    assert_safe_page(at)
    expected = [
        a for a in user.api.list_all("action") if text.lower() in (a.get("description") or "").lower()
    ]
    assert len(at.dataframe[0].value) == len(expected)
    at.text_input(key="actions.f.text").input("").run()
    assert len(at.dataframe[0].value) == everything


def _others_action(make_user) -> str:
    other = make_user("editor")
    project = other.api.save_model("project", data={"name": unique("private")})["project"]["id"]
    strain = other.api.list_all("strain")[0]["id"]
    subject = other.api.save_model(
        "subject", data={"name": unique("hidden"), "strain": strain, "sex": "F", "projects": [project]}
    )["subject"]["id"]
    body = {"type": "OpticFiberImplant", "subject": subject, "description": unique("secret"),
            "coordinates_system": "Stereotaxic_BregmaAbsolute"}  # fmt: skip
    return other.api.save_model("action", data=body)["action"]["id"]


@pytest.mark.parametrize("link", ["others", SCRIPT, "../../admin", "🧠"])
def test_hostile_deep_link_says_not_found(make_user, link):
    target = _others_action(make_user) if link == "others" else link
    at = logged_in(make_user("editor"), PAGE, action=target)
    assert_safe_page(at)
    assert "does not exist" in "\n".join(values(at.warning))
    assert not any(b.key in ("actions.edit", "actions.delete") for b in at.button)
