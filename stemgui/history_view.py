"""A record's history as people read it, and what "Undo" sends (issue 15). No Streamlit.

The bundled server returns each change with the whole record ``before`` and ``after`` (see
``server/history.py``). Here a change becomes rows of *field · old → new*: nested objects such as
``details`` and ``coordinates_details`` are diffed per field (``details.injectionVolume``), a
``{value, unit}`` quantity reads "300 nL", ids of related records read as their names when the
caller knows them, and the bookkeeping stamp ``updated_at`` is left out.

Undo is the inverse of the user's own last write: after an edit, the changed fields are written
back to what they were; after a delete, the record is restored with its id.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, tzinfo

from stemgui import dates

Names = Callable[[str, object], str | None]  # (field, id) -> the related record's name, or None
NOT_SHOWN = ("updated_at",)  # changes on every write: a row for it would say nothing
OPERATIONS = {"create": "Created", "update": "Changed", "delete": "Deleted", "restore": "Restored"}
EMPTY = "—"


@dataclass(frozen=True)
class FieldChange:
    field: str  # dotted for nested fields: "details.injectionVolume"
    old: str
    new: str


@dataclass(frozen=True)
class ChangeEntry:
    """One write of a record: who, when, what, and its fields old → new."""

    operation: str  # "Created", "Changed", "Deleted", "Restored"
    who: str
    when: str
    fields: tuple[FieldChange, ...]


def value_text(value: object, field: str = "", names: Names | None = None) -> str:
    """One stored value, readable: a quantity as "300 nL", a list comma-separated, ids as names."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    if isinstance(value, Mapping) and set(value) <= {"value", "unit"} and "value" in value:
        return f"{value_text(value.get('value'))} {value.get('unit') or ''}".strip()
    if isinstance(value, list):
        return ", ".join(value_text(item, field, names) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}: {value_text(item)}" for key, item in value.items())
    if isinstance(value, bool):
        return "yes" if value else "no"
    if names is not None and isinstance(value, str):
        name = names(field, value)
        if name:
            return name
    return str(value)


def _flatten(record: Mapping | None, prefix: str = "") -> dict[str, object]:
    """Nested objects by dotted field (quantities stay whole: "300 nL" is one value)."""
    flat: dict[str, object] = {}
    for key, value in (record or {}).items():
        name = f"{prefix}{key}"
        is_quantity = isinstance(value, Mapping) and "value" in value and set(value) <= {"value", "unit"}
        if isinstance(value, Mapping) and value and not is_quantity:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def field_changes(
    before: Mapping | None, after: Mapping | None, names: Names | None = None
) -> list[FieldChange]:
    """The fields that differ between two versions, in the record's own field order."""
    old, new = _flatten(before), _flatten(after)
    fields = dict.fromkeys([*new, *old])
    rows = []
    for field in fields:
        if field.split(".")[0] in NOT_SHOWN or old.get(field) == new.get(field):
            continue
        top = field.split(".")[0]
        rows.append(
            FieldChange(field, value_text(old.get(field), top, names), value_text(new.get(field), top, names))
        )
    return rows


def change_entries(history: Mapping, tz: tzinfo = UTC, names: Names | None = None) -> list[ChangeEntry]:
    """The client's ``history()`` answer as entries, newest first (as the server orders them)."""
    entries = []
    for change in history.get("history", []):
        user, operation = change.get("user") or {}, str(change.get("operation", ""))
        entries.append(ChangeEntry(
            operation=OPERATIONS.get(operation, operation.capitalize()),
            who=user.get("username") or "(unknown user)",
            when=dates.when_text(change.get("date_time"), tz),
            fields=tuple(field_changes(change.get("before"), change.get("after"), names)),
        ))  # fmt: skip
    return entries


@dataclass(frozen=True)
class Undo:
    """What reverses one of the user's writes: a PATCH back to the old values, or a restore."""

    model: str
    record_id: str
    label: str  # "Undo the edit of 'Mouse 3 — day 1'"
    restore: bool = False  # after a delete: POST …/<id>/restore/
    payload: dict | None = None  # after an edit: the fields to write back

    @property
    def toast(self) -> str:
        return f"{self.label} is possible for the rest of this session"


def undo_edit(model: str, record_id: str, before: Mapping, sent: Mapping, label: str) -> Undo | None:
    """Undo of an edit: each field the user sent goes back to its value ``before`` (None: nothing
    changed). Only fields the user sent are written back, so a later change by someone else to
    another field is kept."""
    payload = {field: before.get(field) for field in sent if before.get(field) != sent[field]}
    if not payload:
        return None
    return Undo(model, record_id, f"Undo the edit of {label}", payload=payload)


def undo_delete(model: str, record_id: str, label: str) -> Undo:
    return Undo(model, record_id, f"Undo the deletion of {label}", restore=True)


def deleted_rows(answer: Mapping, tz: tzinfo = UTC) -> list[dict]:
    """The client's ``deleted()`` answer as table rows: name, deleted when and by whom, id."""
    rows = []
    for item in answer.get("deleted", []):
        record = item.get("record") or {}
        by = item.get("deleted_by") or {}
        rows.append({
            "name": record.get("name") or record.get("type") or item.get("id"),
            "deleted": dates.when_text(item.get("deleted_at"), tz),
            "by": by.get("username", "") if isinstance(by, Mapping) else str(by),
            "id": item.get("id"),
        })  # fmt: skip
    return rows
