"""The Lab page's small tables (issue 13): which columns each lab record kind shows, a grid row
-> payload with errors naming row and field, and the grid's edits -> creates, changes, deletes.

Kinds: projects, strains, suppliers, consumables, inventories and their consumable stocks,
setups and their equipment, licenses (a stock or piece of equipment is changed by whoever may
change its inventory or setup, so an editor adds their own inventory or setup first).
Related records are shown by name (``Refs``: id <-> unique label) and written as ids. Every
row is checked by the shared model rules (``models.validate_record``) before it is sent, so a
bad row never reaches the server and the others are still saved. Nothing here imports Streamlit.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from stemgui.models import CONSUMABLE_TYPES, PERMISSION_KEYS, validate_record, writable_fields
from stemgui.models_current import LICENSE_STATUSES, LICENSE_TYPES, STOCK_STATUSES
from stemgui.procedure_pickers import _LOT_KEYS as LOT_KEYS
from stemgui.procedure_pickers import stock_lot

DEFAULT_EQUIPMENT_SYSTEM = "External_XYZ_Absolute"  # the demo rig's; a new row may pick another


@dataclass(frozen=True)
class Column:
    """One grid column: ``field`` of the record (``details.<key>`` for a key in details)."""

    field: str
    label: str
    kind: str = "text"  # text, choice, ref, bool, number, tags
    ref: str | None = None  # the related model of a "ref" column
    choices: tuple[str, ...] = ()

    @property
    def details_key(self) -> str | None:
        return self.field.split(".", 1)[1] if self.field.startswith("details.") else None


@dataclass(frozen=True)
class LabKind:
    """One record kind of the Lab page: its model, words and grid columns."""

    model: str
    title: str  # the tab: "Strains"
    noun: str  # one record: "strain"
    columns: tuple[Column, ...]
    defaults: Mapping[str, Any] = field(default_factory=dict)  # fields a new row gets, unseen

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(c.ref for c in self.columns if c.ref)


def _text(name: str, label: str | None = None) -> Column:
    return Column(name, label or name.replace("_", " "))


KINDS: dict[str, LabKind] = {
    kind.model: kind
    for kind in (
        LabKind("project", "Projects", "project", (
            _text("name"), _text("description"), Column("is_public", "public", "bool"),
            Column("tags", "tags", "tags"),
        )),
        LabKind("strain", "Strains", "strain", (
            _text("name"), Column("species", "species", "ref", "species"), _text("description"),
            _text("comments"),
        )),
        LabKind("supplier", "Suppliers", "supplier", (
            _text("name"), _text("website"), _text("description"), _text("comments"),
        )),
        LabKind("consumable", "Consumables", "consumable", (
            _text("name"), Column("type", "type", "choice", choices=CONSUMABLE_TYPES),
            Column("supplier", "supplier", "ref", "supplier"), _text("description"), _text("comments"),
        )),
        LabKind("inventory", "Inventories", "inventory", (
            _text("name"), _text("location"), _text("description"), Column("is_public", "public", "bool"),
        )),
        LabKind("consumablestock", "Consumable stocks", "consumable stock", (
            Column("consumable", "consumable", "ref", "consumable"), Column("details.lot", "lot"),
            Column("details.quantity", "quantity", "number"), _text("type"),
            Column("status", "status", "choice", choices=STOCK_STATUSES),
            Column("inventory", "inventory", "ref", "inventory"), _text("acquisition_date"),
            _text("expiration_date"), _text("storage_location"), _text("storage_conditions"), _text("notes"),
        )),
        LabKind("setup", "Setups", "setup", (
            _text("name"), _text("location"), _text("description"), Column("is_public", "public", "bool"),
        )),
        LabKind("equipment", "Equipment", "equipment", (
            _text("name"), _text("type"), Column("setup", "setup", "ref", "setup"),
            Column("hardwaredevice", "hardware device", "ref", "hardwaredevice"),
            Column("consumable", "consumable", "ref", "consumable"), _text("notes"),
        ), defaults={"coordinates_system": DEFAULT_EQUIPMENT_SYSTEM}),
        LabKind("license", "Licenses", "license", (
            _text("name"), Column("type", "type", "choice", choices=LICENSE_TYPES),
            Column("status", "status", "choice", choices=LICENSE_STATUSES), _text("license_number", "number"),
            _text("country"), _text("valid_from", "valid from"), _text("valid_until", "valid until"),
            _text("description"), Column("is_public", "public", "bool"),
        )),
    )
}  # fmt: skip


# ---------------------------------------------------------------- related records by name


class Refs:
    """id <-> label of the records one model's pickers offer; labels made unique."""

    def __init__(self, labels: Mapping[str, str]) -> None:
        seen: dict[str, int] = {}
        for label in labels.values():
            seen[label] = seen.get(label, 0) + 1
        self.by_id = {rid: (lab if seen[lab] == 1 else f"{lab} ({rid[:8]})") for rid, lab in labels.items()}
        self.by_label = {lab: rid for rid, lab in self.by_id.items()}

    def label(self, record_id: str | None) -> str | None:
        if not record_id:
            return None
        return self.by_id.get(record_id, f"{record_id} (not visible to you)")

    @property
    def options(self) -> list[str]:
        return sorted(self.by_label, key=str.lower)


