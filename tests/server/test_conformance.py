"""Replay the request examples of spec/session-api.md and spec/action-api.md against the server.

Ids of the spec examples are replaced by records made here; status codes, envelopes, key sets
and values are compared with the spec's response examples.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from stemgui.schemas import action_types, coordinate_systems
from tests.server.api import ACTION_KEYS, PAGING_KEYS, SESSION_KEYS, unique, unwrap
from tests.server.builders import OPTIC_FIBER_SPEC_EXAMPLE, make_project, make_subject

EMPTY_RELATIONS = ("epochs", "datastorage", "dataacquisition", "behaviors", "manipulations")
EXTRA_FIELDS = {"extra_property": "setting1", "another_property": 22}
DOWNLOAD_LINKS = [
    {"Repository": "DANDI", "URL": "https://dandiarchive.org/dandiset/123456?pos=1"},
    {"Repository": "GitHub", "URL": "https://github.com/my_user/my_code"},
]
TETRODE_DETAILS = {"tetrodeCount": 1, "nWiresTetrode": 4, "wireDiameter": 33.9, "wireMaterial": "tunsgten"}


@pytest.fixture(scope="module")
def lab(new_api, taxa):
    """A user with a project and a subject in it."""
    api = new_api("conf")
    project = make_project(api)
    subject = make_subject(api, [project["id"]], taxa.strain)
    return api, project["id"], subject["id"]


def assert_uuid(value: str) -> None:
    assert str(uuid.UUID(value)) == value.lower()


def assert_new_session(session: dict, name: str, description: str, project: str) -> None:
    """The field set and values of the spec's "Add" response example."""
    assert set(session) == SESSION_KEYS
    assert_uuid(session["id"])
    assert session["name"] == name
    assert session["description"] == description
    assert session["projects"] == [project]
    assert session["date_time"] is None
    for field in EMPTY_RELATIONS:
        assert session[field] == [], field
    assert session["extra_fields"] in ([], {})
    assert session["download_links"] == []
    assert session["tags"] == []
    assert session["name_used_in_storage"] == ""
    assert session["links"] == {"projects": "projects/"}


# --- sessions -------------------------------------------------------------------------------


def test_session_add_replays_spec_example(lab):
    api, project, _ = lab
    name = unique("NewSession")
    response = api.post("session", {"name": name, "description": "some text", "projects": [project]})
    assert response.status_code == 201
    assert_new_session(unwrap("session", response.json()), name, "some text", project)


def test_session_detail_replays_spec_example(lab):
    api, project, _ = lab
    created = api.create(
        "session",
        {
            "name": unique("NewSession"),
            "description": "some text",
            "projects": [project],
            "extra_fields": EXTRA_FIELDS,
            "download_links": DOWNLOAD_LINKS,
        },
    )
    response = api.get("session", created["id"])
    assert response.status_code == 200
    session = unwrap("session", response.json())
    assert set(session) == SESSION_KEYS
    assert session == created
    assert session["extra_fields"] == EXTRA_FIELDS
    assert session["download_links"] == DOWNLOAD_LINKS


def test_session_change_replays_spec_example(lab):
    api, project, _ = lab
    created = api.create(
        "session", {"name": unique("NewSession"), "description": "some text", "projects": [project]}
    )
    response = api.patch("session", created["id"], {"description": "new text"})
    assert response.status_code == 200
    changed = unwrap("session", response.json())
    assert changed == {**created, "description": "new text"}
    assert api.read("session", created["id"]) == changed


def test_session_list_replays_spec_example(new_api):
    api = new_api("conflist")
    project = make_project(api)
    first = api.create("session", {"name": unique("session1"), "projects": [project["id"]]})
    second = api.create("session", {"name": unique("session2"), "projects": [project["id"]]})
    response = api.get("session")
    assert response.status_code == 200
    body = response.json()
    assert "sessions" in body and "count" in body
    assert set(body) - PAGING_KEYS == {"sessions"}
    assert body["count"] == 2
    by_id = {session["id"]: session for session in body["sessions"]}
    assert by_id == {first["id"]: first, second["id"]: second}
    for session in body["sessions"]:
        assert set(session) == SESSION_KEYS


