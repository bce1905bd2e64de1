"""Issue 12 (GUI) and issue 13 (inline subject, project implant map): the Procedures page through
AppTest against the bundled server — a quantity type's form saved with its units, a record of a
schema version the app does not ship shown read-only, a subject created inside the form without
losing what was typed, the map of the filtered procedures, and the Actions screen on an
action-only setting."""

from __future__ import annotations

import itertools
import os
import sqlite3

from stemgui.gui import surgery_kind
from stemgui.gui.context import CurrentUser
from tests.gui.action_helpers import fill_action, first_subject, list_requests, names_to_ids, set_input
from tests.gui.apptest import logged_in, new_app, texts, values

PAGE = "pages/procedures.py"
_numbers = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix} {os.getpid()}-{next(_numbers)}"


def open_new(at) -> str:
    at.button(key="procedures.new").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at.session_state["procedures.form"]["key"]


def choose(at, form: str, procedure_type: str, system: str):
    at.selectbox(key=f"{form}.type").set_value(procedure_type)
    at.selectbox(key=f"{form}.coordinates_system").set_value(system)
    return at.run()


def quantity(at, form: str, where: str, name: str, value: float, unit: str) -> None:
    set_input(at, f"{form}.{where}.{name}.value", value)
    set_input(at, f"{form}.{where}.{name}.unit", unit)


def make_procedure(user, **fields) -> dict:
    body = {"type": "VirusInjection", "subject": first_subject(user)[1], "notes": unique("api"),
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "date_time": "2025-03-01T09:40:00",
            "details": {"injectionVolume": {"value": 300, "unit": "nL"}},
            "coordinates_details": {"apCoordinate": {"value": -2.0, "unit": "mm"},
                                    "mlCoordinate": {"value": 1.5, "unit": "mm"}}, **fields}
    return user.api.save_model("procedure", data=body)["procedure"]


def test_the_page_is_named_procedures_and_lists_them_with_names(make_user):
    """Issue 12: with procedures served (the bundled server) the page is "Procedures", its table
    names subjects; the Actions page stays listed because the backend also keeps actions."""
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Procedures"
    frame = at.dataframe[0].value
    expected = user.api.list_all("procedure")
    assert set(frame.index) == {p["id"] for p in expected} and len(expected) >= 4
    assert set(frame["subject"]) <= set(names_to_ids(user, "subject"))
    assert not [b for b in at.button if b.key == "procedures.new"]  # a viewer reads only
    # decided once for this backend (the app's run asked it): procedures, and actions are kept too
    assert surgery_kind._MODEL_BY_URL[user.api.base_url.rstrip("/")] == "procedure"
    assert surgery_kind._ACTIONS_BY_URL[user.api.base_url.rstrip("/")] is True


def test_a_quantity_type_is_saved_with_its_units(make_user):
    """Issue 12 item 2: VirusInjection's {value, unit} inputs (µL volume, nL/min rate) and the
    coordinates in CCF with the convention box beside them; the API returns the units typed."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    choose(at, form, "VirusInjection", "CCF_XYZ_Absolute")
    assert "midline is at z = 5.7 mm" in texts(at)  # the CCF convention beside the coordinates
    assert "schema 1.1.0" in texts(at)
    name, subject = first_subject(user)
    at.selectbox(key=f"{form}.subject").set_value(subject)
    quantity(at, form, "details.VirusInjection", "injectionVolume", 0.3, "µL")
    quantity(at, form, "details.VirusInjection", "injectionRate", 50, "nL/min")
    quantity(at, form, "coords.CCF_XYZ_Absolute", "x", 7.1, "mm")
    quantity(at, form, "coords.CCF_XYZ_Absolute", "z", 3200, "µm")
    notes = unique("quantity")
    at.text_area(key=f"{form}.notes").input(notes)
    at.button(key=f"{form}.save").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    saved = user.api.list_all("procedure", filters={"notes": notes})
    assert len(saved) == 1, texts(at)
    record = saved[0]
    assert record["subject"] == subject and record["type"] == "VirusInjection"
    assert record["details"]["injectionVolume"] == {"value": 0.3, "unit": "µL"}
    assert record["details"]["injectionRate"] == {"value": 50, "unit": "nL/min"}
    assert record["coordinates_details"]["z"] == {"value": 3200, "unit": "µm"}
    assert record["type_schema_version"] == "1.1.0"
    assert at.query_params["procedure"] == record["id"]  # the saved record is opened


def test_a_required_choice_left_out_is_an_error_at_its_field_and_nothing_is_lost(make_user):
    """Issue 12 item 2: Save without a subject says so at the subject; typed values stay."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    choose(at, form, "Craniotomy", "Stereotaxic_BregmaAbsolute")
    at.text_area(key=f"{form}.notes").input("keep this")
    at.button(key=f"{form}.save").click().run()
    assert "Choose the subject." in values(at.error)
    assert at.text_area(key=f"{form}.notes").value == "keep this"
    assert at.selectbox(key=f"{form}.type").value == "Craniotomy"


