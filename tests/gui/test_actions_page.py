"""The Actions page through AppTest against the bundled server: the list with names, filters,
details columns, creating each type, rejections at their fields, type switching, edit,
duplicate, delete, viewers, HTML shown as text."""

from __future__ import annotations

import itertools
import os
import re
from datetime import date, time

import pytest
from streamlit.testing.v1 import AppTest

from stemgui.action_table import ActionQuery, Lookups, action_filters, actions_frame, frame_to_csv
from stemgui.display import count_text
from stemgui.errors import NotFound, PermissionDenied, ValidationFailed
from tests.gui.action_helpers import (
    choose,
    coord_key,
    detail_key,
    errors_after,
    fill_action,
    first_subject,
    list_requests,
    names_to_ids,
    region_id,
    set_input,
)
from tests.gui.apptest import REPO_ROOT, logged_in, new_app, texts

PAGE = "pages/actions.py"
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_numbers)}"


def make_action(user, **fields) -> dict:
    body = {"type": "VirusInjection", "subject": first_subject(user)[1], "description": unique("api"),
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "date_time": "2024-05-01T10:30:00",
            "details": {"injectionVolume": 200.0}, "coordinates_details": {"apCoordinate": -2.0}, **fields}
    return user.api.save_model("action", data=body)["action"]


def make_subject(user, name: str) -> str:
    """A new subject in the user's first project; its id."""
    project = user.api.list_all("project")[0]["id"]
    strain = user.api.list_all("strain")[0]["id"]
    body = {"name": name, "strain": strain, "sex": "F", "projects": [project]}
    return user.api.save_model("subject", data=body)["subject"]["id"]


def shown(at):
    return at.dataframe[0].value


def open_new(at) -> str:
    at.button(key="actions.new").click().run()
    return at.session_state["actions.form"]["key"]


def save(at, form: str):
    at.button(key=f"{form}.save").click()
    return at.run()


# ---------------------------------------------------------------- list, filters, columns


def test_list_shows_every_action_with_names_instead_of_ids(make_user):
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    assert not at.exception
    expected = user.api.list_all("action")
    frame = shown(at)
    assert len(frame) == len(expected) >= 15
    assert set(frame.index) == {a["id"] for a in expected}
    subjects = set(names_to_ids(user, "subject"))
    assert set(frame["subject"]) <= subjects
    for column in ("subject", "brain region", "consumable", "hardware device"):
        assert not any(isinstance(v, str) and UUID.match(v) for v in frame[column])
    with_region = next(a for a in expected if a.get("brain_region"))
    region = user.api.load_model("brainregion", id=with_region["brain_region"])["brain_region"]
    assert frame.loc[with_region["id"], "brain region"] == f"{region['acronym']} — {region['name']}"
    assert f"{count_text(len(expected), 'action')} shown" in texts(at)
    assert at.get("download_button")[0].label == "Download CSV"


def _matches(action: dict, kind: str, value) -> bool:
    if kind == "text":
        return value.lower() in (action.get("description") or "").lower()
    if kind == "dates":
        day = (action.get("date_time") or "")[:10]
        return bool(day) and value[0].isoformat() <= day <= value[1].isoformat()
    return action.get(kind) == value


@pytest.mark.parametrize("kind", ["subject", "type", "coordinates_system", "brain_region", "dates", "text"])
def test_each_filter_shows_exactly_the_matching_actions(make_user, kind):
    user = make_user("viewer")
    everything = user.api.list_all("action")
    at = logged_in(user, PAGE)
    widget = {"subject": "actions.f.subject", "type": "actions.f.type",
              "coordinates_system": "actions.f.system", "brain_region": "actions.f.region"}
    if kind in widget:
        value = sorted(a[kind] for a in everything if a.get(kind))[0]
        at.selectbox(key=widget[kind]).set_value(value).run()
    elif kind == "dates":
        days = sorted(a["date_time"][:10] for a in everything if a.get("date_time"))
        value = (date.fromisoformat(days[2]), date.fromisoformat(days[-3]))
        at.date_input(key="actions.f.from").set_value(value[0])
        at.date_input(key="actions.f.to").set_value(value[1]).run()
    else:
        value = everything[0]["description"].split()[-1].upper()  # case does not matter
        at.text_input(key="actions.f.text").input(value).run()
    assert not at.exception
    expected = {a["id"] for a in everything if _matches(a, kind, value)}
    assert 0 < len(expected) < len(everything)
    assert set(shown(at).index) == expected
    assert f"{count_text(len(expected), 'action')} shown" in texts(at)


