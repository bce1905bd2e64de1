"""Portals and project permissions (spec/related/project.md, issue 2 "Portals and permissions").

Cast: the owner (creator of the projects), a member (read only), a contributor (can_change),
an outsider (no membership) and a superuser.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import pytest
import requests

from tests.server.api import Api, flt, unique
from tests.server.builders import make_action, make_project, make_session, make_subject, share

WRITE_DENIED = (403, 404)
FULL = {"can_change": True, "is_manager": True, "is_owner": True}


@dataclass
class Team:
    owner: Api
    member: Api
    contributor: Api
    outsider: Api
    superuser: Api
    anonymous: Api
    private: str  # project id
    public: str  # project id, is_public
    session: dict  # in the private project
    public_session: dict
    subject: dict  # in the private project
    action: dict  # of that subject
    public_action: dict


@pytest.fixture(scope="module")
def team(new_api, anonymous, taxa) -> Team:
    owner, member, contributor, outsider = (new_api(p) for p in ("own", "mem", "con", "out"))
    superuser = new_api("root", superuser=True)
    private = make_project(owner)["id"]
    public = make_project(owner, is_public=True)["id"]
    for project in (private, public):
        share(owner, project, member, can_change=False)
        share(owner, project, contributor, can_change=True)
    subject = make_subject(owner, [private], taxa.strain)
    public_subject = make_subject(owner, [public], taxa.strain)
    return Team(
        owner, member, contributor, outsider, superuser, anonymous, private, public,
        session=make_session(owner, [private]),
        public_session=make_session(owner, [public]),
        subject=subject,
        action=make_action(owner, subject["id"]),
        public_action=make_action(owner, public_subject["id"]),
    )  # fmt: skip


# --- project membership ---------------------------------------------------------------------


def test_creator_is_owner_and_only_member(new_api):
    api = new_api("creator")
    project = make_project(api)
    assert project["users"] == {api.email: FULL}
    assert project["groups"] == {}


def test_membership_dictionary_lists_permissions_with_false_defaults(team):
    users = team.owner.read("project", team.private)["users"]
    assert users == {
        team.owner.email: FULL,
        team.member.email: {"can_change": False, "is_manager": False, "is_owner": False},
        team.contributor.email: {"can_change": True, "is_manager": False, "is_owner": False},
    }


def test_members_see_the_project_outsiders_do_not(team):
    for api in (team.member, team.contributor):
        assert team.private in api.ids("project")
    assert team.private not in team.outsider.ids("project")
    assert team.outsider.get("project", team.private).status_code == 404


def test_removing_a_member_revokes_access(team, new_api):
    guest = new_api("guest")
    project = make_project(team.owner)["id"]
    session = make_session(team.owner, [project])
    share(team.owner, project, guest, can_change=True)
    assert guest.read("session", session["id"]) == session
    users = team.owner.change("project", project, {"users": {guest.email: {"remove": True}}})["users"]
    assert guest.email not in users and team.owner.email in users
    assert guest.get("session", session["id"]).status_code == 404
    assert session["id"] not in guest.ids("session")
    assert guest.patch("session", session["id"], {"description": "x"}).status_code == 404


def test_only_managers_and_owners_manage_members(team, new_api):
    newcomer = new_api("newcomer")
    project = make_project(team.owner)["id"]
    share(team.owner, project, team.contributor, can_change=True)
    attempt = team.contributor.patch("project", project, {"users": {newcomer.email: {"can_change": True}}})
    assert attempt.status_code in WRITE_DENIED
    assert newcomer.get("project", project).status_code == 404
    share(team.owner, project, team.contributor, can_change=True, is_manager=True)
    team.contributor.change("project", project, {"users": {newcomer.email: {"can_change": False}}})
    assert newcomer.read("project", project)["id"] == project


def test_only_owners_delete_a_project(team):
    project = make_project(team.owner)["id"]
    share(team.owner, project, team.contributor, can_change=True, is_manager=True)
    assert team.contributor.delete("project", project).status_code in WRITE_DENIED
    assert team.outsider.delete("project", project).status_code == 404
    assert team.owner.read("project", project)["id"] == project
    assert team.owner.delete("project", project).status_code == 204
    assert team.owner.get("project", project).status_code == 404


# --- private portal: sessions and actions -----------------------------------------------------


@pytest.mark.parametrize("role", ["owner", "member", "contributor"])
def test_members_read_sessions_and_actions(team, role):
    api = getattr(team, role)
    assert api.read("session", team.session["id"]) == team.session
    assert api.read("action", team.action["id"]) == team.action
    assert team.session["id"] in api.ids("session", **{flt("projects.id"): team.private})
    assert team.action["id"] in api.ids("action", **{flt("subject.id"): team.subject["id"]})


def test_outsider_sees_nothing_of_the_project(team):
    assert team.outsider.count("session") == 0
    assert team.outsider.count("action") == 0
    assert team.outsider.count("subject") == 0
    for model, record in (("session", team.session), ("action", team.action), ("subject", team.subject)):
        assert team.outsider.get(model, record["id"]).status_code == 404


def test_outsider_writes_are_404_and_change_nothing(team):
    for model, record in (("session", team.session), ("action", team.action)):
        assert team.outsider.patch(model, record["id"], {"description": "hacked"}).status_code == 404
        assert team.outsider.delete(model, record["id"]).status_code == 404
        assert team.owner.read(model, record["id"]) == record


def test_outsider_cannot_add_records_to_the_project(team):
    before = _counts(team)
    response = team.outsider.post("session", {"name": unique("S"), "projects": [team.private]})
    assert response.status_code in (400, 403, 404)
    action = team.outsider.post("action", {**_action_payload(), "subject": team.subject["id"]})
    assert action.status_code in (400, 403, 404)
    assert _counts(team) == before


def test_member_without_can_change_cannot_write(team):
    member = team.member
    session_id, action_id = team.session["id"], team.action["id"]
    before = _counts(team)
    assert member.patch("session", session_id, {"description": "x"}).status_code in WRITE_DENIED
    assert member.delete("session", session_id).status_code in WRITE_DENIED
    assert member.patch("action", action_id, {"description": "x"}).status_code in WRITE_DENIED
    assert member.delete("action", action_id).status_code in WRITE_DENIED
    created = member.post("session", {"name": unique("S"), "projects": [team.private]})
    assert_read_only(created, "projects")
    created = member.post("action", {**_action_payload(), "subject": team.subject["id"]})
    assert_read_only(created, "subject")
    assert team.owner.read("session", session_id) == team.session
    assert team.owner.read("action", action_id) == team.action
    assert _counts(team) == before


def test_contributor_adds_changes_and_deletes(team):
    api = team.contributor
    session = make_session(api, [team.private], description="by contributor")
    assert api.change("session", session["id"], {"description": "changed"})["description"] == "changed"
    action = make_action(api, team.subject["id"])
    assert api.change("action", action["id"], {"description": "moved"})["description"] == "moved"
    assert team.member.read("session", session["id"])["description"] == "changed"
    assert api.delete("action", action["id"]).status_code == 204
    assert api.delete("session", session["id"]).status_code == 204
    assert team.owner.get("session", session["id"]).status_code == 404


def test_session_in_a_readable_but_not_writable_project_is_refused(team):
    """The contributor may write the owner's project but only read the member-only one."""
    read_only = make_project(team.owner)["id"]
    share(team.owner, read_only, team.contributor, can_change=False)
    response = team.contributor.post("session", {"name": unique("S"), "projects": [team.private, read_only]})
    assert_read_only(response, "projects")
    assert len(response.json()["projects"]) == 1  # only the read-only project is named
    assert team.owner.count("session", **{flt("projects.id"): read_only}) == 0
    session = make_session(team.contributor, [team.private])
    moved = team.contributor.patch("session", session["id"], {"projects": [read_only]})
    assert_read_only(moved, "projects")
    assert team.owner.read("session", session["id"])["projects"] == [team.private]


