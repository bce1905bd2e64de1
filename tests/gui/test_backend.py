"""The bundled-backend launcher: one server per data dir, demo data, API users per GUI role."""

import stat

import pytest

from stemgui import backend
from stemgui.client import BrainstemClient
from stemgui.errors import AuthError


def test_one_server_per_process_with_demo_data_and_private_files(bundled, gui_data_dir):
    assert backend.bundled_server(gui_data_dir) is bundled  # started once, then reused
    assert bundled.url.startswith("http://127.0.0.1:")
    api = BrainstemClient(bundled.url, bundled.token_for("admin", "admin"))
    assert set(backend.demo_project_names()) <= {p["name"] for p in api.list_all("project")}
    assert len(api.list_all("session")) >= 20
    assert stat.S_IMODE((gui_data_dir / backend.API_USERS_FILE).stat().st_mode) == 0o600
    assert (gui_data_dir / backend.DEMO_MARKER).exists()


@pytest.mark.parametrize(
    ("role", "rights"),
    [
        ("viewer", {"can_change": False, "is_manager": False, "is_owner": False}),
        ("editor", {"can_change": True, "is_manager": False, "is_owner": False}),
        ("admin", {"can_change": True, "is_manager": True, "is_owner": True}),
    ],
)
def test_api_rights_follow_the_gui_role(make_user, bundled, role, rights):
    user = make_user(role)
    projects = {p["name"]: p for p in user.api.list_all("project")}
    for name in backend.demo_project_names():
        assert projects[name]["users"][f"{user.username}@stemgui.local"] == rights


def test_role_change_and_removal_reach_the_api(make_user, bundled):
    user = make_user("editor")
    old_token = bundled.token_for(user.username, "editor")
    token = bundled.token_for(user.username, "viewer")  # the role changed: new rights, new token
    api = BrainstemClient(bundled.url, token)
    project = next(p for p in api.list_all("project") if p["name"] == backend.demo_project_names()[0])
    assert project["users"][f"{user.username}@stemgui.local"]["can_change"] is False
    assert bundled.token_for(user.username, "viewer") == token  # kept while nothing changes
    bundled.forget(user.username)
    for stale in (token, old_token):
        with pytest.raises(AuthError):
            BrainstemClient(bundled.url, stale).list_all("project")


def test_a_stopped_server_is_started_again(tmp_path):
    server = backend.bundled_server(tmp_path)
    try:
        server.process.kill()
        server.process.wait()
        again = backend.bundled_server(tmp_path)
        assert again is not server and again.is_running()
        assert BrainstemClient(again.url, again.token_for("someone", "viewer")).list_all("project")
    finally:
        backend.bundled_server(tmp_path).stop()


def test_the_bundled_server_starts_behind_an_environments_proxy(tmp_path, proxy_environment):
    """An institute's HTTP_PROXY (here one that does not answer) with no NO_PROXY for localhost:
    the start-up check and the app's calls reach the bundled server directly (before, the check
    asked the proxy until "The bundled server did not start in time")."""
    proxy_environment(f"http://127.0.0.1:{backend.free_port()}")
    server = backend.bundled_server(tmp_path)
    try:
        with BrainstemClient(server.url, server.token_for("someone", "viewer"), attempts=1) as api:
            assert api.list_all("project")  # the demo lab's projects
    finally:
        server.stop()