def test_one_chosen_type_adds_its_details_as_columns(make_user):
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    assert "Injection volume (nL)" not in shown(at).columns
    at.selectbox(key="actions.f.type").set_value("VirusInjection").run()
    frame = shown(at)
    assert {"Injection volume (nL)", "Injection Rate (nL/s)", "Injection schema"} <= set(frame.columns)
    injections = {a["id"]: a for a in user.api.list_all("action", filters={"type": "VirusInjection"})}
    for action_id, row in frame.iterrows():
        assert row["Injection volume (nL)"] == injections[action_id]["details"].get("injectionVolume")


def test_brain_region_picker_offers_all_regions_by_acronym_and_name(make_user):
    at = logged_in(make_user("editor"), PAGE)
    form = open_new(at)
    picker = at.selectbox(key=f"{form}.brain_region")
    assert len(picker.options) == 1 + 1327  # "— none —" first
    assert "CA1 — Field CA1" in picker.options


def test_brain_region_search_ranks_by_area_and_keeps_the_choice(make_user):
    """Issue 10 item 9: "hippocampus" in the region search offers Hippocampal formation first and
    CA1 near the top; the choice stays when the search changes or is cleared."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    at.text_input(key=f"{form}.region_query").input("hippocampus").run()
    options = at.selectbox(key=f"{form}.brain_region").options
    assert options[:3] == ["— none —", "HPF — Hippocampal formation", "HIP — Hippocampal region"]
    assert "CA1 — Field CA1" in options[:16]
    assert "SH — Septohippocampal nucleus" not in options[:16]  # a letters-only match, not an area
    at.selectbox(key=f"{form}.brain_region").select("CA1 — Field CA1").run()
    at.text_input(key=f"{form}.region_query").input("thalamus").run()
    picker = at.selectbox(key=f"{form}.brain_region")
    assert picker.value == region_id(user, "CA1")  # kept, though not among the thalamus matches
    assert picker.options[1] == "TH — Thalamus" and picker.options[-1] == "CA1 — Field CA1"
    at.text_input(key=f"{form}.region_query").input("").run()
    assert at.selectbox(key=f"{form}.brain_region").value == region_id(user, "CA1")
    assert len(at.selectbox(key=f"{form}.brain_region").options) == 1 + 1327
    assert not at.exception


def test_the_region_filter_is_searched_by_area_too(make_user):
    """Issue 10 item 9: the list's region filter has the same ranked search as the form
    ("hippocampus" offers Hippocampal formation first and CA1 near the top), and a chosen region
    stays listed and applied when the search changes."""
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    assert len(at.selectbox(key="actions.f.region").options) == 1327
    at.text_input(key="actions.f.region_query").input("hippocampus").run()
    options = at.selectbox(key="actions.f.region").options
    assert options[:2] == ["HPF — Hippocampal formation", "HIP — Hippocampal region"]
    assert "CA1 — Field CA1" in options[:15]
    at.selectbox(key="actions.f.region").select("CA1 — Field CA1").run()
    at.text_input(key="actions.f.region_query").input("thalamus").run()
    picker = at.selectbox(key="actions.f.region")
    assert picker.value == region_id(user, "CA1") and picker.options[-1] == "CA1 — Field CA1"
    expected = {a["id"] for a in user.api.list_all("action") if a.get("brain_region") == picker.value}
    assert expected and set(shown(at).index) == expected
    assert not at.exception


@pytest.mark.parametrize(("setting", "shown", "hint_for"), [
    (None, "DV **− ventral**", 1.5), ("positive-ventral", "DV **+ ventral**", -1.5)])
def test_the_convention_box_states_the_signs_and_the_labs_dv_setting(make_user, monkeypatch, setting,
                                                                     shown, hint_for):  # fmt: skip
    """Issue 10 item 14: the signs are stated as a fact ("please confirm" is gone), and the box
    names the STEMGUI_DV_SIGN setting that flips DV for labs recording it positive ventral; the
    dorsal-DV hint follows the setting."""
    if setting:
        monkeypatch.setenv("STEMGUI_DV_SIGN", setting)
    else:
        monkeypatch.delenv("STEMGUI_DV_SIGN", raising=False)
    at = logged_in(make_user("editor"), PAGE)
    form = open_new(at)
    choose(at, form, "VirusInjection", "Stereotaxic_BregmaAbsolute")
    box = " ".join(m.value for m in at.markdown) + " ".join(c.value for c in at.caption)
    assert shown in box and "confirm" not in box
    assert f"This lab's DV sign: **{setting or 'negative-ventral'}** (setting `STEMGUI_DV_SIGN`" in box
    set_input(at, coord_key(form, "Stereotaxic_BregmaAbsolute", "dvCoordinate"), hint_for)
    at.run()
    assert [w.value for w in at.warning if "lies above the skull surface" in w.value]
    set_input(at, coord_key(form, "Stereotaxic_BregmaAbsolute", "dvCoordinate"), -hint_for)
    at.run()
    assert not [w.value for w in at.warning if "lies above the skull surface" in w.value]


# ---------------------------------------------------------------- create, reject, switch


CASES = [
    ("VirusInjection", "Stereotaxic_BregmaAbsolute",
     {"injectionVolume": 300.0, "injectionRate": 2.5, "injectionSchema": "Pulses"},
     {"apCoordinate": -2.0, "mlCoordinate": 1.5, "dvCoordinate": -1.25}),
    ("OpticFiberImplant", "Stereotaxic_LambdaBrainSurface", {"fiberTipShape": "tapered"},
     {"apCoordinate": 1.0, "mlCoordinate": -0.5, "depth": 2.2}),
    ("SiliconProbeImplant", "Stereotaxic_BregmaBrainSurface", {},
     {"apCoordinate": -3.5, "depth": 1.8, "rotation": 45.0}),
    ("SingleWireElectrode", "Stereotaxic_XYZ_Absolute",
     {"wireCount": 2.0, "wireDiameter": 50.0, "wireMaterial": "tungsten"}, {"x": 1.0, "y": -2.0, "z": -3.0}),
    ("TetrodeWireElectrode", "External_XYZ_Absolute",
     {"tetrodeCount": 8, "nWiresTetrode": 4, "wireDiameter": 12.7}, {"x": 0.5, "zAngle": 10.0}),
]  # fmt: skip


@pytest.mark.parametrize(("action_type", "system", "details", "coords"), CASES, ids=[c[0] for c in CASES])
def test_create_each_type_through_the_page(make_user, action_type, system, details, coords):
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    _, subject = first_subject(user)
    region = region_id(user, "CA1")
    consumable = sorted(names_to_ids(user, "consumable").values())[0]
    device = sorted(names_to_ids(user, "hardwaredevice").values())[0]
    description = unique("created")
    fill_action(at, form, action_type=action_type, system=system, details=details, coords=coords,
                subject=subject, brain_region=region, consumable=consumable, hardwaredevice=device,
                description=description, day=date(2024, 7, 1), time=time(9, 45))
    assert not at.warning  # e.g. no "default value but also set via Session State" notices
    save(at, form)
    assert not at.exception and not at.error
    stored = user.api.list_all("action", filters={"description": description})
    assert len(stored) == 1
    record = stored[0]
    expected_details = {"OpticFiberImplant": {"fiberTipShape": "tapered"}}.get(action_type, details)
    assert {k: record[k] for k in ("type", "subject", "brain_region", "consumable", "hardwaredevice",
                                   "coordinates_system", "details", "coordinates_details", "date_time")} == {
        "type": action_type, "subject": subject, "brain_region": region, "consumable": consumable,
        "hardwaredevice": device, "coordinates_system": system, "details": expected_details,
        "coordinates_details": coords, "date_time": "2024-07-01T09:45:00"}  # fmt: skip
    assert at.query_params["action"] in (record["id"], [record["id"]])  # the new record is opened
    assert record["id"] in shown(at).index
    assert "actions.form" not in at.session_state


def test_negative_injection_volume_is_rejected_at_its_field_and_everything_typed_stays(make_user):
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    _, subject = first_subject(user)
    description = unique("negative")
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": -5.0, "injectionRate": 1.5},
                coords={"mlCoordinate": 1.25}, subject=subject, description=description)
    save(at, form)
    assert not at.exception
    volume = detail_key(form, "VirusInjection", "injectionVolume")
    message = errors_after(at, volume)
    assert message and "Injection volume" in message and "at least 0" in message
    assert at.number_input(key=volume).value == -5.0
    assert at.number_input(key=detail_key(form, "VirusInjection", "injectionRate")).value == 1.5
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "mlCoordinate")).value == 1.25
    assert at.text_area(key=f"{form}.description").value == description
    assert at.selectbox(key=f"{form}.subject").value == subject
    assert user.api.list_all("action", filters={"description": description}) == []
    set_input(at, volume, 10.0)  # fixed: now it saves
    save(at, form)
    assert [a["details"] for a in user.api.list_all("action", filters={"description": description})] == [
        {"injectionVolume": 10.0, "injectionRate": 1.5}]  # fmt: skip


EMPTIED_REQUIRED = [("VirusInjection", "injectionVolume", None, "Injection volume (nL)", "nL, required"),
                    ("TetrodeWireElectrode", "tetrodeCount", None, "Tetrode count", "e.g. 1, required"),
                    ("SingleWireElectrode", "wireCount", 1.0, "Wire count", "required")]


@pytest.mark.parametrize(("action_type", "field", "starts_at", "title", "placeholder"), EMPTIED_REQUIRED,
                         ids=[case[1] for case in EMPTIED_REQUIRED])
def test_an_emptied_required_number_is_an_error_at_its_field_not_a_made_up_value(
        make_user, action_type, field, starts_at, title, placeholder):  # fmt: skip
    """Issue 10 item 2: clearing "Injection volume (nL) *" / "Tetrode count *" / "Wire count *" and
    saving stored 0 / 1 / 1. Now: an error at the field and no record. A new virus injection
    starts empty (0 nL is no choice); a single-wire electrode starts at 1 wire (a real choice)."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    _, subject = first_subject(user)
    description = unique(f"emptied {field}")
    fill_action(at, form, action_type=action_type, system="Stereotaxic_BregmaAbsolute",
                coords={"apCoordinate": -1.0}, subject=subject, description=description)
    key = detail_key(form, action_type, field)
    assert at.number_input(key=key).value == starts_at
    assert at.number_input(key=key).proto.placeholder == placeholder  # the default as a hint
    set_input(at, key, 7)
    at.run()
    set_input(at, key, None)  # the user clears it
    save(at, form)
    assert not at.exception
    message = re.sub(r"\\(.)", r"\1", errors_after(at, key) or "")  # shown markdown-escaped
    assert message == f"{title} is required: enter a value."
    assert user.api.list_all("action", filters={"description": description}) == []
    assert at.text_area(key=f"{form}.description").value == description  # nothing typed is lost
    set_input(at, key, 3)
    save(at, form)
    stored = user.api.list_all("action", filters={"description": description})
    assert [a["details"][field] for a in stored] == [3]


