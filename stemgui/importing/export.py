"""Export: records -> the import template's columns, so an exported sheet imports back unchanged.

Related records are written by the names the import resolves (``resolve.record_label``);
quantities as a bare number in the column's unit, or ``"0.3 µL"`` when stored in another unit
(kept exactly as stored). Text that a spreadsheet would run as a formula gets a leading ``'``
(``stemgui.csv_safe``), which the import takes off again. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from stemgui.importing import columns as cols
from stemgui.importing.cells import format_quantity
from stemgui.importing.resolve import Resolver
from stemgui.importing.writing import csv_bytes, xlsx_bytes
from stemgui.schemas.quantities import is_quantity


def export_columns(kind: cols.Kind, records: Sequence[dict]) -> list[str]:
    """The template's plain columns, then the ``details``/``coordinates`` columns the records use."""
    if not cols.is_surgical(kind):
        return cols.template_columns(kind)
    columns = [column.field for column in cols.PLAIN[kind]]
    for prefix, chooser in ((cols.DETAILS, "type"), (cols.COORDINATES, "coordinates_system")):
        payload_field = cols.PREFIX_FIELDS[prefix]
        seen: dict[str, str] = {}
        for name in dict.fromkeys(str(r.get(chooser)) for r in records):
            schema = cols.schema_of(kind, prefix, name) or {}
            used = set().union(*(r.get(payload_field) or {} for r in records if str(r.get(chooser)) == name))
            for prop_name, prop in (schema.get("properties") or {}).items():
                if prop_name in used:
                    seen.setdefault(prop_name, cols.header(prefix, prop_name, prop))
        columns += sorted(seen.values(), key=str.lower)
    return columns


def _cell(kind: cols.Kind, column: str, record: dict, resolver: Resolver) -> Any:
    path, unit = cols.parse_header(column)
    plain = next((c for c in cols.PLAIN[kind] if c.field == path), None)
    if plain is not None:
        value = record.get(path)
        if value in (None, "", []):
            return None
        if plain.ref:
            names = [resolver.label(plain.ref, item) for item in (value if plain.many else [value])]
            return cols.LIST_SEPARATOR.join(names) if plain.many else names[0]
        if plain.reads == "list":
            return cols.LIST_SEPARATOR.join(map(str, value))
        return value
    prefix, prop_name = path.split(".", 1)
    value = (record.get(cols.PREFIX_FIELDS[prefix]) or {}).get(prop_name)
    if value is None:
        return None
    chooser = "type" if prefix == cols.DETAILS else "coordinates_system"
    prop = ((cols.schema_of(kind, prefix, str(record.get(chooser))) or {}).get("properties") or {}).get(
        prop_name, {}
    )
    if is_quantity(prop):
        return format_quantity(prop, value, unit)
    if isinstance(value, list):
        return cols.LIST_SEPARATOR.join(map(str, value))
    return value


def export_rows(kind: cols.Kind, records: Iterable[dict], resolver: Resolver) -> tuple[list[str], list[list]]:
    """(columns, rows) of ``records`` in the import template's form."""
    records = list(records)
    columns = export_columns(kind, records)
    return columns, [[_cell(kind, column, record, resolver) for column in columns] for record in records]


def export_csv(kind: cols.Kind, records: Iterable[dict], resolver: Resolver) -> bytes:
    """The records as an import-ready CSV (formula-like text neutralised)."""
    return csv_bytes(*export_rows(kind, records, resolver))


def export_xlsx(kind: cols.Kind, records: Iterable[dict], resolver: Resolver) -> bytes:
    """The records as an import-ready XLSX workbook (formula-like text neutralised)."""
    return xlsx_bytes(*export_rows(kind, records, resolver))