def test_session_shared_with_a_read_only_project_stays_editable(team):
    """Links the caller did not add are not rechecked: a PATCH of other fields keeps them."""
    read_only = make_project(team.owner)["id"]
    share(team.owner, read_only, team.contributor, can_change=False)
    session = make_session(team.owner, [team.private, read_only])
    changed = team.contributor.change("session", session["id"], {"description": "edited"})
    assert changed["description"] == "edited"
    assert sorted(changed["projects"]) == sorted([team.private, read_only])


def test_unreadable_related_records_look_missing(team):
    """An outsider referring to records it cannot read gets the same 400 as for unknown ids."""
    hidden = team.outsider.post("session", {"name": unique("S"), "projects": [team.private]})
    unknown = team.outsider.post("session", {"name": unique("S"), "projects": [str(uuid.uuid4())]})
    assert hidden.status_code == unknown.status_code == 400
    assert hidden.json()["projects"][0] == f'Invalid pk "{team.private}" - object does not exist.'
    assert "detail" not in hidden.json()


def assert_read_only(response: requests.Response, field: str) -> None:
    """403 naming ``field`` and saying the access is read-only, DRF style."""
    assert response.status_code == 403, response.text[:500]
    body = response.json()
    assert body[field] and all("read-only access" in message for message in body[field]), body
    assert "read-only access" in body["detail"], body


