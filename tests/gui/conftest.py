"""GUI fixtures: one bundled backend per test process, a fresh GUI user per test, AppTest helpers.

The bundled server is started through the app's own launcher (``stemgui.backend``) in a
session-scoped data dir, exactly as ``streamlit run app.py`` would; tests get their own users
so they never depend on each other's records.
"""

from __future__ import annotations

import itertools
import os
from pathlib import Path

import pytest
import streamlit.testing.v1.app_test as app_test_module

from stemgui import backend
from stemgui.auth import UserStore
from stemgui.client import BrainstemClient
from tests.gui.apptest import PASSWORD, REPO_ROOT, GuiUser, NavigationPagesManager

_counter = itertools.count(1)
# Cheap bcrypt for the many users the tests make (production keeps cost 12); checks stay real.
os.environ.setdefault("STEMGUI_BCRYPT_ROUNDS", "4")


@pytest.fixture(autouse=True)
def _apptest_runs_app_py(monkeypatch):
    monkeypatch.setattr(app_test_module, "PagesManager", NavigationPagesManager)


@pytest.fixture(scope="session")
def gui_data_dir(tmp_path_factory) -> Path:
    data_dir = tmp_path_factory.mktemp("gui-data")
    UserStore(data_dir).bootstrap()
    return data_dir


@pytest.fixture(scope="session")
def bundled(gui_data_dir):
    """The bundled server of the GUI data dir, started by the app's launcher (demo data loaded)."""
    server = backend.bundled_server(gui_data_dir)
    yield server
    backend.stop_all()


@pytest.fixture
def gui_env(monkeypatch, gui_data_dir) -> Path:
    """Environment of an app using the bundled backend in the shared data dir."""
    monkeypatch.chdir(REPO_ROOT)
    monkeypatch.setenv("STEMGUI_DATA_DIR", str(gui_data_dir))
    monkeypatch.delenv("STEMGUI_API_URL", raising=False)
    monkeypatch.setenv("STEMGUI_LOGIN_SLEEP", "0")
    return gui_data_dir


@pytest.fixture
def make_user(gui_env, bundled):
    """``make_user(role)`` -> a new GUI user with API access as the app would set it up."""
    clients: list[BrainstemClient] = []

    def make(role: str = "editor") -> GuiUser:
        username = f"{role}{os.getpid()}x{next(_counter)}"
        UserStore(gui_env).add_user(username, PASSWORD, role, name=f"Test {role.title()}")
        api = BrainstemClient(bundled.url, bundled.token_for(username, role))
        clients.append(api)
        return GuiUser(username, PASSWORD, role, api)

    yield make
    for api in clients:
        api.close()
