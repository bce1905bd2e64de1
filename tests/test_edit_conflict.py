"""Issue 9 item 8: the pure edit-conflict logic (no Streamlit, no server)."""

from __future__ import annotations

import pytest

from stemgui.edit_conflict import MINE, THEIRS, find_conflict, my_changes, shown_value

OPENED = {"name": "s1", "description": "old text", "tags": ["a"], "date_time": "2024-01-01"}


def test_only_fields_changed_since_the_form_opened_are_sent():
    """The issue's scenario: comparing against a fresh load would send the old description back;
    comparing against the record as opened sends only what the user changed."""
    mine = {**OPENED, "date_time": "2024-02-02"}  # ed1 changed the date only
    fresh = {**OPENED, "description": "ed2's text"}  # ed2 saved meanwhile
    assert my_changes(OPENED, mine) == {"date_time": "2024-02-02"}
    assert my_changes(fresh, mine) == {"description": "old text", "date_time": "2024-02-02"}  # the old bug


def test_no_conflict_when_nobody_else_changed_a_field_of_the_form():
    mine = {**OPENED, "date_time": "2024-02-02"}
    assert find_conflict(OPENED, dict(OPENED), mine) is None
    assert find_conflict(OPENED, {**OPENED, "epochs": ["x"]}, mine) is None  # not a field of the form


def test_their_change_to_another_field_is_kept_by_default():
    mine = {**OPENED, "date_time": "2024-02-02"}
    current = {**OPENED, "description": "ed2's text"}
    conflict = find_conflict(OPENED, current, mine, etag='"v2"')
    assert [c.field for c in conflict.changes] == ["description"]
    change = conflict.changes[0]
    assert (change.opened, change.theirs, change.mine, change.mine_changed) == (
        "old text", "ed2's text", "old text", False)  # fmt: skip
    assert not change.clashes and change.default == THEIRS
    assert conflict.undecided({}) == []
    assert conflict.payload({}) == {"date_time": "2024-02-02"}  # their description is not reverted
    assert conflict.payload({"description": MINE}) == {"date_time": "2024-02-02", "description": "old text"}
    assert conflict.etag == '"v2"'


def test_both_changed_one_field_the_user_must_choose():
    mine = {**OPENED, "description": "ed1's text", "tags": ["a", "b"]}
    current = {**OPENED, "description": "ed2's text"}
    conflict = find_conflict(OPENED, current, mine)
    assert conflict.changes[0].clashes and conflict.changes[0].default is None
    assert conflict.undecided({}) == ["description"]
    with pytest.raises(ValueError, match="description"):
        conflict.payload({})
    assert conflict.payload({"description": MINE}) == {"tags": ["a", "b"], "description": "ed1's text"}
    assert conflict.payload({"description": THEIRS}) == {"tags": ["a", "b"]}


def test_the_same_change_by_both_is_no_clash():
    mine = current = {**OPENED, "description": "same"}
    conflict = find_conflict(OPENED, current, mine)
    assert not conflict.changes[0].clashes and conflict.payload({}) == {}


def test_rebase_after_choosing_compares_the_next_conflict_with_what_was_seen():
    mine = {**OPENED, "description": "ed1's text", "date_time": "2024-02-02"}
    current = {**OPENED, "description": "ed2's text", "tags": ["z"]}
    conflict = find_conflict(OPENED, current, mine, '"v2"')
    opened, intended = conflict.rebased({"description": THEIRS}, mine)
    assert opened == current
    assert my_changes(opened, intended) == {"date_time": "2024-02-02"}
    later = {**current, "tags": ["z", "y"]}  # a third editor saves again
    again = find_conflict(opened, later, intended)
    assert [c.field for c in again.changes] == ["tags"] and again.payload({}) == {"date_time": "2024-02-02"}


def test_shown_value():
    assert shown_value(None) == shown_value("") == shown_value([]) == "—"
    assert shown_value(["p1", "p2"], {"p1": "Project one"}) == "Project one, p2"
    assert shown_value({"b": 1, "a": "x"}) == '{"a": "x", "b": 1}'
    assert shown_value("s1", {"s1": "Rat 1"}) == "Rat 1"
    assert shown_value(2.5) == "2.5"
