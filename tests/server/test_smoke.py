"""Fast proof that the bundled server's basics work through real HTTP on loopback."""

from __future__ import annotations

import sqlite3
import uuid

import pytest
import requests

from stemgui.schemas import action_types, coordinate_systems
from tests.serverproc import ServerProcess

API = "api/private/"


def _call(server, token, method, path, **kwargs) -> requests.Response:
    return requests.request(method, server.url + path, headers=server.headers(token), timeout=10, **kwargs)


def _unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture()
def owner(server):
    """A fresh user who owns a fresh project: (token, project id)."""
    _, token = server.new_user("owner")
    response = _call(server, token, "POST", API + "stem/project/", json={"name": _unique("proj")})
    assert response.status_code == 201, response.text
    return token, response.json()["project"]["id"]


def test_token_refused_for_wrong_password(server):
    username, _ = server.new_user("pw")
    response = requests.post(
        server.url + "api/token/", json={"username": username, "password": "nope"}, timeout=10
    )
    assert response.status_code in (400, 401)
    assert "token" not in response.json()


@pytest.mark.parametrize("header", [None, "Bearer not-a-real-token"])
def test_private_list_needs_a_valid_token(server, header):
    headers = {"Authorization": header} if header else {}
    response = requests.get(server.url + API + "stem/session/", headers=headers, timeout=10)
    assert response.status_code == 401


def test_session_create_list_detail_change_delete(server, owner):
    token, project_id = owner
    body = {
        "name": _unique("sess"),
        "projects": [project_id],
        "extra_fields": [{"name": "rig", "value": 2}],
        "download_links": [{"Repository": "DANDI", "URL": "https://dandiarchive.org/dandiset/1"}],
        "tags": ["smoke"],
        "epochs": ["ignored-read-only"],
    }
    created = _call(server, token, "POST", API + "stem/session/", json=body)
    assert created.status_code == 201, created.text
    session = created.json()["session"]
    assert session["extra_fields"] == {"rig": 2}
    assert session["epochs"] == []
    assert session["links"] == {"projects": "projects/"}

    listed = _call(server, token, "GET", API + "stem/session/", params={"filter{projects.id}": project_id})
    assert listed.json() == {"sessions": [session], "count": 1}

    changed = _call(
        server, token, "PATCH", API + f"stem/session/{session['id']}/", json={"description": "new"}
    )
    assert changed.status_code == 200
    assert changed.json()["session"] == {**session, "description": "new"}
    assert (
        _call(server, token, "GET", API + f"stem/session/{session['id']}").json()["session"]["description"]
        == "new"
    )

    assert _call(server, token, "DELETE", API + f"stem/session/{session['id']}/").status_code == 204
    assert _call(server, token, "GET", API + f"stem/session/{session['id']}/").status_code == 404


def test_session_invalid_body_names_the_field_and_writes_nothing(server, owner):
    token, project_id = owner
    response = _call(
        server, token, "POST", API + "stem/session/", json={"name": "x" * 101, "projects": [project_id]}
    )
    assert response.status_code == 400
    assert list(response.json()) == ["name"]
    listed = _call(server, token, "GET", API + "stem/session/", params={"filter{projects.id}": project_id})
    assert listed.json()["count"] == 0


