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


# ------------------------------------------------------------------ issue 11: one date parser


def test_no_module_but_dates_parses_dates_itself():
    """Issue 11: models, action_payload, session_form, outbox_match, models_subjectlog,
    schema_form and the server's query each parsed ISO dates on their own before."""
    import ast

    from tests.test_import_cycles import PACKAGE_ROOT

    parsers = []
    for path in sorted(PACKAGE_ROOT.rglob("*.py")):
        if path.name == "dates.py" and path.parent == PACKAGE_ROOT:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in ("fromisoformat", "strptime"):
                parsers.append(f"{path.relative_to(PACKAGE_ROOT)}:{node.lineno}")
    assert parsers == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-05-01", date(2024, 5, 1)),
        (" 2024-05-01 ", date(2024, 5, 1)),
        ("2024-05-01T10:30", datetime(2024, 5, 1, 10, 30)),
        ("2024-05-01T10:30:00Z", datetime(2024, 5, 1, 10, 30, tzinfo=UTC)),
    ],
)
def test_the_one_parser_reads_dates_and_date_times(text, expected):
    """Issue 11: one parser, three views: strict, lenient (None), and as a date-time."""
    assert dates.parse_strict(text) == expected == dates.parse(text)
    as_moment = dates.moment(text)
    assert as_moment == (expected if isinstance(expected, datetime) else datetime(2024, 5, 1))


@pytest.mark.parametrize("bad", ["", "yesterday", "2024-13-01", 20240501, None])
def test_the_one_parser_refuses_what_is_no_date(bad):
    """Issue 11: strict views raise ValueError, the lenient one gives None."""
    assert dates.parse(bad) is None
    with pytest.raises(ValueError):
        dates.parse_strict(bad)
    with pytest.raises(ValueError):
        dates.moment(bad)