def test_session_delete_replays_spec_example(lab):
    api, project, _ = lab
    created = api.create("session", {"name": unique("NewSession"), "projects": [project]})
    before = api.count("session", **{"filter{projects.id}": project})
    response = api.delete("session", created["id"])
    assert response.status_code == 204
    assert response.content == b""
    assert api.get("session", created["id"]).status_code == 404
    assert api.count("session", **{"filter{projects.id}": project}) == before - 1


def test_session_extra_fields_list_form_is_stored_as_object(lab):
    api, project, _ = lab
    pairs = [{"name": "extra_property", "value": "setting1"}, {"name": "another_property", "value": 22}]
    created = api.create("session", {"name": unique("S"), "projects": [project], "extra_fields": pairs})
    assert created["extra_fields"] == EXTRA_FIELDS
    assert api.read("session", created["id"])["extra_fields"] == EXTRA_FIELDS


def test_session_read_only_fields_are_ignored_on_write(lab):
    api, project, _ = lab
    foreign = str(uuid.uuid4())
    data = {
        "id": foreign,
        "name": unique("S"),
        "projects": [project],
        **{field: [str(uuid.uuid4())] for field in EMPTY_RELATIONS},
        "links": {"epochs": "epochs/"},
    }
    created = api.create("session", data)
    assert created["id"] != foreign
    for field in EMPTY_RELATIONS:
        assert created[field] == [], field
    assert created["links"] == {"projects": "projects/"}
    changed = api.change("session", created["id"], {"id": foreign, "epochs": [foreign]})
    assert changed == created


def test_session_accepts_all_writable_fields(lab):
    api, project, _ = lab
    data = {
        "name": unique("Full"),
        "description": "every field",
        "projects": [project],
        "date_time": "2023-03-22",
        "extra_fields": EXTRA_FIELDS,
        "download_links": DOWNLOAD_LINKS,
        "tags": ["cooling", "medial septum"],
    }
    created = api.create("session", data)
    assert {k: created[k] for k in data if k != "date_time"} == {
        k: v for k, v in data.items() if k != "date_time"
    }
    assert created["date_time"].startswith("2023-03-22")


@pytest.mark.parametrize("value", ["2023-03-22", "2023-03-22T14:05:00", "2023-03-22T14:05:00Z"])
def test_session_date_time_accepts_dates_and_iso_date_times(lab, value):
    api, project, _ = lab
    created = api.create("session", {"name": unique("D"), "projects": [project], "date_time": value})
    assert created["date_time"].startswith("2023-03-22")


def test_session_patch_is_partial(lab):
    api, project, _ = lab
    created = api.create(
        "session", {"name": unique("P"), "projects": [project], "tags": ["a"], "extra_fields": {"k": 1}}
    )
    changed = api.change("session", created["id"], {"tags": ["b", "c"]})
    assert changed == {**created, "tags": ["b", "c"]}


@pytest.mark.parametrize("slash", [True, False], ids=["slash", "no-slash"])
def test_session_urls_work_with_and_without_trailing_slash(lab, slash):
    api, project, _ = lab
    response = api.http.post(
        api.url("session", slash=slash), json={"name": unique("U"), "projects": [project]}
    )
    assert response.status_code == 201
    session_id = unwrap("session", response.json())["id"]
    assert api.http.get(api.url("session", session_id, slash=slash)).status_code == 200
    assert api.http.get(api.url("session", slash=slash)).status_code == 200
    patched = api.http.patch(api.url("session", session_id, slash=slash), json={"description": "x"})
    assert patched.status_code == 200
    assert api.http.delete(api.url("session", session_id, slash=slash)).status_code == 204


# --- actions --------------------------------------------------------------------------------