def test_server_rejection_is_shown_at_its_field_and_everything_typed_stays(make_user):
    user = make_user("editor")
    subject = make_subject(user, unique("short-lived"))
    at = logged_in(user, PAGE)
    form = open_new(at)
    description = unique("server says no")
    fill_action(at, form, action_type="OpticFiberImplant", system="Stereotaxic_BregmaAbsolute",
                coords={"apCoordinate": 2.0}, subject=subject, description=description)
    user.api.delete_model("subject", id=subject)  # gone meanwhile: only the server can tell
    save(at, form)
    assert not at.exception
    message = errors_after(at, f"{form}.subject")
    assert message and "does not exist" in message
    assert at.text_area(key=f"{form}.description").value == description
    assert at.text_input(key=detail_key(form, "OpticFiberImplant", "fiberTipShape")).value == "flat"
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "apCoordinate")).value == 2.0
    assert user.api.list_all("action", filters={"description": description}) == []


def test_switching_type_and_system_back_and_forth_keeps_what_was_typed(make_user):
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": 420.0, "injectionSchema": "Gradual"},
                coords={"apCoordinate": -1.7, "mlCoordinate": 0.9})
    at.run()
    choose(at, form, "TetrodeWireElectrode", "External_XYZ_Absolute")
    assert not [w for w in at.number_input if w.key == detail_key(form, "VirusInjection", "injectionVolume")]
    set_input(at, detail_key(form, "TetrodeWireElectrode", "tetrodeCount"), 6)
    set_input(at, coord_key(form, "External_XYZ_Absolute", "x"), 3.0)
    at.run()
    choose(at, form, "VirusInjection", "Stereotaxic_BregmaAbsolute")
    assert at.number_input(key=detail_key(form, "VirusInjection", "injectionVolume")).value == 420.0
    assert at.selectbox(key=detail_key(form, "VirusInjection", "injectionSchema")).value == "Gradual"
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "apCoordinate")).value == -1.7
    assert at.number_input(key=coord_key(form, "Stereotaxic_BregmaAbsolute", "mlCoordinate")).value == 0.9
    choose(at, form, "TetrodeWireElectrode", "External_XYZ_Absolute")
    assert at.number_input(key=detail_key(form, "TetrodeWireElectrode", "tetrodeCount")).value == 6
    assert at.number_input(key=coord_key(form, "External_XYZ_Absolute", "x")).value == 3.0


