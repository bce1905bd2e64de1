"""What stemgui's own client makes of the server's refusals to link related records.

A read-only related record must reach the GUI as PermissionDenied that still names the field;
an unreadable one as the same ValidationFailed as an unknown id.
"""

from __future__ import annotations

import uuid

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import PermissionDenied, StemGuiError, ValidationFailed
from tests.server.api import unique
from tests.server.builders import make_project, make_subject, share


@pytest.fixture(scope="module")
def setup(new_api, taxa) -> dict:
    user, other = new_api("cli"), new_api("cliother")
    read_only, hidden = make_project(other), make_project(other)
    share(other, read_only["id"], user, can_change=False)
    return {
        "user": user,
        "read_only": read_only,
        "hidden": hidden["id"],
        "subject": make_subject(other, [read_only["id"]], taxa.strain)["id"],
    }


def _action(subject: str) -> dict:
    return {
        "type": "OpticFiberImplant",
        "subject": subject,
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
    }


@pytest.mark.parametrize(
    ("model", "field", "payload"),
    [
        ("session", "projects", lambda s: {"name": unique("S"), "projects": [s["read_only"]["id"]]}),
        ("action", "subject", lambda s: _action(s["subject"])),
    ],
)
def test_read_only_related_record_is_permission_denied_with_field_errors(
    server, setup, model, field, payload
):
    user = setup["user"]
    with BrainstemClient(server.url, user.token) as client:
        with pytest.raises(PermissionDenied) as caught:
            client.save_model(model, data=payload(setup))
        before = len(client.list_all(model))
    error = caught.value
    assert not isinstance(error, ValidationFailed) and isinstance(error, StemGuiError)
    assert error.status_code == 403
    assert list(error.field_errors) == [field]
    assert "read-only access" in error.field_errors[field][0]
    assert "read-only access" in error.message  # the server's reason reaches the person too
    if model == "session":
        assert setup["read_only"]["name"] in error.message
    assert before == 0  # nothing was written


@pytest.mark.parametrize("project", [lambda s: s["hidden"], lambda s: str(uuid.uuid4())])
def test_unreadable_project_is_validation_failed_like_an_unknown_one(server, setup, project):
    pid = project(setup)
    with BrainstemClient(server.url, setup["user"].token) as client:
        with pytest.raises(ValidationFailed) as caught:
            client.save_model("session", data={"name": unique("S"), "projects": [pid]})
    assert caught.value.field_errors == {"projects": [f'Invalid pk "{pid}" - object does not exist.']}