def test_action_add_replays_spec_example(lab):
    api, _, subject = lab
    response = api.post("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject})
    assert response.status_code == 201
    action = unwrap("action", response.json())
    assert set(action) == ACTION_KEYS
    assert_uuid(action["id"])
    expected = {
        **OPTIC_FIBER_SPEC_EXAMPLE,
        "id": action["id"],
        "subject": subject,
        "date_time": None,
        "consumable": None,
        "hardwaredevice": None,
        "brain_region": None,
    }
    assert action == expected


def test_action_detail_replays_spec_example(lab):
    api, _, subject = lab
    created = api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject})
    response = api.get("action", created["id"])
    assert response.status_code == 200
    action = unwrap("action", response.json())
    assert set(action) == ACTION_KEYS
    assert action == created


def test_action_change_replays_spec_example(lab):
    api, _, subject = lab
    created = api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject})
    response = api.patch("action", created["id"], {"description": "new text"})
    assert response.status_code == 200
    changed = unwrap("action", response.json())
    assert changed == {**created, "description": "new text"}
    assert api.read("action", created["id"]) == changed


def test_action_list_replays_spec_example(new_api, taxa):
    api = new_api("conflist")
    project = make_project(api)
    subject = make_subject(api, [project["id"]], taxa.strain)["id"]
    common = {"type": "TetrodeWireElectrode", "subject": subject, "details": TETRODE_DETAILS}
    common |= {"brain_region": taxa.brain_region, "coordinates_system": "Stereotaxic_BregmaAbsolute"}
    first = api.create(
        "action",
        {**common, "description": "First implant", "consumable": taxa.consumable,
         "coordinates_details": {"apCoordinate": 1.0}},
    )  # fmt: skip
    second = api.create(
        "action",
        {**common, "description": "Second implant",
         "coordinates_details": {"apCoordinate": 1.0, "mlCoordinate": 0.0, "dvAngle": 2.0}},
    )  # fmt: skip
    response = api.get("action")
    assert response.status_code == 200
    body = response.json()
    assert set(body) - PAGING_KEYS == {"actions"}
    assert body["count"] == 2
    by_id = {action["id"]: action for action in body["actions"]}
    assert by_id == {first["id"]: first, second["id"]: second}
    assert first["consumable"] == taxa.consumable and second["consumable"] is None
    assert first["hardwaredevice"] is None and first["brain_region"] == taxa.brain_region
    assert first["details"] == TETRODE_DETAILS == second["details"]
    assert second["coordinates_details"] == {"apCoordinate": 1.0, "mlCoordinate": 0.0, "dvAngle": 2.0}
    for action in body["actions"]:
        assert set(action) == ACTION_KEYS


def test_action_delete_replays_spec_example(lab):
    api, _, subject = lab
    created = api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject})
    before = api.count("action", **{"filter{subject.id}": subject})
    response = api.delete("action", created["id"])
    assert response.status_code == 204
    assert response.content == b""
    assert api.get("action", created["id"]).status_code == 404
    assert api.count("action", **{"filter{subject.id}": subject}) == before - 1


def test_action_related_records_are_stored(lab, taxa):
    api, _, subject = lab
    related = {"consumable": taxa.consumable, "hardwaredevice": taxa.hardwaredevice}
    related["brain_region"] = taxa.brain_region
    created = api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject, **related})
    assert {k: created[k] for k in related} == related
    cleared = api.change("action", created["id"], {"consumable": None, "hardwaredevice": None})
    assert cleared["consumable"] is None and cleared["hardwaredevice"] is None
    assert cleared["brain_region"] == taxa.brain_region


MINIMAL_DETAILS = {
    "OpticFiberImplant": ({}, {"fiberTipShape": "flat"}),
    "SiliconProbeImplant": ({}, {}),
    "SingleWireElectrode": ({"wireDiameter": 12.5}, {"wireCount": 1, "wireDiameter": 12.5}),
    "TetrodeWireElectrode": ({"wireMaterial": "nichrome"}, {"tetrodeCount": 1, "nWiresTetrode": 4,
                                                           "wireMaterial": "nichrome"}),
    "VirusInjection": ({"injectionSchema": "Pulses"}, {"injectionVolume": 0.0, "injectionSchema": "Pulses"}),
}  # fmt: skip


def same_json_type(actual, expected) -> bool:
    """JSON type equality where an integral number also satisfies a float expectation."""
    if isinstance(expected, float):
        return isinstance(actual, int | float) and not isinstance(actual, bool)
    return type(actual) is type(expected)


