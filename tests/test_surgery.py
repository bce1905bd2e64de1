"""Issue 14: the surgery as a unit — order and exact times through edits, next-entry defaults,
values per type, queued steps counted, building from server records + outbox entries."""

from dataclasses import dataclass
from datetime import date, datetime

import pytest

from stemgui import surgery as sg
from stemgui.models import validate_record
from stemgui.surgery_payload import for_backend
from stemgui.surgery_plans import DEFAULT_TEMPLATES
from stemgui.unit_steps import unit_step

DAY = date(2026, 11, 27)
SUBJECT = "5c4d2a10-0000-4000-8000-000000000001"


def _record(
    rid: str, when: str, step_type: str = "VirusInjection", ml: float = 1.5, volume: float = 300
) -> dict:
    details = {"injectionVolume": {"value": volume, "unit": "nL"}} if step_type == "VirusInjection" else {}
    return {
        "id": rid,
        "type": step_type,
        "subject": SUBJECT,
        "date_time": f"2026-11-27T{when}",
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "details": details,
        "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": ml, "dvCoordinate": -1.3},
    }


@dataclass
class _Entry:  # the fields of stemgui.outbox.Entry that a surgery reads
    id: int
    model: str
    operation: str
    record_id: str | None
    payload: dict


def test_edit_keeps_seconds_and_order():
    """Issue 14 item 1: editing an older step (form shows HH:MM -> 21:10:00) keeps 21:10:52 and its
    place; today's page rewrote it to 21:10:00 and it jumped from 4th to 2nd."""
    records = [
        _record("a", "21:09:10"),
        _record("b", "21:10:05"),
        _record("c", "21:10:31"),
        _record("d", "21:10:52"),
    ]
    surgery = sg.surgery_from_records(SUBJECT, DAY, records)
    fourth = sg.ordered_steps(surgery)[3]
    edited = {
        **fourth.payload,
        "date_time": "2026-11-27T21:10:00",
        "details": {"injectionVolume": {"value": 250, "unit": "nL"}},
    }
    sg.edit_step(surgery, fourth, edited)
    ordered = sg.ordered_steps(surgery)
    assert [s.record_id for s in ordered] == ["a", "b", "c", "d"]
    assert ordered[3].date_time == "2026-11-27T21:10:52"
    assert ordered[3].payload["details"]["injectionVolume"]["value"] == 250


def test_edit_through_todays_form_round_trip_keeps_seconds():
    """Issue 14 item 1: today's form (action_payload) hands an edit back at HH:MM:00 — the bug;
    kept_time gives the stored 21:10:52 back."""
    from stemgui.action_payload import build_payload, values_from_action

    stored = _record("d", "21:10:52")
    payload, _ = build_payload(values_from_action(stored))
    assert payload["date_time"] == "2026-11-27T21:10:00"  # what today's page saved
    assert sg.kept_time(stored["date_time"], payload["date_time"]) == "2026-11-27T21:10:52"


def test_edit_to_another_minute_takes_the_new_time():
    """Issue 14 item 1: a time the person really changed is taken."""
    assert sg.kept_time("2026-11-27T21:10:52", "2026-11-27T21:15:00") == "2026-11-27T21:15:00"
    assert sg.kept_time("2026-11-27T21:10:52Z", None) == "2026-11-27T21:10:52Z"


def test_next_entry_from_last_logged_not_the_edited_older_one():
    """Issue 14 item 1: after editing step 1, the next entry starts from the last step logged."""
    surgery = sg.surgery_from_records(
        SUBJECT, DAY, [_record("a", "10:00:00", ml=-1.5), _record("b", "10:05:00", ml=1.5)]
    )
    first = sg.ordered_steps(surgery)[0]
    sg.edit_step(
        surgery, first, {**first.payload, "coordinates_details": {"apCoordinate": -3.1, "mlCoordinate": -2.2}}
    )
    source, defaults = sg.next_entry(surgery)
    assert source == "last"
    assert defaults["coordinates_details"]["mlCoordinate"] == 1.5
    assert "id" not in defaults and "date_time" not in defaults


def test_values_remembered_per_type():
    """Issue 14 item 1: virus -> fiber -> virus gives back the last virus's volume (today: 0)."""
    surgery = sg.Surgery(SUBJECT, DAY)
    sg.log_step(
        surgery, _record(None, "", volume=420) | {"date_time": None}, datetime(2026, 11, 27, 10, 0, 1)
    )
    sg.log_step(
        surgery,
        _record(None, "", "OpticFiberImplant") | {"date_time": None},
        datetime(2026, 11, 27, 10, 3, 0),
    )
    switched = sg.defaults_for_type(surgery, "VirusInjection", sg.next_entry(surgery)[1])
    assert switched["details"] == {"injectionVolume": {"value": 420, "unit": "nL"}}
    assert sg.remembered_details(surgery, "Headcap") is None


