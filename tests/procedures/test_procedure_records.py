"""Issue 12 (GUI items 4 and 6): the procedure form's payload, the procedures table and detail,
and the pickers' options — against the real bundled server with the demo lab (real HTTP, real
client), plus pure checks for a stored record whose schema version the app does not ship."""

from __future__ import annotations

import copy
from datetime import date, time

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import ValidationFailed
from stemgui.form_errors import server_field_errors
from stemgui.procedure_payload import (
    ProcedureFormValues,
    build_procedure_payload,
    coordinates_schema,
    is_form_field,
    mirrored_procedure,
    type_schema,
    unshipped_versions,
    values_from_procedure,
    writable,
)
from stemgui.procedure_pickers import (
    equipment_label,
    keep_chosen,
    license_label,
    load_pickers,
    stock_label,
)
from stemgui.procedure_table import (
    ProcedureLookups,
    ProcedureQuery,
    detail_rows,
    is_editable,
    procedure_filters,
    procedures_frame,
    record_label,
    unshipped_rows,
)


@pytest.fixture(scope="module")
def api(demo_server):
    """A client of a member of the demo lab's projects (who sees its surgeries)."""
    username, token = demo_server.new_user("procgui")
    demo_server.cli("demo", "--member", username)
    with BrainstemClient(demo_server.url, token) as client:
        yield client


@pytest.fixture(scope="module")
def procedures(api) -> list[dict]:
    return api.list_all("procedure")


@pytest.fixture(scope="module")
def lookups(api) -> ProcedureLookups:
    pickers = load_pickers(api)
    subjects = {s["id"]: s["name"] for s in api.list_all("subject")}
    regions = {r["id"]: r["acronym"] for r in api.list_all("brainregion", filters={"acronym": "CA1"})}
    return ProcedureLookups(subjects=subjects, regions=regions, stocks=pickers.stocks,
                            equipment=pickers.equipment, licenses=pickers.licenses)


def by_type(procedures: list[dict], kind: str) -> dict:
    return next(p for p in procedures if p["type"] == kind and p["consumablestock"] or p["type"] == kind)


def test_pickers_label_stocks_by_consumable_and_lot(api):
    """Issue 12 GUI item 6: stocks by consumable name and lot; equipment; licenses."""
    pickers = load_pickers(api)
    stocks = list(pickers.stocks.values())
    assert "AAV5-CaMKIIa-hChR2(H134R)-EYFP · lot V-2025-031" in stocks
    assert "AAV9-hSyn-jGCaMP8m-WPRE · lot V-2025-044" in stocks  # no consumable: the construct
    assert stocks[-1] == "AAV5-CaMKIIa-hChR2(H134R)-EYFP · lot V-2024-118 · depleted"  # listed, last
    assert {"Kopf Model 940 stereotax", "Nanoject III injector",
            "A1x32 probe #2291 (SiliconProbe)"} <= set(pickers.equipment.values())
    assert list(pickers.licenses.values()) == [
        "IACUC Protocol 2025-014: Hippocampal circuits in rodents (IACUC-2025-014, active)"]


def test_picker_labels_without_names():
    assert stock_label({"type": "Virus", "details": {"lotNumber": "L7"}}, {}) == "Virus · lot L7"
    assert equipment_label({"type": "Injector", "name": ""}) == "Injector"
    assert license_label({"type": "animal_research_authorization", "name": "", "status": "expired"}) == (
        "Animal research authorization (expired)")
    assert keep_chosen({"a": "A"}, ["a", "gone"]) == {"a": "A", "gone": "gone (not visible to you)"}


def test_stored_procedure_round_trips_through_the_form(api, procedures):
    """Issue 12 GUI item 4: a stored procedure -> form values -> the same payload, and the server
    takes it (a duplicate)."""
    stored = next(p for p in procedures if p["type"] == "VirusInjection")
    values = values_from_procedure(stored)
    assert type_schema(values)["version"] == stored["type_schema_version"]
    assert coordinates_schema(values)["version"] == stored["coordinates_schema_version"]
    payload, errors = build_procedure_payload(values)
    assert errors == {}
    assert payload == {**writable(stored), "date_time": stored["date_time"]}
    created = api.save("procedure", data=payload)["procedure"]
    try:
        for name in ("details", "coordinates_details", "equipment", "licenses", "consumablestock",
                     "type_schema_version", "coordinates_schema_version", "notes"):
            assert created[name] == stored[name], name
    finally:
        api.delete("procedure", id=created["id"])