def test_a_version_the_app_does_not_ship_is_shown_read_only(make_user, gui_env):
    """Issue 12 item 2: a stored record of a newer schema version (as a newer BrainSTEM wrote it)
    is shown: its details as JSON, both versions named, Edit disabled with the reason; no crash."""
    user = make_user("editor")
    record = make_procedure(user)
    with sqlite3.connect(gui_env / "stemgui.sqlite") as db:  # what a newer server would have stored
        changed = db.execute("UPDATE procedures SET type_schema_version = '9.0.0' WHERE id = ?",
                             (record["id"],)).rowcount
    assert changed == 1
    at = logged_in(user, PAGE, procedure=record["id"])
    assert not at.exception, [e.value for e in at.exception]
    page = texts(at)
    assert "version 9.0.0 of the VirusInjection schema is not one this app ships" in page
    assert any('"injectionVolume"' in code.value for code in at.code)
    assert at.button(key="procedures.edit").disabled and at.button(key="procedures.duplicate").disabled
    assert not at.button(key="procedures.delete").disabled
    assert "Read-only:" in page


def test_a_subject_made_inside_the_form_is_chosen_and_the_form_keeps_its_values(make_user):
    """Issue 13: "New subject" beside the subject picker creates the subject (name, project,
    strain, sex) through the store and selects it; everything typed in the form stays."""
    user = make_user("editor")
    at = logged_in(user, PAGE)
    form = open_new(at)
    choose(at, form, "VirusInjection", "Stereotaxic_BregmaAbsolute")
    quantity(at, form, "details.VirusInjection", "injectionVolume", 250, "nL")
    at.text_area(key=f"{form}.notes").input("typed before the subject")
    at.run()
    name = unique("inline")
    project = user.api.list_all("project")[0]["id"]
    strain = user.api.list_all("strain")[0]["id"]
    box = f"{form}.subject.new"
    at.button(key=f"{box}.create").click().run()  # nothing filled in: errors at the fields
    assert any("name" in e.value.lower() for e in at.error), [e.value for e in at.error]
    at.text_input(key=f"{box}.name").input(name)
    at.multiselect(key=f"{box}.projects").set_value([project])
    at.selectbox(key=f"{box}.strain").set_value(strain)
    at.selectbox(key=f"{box}.sex").set_value("F")
    at.button(key=f"{box}.create").click().run()
    assert not at.exception, [e.value for e in at.exception]
    created = user.api.list_all("subject", filters={"name": name})
    assert len(created) == 1 and created[0]["projects"] == [project] and created[0]["sex"] == "F"
    assert at.selectbox(key=f"{form}.subject").value == created[0]["id"]
    assert at.text_area(key=f"{form}.notes").value == "typed before the subject"
    assert at.number_input(key=f"{form}.details.VirusInjection.injectionVolume.value").value == 250
    assert at.selectbox(key=f"{form}.type").value == "VirusInjection"


def test_the_map_shows_the_filtered_procedures_targets_by_subject(make_user):
    """Issue 13: the map toggle places every target of the table's procedures, coloured by
    subject, lists what cannot be placed, and offers PNG and SVG of both charts."""
    user = make_user("viewer")
    at = logged_in(user, PAGE)
    at.toggle(key="procedures.map.show").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 2
    assert '"field": "subject"' in charts[0].proto.spec or '"field":"subject"' in charts[0].proto.spec
    labels = {b.label for b in at.get("download_button")}
    assert {"top-view PNG", "top-view SVG", "coronal-views PNG", "coronal-views SVG"} <= labels
    assert " placed, " in texts(at)


