"""Issue 9 items 2, 9 and 12 (server): who may publish a project, deleting shared resources that
are still in use, and numbers beyond ±2^53 — over real HTTP against the bundled server."""

from __future__ import annotations

import json
import time

import pytest
import requests

from stemgui.models import validate_record
from tests.server.api import Api, flt, unique
from tests.server.builders import (
    OPTIC_FIBER_SPEC_EXAMPLE,
    make_action,
    make_project,
    make_session,
    make_subject,
    make_taxa,
    share,
)

# --- item 2: publishing ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def lab(new_api, anonymous):
    owner, contributor, manager = new_api("pubown"), new_api("pubcon"), new_api("pubman")
    project = make_project(owner, description="unpublished")
    share(owner, project["id"], contributor, can_change=True)
    share(owner, project["id"], manager, can_change=True, is_manager=True)
    session = make_session(owner, [project["id"]], description="private result")
    return {"owner": owner, "contributor": contributor, "manager": manager, "anonymous": anonymous,
            "project": project, "session": session}  # fmt: skip


@pytest.mark.parametrize(("field", "value"), [("is_public", True), ("name", "renamed-by-contributor")])
def test_member_with_only_can_change_cannot_publish_or_rename(lab, field, value):
    """Issue 9 item 2: a can_change member may not set is_public or rename the project (403
    naming the field); nothing changes and the project's records stay private."""
    project, contributor = lab["project"], lab["contributor"]
    response = contributor.patch("project", project["id"], {field: value})
    assert response.status_code == 403, response.text
    assert field in response.json() and "manager or owner" in response.json()[field][0]
    assert lab["owner"].read("project", project["id"])[field] == project[field]
    assert lab["anonymous"].get("session", lab["session"]["id"], portal="public").status_code == 404
    assert lab["anonymous"].count("project", portal="public", **{flt("id"): project["id"]}) == 0


def test_can_change_member_still_edits_other_fields_and_resends_unchanged_ones(lab):
    """Issue 9 item 2: the rule is about changing name/is_public; a form that resends them
    unchanged with another edit is accepted."""
    project, contributor = lab["project"], lab["contributor"]
    body = {"name": project["name"], "is_public": False, "description": "edited by contributor"}
    assert contributor.change("project", project["id"], body)["description"] == "edited by contributor"


def test_manager_and_owner_may_publish_and_rename(lab):
    """Issue 9 item 2: a manager or owner may change is_public and the name."""
    project = make_project(lab["owner"])
    share(lab["owner"], project["id"], lab["manager"], can_change=True, is_manager=True)
    renamed = unique("Renamed")
    assert lab["manager"].change("project", project["id"], {"name": renamed, "is_public": True})["is_public"]
    assert lab["anonymous"].read("project", project["id"], portal="public")["name"] == renamed
    assert not lab["owner"].change("project", project["id"], {"is_public": False})["is_public"]


@pytest.mark.parametrize("model", ["session", "subject"])
def test_can_change_member_cannot_publish_records_by_linking_a_public_project(lab, taxa, model):
    """Issue 9 item 2: a can_change member who owns a public project of their own may not link
    the lab's private records into it (that would publish them); a manager may."""
    owner, contributor, manager = lab["owner"], lab["contributor"], lab["manager"]
    own_public = make_project(contributor, is_public=True)
    fields = {"strain": taxa.strain, "sex": "U"} if model == "subject" else {}
    record = owner.create(model, {"name": unique("Private"), "projects": [lab["project"]["id"]], **fields})
    both = [lab["project"]["id"], own_public["id"]]
    response = contributor.patch(model, record["id"], {"projects": both})
    assert response.status_code == 403 and "projects" in response.json(), response.text
    assert lab["anonymous"].get(model, record["id"], portal="public").status_code == 404
    share(contributor, own_public["id"], manager, can_change=True)
    assert sorted(manager.change(model, record["id"], {"projects": both})["projects"]) == sorted(both)
    assert lab["anonymous"].read(model, record["id"], portal="public")["id"] == record["id"]


# --- item 9: deleting a shared resource in use -----------------------------------------------


@pytest.fixture
def shared(new_api):
    """Lab A's resources; lab B's action uses A's consumable, device and brain region."""
    lab_a, lab_b = new_api("laba"), new_api("labb")
    resources = make_taxa(lab_a)
    project = make_project(lab_b)
    subject = make_subject(lab_b, [project["id"]], resources.strain)
    action = make_action(
        lab_b,
        subject["id"],
        consumable=resources.consumable,
        hardwaredevice=resources.hardwaredevice,
        brain_region=resources.brain_region,
    )
    return lab_a, lab_b, resources, action


@pytest.mark.parametrize(
    ("model", "attribute", "used_by"),
    [
        ("consumable", "consumable", "actions"),
        ("hardwaredevice", "hardwaredevice", "actions"),
        ("brainregion", "brain_region", "actions"),
        ("supplier", "supplier", "consumables"),
        ("strain", "strain", "subjects"),
        ("species", "species", "strains"),
    ],
)
def test_deleting_a_resource_still_in_use_is_refused(shared, model, attribute, used_by):
    """Issue 9 item 9: a consumable (device, region, supplier...) used by another lab's record
    cannot be deleted: 400 naming what still uses it; their record keeps it."""
    lab_a, lab_b, resources, action = shared
    record_id = getattr(resources, attribute)
    response = lab_a.delete(model, record_id)
    assert response.status_code == 400, response.text
    message = " ".join(response.json()["non_field_errors"])
    assert used_by in message and "still used" in message, message
    assert lab_a.read(model, record_id)["id"] == record_id
    assert lab_b.read("action", action["id"]) == action