def test_the_convention_of_the_chosen_system_is_shown_beside_its_inputs(make_user):
    at = logged_in(make_user("editor"), PAGE)
    form = open_new(at)
    choose(at, form, system="Stereotaxic_LambdaBrainSurface")
    shown_text = texts(at)
    assert "Coordinate convention" in shown_text and "lambda" in shown_text
    assert "positive = deeper" in shown_text
    choose(at, form, system="Stereotaxic_BregmaAbsolute")
    assert "bregma" in texts(at) and "positive = deeper" not in texts(at)


# ---------------------------------------------------------------- detail, edit, duplicate, delete


def test_detail_view_shows_every_field_with_names(make_user):
    user = make_user("viewer")
    region = region_id(user, "CA1")
    action = make_action(make_user("editor"), brain_region=region, details={"injectionVolume": 250.0})
    at = logged_in(user, PAGE, action=action["id"])
    shown_text = [t.value for t in at.text]
    assert first_subject(user)[0] in shown_text
    assert "CA1 — Field CA1" in shown_text
    assert "Stereotaxic Bregma absolute" in shown_text
    assert "Injection volume 250 nL" in shown_text
    assert action["description"] in shown_text and action["id"] in shown_text


def test_edit_changes_only_what_was_changed(make_user):
    user = make_user("editor")
    action = make_action(user, coordinates_details={"apCoordinate": -2.0, "mlCoordinate": 1.0})
    at = logged_in(user, PAGE, action=action["id"])
    at.button(key="actions.edit").click().run()
    form = at.session_state["actions.form"]["key"]
    volume = detail_key(form, "VirusInjection", "injectionVolume")
    assert at.number_input(key=volume).value == 200.0
    set_input(at, volume, 275.0)
    save(at, form)
    assert not at.error
    stored = user.api.load_model("action", id=action["id"])["action"]
    assert stored["details"] == {"injectionVolume": 275.0}
    assert stored["coordinates_details"] == action["coordinates_details"]
    assert stored["description"] == action["description"] and stored["date_time"] == action["date_time"]


