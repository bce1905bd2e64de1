"""Issue 15 (GUI's pure half): a record's history read as *field · old → new* and what Undo sends,
from the real bundled server's answers through the real client."""

from __future__ import annotations

from stemgui import history_view as hv
from tests.client.helpers import unique


def test_an_edit_reads_as_old_to_new_per_field(client, project):
    session = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})["session"]
    client.save_model("session", id=session["id"], data={"description": "edited", "tags": ["a", "b"]})
    entries = hv.change_entries(client.history("session", session["id"]))
    assert [entry.operation for entry in entries] == ["Changed", "Created"]
    assert entries[0].who.startswith("cli")  # the user who wrote it (tests.client.conftest)
    changed = {row.field: (row.old, row.new) for row in entries[0].fields}
    assert changed["description"] == (hv.EMPTY, "edited")
    assert changed["tags"] == (hv.EMPTY, "a, b")
    assert "updated_at" not in changed


def test_details_and_quantities_are_diffed_per_field():
    before = {
        "type": "VirusInjection",
        "details": {"injectionVolume": {"value": 300, "unit": "nL"}, "virus": "AAV"},
        "coordinates_details": {"AP": -2.0, "ML": 1.5},
        "updated_at": "t1",
    }
    after = {
        "type": "VirusInjection",
        "details": {"injectionVolume": {"value": 0.3, "unit": "µL"}, "virus": "AAV"},
        "coordinates_details": {"AP": -2.0, "ML": -1.5},
        "updated_at": "t2",
    }
    rows = {row.field: (row.old, row.new) for row in hv.field_changes(before, after)}
    assert rows == {
        "details.injectionVolume": ("300 nL", "0.3 µL"),
        "coordinates_details.ML": ("1.5", "-1.5"),
    }


def test_related_ids_read_as_names_when_known():
    names = {("projects", "p1"): "Hippocampus", ("projects", "p2"): "Cortex"}
    rows = hv.field_changes(
        {"projects": ["p1"]}, {"projects": ["p1", "p2"]}, lambda field, v: names.get((field, v))
    )
    assert [(row.field, row.old, row.new) for row in rows] == [
        ("projects", "Hippocampus", "Hippocampus, Cortex")
    ]


def test_undo_of_an_edit_writes_back_only_what_was_changed(client, project):
    """Undo after an edit: the sent fields go back to their old values; the record reads as before."""
    session = client.save_model(
        "session", data={"name": unique("s"), "projects": [project["id"]], "description": "first"}
    )["session"]
    sent = {"description": "second", "name": session["name"]}
    client.save_model("session", id=session["id"], data=sent)
    undo = hv.undo_edit("session", session["id"], session, sent, f"'{session['name']}'")
    assert undo.payload == {"description": "first"} and not undo.restore
    client.save_model("session", id=undo.record_id, data=undo.payload)
    assert client.load_model("session", id=session["id"])["session"]["description"] == "first"
    assert hv.undo_edit("session", session["id"], session, {"description": "first"}, "x") is None


def test_undo_of_a_delete_restores_the_same_id_and_it_leaves_the_deleted_list(client, project):
    session = client.save_model("session", data={"name": unique("s"), "projects": [project["id"]]})["session"]
    client.delete_model("session", id=session["id"])
    rows = hv.deleted_rows(client.deleted("session"))
    assert session["id"] in [row["id"] for row in rows]
    mine = next(row for row in rows if row["id"] == session["id"])
    assert mine["name"] == session["name"] and mine["by"]
    undo = hv.undo_delete("session", session["id"], f"'{session['name']}'")
    assert undo.restore and "deletion" in undo.label
    assert client.restore("session", undo.record_id)["session"]["id"] == session["id"]
    assert session["id"] not in [row["id"] for row in hv.deleted_rows(client.deleted("session"))]