def test_with_the_action_setting_the_page_shows_actions(make_user, monkeypatch):
    """Issue 12 item 1 and Show: STEMGUI_SURGERY_MODEL=action — the navigation lists Actions
    only; the page it offers is the Actions screen, titled "Actions", and it logs actions."""
    monkeypatch.setenv("STEMGUI_SURGERY_MODEL", "action")
    user = make_user("editor")
    listed = surgery_kind.surgery_pages(CurrentUser(user.username, user.username, "editor"))
    assert listed.actions_listed and not listed.procedures_listed
    at = logged_in(user, "pages/actions.py")  # what the navigation offers (procedures.py is not listed)
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == "Actions"
    assert set(at.dataframe[0].value.index) == {a["id"] for a in user.api.list_all("action")}
    at.button(key="actions.new").click().run()  # the same flow, shorter: one virus injection
    form = at.session_state["actions.form"]["key"]
    description = unique("action setting")
    fill_action(at, form, action_type="VirusInjection", system="Stereotaxic_BregmaAbsolute",
                details={"injectionVolume": 300}, coords={"apCoordinate": -2.0},
                subject=first_subject(user)[1], description=description)  # fmt: skip
    at.button(key=f"{form}.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    saved = user.api.list_all("action", filters={"description": description})
    assert len(saved) == 1 and saved[0]["details"]["injectionVolume"] == 300
    assert not user.api.list_all("procedure", filters={"notes": description})


def test_edit_changes_only_what_was_changed_and_delete_asks_first(make_user):
    """Issue 12 item 2: Edit opens the stored record (units as stored) and saves the change;
    Delete names the record and deletes only on the explicit yes."""
    user = make_user("editor")
    record = make_procedure(user)
    at = logged_in(user, PAGE, procedure=record["id"])
    at.button(key="procedures.edit").click().run()
    form = at.session_state["procedures.form"]["key"]
    volume = f"{form}.details.VirusInjection.injectionVolume"
    assert at.number_input(key=f"{volume}.value").value == 300
    assert at.selectbox(key=f"{volume}.unit").value == "nL"
    quantity(at, form, "details.VirusInjection", "injectionVolume", 0.25, "µL")
    at.button(key=f"{form}.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    stored = user.api.load_model("procedure", id=record["id"])["procedure"]
    assert stored["details"]["injectionVolume"] == {"value": 0.25, "unit": "µL"}
    assert stored["notes"] == record["notes"]
    assert stored["coordinates_details"] == record["coordinates_details"]
    at.button(key="procedures.delete").click().run()
    assert "Delete the procedure “Virus injection · " in texts(at)
    at.button(key="procedures.delete.no").click().run()
    assert user.api.load_model("procedure", id=record["id"])
    at.button(key="procedures.delete").click().run()
    at.button(key="procedures.delete.yes").click().run()
    assert not at.exception
    assert not user.api.list_all("procedure", filters={"notes": record["notes"]})


def test_mirror_opens_the_twin_across_the_ccf_midline(make_user):
    """Issue 12 item 2: Mirror of a CCF procedure opens a new one with z reflected across the
    atlas midline (11.4 mm − z, in the unit stored), x and y kept; Save creates it."""
    user = make_user("editor")
    record = make_procedure(user, type="SiliconProbeImplant", details={},
                            coordinates_system="CCF_XYZ_Absolute",
                            coordinates_details={"x": {"value": 7.1, "unit": "mm"},
                                                 "z": {"value": 3200, "unit": "µm"}})  # fmt: skip
    at = logged_in(user, PAGE, procedure=record["id"])
    at.button(key="procedures.mirror").click().run()
    assert not at.exception, [e.value for e in at.exception]
    form = at.session_state["procedures.form"]["key"]
    coords = f"{form}.coords.CCF_XYZ_Absolute"
    assert at.number_input(key=f"{coords}.z.value").value == 8200
    assert at.selectbox(key=f"{coords}.z.unit").value == "µm"
    assert at.number_input(key=f"{coords}.x.value").value == 7.1
    at.button(key=f"{form}.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    both = user.api.list_all("procedure", filters={"notes": record["notes"]})
    assert sorted(p["coordinates_details"]["z"]["value"] for p in both) == [3200, 8200]


def test_targets_that_cannot_be_placed_are_listed_with_why(make_user):
    """Issue 13: a target in External coordinates (no anatomical origin) is listed under the
    map with the reason, never dropped."""
    user = make_user("editor")
    record = make_procedure(user, coordinates_system="External_XYZ_Absolute",
                            coordinates_details={"x": {"value": 0.001, "unit": "m"}})
    at = logged_in(user, PAGE)
    at.text_input(key="procedures.f.text").input(record["notes"]).run()
    at.toggle(key="procedures.map.show").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    unplaced = [d.value for d in at.dataframe if len(d.value.columns) and "why" in d.value.columns]
    assert len(unplaced) == 1 and len(unplaced[0]) == 1 and unplaced[0]["why"].iloc[0]
    assert "0 placed, 1 not placeable, of 1 procedures shown" in texts(at)


def test_procedure_deep_link_survives_the_login_page(make_user):
    """Issue 12 item 1: ``?procedure=<id>`` opens that procedure on the Procedures page after the
    login page."""
    user = make_user("viewer")
    record = make_procedure(make_user("editor"))
    at = new_app()
    at.query_params["procedure"] = record["id"]
    at.run()
    at.text_input[0].input(user.username)
    at.text_input[1].input(user.password)
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.title] == ["Procedures"]
    assert any(record["notes"] in value for value in values(at.markdown) + values(at.text))


def test_a_bad_surgery_model_setting_is_a_message_naming_it(make_user, monkeypatch):
    """Issue 12 item 1: STEMGUI_SURGERY_MODEL with a typo is a message naming the variable and
    its two values, never a traceback; both surgery pages stay listed (each says so)."""
    monkeypatch.setenv("STEMGUI_SURGERY_MODEL", "procedures")
    user = make_user("viewer")
    listed = surgery_kind.surgery_pages(CurrentUser(user.username, user.username, "viewer"))
    assert listed.procedures_listed and listed.actions_listed
    at = logged_in(user, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    message = " ".join(values(at.error))
    assert "STEMGUI_SURGERY_MODEL is 'procedures'" in message and "'action'" in message


def test_filters_narrow_the_table_and_the_detail_names_both_schema_versions(make_user):
    """Issue 12 item 2: the type and notes filters ask the server; the opened record's detail
    names the schema versions of its details and coordinates."""
    user = make_user("editor")
    record = make_procedure(user, type="Craniotomy", details={"shape": "round"})
    at = logged_in(user, PAGE)
    at.selectbox(key="procedures.f.type").set_value("Craniotomy").run()
    assert set(at.dataframe[0].value["type"]) == {"Craniotomy"}
    at.text_input(key="procedures.f.text").input(record["notes"]).run()
    assert list(at.dataframe[0].value.index) == [record["id"]]
    at = logged_in(user, PAGE, procedure=record["id"])
    page = texts(at)
    assert f"Craniotomy {record['type_schema_version']}" in page
    assert f"Stereotaxic_BregmaAbsolute {record['coordinates_schema_version']}" in page


def test_procedures_list_reads_only_the_newest_page_until_show_all(make_user, monkeypatch):
    """Issue 17: the Procedures list read every matching procedure (``list_all``) for a table
    that shows the newest ``ROW_LIMIT``. It now asks the server for those only (the count comes
    from the server) and reads all on "Show all"."""
    user = make_user("editor")
    newest = make_procedure(user, date_time="2999-01-02T10:00:00")  # newer than any other: first
    everything = user.api.list_all("procedure")
    assert len(everything) > 2
    asked = list_requests(monkeypatch, user, "procedure", row_limit=2)
    at = logged_in(user, PAGE)
    assert not at.exception, [e.value for e in at.exception]
    frame = at.dataframe[0].value
    assert len(frame) == 2 and frame.index[0] == newest["id"]
    assert f"Showing the 2 newest of {len(everything):,} matching procedures" in texts(at)
    assert asked and all(options.get("limit") for options in asked)  # pages only, never everything
    at.toggle(key="procedures.show_all").set_value(True).run()
    assert set(at.dataframe[0].value.index) == {p["id"] for p in everything}
    monkeypatch.undo()
    user.api.delete_model("procedure", id=newest["id"])  # the shared server's lists stay as they were
