"""Issue 13 (subject logs on the subject's page): a weighing from two inputs, any entry checked by
the server's rules, added through the real client to the bundled server."""

from __future__ import annotations

from datetime import datetime

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import EntriesRefused, NotFound, StemGuiError
from stemgui.subjectlog_entry import add_entry, log_entry, weighing_entry
from stemgui.weights import weight_summary

WHEN = datetime(2025, 10, 21, 8, 15)


def test_weighing_from_two_inputs():
    """Issue 13: "24,1" and g -> a checked Weighing entry at the given time (UTC)."""
    entry, errors = weighing_entry("24,1", "g", WHEN, " after food ")
    assert errors == {}
    assert entry == {"date_time": "2025-10-21T08:15:00Z", "notes": "after food",
                     "details": {"weight": {"value": 24.1, "unit": "g"}}}  # fmt: skip


BAD_WEIGHTS = [
    ("", "g", "positive number"),
    ("heavy", "g", "'heavy'"),
    ("-3", "g", "positive"),
    ("20", "lb", "unit"),
]


@pytest.mark.parametrize(("weight", "unit", "words"), BAD_WEIGHTS)
def test_weighing_errors_are_at_the_weight(weight, unit, words):
    """Issue 13: a bad weight or unit is a message under details.weight."""
    _, errors = weighing_entry(weight, unit, WHEN)
    assert list(errors) == ["details.weight"] and words in errors["details.weight"]


def test_interval_entry_needs_an_end_after_its_start():
    """Issue 13: an interval type (Housing) has start and end; an end before the start is an error."""
    entry, errors = log_entry("Housing", {}, WHEN, datetime(2025, 10, 28))
    assert errors == {} and entry["end_date_time"] == "2025-10-28T00:00:00Z"
    _, errors = log_entry("Housing", {}, WHEN, datetime(2025, 10, 1))
    assert "end_date_time" in errors
    _, errors = log_entry("Weighing", {"weight": {"value": 1, "unit": "stone"}}, WHEN)
    assert "details.weight" in errors or "details.weight.unit" in errors


@pytest.fixture(scope="module")
def editor(demo_server):
    username, token = demo_server.new_user("logeditor")
    demo_server.cli("member", username, "Demo: Hippocampal sharp-wave ripples", "--can-change")
    with BrainstemClient(demo_server.url, token) as client:
        yield client


def _subject(client, name):
    [subject] = client.list_all("subject", filters={"name": name})
    return subject, client.list_all("subjectlog", filters={"subject": subject["id"]})


def test_three_weights_logged_make_the_curve_and_the_warning(editor):
    """Issue 13: log three weights for a subject without a log (MS02): the log is created, the
    curve has them, and the last one below 80 % of the pre-surgery weight warns."""
    subject, logs = _subject(editor, "MS02")
    assert logs == []
    for day, grams in ((20, 25.0), (23, 21.0), (24, 19.0)):  # MS02's first action is on 2025-02-21
        entry, errors = weighing_entry(grams, "g", datetime(2025, 2, day, 8, 0))
        assert errors == {}
        saved = add_entry(editor, subject["id"], "Weighing", entry, logs)
        logs = [saved]
    _, logs = _subject(editor, "MS02")
    assert len(logs) == 1 and len(logs[0]["entries"]) == 3
    actions = editor.list_all("action", filters={"subject": subject["id"]})
    summary = weight_summary(logs, actions)
    assert summary.baseline.grams == 25.0 and summary.below_threshold and "19.0 g" in summary.warning


class _RefusingStub:
    """A stub client (a backend refusing entry actions cannot run here): create and delete work,
    add_entry answers 404 or 405."""

    def __init__(self, status):
        self.status, self.deleted = status, []

    def save(self, model, id=None, options=None, data=None):
        if options == "add_entry":
            raise (
                NotFound("not found", status_code=404)
                if self.status == 404
                else StemGuiError("no", status_code=405)
            )
        return {"subject_log": {"id": "new-log", **data}}

    def delete(self, model, id=None):
        self.deleted.append(id)


@pytest.mark.parametrize("status", [404, 405])
def test_refused_entries_say_so_and_leave_nothing_with_a_stub_backend(status):
    """Issue 13: a backend that refuses entries gives EntriesRefused; the log made for it is deleted again."""
    stub = _RefusingStub(status)
    entry, _ = weighing_entry(20, "g", WHEN)
    with pytest.raises(EntriesRefused, match="does not accept|refuses"):
        add_entry(stub, "s1", "Weighing", entry, [])
    assert stub.deleted == ["new-log"]
