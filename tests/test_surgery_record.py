"""Issue 14 item 5: the surgery record — a summary to copy and a printable HTML page."""

from datetime import date, datetime
from html.parser import HTMLParser

import pytest

from stemgui import surgery as sg
from stemgui.errors import StemGuiError
from stemgui.surgery_plans import DEFAULT_TEMPLATES
from stemgui.surgery_record import coordinates_text, surgery_record_html, surgery_summary

DAY = date(2026, 11, 28)
LABELS = {"subj-1": "M-0423", "ca1": {"acronym": "CA1", "name": "Field CA1"}, "lic-1": "AVD-2026-17 <b>x</b>"}


def _surgery() -> sg.Surgery:
    """A surgery in progress: anesthesia confirmed, left craniotomy skipped, the right one queued."""
    surgery = sg.surgery_from_records("subj-1", DAY, [], plan=DEFAULT_TEMPLATES["bilateral CA1 AAV + fiber"])
    surgery.surgeons, surgery.licenses = ["alice", "bob"], ["lic-1"]
    surgery.weighing = sg.preop_weighing(24.5, "g", DAY, datetime(2026, 11, 28, 8, 55, 3))
    sg.confirm_step(surgery, sg.next_planned(surgery), datetime(2026, 11, 28, 9, 0, 41))
    sg.skip_step(surgery, sg.next_planned(surgery))
    sg.confirm_step(surgery, sg.next_planned(surgery), datetime(2026, 11, 28, 9, 12, 5), queue_id=3)
    virus = sg.next_planned(surgery)
    sg.confirm_step(
        surgery, virus, datetime(2026, 11, 28, 9, 20, 59), {**virus.payload, "brain_region": "ca1"}
    )
    return surgery


def test_summary_lists_every_step_with_seconds_and_states():
    """Issue 14 item 5: the text to copy has the head, times to the second, queued/skipped marked."""
    text = surgery_summary(_surgery(), LABELS)
    lines = text.splitlines()
    assert lines[:5] == [
        "Subject: M-0423",
        "Date: 2026-11-28",
        "Surgeon(s): alice, bob",
        "License(s): AVD-2026-17 <b>x</b>",
        "Pre-op weight: 24.5 g (08:55)",
    ]
    assert "1. 09:00:41 — Anesthesia" in text
    assert "2. 09:12:05 — Craniotomy [waiting to send]" in text
    assert "3. 09:20:59 — Virus Injection — CA1 (Field CA1)" in text
    assert "   - Coordinates: AP -2 mm, ML -1.5 mm, DV -1.3 mm" in text
    assert "   - Details: Injection volume 300 nL; Injection rate 50 nL/min" in text
    assert "4. --:--:-- — Craniotomy [skipped]" in text
    assert text.count("[planned]") == 4


class _Cells(HTMLParser):
    def __init__(self):
        super().__init__()
        self.cells, self.tags, self._in = [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self._in = tag == "td"

    def handle_data(self, data):
        if self._in:
            self.cells.append(data)


def test_printable_html_escaped_with_print_css_and_map():
    """Issue 14 item 5: a whole page with @media print, the steps as table rows, user text escaped,
    the implant map SVG placed in its figure."""
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle cx="5" cy="5" r="1"/></svg>'
    page = surgery_record_html(_surgery(), LABELS, implant_map_svg=svg)
    assert page.startswith("<!DOCTYPE html>") and "@media print" in page
    assert "AVD-2026-17 &lt;b&gt;x&lt;/b&gt;" in page and "<b>x</b>" not in page
    assert f'<figure class="implant-map">{svg}' in page
    parsed = _Cells()
    parsed.feed(page)
    assert parsed.tags.count("tr") == 1 + 8  # the head row and the eight steps
    assert "09:20:59" in parsed.cells and "waiting to send" in parsed.cells and "skipped" in parsed.cells
    assert 'class="queued"' in page and 'class="skipped"' in page


@pytest.mark.parametrize(
    "svg", [None, "", "<img src=x onerror=alert(1)>", "<svg><script>alert(1)</script></svg>"]
)
def test_no_map_or_unsafe_map_left_out(svg):
    """Issue 14 item 5: without an SVG (or with anything that is not a plain SVG) the hook stays empty."""
    page = surgery_record_html(_surgery(), LABELS, implant_map_svg=svg)
    assert "<!-- implant map: none given -->" in page and "alert" not in page


def test_empty_surgery_and_quantities():
    """Issue 14 item 5: no steps says so; today's quantities read like bare numbers."""
    empty = sg.Surgery("subj-1", DAY)
    assert "No steps logged." in surgery_summary(empty, LABELS)
    assert "Pre-op weight: not recorded" in surgery_summary(empty, LABELS)
    assert "No steps logged." in surgery_record_html(empty, LABELS)
    quantities = {
        "apCoordinate": {"value": -2.0, "unit": "mm"},
        "mlCoordinate": {"value": 1500, "unit": "µm"},
        "mlAngle": {"value": 0, "unit": "°"},
        "apAngle": {"value": 10, "unit": "°"},
    }
    assert coordinates_text(quantities) == "AP -2 mm, ML +1500 µm, AP angle 10 °"


@pytest.mark.parametrize("weight", [0, -3, "24", True])
def test_preop_weight_must_be_positive(weight):
    """Issue 14 item 1: the pre-op weight is a number above 0 (message names the field)."""
    with pytest.raises(StemGuiError, match="Pre-op weight"):
        sg.preop_weighing(weight, "g", DAY, datetime(2026, 11, 28, 9))


def test_a_huge_stored_integer_is_shown_not_formatted():
    """Issue 14: the summary of a step holding a 4,000-digit integer crashed (OverflowError)."""
    from stemgui.surgery_record import value_text

    huge = int("1" + "0" * 3999)
    assert value_text(huge, "mm") == f"{huge} mm"
