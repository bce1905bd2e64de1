"""Issue 16: templates (one column per field, units in headers; CSV and XLSX), reading real CSV and
XLSX files within limits (size, rows), formulas read as their saved values only, macros refused,
and unit conversion. No server needed."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from stemgui.importing import (
    MAX_BYTES,
    MAX_ROWS,
    ImportFileError,
    read_table,
    template_columns,
    template_csv,
    template_xlsx,
)
from stemgui.schemas.quantities import canonical_unit, convert


def test_procedure_template_has_a_column_per_field_with_units():
    """Issue 16 item "templates": details/coordinates columns of the type, unit in the header."""
    columns = template_columns("procedure", "VirusInjection", "Stereotaxic_BregmaBrainSurface")
    assert columns[:3] == ["subject", "type", "date_time"]
    assert "details.injectionVolume [nL]" in columns and "details.injectionProfile" in columns
    assert "coordinates.depth [mm]" in columns and "coordinates.apAngle [°]" in columns
    assert not any(c.startswith("details.tetrode") for c in columns)
    assert template_columns("session") == [
        "name",
        "projects",
        "date_time",
        "description",
        "tags",
        "name_used_in_storage",
    ]
    with pytest.raises(ValueError, match="Nope"):
        template_columns("procedure", "Nope")


@pytest.mark.parametrize("kind", ["subject", "session", "procedure", "action"])
def test_templates_read_back_as_their_columns(kind):
    """Issue 16: the CSV and XLSX templates are files the import reads, header for header."""
    for data, filename in ((template_csv(kind), "t.csv"), (template_xlsx(kind), "t.xlsx")):
        table = read_table(data, filename)
        assert (table.columns, table.rows) == (template_columns(kind), [])


def _xlsx(cells: list[list]) -> bytes:
    workbook = Workbook()
    for row in cells:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_formulas_are_never_computed():
    """Issue 16 "limits": a formula cell gives the value its spreadsheet saved; openpyxl-written
    files have none, so the cell is empty — "=1+1" is never evaluated, never taken as text."""
    table = read_table(_xlsx([["name", "description"], ["s1", "=1+1"]]), "f.xlsx")
    assert table.rows == [{"name": "s1", "description": None}]
    assert "Formulas are not computed" in table.notes[0]


def test_macro_workbooks_and_other_formats_are_refused():
    """Issue 16 "limits": .xlsm (macros) and .xls are refused with what to do instead."""
    with pytest.raises(ImportFileError, match=r"\.xlsm files are not imported \(it may carry macros\)"):
        read_table(_xlsx([["name"]]), "book.xlsm")
    with pytest.raises(ImportFileError, match="not a readable .xlsx"):
        read_table(b"PK\x03\x04 broken", "book.xlsx")
    with pytest.raises(ImportFileError, match="use a .csv or .xlsx"):
        read_table(b"name\n", "book.pdf")


def test_size_and_row_limits_have_clear_messages():
    """Issue 16 "limits": over 10 MB or over 20,000 rows is refused, saying the limit."""
    with pytest.raises(ImportFileError, match="files up to 10 MB are imported"):
        read_table(b"name\n" + b"x" * MAX_BYTES, "big.csv")
    rows = "name\n" + "".join(f"s{i}\n" for i in range(MAX_ROWS + 1))
    with pytest.raises(ImportFileError, match="up to 20,000 are imported at once"):
        read_table(rows.encode(), "long.csv")
    assert len(read_table(rows.encode()[: rows.encode().rfind(b"s")], "ok.csv").rows) == MAX_ROWS


def test_csv_in_excel_encodings_and_separators():
    """Issue 16: Excel's CSV flavours read the same (BOM, semicolons, cp1252)."""
    for data in (
        "\ufeffname;date_time\nµ-1;2026-01-01\n".encode(),
        "name;date_time\nµ-1;2026-01-01\n".encode("cp1252"),
    ):
        assert read_table(data, "x.csv").rows == [{"name": "µ-1", "date_time": "2026-01-01"}]


def test_unit_conversion():
    """Issue 16: units a person types, converted within one measure only."""
    assert canonical_unit("ul") == "µL" and canonical_unit("μm") == "µm" and canonical_unit("deg") == "°"
    assert convert(0.3, "µL", "nL") == pytest.approx(300)
    assert convert(1, "min", "s") == 60 and convert(0, "°C", "K") == pytest.approx(273.15)
    with pytest.raises(ValueError, match="kg cannot be converted to nL"):
        convert(1, "kg", "nL")
