"""Fixtures of the server tests: users as ``Api`` objects and the records they work on.

Every fixture builds on the shared session-scoped ``server`` (empty database) of
tests/conftest.py; each test module makes its own users so modules never see each other's data.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest

from stemgui.server.admin import ensure_user
from tests.server.api import Api
from tests.server.builders import Taxa, make_taxa
from tests.serverproc import ServerProcess


def user_api(server: ServerProcess, prefix: str = "user", superuser: bool = False) -> Api:
    """A fresh user made with the server's Python admin API, signed in over HTTP.

    The admin API (the same code as ``adduser``) saves a Python start-up per user, which is
    most of the suite's time; test_cli.py covers the command itself.
    """
    username = f"{prefix}-{uuid.uuid4().hex[:10]}"
    password = f"pw-{username}-secret"
    ensure_user(server.db_url, username, f"{username}@example.org", password, superuser=superuser)
    return Api(server.url, server.token(username, password), username)


@pytest.fixture(scope="session")
def new_api(server) -> Callable[..., Api]:
    """Factory: a fresh user on the shared server, as an ``Api`` holding its token."""

    def make(prefix: str = "user", superuser: bool = False) -> Api:
        return user_api(server, prefix, superuser)

    return make


@pytest.fixture(scope="session")
def anonymous(server) -> Api:
    return Api(server.url)


@pytest.fixture(scope="session")
def taxa(new_api) -> Taxa:
    """One species, strain, supplier, consumable, hardware device and brain region."""
    return make_taxa(new_api("taxa"))
