"""Issue 9 item 8: the client's optional precondition (``if_match``) and ``EditConflict``, end to end
against the real bundled server (SQLite and PostgreSQL)."""

from __future__ import annotations

import pytest
import requests

from stemgui.errors import EditConflict, StemGuiError
from stemgui.http_errors import CallContext, error_from_response
from tests.client.helpers import unique


@pytest.fixture
def session(client, project) -> dict:
    data = {"name": unique("sess"), "description": "as opened", "projects": [project["id"]]}
    return client.save_model("session", data=data)["session"]


def test_load_versioned_gives_the_record_and_its_etag(client, session):
    opened = client.load_versioned("session", session["id"])
    assert opened.record == session
    assert opened.etag and opened.etag.startswith('"')


def test_a_stale_patch_raises_edit_conflict_with_the_record_as_it_is_now(client, session):
    opened = client.load_versioned("session", session["id"])
    client.save_model("session", id=session["id"], data={"description": "theirs"})  # another editor

    with pytest.raises(EditConflict) as caught:
        client.save_model("session", id=session["id"], data={"tags": ["mine"]}, if_match=opened.etag)

    conflict = caught.value
    assert isinstance(conflict, StemGuiError) and conflict.status_code == 412
    assert conflict.current == {**session, "description": "theirs"}
    assert conflict.etag == client.load_versioned("session", session["id"]).etag != opened.etag
    assert "changed" in conflict.message and "nothing was saved" in conflict.message
    assert client.load_model("session", id=session["id"])["session"]["tags"] == []


def test_a_current_patch_and_delete_go_through(client, session):
    opened = client.load_versioned("session", session["id"])
    saved = client.save_model("session", id=session["id"], data={"tags": ["mine"]}, if_match=opened.etag)
    assert saved["session"]["tags"] == ["mine"]
    with pytest.raises(EditConflict):
        client.delete_model("session", id=session["id"], if_match=opened.etag)  # stale now
    now = client.load_versioned("session", session["id"])
    client.delete_model("session", id=session["id"], if_match=now.etag)


def test_without_a_precondition_the_client_writes_as_before(client, session):
    client.load_versioned("session", session["id"])
    client.save_model("session", id=session["id"], data={"description": "theirs"})
    client.save_model("session", id=session["id"], data={"description": "mine"})
    assert client.load_model("session", id=session["id"])["session"]["description"] == "mine"


def test_412_mapping_without_a_body():
    """A 412 without the record (a server that sends none) is still an EditConflict."""
    response = requests.Response()
    response.status_code = 412
    response._content = b""
    error = error_from_response(response, CallContext("PATCH", "session", "abc", "http://x/"))
    assert isinstance(error, EditConflict) and error.current is None and error.etag is None
