"""The dry run: every row of an import file checked and matched, nothing written.

Each row becomes the payload a form would send (names resolved to ids, units converted), is
checked with the one rule set (``stemgui.models.validate_record``: the pydantic models and the
JSON Schemas the forms and the server use), and is matched to an existing record by its
natural key (``columns.NATURAL_KEYS``): a row is to be *created*, to *update* that record (only
the fields that differ are sent; an empty cell changes nothing), *unchanged*, or in *error*.
Errors are per cell (sheet row, column, message naming the field). Rows with the same natural
key in one file are errors (every one of them), so a commit never writes one record twice.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC
from functools import cache
from typing import TYPE_CHECKING, Any, Literal

from stemgui import dates
from stemgui.importing import columns as cols
from stemgui.importing.cells import CellProblem, as_list, as_text, schema_value
from stemgui.importing.reading import Table
from stemgui.importing.resolve import Resolver, Unresolved
from stemgui.models import validate_record
from stemgui.outbox_match import field_matches
from stemgui.schema_form import missing_required
from stemgui.schemas.quantities import is_quantity

if TYPE_CHECKING:
    from stemgui.client import BrainstemClient

Action = Literal["create", "update", "unchanged", "error"]
ROW_COLUMN = ""  # the "column" of an error about the whole row


@dataclass(frozen=True)
class CellError:
    """One problem at one cell: sheet row (header = 1), column as in the file, message."""

    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    """What the commit will do with one row."""

    row: int
    action: Action
    payload: dict = field(default_factory=dict)  # the create's body, or an update's changed fields
    record_id: str | None = None  # the existing record (update / unchanged)
    errors: list[CellError] = field(default_factory=list)
    full: dict = field(default_factory=dict)  # every field the row sets (for matching again)
    key: tuple | None = None


@dataclass
class DryRunResult:
    """The outcome of a dry run: one plan per data row, file-level notes, counts."""

    kind: cols.Kind
    columns: list[str]
    rows: list[RowPlan]
    file_errors: list[str] = field(default_factory=list)  # missing required columns
    notes: list[str] = field(default_factory=list)  # ignored columns, how formulas were read

    @property
    def model(self) -> str:
        return self.kind

    @property
    def counts(self) -> dict[str, int]:
        """Rows to create / to update / unchanged / in error."""
        counts = dict.fromkeys(("create", "update", "unchanged", "error"), 0)
        for plan in self.rows:
            counts[plan.action] += 1
        return counts

    @property
    def errors(self) -> list[CellError]:
        """Every cell error, in sheet order."""
        return [error for plan in self.rows for error in plan.errors]

    def cell_errors(self) -> dict[tuple[int, str], str]:
        """(sheet row, column) -> message(s), for marking cells in a grid."""
        marked: dict[tuple[int, str], str] = {}
        for error in self.errors:
            key = (error.row, error.column)
            marked[key] = f"{marked[key]} {error.message}" if key in marked else error.message
        return marked


# -------------------------------------------------------------------------------- building rows


@dataclass(frozen=True)
class _FileColumn:
    header: str
    path: str  # "name", "details.injectionVolume", "coordinates.apCoordinate"
    unit: str | None
    plain: cols.Column | None


def _file_columns(kind: cols.Kind, table: Table) -> tuple[list[_FileColumn], list[str]]:
    plain = {column.field: column for column in cols.PLAIN[kind]}
    found, ignored = [], []
    for header in table.columns:
        path, unit = cols.parse_header(header)
        prefix = path.split(".", 1)[0]
        if path in plain:
            found.append(_FileColumn(header, path, unit, plain[path]))
        elif cols.is_surgical(kind) and prefix in cols.PREFIX_FIELDS and "." in path:
            found.append(_FileColumn(header, path, unit, None))
        else:
            ignored.append(header)
    return found, ignored


def _plain_value(column: cols.Column, cell: Any, resolver: Resolver) -> Any:
    if column.ref:
        names = as_list(cell) if column.many else [as_text(cell)]
        ids = [resolver.resolve(column.ref, name) for name in names]
        return ids if column.many else ids[0]
    if column.reads == "list":
        return as_list(cell)
    return as_text(cell)


def _build(
    kind: cols.Kind, row_number: int, cells: dict, file_columns: list[_FileColumn], resolver: Resolver
) -> tuple[dict, list[CellError], dict[str, str]]:
    """(payload, cell errors, payload field -> its column) of one row."""
    payload: dict[str, Any] = {}
    errors: list[CellError] = []
    where: dict[str, str] = {}
    schema_columns = []
    for column in file_columns:
        cell = cells.get(column.header)
        if column.plain is None:
            schema_columns.append(column)
            continue
        where[column.path] = column.header
        if cell is None or cell == "":
            continue
        try:
            payload[column.path] = _plain_value(column.plain, cell, resolver)
        except (Unresolved, CellProblem) as exc:
            errors.append(CellError(row_number, column.header, f"{column.path}: {exc}"))
    for column in schema_columns:
        prefix, prop_name = column.path.split(".", 1)
        payload_field = cols.PREFIX_FIELDS[prefix]
        where[f"{payload_field}.{prop_name}"] = column.header
        cell = cells.get(column.header)
        if cell is None or cell == "":
            continue
        chooser = "type" if prefix == cols.DETAILS else "coordinates_system"
        schema = cols.schema_of(kind, prefix, str(payload.get(chooser) or ""))
        if schema is None:
            if chooser in payload:
                continue  # an unknown type/system: the rule set reports it at its own cell
            errors.append(CellError(row_number, column.header, f"{column.path}: set {chooser} first."))
            continue
        prop = (schema.get("properties") or {}).get(prop_name)
        if prop is None:
            errors.append(
                CellError(
                    row_number,
                    column.header,
                    f"{column.path} is not a field of {payload[chooser]}; leave it empty.",
                )
            )
            continue
        try:
            payload.setdefault(payload_field, {})[prop_name] = schema_value(prop, cell, column.unit)
        except CellProblem as exc:
            errors.append(CellError(row_number, column.header, f"{column.path}: {exc}"))
    return payload, errors, where


@cache
def _required(kind: cols.Kind, prefix: str, name: str) -> tuple[str, ...] | None:
    """The top-level fields of a type's (system's) schema that a form requires; None when it has
    groups of fields (their own required fields need the full check)."""
    schema = cols.schema_of(kind, prefix, name) or {}
    props = (schema.get("properties") or {}).values()
    if any(isinstance(p, dict) and p.get("type") == "object" and not is_quantity(p) for p in props):
        return None
    return tuple(path.split(".")[0] for path in missing_required(schema, {}))


def _emptied_required(
    kind: cols.Kind, row_number: int, payload: dict, where: dict[str, str]
) -> list[CellError]:
    """Required ``details``/``coordinates`` fields left empty: errors at their cells, as in the forms
    (the shared rules would fill a schema default in: an empty "Injection volume" saved as 0)."""
    if not cols.is_surgical(kind):
        return []
    errors = []
    for prefix, payload_field in cols.PREFIX_FIELDS.items():
        chooser = "type" if prefix == cols.DETAILS else "coordinates_system"
        name = str(payload.get(chooser) or "")
        schema = cols.schema_of(kind, prefix, name)
        given = payload.get(payload_field) or {}
        required = _required(kind, prefix, name)
        if schema is None or (required is not None and all(given.get(key) is not None for key in required)):
            continue  # the usual row: every required field is there (missing_required is costly per row)
        for path, message in missing_required(schema, given).items():
            full = f"{payload_field}.{path}"
            errors.append(CellError(row_number, _column_of(full, where), f"{prefix}.{path}: {message}"))
    return errors


def _column_of(path: str, where: dict[str, str]) -> str:
    """The file column an error path (``details.injectionVolume.unit``) belongs to."""
    parts = path.split(".")
    for length in range(len(parts), 0, -1):
        candidate = ".".join(parts[:length])
        if candidate in where:
            return where[candidate]
    if parts[0] in cols.PREFIX_FIELDS.values() and len(parts) > 1:  # no such column in the file
        prefix = next(p for p, f in cols.PREFIX_FIELDS.items() if f == parts[0])
        return f"{prefix}.{parts[1]}"
    return parts[0] if parts[0] != "non_field_errors" else ROW_COLUMN


def _validate(
    kind: cols.Kind, row_number: int, payload: dict, where: dict[str, str], skip: set[str]
) -> tuple[dict | None, list[CellError]]:
    """(the normalized record, errors) by the one rule set; errors on columns already in error are
    dropped (an unknown project is one message, not also "projects is required")."""
    record, problems = validate_record(kind, payload)
    errors = []
    for path, messages in problems.items():
        column = _column_of(path, where)
        if column in skip:
            continue
        for message in messages:
            label = path if path != "non_field_errors" else "row"
            errors.append(CellError(row_number, column, f"{label}: {message}"))
    return (record.model_dump() if record is not None else None), errors


# -------------------------------------------------------------------------------- natural keys


def _moment(value: Any) -> str:
    """A date or date-time in one comparable form (UTC, no zone)."""
    if not value:
        return ""
    text = str(value).strip()
    try:
        moment = dates.moment(text)
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat()


def _canonical(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        try:
            return float(f"{float(value):.12g}") if math.isfinite(value) else str(value)
        except OverflowError:  # an integer beyond any float: the API keeps what it is given
            return str(value)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in sorted(value.items())}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return str(value)


def natural_key(kind: cols.Kind, record: dict) -> tuple | None:
    """The natural key of a record or a normalized row; None when a part is missing."""
    parts = []
    for name in cols.NATURAL_KEYS[kind]:
        value = record.get(name)
        if name == "date_time":
            value = _moment(value)
        elif name == "coordinates_details":
            value = json.dumps(_canonical(value or {}), sort_keys=True)
        elif name in ("name", "subject", "type", "coordinates_system") and not value:
            return None
        parts.append("" if value is None else str(value))
    return tuple(parts)


def _key_words(kind: cols.Kind) -> str:
    if cols.is_surgical(kind):
        return "the same subject, type, time and target (region, coordinates system and coordinates)"
    return "the same name"


# -------------------------------------------------------------------------------- the dry run


def dry_run(
    client: BrainstemClient | None, kind: cols.Kind, table: Table, resolver: Resolver | None = None
) -> DryRunResult:
    """Check every row of ``table`` as a ``kind`` record and match it to existing ones; writes nothing."""
    if kind not in cols.KINDS:
        raise ValueError(f"Unknown import kind {kind!r}; use one of: {', '.join(cols.KINDS)}")
    resolver = resolver or Resolver(client)
    file_columns, ignored = _file_columns(kind, table)
    present = {column.path for column in file_columns}
    result = DryRunResult(kind, list(table.columns), [], notes=list(table.notes))
    if ignored:
        result.notes.append(f"Not a field of {kind}s, ignored: {', '.join(ignored)}.")
    for column in cols.PLAIN[kind]:
        if column.required and column.field not in present:
            result.file_errors.append(f'The file has no "{column.field}" column; every {kind} needs one.')
    for offset, cells in enumerate(table.rows):
        row_number = table.first_row + offset
        payload, errors, where = _build(kind, row_number, cells, file_columns, resolver)
        errors += _emptied_required(kind, row_number, payload, where)
        normalized, problems = _validate(kind, row_number, payload, where, {e.column for e in errors})
        errors += problems
        plan = RowPlan(row_number, "error" if errors else "create", payload, errors=errors, full=payload)
        if not errors and normalized is not None:
            plan.key = natural_key(kind, normalized)
        result.rows.append(plan)
    _mark_duplicates(result, where_of_key=_key_column(kind, table))
    match_existing(result, resolver.records(kind))
    return result


def _key_column(kind: cols.Kind, table: Table) -> str:
    first = cols.NATURAL_KEYS[kind][0]
    for header in table.columns:
        if cols.parse_header(header)[0] == first:
            return header
    return first


def _mark_duplicates(result: DryRunResult, where_of_key: str) -> None:
    rows_of: dict[tuple, list[RowPlan]] = {}
    for plan in result.rows:
        if plan.key is not None:
            rows_of.setdefault(plan.key, []).append(plan)
    for plans in rows_of.values():
        if len(plans) < 2:
            continue
        for plan in plans:
            others = ", ".join(str(p.row) for p in plans if p is not plan)
            message = f"Duplicate in this file: row(s) {others} have {_key_words(result.kind)}; keep one."
            plan.errors.append(CellError(plan.row, where_of_key, message))
            plan.action = "error"


def match_existing(result: DryRunResult, records: Iterable[dict]) -> None:
    """Decide create / update / unchanged for every row not in error, against ``records`` as they
    are now (the dry run's list, or a fresh one just before a commit)."""
    existing: dict[tuple, list[dict]] = {}
    for record in records:
        key = natural_key(result.kind, record)
        if key is not None:
            existing.setdefault(key, []).append(record)
    for plan in result.rows:
        if plan.action == "error" or plan.key is None:
            continue
        found = existing.get(plan.key, [])
        if not found:
            plan.action, plan.payload, plan.record_id = "create", plan.full, None
            continue
        if len(found) > 1:
            ids = ", ".join(str(r.get("id")) for r in found[:3])
            plan.errors.append(
                CellError(
                    plan.row,
                    cols.NATURAL_KEYS[result.kind][0],
                    f"{len(found)} existing records have {_key_words(result.kind)} "
                    f"({ids}); fix them before importing this row.",
                )
            )
            plan.action = "error"
            continue
        record = found[0]
        changes = _changes(result.kind, plan.full, record)
        plan.record_id = str(record.get("id"))
        plan.action, plan.payload = ("update", changes) if changes else ("unchanged", {})


def _changes(kind: cols.Kind, row: dict, record: dict) -> dict:
    """The fields of ``row`` that differ from ``record``; ``details``/``coordinates`` merged onto
    the record's own (a column the file lacks keeps the stored value)."""
    merged = dict(row)
    for payload_field in cols.PREFIX_FIELDS.values():
        if payload_field in row and isinstance(record.get(payload_field), dict):
            merged[payload_field] = {**record[payload_field], **row[payload_field]}
    changed = {name: value for name, value in merged.items() if not field_matches(kind, name, merged, record)}
    if changed and cols.is_surgical(kind):
        changed.update({name: merged[name] for name in ("type", "coordinates_system") if name in merged})
    return changed
