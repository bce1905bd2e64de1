"""The procedure form's logic, without Streamlit: typed values -> today's procedure payload, errors
per field, prefill for edit / duplicate / mirror, and which schema version a record follows.

The twin of `stemgui.action_payload` for today's BrainSTEM (`modules/procedure`): `notes` instead
of `description`, `consumablestock`, an `equipment` list, `licenses`, and the schema versions of
`details` and `coordinates_details`. The date/time handling, the emptied-required check and the
server-error mapping are shared with the action form.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, time
from typing import Any

from stemgui import action_payload
from stemgui.action_payload import _emptied_required, date_time_text, parse_date_time
from stemgui.actions import mirror_action
from stemgui.models import validate_record
from stemgui.models_current import NOTES_MAX, PROCEDURE
from stemgui.schemas import latest_version, load_versioned, schema_versions

WRITABLE = ("type", "notes", "subject", "date_time", "consumablestock", "equipment", "brain_region",
            "licenses", "details", "type_schema_version", "coordinates_system", "coordinates_details",
            "coordinates_schema_version")
REQUIRED_MESSAGES = {
    "type": "Choose the procedure type.",
    "coordinates_system": "Choose the coordinates system.",
    "subject": "Choose the subject.",
}
# (name field, payload field, version field, schema kind) of the two versioned payloads
VERSIONED = (
    ("type", "details", "type_schema_version", PROCEDURE.types),
    ("coordinates_system", "coordinates_details", "coordinates_schema_version", PROCEDURE.coordinates),
)


@dataclass
class ProcedureFormValues:
    """Everything the procedure form holds, as typed (related records as ids)."""

    type: str | None = None
    coordinates_system: str | None = None
    subject: str | None = None
    day: date | None = None
    time: time | None = None
    brain_region: str | None = None
    consumablestock: str | None = None
    equipment: list[str] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    notes: str = ""
    details: dict = field(default_factory=dict)
    coordinates_details: dict = field(default_factory=dict)
    # the versions of a stored record (kept on edit while its type/system stays); None: the newest
    type_schema_version: str | None = None
    coordinates_schema_version: str | None = None


def form_version(kind: str, name: str | None, stored: str | None) -> str | None:
    """The schema version a form of `name` follows: the stored one when the app ships it, else the
    newest (a new record, or the type changed); None for an unknown type."""
    if not name or not schema_versions(kind, name):  # type: ignore[arg-type]
        return None
    return stored if stored in schema_versions(kind, name) else latest_version(kind, name)  # type: ignore[arg-type]


def type_schema(values: ProcedureFormValues) -> dict | None:
    """The `details` schema to draw for the chosen type (in the record's version); None if unknown."""
    version = form_version(PROCEDURE.types, values.type, values.type_schema_version)
    return load_versioned(PROCEDURE.types, values.type, version) if version and values.type else None


def coordinates_schema(values: ProcedureFormValues) -> dict | None:
    """The `coordinates_details` schema of the chosen system (in the record's version); None if unknown."""
    system = values.coordinates_system
    version = form_version(PROCEDURE.coordinates, system, values.coordinates_schema_version)
    if not version or not values.coordinates_system:
        return None
    return load_versioned(PROCEDURE.coordinates, values.coordinates_system, version)


def unshipped_versions(procedure: Mapping[str, Any]) -> dict[str, str]:
    """Version field -> why the app cannot draw it, for each schema version of a stored record
    the app does not ship ({} when it can draw both). Such a record is shown read-only."""
    problems: dict[str, str] = {}
    for name_field, payload_field, version_field, kind in VERSIONED:
        name, version = procedure.get(name_field), procedure.get(version_field)
        shipped = schema_versions(kind, str(name or ""))
        if not shipped:
            problems[version_field] = f"{name_field} {name!r} is not known to this app"
        elif version and version not in shipped:
            problems[version_field] = (f"version {version} of the {name} schema is not one this app ships "
                                       f"({', '.join(shipped)}); its {payload_field} are shown as stored")
    return problems


def values_from_procedure(procedure: Mapping[str, Any]) -> ProcedureFormValues:
    """The form prefilled with a stored procedure (for Edit and Duplicate)."""
    day, clock = parse_date_time(procedure.get("date_time"))
    return ProcedureFormValues(
        type=procedure.get("type"), coordinates_system=procedure.get("coordinates_system"),
        subject=procedure.get("subject"), day=day, time=clock, brain_region=procedure.get("brain_region"),
        consumablestock=procedure.get("consumablestock"),
        equipment=list(procedure.get("equipment") or []), licenses=list(procedure.get("licenses") or []),
        notes=procedure.get("notes") or "",
        details=copy.deepcopy(procedure.get("details") or {}),
        coordinates_details=copy.deepcopy(procedure.get("coordinates_details") or {}),
        type_schema_version=procedure.get("type_schema_version"),
        coordinates_schema_version=procedure.get("coordinates_schema_version"),
    )  # fmt: skip


def build_procedure_payload(values: ProcedureFormValues, unreadable: Mapping[str, str] | None = None
                            ) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """The JSON body to send, and field -> message for what must be fixed first.

    Both schema versions are always sent (the one the form was drawn in), so the server checks
    the payload against the schema the person saw. `unreadable` holds inputs that could not be
    read (e.g. bad JSON), keyed like the payload ("details.x"); they block sending.
    """
    payload = {
        "type": values.type, "notes": values.notes or "", "subject": values.subject,
        "date_time": date_time_text(values.day, values.time),
        "consumablestock": values.consumablestock or None, "equipment": list(values.equipment or []),
        "brain_region": values.brain_region or None, "licenses": list(values.licenses or []),
        "details": copy.deepcopy(values.details),
        "type_schema_version": form_version(PROCEDURE.types, values.type, values.type_schema_version),
        "coordinates_system": values.coordinates_system,
        "coordinates_details": copy.deepcopy(values.coordinates_details),
        "coordinates_schema_version": form_version(PROCEDURE.coordinates, values.coordinates_system,
                                                   values.coordinates_schema_version),
    }  # fmt: skip
    errors = {name: message for name, message in REQUIRED_MESSAGES.items() if not payload[name]}
    if len(payload["notes"]) > NOTES_MAX:
        errors["notes"] = f"At most {NOTES_MAX} characters (now {len(payload['notes'])})."
    if not errors:  # the shared rules would only repeat the messages above
        errors.update(_emptied_required(payload, PROCEDURE))
    if not errors:
        _, problems = validate_record("procedure", payload)
        errors.update({name: " ".join(messages) for name, messages in problems.items()})
    errors.update(unreadable or {})
    return payload, errors


def is_form_field(name: str) -> bool:
    """Whether a server message about `name` can be shown at one of the procedure form's inputs."""
    return action_payload.is_form_field(name, WRITABLE)


def writable(procedure: Mapping[str, Any]) -> dict:
    """The fields of `procedure` a new record can be created from (no id, no timestamps)."""
    return {name: copy.deepcopy(procedure.get(name)) for name in WRITABLE if name in procedure}


def mirrored_procedure(procedure: Mapping[str, Any], date_time: str | None) -> dict:
    """The bilateral twin of `procedure` to create: left–right mirrored (CCF across the atlas
    midline), region kept, at `date_time`. MirrorError when a coordinate cannot be mirrored."""
    twin = writable(mirror_action(procedure))
    twin["date_time"] = date_time
    return twin


