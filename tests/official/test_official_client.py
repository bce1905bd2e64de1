"""BrainSTEM's official Python client 2.0.0 (PyPI ``brainstem-python-api-tools``), unchanged,
against the bundled server (issue 12, "The official client works unchanged").

Real server on loopback (SQLite and PostgreSQL), real HTTP through the official client's own
code. The one stand-in: the web browser the client opens for the device login is replaced by
``browser_stand_in``, which loads the approval page the server serves and submits its form with
the user's credentials, as a person would.
"""

from __future__ import annotations

import html
import os
import re
import uuid
from collections.abc import Iterator

import pytest
import requests

from tests.serverproc import ServerProcess

bac = pytest.importorskip(
    "brainstem_api_tools.brainstem_api_client",
    reason="brainstem-python-api-tools==2.0.0 (requirements-dev.txt)",
)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def official_server(database_url, tmp_path_factory) -> Iterator[ServerProcess]:
    """The bundled server polled without delay (``STEMGUI_DEVICE_POLL_INTERVAL=0``)."""
    os.environ["STEMGUI_DEVICE_POLL_INTERVAL"] = "0"
    try:
        proc = ServerProcess(database_url, tmp_path_factory.mktemp("official")).start()
    finally:
        del os.environ["STEMGUI_DEVICE_POLL_INTERVAL"]
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def account(official_server) -> tuple[str, str]:
    username, password = unique("scientist"), "correct horse battery"
    official_server.adduser(username, password)
    return username, password


def browser_stand_in(username: str, password: str, decision: str = "approve"):
    """A 'web browser' that opens the approval link and submits the page's form (real HTTP)."""

    def open_page(url: str, *args, **kwargs) -> bool:
        page = requests.get(url, timeout=10)
        assert page.status_code == 200 and "Approve a device login" in page.text
        code = html.unescape(re.search(r'name="user_code" value="([^"]*)"', page.text).group(1))
        assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code), code
        form = {"user_code": code, "username": username, "password": password, "decision": decision}
        answer = requests.post(url.split("?")[0], data=form, timeout=10)
        assert answer.status_code == 200, answer.text
        return True

    return open_page


@pytest.fixture
def login(monkeypatch, tmp_path, official_server, account):
    """The official client signed in by its default device login (token cached in tmp_path)."""
    monkeypatch.setattr(bac, "_TOKEN_FILE", tmp_path / "brainstem" / "token")
    monkeypatch.setattr(bac.webbrowser, "open", browser_stand_in(*account))
    with bac.BrainstemClient(url=official_server.url) as client:
        yield client


@pytest.fixture
def lab(login) -> dict:
    """A project, species/strain and subject made through the official client."""
    project = login.save("project", data={"name": unique("Project"), "description": "official client"})
    assert project.status_code == 201, project.text
    species = login.save("species", data={"name": unique("Mus")}).json()["species"]
    strain = login.save("strain", data={"name": unique("C57"), "species": species["id"]}).json()["strain"]
    project_id = project.json()["project"]["id"]
    subject = login.save(
        "subject",
        data={"name": unique("mouse"), "strain": strain["id"], "sex": "F", "projects": [project_id]},
    ).json()["subject"]
    return {"project": project_id, "strain": strain["id"], "subject": subject["id"]}


def test_device_login_through_the_served_page(login, tmp_path):
    """Issue 12: the client's default login (device flow) works; it caches the token it got."""
    assert login.load("project").status_code == 200
    token_file = tmp_path / "brainstem" / "token"
    assert (
        token_file.read_text().strip() == login._token and oct(token_file.stat().st_mode & 0o777) == "0o600"
    )


def test_device_login_refused_by_the_user(monkeypatch, tmp_path, official_server, account):
    """Issue 12: 'Deny' on the page makes the client stop with its AuthenticationError."""
    monkeypatch.setattr(bac, "_TOKEN_FILE", tmp_path / "token")
    monkeypatch.setattr(bac.webbrowser, "open", browser_stand_in(*account, decision="deny"))
    with pytest.raises(bac.AuthenticationError, match="access_denied"):
        bac.BrainstemClient(url=official_server.url)
    assert not (tmp_path / "token").exists()