# ---------------------------------------------------------------- records -> grid rows


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value == ""


def cell(kind: LabKind, column: Column, record: Mapping[str, Any], refs: Mapping[str, Refs]) -> Any:
    """What the grid shows for ``column`` of ``record``."""
    if column.details_key:
        details = record.get("details") if isinstance(record.get("details"), Mapping) else {}
        if column.details_key == "lot":
            return stock_lot(record)
        return details.get(column.details_key)
    value = record.get(column.field)
    if column.kind == "ref":
        return refs[column.ref].label(value)
    if column.kind == "tags":
        return ", ".join(value or [])
    if column.kind == "bool":
        return bool(value)
    if column.kind == "text" and value is None:
        return ""  # an empty cell, not the editor's grey "None"
    return value


def grid_rows(kind: LabKind, records: Iterable[Mapping[str, Any]], refs: Mapping[str, Refs]) -> list[dict]:
    """One dict per record, keyed by column field, in the records' order."""
    return [{c.field: cell(kind, c, r, refs) for c in kind.columns} for r in records]


# ---------------------------------------------------------------- grid rows -> payloads


def row_payload(kind: LabKind, row: Mapping[str, Any], refs: Mapping[str, Refs],
                stored: Mapping[str, Any] | None = None) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """(the fields of the grid row as the API takes them, {column label: message})."""
    payload: dict[str, Any] = {}
    errors: dict[str, str] = {}
    details = dict(stored.get("details") or {}) if stored else {}
    for column in kind.columns:
        value = row.get(column.field)
        if column.kind == "ref":
            if _blank(value):
                payload[column.field] = None
            elif value in refs[column.ref].by_label:
                payload[column.field] = refs[column.ref].by_label[value]
            elif stored and value == refs[column.ref].label(stored.get(column.field)):
                payload[column.field] = stored.get(column.field)  # a record no longer visible: kept
            else:
                errors[column.label] = f"There is no {column.ref} named “{value}”."
            continue
        if column.kind == "number":
            number, problem = _number(value)
            if problem:
                errors[column.label] = problem
            elif number is None:
                if isinstance(details.get(column.details_key), int | float | None):
                    details.pop(column.details_key, None)  # cleared (text the grid cannot show stays)
            else:
                details[column.details_key] = number
            continue
        if column.kind == "bool":
            payload[column.field] = bool(value) if not _blank(value) else False
        elif column.kind == "tags":
            payload[column.field] = [t.strip() for t in str(value or "").split(",") if t.strip()]
        elif column.details_key:
            text = "" if _blank(value) else str(value).strip()
            key = _details_key(column.details_key, details)
            if text:
                details[key] = text
            else:
                details.pop(key, None)
        else:
            text = "" if _blank(value) else str(value).strip()
            payload[column.field] = text if text or column.field in _EMPTY_TEXT_FIELDS else None
    if any(c.details_key for c in kind.columns):
        payload["details"] = details
    return payload, errors


def _details_key(key: str, details: Mapping[str, Any]) -> str:
    """Where ``details`` already keeps ``key``: a lot may be stored as ``lotNumber`` or ``batch``."""
    if key == "lot":
        return next((k for k in LOT_KEYS if k in details), key)
    return key


def _number(value: Any) -> tuple[float | int | None, str | None]:
    if _blank(value):
        return None, None
    try:
        number = float(str(value).strip()) if not isinstance(value, int | float) else value
    except ValueError:
        return None, f"“{value}” is not a number."
    if not math.isfinite(number):
        return None, "Must be a finite number."
    if number < 0:
        return None, "Must be 0 or more."
    return (int(number) if float(number).is_integer() else number), None


# text fields whose model says "" (not null) when empty
_EMPTY_TEXT_FIELDS = {"description", "comments", "website", "notes", "name", "type", "location"}


def column_label(kind: LabKind, name: str) -> str:
    """The grid column a server or model field name belongs to (its label), else the name."""
    head = name.split(".", 1)[0]
    for column in kind.columns:
        if column.field == name or column.field == head:
            return column.label
    return name


def check_row(kind: LabKind, row: Mapping[str, Any], refs: Mapping[str, Refs],
              stored: Mapping[str, Any] | None) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """(body to send: all fields for a new row, only the changed ones for a stored one,
    {column label: message}) — checked by the shared model rules before anything is sent."""
    payload, errors = row_payload(kind, row, refs, stored)
    writable = writable_fields(kind.model)
    base = {k: v for k, v in (stored or kind.defaults).items() if k in writable}
    full = {**base, **{k: v for k, v in payload.items() if v is not None or k in base}}
    full = {k: v for k, v in full.items() if v is not None}
    if kind.model == "project":
        full.pop("users", None), full.pop("groups", None)  # members are changed on their own
    _, problems = validate_record(kind.model, full)
    for name, messages in problems.items():
        errors.setdefault(column_label(kind, name), " ".join(messages))
    if stored is None:
        return full, errors
    changed = {k: v for k, v in payload.items() if _differs(stored.get(k), v)}
    return changed, errors


