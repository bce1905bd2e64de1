"""Issue 13 (weight curve): weighings -> series, pre-surgery baseline, welfare threshold, warning, chart."""

from __future__ import annotations

import pytest

from stemgui.chart_export import chart_png, chart_svg
from stemgui.server.demo_current import SUBJECT_LOGS, SURGERIES
from stemgui.weights import (
    first_surgery,
    grams,
    threshold_setting,
    weighings,
    weight_chart,
    weight_summary,
)


def _log(*entries, log_type="Weighing"):
    return {
        "id": "log1",
        "type": log_type,
        "entries": [
            {"date_time": when, "notes": "", "details": {"weight": weight}} for when, weight in entries
        ],
    }


def _g(value, unit="g"):
    return {"value": value, "unit": unit}


SURGERY = [{"type": "Craniotomy", "date_time": "2025-03-01T09:05:00Z"}]


def test_three_weights_baseline_threshold_and_warning():
    """Issue 13: baseline 25.0 g before surgery; 80 % is 20.0 g; a last weight of 19.5 g warns."""
    logs = [
        _log(
            ("2025-02-28T08:30:00Z", _g(25.0)),
            ("2025-03-02T08:30:00Z", _g(22.0)),
            ("2025-03-03T08:30:00Z", _g(19.5)),
        )
    ]
    summary = weight_summary(logs, SURGERY)
    assert summary.baseline.grams == 25.0
    assert summary.threshold_grams == pytest.approx(20.0)
    assert summary.below_threshold
    assert "19.5 g" in summary.warning and "78 %" in summary.warning and "20.0 g" in summary.warning


def test_no_warning_at_or_above_threshold_and_threshold_is_settable():
    """Issue 13: 20.5 g of 25 g (82 %) is fine at 80 %, below at 85 %."""
    logs = [_log(("2025-02-28T08:30:00Z", _g(25.0)), ("2025-03-03T08:30:00Z", _g(20.5)))]
    assert weight_summary(logs, SURGERY).warning is None
    strict = weight_summary(logs, SURGERY, threshold_percent=85)
    assert strict.threshold_grams == pytest.approx(21.25) and strict.below_threshold


def test_baseline_is_the_last_weight_before_the_first_surgery():
    """Issue 13: the weight of the surgery's morning (08:30 before 09:05) is the baseline."""
    logs = [
        _log(
            ("2025-02-27T08:30:00Z", _g(24.0)),
            ("2025-03-01T08:30:00Z", _g(0.0252, "kg")),
            ("2025-03-01T12:00:00Z", _g(23.9)),
        )
    ]
    earlier_and_later = [{"date_time": "2025-03-10T10:00:00Z"}, *SURGERY]
    assert weight_summary(logs, earlier_and_later).baseline.grams == pytest.approx(25.2)


def test_date_only_surgery_counts_that_days_weight_as_pre_op():
    """Issue 13: a seed action with only a date: that day's weight is the baseline."""
    logs = [_log(("2025-02-28T08:30:00Z", _g(24.0)), ("2025-03-01T08:30:00Z", _g(25.0)))]
    assert weight_summary(logs, [{"date_time": "2025-03-01"}]).baseline.grams == 25.0
    assert first_surgery([{"date_time": "2025-03-01"}])[1] is False


def test_no_surgery_means_no_baseline_and_no_warning():
    """Issue 13: without a surgery there is no baseline (and so no threshold)."""
    summary = weight_summary([_log(("2025-02-28T08:30:00Z", _g(25.0)), ("2025-03-01", _g(10.0)))], [])
    assert summary.baseline is None and summary.threshold_grams is None and summary.warning is None


def test_units_other_logs_and_unreadable_entries():
    """Issue 13: kg/mg convert, a bare number is grams, other logs are ignored, bad entries reported."""
    assert (
        grams(_g(0.025, "kg")) == 25.0 and grams(_g(25000, "mg")) == pytest.approx(25.0) and grams(24) == 24.0
    )
    assert grams("heavy") is None and grams(_g(1, "lb")) is None
    series, skipped = weighings(
        [
            _log(("2025-03-01T08:00:00Z", _g(25))),
            _log(("2025-03-01T09:00:00Z", "x")),
            _log(("2025-03-02T08:00:00Z", _g(3)), log_type="FoodConsumption"),
        ]
    )
    assert [w.grams for w in series] == [25.0] and len(skipped) == 1


def test_demo_pv03_week_of_weights():
    """Issue 13: the demo's PV03 has a pre-op baseline of 25.0 g and recovers (no warning)."""
    logs = [
        {"type": kind, "entries": entries} for subject, kind, _, entries in SUBJECT_LOGS if subject == "PV03"
    ]
    surgeries = [{"date_time": when} for subject, when, *_ in SURGERIES if subject == "PV03"]
    summary = weight_summary(logs, surgeries)
    assert len(summary.series) >= 7 and summary.baseline.grams == 25.0 and summary.warning is None


def test_chart_data_rules_and_export():
    """Issue 13: the chart carries the weights, a baseline and a threshold rule; PNG and SVG export."""
    logs = [
        _log(
            ("2025-02-28T08:30:00Z", _g(25.0)),
            ("2025-03-02T08:30:00Z", _g(22.0)),
            ("2025-03-03T08:30:00Z", _g(19.5)),
        )
    ]
    chart = weight_chart(weight_summary(logs, SURGERY))
    spec = chart.to_dict()
    data = {layer["data"]["name"]: layer["data"]["values"] for layer in spec["layer"]}
    assert [row["grams"] for row in data["weights"]] == [25.0, 22.0, 19.5]
    assert [row["below"] for row in data["weights"]] == [False, False, True]
    assert [row["grams"] for row in data["weight_rules"]] == [25.0, pytest.approx(20.0)]
    assert chart_svg(chart).startswith(b"<svg") and chart_png(chart)[:4] == b"\x89PNG"


@pytest.mark.parametrize(
    ("raw", "expected", "warns"),
    [
        ("", 80, False),
        ("75", 75, False),
        ("85%", 85, False),
        ("0", 80, True),
        ("abc", 80, True),
        ("150", 80, True),
    ],
)
def test_threshold_setting(raw, expected, warns):
    """Issue 13: STEMGUI_WEIGHT_THRESHOLD sets the percent; a bad value says so and uses 80."""
    value, message = threshold_setting({"STEMGUI_WEIGHT_THRESHOLD": raw})
    assert value == expected and (message is not None) == warns


def test_threshold_from_secrets_toml(tmp_path):
    """Issue 13: STEMGUI_WEIGHT_THRESHOLD may also be set in .streamlit/secrets.toml."""
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('STEMGUI_WEIGHT_THRESHOLD = "85"\n', "utf-8")
    assert threshold_setting({}, secrets) == (85.0, None)
    assert threshold_setting({"STEMGUI_WEIGHT_THRESHOLD": "70"}, secrets) == (70.0, None)