def test_action_create_list_detail_change_delete(server, owner):
    token, project_id = owner
    species = _call(server, token, "POST", API + "taxonomies/species/", json={"name": _unique("sp")})
    strain = _call(
        server, token, "POST", API + "taxonomies/strain/",
        json={"name": _unique("st"), "species": species.json()["species"]["id"]},
    )  # fmt: skip
    subject = _call(
        server, token, "POST", API + "stem/subject/",
        json={"name": "m1", "sex": "F", "strain": strain.json()["strain"]["id"], "projects": [project_id]},
    )  # fmt: skip
    assert subject.status_code == 201, subject.text
    subject_id = subject.json()["subject"]["id"]
    body = {
        "type": "VirusInjection",
        "subject": subject_id,
        "details": {"injectionRate": 1.5},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -2.0},
    }
    created = _call(server, token, "POST", API + "modules/action/", json=body)
    assert created.status_code == 201, created.text
    action = created.json()["action"]
    assert action["details"] == {"injectionRate": 1.5, "injectionVolume": 0}  # default filled, as a number

    listed = _call(server, token, "GET", API + "modules/action/", params={"filter{subject.id}": subject_id})
    assert listed.json() == {"actions": [action], "count": 1}

    bad = _call(
        server,
        token,
        "PATCH",
        API + f"modules/action/{action['id']}/",
        json={"details": {"injectionVolume": -1}},
    )
    assert bad.status_code == 400
    assert "details.injectionVolume" in bad.json()

    changed = _call(
        server, token, "PATCH", API + f"modules/action/{action['id']}/", json={"description": "done"}
    )
    assert changed.json()["action"] == {**action, "description": "done"}

    assert _call(server, token, "DELETE", API + f"modules/action/{action['id']}").status_code == 204
    assert _call(server, token, "GET", API + f"modules/action/{action['id']}/").status_code == 404


def _everything(server, token) -> dict:
    """Every record the super portal shows, per model (first page is enough for the demo)."""
    found = {}
    for path, key in [
        ("stem/project", "projects"), ("stem/subject", "subjects"), ("stem/session", "sessions"),
        ("modules/action", "actions"), ("taxonomies/species", "species"), ("taxonomies/strain", "strains"),
        ("resources/supplier", "suppliers"), ("resources/consumable", "consumables"),
        ("resources/hardwaredevice", "hardwaredevices"),
    ]:  # fmt: skip
        body = _call(server, token, "GET", f"api/super/{path}/").json()
        found[key] = body[key]
        assert body["count"] == len(body[key])
    regions = _call(server, token, "GET", "api/super/taxonomies/brainregion/", params={"limit": 1}).json()
    found["brain_region_count"] = regions["count"]
    return found


def test_demo_data_is_complete_and_loading_it_again_changes_nothing(demo_server):
    _, token = demo_server.new_user("admin", superuser=True)
    before = _everything(demo_server, token)
    assert before["brain_region_count"] == 1327
    assert len(before["projects"]) == 2 and len(before["sessions"]) >= 20
    assert {a["type"] for a in before["actions"]} == set(action_types())
    assert {a["coordinates_system"] for a in before["actions"]} == set(coordinate_systems())
    assert {c["type"] for c in before["consumables"]} == {
        "OpticFiberDesign", "SiliconProbeDesign", "VirusConstruct", "WireElectrode",
    }  # fmt: skip

    demo_server.cli("demo")
    assert _everything(demo_server, token) == before


def test_database_of_an_older_version_is_migrated_on_start(tmp_path):
    db_file = tmp_path / "old.sqlite"
    ServerProcess(f"sqlite:///{db_file}", tmp_path).cli(
        "adduser", "old", "--email", "old@example.org", "--password", "pw"
    )
    with sqlite3.connect(db_file) as conn:  # what an older version lacked: a column and an index
        conn.execute("DROP INDEX ix_sessions_date_time")
        conn.execute("ALTER TABLE sessions DROP COLUMN name_used_in_storage")
    proc = ServerProcess(f"sqlite:///{db_file}", tmp_path).start()
    try:
        token = proc.token("old", "pw")
        project = _call(proc, token, "POST", API + "stem/project/", json={"name": "old-proj"}).json()[
            "project"
        ]
        body = {"name": "old-sess", "projects": [project["id"]], "name_used_in_storage": "x"}
        created = _call(proc, token, "POST", API + "stem/session/", json=body)
        assert created.status_code == 201, created.text
        assert created.json()["session"]["name_used_in_storage"] == "x"
    finally:
        proc.stop()
    with sqlite3.connect(db_file) as conn:
        assert "ix_sessions_date_time" in {row[1] for row in conn.execute("PRAGMA index_list(sessions)")}
