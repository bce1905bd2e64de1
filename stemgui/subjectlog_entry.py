"""Subject-log entries from the subject's page, without Streamlit: a weighing from two inputs,
any log type's entry from its fields, and adding it to the subject's log of that type.

Entries are checked with the server's own rules (``models_subjectlog.check_entry``). They are
added with the docs' ``PATCH subjectlog/<id>/add_entry/`` (a new log of that type is created
first when the subject has none); a backend that refuses entry actions raises ``EntriesRefused``
with a message that says so, instead of a bare HTTP error.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from stemgui.errors import EntriesRefused, NotFound, StemGuiError
from stemgui.models_subjectlog import INTERVAL_TYPES, check_entry
from stemgui.schemas import load_schema
from stemgui.schemas.quantities import units

WEIGHT_UNITS = tuple(units(load_schema("subjectlog", "Weighing")["properties"]["weight"]))


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def _messages(errors: Mapping[str, list[str]]) -> dict[str, str]:
    return {path: " ".join(texts) for path, texts in errors.items()}


def log_entry(
    log_type: str,
    details: Mapping[str, Any],
    when: datetime | None = None,
    end: datetime | None = None,
    notes: str = "",
) -> tuple[dict, dict[str, str]]:
    """(entry to send, field path -> message) for one entry of ``log_type``; ``when`` is the time
    (the start of an interval type, whose ``end`` is required). Naive times are UTC."""
    if log_type in INTERVAL_TYPES:
        entry = {"start_date_time": _iso(when), "end_date_time": _iso(end)}
    else:
        entry = {"date_time": _iso(when)}
    entry = {**entry, "notes": notes.strip() or None, "details": dict(details)}
    stored, errors = check_entry(log_type, entry)
    return (stored if not errors else entry), _messages(errors)


def weighing_entry(
    weight: float | str | None, unit: str = "g", when: datetime | None = None, notes: str = ""
) -> tuple[dict, dict[str, str]]:
    """A Weighing entry from the two inputs (weight and unit; the time defaults to now):
    (entry, field -> message), the weight's message under ``details.weight``."""
    try:
        value = float(str(weight).strip().replace(",", ".")) if weight not in (None, "") else None
    except ValueError:
        value = None
    if value is None or not math.isfinite(value) or value <= 0:
        shown = "" if weight in (None, "") else f" ({weight!r} is not)"
        return {}, {"details.weight": f"Enter the weight as a positive number{shown}."}
    if unit not in WEIGHT_UNITS:
        return {}, {"details.weight": f"Choose the unit: {', '.join(WEIGHT_UNITS)}."}
    return log_entry(
        "Weighing", {"weight": {"value": value, "unit": unit}}, when or datetime.now(UTC), None, notes
    )


def log_of_type(logs: Iterable[Mapping[str, Any]], log_type: str) -> Mapping[str, Any] | None:
    """The subject's first log of ``log_type`` (the one new entries go to), or None."""
    return next((log for log in logs if log.get("type") == log_type), None)


def add_entry(client, subject_id: str, log_type: str, entry: dict, logs: Iterable[Mapping[str, Any]]) -> dict:
    """Add ``entry`` to the subject's log of ``log_type`` (creating that log first when there is
    none) through ``client``; the log as the server returns it. A rejected entry raises the
    client's ``ValidationFailed`` naming the field; a backend without entry actions raises
    ``EntriesRefused``."""
    log = log_of_type(logs, log_type)
    created = log is None
    if created:
        data = {"type": log_type, "subject": subject_id, "description": f"{log_type} log"}
        log = client.save("subjectlog", data=data)["subject_log"]
    try:
        return _add(client, log, log_type, entry)
    except EntriesRefused:
        if created:  # leave nothing behind: the empty log made for this entry goes again
            client.delete("subjectlog", id=log["id"])
        raise


def _add(client, log: Mapping[str, Any], log_type: str, entry: dict) -> dict:
    try:
        return client.save("subjectlog", id=log["id"], options="add_entry", data=entry)["subject_log"]
    except NotFound as exc:
        raise EntriesRefused(
            f"This backend does not accept new entries in subject logs (it has no add_entry for log "
            f"{log['id']}); add the {log_type} entry on the BrainSTEM website instead. Nothing was saved.",
            status_code=exc.status_code,
        ) from None
    except StemGuiError as exc:
        if exc.status_code in (405, 501):
            raise EntriesRefused(
                f"This backend refuses new entries in subject logs (HTTP {exc.status_code}); add the "
                f"{log_type} entry on the BrainSTEM website instead. Nothing was saved.",
                status_code=exc.status_code,
            ) from None
        raise
