"""The server's command line: serve, adduser, demo, member (each against its own SQLite file)."""

from __future__ import annotations

import sqlite3
import subprocess
import sys

import pytest

from stemgui.schemas import action_types
from tests.server.api import Api, flt, unique
from tests.server.builders import make_project
from tests.serverproc import REPO_ROOT, ServerProcess


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """A server started by ``serve`` on a database file that does not exist yet."""
    data_dir = tmp_path_factory.mktemp("cli")
    proc = ServerProcess(f"sqlite:///{data_dir / 'fresh.sqlite'}", data_dir).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory):
    """A database with a user ``alice`` and the demo data loaded twice (alice owns it)."""
    data_dir = tmp_path_factory.mktemp("cli-demo")
    proc = ServerProcess(f"sqlite:///{data_dir / 'demo.sqlite'}", data_dir)
    proc.adduser("alice", "alice-password")
    dumps = []
    for _ in range(2):
        result = proc.cli("demo", "--member", "alice")
        assert result.returncode == 0, result.stderr
        dumps.append(dump(data_dir / "demo.sqlite"))
    proc.dumps = dumps
    proc.start()
    yield proc
    proc.stop()


def dump(path) -> list[str]:
    """Every row of every table, as SQL text."""
    with sqlite3.connect(path) as connection:
        return list(connection.iterdump())


def run_cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stemgui.server", *args]
    return subprocess.run(command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_help_lists_the_subcommands(fresh):
    result = run_cli("--help", env=fresh.env)
    assert result.returncode == 0
    for command in ("serve", "adduser", "demo", "member"):
        assert command in result.stdout


def test_serve_adduser_token_then_create_and_read_a_session(fresh):
    result = fresh.adduser("carol", "carol-password")
    assert result.returncode == 0, result.stderr
    token = fresh.token("carol", "carol-password")
    api = Api(fresh.url, token, "carol")
    project = make_project(api)
    assert project["users"] == {
        "carol@example.org": {"can_change": True, "is_manager": True, "is_owner": True}
    }
    session = api.create("session", {"name": unique("cli"), "description": "from the CLI test",
                                     "projects": [project["id"]]})  # fmt: skip
    assert api.read("session", session["id"]) == session
    assert api.ids("session") == [session["id"]]
    stored = "\n".join(dump(fresh.db_url.removeprefix("sqlite:///")))
    assert "carol@example.org" in stored
    assert "carol-password" not in stored and token not in stored  # hashed, never in clear


def test_adduser_superuser_may_use_the_super_portal(fresh):
    assert fresh.adduser("root", "root-password", superuser=True).returncode == 0
    root = Api(fresh.url, fresh.token("root", "root-password"))
    assert root.get("session", portal="super").status_code == 200


def test_data_survives_a_restart(fresh):
    fresh.adduser("dave", "dave-password")
    token = fresh.token("dave", "dave-password")
    api = Api(fresh.url, token, "dave")
    session = api.create("session", {"name": unique("keep"), "projects": [make_project(api)["id"]]})
    fresh.stop()
    fresh.start()
    assert api.read("session", session["id"]) == session


def test_db_defaults_to_a_file_in_the_data_dir(tmp_path):
    env = {**ServerProcess("sqlite://", tmp_path).env}
    result = run_cli("adduser", "erin", "--email", "erin@example.org", "--password", "erin-password", env=env)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "stemgui.sqlite").is_file()
    assert any("erin@example.org" in line for line in dump(tmp_path / "stemgui.sqlite"))


def test_demo_twice_changes_nothing(demo_db):
    first, second = demo_db.dumps
    assert len(first) > 1327  # every brain region at least
    assert first == second


def test_demo_data_is_visible_to_its_member(demo_db):
    alice = Api(demo_db.url, demo_db.token("alice", "alice-password"), "alice")
    projects = alice.records("project")
    assert len(projects) == 2
    assert all(p["users"]["alice@example.org"]["is_owner"] for p in projects)
    assert 15 <= alice.count("session") <= 100
    actions = alice.records("action", limit=100)
    assert {a["type"] for a in actions} == set(action_types())
    assert len({a["coordinates_system"] for a in actions}) == 7
    assert alice.count("brainregion", **{flt("atlas"): "AIA"}) == 1327
    assert alice.count("subject") >= 4


def test_member_command_grants_read_then_change(demo_db):
    demo_db.adduser("bob", "bob-password")
    bob = Api(demo_db.url, demo_db.token("bob", "bob-password"), "bob")
    alice = Api(demo_db.url, demo_db.token("alice", "alice-password"), "alice")
    project = alice.records("project", **{"sort[]": "name"})[0]
    assert bob.count("session", **{flt("projects.id"): project["id"]}) == 0
    assert demo_db.cli("member", "bob", project["name"]).returncode == 0
    session = bob.records("session", **{flt("projects.id"): project["id"]})[0]
    assert bob.patch("session", session["id"], {"description": "bob"}).status_code in (403, 404)
    assert demo_db.cli("member", "bob", project["name"], "--can-change").returncode == 0
    assert bob.change("session", session["id"], {"description": "bob"})["description"] == "bob"


@pytest.mark.parametrize(
    "args",
    [("member", "nobody-at-all", "No such project"), ("demo", "--member", "nobody-at-all")],
)
def test_cli_errors_exit_nonzero_without_a_traceback(demo_db, args):
    result = demo_db.cli(*args, check=False)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() or result.stdout.strip()