def test_queued_steps_count_in_heading_and_list():
    """Issue 14 item 1: two steps queued while the backend is down are in the list and the heading
    says Step 4, not Step 2 (today it stayed "Entry 5" after two queued)."""
    records = [_record("a", "10:00:00")]
    queued = [
        _Entry(7, "procedure", "create", None, _record(None, "10:01:30") | {"id": None}),
        _Entry(8, "procedure", "create", None, _record(None, "10:02:10", ml=-1.5)),
        _Entry(9, "procedure", "create", None, _record(None, "10:02:10") | {"subject": "other"}),
    ]
    surgery = sg.surgery_from_records(SUBJECT, DAY, records, queued)
    assert [s.state for s in sg.ordered_steps(surgery)] == [sg.UNPLANNED, sg.QUEUED, sg.QUEUED]
    assert sg.heading(surgery) == "Step 4"
    assert sg.counts(surgery)["queued"] == 2


def test_queued_update_and_delete_apply_to_loaded_records():
    """Issue 14 item 1: an edit waiting in the outbox shows its values, a waiting delete hides it."""
    records = [_record("a", "10:00:00"), _record("b", "10:05:00")]
    queued = [
        _Entry(1, "procedure", "update", "a", {"details": {"injectionVolume": {"value": 99, "unit": "nL"}}}),
        _Entry(2, "procedure", "delete", "b", {}),
        _Entry(3, "action", "create", None, _record(None, "10:07:00")),
    ]  # other generation
    surgery = sg.surgery_from_records(SUBJECT, DAY, records, queued)
    (only,) = sg.ordered_steps(surgery)
    assert only.state == sg.QUEUED and only.payload["details"]["injectionVolume"]["value"] == 99
    assert only.date_time == "2026-11-27T10:00:00"


def test_plan_confirm_skip_and_heading():
    """Issue 14 item 2: a plan from the default template; confirming produces the payload at the time
    now (to the second); skipping marks it; the next entry is the next planned step."""
    plan = DEFAULT_TEMPLATES["bilateral CA1 AAV + fiber"]
    surgery = sg.surgery_from_records(SUBJECT, DAY, [], plan=plan)
    assert sg.heading(surgery) == "Step 1 of 8 planned"
    assert sg.next_entry(surgery)[1]["type"] == "Anesthesia"
    first = sg.next_planned(surgery)
    done = sg.confirm_step(surgery, first, datetime(2026, 11, 27, 9, 30, 17, 512))
    assert done.state == sg.CONFIRMED and done.date_time == "2026-11-27T09:30:17"
    assert done.payload["subject"] == SUBJECT
    sg.skip_step(surgery, sg.next_planned(surgery))  # left craniotomy skipped
    right = sg.next_planned(surgery)
    assert right.payload["coordinates_details"]["mlCoordinate"] == 1.5
    edited = {
        **right.payload,
        "coordinates_details": {**right.payload["coordinates_details"], "apCoordinate": -2.1},
    }
    sg.confirm_step(surgery, right, datetime(2026, 11, 27, 9, 41, 3), edited, queue_id=12)
    states = [s.state for s in sg.ordered_steps(surgery)]
    assert states == [sg.CONFIRMED, sg.QUEUED] + [sg.SKIPPED] + [sg.PLANNED] * 5
    assert sg.heading(surgery) == "Step 3 of 8 planned"
    payload, problems = for_backend("procedure", sg.ordered_steps(surgery)[1].payload)
    assert problems == {}
    assert payload["coordinates_details"]["apCoordinate"] == -2.1
    assert validate_record("procedure", payload | {"subject": SUBJECT})[1] == {}


def test_plan_matched_to_records_after_reload():
    """Issue 14 item 1: reloaded from the server, confirmed plan steps find their records (by id, or
    by type and exact time once a queued one was sent); the rest stay planned/skipped."""
    plan = [
        {"payload": {"type": "VirusInjection"}, "state": "confirmed", "record_id": "a"},
        {
            "payload": {"type": "VirusInjection"},
            "state": "confirmed",
            "record_id": None,
            "queue_id": 4,
            "date_time": "2026-11-27T10:05:07",
        },
        {"payload": {"type": "Headcap"}, "state": "skipped"},
        {"payload": {"type": "Headcap"}, "state": "planned"},
    ]
    records = [_record("a", "10:00:00"), _record("b", "10:05:07"), _record("c", "10:09:00", "Craniotomy")]
    surgery = sg.surgery_from_records(SUBJECT, DAY, records, plan=plan)
    shown = [(s.record_id, s.state, s.plan_index) for s in sg.ordered_steps(surgery)]
    assert shown == [
        ("a", "confirmed", 0),
        ("b", "confirmed", 1),
        ("c", "unplanned", None),
        (None, "skipped", 2),
        (None, "planned", 3),
    ]