def _counts(team: Team) -> tuple[int, int]:
    """(sessions of the private project, actions of its subject) as the owner sees them."""
    sessions = team.owner.count("session", **{flt("projects.id"): team.private})
    return sessions, team.owner.count("action", **{flt("subject.id"): team.subject["id"]})


def _action_payload() -> dict:
    return {"type": "SiliconProbeImplant", "coordinates_system": "Stereotaxic_XY_Surface"}


# --- public portal ----------------------------------------------------------------------------


def test_public_portal_needs_no_token_and_shows_only_public_projects(team):
    sessions = team.anonymous.ids("session", portal="public")
    assert team.public_session["id"] in sessions
    assert team.session["id"] not in sessions
    actions = team.anonymous.ids("action", portal="public")
    assert team.public_action["id"] in actions and team.action["id"] not in actions
    assert team.anonymous.read("session", team.public_session["id"], portal="public") == team.public_session
    assert team.anonymous.read("action", team.public_action["id"], portal="public") == team.public_action
    assert team.anonymous.get("session", team.session["id"], portal="public").status_code == 404
    assert team.anonymous.get("action", team.action["id"], portal="public").status_code == 404


def test_public_portal_hides_private_projects_from_signed_in_users_too(team):
    assert team.session["id"] not in team.owner.ids("session", portal="public")
    assert team.outsider.get("session", team.session["id"], portal="public").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "owner"])
def test_public_portal_is_read_only(team, who):
    api = getattr(team, who)
    sid = team.public_session["id"]
    denied = (401, 403, 404, 405)
    assert (
        api.post("session", {"name": unique("S"), "projects": [team.public]}, portal="public").status_code
        in denied
    )
    assert api.patch("session", sid, {"description": "x"}, portal="public").status_code in denied
    assert api.delete("session", sid, portal="public").status_code in denied
    assert team.owner.read("session", sid) == team.public_session
    assert team.owner.count("session", **{flt("projects.id"): team.public}) == 1


def test_making_a_project_public_publishes_its_records(team):
    project = make_project(team.owner)["id"]
    session = make_session(team.owner, [project])
    assert team.anonymous.get("session", session["id"], portal="public").status_code == 404
    team.owner.change("project", project, {"is_public": True})
    assert team.anonymous.read("session", session["id"], portal="public") == session
    team.owner.change("project", project, {"is_public": False})
    assert team.anonymous.get("session", session["id"], portal="public").status_code == 404


# --- super portal -----------------------------------------------------------------------------


def test_super_portal_shows_everything_to_superusers(team):
    root = team.superuser
    assert team.session["id"] in root.ids("session", portal="super", **{flt("projects.id"): team.private})
    assert team.action["id"] in root.ids("action", portal="super", **{flt("subject.id"): team.subject["id"]})
    assert team.public_session["id"] in root.ids(
        "session", portal="super", **{flt("projects.id"): team.public}
    )
    assert root.read("session", team.session["id"], portal="super") == team.session
    assert root.read("action", team.action["id"], portal="super") == team.action


def test_super_portal_writes(team):
    root = team.superuser
    session = root.create("session", {"name": unique("S"), "projects": [team.private]}, portal="super")
    assert team.owner.read("session", session["id"]) == session
    changed = root.change("session", session["id"], {"description": "by root"}, portal="super")
    assert changed["description"] == "by root"
    assert root.delete("session", session["id"], portal="super").status_code == 204
    assert team.owner.get("session", session["id"]).status_code == 404


