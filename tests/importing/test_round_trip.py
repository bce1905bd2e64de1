"""Issue 16 "Export": records -> the template's columns -> import again: nothing changes, also for
names a spreadsheet would run as formulas (neutralised with a ``'``) and quantities stored in
another unit than the column's. Subjects import by strain and project names."""

from __future__ import annotations

import pytest

from stemgui.importing import Resolver, commit, dry_run, export_csv, export_rows, export_xlsx, read_table
from tests.importing.lab import as_file, unique


@pytest.mark.parametrize("export", [export_csv, export_xlsx])
def test_exported_sessions_import_back_unchanged(lab, export):
    """Issue 16: a filtered session table exported and imported back is all unchanged; a name
    starting with = is neutralised in the file and comes back as it was."""
    prefix = unique("RT")
    formula_name = f'=HYPERLINK("http://x", "{prefix}")'
    for name in (f"{prefix}-a", f"{prefix}-b", formula_name):
        body = {
            "name": name,
            "projects": [lab.project_id],
            "date_time": "2026-06-01T09:30:00",
            "tags": ["a", "b"],
        }
        lab.client.save_model("session", data=body)
    records = lab.client.list_all("session", filters={"name.icontains": prefix})
    assert len(records) == 3
    data = export("session", records, Resolver(lab.client))
    filename = "export.csv" if export is export_csv else "export.xlsx"
    if export is export_csv:
        assert b"'=HYPERLINK" in data and lab.project.encode() in data
    result = dry_run(lab.client, "session", read_table(data, filename))
    assert result.counts == {"create": 0, "update": 0, "unchanged": 3, "error": 0}, result.errors


def test_exported_procedures_import_back_unchanged(lab):
    """Issue 16: procedures (one stored in µL under an nL column) round-trip unchanged."""
    tag = unique("RP")
    subject_id = next(iter(lab.subjects.values()))
    for index, volume in enumerate(({"value": 0.3, "unit": "µL"}, {"value": 250, "unit": "nL"})):
        body = {
            "type": "VirusInjection",
            "subject": subject_id,
            "notes": f"{tag} {index}",
            "date_time": f"2026-07-0{index + 1}T10:00:00Z",
            "brain_region": lab.regions["CA1"],
            "details": {"injectionVolume": volume, "injectionProfile": "Bolus Injection"},
            "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "coordinates_details": {"apCoordinate": -2.0, "mlCoordinate": {"value": 1500, "unit": "µm"}},
        }
        lab.client.save_model("procedure", data=body)
    records = [p for p in lab.client.list_all("procedure") if str(p.get("notes")).startswith(tag)]
    columns, rows = export_rows("procedure", records, Resolver(lab.client))
    cells = [dict(zip(columns, row, strict=True)) for row in rows]
    volumes = {c["notes"]: c["details.injectionVolume [nL]"] for c in cells}
    assert volumes == {f"{tag} 0": "0.3 µL", f"{tag} 1": 250}
    assert {c["brain_region"] for c in cells} == {"CA1"} and {
        c["coordinates.mlCoordinate [mm]"] for c in cells
    } == {"1500 µm"}
    data = export_csv("procedure", records, Resolver(lab.client))
    result = dry_run(lab.client, "procedure", read_table(data, "export.csv"))
    assert result.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}, result.errors


def test_subjects_import_by_names_and_reimport_unchanged(lab):
    """Issue 16: subjects with strain and project by name; a strain typo is an error with the
    closest name offered; the same file again changes nothing."""
    prefix = unique("Sub")
    columns = ["name", "projects", "strain", "sex", "birth_date", "tags"]
    rows = [
        [f"{prefix}-1", lab.project, lab.strain, "F", "2026-01-05", "cohort 3"],
        [f"{prefix}-2", lab.project, lab.strain, "M", "2026-01-05", "cohort 3"],
        [f"{prefix}-3", lab.project, lab.strain[:-1], "X", "2026-01-05", None],
    ]
    data, filename = as_file("xlsx", columns, rows)
    result = dry_run(lab.client, "subject", read_table(data, filename))
    marked = result.cell_errors()
    assert set(marked) == {(4, "strain"), (4, "sex")}
    assert f"Did you mean {lab.strain!r}?" in marked[(4, "strain")]
    assert commit(lab.client, lab.outbox(), result).counts["created"] == 2
    again = dry_run(lab.client, "subject", read_table(data, filename))
    assert again.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 1}
    records = lab.client.list_all("subject", filters={"name.icontains": prefix})
    exported = export_xlsx("subject", records, Resolver(lab.client))
    back = dry_run(lab.client, "subject", read_table(exported, "subjects.xlsx"))
    assert back.counts == {"create": 0, "update": 0, "unchanged": 2, "error": 0}, back.errors


def test_an_update_keeps_details_the_file_has_no_column_for(lab):
    """Issue 16: a matched procedure row changes the cells it has; stored details without a column
    in the file stay as they are (the row's details are merged onto the stored ones)."""
    tag = unique("M")
    body = {
        "type": "VirusInjection",
        "subject": next(iter(lab.subjects.values())),
        "notes": tag,
        "date_time": "2026-09-01T10:00:00Z",
        "brain_region": lab.regions["CA3"],
        "details": {
            "injectionVolume": {"value": 200, "unit": "nL"},
            "titer": {"value": 1e12, "unit": "vg/mL"},
        },
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": -1.0},
    }
    lab.client.save_model("procedure", data=body)
    columns = [
        "subject",
        "type",
        "date_time",
        "brain_region",
        "coordinates_system",
        "notes",
        "details.injectionVolume [nL]",
        "coordinates.apCoordinate [mm]",
    ]
    row = [
        next(iter(lab.subjects)),
        "VirusInjection",
        "2026-09-01T10:00:00Z",
        "CA3",
        "Stereotaxic_BregmaAbsolute",
        tag,
        250,
        -1.0,
    ]
    data, filename = as_file("csv", columns, [row])
    result = dry_run(lab.client, "procedure", read_table(data, filename))
    [plan] = result.rows
    assert plan.action == "update" and plan.payload["details"]["injectionVolume"] == {
        "value": 250,
        "unit": "nL",
    }
    assert commit(lab.client, lab.outbox(), result).updated == {2: plan.record_id}
    [stored] = [p for p in lab.client.list_all("procedure") if p.get("notes") == tag]
    assert stored["details"]["injectionVolume"] == {"value": 250, "unit": "nL"}
    assert stored["details"]["titer"] == {"value": 1e12, "unit": "vg/mL"}
