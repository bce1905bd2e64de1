"""The Surgery-day page through AppTest against the bundled server: three actions in a row with
a mirrored bilateral target, checked through the API; each entry starting from the last one;
edit and delete in the running list; the summary; editors only. Plus its pure helpers."""

from __future__ import annotations

import itertools
import os
from datetime import date, datetime, time

import pytest
from streamlit.testing.v1 import AppTest

from stemgui import action_payload as ap
from stemgui.action_table import Lookups, entry_lines
from stemgui.errors import NotFound
from tests.gui.action_helpers import coord_key, detail_key, fill_action, names_to_ids, region_id, set_input
from tests.gui.apptest import logged_in, texts

PAGE = "pages/surgery_day.py"
_numbers = itertools.count(1)


def new_subject(user, prefix: str = "Mouse ") -> tuple[str, str]:
    """A fresh subject (no actions yet) in the user's first project: (name, id)."""
    name = f"{prefix}{os.getpid()}-{next(_numbers)}"
    body = {"name": name, "strain": user.api.list_all("strain")[0]["id"], "sex": "M",
            "projects": [user.api.list_all("project")[0]["id"]]}
    return name, user.api.save_model("subject", data=body)["subject"]["id"]


def open_day(user, subject: str, day: date) -> AppTest:
    at = logged_in(user, PAGE)
    at.selectbox(key="actions.day.subject").set_value(subject)
    at.date_input(key="actions.day.date").set_value(day)
    return at.run()


def entry_key(at) -> str:
    return at.session_state["actions.day.entry"]["key"]


def log(at) -> AppTest:
    at.button(key=f"{entry_key(at)}.save").click()
    return at.run()


def subject_actions(user, subject: str) -> list[dict]:
    return user.api.list_all("action", filters={"subject": subject})


def api_action(user, subject: str, day: date, clock: str, **fields) -> dict:
    body = {"type": "VirusInjection", "subject": subject, "date_time": f"{day.isoformat()}T{clock}",
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {"injectionVolume": 100.0},
            "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.0}, **fields}
    return user.api.save_model("action", data=body)["action"]


# ---------------------------------------------------------------- the flow


def test_three_actions_with_a_mirrored_bilateral_target(make_user):
    user = make_user("editor")
    name, subject = new_subject(user)
    ca1 = region_id(user, "CA1")
    virus = sorted(names_to_ids(user, "consumable").values())[0]
    today = date.today()
    at = open_day(user, subject, today)
    assert not at.exception
    form = entry_key(at)
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": 300.0, "injectionSchema": "Pulses"},
                coords={"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.25},
                brain_region=ca1, consumable=virus)
    log(at)
    assert not at.exception and not at.error
    first = subject_actions(user, subject)
    assert len(first) == 1 and first[0]["date_time"][:10] == today.isoformat()

    at.button(key=f"actions.day.mirror.{first[0]['id']}").click().run()  # one click
    assert not at.exception and len(subject_actions(user, subject)) == 2

    form = entry_key(at)  # the next entry starts from the last one logged (the twin): one change
    assert at.selectbox(key=f"{form}.type").value == "VirusInjection"
    assert at.selectbox(key=f"{form}.brain_region").value == ca1
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "mlCoordinate")).value == -1.5
    fill_action(at, form, action_type="OpticFiberImplant", system="Stereotaxic_BregmaAbsolute",
                coords={"dvCoordinate": -1.0}, consumable=None)
    log(at)
    assert not at.exception and not at.error

    stored = subject_actions(user, subject)
    assert len(stored) == 3
    injection, twin, fiber = sorted(stored, key=lambda a: (a["date_time"], a["type"] == "OpticFiberImplant"))
    target = {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.25}
    assert injection["coordinates_details"] == target
    assert twin["type"] == "VirusInjection" and twin["id"] != injection["id"]
    assert twin["coordinates_details"] == {**target, "mlCoordinate": -1.5}
    assert (twin["brain_region"], twin["consumable"], twin["details"]) == (
        ca1, virus, {"injectionVolume": 300.0, "injectionSchema": "Pulses"})  # fmt: skip
    assert (fiber["type"], fiber["brain_region"], fiber["consumable"]) == ("OpticFiberImplant", ca1, None)
    assert fiber["details"] == {"fiberTipShape": "flat"}
    assert fiber["coordinates_details"] == {"apCoordinate": -2.0, "mlCoordinate": -1.5, "dvCoordinate": -1.0}
    summary = at.code[0].value
    assert summary.splitlines()[0] == f"Surgery — {name} — {today.isoformat()}"
    assert [line[:3] for line in summary.splitlines() if line[:1].isdigit()] == ["1. ", "2. ", "3. "]
    assert summary.count("CA1 — Field CA1") == 3 and "ML -1.5 mm" in summary and "ML +1.5 mm" in summary
    assert {f"actions.day.edit.{a['id']}" for a in stored} <= {b.key for b in at.button}