def test_duplicate_creates_a_new_record_with_the_same_values(make_user):
    user = make_user("editor")
    action = make_action(user)
    at = logged_in(user, PAGE, action=action["id"])
    at.button(key="actions.duplicate").click().run()
    form = at.session_state["actions.form"]["key"]
    save(at, form)
    copies = user.api.list_all("action", filters={"description": action["description"]})
    assert len(copies) == 2
    twin = next(a for a in copies if a["id"] != action["id"])
    assert {k: v for k, v in twin.items() if k != "id"} == {k: v for k, v in action.items() if k != "id"}


def test_delete_asks_naming_the_record_and_deletes_only_on_yes(make_user):
    user = make_user("editor")
    action = make_action(user, brain_region=region_id(user, "CA1"))
    at = logged_in(user, PAGE, action=action["id"])
    at.button(key="actions.delete").click().run()
    prompt = texts(at).replace("\\", "")
    assert "Delete the action “Virus injection · " in prompt
    assert "CA1 — Field CA1 · 2024-05-01 10:30”?" in prompt
    at.button(key="actions.confirm_delete.no").click().run()
    assert user.api.load_model("action", id=action["id"])
    at.button(key="actions.delete").click().run()
    at.button(key="actions.confirm_delete.yes").click().run()
    assert not at.exception
    with pytest.raises(NotFound):
        user.api.load_model("action", id=action["id"])
    assert action["id"] not in shown(at).index and "action" not in at.query_params


