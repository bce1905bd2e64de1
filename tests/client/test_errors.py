"""Each error type from a real condition: real server, real fault servers, real sockets."""

from __future__ import annotations

import json
import logging
import uuid

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import (
    ApiConnectionError,
    ApiTimeout,
    AuthError,
    NotFound,
    PermissionDenied,
    ServerError,
    StemGuiError,
    ValidationFailed,
)
from stemgui.http_errors import field_errors_from_body
from tests.client.helpers import create_sessions, unique
from tests.faults import ClosedPort, FaultProxy, FlakyProxy, SleepyServer


@pytest.fixture(autouse=True)
def _client_logs(caplog):
    caplog.set_level(logging.DEBUG, logger="stemgui")


def assert_token_hidden(error: Exception, token: str, caplog) -> None:
    """The token appears in no message, repr, chained exception or log line."""
    chain, seen = [], error
    while seen is not None:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    assert all(token not in str(exc) and token not in repr(exc) for exc in chain)
    assert token not in caplog.text


def test_bad_token_is_auth_error(server, caplog):
    token = "bad-" + uuid.uuid4().hex
    with BrainstemClient(server.url, token) as api, pytest.raises(AuthError) as caught:
        api.load_model("session")
    assert "paste a new one on the Account page" in str(caught.value)
    assert caught.value.status_code == 401
    assert_token_hidden(caught.value, token, caplog)


def test_no_token_on_private_portal_is_auth_error(server):
    with BrainstemClient(server.url) as api, pytest.raises(AuthError, match="add your API token"):
        api.load_model("session")


@pytest.mark.parametrize("model", ["session", "action", "project", "subject"])
@pytest.mark.parametrize("method", ["GET", "PATCH", "DELETE"])
def test_missing_id_is_not_found(client, user, caplog, model, method):
    missing = str(uuid.uuid4())
    calls = {
        "GET": lambda: client.load_model(model, id=missing),
        "PATCH": lambda: client.save_model(model, id=missing, data={"description": "x"}),
        "DELETE": lambda: client.delete_model(model, id=missing),
    }
    with pytest.raises(NotFound) as caught:
        calls[method]()
    assert missing in str(caught.value)
    assert_token_hidden(caught.value, user[1], caplog)


def test_duplicate_name_is_validation_failed_on_name(client, project, user, caplog):
    name = unique("dup")
    create_sessions(client, project, [name])
    with pytest.raises(ValidationFailed) as caught:
        create_sessions(client, project, [name])
    assert list(caught.value.field_errors) == ["name"]
    assert caught.value.field_errors["name"]
    assert caught.value.status_code == 400
    assert "name:" in str(caught.value)
    assert_token_hidden(caught.value, user[1], caplog)


def test_missing_required_fields_are_named(client):
    with pytest.raises(ValidationFailed) as caught:
        client.save_model("session", data={"description": "no name, no project"})
    assert {"name", "projects"} <= set(caught.value.field_errors)


def test_huge_body_is_validation_failed(client, project):
    data = {"name": unique("big"), "projects": [project["id"]], "description": "x" * 2_000_000}
    with pytest.raises(ValidationFailed, match="too large") as caught:
        client.save_model("session", data=data)
    assert caught.value.status_code == 413


@pytest.mark.parametrize(
    ("query", "field"),
    [({"filters": {"bogus": 1}}, "filter{bogus}"), ({"sort": ["-bogus"]}, "sort[]")],
)
def test_unknown_query_field_is_validation_failed(client, query, field):
    with pytest.raises(ValidationFailed, match="search for session records") as caught:
        client.load_model("session", **query)
    assert list(caught.value.field_errors) == [field]


def test_super_portal_for_a_normal_user_is_permission_denied(client):
    with pytest.raises(PermissionDenied, match="not allowed to read session records"):
        client.load_model("session", portal="super")


