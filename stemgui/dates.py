"""The one parser of the API's dates and times (``parse_strict``, ``parse``, ``moment``: used by
the models, the forms, the outbox's matching and the server's filters), and dates and times as
the GUI shows them: ISO dates (``YYYY-MM-DD``), times as ``HH:MM`` in the
browser's time zone, the UTC time alongside for a tooltip. No Streamlit here.

The API's ``date_time`` is either a bare date (a calendar day: shown as is, never shifted by a
time zone) or an ISO date-time. A date-time with an offset is an instant and is shown in the
viewer's zone; one without an offset carries no zone, so it is shown as it was entered.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> tzinfo:
    """The time zone called ``name`` (an IANA name such as "Europe/Paris"); UTC if unknown."""
    if not name:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_strict(value: object) -> date | datetime:
    """A bare ``YYYY-MM-DD`` date, or an ISO 8601 date-time (aware when it has an offset or a
    ``Z``); ValueError for anything else (also for empty text)."""
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def parse(value: object) -> date | datetime | None:
    """A bare date, a date-time (aware when it has an offset), or None (unset or not a date)."""
    try:
        return parse_strict(value) if value not in (None, "") else None
    except ValueError:
        return None


def moment(value: object) -> datetime:
    """``parse_strict`` as a date-time: a bare date is its midnight (naive); ValueError otherwise."""
    parsed = parse_strict(value)
    return parsed if isinstance(parsed, datetime) else datetime.combine(parsed, datetime.min.time())


def _local(moment: datetime, tz: tzinfo) -> datetime:
    return moment.astimezone(tz) if moment.tzinfo else moment


def date_text(value: object, tz: tzinfo = UTC) -> str:
    """``YYYY-MM-DD`` (the day in ``tz`` for an instant); "" when unset; unreadable text as is."""
    parsed = parse(value)
    if parsed is None:
        return str(value or "")
    if isinstance(parsed, datetime):
        return _local(parsed, tz).date().isoformat()
    return parsed.isoformat()


def when_text(value: object, tz: tzinfo = UTC) -> str:
    """``YYYY-MM-DD HH:MM`` in ``tz`` (a bare date stays ``YYYY-MM-DD``); "" when unset."""
    parsed = parse(value)
    if parsed is None:
        return str(value or "")
    if isinstance(parsed, datetime):
        return _local(parsed, tz).strftime("%Y-%m-%d %H:%M")
    return parsed.isoformat()


def utc_text(value: object) -> str:
    """``YYYY-MM-DD HH:MM UTC`` for an instant (the tooltip beside a local time); "" otherwise."""
    parsed = parse(value)
    if isinstance(parsed, datetime) and parsed.tzinfo:
        return parsed.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return ""


def today(tz: tzinfo = UTC) -> date:
    """Today's date in ``tz`` (the browser's day, not the server's)."""
    return datetime.now(tz).date()
