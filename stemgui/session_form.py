"""The session form's logic, without Streamlit: typed values -> payload, key checks,
numeric coercion, prefill for edit and duplicate, and error messages per field.

The rules themselves come from ``stemgui.models`` (the same ones the bundled server applies),
so the form can say what is wrong before a round trip and the server's word still wins.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from stemgui import dates
from stemgui.models import (
    EXTRA_FIELD_KEY_PATTERN,
    SESSION_NAME_MAX,
    SessionCreate,
    field_errors,
    normalize_extra_fields,
    writable_fields,
)  # fmt: skip

EXTRA_COLUMNS = ("key", "value")
LINK_COLUMNS = ("Repository", "URL")
FORM_FIELDS = writable_fields("session")
COPY_SUFFIX = " (copy)"
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


@dataclass
class SessionFormValues:
    """Everything the session form holds, as typed."""

    name: str = ""
    description: str = ""
    projects: list[str] = field(default_factory=list)  # project ids
    date_time: date | None = None
    tags: list[str] = field(default_factory=list)
    extra_rows: list[dict] = field(default_factory=list)  # [{"key": ..., "value": ...}]
    link_rows: list[dict] = field(default_factory=list)  # [{"Repository": ..., "URL": ...}]
    name_used_in_storage: str = ""


def coerce_value(value: Any) -> str | int | float:
    """A typed extra-field value: numbers stay numbers ("22" -> 22, "1.5" -> 1.5), text stays text."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    text = str(value).strip()
    if not _NUMBER.match(text):
        return str(value)
    number = float(text)
    if not math.isfinite(number):
        return str(value)
    if re.fullmatch(r"[+-]?\d+", text):
        return int(text)
    return number


def key_error(key: str) -> str | None:
    """Why ``key`` cannot be an extra-field name, or None if it can."""
    if not key:
        return "Give this value a name."
    if not EXTRA_FIELD_KEY_PATTERN.match(key):
        return f"'{key}': names start with a letter and use only letters, digits and _."
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def extra_fields_from_rows(rows: list[dict]) -> tuple[dict, list[str]]:
    """The ``extra_fields`` object from the table rows, and a message per bad row."""
    result: dict = {}
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        key, value = row.get("key"), row.get("value")
        if _blank(key) and _blank(value):
            continue  # an empty row the editor left behind
        key = "" if _blank(key) else str(key).strip()
        message = key_error(key)
        if message is None and key in result:
            message = f"'{key}' is used twice."
        if message:
            problems.append(f"Row {number}: {message}")
            continue
        result[key] = coerce_value("" if _blank(value) else value)
    return result, problems


def links_from_rows(rows: list[dict]) -> tuple[list[dict], list[str]]:
    """The ``download_links`` list from the table rows, and a message per bad row."""
    links: list[dict] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=1):
        repository, url = row.get("Repository"), row.get("URL")
        if _blank(repository) and _blank(url):
            continue
        if _blank(url):
            problems.append(f"Row {number}: add the URL.")
            continue
        links.append(
            {"Repository": "" if _blank(repository) else str(repository).strip(), "URL": str(url).strip()}
        )
    return links, problems


def build_payload(values: SessionFormValues) -> tuple[dict, dict[str, str]]:
    """The JSON body to send, and field -> message for what must be fixed first."""
    extra, extra_problems = extra_fields_from_rows(values.extra_rows)
    links, link_problems = links_from_rows(values.link_rows)
    payload = {
        "name": values.name.strip(),
        "description": values.description,
        "projects": list(values.projects),
        "date_time": values.date_time.isoformat() if values.date_time else None,
        "tags": _clean_tags(values.tags),
        "extra_fields": extra,
        "download_links": links,
        "name_used_in_storage": values.name_used_in_storage.strip(),
    }
    errors = model_errors(payload)
    if extra_problems:
        errors["extra_fields"] = " ".join(extra_problems)
    if link_problems:
        errors["download_links"] = " ".join(link_problems)
    return payload, errors


def _clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        tag = str(tag).strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def model_errors(payload: dict) -> dict[str, str]:
    """Field -> message from the shared pydantic rules (the server applies the same)."""
    errors: dict[str, str] = {}
    if not payload.get("name"):
        errors["name"] = "Give the session a name."
    elif len(payload["name"]) > SESSION_NAME_MAX:
        errors["name"] = f"At most {SESSION_NAME_MAX} characters (now {len(payload['name'])})."
    if not payload.get("projects"):
        errors["projects"] = "Choose at least one project."
    try:
        SessionCreate.model_validate(payload)
    except ValidationError as exc:  # worded by the translator the server uses too
        for where, messages in field_errors(exc).items():
            errors.setdefault("form" if where == "non_field_errors" else where, " ".join(messages))
    return errors




def values_from_session(session: dict) -> SessionFormValues:
    """The form prefilled with a stored session (for Edit)."""
    try:
        extra = normalize_extra_fields(session.get("extra_fields"))
    except ValueError:
        extra = {}
    return SessionFormValues(
        name=session.get("name") or "",
        description=session.get("description") or "",
        projects=list(session.get("projects") or []),
        date_time=parse_date(session.get("date_time")),
        tags=list(session.get("tags") or []),
        extra_rows=[{"key": k, "value": str(v)} for k, v in extra.items()],
        link_rows=[
            {c: str(link.get(c, "")) for c in LINK_COLUMNS} for link in session.get("download_links") or []
        ],
        name_used_in_storage=session.get("name_used_in_storage") or "",
    )


def duplicate_values(session: dict) -> SessionFormValues:
    """The form prefilled from ``session`` for a new record, its name marked for change."""
    values = values_from_session(session)
    values.name = values.name[: SESSION_NAME_MAX - len(COPY_SUFFIX)] + COPY_SUFFIX
    return values


def parse_date(value: Any) -> date | None:
    """The date part of an API ``date_time`` value (None if empty or unreadable)."""
    parsed = dates.parse(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


def delete_prompt(session: dict) -> str:
    """The confirmation question, naming the record so nobody deletes the wrong one."""
    day = (session.get("date_time") or "")[:10]
    when = f" of {day}" if day else ""
    return f"Delete the session “{session.get('name', '')}”{when}?"