def test_other_users_session_is_not_found(server, client, project):
    [session] = create_sessions(client, project, [unique("mine")])
    with BrainstemClient(server.url, server.new_user("outsider")[1]) as outsider:
        with pytest.raises(NotFound):
            outsider.save_model("session", id=session["id"], data={"description": "hijacked"})
        with pytest.raises(NotFound):
            outsider.delete_model("session", id=session["id"])
    assert client.load_model("session", id=session["id"])["session"]["description"] == ""


def test_read_only_member_gets_permission_denied(server, client, project):
    [session] = create_sessions(client, project, [unique("ro")])
    reader_name, reader_token = server.new_user("reader")
    server.cli("member", reader_name, project["name"])  # a member without --can-change
    with BrainstemClient(server.url, reader_token) as reader:
        assert reader.load_model("session", id=session["id"])["session"]["id"] == session["id"]
        with pytest.raises(PermissionDenied, match="not allowed to change session"):
            reader.save_model("session", id=session["id"], data={"description": "nope"})


@pytest.mark.parametrize("method", ["GET", "POST", "PATCH", "DELETE"])
def test_dead_port_is_connection_error(method):
    token = uuid.uuid4().hex
    with ClosedPort() as closed, BrainstemClient(closed.url, token) as api:
        with pytest.raises(ApiConnectionError, match="check STEMGUI_API_URL") as caught:
            _call(api, method, record_id=str(uuid.uuid4()))
    assert closed.url.rstrip("/") in str(caught.value)
    assert token not in str(caught.value)


@pytest.mark.parametrize(("label", "named"), [(None, "Could not reach the server at http://"),
                                             ("the bundled server", "Could not reach the bundled server (http://")])
def test_connection_error_names_the_backend_in_use(label, named):
    """Issue 10 item 16: messages name the backend in use, not "the BrainSTEM server"."""
    with ClosedPort() as closed, BrainstemClient(closed.url, label=label, attempts=1) as api:
        with pytest.raises(ApiConnectionError) as caught:
            api.load_model("session")
    assert str(caught.value).startswith(named) and "BrainSTEM" not in str(caught.value)


@pytest.mark.timeout(30)  # the bound: a client that waited for the sleepy server would hang here
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sleepy_server_is_timeout_and_not_retried(method):
    with SleepyServer(delay=120) as sleepy, BrainstemClient(sleepy.url, timeout=(1, 0.5)) as api:
        with pytest.raises(ApiTimeout, match="did not answer in time"):
            _call(api, method, record_id=str(uuid.uuid4()))
        assert sleepy.requests == 1


@pytest.mark.parametrize("status", [502, 503, 504])
def test_get_through_two_failures_succeeds(server, user, client, project, status):
    name = unique("flaky")
    create_sessions(client, project, [name])
    with FlakyProxy(server.url, failures=2, status=status) as proxy, _via(proxy, user[1]) as api:
        listed = api.load_model("session", filters={"name": name})
    assert [s["name"] for s in listed["sessions"]] == [name]
    assert proxy.received == {"GET": 3}
    assert proxy.forwarded == {"GET": 1}


@pytest.mark.parametrize("method", ["PATCH", "DELETE"])
def test_patch_and_delete_are_retried(server, user, client, project, method):
    [session] = create_sessions(client, project, [unique("retry")])
    with FlakyProxy(server.url, failures=2) as proxy, _via(proxy, user[1]) as api:
        _call(api, method, record_id=session["id"])
    assert proxy.received == {method: 3}
    assert proxy.forwarded == {method: 1}


def test_post_is_never_retried(server, user, client, project):
    name = unique("once")
    with FlakyProxy(server.url, failures=1) as proxy, _via(proxy, user[1]) as api:
        with pytest.raises(ServerError) as caught:
            api.save_model("session", data={"name": name, "projects": [project["id"]]})
    assert caught.value.status_code == 503
    assert proxy.received == {"POST": 1}
    assert proxy.forwarded == {}
    assert client.load_model("session", filters={"name": name})["sessions"] == []