def test_procedures_load_with_filters_paging_save_patch_delete(login, lab):
    """Issue 12: load('procedure', ...) with filters, limit/offset and load_all; save; patch; delete."""
    made = []
    for number in range(3):
        response = login.save(
            "procedure",
            data={
                "type": "VirusInjection", "subject": lab["subject"], "notes": f"site {number}",
                "details": {"injectionVolume": {"value": 0.2 + number / 10, "unit": "µL"},
                            "injectionRate": 50},
                "coordinates_system": "Stereotaxic_BregmaAbsolute",
                "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": 1.5 - number,
                                        "dvCoordinate": -1.3},
            },
        )  # fmt: skip
        assert response.status_code == 201, response.text
        made.append(response.json()["procedure"])
    assert made[0]["details"]["injectionRate"] == {"value": 50, "unit": "nL/min"}
    filters = {"subject.id": lab["subject"], "type": "VirusInjection"}
    page = login.load("procedure", filters=filters, sort=["created_at"], limit=2, offset=1).json()
    assert page["count"] == 3 and [p["id"] for p in page["procedures"]] == [made[1]["id"], made[2]["id"]]
    everything = login.load("procedure", filters=filters, sort=["created_at"], limit=2, load_all=True)
    assert [p["id"] for p in everything["procedures"]] == [p["id"] for p in made]
    found = login.load_procedure(subject=lab["subject"], filters={"notes.icontains": "SITE 1"}).json()
    assert [p["id"] for p in found["procedures"]] == [made[1]["id"]]
    patched = login.save("procedure", id=made[0]["id"], data={"notes": "site 0, needle clogged"})
    assert patched.status_code == 200 and patched.json()["procedure"]["notes"] == "site 0, needle clogged"
    refused = login.save("procedure", id=made[0]["id"], data={"type_schema_version": "0.0.0"})
    assert refused.status_code == 400 and "type_schema_version" in refused.json()
    assert login.delete("procedure", id=made[0]["id"]).status_code == 204
    assert login.load("procedure", id=made[0]["id"]).status_code == 404


def test_sessions_and_subjects_through_the_official_client(login, lab):
    """Issue 12: save, load with filters and paging, patch and delete of sessions and subjects."""
    names = [unique("Session") for _ in range(3)]
    for name in names:
        created = login.save("session", data={"name": name, "projects": [lab["project"]], "tags": ["maze"]})
        assert created.status_code == 201, created.text
    listed = login.load_session(projects=lab["project"], tags="maze", sort=["name"], limit=2).json()
    assert listed["count"] == 3 and [s["name"] for s in listed["sessions"]] == sorted(names)[:2]
    assert all(s["dataacquisition"] == [] and s["epochs"] == [] for s in listed["sessions"])
    assert login.load_session(projects=lab["project"], datastorage=lab["project"]).json()["count"] == 0
    session = login.load("session", filters={"name": names[0]}).json()["sessions"][0]
    assert (
        login.save("session", id=session["id"], data={"description": "moved"}).json()["session"][
            "description"
        ]
        == "moved"
    )
    assert login.delete("session", id=session["id"]).status_code == 204
    assert len(login.load_session(projects=lab["project"], load_all=True)["sessions"]) == 2

    twin = login.save(
        "subject",
        data={"name": unique("rat"), "strain": lab["strain"], "sex": "M", "projects": [lab["project"]]},
    ).json()["subject"]
    subjects = login.load_subject(projects=lab["project"], sex="M").json()["subjects"]
    assert [s["id"] for s in subjects] == [twin["id"]] and subjects[0]["procedures"] == []
    assert subjects[0]["subjectlogs"] == []
    assert login.save("subject", id=twin["id"], data={"description": "littermate"}).status_code == 200
    assert login.delete("subject", id=twin["id"]).status_code == 204