# ---------------------------------------------------------------- viewers, HTML


def test_viewer_cannot_write(make_user):
    viewer = make_user("viewer")
    action = make_action(make_user("editor"))
    at = logged_in(viewer, PAGE, action=action["id"])
    assert not at.exception
    keys = {b.key for b in at.button}
    assert not keys & {"actions.new", "actions.edit", "actions.duplicate", "actions.delete"}
    at.session_state["actions.form"] = {"mode": "create", "id": None, "key": "actions.form.99"}  # forged
    at.session_state["actions.confirm_delete"] = action["id"]
    at.run()
    assert not at.exception and not any(b.key and b.key.endswith((".save", ".yes")) for b in at.button)
    description = unique("viewer")
    # The API refuses too (the bundled server answers 400: the subject is not writable for them).
    with pytest.raises((PermissionDenied, ValidationFailed)):
        viewer.api.save_model("action", data={"type": "OpticFiberImplant", "subject": action["subject"],
                                              "coordinates_system": "Stereotaxic_BregmaAbsolute",
                                              "description": description})
    assert viewer.api.list_all("action", filters={"description": description}) == []


def test_html_in_records_is_shown_as_text(make_user):
    user = make_user("editor")
    html = '<img src=x onerror="alert(1)"><b>bold</b> **not bold**'
    action = make_action(user, description=html)
    at = logged_in(user, PAGE, action=action["id"])
    assert not at.exception
    assert html in [t.value for t in at.text]
    for element in at.markdown:
        assert not element.proto.allow_html
        assert "<b>" not in element.value and "<img" not in element.value


@pytest.mark.parametrize(("role", "page", "message"), [
    (None, PAGE, "Please log in first."),
    (None, "pages/surgery_day.py", "Please log in first."),
    ("viewer", "pages/surgery_day.py", "This page needs the editor role"),
])  # fmt: skip
def test_the_pages_check_login_and_role_themselves(make_user, role, page, message):
    """Reachable by URL even when left out of the navigation: each page refuses by itself."""
    at = AppTest.from_file(str(REPO_ROOT / page), default_timeout=30)
    if role:
        at.session_state["authentication_status"] = True
        at.session_state["username"] = make_user(role).username
    at.run()
    assert not at.exception
    assert message in texts(at)
    assert not at.dataframe and not at.selectbox and not at.button