def test_a_new_entry_starts_from_the_last_action_logged_for_the_subject(make_user):
    user = make_user("editor")
    _, subject = new_subject(user)
    device = sorted(names_to_ids(user, "hardwaredevice").values())[0]
    region = region_id(user, "VTA")
    api_action(user, subject, date(2025, 1, 10), "09:00:00")
    api_action(user, subject, date(2025, 1, 12), "11:00:00", type="TetrodeWireElectrode",
               coordinates_system="Stereotaxic_LambdaAbsolute", brain_region=region, hardwaredevice=device,
               details={"tetrodeCount": 4, "nWiresTetrode": 4}, coordinates_details={"apCoordinate": 0.5})
    at = open_day(user, subject, date(2025, 1, 20))
    form = entry_key(at)
    assert at.selectbox(key=f"{form}.type").value == "TetrodeWireElectrode"
    assert at.selectbox(key=f"{form}.coordinates_system").value == "Stereotaxic_LambdaAbsolute"
    assert at.selectbox(key=f"{form}.brain_region").value == region
    assert at.selectbox(key=f"{form}.hardwaredevice").value == device
    assert at.number_input(key=detail_key(form, "TetrodeWireElectrode", "tetrodeCount")).value == 4
    assert at.number_input(key=coord_key(form, "Stereotaxic_LambdaAbsolute", "apCoordinate")).value == 0.5
    assert at.code[0].value.endswith("— 2025-01-20\nNo actions logged.")  # nothing on that day yet
    log(at)  # a repeat is one click
    logged = [a for a in subject_actions(user, subject) if a["date_time"].startswith("2025-01-20")]
    assert len(logged) == 1 and logged[0]["details"] == {"tetrodeCount": 4, "nWiresTetrode": 4}


def test_an_invalid_entry_is_rejected_at_its_field_and_kept(make_user):
    user = make_user("editor")
    _, subject = new_subject(user)
    at = open_day(user, subject, date(2025, 3, 3))
    form = entry_key(at)
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": -1.0}, coords={"mlCoordinate": 2.0})
    log(at)
    assert any("at least 0" in e.value for e in at.error)
    assert entry_key(at) == form
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "mlCoordinate")).value == 2.0
    assert subject_actions(user, subject) == []


def test_edit_and_delete_in_the_running_list(make_user):
    user = make_user("editor")
    _, subject = new_subject(user)
    day = date(2025, 4, 2)
    first = api_action(user, subject, day, "09:00:00")
    second = api_action(user, subject, day, "09:30:00", description="<b>second</b>")
    other_day = api_action(user, subject, date(2025, 4, 3), "09:00:00")
    at = open_day(user, subject, day)
    listed = [t.value for t in at.text if t.value[:2] in ("1.", "2.", "3.")]
    assert [line.split("\n")[0][:8] for line in listed] == ["1. 09:00", "2. 09:30"]  # that day only
    assert other_day["id"] not in {b.key.split(".")[-1] for b in at.button if b.key}

    at.button(key=f"actions.day.edit.{first['id']}").click().run()
    form = entry_key(at)
    assert at.session_state["actions.day.entry"]["mode"] == "edit"
    assert at.number_input(key=detail_key(form, "VirusInjection", "injectionVolume")).value == 100.0
    set_input(at, detail_key(form, "VirusInjection", "injectionVolume"), 150.0)
    log(at)
    assert not at.error
    edited = user.api.load_model("action", id=first["id"])["action"]
    assert edited["details"] == {"injectionVolume": 150.0} and edited["date_time"] == first["date_time"]
    assert at.session_state["actions.day.entry"]["mode"] == "new"

    at.button(key=f"actions.day.delete.{second['id']}").click().run()
    assert "Delete the action “Virus injection · " in texts(at).replace("\\", "")
    at.button(key="actions.day.confirm_delete.yes").click().run()
    assert not at.exception
    with pytest.raises(NotFound):
        user.api.load_model("action", id=second["id"])
    assert user.api.load_model("action", id=first["id"])


