"""Issue 16: procedures from a file — units in headers and cells, schema rules (minimum), brain
regions by acronym or name, each mistake at its cell; the commit, the re-import, an interrupted
commit that resumes without duplicates. Sessions have no unit, minimum or region, so those three
mistakes are shown on a procedures file. Real bundled server, real files, real outbox."""

from __future__ import annotations

import pytest

from stemgui.importing import commit, dry_run, read_table, template_columns
from tests.importing.lab import as_file, unique
from tests.serverproc import ServerProcess

VIRUS = template_columns("procedure", "VirusInjection", "Stereotaxic_BregmaAbsolute")
TETRODE = template_columns("procedure", "TetrodeWireElectrodeImplant", "Stereotaxic_BregmaAbsolute")


def row(lab, columns: list[str], **cells) -> list:
    subject = next(iter(lab.subjects))
    base = {
        "subject": subject,
        "type": "VirusInjection",
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "date_time": "2026-03-01T09:40:00Z",
        "brain_region": "CA1",
        "notes": unique("inj"),
        "details.injectionVolume [nL]": 300,
        "coordinates.apCoordinate [mm]": -2.0,
    }
    base.update({key.replace("__", "."): value for key, value in cells.items()})
    return [base.get(column) for column in columns]


def procedures_of(lab, notes_prefix: str) -> list[dict]:
    return [p for p in lab.client.list_all("procedure") if str(p.get("notes", "")).startswith(notes_prefix)]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_unit_minimum_and_region_mistakes_are_reported_at_their_cells(lab, fmt):
    """Issue 16 "Show": wrong unit, value below minimum, region acronym typo (the closest acronym
    offered), plus unknown subject and bad date; the valid rows are to be created; nothing written."""
    tag = unique("P")
    columns = VIRUS + [c for c in TETRODE if c not in VIRUS]
    mistakes = [
        {
            "type": "TetrodeWireElectrodeImplant",
            "details.tetrodeCount": 4,
            "details.injectionVolume [nL]": None,
        },
        {"details.injectionVolume [nL]": "0.3 kg"},
        {
            "type": "TetrodeWireElectrodeImplant",
            "details.tetrodeCount": -1,
            "details.injectionVolume [nL]": None,
        },
        {"brain_region": "CA11"},
        {"subject": "Mouse-nobody"},
        {"date_time": "2026-02-30"},
        {"details.injectionVolume [nL]": "0.3 µL"},
    ]
    rows = [
        row(lab, columns, **{"notes": f"{tag} {i}", "date_time": f"2026-05-{i + 1:02d}T08:00:00Z", **cells})
        for i, cells in enumerate(mistakes)
    ]
    data, filename = as_file(fmt, columns, rows)
    result = dry_run(lab.client, "procedure", read_table(data, filename))
    marked = result.cell_errors()
    assert set(marked) == {
        (3, "details.injectionVolume [nL]"),
        (4, "details.tetrodeCount"),
        (5, "brain_region"),
        (6, "subject"),
        (7, "date_time"),
    }
    assert (
        "'kg' is not a unit of volume; use one of: nL, µL, mL, L"
        in marked[(3, "details.injectionVolume [nL]")]
    )
    assert "Tetrode count must be at least 0." in marked[(4, "details.tetrodeCount")]
    assert marked[(5, "brain_region")].startswith(
        "brain_region: No brain region named \"CA11\". Did you mean 'CA1'"
    )
    assert (
        "No subject named" in marked[(6, "subject")]
        and "date_time: Date has wrong format" in marked[(7, "date_time")]
    )
    assert result.counts == {"create": 2, "update": 0, "unchanged": 0, "error": 5}
    kept_unit = result.rows[-1].payload["details"]["injectionVolume"]
    assert kept_unit == {"value": 0.3, "unit": "µL"}  # a unit the schema allows is kept as written
    assert procedures_of(lab, tag) == []


def test_units_in_cells_convert_to_the_schema_unit_when_it_does_not_allow_theirs(lab):
    """Issue 16: ``300 pL`` (pL is not an injection-volume unit) becomes 0.3 nL; ``0.3 ul`` is µL;
    a bare number is in the header's unit."""
    tag = unique("Q")
    rows = [
        row(lab, VIRUS, notes=f"{tag} {i}", **{"details.injectionVolume [nL]": cell})
        for i, cell in enumerate(["300 pL", "0.3 ul", 250])
    ]
    data, filename = as_file("csv", VIRUS, rows)
    result = dry_run(lab.client, "procedure", read_table(data, filename))
    volumes = [plan.payload["details"]["injectionVolume"] for plan in result.rows]
    assert volumes[0]["unit"] == "nL" and volumes[0]["value"] == pytest.approx(0.3)
    assert volumes[1:] == [{"value": 0.3, "unit": "µL"}, {"value": 250, "unit": "nL"}]


def test_procedures_commit_and_reimport_create_nothing_new(lab):
    """Issue 16: procedures match by subject + type + time + target; the same file twice writes once."""
    tag = unique("R")
    rows = [row(lab, VIRUS, notes=f"{tag} {i}", date_time=f"2026-03-0{i + 1}T10:00:00Z") for i in range(5)]
    data, filename = as_file("xlsx", VIRUS, rows)
    summary = commit(lab.client, lab.outbox(), dry_run(lab.client, "procedure", read_table(data, filename)))
    assert summary.counts["created"] == 5 and len(procedures_of(lab, tag)) == 5
    again = dry_run(lab.client, "procedure", read_table(data, filename))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 5, "error": 0}
    assert commit(lab.client, lab.outbox(), again).created == {} and len(procedures_of(lab, tag)) == 5


def test_an_interrupted_commit_queues_the_rest_and_resumes_without_duplicates(import_server, lab):
    """Issue 16 item "commit": the backend stops midway (the server process is stopped): each row
    is written or queued whole; after it is back, committing the same file again sends the queued
    rows once and creates nothing twice."""
    tag = unique("I")
    rows = [
        row(lab, VIRUS, notes=f"{tag} {i:02d}", date_time=f"2026-04-{i + 1:02d}T10:00:00Z") for i in range(20)
    ]
    data, filename = as_file("csv", VIRUS, rows)
    result = dry_run(lab.client, "procedure", read_table(data, filename))

    def stop_after_eight(done: int, total: int) -> None:
        if done == 8:
            import_server.stop()

    try:
        summary = commit(lab.client, lab.outbox(), result, progress=stop_after_eight)
        # committed again while the backend is still down: nothing is queued a second time
        repeat = commit(lab.client, lab.outbox(), result)
    finally:
        restarted = ServerProcess(import_server.db_url, import_server.data_dir, port=import_server.port)
        import_server.process = restarted.start().process
    assert (len(summary.created), len(summary.queued)) == (8, 12) and summary.backend_down
    assert (repeat.created, repeat.queued, len(repeat.unchanged)) == ({}, {}, 8)
    assert set(repeat.skipped.values()) == {"already waiting in the outbox from an earlier commit"}
    assert lab.outbox().count() == 12
    assert len(procedures_of(lab, tag)) == 8

    resumed = commit(lab.client, lab.outbox(), dry_run(lab.client, "procedure", read_table(data, filename)))
    stored = procedures_of(lab, tag)
    assert len(stored) == 20 and len({p["notes"] for p in stored}) == 20  # every row once
    assert (resumed.created, resumed.queued, len(resumed.unchanged)) == ({}, {}, 20)
    assert lab.outbox().count() == 0
