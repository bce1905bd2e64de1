"""Client fixtures: one user and client per test module; a fresh project (only they see) per test."""

from __future__ import annotations

import pytest

from stemgui.client import BrainstemClient
from tests.client.helpers import unique


@pytest.fixture(scope="module")
def user(server) -> tuple[str, str]:
    """(username, token) of a user shared by one test module; each test gets its own project."""
    return server.new_user("cli")


@pytest.fixture(scope="module")
def client(server, user):
    with BrainstemClient(server.url, user[1]) as api:
        yield api


@pytest.fixture
def project(client) -> dict:
    """A project the ``user`` owns and nobody else is a member of."""
    data = {"name": unique("proj"), "description": "client tests"}
    return client.save_model("project", data=data)["project"]


@pytest.fixture
def subject(client, project) -> dict:
    """A subject in ``project`` (with its own species and strain), for action tests."""
    species = client.save_model("species", data={"name": unique("Mus")})["species"]
    strain = client.save_model("strain", data={"name": unique("C57"), "species": species["id"]})["strain"]
    data = {"name": unique("mouse"), "strain": strain["id"], "sex": "M", "projects": [project["id"]]}
    return client.save_model("subject", data=data)["subject"]