def test_convenience_loaders_with_their_default_includes(login, lab):
    """Issue 12: load_project / load_subject / load_session / load_procedure with their default
    include[] (sessions, subjects, collections, cohorts; procedures, subjectlogs; ...) answer 200."""
    procedure = login.save(
        "procedure",
        data={"type": "Anesthesia", "subject": lab["subject"], "coordinates_system": "CCF_XYZ_Absolute",
              "details": {"anestheticAgent": "Isoflurane", "route": "Inhalation"}},
    ).json()["procedure"]  # fmt: skip
    session = login.save("session", data={"name": unique("S"), "projects": [lab["project"]]}).json()[
        "session"
    ]
    project = login.load_project(id=lab["project"]).json()["project"]
    assert project["id"] == lab["project"]
    projects = login.load_project(subjects=lab["subject"]).json()["projects"]
    assert [p["id"] for p in projects] == [lab["project"]]
    assert [s["id"] for s in projects[0]["sessions"]] == [session["id"]]
    assert [s["id"] for s in projects[0]["subjects"]] == [lab["subject"]]
    assert projects[0]["collections"] == [] and projects[0]["cohorts"] == []
    subject = login.load_subject(projects=lab["project"]).json()["subjects"][0]
    assert [p["id"] for p in subject["procedures"]] == [procedure["id"]]
    assert subject["procedures"][0]["details"]["anestheticAgent"] == "Isoflurane"
    assert login.load_session(id=session["id"]).status_code == 200
    assert login.load_procedure(id=procedure["id"]).json()["procedure"]["type"] == "Anesthesia"


def test_subject_logs_through_the_official_client(login, lab):
    """Issue 13: the official client writes a Weighing log, adds entries the docs' way
    (``options="add_entry"``), loads it with ``load_subjectlog(subject=...)``, and its
    ``load_subject`` default include now embeds the subject's logs (no longer an empty list)."""
    created = login.save("subjectlog", data={"type": "Weighing", "subject": lab["subject"],
                                             "description": "Daily weights"})  # fmt: skip
    assert created.status_code == 201, created.text
    log = created.json()["subject_log"]
    assert set(log) == {"id", "type", "description", "subject", "user", "entries"} and log["entries"] == []
    for day, grams in ((1, 25.0), (2, 23.2)):
        added = login.save("subjectlog", id=log["id"], options="add_entry",
                           data={"date_time": f"2025-03-0{day}T09:00:00Z", "notes": None,
                                 "details": {"weight": grams}})  # fmt: skip
        assert added.status_code == 200, added.text
    changed = login.save("subjectlog", id=log["id"], options="change_entry",
                         data={"date_time": "2025-03-02T09:00:00Z", "notes": "Post-op"})  # fmt: skip
    assert changed.status_code == 200 and changed.json()["subject_log"]["entries"][0]["notes"] == "Post-op"
    found = login.load_subjectlog(subject=lab["subject"]).json()["subject_logs"]
    assert [e["details"]["weight"] for e in found[0]["entries"]] == [
        {"value": 23.2, "unit": "g"}, {"value": 25.0, "unit": "g"},
    ]  # fmt: skip
    subjects = login.load_subject(projects=lab["project"]).json()["subjects"]
    [subject] = [s for s in subjects if s["id"] == lab["subject"]]
    assert [s["id"] for s in subject["subjectlogs"]] == [log["id"]]
    assert subject["subjectlogs"][0]["type"] == "Weighing" and subject["status"] == "active"
    removed = login.save("subjectlog", id=log["id"], options="remove_entry",
                         data={"date_time": "2025-03-01T09:00:00Z"})  # fmt: skip
    assert removed.status_code == 200 and len(removed.json()["subject_log"]["entries"]) == 1
    assert login.delete("subjectlog", id=log["id"]).status_code == 204