@pytest.mark.parametrize("role", ["owner", "outsider"])
def test_super_portal_refuses_ordinary_users(team, role):
    api = getattr(team, role)
    assert api.get("session", portal="super").status_code == 403
    assert api.get("session", team.session["id"], portal="super").status_code in (403, 404)
    assert api.patch("session", team.session["id"], {"description": "x"}, portal="super").status_code in (
        403,
        404,
    )
    assert team.owner.read("session", team.session["id"]) == team.session


def test_super_portal_without_token_is_401(team):
    assert team.anonymous.get("session", portal="super").status_code == 401


# --- authentication ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-real-token", "Bearer ", "Token abc", "Basic dXNlcjpwdw==", "Bearer a b"],
)
@pytest.mark.parametrize(
    ("method", "model", "with_id"),
    [("GET", "session", False), ("GET", "session", True), ("POST", "session", False),
     ("PATCH", "action", True), ("DELETE", "action", True), ("GET", "project", False)],
)  # fmt: skip
def test_private_portal_without_a_valid_token_is_401(team, authorization, method, model, with_id):
    record_id = {"session": team.session["id"], "action": team.action["id"]}.get(model) if with_id else None
    headers = {"Authorization": authorization} if authorization is not None else {}
    url = team.anonymous.url(model, record_id)
    response = requests.request(method, url, headers=headers, json={"description": "x"}, timeout=10)
    assert response.status_code == 401
    if method in ("PATCH", "DELETE"):
        assert team.owner.read(model, record_id) == getattr(team, model)


@pytest.mark.parametrize(
    "credentials",
    [
        {"username": "{user}", "password": "wrong"},
        {"username": "nobody-here", "password": "whatever"},
        {"username": "{user}"},
        {"password": "x"},
        {"username": "{user}", "password": ""},
    ],
)
def test_token_refused_for_wrong_credentials(team, server, credentials):
    payload = {k: v.replace("{user}", team.owner.username) for k, v in credentials.items()}
    response = requests.post(server.url + "api/token/", json=payload, timeout=10)
    assert response.status_code in (400, 401)
    assert "token" not in response.json()


def test_each_login_gives_a_fresh_token_and_old_ones_keep_working(team, server):
    token = server.token(team.owner.username, f"pw-{team.owner.username}-secret")
    assert token != team.owner.token
    again = Api(server.url, token, team.owner.username)
    assert again.read("session", team.session["id"]) == team.session
    assert team.owner.read("session", team.session["id"]) == team.session


# --- taxonomies and resources -----------------------------------------------------------------


def test_any_user_adds_resources_only_creator_or_superuser_changes_them(team):
    supplier = team.member.create("supplier", {"name": unique("Supplier"), "website": "a.org"})
    assert team.outsider.read("supplier", supplier["id"]) == supplier
    assert team.outsider.patch("supplier", supplier["id"], {"description": "x"}).status_code in WRITE_DENIED
    assert team.outsider.delete("supplier", supplier["id"]).status_code in WRITE_DENIED
    assert team.member.read("supplier", supplier["id"]) == supplier
    assert team.member.change("supplier", supplier["id"], {"description": "mine"})["description"] == "mine"
    assert team.superuser.change("supplier", supplier["id"], {"description": "root"})["description"] == "root"
    assert team.member.delete("supplier", supplier["id"]).status_code == 204
    assert team.member.get("supplier", supplier["id"]).status_code == 404


def test_anonymous_cannot_add_taxonomies(team):
    response = team.anonymous.post("species", {"name": unique("Species")})
    assert response.status_code == 401


def test_include_does_not_embed_projects_the_reader_may_not_see(team, new_api):
    """A session shared with another lab's project: members of one project must not see the other."""
    other_owner = new_api("otherlab")
    other = make_project(other_owner)["id"]
    share(other_owner, other, team.owner, can_change=True)
    session = make_session(team.owner, [team.private, other])
    records = team.member.records("session", **{flt("projects.id"): team.private, "include[]": "projects"})
    embedded = next(r for r in records if r["id"] == session["id"])["projects"]
    objects = [p for p in embedded if isinstance(p, dict)]
    assert [p["id"] for p in objects] == [team.private]
    assert not any(isinstance(p, dict) and p["id"] == other for p in embedded)
    assert team.member.get("project", other).status_code == 404
