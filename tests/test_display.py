"""Issue 10 items 10, 16, 17: counts in words, the backend's name in messages, empty cells."""

from __future__ import annotations

import pytest

from stemgui import display


@pytest.mark.parametrize(
    ("number", "noun", "expected"),
    [(0, "action", "0 actions"), (1, "action", "1 action"), (2, "session", "2 sessions"),
     (1234, "session", "1,234 sessions"), (1, "change", "1 change")],
)  # fmt: skip
def test_count_text(number, noun, expected):
    assert display.count_text(number, noun) == expected


def test_count_text_irregular_plural():
    assert display.count_text(3, "entry", "entries") == "3 entries"


@pytest.mark.parametrize(
    ("url", "expected"),
    [(None, "the bundled server"), ("", "the bundled server"),
     ("https://www.brainstem.org/", "www.brainstem.org"), ("http://10.0.0.5:8000/api/", "10.0.0.5"),
     ("brainstem.lab.example", "brainstem.lab.example")],
)  # fmt: skip
def test_backend_name(url, expected):
    assert display.backend_name(url) == expected


@pytest.mark.parametrize(("value", "expected"), [(None, "—"), ("", "—"), ("CA1", "CA1"), (0, 0)])
def test_empty_cells_show_a_dash(value, expected):
    assert display.cell(value) == expected


def test_capital():
    assert display.capital("the bundled server is down") == "The bundled server is down"


def test_text_lines_of_a_small_table():
    """Issue 17: a session's extra fields and download links are one plain-text element."""
    rows = [["rig", "R1"], ["trials", 12], ["note", "two\nlines"]]
    assert display.text_lines(rows).splitlines() == ["rig: R1", "trials: 12", "note: two lines"]
    assert display.text_lines([["DANDI", "https://x/1", "raw"], ["", "https://x/2"]]).splitlines() == [
        "DANDI: https://x/1 · raw",
        "https://x/2",
    ]
    assert display.text_lines([]) == display.text_lines([["", None]]) == display.EMPTY
    assert display.text_lines([["only"]]) == "only"