def test_new_procedure_from_typed_values(api, procedures, lookups):
    """Issue 12 GUI item 4: µL volume, nL/min rate, in CCF; the newest schema versions are sent."""
    subject = procedures[0]["subject"]
    stereotax = next(i for i, label in lookups.equipment.items() if label.startswith("Kopf"))
    stock = next(i for i, label in lookups.stocks.items() if "V-2025-031" in label)
    values = ProcedureFormValues(
        type="VirusInjection", coordinates_system="CCF_XYZ_Absolute", subject=subject,
        day=date(2025, 4, 2), time=time(11, 15), consumablestock=stock, equipment=[stereotax],
        licenses=list(lookups.licenses), notes="right CA1",
        details={"injectionVolume": {"value": 0.25, "unit": "µL"},
                 "injectionRate": {"value": 40.0, "unit": "nL/min"}},
        coordinates_details={"x": {"value": 8.9, "unit": "mm"}, "z": {"value": 8300, "unit": "µm"}},
    )  # fmt: skip
    payload, errors = build_procedure_payload(values)
    assert errors == {}
    assert payload["type_schema_version"] == "1.1.0" and payload["coordinates_schema_version"] == "1.1.0"
    assert payload["date_time"] == "2025-04-02T11:15:00"
    created = api.save("procedure", data=payload)["procedure"]
    try:
        assert created["details"]["injectionVolume"] == {"value": 0.25, "unit": "µL"}
        assert created["coordinates_details"]["z"] == {"value": 8300, "unit": "µm"}
        twin = api.save("procedure", data=mirrored_procedure(created, "2025-04-02T11:30:00"))["procedure"]
        assert twin["coordinates_details"]["z"] == {"value": 3100, "unit": "µm"}  # 11400 − 8300
        assert twin["coordinates_details"]["x"] == created["coordinates_details"]["x"]
        api.delete("procedure", id=twin["id"])
    finally:
        api.delete("procedure", id=created["id"])


def test_errors_per_field_before_sending():
    """Issue 12 GUI item 4: missing choices, long notes, a value that is no number, an emptied
    required input — each at its field."""
    assert build_procedure_payload(ProcedureFormValues())[1] == {
        "type": "Choose the procedure type.", "coordinates_system": "Choose the coordinates system.",
        "subject": "Choose the subject."}
    base = ProcedureFormValues(type="Anesthesia", coordinates_system="CCF_XYZ_Absolute",
                               subject="00000000-0000-4000-8000-000000000001",
                               details={"anestheticAgent": "Isoflurane", "route": "Inhalation"})
    assert build_procedure_payload(base)[1] == {}
    long = copy.deepcopy(base)
    long.notes = "x" * 501
    assert build_procedure_payload(long)[1] == {"notes": "At most 500 characters (now 501)."}
    emptied = copy.deepcopy(base)
    del emptied.details["route"]
    assert list(build_procedure_payload(emptied)[1]) == ["details.route"]
    wrong = copy.deepcopy(base)
    wrong.details["duration"] = {"value": "long", "unit": "min"}
    assert list(build_procedure_payload(wrong)[1]) == ["details.duration.value"]
    assert build_procedure_payload(base, {"details.x": "not JSON"})[1] == {"details.x": "not JSON"}


def test_changed_type_uses_the_newest_version():
    values = ProcedureFormValues(type="VirusInjection", type_schema_version="1.0.0")
    assert type_schema(values)["version"] == "1.1.0"  # 1.0.0 is not shipped for it


def test_server_refusal_lands_at_the_version_field(api, procedures):
    """Issue 12 GUI item 4: the server refuses a version it does not have; the message is put at
    the field, and such a record can therefore not be written through the API."""
    payload = {**writable(procedures[0]), "type_schema_version": "9.9.9"}
    with pytest.raises(ValidationFailed) as refused:
        api.save("procedure", data=payload)
    errors = server_field_errors(refused.value, is_form_field)
    assert "9.9.9" in errors["type_schema_version"]


