"""Finding the record a create already made on the server, so that a resend never duplicates it.

Used by ``stemgui.outbox`` before it (re)sends a create (which records it may claim is decided
there: only new ones, not claimed by another entry); the rule is in its module docstring:
sessions by their unique ``name`` plus every field the payload sets; actions by subject, type,
coordinates system and description on the server, then date_time, details and
coordinates_details (with schema defaults) and the other fields set, compared here; procedures
(today's actions) the same way with ``notes`` for the description, their quantities compared
in ``{value, unit}`` form; subject logs by subject, type and description, then their entries.
Comparisons are tolerant of how servers normalise values (1 == 1.0, "2023-03-22" ==
"2023-03-22T00:00:00Z", extra_fields as a list or an object, defaults filled in).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from stemgui import dates
from stemgui.errors import NotFound, ValidationFailed
from stemgui.models import writable_fields
from stemgui.models_subjectlog import check_entries
from stemgui.schemas import GENERATIONS, load_schema, load_versioned, stored_payload
from stemgui.schemas.quantities import check as normalize_quantities

if TYPE_CHECKING:
    from stemgui.client import BrainstemClient

log = logging.getLogger(__name__)

SESSION_FIELDS = writable_fields("session")
ACTION_FIELDS = writable_fields("action")
PROCEDURE_FIELDS = writable_fields("procedure")
JSON_FIELDS = {"details": ("action", "type"), "coordinates_details": ("coordinates", "coordinates_system")}
# model -> (its fields, its free-text field): the surgical records of the two generations
SURGICAL = {"action": (ACTION_FIELDS, "description"), "procedure": (PROCEDURE_FIELDS, "notes")}


def matching_records(client: BrainstemClient, model: str, payload: dict) -> list[dict] | None:
    """Every record on the server that a create of ``payload`` makes, in server order.

    None when the server cannot be asked (it cannot filter this way): nothing can be matched.
    """
    filters = dedup_key(model, "create", payload).get("filters")
    if not filters:
        return []
    try:
        candidates = client.list_all(model, filters=filters)
    except (ValidationFailed, NotFound) as exc:
        # A server that cannot filter this way: the create is sent, and a unique name still
        # protects sessions. Actions may then be duplicated — said loudly in the log.
        log.warning("outbox: cannot look up a %s before resending it: %s", model, exc.message)
        return None
    return [record for record in candidates if record_matches(model, payload, record)]


def matching_ids(client: BrainstemClient, model: str, payload: dict) -> list[str] | None:
    """Ids of the records a create of ``payload`` would match, in server order (None: unknown)."""
    records = matching_records(client, model, payload)
    return None if records is None else [str(record["id"]) for record in records if record.get("id")]


def dedup_key(model: str, operation: str, payload: dict) -> dict:
    """How a create is looked up before it is resent: the server filters and what is compared."""
    if operation != "create":
        return {}
    if model in ("session", "subject"):  # a subject by its name, as a session
        name = payload.get("name")
        return {"filters": {"name": name}, "compare": "fields set in the payload"} if name else {}
    if model == "subjectlog":
        return _subjectlog_key(payload)
    filters = {key: payload.get(key) for key in ("subject", "type", "coordinates_system")}
    if not all(filters.values()):
        return {}  # the server will reject it anyway: nothing can have been created
    text_field = SURGICAL.get(model, SURGICAL["action"])[1]
    if payload.get(text_field):
        filters[text_field] = payload[text_field]
    return {"filters": filters, "compare": "date_time, details, coordinates_details, fields set"}


def _subjectlog_key(payload: dict) -> dict:
    filters = {key: payload.get(key) for key in ("subject", "type")}
    if not all(filters.values()):
        return {}
    if payload.get("description"):
        filters["description"] = payload["description"]
    return {"filters": filters, "compare": "description, entries"}


def _same_entries(log_type: str, ours: Any, theirs: Any) -> bool:
    """A subject log's entries: equal once ours are in the server's form (times in UTC, newest
    first, quantities as {value, unit}, defaults filled in)."""
    try:
        entries, errors = check_entries(log_type, ours or []) if isinstance(ours, list) else ([], {"": []})
    except KeyError:  # a type this app does not know: compared as sent
        entries, errors = [], {"": []}
    return _same_value(ours or [] if errors else entries, theirs or [])


def record_matches(model: str, payload: dict, record: dict) -> bool:
    """Whether ``record`` on the server is what a create of ``payload`` makes."""
    if model == "subjectlog":
        return (payload.get("description") or "") == (record.get("description") or "") and _same_entries(
            str(payload.get("type") or ""), payload.get("entries"), record.get("entries")
        )
    if model == "session":
        keys = [key for key in SESSION_FIELDS if key in payload]
    elif model == "subject":
        keys = list(payload)
    else:
        # An omitted description/date_time/details is "" / None / {} + defaults on the server.
        fields, text_field = SURGICAL.get(model, SURGICAL["action"])
        keys = [key for key in fields if key in payload or key in (text_field, "date_time")]
        keys += [key for key in JSON_FIELDS if key not in keys]
    return all(_same_field(key, payload, record, model) for key in keys)


def _same_field(key: str, payload: dict, record: dict, model: str = "action") -> bool:
    ours, theirs = payload.get(key), record.get(key)
    if key in JSON_FIELDS and model == "procedure":
        name_key = JSON_FIELDS[key][1]
        version = payload.get("type_schema_version" if key == "details" else "coordinates_schema_version")
        return _same_versioned_object(key, str(payload.get(name_key) or ""), version, ours, theirs)
    if key in JSON_FIELDS:
        kind, name_key = JSON_FIELDS[key]
        return _same_schema_object(kind, str(payload.get(name_key) or ""), ours, theirs)
    if key in ("equipment", "licenses"):
        return sorted(map(str, ours or [])) == sorted(map(str, theirs or []))
    if key == "notes":
        return (ours or "") == (theirs or "")
    if key == "date_time":
        return _same_date(ours, theirs)
    if key == "extra_fields":
        return _same_value(_extra_fields(ours), _extra_fields(theirs))
    if key in ("projects", "tags"):
        return sorted(map(str, ours or [])) == sorted(map(str, theirs or []))
    if key in ("description", "name_used_in_storage"):
        return (ours or "") == (theirs or "")
    if key == "download_links":
        return _same_value(ours or [], theirs or [])
    return _same_value(ours, theirs)


def _same_schema_object(kind: Literal["action", "coordinates"], name: str, ours: Any, theirs: Any) -> bool:
    """Equal once our object has the defaults the server fills in; keys outside the schema ignored."""
    try:
        schema = load_schema(kind, name)
    except KeyError:
        return _same_value(ours or {}, theirs or {})
    ours = stored_payload(schema, ours if isinstance(ours, dict) else {})[0]
    theirs = theirs if isinstance(theirs, dict) else {}
    known = set(schema.get("properties") or {})
    keys = (set(ours) | set(theirs)) & known if known else set(ours) | set(theirs)
    return all(_same_value(ours.get(key), theirs.get(key)) for key in keys)


def _same_versioned_object(key: str, name: str, version: str | None, ours: Any, theirs: Any) -> bool:
    """A procedure's details/coordinates: equal once ours is in the server's form (bare numbers as
    {value, unit} in the default unit, documented defaults filled in)."""
    generation = GENERATIONS["procedure"]
    kind = generation.types if key == "details" else generation.coordinates
    try:
        schema = load_versioned(kind, name, version)
    except KeyError:
        return _same_value(ours or {}, theirs or {})
    ours, _ = normalize_quantities(schema, ours if isinstance(ours, dict) else {})
    return _same_value(ours, theirs if isinstance(theirs, dict) else {})


def _same_value(ours: Any, theirs: Any) -> bool:
    """Deep equality where 1 == 1.0 but True != 1."""
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours is theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-12)
    if isinstance(ours, dict) and isinstance(theirs, dict):
        return ours.keys() == theirs.keys() and all(_same_value(ours[k], theirs[k]) for k in ours)
    if isinstance(ours, list) and isinstance(theirs, list):
        return len(ours) == len(theirs) and all(map(_same_value, ours, theirs))
    return ours == theirs


def _same_date(ours: Any, theirs: Any) -> bool:
    """Equal dates or date-times ("2023-03-22" equals "2023-03-22T00:00:00Z")."""
    left, right = _as_datetime(ours), _as_datetime(theirs)
    if left is None or right is None:
        return left is None and right is None and (ours or "") == (theirs or "")
    if (left.tzinfo is None) != (right.tzinfo is None):
        left, right = left.replace(tzinfo=None), right.replace(tzinfo=None)
    return left == right


def _as_datetime(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dates.moment(value)
    except ValueError:
        return None


def _extra_fields(value: Any) -> Any:
    if isinstance(value, list) and all(isinstance(item, dict) and "name" in item for item in value):
        return {item["name"]: item.get("value") for item in value}
    return value or {}


def field_matches(model: str, key: str, payload: dict, record: dict) -> bool:
    """Whether one field of ``payload`` equals the record's (as tolerant as ``record_matches``);
    the import uses it to send only the fields a row changes."""
    return _same_field(key, payload, record, model)