def test_minimal_details_cover_every_documented_type():
    assert set(MINIMAL_DETAILS) == set(action_types()) and len(MINIMAL_DETAILS) == 5


@pytest.mark.parametrize("action_type", sorted(MINIMAL_DETAILS))
def test_action_details_get_schema_defaults_of_the_declared_type(lab, action_type):
    api, _, subject = lab
    given, expected = MINIMAL_DETAILS[action_type]
    payload = {**OPTIC_FIBER_SPEC_EXAMPLE, "type": action_type, "details": given, "subject": subject}
    created = api.create("action", payload)
    assert created["details"] == expected
    for key, value in expected.items():
        assert same_json_type(created["details"][key], value), (key, created["details"][key])
    assert api.read("action", created["id"])["details"] == expected


def test_action_details_omitted_gets_defaults(lab):
    api, _, subject = lab
    payload = {k: v for k, v in OPTIC_FIBER_SPEC_EXAMPLE.items() if k != "details"}
    created = api.create("action", {**payload, "type": "TetrodeWireElectrode", "subject": subject})
    assert created["details"] == {"tetrodeCount": 1, "nWiresTetrode": 4}


COORDINATES = {
    "External_XYZ_Absolute": {"x": 1.5, "y": -2.0, "z": 0.25, "zAngle": 10.0},
    "Stereotaxic_BregmaAbsolute": {"apCoordinate": -1.8, "mlCoordinate": 1.5, "dvCoordinate": 1.2},
    "Stereotaxic_BregmaBrainSurface": {"apCoordinate": -2.0, "mlCoordinate": 1.4, "depth": 1.1},
    "Stereotaxic_LambdaAbsolute": {"apCoordinate": 0.5, "mlCoordinate": -1.0, "dvAngle": 5.0},
    "Stereotaxic_LambdaBrainSurface": {"apCoordinate": 0.3, "depth": 2.2, "rotation": 15.0},
    "Stereotaxic_XYZ_Absolute": {"x": 0.0, "y": 1.0, "z": 2.0, "xAngle": 0.0},
    "Stereotaxic_XY_Surface": {"x": 1.0, "y": 2.0, "depth": 0.8},
}


def test_coordinates_cover_every_documented_system():
    assert set(COORDINATES) == set(coordinate_systems()) and len(COORDINATES) == 7


@pytest.mark.parametrize("system", sorted(COORDINATES))
def test_action_accepts_every_coordinates_system(lab, system):
    api, _, subject = lab
    payload = {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject, "coordinates_system": system}
    created = api.create("action", {**payload, "coordinates_details": COORDINATES[system]})
    assert created["coordinates_system"] == system
    assert created["coordinates_details"] == COORDINATES[system]


def test_action_change_of_type_validates_and_defaults_new_details(lab):
    api, _, subject = lab
    created = api.create("action", {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject})
    changed = api.change(
        "action", created["id"], {"type": "VirusInjection", "details": {"injectionRate": 2.5}}
    )
    assert changed["type"] == "VirusInjection"
    assert changed["details"] == {"injectionVolume": 0, "injectionRate": 2.5}


# --- token ----------------------------------------------------------------------------------


def test_token_endpoint_returns_a_working_token(server):
    username, _ = server.new_user("tok")
    response = requests.post(
        server.url + "api/token/",
        json={"username": username, "password": f"pw-{username}-secret"},
        timeout=10,
    )
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = response.json()["token"]
    assert isinstance(token, str) and len(token) >= 20
    listing = requests.get(
        server.url + "api/private/stem/session/", headers=server.headers(token), timeout=10
    )
    assert listing.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "api/private/stem/nosuchmodel/",
        "api/nosuchportal/stem/session/",
        "api/private/modules/session/",  # a real model under the wrong app
        "api/private/stem/action/",
    ],
)
def test_unknown_routes_are_404(lab, path):
    api, _, _ = lab
    response = api.http.get(api.base_url + path, timeout=10)
    assert response.status_code == 404
