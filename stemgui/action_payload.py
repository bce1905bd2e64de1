"""The action form's logic, without Streamlit: typed values -> payload, errors per field,
and the prefill for edit and duplicate.

The rules come from ``stemgui.models.validate_record`` (the same the bundled server applies,
JSON Schemas of `details` and `coordinates_details` included), so the form can say what is
wrong before a round trip; the server's word still wins.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from stemgui import dates
from stemgui.models import ACTION_DESCRIPTION_MAX, validate_record, writable_fields
from stemgui.schema_form import missing_required
from stemgui.schemas import GENERATIONS, Generation, load_versioned

WRITABLE = writable_fields("action")
SCHEMA_FIELDS = ("details", "coordinates_details")
REQUIRED_MESSAGES = {
    "type": "Choose the action type.",
    "coordinates_system": "Choose the coordinates system.",
    "subject": "Choose the subject.",
}


@dataclass
class ActionFormValues:
    """Everything the action form holds, as typed (related records as ids)."""

    type: str | None = None
    coordinates_system: str | None = None
    subject: str | None = None
    day: date | None = None
    time: time | None = None
    brain_region: str | None = None
    consumable: str | None = None
    hardwaredevice: str | None = None
    description: str = ""
    details: dict = field(default_factory=dict)
    coordinates_details: dict = field(default_factory=dict)


def parse_date_time(value: Any) -> tuple[date | None, time | None]:
    """(date, time) of an API `date_time` ("2024-05-01" -> time None); (None, None) if unreadable."""
    moment = dates.parse(value)
    if not isinstance(moment, datetime):
        return moment, None
    return moment.date(), moment.time().replace(second=0, microsecond=0, tzinfo=None)


def date_time_text(day: date | None, clock: time | None) -> str | None:
    """The API `date_time`: "2024-05-01", "2024-05-01T10:30:00", or None without a date."""
    if day is None:
        return None
    if clock is None:
        return day.isoformat()
    return datetime.combine(day, clock.replace(microsecond=0)).isoformat()


def values_from_action(action: Mapping[str, Any]) -> ActionFormValues:
    """The form prefilled with a stored action (for Edit and Duplicate)."""
    day, clock = parse_date_time(action.get("date_time"))
    return ActionFormValues(
        type=action.get("type"), coordinates_system=action.get("coordinates_system"),
        subject=action.get("subject"), day=day, time=clock, brain_region=action.get("brain_region"),
        consumable=action.get("consumable"), hardwaredevice=action.get("hardwaredevice"),
        description=action.get("description") or "",
        details=copy.deepcopy(action.get("details") or {}),
        coordinates_details=copy.deepcopy(action.get("coordinates_details") or {}),
    )  # fmt: skip


def build_payload(values: ActionFormValues, unreadable: Mapping[str, str] | None = None
                  ) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """The JSON body to send, and field -> message for what must be fixed first.

    `unreadable` holds inputs that could not be read (e.g. bad JSON), keyed like the payload
    ("details.x"); they block sending, like any other error.
    """
    payload = {
        "type": values.type, "description": values.description or "", "subject": values.subject,
        "date_time": date_time_text(values.day, values.time), "consumable": values.consumable or None,
        "hardwaredevice": values.hardwaredevice or None, "brain_region": values.brain_region or None,
        "details": copy.deepcopy(values.details), "coordinates_system": values.coordinates_system,
        "coordinates_details": copy.deepcopy(values.coordinates_details),
    }  # fmt: skip
    errors = {name: message for name, message in REQUIRED_MESSAGES.items() if not payload[name]}
    if len(payload["description"]) > ACTION_DESCRIPTION_MAX:
        length = len(payload["description"])
        errors["description"] = f"At most {ACTION_DESCRIPTION_MAX} characters (now {length})."
    if not errors:  # the shared rules would only repeat the messages above
        errors.update(_emptied_required(payload))
    if not errors:
        _, problems = validate_record("action", payload)
        errors.update({name: " ".join(messages) for name, messages in problems.items()})
    errors.update(unreadable or {})
    return payload, errors


def _emptied_required(payload: Mapping[str, Any], generation: Generation = GENERATIONS["action"]
                      ) -> dict[str, str]:  # fmt: skip
    """Required details/coordinates inputs left empty ("details.injectionVolume" -> message).

    Checked before the shared rules, which fill schema defaults in: an emptied required number
    must be an error at its field, never a saved default. For procedures the schema is the
    version the payload names (`type_schema_version`, `coordinates_schema_version`; else newest).
    """
    errors: dict[str, str] = {}
    for kind_field, payload_field, kind in (
            ("type", "details", generation.types),
            ("coordinates_system", "coordinates_details", generation.coordinates)):
        version_field = "type_schema_version" if kind_field == "type" else "coordinates_schema_version"
        try:
            schema = load_versioned(kind, payload[kind_field], payload.get(version_field) or None)
        except KeyError:
            continue  # an unknown type, system or version: the shared rules name it
        for path, message in missing_required(schema, payload[payload_field]).items():
            errors[f"{payload_field}.{path}"] = message
    return errors


def is_form_field(name: str, writable: Iterable[str] = WRITABLE) -> bool:
    """Whether a message about `name` can be shown at an input of the form (of `writable` fields)."""
    return name in writable or any(name.startswith(f"{p}.") for p in SCHEMA_FIELDS)


def schema_errors(errors: Mapping[str, str], payload_field: str) -> dict[str, str]:
    """The messages about the inputs of `payload_field`, keyed by their path inside it."""
    start = f"{payload_field}."
    return {name[len(start):]: message for name, message in errors.items() if name.startswith(start)}


def writable(action: Mapping[str, Any]) -> dict:
    """The fields of `action` a new record can be created from (no id, no server-made fields)."""
    return {name: copy.deepcopy(action.get(name)) for name in WRITABLE if name in action}


