"""Tables written as CSV or XLSX bytes, every cell neutralised against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from stemgui.csv_safe import neutralise_cell


def csv_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """UTF-8 CSV with a BOM (spreadsheets then read µ and ° right); formula-like text gets a ``'``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([neutralise_cell(name) for name in columns])
    for row in rows:
        writer.writerow(["" if value is None else neutralise_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(columns: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "records") -> bytes:
    """An XLSX workbook, header bold and frozen; text that looks like a formula is stored as text."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=False)
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append([neutralise_cell(name) for name in columns])
    for cell in worksheet[1]:
        cell.font = Font(bold=True)
    worksheet.freeze_panes = "A2"
    for row in rows:
        worksheet.append([neutralise_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