def test_retries_give_up_with_server_error(server, user):
    with FlakyProxy(server.url, failures=10) as proxy, _via(proxy, user[1]) as api:
        with pytest.raises(ServerError, match="HTTP 503") as caught:
            api.load_model("session")
    assert caught.value.status_code == 503
    assert proxy.received == {"GET": 3}


def test_server_error_500_is_not_retried(server, user):
    with FaultProxy(server.url, failures=10, failure_status=500) as proxy, _via(proxy, user[1]) as api:
        with pytest.raises(ServerError):
            api.load_model("session")
    assert proxy.received == {"GET": 1}


@pytest.mark.parametrize(("method", "retries"), [("GET", 2), ("PATCH", 2), ("DELETE", 2), ("POST", 0)])
def test_refused_connections_are_retried_except_post(caplog, method, retries):
    with ClosedPort() as closed, BrainstemClient(closed.url, backoff=0.01) as api:
        with pytest.raises(ApiConnectionError, match=str(closed.port)):
            _call(api, method, record_id=str(uuid.uuid4()))
    assert sum("retry" in record.getMessage() for record in caplog.records) == retries


@pytest.mark.parametrize("status", [400, 401, 403, 404, 500])
def test_a_server_echoing_the_token_does_not_leak_it(caplog, status):
    token = "secret-" + uuid.uuid4().hex

    def echo(handler) -> bytes:
        header = handler.headers["Authorization"]
        return json.dumps({"detail": f"bad {header}", header: [header], "name": [f"no {header}"]}).encode()

    with SleepyServer(delay=0, body=echo, status=status) as echoing:
        with BrainstemClient(echoing.url, token) as api, pytest.raises(StemGuiError) as caught:
            api.save_model("session", data={"name": "x"})
    assert echoing.requests == 1
    assert_token_hidden(caught.value, token, caplog)
    assert token not in json.dumps(getattr(caught.value, "field_errors", {}))


def test_a_web_page_instead_of_the_api_is_server_error():
    with SleepyServer(delay=0, body=b"<html>Welcome</html>", content_type="text/html") as wrong:
        with BrainstemClient(wrong.url) as api, pytest.raises(ServerError, match="STEMGUI_API_URL"):
            api.load_model("session")


def test_json_without_records_lists_nothing():
    with SleepyServer(delay=0, body=b'{"unexpected": true}') as odd, BrainstemClient(odd.url) as api:
        assert api.load_model("session") == {"unexpected": True}
        assert api.list_all("session") == []


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"name": ["already exists."]}, {"name": ["already exists."]}),
        ({"name": "too long"}, {"name": ["too long"]}),
        ({"non_field_errors": ["bad pair"]}, {"non_field_errors": ["bad pair"]}),
        ({"detail": "Malformed JSON"}, {}),
        ({"details": {"fiberDiameter": ["not a number"]}}, {"details.fiberDiameter": ["not a number"]}),
        ({"extra_fields": [{}, {"name": ["bad key"]}]}, {"extra_fields.1.name": ["bad key"]}),
        (
            {"detail": [{"loc": ["body", "name"], "msg": "Field required", "type": "missing"}]},
            {"name": ["Field required"]},
        ),
        (["not", "a", "dict"], {}),
        (None, {}),
    ],
)
def test_field_errors_from_body(body, expected):
    assert field_errors_from_body(body) == expected


def _via(proxy: FaultProxy, token: str) -> BrainstemClient:
    """A client that talks to the server through ``proxy``, with a quick backoff."""
    return BrainstemClient(proxy.url, token, backoff=0.01)


def _call(api: BrainstemClient, method: str, record_id: str):
    if method == "GET":
        return api.load_model("session", id=record_id)
    if method == "POST":
        return api.save_model("session", data={"name": unique("x")})
    if method == "PATCH":
        return api.save_model("session", id=record_id, data={"description": "patched"})
    return api.delete_model("session", id=record_id)
