"""Issue 13, "Lab records editable in the GUI": the Lab page's tables through AppTest against
the shared bundled server (real HTTP, real SQLite). The grid's edits are set the way the
browser's data editor reports them (``edited_rows`` / ``added_rows`` / ``deleted_rows``)."""

from __future__ import annotations

import itertools

import pytest

from stemgui.lab_records import KINDS
from stemgui.procedure_pickers import load_pickers
from tests.gui.apptest import logged_in, texts, values

PAGE = "pages/lab.py"
_names = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}-lab-{next(_names)}"


def _gen(at, model: str) -> int:
    key = f"lab.{model}.gen"
    return at.session_state[key] if key in at.session_state else 0


def open_tab(at, model: str):
    """Open ``model``'s tab as a click on it would (only the open tab's grid is built)."""
    at.session_state["lab.tab"] = KINDS[model].title
    return at.run()


def edit(at, model: str, *, added=(), edited=None, deleted=(), confirm: bool = False):
    """Open the model's tab, set the grid's edits as the browser would, then press Save."""
    open_tab(at, model)
    at.session_state[f"lab.{model}.grid.{_gen(at, model)}"] = {
        "edited_rows": edited or {}, "added_rows": list(added), "deleted_rows": list(deleted),
    }  # fmt: skip
    at.run()
    if confirm:
        at.checkbox(key=f"lab.{model}.confirm.{_gen(at, model)}").check().run()
    at.button(key=f"lab.{model}.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def position(at, model: str, record_id: str) -> int:
    """The grid row of ``record_id`` in ``model``'s tab (opened first)."""
    if at.session_state["lab.tab"] != KINDS[model].title:
        open_tab(at, model)
    return at.session_state[f"lab.{model}.ids"].index(record_id)


def find(user, model: str, name: str) -> list[dict]:
    """The user's records of ``model`` named ``name`` (stocks: by their lot)."""
    if model == "consumablestock":
        return [r for r in user.api.list_all(model) if (r.get("details") or {}).get("lot") == name]
    return [r for r in user.api.list_all(model) if r.get("name") == name]


def own_place(user, model: str) -> str:
    """An inventory or setup of ``user`` (a stock / equipment is changed as its place is)."""
    name = unique(model)
    user.api.save_model(model, data={"name": name})
    return name


# kind -> (new row without its name, the name's column, a column to edit)
NEW_ROWS = {
    "project": ({"description": "made here", "is_public": False, "tags": "lab, test"}, "name", "description"),
    "strain": ({"species": "Mouse"}, "name", "comments"),
    "supplier": ({"website": "https://example.org"}, "name", "comments"),
    "consumable": ({"type": "VirusConstruct", "supplier": "Addgene"}, "name", "comments"),
    "inventory": ({"location": "Room 1"}, "name", "description"),
    "consumablestock": ({"consumable": "AAV5-CaMKIIa-hChR2(H134R)-EYFP", "details.quantity": 4,
                         "type": "Virus", "status": "AVAILABLE"}, "details.lot", "notes"),
    "setup": ({"location": "Room 2"}, "name", "description"),
    "equipment": ({"type": "Stereotax"}, "name", "notes"),
    "license": ({"type": "animal_research_authorization", "status": "draft"}, "name", "description"),
}  # fmt: skip


@pytest.mark.parametrize("model", list(NEW_ROWS))
def test_add_edit_delete_one_row_of_each_kind(make_user, model):
    """Issue 13 (Lab records): an editor adds a row, changes it and deletes it (after the
    confirmation) on the Lab page; each step is on the server, related fields by name."""
    user = make_user("editor")
    row, name_column, edit_column = NEW_ROWS[model]
    name = unique(model)
    row = {**row, name_column: name}
    if model == "consumablestock":
        row["inventory"] = own_place(user, "inventory")
    if model == "equipment":
        row["setup"] = own_place(user, "setup")
    at = logged_in(user, PAGE)
    edit(at, model, added=[row])
    assert not at.error, values(at.error)
    (record,) = find(user, model, name)
    assert any("Saved 1" in t for t in values(at.toast))
    if model == "strain":
        mouse = next(s["id"] for s in user.api.list_all("species") if s["name"] == "Mouse")
        assert record["species"] == mouse
    if model == "consumablestock":
        assert record["details"]["quantity"] == 4 and record["inventory"]

    edit(at, model, edited={position(at, model, record["id"]): {edit_column: "changed here"}})
    assert not at.error, values(at.error)
    assert find(user, model, name)[0][edit_column] == "changed here"

    at.session_state[f"lab.{model}.grid.{_gen(at, model)}"] = {
        "edited_rows": {}, "added_rows": [], "deleted_rows": [position(at, model, record["id"])]}
    at.run()
    at.button(key=f"lab.{model}.save").click().run()  # not ticked: nothing is deleted
    assert find(user, model, name) and "tick" in texts(at)
    edit(at, model, deleted=[position(at, model, record["id"])], confirm=True)
    assert not find(user, model, name), texts(at)


def test_a_viewer_gets_no_write_controls(make_user):
    """Issue 13 (Lab records): a viewer sees the tables read-only: no editor, no Save."""
    at = logged_in(make_user("viewer"), PAGE)
    assert not at.exception
    assert not [b for b in at.button if b.key and b.key.startswith("lab.")]
    assert not [k for k in ("lab.strain.grid.0", "lab.project.grid.0") if k in at.session_state]
    assert "Only the project's managers and owners change its members." in texts(at)
    for model in KINDS:  # every kind's table, read-only
        open_tab(at, model)
        counts = [c for c in values(at.caption) if c.split(" ", 1)[0].isdigit()]  # "3 strains"
        shown = f"{counts[0].split()[0]} {KINDS[model].title.lower()}" if counts else None
        assert not at.exception and at.dataframe and counts == [shown]
        assert not [b for b in at.button if b.key and b.key.startswith("lab.")]


def test_edits_in_a_closed_tab_are_kept_and_saved(make_user):
    """Only the open tab's grid is built; a grid with unsaved edits is built all the same, so a
    row typed in Strains, then a look at Suppliers, is still there and saved from Strains."""
    user = make_user("editor")
    at = open_tab(logged_in(user, PAGE), "strain")
    name = unique("strain")
    grid = f"lab.strain.grid.{_gen(at, 'strain')}"
    at.session_state[grid] = {"edited_rows": {}, "added_rows": [{"name": name, "species": "Mouse"}],
                              "deleted_rows": []}  # fmt: skip
    at.run()
    open_tab(at, "supplier")
    open_tab(at, "license")  # two reruns with the strain tab closed
    assert "lab.supplier.grid.0" not in at.session_state  # closed and unedited: not built
    assert at.session_state[grid]["added_rows"][0]["name"] == name
    open_tab(at, "strain")
    at.button(key="lab.strain.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    assert len(find(user, "strain", name)) == 1


def test_absurd_values_are_named_and_kept_while_the_others_save(make_user):
    """Issue 13 (Lab records): a 10,000-character name and a negative quantity give messages
    naming row and field; those rows stay in the grid, a good row beside them is saved."""
    user = make_user("editor")
    inventory = own_place(user, "inventory")
    at = logged_in(user, PAGE)
    good, long = unique("strain"), "x" * 10_000
    edit(at, "strain", added=[{"name": long, "species": "Mouse"}, {"name": good, "species": "Mouse"}])
    assert len(find(user, "strain", good)) == 1 and not find(user, "strain", long)
    errors = values(at.error)
    assert any("name: Ensure this field has no more than 100 characters." in e for e in errors), errors
    ids = at.session_state["lab.strain.ids"]
    assert ids[-1] is None  # the refused row is still in the grid, not saved
    assert at.session_state["lab.strain.pending"]["rows"][-1]["name"] == long

    lot = unique("lot")
    edit(at, "consumablestock", added=[{"details.lot": lot, "details.quantity": -3, "type": "Virus",
                                        "inventory": inventory}])  # fmt: skip
    assert any("quantity: Must be 0 or more." in e for e in values(at.error)), values(at.error)
    assert not find(user, "consumablestock", lot)


def test_someone_elses_taxonomy_record_gives_the_servers_403_at_its_row(make_user):
    """Issue 13 (Lab records): only its creator (or a superuser) changes a strain, and a stock
    only whoever may change its inventory (stocks are shared on the bundled server: every
    signed-in user reads them): another editor's change is refused by the server, and the
    message stands at that row, which stays in the grid as edited."""
    owner, other = make_user("editor"), make_user("editor")
    name, lot = unique("strain"), unique("lot")
    species = next(s["id"] for s in owner.api.list_all("species") if s["name"] == "Mouse")
    record = owner.api.save_model("strain", data={"name": name, "species": species})["strain"]
    inventory = owner.api.save_model("inventory", data={"name": unique("inventory")})["inventory"]
    body = {"type": "Virus", "inventory": inventory["id"], "details": {"lot": lot}}
    stock = owner.api.save_model("consumablestock", data=body)["consumable stock"]
    at = logged_in(other, PAGE)
    edit(at, "strain", edited={position(at, "strain", record["id"]): {"comments": "not mine"}})
    errors = values(at.error)
    assert errors and any(name in e for e in errors), errors
    pending = at.session_state["lab.strain.pending"]
    assert pending["problems"][position(at, "strain", record["id"])]
    assert pending["rows"][position(at, "strain", record["id"])]["comments"] == "not mine"
    assert find(owner, "strain", name)[0]["comments"] == ""

    edit(at, "consumablestock", edited={position(at, "consumablestock", stock["id"]): {"notes": "mine now"}})
    assert at.session_state["lab.consumablestock.pending"]["problems"], values(at.error)
    assert find(owner, "consumablestock", lot)[0]["notes"] == ""


def test_projects_members_and_lab_isolation(make_user):
    """Issue 13 (Lab records): an editor creates a project (and owns it), adds a member with
    rights; another lab's editor does not see it; the member sees the members read-only."""
    a, b, member = make_user("editor"), make_user("editor"), make_user("editor")
    name = unique("project")
    at = logged_in(a, PAGE)
    edit(at, "project", added=[{"name": name, "description": "lab A only"}])
    (project,) = find(a, "project", name)
    at.selectbox(key="lab.members.project").set_value(project["id"]).run()
    key = f"lab.members.grid.{project['id']}.0"
    email = f"{member.username}@stemgui.local"
    at.session_state[key] = {"edited_rows": {}, "deleted_rows": [],
                             "added_rows": [{"email": email, "can_change": True}]}  # fmt: skip
    at.run()
    at.button(key="lab.members.save").click().run()
    assert not at.exception and not at.error, values(at.error)
    users = find(a, "project", name)[0]["users"]
    assert users[email] == {"can_change": True, "is_manager": False, "is_owner": False}
    open_tab(at, "strain")
    open_tab(at, "project")  # the chosen project outlives its tab closing
    assert at.selectbox(key="lab.members.project").value == project["id"]

    assert not find(b, "project", name)  # another lab's editor: not even through the API
    at_b = logged_in(b, PAGE)
    seen_by_b = at_b.session_state["lab.project.ids"]
    assert seen_by_b and project["id"] not in seen_by_b

    at_m = logged_in(member, PAGE)
    at_m.selectbox(key="lab.members.project").set_value(project["id"]).run()
    assert "Only the project's managers and owners change its members." in texts(at_m)
    assert "lab.members.save" not in [b.key for b in at_m.button]


def test_a_stock_made_here_is_offered_by_the_procedure_pickers(make_user):
    """Issue 13 (Lab records): no more demo-only pickers — the procedure form's stock picker
    (the same loader, procedure_pickers.load_pickers) offers a stock added on the Lab page."""
    user = make_user("editor")
    lot = unique("lot")
    row = {"details.lot": lot, "type": "Virus", "consumable": "AAV5-CaMKIIa-hChR2(H134R)-EYFP",
           "inventory": own_place(user, "inventory")}  # fmt: skip
    at = logged_in(user, PAGE)
    edit(at, "consumablestock", added=[row])
    (stock,) = find(user, "consumablestock", lot)
    assert load_pickers(user.api).stocks[stock["id"]] == f"AAV5-CaMKIIa-hChR2(H134R)-EYFP · lot {lot}"
