"""Issue 17 item 5: a fresh install's first login waits only for the bundled server to start.

``python -m stemgui.firstrun`` (run by ``make run`` before Streamlit) loads the demo lab into the
bundled database and makes admin's API user and token, which the first login used to do.
"""

from __future__ import annotations

import os
import subprocess
import sys

import yaml

from stemgui import backend
from stemgui.server import admin

REPO_ROOT = backend.REPO_ROOT


def test_first_run_loads_the_demo_lab_and_admins_api_user_before_the_app_starts(tmp_path):
    """Issue 17 item 5: after firstrun, the demo lab is in the database and admin's kept API
    token works, so the first login neither loads the demo nor hashes a new API password."""
    data_dir = tmp_path / "fresh"
    env = {**os.environ, "STEMGUI_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT)}
    env.pop("STEMGUI_API_URL", None)
    subprocess.run([sys.executable, "-m", "stemgui.firstrun"], cwd=REPO_ROOT, env=env,
                   capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert (data_dir / backend.DEMO_MARKER).exists()
    db_url = f"sqlite:///{data_dir / backend.DB_FILE}"
    token = yaml.safe_load((data_dir / backend.API_USERS_FILE).read_text())["admin"]["token"]
    assert admin.token_owner(db_url, token) == "admin"
    server = backend.BundledServer(data_dir, db_url)
    assert server.token_for("admin", "admin") == token  # the login takes the kept one


def test_first_run_against_another_backend_leaves_the_bundled_database_alone(tmp_path):
    """Issue 17 item 5: with STEMGUI_API_URL set there is no bundled server to prepare."""
    data_dir = tmp_path / "remote"
    env = {**os.environ, "STEMGUI_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO_ROOT),
           "STEMGUI_API_URL": "https://brainstem.example.org/"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "stemgui.firstrun"], cwd=REPO_ROOT, env=env,
                   capture_output=True, text=True, timeout=120, check=True)  # fmt: skip
    assert not (data_dir / backend.DB_FILE).exists()


def test_the_bundled_server_can_start_while_the_login_page_shows(tmp_path):
    """Issue 17 item 5: ``start_in_background`` starts the server in a thread; the first login's
    ``bundled_server`` call then finds it running instead of starting it."""
    data_dir = tmp_path / "background"
    backend.prepare(data_dir, {})
    try:
        backend.start_in_background(data_dir).join(120)
        server = backend._servers[data_dir.resolve()]
        assert server.is_running()
        assert backend.bundled_server(data_dir) is server
    finally:
        backend.stop_all()
