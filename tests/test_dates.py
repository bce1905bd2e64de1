"""Issue 10 item 13: one date format — ISO dates, HH:MM in the browser's time zone, UTC on hover."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from stemgui import dates

PARIS = dates.zone("Europe/Paris")


@pytest.mark.parametrize("name", [None, "", "Not/AZone", "../etc/passwd"])
def test_unknown_or_missing_time_zone_falls_back_to_utc(name):
    assert dates.zone(name) is UTC


def test_known_time_zone_is_used():
    assert dates.when_text("2026-11-27T21:14:16+00:00", dates.zone("America/New_York")) == "2026-11-27 16:14"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T21:14:16+00:00", "2026-11-27 22:14"),  # an instant: shown in the browser's zone
        ("2026-11-27T23:30:00Z", "2026-11-28 00:30"),  # ... which can be the next day there
        ("2026-11-27T10:30:00", "2026-11-27 10:30"),  # no offset: shown as entered
        ("2026-11-27", "2026-11-27"),  # a calendar day is never shifted
        (None, ""),
        ("", ""),
        ("not a date", "not a date"),
    ],
)
def test_when_text(value, expected):
    assert dates.when_text(value, PARIS) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-20", "2026-11-20"),
        ("2026-11-27T23:30:00+00:00", "2026-11-28"),
        (date(2026, 11, 20), "2026-11-20"),
        (None, ""),
    ],
)
def test_date_text_is_iso(value, expected):
    assert dates.date_text(value, PARIS) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T22:14:16+01:00", "2026-11-27 21:14 UTC"),
        ("2026-11-27T10:30:00", ""),  # no zone: there is no UTC time to tell
        ("2026-11-27", ""),
        (None, ""),
    ],
)
def test_utc_text_for_the_tooltip(value, expected):
    assert dates.utc_text(value) == expected


def test_today_is_the_day_in_the_given_zone():
    now_utc = datetime.now(UTC)
    tokyo = dates.zone("Asia/Tokyo")
    assert dates.today(tokyo) == now_utc.astimezone(tokyo).date()
    assert dates.today() == now_utc.date()
