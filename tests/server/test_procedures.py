"""Today's BrainSTEM procedures on the bundled server (issue 12, "Server").

Every one of the 43 procedure types is written with its example payload (the docs' examples of
api-modules-procedure.md where they give one, else a complete realistic one) and refused with
one invalid payload naming the field; on SQLite and PostgreSQL (the ``server`` fixture).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stemgui.schemas import latest_version, load_versioned
from stemgui.schemas.quantities import is_quantity
from stemgui.server.procedure_examples import DOCS_EXAMPLES, KINDS, example_details, procedure_types
from tests.server.api import Api, flt, names_field
from tests.server.builders import make_project, make_subject, share
from tests.server.current_builders import (
    make_equipment,
    make_inventory,
    make_license,
    make_procedure,
    make_setup,
    make_stock,
    procedure_payload,
)

# The fields of the response examples in api-modules-procedure.md.
PROCEDURE_KEYS = {
    "id", "type", "notes", "subject", "date_time", "consumablestock", "equipment", "licenses",
    "details", "type_schema_version", "brain_region", "coordinates_system", "coordinates_details",
    "coordinates_schema_version", "created_at", "updated_at",
}  # fmt: skip
TYPES = procedure_types()


@dataclass
class Lab:
    owner: Api
    reader: Api  # member without can_change
    outsider: Api
    project: str
    subject: dict
    stock: dict
    equipment: dict
    license: dict


@pytest.fixture(scope="module")
def lab(new_api, taxa) -> Lab:
    owner, reader, outsider = new_api("surgeon"), new_api("reader"), new_api("outsider")
    project = make_project(owner)["id"]
    share(owner, project, reader, can_change=False)
    subject = make_subject(owner, [project], taxa.strain)
    stock = make_stock(owner, make_inventory(owner)["id"])
    equipment = make_equipment(owner, make_setup(owner)["id"])
    return Lab(owner, reader, outsider, project, subject, stock, equipment, make_license(owner))


def invalid_details(procedure_type: str) -> tuple[dict, str]:
    """(details that break the type's schema, the error key that must name it)."""
    schema = load_versioned(KINDS.types, procedure_type)
    details = example_details(procedure_type)
    name = (schema.get("required") or list(schema["properties"]))[0]  # a required field when there is one
    prop = schema["properties"][name]
    if is_quantity(prop):
        details[name] = {"value": 1, "unit": "furlong"}
        return details, f"details.{name}.unit"
    wrong = {"string": 12, "integer": "many", "number": "many", "boolean": "yes", "array": "x"}
    details[name] = "not-a-choice" if prop.get("enum") else wrong[prop["type"]]
    return details, f"details.{name}"


def test_a_missing_required_field_is_named(lab):
    """Issue 12: Anesthesia needs its agent and route; the message names the missing field."""
    payload = procedure_payload(lab.subject["id"], "Anesthesia", details={"route": "Inhalation"})
    response = lab.owner.post("procedure", payload)
    assert response.status_code == 400
    assert response.json() == {"details.anestheticAgent": ["Anesthetic agent is required."]}


def test_every_documented_type_is_served():
    """Issue 12: the server has all 43 types of today's docs, each with its schema version."""
    assert len(TYPES) == 43
    assert {"Anesthesia", "Craniotomy", "VirusInjection", "PerfusionFixation", "Headcap"} <= set(TYPES)
    assert all(latest_version(KINDS.types, name) in ("1.0.0", "1.1.0") for name in TYPES)


@pytest.mark.parametrize("procedure_type", TYPES)
def test_each_type_example_is_stored_and_returned(lab, procedure_type):
    """Issue 12 Show: every type's example payload is accepted, stored and read back with its
    schema version; quantities come back as {value, unit}."""
    details = example_details(procedure_type)
    payload = {
        "type": procedure_type,
        "subject": lab.subject["id"],
        "notes": f"{procedure_type} example",
        "date_time": "2026-11-20T10:15:00",
        "details": details,
        "coordinates_system": "CCF_XYZ_Absolute",
        "coordinates_details": {"x": {"value": 5.7, "unit": "mm"}, "z": {"value": 3.1, "unit": "mm"}},
    }
    created = lab.owner.create("procedure", payload)
    assert set(created) == PROCEDURE_KEYS
    assert created["details"] == details
    assert created["type_schema_version"] == latest_version(KINDS.types, procedure_type)
    assert created["coordinates_schema_version"] == "1.1.0"
    again = lab.owner.read("procedure", created["id"])
    assert again == created


@pytest.mark.parametrize("procedure_type", TYPES)
def test_each_type_refuses_an_invalid_payload_naming_the_field(lab, procedure_type):
    """Issue 12 Show: one invalid payload per type -> 400 naming the field; nothing stored."""
    details, field = invalid_details(procedure_type)
    before = lab.owner.count("procedure", **{flt("subject"): lab.subject["id"], flt("type"): procedure_type})
    response = lab.owner.post(
        "procedure", procedure_payload(lab.subject["id"], procedure_type, details=details)
    )
    assert response.status_code == 400, response.text
    assert field in response.json(), response.json()
    after = lab.owner.count("procedure", **{flt("subject"): lab.subject["id"], flt("type"): procedure_type})
    assert after == before


@pytest.mark.parametrize("name", sorted(DOCS_EXAMPLES))
def test_docs_examples_with_bare_number_coordinates(lab, name):
    """Issue 12: the docs' own examples write bare numbers for coordinates; they are read as
    values in the schema's default unit (the docs win over the schema)."""
    example = DOCS_EXAMPLES[name]
    extra = {
        "consumablestock": lab.stock["id"],
        "equipment": [lab.equipment["id"]],
        "licenses": [lab.license["id"]],
    }
    created = lab.owner.create("procedure", {**example, "subject": lab.subject["id"], **extra})
    assert created["details"] == example["details"]
    assert created["coordinates_details"]["apCoordinate"] == {
        "value": example["coordinates_details"]["apCoordinate"],
        "unit": "mm",
    }
    assert created["coordinates_details"]["mlAngle"]["unit"] == "°"
    assert created["equipment"] == [lab.equipment["id"]] and created["licenses"] == [lab.license["id"]]
    assert created["consumablestock"] == lab.stock["id"]


def test_units_from_the_schema_enum(lab):
    """Issue 12: a quantity's unit must be one of the schema's; an omitted unit is the default."""
    ok = lab.owner.create(
        "procedure",
        procedure_payload(
            lab.subject["id"],
            details={"injectionVolume": {"value": 0.3, "unit": "µL"}, "injectionRate": {"value": 50}},
        ),
    )
    assert ok["details"]["injectionVolume"] == {"value": 0.3, "unit": "µL"}
    assert ok["details"]["injectionRate"] == {"value": 50, "unit": "nL/min"}
    bad = lab.owner.post(
        "procedure",
        procedure_payload(lab.subject["id"], details={"injectionVolume": {"value": 3, "unit": "gallon"}}),
    )
    assert bad.status_code == 400 and "details.injectionVolume.unit" in bad.json()
    assert "nL, µL, mL, L" in bad.json()["details.injectionVolume.unit"][0]
    no_value = lab.owner.post(
        "procedure",
        procedure_payload(lab.subject["id"], coordinates_details={"apCoordinate": {"unit": "mm"}}),
    )
    assert no_value.status_code == 400 and "coordinates_details.apCoordinate.value" in no_value.json()


@pytest.mark.parametrize("field", ["type_schema_version", "coordinates_schema_version"])
def test_unknown_schema_version_is_refused_naming_the_field(lab, field):
    """Issue 12: a write naming a schema version the server does not have -> 400 naming the field."""
    response = lab.owner.post("procedure", procedure_payload(lab.subject["id"], **{field: "9.9.9"}))
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert "9.9.9" in response.json()[field][0]


def test_patch_keeps_version_and_a_new_type_starts_at_its_newest(lab):
    """Issue 12: PATCH keeps the version; a new type is checked against its own newest schema."""
    created = make_procedure(lab.owner, lab.subject["id"], type_schema_version="1.1.0")
    changed = lab.owner.change("procedure", created["id"], {"notes": "pump re-primed"})
    assert changed["notes"] == "pump re-primed" and changed["type_schema_version"] == "1.1.0"
    assert changed["created_at"] == created["created_at"] and changed["updated_at"] > created["updated_at"]
    retyped = lab.owner.change(
        "procedure", created["id"], {"type": "Craniotomy", "details": {"shape": "circular"}}
    )
    assert retyped["type"] == "Craniotomy" and retyped["type_schema_version"] == "1.0.0"
    refused = lab.owner.patch("procedure", created["id"], {"details": {"fatalOutcome": "no"}})
    assert refused.status_code == 400 and "details.fatalOutcome" in refused.json()


def test_required_fields_and_unknown_type_name_the_field(lab):
    """Issue 12: subject, type and coordinates_system are required; unknown names are refused."""
    response = lab.owner.post("procedure", {"notes": "x"})
    assert response.status_code == 400
    assert {"type", "subject", "coordinates_system"} <= set(response.json())
    old = lab.owner.post(
        "procedure", procedure_payload(lab.subject["id"], coordinates_system="Stereotaxic_XY_Surface")
    )
    assert old.status_code == 400 and names_field(old.json(), ("coordinates_system",))
    seed_type = lab.owner.post("procedure", procedure_payload(lab.subject["id"], "SingleWireElectrode"))
    assert seed_type.status_code == 400 and names_field(seed_type.json(), ("type",))


def test_permissions_follow_the_subjects_projects(lab):
    """Issue 12: procedures have the same permissions as actions (through the subject's projects)."""
    created = make_procedure(lab.owner, lab.subject["id"])
    assert lab.reader.read("procedure", created["id"])["id"] == created["id"]
    assert created["id"] in lab.reader.ids("procedure", **{flt("subject"): lab.subject["id"]})
    assert lab.outsider.get("procedure", created["id"]).status_code == 404
    assert created["id"] not in lab.outsider.ids("procedure")
    assert lab.reader.patch("procedure", created["id"], {"notes": "x"}).status_code == 403
    assert lab.reader.delete("procedure", created["id"]).status_code == 403
    denied = lab.reader.post("procedure", procedure_payload(lab.subject["id"]))
    assert denied.status_code == 403 and names_field(denied.json(), ("subject",))
    hidden = lab.outsider.post("procedure", procedure_payload(lab.subject["id"]))
    assert hidden.status_code == 400 and names_field(hidden.json(), ("subject",))
    assert lab.owner.delete("procedure", created["id"]).status_code == 204
    assert lab.owner.get("procedure", created["id"]).status_code == 404


def test_public_portal_shows_procedures_of_public_projects_only(new_api, anonymous, taxa):
    """Issue 12: the public portal lists procedures of public projects, read-only."""
    owner = new_api("pub")
    public = make_project(owner, is_public=True)["id"]
    private = make_project(owner)["id"]
    shown = make_procedure(owner, make_subject(owner, [public], taxa.strain)["id"])
    hidden = make_procedure(owner, make_subject(owner, [private], taxa.strain)["id"])
    ids = anonymous.ids("procedure", portal="public", limit=100)
    assert shown["id"] in ids and hidden["id"] not in ids
    assert anonymous.post("procedure", procedure_payload(shown["subject"]), portal="public").status_code in (
        401,
        403,
    )


def test_filters_sort_include_and_subject_relations(lab):
    """Issue 12: list filters on procedures; a subject's `procedures` (the official client's
    default include) and unserved relations (`subjectlogs`) come back as lists, never a 400."""
    first = make_procedure(lab.owner, lab.subject["id"], "Anesthesia",
                           details={"anestheticAgent": "Isoflurane", "route": "Inhalation"})  # fmt: skip
    second = make_procedure(lab.owner, lab.subject["id"], notes="left hemisphere")
    found = lab.owner.records(
        "procedure", **{flt("subject.id"): lab.subject["id"], flt("notes.icontains"): "LEFT"}
    )
    assert [p["id"] for p in found] == [second["id"]]
    assert first["id"] in lab.owner.ids("procedure", **{flt("type"): "Anesthesia"})
    body = lab.owner.listing(
        "procedure", **{"include[]": ["subject.*", "consumablestock.*"], flt("id"): second["id"]}
    )
    assert body["procedures"][0]["subject"]["id"] == lab.subject["id"]
    subject = lab.owner.records(
        "subject", **{"include[]": ["procedures.*", "subjectlogs.*"], flt("id"): lab.subject["id"]}
    )[0]
    assert {first["id"], second["id"]} <= {p["id"] for p in subject["procedures"]}
    assert subject["subjectlogs"] == []
    project = lab.owner.records(
        "project",
        **{"include[]": ["sessions.*", "subjects.*", "collections.*", "cohorts.*"], flt("id"): lab.project},
    )[0]
    assert [s["id"] for s in project["subjects"]] == [lab.subject["id"]]
    assert project["collections"] == [] and project["cohorts"] == [] and project["sessions"] == []
    assert lab.owner.count("session", **{flt("datastorage.id"): lab.project}) == 0


def test_links_change_and_follow_deletions(lab):
    """Issue 12: equipment/licenses are replaced by a PATCH. A stock or equipment a procedure still
    names cannot be deleted (400 naming the uses: the procedure would silently forget its virus lot);
    once no procedure names it, it can, and nothing dangles."""
    inventory = make_inventory(lab.owner)
    stock = make_stock(lab.owner, inventory["id"])
    setup = make_setup(lab.owner)
    first, second = make_equipment(lab.owner, setup["id"]), make_equipment(lab.owner, setup["id"])
    created = make_procedure(
        lab.owner, lab.subject["id"], consumablestock=stock["id"], equipment=[first["id"], second["id"]]
    )
    assert sorted(created["equipment"]) == sorted([first["id"], second["id"]])
    changed = lab.owner.change("procedure", created["id"], {"equipment": [second["id"]], "licenses": []})
    assert changed["equipment"] == [second["id"]] and changed["consumablestock"] == stock["id"]
    for model, record in (("equipment", second), ("consumablestock", stock)):
        refused = lab.owner.delete(model, record["id"])
        assert refused.status_code == 400 and "1 procedures" in refused.text, refused.text
    held = lab.owner.delete("inventory", inventory["id"])  # its stocks go with it: their uses count
    assert held.status_code == 400 and "procedures (as their consumablestock)" in held.text, held.text
    assert lab.owner.read("procedure", created["id"])["equipment"] == [second["id"]]
    lab.owner.change("procedure", created["id"], {"equipment": [], "consumablestock": None})
    assert lab.owner.delete("equipment", second["id"]).status_code == 204
    assert lab.owner.delete("consumablestock", stock["id"]).status_code == 204
    after = lab.owner.read("procedure", created["id"])
    assert after["equipment"] == [] and after["consumablestock"] is None
    unknown = lab.owner.patch("procedure", created["id"], {"equipment": [second["id"]]})
    assert unknown.status_code == 400 and names_field(unknown.json(), ("equipment",))