def test_procedures_table_shows_names_and_units(procedures, lookups):
    """Issue 12 GUI item 4: names instead of ids; one type's details as columns in their units."""
    frame = procedures_frame(procedures, lookups, "VirusInjection")
    injection = next(p for p in procedures if p["type"] == "VirusInjection" and "V-2025-031" in
                     lookups.stocks.get(p["consumablestock"] or "", ""))
    row = frame.loc[injection["id"]]
    assert row["type"] == "Virus injection" and row["subject"] == "PV03" and row["brain region"] == "CA1"
    assert row["consumable stock"] == "AAV5-CaMKIIa-hChR2(H134R)-EYFP · lot V-2025-031"
    assert row["equipment"] == "Nanoject III injector, Kopf Model 940 stereotax"
    assert row["licenses"].startswith("IACUC Protocol 2025-014")
    assert row["coordinates"] == "AP -2 mm, ML -1.5 mm, DV -1.3 mm"
    assert row["Injection volume"] == "0.3 µL" and row["Injection rate"] == "50 nL/min"
    assert list(frame.index) == sorted(frame.index, key=lambda i: next(
        p["date_time"] for p in procedures if p["id"] == i), reverse=True)
    anesthesia = frame.loc[next(p["id"] for p in procedures if p["type"] == "Anesthesia")]
    assert anesthesia["consumable stock"] == "" and anesthesia["Injection volume"] == ""  # not its type


def test_detail_shows_the_schema_versions(procedures, lookups):
    """Issue 12 GUI item 4: a record's schema versions are shown in its detail."""
    injection = next(p for p in procedures if p["type"] == "VirusInjection")
    rows = dict(detail_rows(injection, lookups))
    assert rows["Type schema version"] == "VirusInjection 1.1.0"
    assert rows["Coordinates schema version"] == "Stereotaxic_BregmaAbsolute 1.1.0"
    assert "Injection volume 0.3 µL" in rows["Details"]
    assert is_editable(injection) and unshipped_rows(injection) == []
    assert record_label(injection, lookups).startswith("Virus injection · PV03 · CA1 · 2025-03-01")


def test_record_of_a_version_the_app_does_not_ship_is_shown_read_only(procedures, lookups):
    """Issue 12 GUI item 4: a stored record whose version the app does not ship (the bundled
    server refuses to store one, see above, so it is a dict as a newer BrainSTEM would send it):
    its fields as read-only JSON, never a crash."""
    newer = {**next(p for p in procedures if p["type"] == "VirusInjection"), "type_schema_version": "2.0.0",
             "details": {"injectionVolume": {"value": 0.3, "unit": "µL", "sd": 0.01}, "newField": [1, 2]}}
    assert unshipped_versions(newer) == {"type_schema_version": (
        "version 2.0.0 of the VirusInjection schema is not one this app ships (1.1.0); its details "
        "are shown as stored")}
    assert not is_editable(newer)
    rows = dict(detail_rows(newer, lookups))
    assert rows["Type schema version"] == "VirusInjection 2.0.0" and rows["Details"] == ""
    assert rows["Coordinates"] == "AP -2 mm\nML -1.5 mm\nDV -1.3 mm"  # its coordinates are shipped
    [(label, why, text)] = unshipped_rows(newer)
    assert label == "Details" and "2.0.0" in why
    assert text == '{"injectionVolume": {"value": 0.3, "unit": "µL", "sd": 0.01}, "newField": [1, 2]}'
    frame = procedures_frame([newer], lookups, "VirusInjection")  # the table does not crash either
    assert frame.loc[newer["id"], "type"] == "Virus injection"
    unknown = {"id": "u1", "type": "FutureProcedure", "coordinates_system": "Stereotaxic_BregmaAbsolute",
               "details": {"a": 1}, "subject": "s"}
    assert "type_schema_version" in unshipped_versions(unknown)
    assert dict(detail_rows(unknown, lookups))["Type"] == "Future procedure"


def test_filters_search_notes():
    query = ProcedureQuery(type="VirusInjection", text=" needle ", date_from=date(2025, 3, 1))
    assert procedure_filters(query) == {"type": "VirusInjection", "date_time.gte": "2025-03-01",
                                        "notes.icontains": "needle"}


def test_filters_work_on_the_server(api):
    found = api.list_all("procedure", filters=procedure_filters(ProcedureQuery(text="needle left")))
    assert found and all("needle left" in p["notes"] for p in found)


