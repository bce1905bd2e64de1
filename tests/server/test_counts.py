"""Issue 17 item 1: a list's ``count`` is computed once per paging walk (its first page) and
reused by the walk's later pages, until a write through the server drops it."""

from __future__ import annotations

from sqlalchemy import insert

from stemgui.server import tables as t
from stemgui.server.db import sessionmaker_for
from tests.server.api import flt, unique
from tests.server.builders import make_project, make_session


def _insert_behind_the_servers_back(db_url: str, project_id: str) -> None:
    """A session written by another server process on the same database (not through this one)."""
    session_id = t.new_id()
    with sessionmaker_for(db_url).begin() as db:
        db.execute(insert(t.Session), [{"id": session_id, "name": unique("elsewhere")}])
        db.execute(insert(t.session_projects), [{"session_id": session_id, "project_id": project_id}])


def test_later_pages_reuse_the_first_pages_count_until_a_write(server, new_api):
    """Issue 17 item 1: page 2 of a walk answers the count page 1 computed (the old code counted
    again on every page, so it saw the record another process added); page 1 always counts, and a
    write through this server drops every kept count."""
    api = new_api("counts")
    project = make_project(api)["id"]
    for _ in range(3):
        make_session(api, [project])
    walk = {flt("projects.id"): project, "limit": 1}
    assert api.count("session", **walk, offset=0) == 3
    assert api.count("session", **walk, offset=1) == 3

    _insert_behind_the_servers_back(server.db_url, project)
    assert api.count("session", **walk, offset=1) == 3  # same walk: the count is not redone
    assert api.count("session", **walk, offset=0) == 4  # a new walk counts again
    assert api.count("session", **walk, offset=2) == 4

    make_session(api, [project])  # a write through the server: kept counts are dropped
    assert api.count("session", **walk, offset=1) == 5


def test_counts_are_kept_per_user_and_per_filter(server, new_api):
    """Issue 17 item 1: a kept count never answers another user's or another filter's page."""
    owner, stranger = new_api("counts-owner"), new_api("counts-stranger")
    project = make_project(owner)["id"]
    make_session(owner, [project], description="alpha")
    make_session(owner, [project], description="beta")
    walk = {flt("projects.id"): project, "limit": 1}
    assert owner.count("session", **walk, offset=0) == 2
    assert stranger.count("session", **walk, offset=1) == 0
    narrowed = {**walk, flt("description"): "alpha"}
    assert owner.count("session", **narrowed, offset=1) == 1