def test_a_resource_is_deleted_once_nothing_uses_it(shared):
    """Issue 9 item 9: the refusal lasts only while the resource is in use."""
    lab_a, lab_b, resources, action = shared
    lab_b.change("action", action["id"], {"consumable": None})
    assert lab_a.delete("consumable", resources.consumable).status_code == 204
    assert lab_a.get("consumable", resources.consumable).status_code == 404


# --- item 12: numbers beyond ±2^53 -----------------------------------------------------------


@pytest.fixture(scope="module")
def bench(new_api, taxa):
    api = new_api("numbers")
    project = make_project(api)
    subject = make_subject(api, [project["id"]], taxa.strain)
    return api, project, subject


def _post_raw(api: Api, model: str, text: str) -> requests.Response:
    headers = {"Content-Type": "application/json"}
    return api.http.post(api.url(model), data=text.encode(), headers=headers, timeout=30)


def _action_text(subject: str, ap_literal: str) -> str:
    body = {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": subject}
    return json.dumps(body).replace('"apCoordinate": 1.0', f'"apCoordinate": {ap_literal}')


@pytest.mark.parametrize(
    "literal",
    [
        "9" * 4000,
        "-" + "9" * 5000,
        "9007199254740993",
        "-9007199254740993",
        "1e300",
        "-1.5e16",
        "1e400",
        "NaN",
    ],
    ids=["4000-digits", "5000-digits", "2^53+1", "-(2^53+1)", "1e300", "-1.5e16", "1e400", "NaN"],
)
def test_numbers_beyond_2_53_are_refused_naming_the_field(bench, literal):
    """Issue 9 item 12: a number outside ±2^53 (or not finite) is a 400 naming the field path,
    quickly, and nothing is stored (also past Python's 4,300-digit int limit)."""
    api, _project, subject = bench
    before = api.count("action", **{flt("subject.id"): subject["id"]})
    started = time.monotonic()
    response = _post_raw(api, "action", _action_text(subject["id"], literal))
    assert time.monotonic() - started < 5
    assert response.status_code == 400, response.text[:300]
    body = response.json()
    assert list(body) == ["coordinates_details.apCoordinate"], body
    assert len(response.text) < 500
    assert api.count("action", **{flt("subject.id"): subject["id"]}) == before


def test_numbers_at_2_53_are_accepted(bench):
    """Issue 9 item 12: the bounds are inclusive; 2^53 and -2^53 are kept exactly."""
    api, _project, subject = bench
    for literal in ("9007199254740992", "-9007199254740992"):
        response = _post_raw(api, "action", _action_text(subject["id"], literal))
        assert response.status_code == 201, response.text
        assert response.json()["action"]["coordinates_details"]["apCoordinate"] == int(literal)


@pytest.mark.parametrize(
    ("model", "text", "field"),
    [
        ("session", '{"name": "n", "projects": [], "extra_fields": {"depth": 1e20}}', "extra_fields.depth"),
        ("session", '{"name": "n", "projects": [], "tags": ["a", 123456789012345678]}', "tags.1"),
        ("project", '{"name": "n", "extra_fields": [{"name": "a", "value": -1e17}]}', "extra_fields.0.value"),
    ],
)
def test_huge_numbers_anywhere_in_a_body_name_their_path(bench, model, text, field):
    """Issue 9 item 12: the check covers every place in a body, naming the path."""
    response = _post_raw(bench[0], model, text)
    assert response.status_code == 400 and list(response.json()) == [field], response.text[:300]


def test_patch_with_a_huge_number_is_refused_and_changes_nothing(bench):
    """Issue 9 item 12: also on PATCH."""
    api, _project, subject = bench
    action = make_action(api, subject["id"])
    url = api.url("action", action["id"])
    text = '{"coordinates_details": {"apCoordinate": ' + "1" * 4000 + "}}"
    response = api.http.patch(url, data=text, headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code == 400 and "coordinates_details.apCoordinate" in response.json()
    assert api.read("action", action["id"]) == action


def test_validate_record_refuses_huge_numbers_naming_the_field():
    """Issue 9 item 12: the shared record rules (used by the GUI before sending) say the same."""
    data = {**OPTIC_FIBER_SPEC_EXAMPLE, "subject": "5b3a3f38-0d5f-4a43-b0a6-2f9a0d7a4c11"}
    for huge in (10**30, -(2**53) - 1, float("inf")):
        data["coordinates_details"] = {
            **OPTIC_FIBER_SPEC_EXAMPLE["coordinates_details"],
            "apCoordinate": huge,
        }
        record, errors = validate_record("action", data)
        assert record is None and list(errors) == ["coordinates_details.apCoordinate"], errors