@pytest.mark.parametrize(("unit", "step"), [("mm", 0.05), ("°", 1.0), ("nL", 10.0), ("µm", 10.0)])
def test_step_sizes(unit, step):
    """Issue 14 item 6: the ± steppers move 0.05 mm, 1°, 10 nL (today 0.01 mm); one table for the
    Procedures form and Surgery day (stemgui.unit_steps)."""
    assert unit_step(unit) == step


def test_for_backend_template_step_to_each_generation():
    """Issue 14 item 2: a template's virus step becomes a valid procedure (region acronym -> id) and
    a valid seed action (0.3 µL -> 300 nL, 3 µL/min -> 50 nL/s, notes -> description); a type the
    seed lacks (Anesthesia) is named at its field."""
    template = DEFAULT_TEMPLATES["bilateral CA1 AAV + fiber"]
    virus = dict(template[3]["payload"])
    virus["details"] = {
        "injectionVolume": {"value": 0.3, "unit": "µL"},
        "injectionRate": {"value": 3, "unit": "µL/min"},
    }
    regions = {"CA1": "0c0e1f5a-0000-4000-8000-0000000000ca"}
    procedure, problems = for_backend("procedure", virus | {"subject": SUBJECT}, regions)
    assert problems == {} and procedure["brain_region"] == regions["CA1"] and "region" not in procedure
    assert validate_record("procedure", procedure)[1] == {}
    action, problems = for_backend("action", virus | {"subject": SUBJECT}, regions)
    assert problems == {}
    assert action["details"] == {"injectionVolume": pytest.approx(300), "injectionRate": pytest.approx(50)}
    assert action["coordinates_details"]["mlCoordinate"] == -1.5
    assert action["description"] == "left" and "notes" not in action
    assert validate_record("action", action)[1] == {}
    _, problems = for_backend("action", template[0]["payload"])
    assert list(problems) == ["type"] and "Anesthesia" in problems["type"]
    _, problems = for_backend("procedure", virus)
    assert list(problems) == ["brain_region"] and "CA1" in problems["brain_region"]


def test_has_twin_guards_a_second_mirror():
    """Issue 14 item 1: once the twin is logged (or queued), Mirror finds it (no second twin)."""
    surgery = sg.surgery_from_records(SUBJECT, DAY, [_record("a", "10:00:00", ml=-1.5)])
    (left,) = surgery.steps
    assert not sg.has_twin(surgery, left)
    sg.log_step(surgery, _record(None, "10:00:30", ml=1.5), datetime(2026, 11, 27, 10, 0, 30), queue_id=5)
    assert sg.has_twin(surgery, left)
    other_depth = sg.Surgery(SUBJECT, DAY)
    other_depth.steps = [left]
    sg.log_step(
        other_depth,
        _record(None, "10:01:00", ml=1.5)
        | {"coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.1}},
        datetime(2026, 11, 27, 10, 1),
    )
    assert not sg.has_twin(other_depth, left)


def test_preop_weight_from_the_subjects_weighing_log():
    """Issue 14 item 1: the pre-op weight is the day's latest entry of the subject's Weighing log."""
    logs = [
        {"type": "Weighing", "subject": SUBJECT, "entries": [
            {"date_time": "2026-11-26T09:00:00Z", "details": {"weight": {"value": 25.0, "unit": "g"}}},
            {"date_time": "2026-11-27T08:10:00Z", "details": {"weight": {"value": 24.1, "unit": "g"}}},
            {"date_time": "2026-11-27T08:55:00Z", "details": {"weight": {"value": 24.3, "unit": "g"}}}]},
        {"type": "Weighing", "subject": "other", "entries": [
            {"date_time": "2026-11-27T09:00:00Z", "details": {"weight": {"value": 300, "unit": "g"}}}]},
        {"type": "Housing", "subject": SUBJECT, "entries": []},
    ]  # fmt: skip
    assert sg.preop_weighing_from_logs(logs, SUBJECT, DAY)["details"]["weight"]["value"] == 24.3
    assert sg.preop_weighing_from_logs(logs, SUBJECT, date(2026, 11, 25)) is None


def test_procedures_carry_the_surgerys_licenses():
    """Issue 14 item 1: a procedure logged in the surgery carries its licences (unless it names its own)."""
    body, _ = for_backend("procedure", _record(None, "10:00:00"), licenses=["lic-1"])
    assert body["licenses"] == ["lic-1"]
    body, _ = for_backend("procedure", _record(None, "10:00:00") | {"licenses": ["own"]}, licenses=["lic-1"])
    assert body["licenses"] == ["own"]
    body, _ = for_backend("action", _record(None, "10:00:00") | {"licenses": ["own"]}, licenses=["lic-1"])
    assert "licenses" not in body