def test_html_in_names_and_notes_is_shown_as_text(make_user):
    user = make_user("editor")
    name, subject = new_subject(user, "<i>Mouse</i> **bold** ")
    day = date(2025, 6, 6)
    api_action(user, subject, day, "08:00:00", description="<script>alert(1)</script>")
    at = open_day(user, subject, day)
    assert not at.exception
    assert "Notes: <script>alert(1)</script>" in at.code[0].value and name in at.code[0].value
    for element in list(at.markdown) + list(at.subheader):
        assert "<i>" not in element.value and "<script>" not in element.value
        assert not getattr(element.proto, "allow_html", False)
    assert any(name.strip() in s.value.replace("\\", "") for s in at.subheader)


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("day", "source", "now", "expected"), [
    (date(2025, 5, 1), "2025-05-01T10:00:00", datetime(2025, 5, 1, 11, 2, 3), "2025-05-01T11:02:03"),
    (date(2025, 5, 1), "2025-05-01T10:00:00", datetime(2025, 6, 1, 8, 0), "2025-05-01T10:01:00"),
    (date(2025, 5, 1), "2025-05-01", datetime(2025, 6, 1, 8, 0), "2025-05-01T00:00:00"),
    (date(2025, 5, 1), "2025-05-01T23:59:00", datetime(2025, 6, 1, 8, 0), "2025-05-01T23:59:00"),
])  # fmt: skip
def test_the_twin_is_logged_now_on_the_day_else_right_after_its_source(day, source, now, expected):
    assert ap.twin_time({"date_time": source}, day, now) == expected


def test_mirrored_payload_is_a_new_record_with_ml_negated():
    action = {"id": "a", "type": "VirusInjection", "subject": "s", "brain_region": "r", "consumable": None,
              "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {"injectionVolume": 1.0},
              "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.5}, "description": "x",
              "date_time": "2025-05-01T10:00:00"}
    twin = ap.mirrored_payload(action, "2025-05-01T10:01:00")
    assert "id" not in twin
    assert twin["coordinates_details"] == {"apCoordinate": -2.0, "mlCoordinate": -1.5}
    assert (twin["brain_region"], twin["date_time"]) == ("r", "2025-05-01T10:01:00")


@pytest.mark.parametrize(("value", "expected"), [
    ("2025-05-01", (date(2025, 5, 1), None)),
    ("2025-05-01T10:30:45", (date(2025, 5, 1), time(10, 30))),
    ("2025-05-01T10:30:00+02:00", (date(2025, 5, 1), time(10, 30))),
    ("", (None, None)), (None, (None, None)), ("yesterday", (None, None)),
])  # fmt: skip
def test_parse_date_time(value, expected):
    assert ap.parse_date_time(value) == expected


def test_day_actions_keeps_the_subject_and_day_in_time_order():
    actions = [{"subject": "s", "date_time": "2025-05-01T10:00:00", "id": 2},
               {"subject": "s", "date_time": "2025-05-01T09:00:00", "id": 1},
               {"subject": "s", "date_time": "2025-05-02T08:00:00", "id": 3},
               {"subject": "t", "date_time": "2025-05-01T08:00:00", "id": 4}]
    assert [a["id"] for a in ap.day_actions(actions, "s", date(2025, 5, 1))] == [1, 2]


def test_entry_lines_names_time_type_region_and_values():
    action = {"type": "VirusInjection", "brain_region": "r", "date_time": "2025-05-01T10:30:00",
              "coordinates_system": "Stereotaxic_BregmaAbsolute",
              "coordinates_details": {"mlCoordinate": -1.5}, "details": {"injectionVolume": 300.0}}
    text = entry_lines(2, action, Lookups(regions={"r": "CA1 — Field CA1"}))
    assert text.splitlines() == ["2. 10:30 — Virus injection — CA1 — Field CA1", "ML -1.5 mm",
                                 "Injection volume 300 nL"]