# ---------------------------------------------------------------- pure helpers


@pytest.mark.parametrize(("query", "expected"), [
    (ActionQuery(), {}),
    (ActionQuery(subject="s", type="VirusInjection", coordinates_system="External_XYZ_Absolute",
                 brain_region="r"),
     {"subject": "s", "type": "VirusInjection", "coordinates_system": "External_XYZ_Absolute",
      "brain_region": "r"}),
    (ActionQuery(date_from=date(2024, 5, 1), date_to=date(2024, 5, 31), text="  left side "),
     {"date_time.gte": "2024-05-01", "date_time.lt": "2024-06-01", "description.icontains": "left side"}),
])  # fmt: skip
def test_action_filters_are_the_api_filters_of_the_query(query, expected):
    assert action_filters(query) == expected


def test_actions_frame_names_related_records_and_adds_the_details_of_one_type():
    lookups = Lookups(subjects={"s": "Rat 1"}, regions={"r": "CA1 — Field CA1"}, consumables={"c": "AAV"})
    actions = [
        {"id": "a", "type": "VirusInjection", "subject": "s", "brain_region": "r", "consumable": "c",
         "hardwaredevice": "gone", "date_time": "2024-05-01T10:30:00", "description": "x" * 100,
         "coordinates_system": "Stereotaxic_BregmaAbsolute", "coordinates_details": {"mlCoordinate": 1.5},
         "details": {"injectionVolume": 300.0}},
        {"id": "b", "type": "OpticFiberImplant", "subject": "s", "date_time": "2024-06-01",
         "coordinates_system": "Stereotaxic_BregmaAbsolute", "details": {"fiberTipShape": "flat"}},
    ]  # fmt: skip
    frame = actions_frame(actions, lookups)
    assert list(frame.index) == ["b", "a"]  # newest first
    assert frame.loc["a"].to_dict() == {
        "when": "2024-05-01 10:30", "type": "Virus injection", "subject": "Rat 1",
        "brain region": "CA1 — Field CA1", "coordinates system": "Stereotaxic Bregma absolute",
        "coordinates": "ML +1.5 mm", "consumable": "AAV", "hardware device": "gone",
        "description": "x" * 79 + "…"}  # fmt: skip
    injections = actions_frame(actions[:1], lookups, "VirusInjection")
    assert injections.loc["a", "Injection volume (nL)"] == 300.0
    assert frame_to_csv(injections).decode().splitlines()[0].startswith("id,when,type,subject")


def test_action_deep_link_survives_the_login_page(make_user):
    user = make_user("viewer")
    action = make_action(make_user("editor"))
    at = new_app()
    at.query_params["action"] = action["id"]
    at.run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(user.password)
    at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Actions"]
    assert action["description"] in [t.value for t in at.text]


def test_actions_list_reads_only_the_newest_page_until_show_all(make_user, monkeypatch):
    """Issue 17: the Actions list had no row cap. It now asks the server for the newest
    ``ROW_LIMIT`` only (the count comes from the server) and reads all on "Show all"."""
    user = make_user("editor")
    newest = make_action(user, date_time="2999-01-02T10:00:00")  # newer than any other: first in the table
    everything = user.api.list_all("action")
    asked = list_requests(monkeypatch, user, "action", row_limit=2)
    at = logged_in(user, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert len(shown(at)) == 2 and shown(at)["when"].iloc[0].startswith("2999-01-02")
    assert f"Showing the 2 newest of {len(everything):,} matching actions" in texts(at)
    assert asked and all(options.get("limit") for options in asked)  # pages only, never everything
    at.toggle(key="actions.show_all").set_value(True).run()
    assert len(shown(at)) == len(everything)
    monkeypatch.undo()
    user.api.delete_model("action", id=newest["id"])  # the shared server's lists stay as they were
