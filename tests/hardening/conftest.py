"""Fixtures of the hardening tests: two users in different projects on the shared API server,
and (re-exported) the GUI fixtures for AppTest runs against the bundled backend."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stemgui.client import BrainstemClient
from tests.gui.conftest import _apptest_runs_app_py, bundled, gui_data_dir, gui_env, make_user  # noqa: F401
from tests.server.api import Api, unique
from tests.server.builders import make_project, make_session, make_subject, make_taxa


@dataclass
class Person:
    """One API user with a project, a subject, a session and an action of their own."""

    api: Api  # raw HTTP, for bodies a client would never send
    client: BrainstemClient
    project: str
    subject: str
    session: dict
    action: dict


def _person(server, prefix: str, strain: str, region: str) -> Person:
    username, token = server.new_user(prefix)
    api = Api(server.url, token, username)
    project = make_project(api)["id"]
    subject = make_subject(api, [project], strain)["id"]
    session = make_session(api, [project], description="mine", tags=["own"])
    action = api.create(
        "action",
        {
            "type": "VirusInjection", "subject": subject, "description": "mine",
            "details": {"injectionVolume": 10}, "brain_region": region,
            "coordinates_system": "Stereotaxic_BregmaAbsolute", "coordinates_details": {"apCoordinate": 1.0},
        },
    )  # fmt: skip
    return Person(api, BrainstemClient(server.url, token, attempts=1), project, subject, session, action)


@dataclass
class Pair:
    """``me`` sends the hostile input; ``other`` owns records ``me`` must never reach."""

    me: Person
    other: Person
    root: Api  # a superuser: counts every record on the super portal

    def counts(self) -> tuple[int, int]:
        return self.root.count("session", portal="super"), self.root.count("action", portal="super")

    def snapshot(self) -> tuple:
        """Everything a rejected request must leave as it was."""
        return (
            self.counts(),
            self.me.api.read("session", self.me.session["id"]),
            self.me.api.read("action", self.me.action["id"]),
            self.other.api.read("session", self.other.session["id"]),
            self.other.api.read("action", self.other.action["id"]),
        )


@pytest.fixture(scope="module")
def pair(server) -> Pair:
    username, token = server.new_user("hroot", superuser=True)
    root = Api(server.url, token, username)
    taxa = make_taxa(root)
    me = _person(server, "hme", taxa.strain, taxa.brain_region)
    other = _person(server, "hother", taxa.strain, taxa.brain_region)
    yield Pair(me, other, root)
    me.client.close()
    other.client.close()


__all__ = ["Pair", "Person", "unique"]
