"""Issue 16: the seed's actions (an action-only backend) import the same way: plain numbers in
``details``, the schema's required fields and minimums at their cells, re-import unchanged; a
``details`` column of another type and a missing required column are named."""

from __future__ import annotations

import sqlite3

from stemgui.importing import commit, dry_run, read_table, template_columns
from tests.importing.lab import as_file, unique

COLUMNS = template_columns("action", "VirusInjection", "Stereotaxic_BregmaAbsolute") + ["details.probeId"]


def test_actions_rows_checked_by_their_schemas_and_reimported_unchanged(lab):
    """Issue 16: required detail missing, a volume below its minimum, a field of another type."""
    tag = unique("A")
    subject = next(iter(lab.subjects))
    base = {
        "subject": subject,
        "type": "VirusInjection",
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "brain_region": "Medial septal nucleus",
        "details.injectionVolume": 300,
        "coordinates.apCoordinate": 0.6,
    }
    variants = [
        {},
        {"details.injectionVolume": None},
        {"details.injectionVolume": -5},
        {"details.probeId": "p1"},
    ]
    rows = []
    for index, cells in enumerate(variants):
        values = {**base, "description": f"{tag} {index}", "date_time": f"2026-08-0{index + 1}", **cells}
        rows.append([values.get(column) for column in COLUMNS])
    data, filename = as_file("csv", COLUMNS, rows)
    result = dry_run(lab.client, "action", read_table(data, filename))
    marked = result.cell_errors()
    assert set(marked) == {
        (3, "details.injectionVolume"),
        (4, "details.injectionVolume"),
        (5, "details.probeId"),
    }
    assert (
        "Injection volume" in marked[(3, "details.injectionVolume")]
        and "is required" in marked[(3, "details.injectionVolume")]
    )
    assert "must be at least 0" in marked[(4, "details.injectionVolume")]
    assert (
        marked[(5, "details.probeId")] == "details.probeId is not a field of VirusInjection; leave it empty."
    )
    assert result.rows[0].payload["brain_region"] == lab.regions["MS"]  # found by its name
    assert commit(lab.client, lab.outbox(), result).counts["created"] == 1
    again = dry_run(lab.client, "action", read_table(data, filename))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 1, "error": 3}


def test_a_missing_required_column_is_named_once_for_the_file(lab):
    """Issue 16: a file without a required column says so, and every row has the error at it."""
    data, filename = as_file("csv", ["name", "date_time"], [[unique("NoProject"), "2026-01-01"]])
    result = dry_run(lab.client, "session", read_table(data, filename))
    assert result.file_errors == ['The file has no "projects" column; every session needs one.']
    assert result.cell_errors() == {(2, "projects"): "projects: This field is required."}


def test_a_record_holding_an_integer_beyond_any_float_does_not_break_a_dry_run(lab, import_server):
    """Found by the suite: an existing action holding a 4,000-digit integer (written straight into
    the database, as test_odd_stored_values does: the API refuses it, an older server or a
    migration may not) made every dry run of actions raise OverflowError while matching rows to
    the existing records, a traceback on the Import page."""
    subject = next(iter(lab.subjects))
    odd = lab.client.save_model("action", data={
        "type": "VirusInjection", "subject": lab.subjects[subject], "description": unique("huge"),
        "coordinates_system": "Stereotaxic_BregmaAbsolute", "coordinates_details": {"apCoordinate": 1}})
    with sqlite3.connect(import_server.db_url.removeprefix("sqlite:///")) as db:
        db.execute("UPDATE actions SET coordinates_details = ? WHERE id = ?",
                   ('{"apCoordinate": 1' + "0" * 3999 + "}", odd["action"]["id"]))  # fmt: skip
    values = {
        "subject": subject, "type": "VirusInjection", "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "brain_region": "Medial septal nucleus", "details.injectionVolume": 300,
        "coordinates.apCoordinate": 0.6, "description": unique("next"), "date_time": "2026-08-09",
    }  # fmt: skip
    data, filename = as_file("csv", COLUMNS, [[values.get(column) for column in COLUMNS]])
    result = dry_run(lab.client, "action", read_table(data, filename))
    assert result.counts == {"create": 1, "update": 0, "unchanged": 0, "error": 0}
