"""The Outbox page's words and its JSON box, without Streamlit: what an entry is about, its
server messages, and the edited fields read back (an error names what is wrong)."""

from __future__ import annotations

import json

from stemgui.errors import ValidationFailed
from stemgui.outbox import Entry


def label(entry: Entry) -> str:
    """What the entry is about, in words: 'New session “x”', 'Delete action “<id>”'."""
    payload = entry.payload
    what = payload.get("name") or payload.get("type") or entry.record_id or "record"
    verbs = {"create": "New", "update": "Change to", "delete": "Delete"}
    return f"{verbs.get(entry.operation, entry.operation)} {entry.model} “{what}”"


def fields_text(entry: Entry) -> str:
    """The entry's fields as the JSON box shows them."""
    return json.dumps(entry.payload, indent=2, ensure_ascii=False)


def parse_fields(text: str) -> dict:
    """The JSON box's text as the entry's new fields; ValidationFailed says what is wrong."""
    try:
        payload = json.loads(text)
    except ValueError as exc:
        raise ValidationFailed(f"That is not valid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise ValidationFailed("The fields must be a JSON object: { \"name\": ... }.")
    return payload


def field_messages(entry: Entry) -> list[str]:
    """The server's messages about the entry's fields, one line per field."""
    lines = []
    for name, messages in entry.field_errors.items():
        text = " ".join(messages) if isinstance(messages, list) else str(messages)
        lines.append(f"{name}: {text}")
    return lines


def rejection(entry: Entry) -> ValidationFailed:
    """The server's refusal of the entry, as the error the forms place at their fields."""
    return ValidationFailed(entry.last_error or "", entry.field_errors)
