"""Today's BrainSTEM subject logs (``modules/subjectlog``): a log of one ``type`` for one subject,
holding dated entries whose ``details`` follow the type's schema (``stemgui/schemas/subjectlog/``).

Entries are instantaneous (``date_time``) or, for the interval types, spans (``start_date_time``,
``end_date_time``); an entry is known by its time, so two entries of a log never share one.
Times are stored as ISO 8601 in UTC (``2025-03-01T08:30:00Z``); a time without a zone is UTC.
Nothing here imports Streamlit or SQLAlchemy.
"""

from __future__ import annotations

from datetime import UTC
from typing import Annotated, Any

from pydantic import BaseModel, Field

from stemgui import dates
from stemgui.models import CREATE_MODELS, PUBLIC_MODELS, Uuid, _known, _Public, _Write
from stemgui.schemas import load_schema, schema_names
from stemgui.schemas.quantities import check

DESCRIPTION_MAX = 500
NOTES_MAX = 500
# the log types whose entries are intervals (api-modules-subjectlog.md, "Log entries")
INTERVAL_TYPES = (
    "Housing", "FoodDeprivation", "WaterDeprivation", "Habituation", "Handling", "TrainingSession",
)  # fmt: skip


def subjectlog_types() -> dict[str, str]:
    """Subject-log type -> human title, in name order."""
    return schema_names("subjectlog")


def time_keys(log_type: str) -> tuple[str, ...]:
    """The time fields of one entry of ``log_type``; the first identifies the entry."""
    return ("start_date_time", "end_date_time") if log_type in INTERVAL_TYPES else ("date_time",)


def entry_key(log_type: str) -> str:
    """The field that identifies an entry of ``log_type`` (its time)."""
    return time_keys(log_type)[0]


def normalize_time(value: Any) -> str:
    """An ISO date or date-time as ``YYYY-MM-DDTHH:MM:SS[.ffffff]Z`` in UTC; ValueError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("Expected a date and time as ISO 8601 text, e.g. 2025-03-01T08:30:00Z.")
    try:
        moment = dates.moment(value)
    except ValueError:
        raise ValueError("Date and time has wrong format. Use ISO 8601, e.g. 2025-03-01T08:30:00Z.") from None
    moment = moment.astimezone(UTC) if moment.tzinfo else moment
    precision = "microseconds" if moment.microsecond else "seconds"
    return moment.replace(tzinfo=None).isoformat(timespec=precision) + "Z"


def check_entry(log_type: str, entry: Any) -> tuple[dict, dict[str, list[str]]]:
    """(entry to store, {field path: messages}) for one entry of a log of ``log_type``."""
    if not isinstance(entry, dict):
        return {}, {"non_field_errors": ["Expected an entry object (a JSON dictionary)."]}
    allowed = (*time_keys(log_type), "notes", "details")
    errors: dict[str, list[str]] = {}
    for key in entry:
        if key not in allowed:
            kind = "an interval" if log_type in INTERVAL_TYPES else "an instantaneous"
            errors[key] = [f"Unexpected field: a {log_type} entry is {kind} entry with {', '.join(allowed)}."]
    out: dict[str, Any] = {}
    for key in time_keys(log_type):
        try:
            out[key] = normalize_time(entry.get(key))
        except ValueError as exc:
            errors[key] = ["This field is required."] if entry.get(key) in (None, "") else [str(exc)]
    if not errors and log_type in INTERVAL_TYPES and out["end_date_time"] < out["start_date_time"]:
        errors["end_date_time"] = ["Must be on or after start_date_time."]
    notes = entry.get("notes")
    if notes is not None and not isinstance(notes, str):
        errors["notes"] = ["Not a valid string."]
    elif notes is not None and len(notes) > NOTES_MAX:
        errors["notes"] = [f"Ensure this field has no more than {NOTES_MAX} characters."]
    out["notes"] = notes
    details, problems = check(load_schema("subjectlog", log_type), entry.get("details", {}))
    for path, message in problems.items():
        errors.setdefault("details" if path == "__all__" else f"details.{path}", []).append(message)
    out["details"] = details
    return out, errors


def check_entries(log_type: str, entries: list) -> tuple[list[dict], dict[str, list[str]]]:
    """(entries to store, newest first; {``entries.<i>.<field>``: messages}) for a whole log."""
    stored: list[dict] = []
    errors: dict[str, list[str]] = {}
    seen: dict[str, int] = {}
    key = entry_key(log_type)
    for index, entry in enumerate(entries):
        normal, problems = check_entry(log_type, entry)
        for path, messages in problems.items():
            errors[f"entries.{index}.{path}"] = messages
        if problems:
            continue
        if normal[key] in seen:
            errors[f"entries.{index}.{key}"] = [f"Entry {seen[normal[key]]} has this time already."]
        seen[normal[key]] = index
        stored.append(normal)
    return sorted(stored, key=lambda entry: entry[key], reverse=True), errors


class SubjectLogCreate(_Write):
    """A new subject log (POST). ``entries`` are writable on the bundled server (an extension: the
    docs mark them read-only and add them one at a time with ``<id>/add_entry/``)."""

    type: Annotated[str, _known(subjectlog_types)]
    description: str | None = Field(None, max_length=DESCRIPTION_MAX)
    subject: Uuid
    entries: list = Field(default_factory=list)

    def schema_check(self) -> tuple[dict, dict[str, list[str]]]:
        """({"entries": normalized}, errors) from the type's schema; the record is not changed."""
        entries, errors = check_entries(self.type, self.entries)
        return {"entries": entries}, errors


class SubjectLogPublic(_Public):
    """A subject log as the API returns it."""

    id: str
    type: str
    description: str | None = None
    subject: str
    user: str | None = None
    entries: list[dict] = Field(default_factory=list)


CREATE: dict[str, type[BaseModel]] = {"subjectlog": SubjectLogCreate}
PUBLIC: dict[str, type[BaseModel]] = {"subjectlog": SubjectLogPublic}
CREATE_MODELS.update(CREATE)
PUBLIC_MODELS.update(PUBLIC)
