"""Subject logs through the real client against the real bundled server (issue 13, "Subject logs",
client part): load/save/delete, the docs' entry actions as the official client names them, and
the outbox's lookup that keeps a resent create from duplicating a log."""

# ruff: noqa: E501  (payload examples on one line each)

from __future__ import annotations

import pytest

from stemgui.catalog import model_info
from stemgui.client import endpoint_path
from stemgui.errors import NotFound, ValidationFailed
from stemgui.outbox_match import dedup_key, matching_ids


def test_the_catalog_knows_subject_logs():
    """Issue 13: modules/subjectlog with the docs' envelopes."""
    info = model_info("subjectlog")
    assert (info.app, info.list_key, info.detail_key) == ("modules", "subject_logs", "subject_log")
    assert endpoint_path("subjectlog", "private", "x", "add_entry") == "api/private/modules/subjectlog/x/add_entry/"


def test_load_save_delete_and_entry_actions(client, subject):
    """Issue 13: a Weighing log is written with its entries, gets one more by
    ``save(..., options="add_entry")`` (the docs' call), is listed by subject and deleted."""
    weights = [{"date_time": "2025-03-01T09:00:00Z", "details": {"weight": 25.1}}]
    data = {"type": "Weighing", "subject": subject["id"], "entries": weights}
    log = client.save("subjectlog", data=data)["subject_log"]
    added = client.save("subjectlog", id=log["id"], options="add_entry",
                        data={"date_time": "2025-03-02T09:00:00Z", "details": {"weight": 24.0}})  # fmt: skip
    assert [e["details"]["weight"]["value"] for e in added["subject_log"]["entries"]] == [24.0, 25.1]
    with pytest.raises(ValidationFailed) as refused:
        client.save("subjectlog", id=log["id"], options="add_entry",
                    data={"date_time": "2025-03-03T09:00:00Z", "details": {"weight": {"value": 1, "unit": "lb"}}})  # fmt: skip
    assert "details.weight.unit" in refused.value.field_errors
    listed = client.load("subjectlog", filters={"subject.id": subject["id"]})["subject_logs"]
    assert [record["id"] for record in listed] == [log["id"]] and len(listed[0]["entries"]) == 2
    client.delete("subjectlog", id=log["id"])
    with pytest.raises(NotFound):
        client.load("subjectlog", id=log["id"])


def test_the_outbox_finds_a_log_a_lost_answer_already_made(client, subject):
    """Issue 13: before resending a create of a subject log, the outbox finds the one the first
    send made (same subject, type, description and entries, in any of their accepted forms)."""
    payload = {"type": "Weighing", "subject": subject["id"], "description": "Post-op weights",
               "entries": [{"date_time": "2025-03-05T10:00:00+01:00", "details": {"weight": 22.5}}]}  # fmt: skip
    assert dedup_key("subjectlog", "create", payload)["filters"] == {
        "subject": subject["id"], "type": "Weighing", "description": "Post-op weights",
    }  # fmt: skip
    assert matching_ids(client, "subjectlog", payload) == []
    made = client.save("subjectlog", data=payload)["subject_log"]
    assert matching_ids(client, "subjectlog", payload) == [made["id"]]
    other = {**payload, "entries": [{"date_time": "2025-03-05T09:00:00Z", "details": {"weight": 22.6}}]}
    assert matching_ids(client, "subjectlog", other) == []
