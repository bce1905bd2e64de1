"""Reading an uploaded CSV or XLSX file into rows of cells, within limits.

Limits (said to the user when hit): files up to ``MAX_BYTES`` (10 MB) and ``MAX_ROWS`` (20,000)
data rows: a year of a busy lab's sessions fits, and a dry run of that many rows stays within
seconds. XLSX is read with ``data_only=True``: a formula cell gives the value the spreadsheet
last saved for it (nothing is computed; a file never saved by a spreadsheet has none, so the cell
is empty), and macros never run: ``.xlsm``/``.xls`` files are refused. Only the first sheet
is read. Nothing here imports Streamlit.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from stemgui.errors import StemGuiError

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 500
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx",)
REFUSED_SUFFIXES = {
    ".xlsm": "it may carry macros",
    ".xls": "it is the old binary Excel format",
    ".xlsb": "it is a binary workbook",
}

Cell = str | int | float | bool | None


class ImportFileError(StemGuiError):
    """The uploaded file cannot be imported at all (format, size, encoding); says what to do."""

    status_code = 400


@dataclass
class Table:
    """The cells of a file: ``columns`` as in its header, ``rows`` as dicts column -> cell.

    ``first_row`` is the sheet row number of ``rows[0]`` (2: the header is row 1), so messages
    name the row a person sees in the spreadsheet.
    """

    columns: list[str]
    rows: list[dict[str, Cell]]
    first_row: int = 2
    notes: list[str] = field(default_factory=list)  # e.g. "formulas: cached values were read"


def read_table(data: bytes, filename: str) -> Table:
    """The table in an uploaded CSV or XLSX file; ImportFileError names what is wrong."""
    name = filename.lower()
    suffix = name[name.rfind(".") :] if "." in name else ""
    if suffix in REFUSED_SUFFIXES:
        raise ImportFileError(
            f"{filename}: {suffix} files are not imported ({REFUSED_SUFFIXES[suffix]}); "
            "save it as .xlsx or .csv and upload that."
        )
    if len(data) > MAX_BYTES:
        raise ImportFileError(
            f"{filename} is {len(data) / 1e6:.1f} MB; files up to {MAX_BYTES // 2**20} MB "
            "are imported. Split it into smaller files."
        )
    if suffix in XLSX_SUFFIXES or data[:4] == b"PK\x03\x04":
        table = _read_xlsx(data, filename)
    elif suffix in CSV_SUFFIXES or not suffix:
        table = _read_csv(data, filename)
    else:
        raise ImportFileError(f"{filename}: use a .csv or .xlsx file.")
    _check_shape(table, filename)
    return table


def _check_shape(table: Table, filename: str) -> None:
    if not table.columns:
        raise ImportFileError(f"{filename} has no header row: the first row must name the columns.")
    if len(table.rows) > MAX_ROWS:
        raise ImportFileError(
            f"{filename} has {len(table.rows):,} rows; up to {MAX_ROWS:,} are imported "
            "at once. Split it into smaller files."
        )
    if len(table.columns) > MAX_COLUMNS:
        raise ImportFileError(f"{filename} has {len(table.columns)} columns; up to {MAX_COLUMNS} are read.")
    seen: set[str] = set()
    for column in table.columns:
        if column in seen:
            raise ImportFileError(f'{filename}: the column "{column}" appears twice; keep one.')
        seen.add(column)


def _read_csv(data: bytes, filename: str) -> Table:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")  # Excel's "CSV" on Windows
        except UnicodeDecodeError:
            raise ImportFileError(f"{filename} is not UTF-8 text; save it as CSV UTF-8.") from None
    # The separator is the one the header row uses (Excel writes ";" where "," is the decimal
    # mark): cells may hold ";"-separated names, so the data rows cannot decide it.
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count) if any(d in first_line for d in ",;\t") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader, [])
        columns = [str(name).strip() for name in header]
        rows = []
        for values in reader:
            if len(rows) > MAX_ROWS:
                break  # enough to say it is too long, without reading on
            if not any(value.strip() for value in values):
                continue
            rows.append(
                {column: _csv_cell(value) for column, value in zip(columns, values, strict=False) if column}
            )
    except csv.Error as exc:
        raise ImportFileError(f"{filename} is not a readable CSV file: {exc}") from None
    return Table([c for c in columns if c], rows)


def _csv_cell(value: str) -> Cell:
    value = value.strip()
    if value.startswith("'") and len(value) > 1 and value[1] in "=+-@\t\r":
        value = value[1:]  # our own export's guard against formulas: the text as it was
    return value or None


def _read_xlsx(data: bytes, filename: str) -> Table:
    from openpyxl import load_workbook

    try:
        # data_only: the values the spreadsheet saved, never formulas; read_only streams rows.
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_vba=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"{filename} is not a readable .xlsx workbook ({exc}).") from None
    try:
        if getattr(workbook, "vba_archive", None) is not None:
            raise ImportFileError(f"{filename} contains macros; save it as .xlsx without macros.")
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = next(rows_iter, ())
        columns = [str(name).strip() if name is not None else "" for name in header]
        rows = []
        for values in rows_iter:
            if len(rows) > MAX_ROWS:
                break
            cells = {
                column: _xlsx_cell(value) for column, value in zip(columns, values, strict=False) if column
            }
            if any(value is not None for value in cells.values()):
                rows.append(cells)
    finally:
        workbook.close()
    notes = ["Formulas are not computed: each formula cell gives the value the spreadsheet last saved."]
    return Table([c for c in columns if c], rows, notes=notes)


def _xlsx_cell(value: Any) -> Cell:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and len(value) > 1 and value[1] in "=+-@\t\r":
            value = value[1:]
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def table_from_grid(columns: Sequence[str], rows: Iterable[Mapping[str, Any]], first_row: int = 2) -> Table:
    """A Table from an edited grid (the dry run's sheet with cells fixed in place): empty cells,
    NaN and NumPy scalars (what a DataFrame editor gives back) become plain cells."""
    cleaned = [{str(column): _grid_cell(row.get(column)) for column in columns} for row in rows]
    table = Table([str(column) for column in columns], cleaned, first_row=first_row)
    _check_shape(table, "the edited sheet")
    return table


def _grid_cell(value: Any) -> Cell:
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        value = value.item()  # a NumPy scalar
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, datetime | date | time):
        return _xlsx_cell(value)
    if isinstance(value, str):
        return _csv_cell(value)
    return value if isinstance(value, int | float | bool) or value is None else str(value)