def _differs(before: Any, after: Any) -> bool:
    if _blank(before) and _blank(after):
        return False
    if isinstance(before, list) and isinstance(after, list):
        return list(before) != list(after)
    return before != after


def row_label(kind: LabKind, row: Mapping[str, Any]) -> str:
    """The row's first column as text, at most 40 characters ("" when empty)."""
    first = row.get(kind.columns[0].field)
    return "" if _blank(first) else str(first)[:40]


def row_name(kind: LabKind, row: Mapping[str, Any], position: int) -> str:
    """“Row 3 (ChR2)”: how a message names a grid row."""
    label = row_label(kind, row)
    return f"Row {position + 1}" + (f" ({label})" if label else "")


# ---------------------------------------------------------------- the grid's edits


@dataclass
class GridChanges:
    """What a Save of the grid does: rows to create, to change (by id) and ids to delete."""

    creates: list[tuple[int, dict]] = field(default_factory=list)  # (grid position, row)
    changes: list[tuple[int, str, dict]] = field(default_factory=list)  # (position, id, row)
    deletes: list[tuple[int, str]] = field(default_factory=list)  # (position, id)

    @property
    def empty(self) -> bool:
        return not (self.creates or self.changes or self.deletes)


def grid_changes(rows: list[dict], ids: list[str | None], state: Mapping[str, Any],
                 unsaved: Iterable[int] = ()) -> GridChanges:  # fmt: skip
    """The rows of a Streamlit data editor's editing ``state`` (``edited_rows`` by position,
    ``added_rows``, ``deleted_rows``) over the grid's ``rows`` with their record ``ids`` (None:
    a row not saved yet, e.g. one a failed save kept in the grid). ``unsaved``: positions of
    stored records whose row holds a refused change (sent again even if not edited again)."""
    out = GridChanges()
    deleted = {int(i) for i in state.get("deleted_rows", [])}
    edited = {int(i): values for i, values in (state.get("edited_rows") or {}).items()}
    again = set(unsaved)
    for position, (row, record_id) in enumerate(zip(rows, ids, strict=True)):
        if position in deleted:
            if record_id:
                out.deletes.append((position, record_id))
            continue
        merged = {**row, **edited.get(position, {})}
        if record_id is None:
            out.creates.append((position, merged))
        elif position in edited or position in again:
            out.changes.append((position, record_id, merged))
    for offset, added in enumerate(state.get("added_rows") or []):
        if any(not _blank(v) for v in added.values()):
            out.creates.append((len(rows) + offset, dict(added)))
    return out


# ---------------------------------------------------------------- project members


def member_rows(project: Mapping[str, Any]) -> list[dict]:
    """A project's users as grid rows: email and the three rights."""
    users = project.get("users") or {}
    return [{"email": email, **{k: bool((perms or {}).get(k)) for k in PERMISSION_KEYS}}
            for email, perms in sorted(users.items())]  # fmt: skip


def manages(project: Mapping[str, Any], emails: Iterable[str]) -> bool:
    """Whether one of ``emails`` is a manager or owner of ``project``."""
    users = {k.lower(): v for k, v in (project.get("users") or {}).items()}
    return any((users.get(e.lower()) or {}).get(flag) for e in emails for flag in ("is_manager", "is_owner"))


def member_changes(before: list[dict], after: list[dict]) -> tuple[dict[str, dict], dict[str, str]]:
    """(the project PATCH's ``users`` dictionary turning ``before`` into ``after``, errors by
    row): new and changed members with their rights, removed ones with ``remove``."""
    errors: dict[str, str] = {}
    wanted: dict[str, dict] = {}
    for position, row in enumerate(after):
        email = "" if _blank(row.get("email")) else str(row["email"]).strip()
        if not email:
            errors[f"Row {position + 1}"] = "email: This field is required."
            continue
        if "@" not in email:
            errors[f"Row {position + 1} ({email})"] = "email: Enter the member's email address."
            continue
        if email.lower() in {w.lower() for w in wanted}:
            errors[f"Row {position + 1} ({email})"] = "email: This member is listed twice."
            continue
        wanted[email] = {k: bool(row.get(k)) and not _blank(row.get(k)) for k in PERMISSION_KEYS}
    had = {row["email"]: {k: row[k] for k in PERMISSION_KEYS} for row in before}
    users = {email: perms for email, perms in wanted.items() if had.get(email) != perms}
    lowered = {w.lower() for w in wanted}
    users.update({email: {"remove": True} for email in had if email.lower() not in lowered})
    return users, errors
