"""Issue 16, "Show": a 1,000-row sessions file (CSV and XLSX, written by the test) with mistakes,
each reported at its cell by the dry run, which writes nothing; the commit writes exactly the
valid rows; a re-import writes nothing. Real bundled server, real HTTP, real outbox file."""

from __future__ import annotations

import pytest

from stemgui.importing import commit, dry_run, read_table
from tests.importing.lab import as_file, unique

COLUMNS = ["name", "projects", "date_time", "description", "tags"]
ROWS = 1000
# sheet row (header = 1) -> (what is wrong, the column the error must be at)
UNKNOWN_PROJECT, DUP_A, DUP_B, BAD_DATE, MISSING_NAME, MISSING_PROJECTS = 11, 101, 501, 201, 301, 401


def sessions_file(lab, prefix: str) -> list[list]:
    rows = []
    for index in range(ROWS):
        sheet_row = index + 2
        name = f"{prefix}-{index:04d}"
        project = lab.project
        when = f"2026-0{1 + index % 9}-{1 + index % 28:02d}"
        if sheet_row == UNKNOWN_PROJECT:
            project = lab.project + "x"  # a typo: the closest name is offered
        if sheet_row == DUP_B:
            name = f"{prefix}-{DUP_A - 2:04d}"
        if sheet_row == BAD_DATE:
            when = "2026-13-45"
        if sheet_row == MISSING_NAME:
            name = None
        if sheet_row == MISSING_PROJECTS:
            project = None
        rows.append([name, project, when, f"day {index}", "import; test"])
    return rows


def my_sessions(lab, prefix: str) -> list[dict]:
    return lab.client.list_all("session", filters={"name.icontains": prefix})


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_dry_run_reports_each_mistake_at_its_cell_and_writes_nothing(lab, fmt):
    """Issue 16 item "dry run": every mistake at its (row, column), counts, nothing written."""
    prefix = unique("S")
    data, filename = as_file(fmt, COLUMNS, sessions_file(lab, prefix))
    result = dry_run(lab.client, "session", read_table(data, filename))
    marked = result.cell_errors()
    assert set(marked) == {
        (UNKNOWN_PROJECT, "projects"),
        (DUP_A, "name"),
        (DUP_B, "name"),
        (BAD_DATE, "date_time"),
        (MISSING_NAME, "name"),
        (MISSING_PROJECTS, "projects"),
    }
    assert (
        f'No project named "{lab.project}x". Did you mean {lab.project!r}?'
        in marked[(UNKNOWN_PROJECT, "projects")]
    )
    assert f"row(s) {DUP_B}" in marked[(DUP_A, "name")] and f"row(s) {DUP_A}" in marked[(DUP_B, "name")]
    assert "date_time: Date has wrong format" in marked[(BAD_DATE, "date_time")]
    assert marked[(MISSING_NAME, "name")] == "name: This field is required."
    assert marked[(MISSING_PROJECTS, "projects")] == "projects: This field is required."
    assert result.counts == {"create": ROWS - 6, "update": 0, "unchanged": 0, "error": 6}
    assert my_sessions(lab, prefix) == []  # the dry run wrote nothing


def test_commit_writes_exactly_the_valid_rows_and_a_reimport_writes_nothing(lab):
    """Issue 16 item "commit": exactly the valid rows are created (ids in the summary, the rows in
    error in the report); the same file again is all unchanged and creates nothing."""
    prefix = unique("C")
    data, filename = as_file("csv", COLUMNS, sessions_file(lab, prefix))
    result = dry_run(lab.client, "session", read_table(data, filename))
    seen: list[tuple[int, int]] = []
    summary = commit(
        lab.client, lab.outbox(), result, progress=lambda done, total: seen.append((done, total))
    )
    stored = {record["name"]: record for record in my_sessions(lab, prefix)}
    assert len(stored) == ROWS - 6 and summary.counts["created"] == ROWS - 6
    assert set(summary.created.values()) == {record["id"] for record in stored.values()}
    assert stored[f"{prefix}-0000"]["description"] == "day 0" and sorted(
        stored[f"{prefix}-0000"]["tags"]
    ) == [
        "import",
        "test",
    ]
    assert set(summary.skipped) == {UNKNOWN_PROJECT, DUP_A, DUP_B, BAD_DATE, MISSING_NAME, MISSING_PROJECTS}
    assert seen[-1] == (ROWS - 6, ROWS - 6) and lab.outbox().count() == 0
    report = summary.report_csv().decode("utf-8-sig")
    assert f"{BAD_DATE},skipped,[date_time] date_time: Date has wrong format" in report

    again = dry_run(lab.client, "session", read_table(data, filename))
    assert again.counts == {"create": 0, "update": 0, "unchanged": ROWS - 6, "error": 6}
    repeat = commit(lab.client, lab.outbox(), again)
    assert (repeat.created, repeat.updated, len(repeat.unchanged)) == ({}, {}, ROWS - 6)
    assert len(my_sessions(lab, prefix)) == ROWS - 6


def test_a_changed_cell_updates_only_that_field(lab):
    """Issue 16: a row matching an existing session by name updates the fields that differ."""
    prefix = unique("U")
    rows = [[f"{prefix}-1", lab.project, "2026-02-01", "first", None]]
    data, filename = as_file("csv", COLUMNS, rows)
    commit(lab.client, lab.outbox(), dry_run(lab.client, "session", read_table(data, filename)))
    rows[0][3] = "second"
    data, filename = as_file("csv", COLUMNS, rows)
    result = dry_run(lab.client, "session", read_table(data, filename))
    [plan] = result.rows
    assert (plan.action, plan.payload) == ("update", {"description": "second"})
    summary = commit(lab.client, lab.outbox(), result)
    [stored] = my_sessions(lab, prefix)
    assert summary.updated == {2: stored["id"]} and stored["description"] == "second"


def test_a_cell_fixed_in_an_edited_grid_clears_its_error(lab):
    """Issue 16: rows in error can be fixed in place: the sheet as a DataFrame (what a grid editor
    gives back: NaN for empty cells, NumPy numbers), one cell corrected, checked again."""
    import pandas as pd

    from stemgui.importing import table_from_grid

    prefix = unique("G")
    rows = [
        [f"{prefix}-1", lab.project, "2026-13-01", None, None],
        [f"{prefix}-2", lab.project, None, 7, None],
    ]
    data, filename = as_file("xlsx", COLUMNS, rows)
    table = read_table(data, filename)
    assert set(dry_run(lab.client, "session", table).cell_errors()) == {(2, "date_time")}
    grid = pd.DataFrame(table.rows, columns=table.columns)
    grid.loc[0, "date_time"] = "2026-12-01"
    fixed = table_from_grid(list(grid.columns), grid.to_dict("records"))
    result = dry_run(lab.client, "session", fixed)
    assert result.errors == [] and result.counts["create"] == 2
    assert result.rows[1].payload["description"] == "7" and "tags" not in result.rows[0].payload
