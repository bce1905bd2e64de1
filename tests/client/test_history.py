"""Issue 15 (client): ``history``, ``deleted`` and ``restore`` against the bundled server, and a
backend without the history endpoints (BrainSTEM's answer: a 404) as ``HistoryUnavailable``."""

from __future__ import annotations

import re

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import HistoryUnavailable, NotFound, PermissionDenied, ValidationFailed
from tests.client.helpers import unique
from tests.faults import FaultProxy

HISTORY_PATH = re.compile(r"/(history|restore|deleted)/")


class NoHistoryBackend(FaultProxy):
    """Forwards to a real server but answers its history endpoints as BrainSTEM does (404 from an
    unknown URL, without the history header): a backend that keeps no history."""

    def _handle(self, handler) -> None:
        if HISTORY_PATH.search(handler.path):
            handler.read_body()
            handler.reply(404, b'{"detail": "Not found."}')
            return
        super()._handle(handler)


def test_history_deleted_and_restore_round_trip(client, project):
    """Issue 15: a change, a delete and a restore through the client; the history reads newest
    first with the fields before and after."""
    session = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})["session"]
    client.save_model("session", id=session["id"], data={"description": "edited"})
    client.delete_model("session", id=session["id"])
    assert session["id"] in [item["id"] for item in client.deleted("session")["deleted"]]
    back = client.restore("session", session["id"])["session"]
    assert back["id"] == session["id"] and back["description"] == "edited"
    body = client.history("session", session["id"])
    assert body["count"] == 4
    assert [row["operation"] for row in body["history"]] == ["restore", "delete", "update", "create"]
    update = body["history"][2]
    assert (update["before"]["description"], update["after"]["description"]) == ("", "edited")
    assert [
        row["operation"] for row in client.history("session", session["id"], limit=1, offset=1)["history"]
    ] == ["delete"]


def test_history_errors_are_typed(client, project, server):
    """Issue 15: an unknown record is NotFound (not "no history"), a taken name a ValidationFailed
    naming ``name``, a read-only member's restore PermissionDenied."""
    with pytest.raises(NotFound) as missing:
        client.history("session", "00000000-0000-0000-0000-000000000000")
    assert not isinstance(missing.value, HistoryUnavailable)
    session = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})["session"]
    client.delete_model("session", id=session["id"])
    client.save_model("session", data={"name": session["name"], "projects": [project["id"]]})
    with pytest.raises(ValidationFailed) as taken:
        client.restore("session", session["id"])
    assert "name" in taken.value.field_errors

    reader_name, reader_token = server.new_user("reader")
    client.save_model("project", id=project["id"], data={"users": {f"{reader_name}@example.org": {}}})
    other = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})["session"]
    client.delete_model("session", id=other["id"])
    with BrainstemClient(server.url, reader_token) as reader:
        assert reader.history("session", other["id"])["count"] == 2
        assert reader.deleted("session")["deleted"] == []
        with pytest.raises(PermissionDenied):
            reader.restore("session", other["id"])


def test_a_backend_without_history_is_history_unavailable(server, user, project):
    """Issue 15: against a backend that answers the history endpoints with a plain 404, every
    history call raises HistoryUnavailable (a NotFound), which the GUI shows as "this backend
    keeps no history"; records still load through it."""
    with NoHistoryBackend(server.url) as backend, BrainstemClient(backend.url, user[1]) as client:
        session = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})
        rid = session["session"]["id"]
        for call in (
            lambda: client.history("session", rid),
            lambda: client.deleted("session"),
            lambda: client.restore("session", rid),
        ):
            with pytest.raises(HistoryUnavailable) as raised:
                call()
            assert isinstance(raised.value, NotFound) and "keeps no history" in str(raised.value)
        assert client.load_model("session", id=rid)["session"]["id"] == rid
