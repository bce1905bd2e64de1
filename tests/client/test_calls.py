"""Every client call against the real bundled server on loopback."""

from __future__ import annotations

import datetime
import math
import uuid

import pytest

from stemgui.catalog import MODELS
from stemgui.client import BrainstemClient, endpoint_path, query_params
from stemgui.errors import NotFound, ValidationFailed
from tests.client.helpers import create_sessions, unique
from tests.faults import ClosedPort, SleepyServer


def test_session_create_read_change_delete(client, project):
    name = unique("sess")
    data = {"name": name, "description": "first", "projects": [project["id"]], "tags": ["a", "b"]}

    created = client.save_model("session", data=data)
    session = created["session"]
    assert list(created) == ["session"]
    assert {k: session[k] for k in data} == data

    assert client.load_model("session", id=session["id"]) == {"session": session}

    changed = client.save_model("session", id=session["id"], data={"description": "second"})["session"]
    assert changed == {**session, "description": "second"}

    assert client.delete_model("session", id=session["id"]) is None
    with pytest.raises(NotFound):
        client.load_model("session", id=session["id"])


def test_action_create_read_change_delete(client, subject):
    data = {
        "type": "OpticFiberImplant",
        "subject": subject["id"],
        "description": "left hemisphere",
        "details": {"fiberTipShape": "flat"},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": 1.0, "mlCoordinate": 2.0, "dvCoordinate": 3.0},
    }
    action = client.save_model("action", data=data)["action"]
    assert {k: action[k] for k in ("type", "subject", "description", "coordinates_system")} == {
        k: data[k] for k in ("type", "subject", "description", "coordinates_system")
    }
    assert client.load_model("action", id=action["id"]) == {"action": action}

    changed = client.save_model("action", id=action["id"], data={"description": "right"})["action"]
    assert changed["description"] == "right"

    client.delete_model("action", id=action["id"])
    with pytest.raises(NotFound):
        client.load_model("action", id=action["id"])


def test_load_model_filters_sort_and_include(client, project):
    prefix = unique("flt")
    create_sessions(client, project, [f"{prefix}-b", f"{prefix}-c", f"{prefix}-a"])
    create_sessions(client, project, [unique("other")])

    listed = client.load_model("session", filters={"name.startswith": prefix}, sort=["-name"])
    assert [s["name"] for s in listed["sessions"]] == [f"{prefix}-c", f"{prefix}-b", f"{prefix}-a"]
    assert listed["count"] == 3

    embedded = client.load_model("session", filters={"name": f"{prefix}-a"}, include=["projects"])
    [session] = embedded["sessions"]
    assert session["projects"][0]["id"] == project["id"]
    assert session["projects"][0]["name"] == project["name"]


@pytest.mark.parametrize(
    "options", [{"limit": 2, "offset": 1}, "?limit=2&offset=1", "limit=2&offset=1"], ids=str
)
def test_options_are_extra_query_parameters(client, project, options):
    prefix = unique("opt")
    create_sessions(client, project, [f"{prefix}-{i}" for i in range(4)])
    page = client.load_model("session", filters={"name.startswith": prefix}, sort=["name"], options=options)
    assert [s["name"] for s in page["sessions"]] == [f"{prefix}-1", f"{prefix}-2"]
    assert page["count"] == 4


@pytest.mark.parametrize("model", sorted(MODELS))
def test_every_model_routes_to_its_app(client, model):
    listed = client.load_model(model)
    assert isinstance(listed[MODELS[model].list_key], list)


def test_public_portal_needs_no_token(server, client, project):
    name = unique("pub")
    client.save_model("project", id=project["id"], data={"is_public": True})
    create_sessions(client, project, [name])
    with BrainstemClient(server.url) as anonymous:
        listed = anonymous.load_model("session", portal="public", filters={"name": name})
    assert [s["name"] for s in listed["sessions"]] == [name]


def test_filter_value_types_reach_the_server(client, project):
    prefix = unique("typ")
    create_sessions(client, project, [f"{prefix}-x"])
    filters = {"name.icontains": prefix.upper(), "projects.id": project["id"]}
    listed = client.load_model("session", filters=filters)
    assert [s["name"] for s in listed["sessions"]] == [f"{prefix}-x"]


def test_an_id_cannot_leave_the_record_path(client, project):
    create_sessions(client, project, [unique("path")])
    with pytest.raises(NotFound):
        client.load_model("session", id="../../stem/session")


def test_ping(server):
    with BrainstemClient(server.url) as api:
        assert api.ping() is True


def test_ping_closed_port_is_false():
    with ClosedPort() as closed, BrainstemClient(closed.url) as api:
        assert api.ping() is False


def test_ping_sleepy_server_is_false():
    with SleepyServer(delay=30) as sleepy, BrainstemClient(sleepy.url) as api:
        assert api.ping(timeout=(0.5, 0.3)) is False


@pytest.mark.parametrize(
    ("filters", "sort", "include", "expected"),
    [
        ({"name.icontains": "x"}, None, None, [("filter{name.icontains}", "x")]),
        ({"public": True, "n.gte": 3}, None, None, [("filter{public}", "true"), ("filter{n.gte}", "3")]),
        ({"id.in": ["a", "b"], "skip": None}, None, None, [("filter{id.in}", "a"), ("filter{id.in}", "b")]),
        (None, ["-date_time", "name"], None, [("sort[]", "-date_time"), ("sort[]", "name")]),
        (None, None, ["projects", "subject.*"], [("include[]", "projects"), ("include[]", "subject.*")]),
    ],
)
def test_query_params(filters, sort, include, expected):
    assert query_params(filters, sort, include) == expected


@pytest.mark.parametrize(
    ("model", "portal", "record_id", "expected"),
    [
        ("session", "private", None, "api/private/stem/session/"),
        ("action", "public", None, "api/public/modules/action/"),
        ("brainregion", "super", "a/b", "api/super/taxonomies/brainregion/a%2Fb/"),
        ("hardwaredevice", "private", "x", "api/private/resources/hardwaredevice/x/"),
    ],
)
def test_endpoint_path(model, portal, record_id, expected):
    assert endpoint_path(model, portal, record_id) == expected


@pytest.mark.parametrize(
    "call",
    [
        lambda api: api.load_model("dataset"),
        lambda api: api.load_model("session", portal="secret"),
        lambda api: api.delete_model("session"),
        lambda api: api.load_model("session", sort="name"),
    ],
    ids=["unknown model", "unknown portal", "delete without id", "sort as a string"],
)
def test_programming_mistakes_raise_before_any_request(call):
    with ClosedPort() as closed, BrainstemClient(closed.url) as api:
        with pytest.raises((ValueError, TypeError)):
            call(api)


def test_repr_hides_the_token():
    token = uuid.uuid4().hex
    with BrainstemClient("http://user:pw@127.0.0.1:1/", token) as api:
        assert token not in repr(api) and "pw" not in repr(api)


def test_dates_are_sent_as_iso_text(client, project):
    data = {"name": unique("date"), "projects": [project["id"]], "date_time": datetime.date(2024, 3, 22)}
    session = client.save_model("session", data=data)["session"]
    assert session["date_time"].startswith("2024-03-22")


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_before_sending(bad):
    with SleepyServer(delay=0) as server, BrainstemClient(server.url) as api:
        with pytest.raises(ValidationFailed, match="not finite"):
            api.save_model("session", data={"name": "x", "extra_fields": {"weight": bad}})
        assert server.requests == 0
