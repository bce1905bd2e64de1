"""Issue 13, "Lab records editable in the GUI": the Lab page's pure half (stemgui.lab_records)."""

from __future__ import annotations

from stemgui import lab_records as lab

INV = "11111111-1111-4111-8111-111111111111"
STOCK = {"id": "s1", "type": "Virus", "status": "AVAILABLE", "notes": "", "inventory": INV,
         "consumable": None,
         "details": {"lotNumber": "L-7", "quantity": "5 vials", "titer": {"value": 1, "unit": "vg/mL"}},
         "type_schema_version": "0.0.0"}  # fmt: skip


def _refs():
    return {"inventory": lab.Refs({INV: "Freezer"}), "consumable": lab.Refs({})}


def test_an_edited_stock_sends_only_what_changed_and_keeps_details_the_grid_cannot_show():
    """Issue 13: changing a stock's notes sends only ``notes``; its lot stays under its own key and
    a quantity stored as text (which the number column cannot show) is not dropped."""
    kind = lab.KINDS["consumablestock"]
    (row,) = lab.grid_rows(kind, [STOCK], _refs())
    assert row["details.lot"] == "L-7" and row["inventory"] == "Freezer"
    row["details.quantity"] = None  # what the number column shows for "5 vials"
    payload, errors = lab.check_row(kind, {**row, "notes": "half left"}, _refs(), STOCK)
    assert errors == {} and payload == {"notes": "half left"}
    payload, errors = lab.check_row(kind, {**row, "details.lot": "L-8"}, _refs(), STOCK)
    assert payload["details"]["lotNumber"] == "L-8" and "lot" not in payload["details"]
    assert payload["details"]["quantity"] == "5 vials" and payload["details"]["titer"]["value"] == 1


def test_errors_name_the_field_by_its_column():
    """Issue 13: absurd values are refused before sending, by column label."""
    kind = lab.KINDS["consumablestock"]
    _, errors = lab.check_row(kind, {"type": "x" * 10_000, "inventory": "Nowhere", "details.quantity": -1,
                                     "acquisition_date": "yesterday"}, _refs(), None)  # fmt: skip
    assert errors["type"] == "Ensure this field has no more than 64 characters."
    assert errors["inventory"] == "There is no inventory named “Nowhere”."
    assert errors["quantity"] == "Must be 0 or more."
    assert "YYYY-MM-DD" in errors["acquisition date"]


def test_grid_changes_from_the_editor_state_and_rows_kept_after_a_refusal():
    """Issue 13: edits by position, added rows, deleted rows; a row a failed save kept (no id)
    is created again, a kept change is sent again even when not edited again."""
    rows = [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "kept"}]
    ids = ["1", "2", "3", None]
    state = {"edited_rows": {"0": {"name": "A"}}, "added_rows": [{"name": "new"}, {"name": None}],
             "deleted_rows": [2]}  # fmt: skip
    changes = lab.grid_changes(rows, ids, state, unsaved=[1])
    assert changes.changes == [(0, "1", {"name": "A"}), (1, "2", {"name": "b"})]
    assert changes.creates == [(3, {"name": "kept"}), (4, {"name": "new"})]  # the empty added row is ignored
    assert changes.deletes == [(2, "3")]


def test_member_changes_add_change_remove_and_check_emails():
    """Issue 13: the project PATCH's ``users`` from the members grid; bad rows named."""
    before = lab.member_rows({"users": {"o@x.org": {"is_owner": True}, "m@x.org": {"can_change": True}}})
    after = [{"email": "o@x.org", "can_change": False, "is_manager": False, "is_owner": True},
             {"email": "n@x.org", "can_change": True, "is_manager": True, "is_owner": False},
             {"email": "bad", "can_change": True}, {"email": "N@x.org"}]  # fmt: skip
    users, errors = lab.member_changes(before, after)
    assert users == {"n@x.org": {"can_change": True, "is_manager": True, "is_owner": False},
                     "m@x.org": {"remove": True}}  # fmt: skip
    assert errors == {"Row 3 (bad)": "email: Enter the member's email address.",
                      "Row 4 (N@x.org)": "email: This member is listed twice."}  # fmt: skip
    assert lab.manages({"users": {"O@x.org": {"is_owner": True}}}, ["o@x.org"])
    assert not lab.manages({"users": {"m@x.org": {"can_change": True}}}, ["m@x.org"])
