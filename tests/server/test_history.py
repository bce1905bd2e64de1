"""Issue 15 (server): every write of every record kind leaves a history row, in the same
transaction; ``.../<id>/history/``, ``.../deleted/`` and ``.../<id>/restore/``.

Runs on SQLite and PostgreSQL (the ``server`` fixture is parametrized). The record kinds are
taken from the server's ``RESOURCES``: a kind added later without a builder here fails
``test_every_record_kind_has_a_builder`` until one is added.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest

from stemgui.server.resources import RESOURCES
from tests.server.api import Api, names_field, unique, unwrap
from tests.server.builders import Taxa, make_action, make_project, make_session, make_subject, share
from tests.server.current_builders import (
    make_equipment,
    make_inventory,
    make_license,
    make_procedure,
    make_setup,
    make_stock,
)


@dataclass
class World:
    owner: Api
    project: str
    subject: str
    taxa: Taxa


def _supplier(api: Api) -> str:
    return api.create("supplier", {"name": unique("Supplier"), "website": "x.org"})["id"]


# model -> (make a fresh record that may be deleted, the field a change edits)
BUILDERS: dict[str, tuple[Callable[[World], dict], str]] = {
    "project": (lambda w: make_project(w.owner), "description"),
    "subject": (lambda w: make_subject(w.owner, [w.project], w.taxa.strain), "description"),
    "session": (lambda w: make_session(w.owner, [w.project]), "description"),
    "action": (lambda w: make_action(w.owner, w.subject), "description"),
    "species": (lambda w: w.owner.create("species", {"name": unique("Species")}), "description"),
    "strain": (
        lambda w: w.owner.create("strain", {"name": unique("Strain"), "species": w.taxa.species}),
        "description",
    ),
    "brainregion": (
        lambda w: w.owner.create(
            "brainregion", {"name": unique("Region"), "acronym": unique("R")[:15], "atlas": "AIA"}
        ),
        "description",
    ),
    "supplier": (lambda w: w.owner.read("supplier", _supplier(w.owner)), "description"),
    "consumable": (
        lambda w: w.owner.create(
            "consumable", {"name": unique("Cons"), "supplier": w.taxa.supplier, "type": "WireElectrode"}
        ),
        "description",
    ),
    "hardwaredevice": (
        lambda w: w.owner.create("hardwaredevice", {"name": unique("Dev"), "supplier": w.taxa.supplier}),
        "description",
    ),
    "procedure": (lambda w: make_procedure(w.owner, w.subject), "notes"),
    "inventory": (lambda w: make_inventory(w.owner), "description"),
    "setup": (lambda w: make_setup(w.owner), "description"),
    "consumablestock": (lambda w: make_stock(w.owner, make_inventory(w.owner)["id"]), "notes"),
    "equipment": (lambda w: make_equipment(w.owner, make_setup(w.owner)["id"]), "notes"),
    "license": (lambda w: make_license(w.owner), "description"),
    "subjectlog": (
        lambda w: w.owner.create("subjectlog", {"type": "Weighing", "subject": w.subject, "entries": []}),
        "description",
    ),
}


@pytest.fixture(scope="module")
def world(new_api, taxa) -> World:
    owner = new_api("hist")
    project = make_project(owner)
    subject = make_subject(owner, [project["id"]], taxa.strain)
    return World(owner, project["id"], subject["id"], taxa)


def history_url(api: Api, model: str, record_id: str, action: str = "history", portal="private") -> str:
    return api.url(model, record_id, portal) + f"{action}/"


def history_of(api: Api, model: str, record_id: str, **params) -> dict:
    response = api.http.get(history_url(api, model, record_id), params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def restore(api: Api, model: str, record_id: str, portal: str = "private"):
    return api.http.post(history_url(api, model, record_id, "restore", portal), timeout=30)


def deleted(api: Api, model: str, portal: str = "private", **params):
    return api.http.get(api.url(model, portal=portal) + "deleted/", params=params, timeout=30)


def test_every_record_kind_has_a_builder():
    """Issue 15: the history tests cover every record kind the server serves."""
    assert set(RESOURCES) <= set(BUILDERS), f"add a builder for {sorted(set(RESOURCES) - set(BUILDERS))}"


@pytest.mark.parametrize("model", sorted(RESOURCES))
def test_every_write_path_leaves_a_history_row(world, model):
    """Issue 15: create, PATCH, PUT, DELETE and restore of every record kind each leave one history
    row (who, when, fields before and after in the API shape), newest first; the restored record
    has its id back and reads as before the delete."""
    build, field = BUILDERS[model]
    api = world.owner
    created = build(world)
    rid = created["id"]
    api.change(model, rid, {field: "first change"})
    put = api.request("PUT", model, rid, json={field: "second change"})
    assert put.status_code == 200, put.text
    before_delete = api.read(model, rid)
    assert api.delete(model, rid).status_code == 204
    assert api.get(model, rid).status_code == 404

    listed = deleted(api, model).json()
    assert rid in [item["id"] for item in listed["deleted"]]
    back = restore(api, model, rid)
    assert back.status_code == 201, back.text
    restored = unwrap(model, back.json())
    assert restored["id"] == rid
    ignored = {"updated_at", "created_at"}
    assert {k: v for k, v in restored.items() if k not in ignored} == {
        k: v for k, v in before_delete.items() if k not in ignored
    }
    assert rid not in [item["id"] for item in deleted(api, model).json()["deleted"]]

    body = history_of(api, model, rid)
    rows = body["history"]
    assert body["count"] == 5
    assert [row["operation"] for row in rows] == ["restore", "delete", "update", "update", "create"]
    assert all(row["user"]["username"] == api.username and row["record_id"] == rid for row in rows)
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)
    create, patch, put_row, delete, restore_row = reversed(rows)
    assert create["before"] is None and create["after"][field] == created[field]
    assert patch["before"][field] == created[field] and patch["after"][field] == "first change"
    assert patch["changed"] == [field]  # the version stamp (procedures show updated_at) is not a change
    assert put_row["before"][field] == "first change" and put_row["after"][field] == "second change"
    assert delete["after"] is None and delete["before"][field] == "second change"
    assert restore_row["before"] is None and restore_row["after"]["id"] == rid
    # paged like lists
    page = history_of(api, model, rid, limit=2, offset=1)
    assert page["count"] == 5 and [r["operation"] for r in page["history"]] == ["delete", "update"]


def test_history_rows_carry_relation_ids_and_project_membership(world, new_api):
    """Issue 15: a session's history shows its project ids; a project's membership change is a
    change of the project (its ``users`` before and after)."""
    api = world.owner
    other = make_project(api)
    session = make_session(api, [world.project])
    api.change("session", session["id"], {"projects": [world.project, other["id"]]})
    row = history_of(api, "session", session["id"])["history"][0]
    assert row["changed"] == ["projects"]
    assert row["before"]["projects"] == [world.project]
    assert sorted(row["after"]["projects"]) == sorted([world.project, other["id"]])

    member = new_api("member")
    share(api, other["id"], member, can_change=True)
    row = history_of(api, "project", other["id"])["history"][0]
    assert row["operation"] == "update" and "users" in row["changed"]
    assert member.email not in row["before"]["users"]
    assert row["after"]["users"][member.email]["can_change"] is True


def test_refused_writes_leave_no_history_row(world):
    """Issue 15: a write that fails validation or a 412 precondition writes no history row."""
    api = world.owner
    session = make_session(api, [world.project])
    rid = session["id"]
    assert api.patch("session", rid, {"date_time": "not a date"}).status_code == 400
    assert api.post("session", {"name": session["name"], "projects": [world.project]}).status_code == 400
    stale = api.request("PATCH", "session", rid, json={"description": "x"}, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    stale = api.request("DELETE", "session", rid, headers={"If-Match": '"1"'})
    assert stale.status_code == 412
    assert [row["operation"] for row in history_of(api, "session", rid)["history"]] == ["create"]


def test_deleting_a_subject_records_its_cascaded_actions_and_procedures(world, taxa):
    """Issue 15: records the database deletes with another (a subject's actions and procedures)
    get their own delete rows, so they can be restored after their subject."""
    api = world.owner
    subject = make_subject(api, [world.project], taxa.strain)
    action = make_action(api, subject["id"])
    procedure = make_procedure(api, subject["id"])
    assert api.delete("subject", subject["id"]).status_code == 204
    for model, rec in (("action", action), ("procedure", procedure)):
        rows = history_of(api, model, rec["id"])["history"]
        assert [row["operation"] for row in rows] == ["delete", "create"]
        refused = restore(api, model, rec["id"])  # its subject is gone: named, nothing written
        assert refused.status_code == 400 and names_field(refused.json(), ("subject",)), refused.text
    assert restore(api, "subject", subject["id"]).status_code == 201
    for model, rec in (("action", action), ("procedure", procedure)):
        assert restore(api, model, rec["id"]).status_code == 201
        assert api.read(model, rec["id"])["subject"] == subject["id"]


def test_restore_is_refused_when_the_name_is_taken(world):
    """Issue 15: a restore whose name another record took meanwhile is a 400 naming ``name``."""
    api = world.owner
    session = make_session(api, [world.project])
    assert api.delete("session", session["id"]).status_code == 204
    make_session(api, [world.project], name=session["name"])
    refused = restore(api, "session", session["id"])
    assert refused.status_code == 400 and names_field(refused.json(), ("name",)), refused.text
    assert api.get("session", session["id"]).status_code == 404
    assert [row["operation"] for row in history_of(api, "session", session["id"])["history"]] == [
        "delete",
        "create",
    ]


def test_restore_is_refused_when_a_related_record_is_gone(world):
    """Issue 15: a restore whose related record (a consumable) was deleted since is a 400 naming it."""
    api = world.owner
    consumable = BUILDERS["consumable"][0](world)
    action = make_action(api, world.subject, consumable=consumable["id"])
    assert api.delete("action", action["id"]).status_code == 204
    assert api.delete("consumable", consumable["id"]).status_code == 204
    refused = restore(api, "action", action["id"])
    assert refused.status_code == 400 and names_field(refused.json(), ("consumable",)), refused.text


def test_restoring_a_project_brings_back_members_and_links(world, new_api):
    """Issue 15: a restored project has its members again and its sessions that still exist; a
    session it alone held was deleted with it and can be restored after it."""
    api = world.owner
    project = make_project(api)
    reader = new_api("reader")
    share(api, project["id"], reader)
    shared = make_session(api, [project["id"], world.project])
    alone = make_session(api, [project["id"]])
    assert api.delete("project", project["id"]).status_code == 204
    assert api.get("session", alone["id"]).status_code == 404
    assert restore(api, "session", alone["id"]).status_code == 404  # its project is gone: nobody sees it
    assert restore(api, "project", project["id"]).status_code == 201
    back = api.read("project", project["id"])
    assert reader.email in back["users"] and back["users"][api.email]["is_owner"] is True
    assert api.read("session", shared["id"])["projects"] == sorted([project["id"], world.project])
    assert restore(api, "session", alone["id"]).status_code == 201
    assert api.read("session", alone["id"])["projects"] == [project["id"]]


def test_restoring_a_record_that_exists_is_a_400(world):
    """Issue 15: only a deleted record can be restored."""
    session = make_session(world.owner, [world.project])
    refused = restore(world.owner, "session", session["id"])
    assert refused.status_code == 400 and "not deleted" in refused.text


# ----------------------------------------------------------------------------- permissions


# kinds read through projects: the project itself (its members), sessions and subjects (their
# projects), actions and procedures (their subject's projects)
PROJECT_KINDS = ("project", "session", "subject", "action", "procedure")


@dataclass
class Guarded:
    owner: Api
    reader: Api  # a read-only member of the project
    outsider: Api  # in none of it
    model: str
    live: str
    gone: str  # deleted by the owner


@pytest.fixture(scope="module", params=PROJECT_KINDS)
def guarded(request, new_api, taxa) -> Guarded:
    """Of one project-read kind: a live record and a deleted one, with all fields marked secret."""
    owner, reader, outsider = new_api("gowner"), new_api("greader"), new_api("goutsider")
    project = make_project(owner)
    share(owner, project["id"], reader)  # read-only
    make_project(outsider)  # a project of their own, so their scope is not "everything"
    subject = make_subject(owner, [project["id"]], taxa.strain)
    model = request.param

    def build(label: str) -> str:
        if model == "project":
            made = make_project(owner, description=label)
            share(owner, made["id"], reader)
            return made["id"]
        if model == "session":
            return make_session(owner, [project["id"]], description=label)["id"]
        if model == "subject":
            return make_subject(owner, [project["id"]], taxa.strain, description=label)["id"]
        if model == "action":
            return make_action(owner, subject["id"], description=label)["id"]
        return make_procedure(owner, subject["id"], notes=label)["id"]

    live, gone = build("secret live"), build("secret gone")
    assert owner.delete(model, gone).status_code == 204
    return Guarded(owner, reader, outsider, model, live, gone)


@pytest.mark.parametrize("which", ["live", "gone"])
def test_history_is_for_readers_only(guarded, anonymous, which):
    """Issue 15: a record's history (live or deleted) is read by its readers; an outsider gets
    404, anonymous 401 (private) or 404 (public portal: histories name who changed what)."""
    g = guarded
    rid = g.live if which == "live" else g.gone
    for api in (g.owner, g.reader):
        assert history_of(api, g.model, rid)["count"] >= 1
    for api, portal, status in (
        (g.outsider, "private", 404),
        (anonymous, "private", 401),
        (anonymous, "public", 404),
    ):
        response = api.http.get(history_url(api, g.model, rid, portal=portal), timeout=30)
        assert response.status_code == status and "secret" not in response.text, (api.username, portal)


def test_history_of_an_unknown_or_malformed_id_is_404(world):
    for rid in ("00000000-0000-0000-0000-000000000000", "not-an-id"):
        assert world.owner.http.get(history_url(world.owner, "session", rid), timeout=30).status_code == 404


def test_deleted_list_shows_only_what_the_caller_may_restore(guarded, anonymous):
    """Issue 15: the "recently deleted" list holds what the caller may restore — not a reader's
    read-only records, nothing of others."""
    g = guarded
    owned = deleted(g.owner, g.model).json()
    item = next(item for item in owned["deleted"] if item["id"] == g.gone)
    assert "secret gone" in str(item["record"]) and item["deleted_by"]["username"] == g.owner.username
    for api in (g.reader, g.outsider):
        body = deleted(api, g.model).json()
        assert g.gone not in [item["id"] for item in body["deleted"]] and "secret" not in str(body)
    assert deleted(anonymous, g.model).status_code == 401
    assert deleted(anonymous, g.model, portal="public").status_code == 404


def test_restore_permissions(guarded, anonymous):
    """Issue 15: restore is 404 to whoever cannot see the record, 403 to a read-only member,
    401 anonymous, and works for a member who may change it."""
    g = guarded
    assert restore(g.outsider, g.model, g.gone).status_code == 404
    refused = restore(g.reader, g.model, g.gone)
    assert refused.status_code == 403 and "read-only" in refused.text
    assert restore(anonymous, g.model, g.gone).status_code == 401
    assert restore(anonymous, g.model, g.gone, portal="public").status_code == 404
    assert g.owner.get(g.model, g.gone).status_code == 404  # none of that brought it back
    assert restore(g.owner, g.model, g.gone).status_code == 201
    assert "secret gone" in str(g.owner.read(g.model, g.gone))
    assert restore(g.owner, g.model, g.gone).status_code == 400  # it is back: nothing to restore


def test_shared_records_history_is_read_by_all_and_restored_by_their_creator(world, new_api):
    """Issue 15: a taxonomy or personal record (read by every signed-in user) has its history read
    by all, but only its creator restores it (403 for others, and it is not in their list)."""
    other = new_api("notcreator")
    for model in ("species", "inventory"):
        made = BUILDERS[model][0](world)
        assert world.owner.delete(model, made["id"]).status_code == 204
        assert history_of(other, model, made["id"])["count"] == 2
        assert made["id"] not in [item["id"] for item in deleted(other, model).json()["deleted"]]
        assert restore(other, model, made["id"]).status_code == 403
        assert restore(world.owner, model, made["id"]).status_code == 201


# ----------------------------------------------------------------------------- atomicity


def _fail_history_of(db_url: str, username: str, install: bool) -> None:
    """A database trigger that makes every history insert of ``username`` fail (a real failure
    inside the database, no mock): the write sharing its transaction must roll back."""
    import sqlalchemy as sa

    engine = sa.create_engine(db_url)
    name = "fail_history_" + username.replace("-", "_")
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            if install:
                conn.execute(sa.text(
                    f"CREATE TRIGGER {name} BEFORE INSERT ON record_history "
                    f"WHEN NEW.username = '{username}' BEGIN SELECT RAISE(ABORT, 'history refused'); END"
                ))  # fmt: skip
            else:
                conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name}"))
        elif install:
            conn.execute(sa.text(
                f"CREATE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
                f"IF NEW.username = '{username}' THEN RAISE EXCEPTION 'history refused'; END IF; "
                "RETURN NEW; END $$ LANGUAGE plpgsql"
            ))  # fmt: skip
            conn.execute(sa.text(
                f"CREATE TRIGGER {name} BEFORE INSERT ON record_history "
                f"FOR EACH ROW EXECUTE FUNCTION {name}()"
            ))  # fmt: skip
        else:
            conn.execute(sa.text(f"DROP TRIGGER IF EXISTS {name} ON record_history"))
            conn.execute(sa.text(f"DROP FUNCTION IF EXISTS {name}()"))
    engine.dispose()


def test_a_failing_history_insert_rolls_the_write_back(server, new_api):
    """Issue 15: the history row and the write share one transaction — when the history insert
    fails (a trigger refuses it), the create, change, delete or restore is not written either."""
    owner, doomed = new_api("atomowner"), new_api("doomed")
    project = make_project(owner)
    share(owner, project["id"], doomed, can_change=True)
    kept = make_session(owner, [project["id"]], description="as it was")
    gone = make_session(owner, [project["id"]])
    assert owner.delete("session", gone["id"]).status_code == 204
    etag = owner.get("session", kept["id"]).headers["ETag"]
    _fail_history_of(server.db_url, doomed.username, install=True)
    try:
        name = unique("never")
        created = doomed.post("session", {"name": name, "projects": [project["id"]]})
        changed = doomed.patch("session", kept["id"], {"description": "changed"})
        removed = doomed.delete("session", kept["id"])
        restored = restore(doomed, "session", gone["id"])
    finally:
        _fail_history_of(server.db_url, doomed.username, install=False)
    for response in (created, changed, removed, restored):
        assert response.status_code >= 400, response.text
        assert "Traceback" not in response.text
    assert owner.ids("session", **{"filter{name}": name}) == []
    now = owner.get("session", kept["id"])
    assert now.status_code == 200 and now.headers["ETag"] == etag
    assert unwrap("session", now.json())["description"] == "as it was"
    assert owner.get("session", gone["id"]).status_code == 404
    assert [row["operation"] for row in history_of(owner, "session", kept["id"])["history"]] == ["create"]
    # and the same user's writes go through once the history accepts them again
    assert doomed.patch("session", kept["id"], {"description": "changed"}).status_code == 200


# ----------------------------------------------------------------------------- stored data


def test_history_survives_a_restart_and_an_older_database_gains_it(tmp_path):
    """Issue 15: the history is stored data — a database made before it existed gets the table
    when the server starts, and the rows are there after a restart."""
    import sqlalchemy as sa

    from stemgui.server.db import make_engine
    from stemgui.server.tables import Base
    from stemgui.server.tables_history import RecordHistory
    from tests.serverproc import ServerProcess

    db_url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = make_engine(db_url)
    Base.metadata.create_all(
        engine, tables=[t for t in Base.metadata.sorted_tables if t.name != "record_history"]
    )
    assert "record_history" not in sa.inspect(engine).get_table_names()
    engine.dispose()
    proc = ServerProcess(db_url, tmp_path / "data")
    proc.data_dir.mkdir()
    try:
        proc.start()
        username, token = proc.new_user("restart")
        api = Api(proc.url, token, username)
        session = make_session(api, [make_project(api)["id"]])
        api.change("session", session["id"], {"description": "before the restart"})
        proc.stop()
        proc.start()
        rows = history_of(api, "session", session["id"])["history"]
    finally:
        proc.stop()
    assert [row["operation"] for row in rows] == ["update", "create"]
    assert rows[0]["after"]["description"] == "before the restart" and rows[0]["user"]["username"] == username
    engine = make_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(sa.select(sa.func.count()).select_from(RecordHistory)) >= 3  # project too
    engine.dispose()


def test_records_that_lose_or_regain_a_link_get_update_rows(world):
    """Issue 15: deleting a record changes the records that listed it (a session's ``projects``;
    a procedure's ``licenses`` once the procedure no longer needs it — a license still in use is
    refused): each gets an ``update`` row; a restore that links them again too."""
    api = world.owner
    project = make_project(api)
    session = make_session(api, [project["id"], world.project])
    license = make_license(api)
    procedure = make_procedure(api, world.subject, licenses=[license["id"]])
    assert api.delete("project", project["id"]).status_code == 204
    assert api.delete("license", license["id"]).status_code == 400  # a procedure still names it
    assert history_of(api, "procedure", procedure["id"])["count"] == 1  # a refused write: no row

    lost = history_of(api, "session", session["id"])["history"][0]
    assert lost["operation"] == "update" and lost["changed"] == ["projects"]
    assert project["id"] in lost["before"]["projects"] and lost["after"]["projects"] == [world.project]

    assert restore(api, "project", project["id"]).status_code == 201
    regained = history_of(api, "session", session["id"])["history"][0]
    assert regained["changed"] == ["projects"] and project["id"] in regained["after"]["projects"]
    assert history_of(api, "session", session["id"])["count"] == 3


def test_a_subject_log_entry_action_is_a_change_of_the_log(world):
    """Issue 15: ``PATCH .../subjectlog/<id>/add_entry/`` goes through the generic write path, so
    it leaves an ``update`` row with the log's ``entries`` before and after."""
    api = world.owner
    log = BUILDERS["subjectlog"][0](world)
    entry = {"date_time": "2026-11-20T09:00:00Z", "details": {"weight": {"value": 24.1, "unit": "g"}}}
    added = api.http.patch(api.url("subjectlog", log["id"]) + "add_entry/", json=entry, timeout=30)
    assert added.status_code == 200, added.text
    row = history_of(api, "subjectlog", log["id"])["history"][0]
    assert row["operation"] == "update" and row["changed"] == ["entries"]
    assert row["before"]["entries"] == [] and len(row["after"]["entries"]) == 1
