"""A subject's weight curve: weighings from its subject logs, the pre-surgery baseline, the welfare
threshold and the warning when the last weight is below it; an Altair chart of it all.

The baseline is the last weight taken before the subject's first surgery (its earliest procedure
or action). A surgery that carries a time compares by time (a weight taken at 08:30 on the
morning of a 09:05 surgery is the baseline); one with only a date counts weights of that day as
before it (the pre-op weighing). The threshold is a percentage of the baseline
(``STEMGUI_WEIGHT_THRESHOLD``, default 80). No Streamlit here.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import altair as alt

from stemgui import dates
from stemgui.config import SECRETS_FILE, _secrets

DEFAULT_THRESHOLD_PERCENT = 80.0
_TO_GRAMS = {"kg": 1000.0, "g": 1.0, "mg": 1e-3, "µg": 1e-6, "μg": 1e-6, "ug": 1e-6}


@dataclass(frozen=True)
class Weighing:
    """One weight of one subject, in grams."""

    when: datetime  # UTC
    grams: float
    notes: str = ""
    log_id: str = ""


@dataclass
class WeightSummary:
    """What the subject's page shows about its weight."""

    series: list[Weighing]
    threshold_percent: float
    surgery: datetime | None = None  # the first surgery, UTC
    baseline: Weighing | None = None
    skipped: list[str] = field(default_factory=list)  # entries whose weight could not be read, and why

    @property
    def threshold_grams(self) -> float | None:
        return None if self.baseline is None else self.baseline.grams * self.threshold_percent / 100

    @property
    def last(self) -> Weighing | None:
        return self.series[-1] if self.series else None

    @property
    def below_threshold(self) -> bool:
        limit = self.threshold_grams
        return limit is not None and self.last is not None and self.last.grams < limit

    @property
    def warning(self) -> str | None:
        """The page's warning when the last weight is below the threshold, else None."""
        if not self.below_threshold:
            return None
        last, baseline = self.last, self.baseline
        share = 100 * last.grams / baseline.grams
        return (
            f"Last weight {last.grams:.1f} g ({last.when:%Y-%m-%d}) is {share:.0f} % of the baseline "
            f"{baseline.grams:.1f} g: below the welfare threshold of {self.threshold_percent:g} % "
            f"({self.threshold_grams:.1f} g)."
        )


def threshold_setting(
    environ: Mapping[str, str] | None = None, secrets_path: Path = SECRETS_FILE
) -> tuple[float, str | None]:
    """(STEMGUI_WEIGHT_THRESHOLD as a percent of baseline, a message when unusable and 80 is used)."""
    env = os.environ if environ is None else environ
    raw = str(
        env.get("STEMGUI_WEIGHT_THRESHOLD") or _secrets(secrets_path).get("STEMGUI_WEIGHT_THRESHOLD") or ""
    ).strip()
    if not raw:
        return DEFAULT_THRESHOLD_PERCENT, None
    try:
        value = float(raw.rstrip("%").strip())
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or not 0 < value <= 100:
        return DEFAULT_THRESHOLD_PERCENT, (
            f"STEMGUI_WEIGHT_THRESHOLD is {raw!r}; it must be a percentage of the baseline weight "
            f"above 0 and at most 100. Using {DEFAULT_THRESHOLD_PERCENT:g}."
        )
    return value, None


def parse_time(value: Any) -> datetime | None:
    """A record's date or date-time as an aware UTC datetime (no zone means UTC); None if unreadable."""
    try:
        moment = dates.moment(value.strip() if isinstance(value, str) else value)
    except ValueError:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _has_time(value: Any) -> bool:
    return isinstance(value, datetime) or (isinstance(value, str) and "T" in value)


def grams(weight: Any) -> float | None:
    """A weight in grams: ``{value, unit}`` converted, a bare number read as grams; None if unreadable."""
    unit = "g"
    if isinstance(weight, dict):
        weight, unit = weight.get("value"), str(weight.get("unit") or "g")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or unit not in _TO_GRAMS:
        return None
    value = float(weight) * _TO_GRAMS[unit]
    return value if math.isfinite(value) and value > 0 else None


def weighings(logs: Iterable[Mapping[str, Any]]) -> tuple[list[Weighing], list[str]]:
    """Every weight in the Weighing logs among ``logs``, oldest first, and why any entry was skipped."""
    series: list[Weighing] = []
    skipped: list[str] = []
    for log in logs:
        if log.get("type") != "Weighing":
            continue
        for entry in log.get("entries") or []:
            when = parse_time(entry.get("date_time"))
            weight = grams((entry.get("details") or {}).get("weight"))
            if when is None or weight is None:
                skipped.append(
                    f"{entry.get('date_time') or 'an entry without a time'}: no readable weight or time"
                )
                continue
            series.append(Weighing(when, weight, str(entry.get("notes") or ""), str(log.get("id") or "")))
    series.sort(key=lambda w: w.when)
    return series, skipped


def first_surgery(records: Iterable[Mapping[str, Any]]) -> tuple[datetime | None, bool]:
    """(the earliest ``date_time`` among procedures/actions, whether it carries a time of day)."""
    dated = [(parse_time(r.get("date_time")), _has_time(r.get("date_time"))) for r in records]
    dated = [(moment, timed) for moment, timed in dated if moment is not None]
    if not dated:
        return None, False
    return min(dated, key=lambda item: item[0])


def baseline_weight(series: list[Weighing], surgery: datetime | None, surgery_timed: bool) -> Weighing | None:
    """The last weight before ``surgery`` (on its day too when the surgery has no time); None without."""
    if surgery is None:
        return None
    if surgery_timed:
        before = [w for w in series if w.when <= surgery]
    else:
        before = [w for w in series if w.when.date() <= surgery.date()]
    return before[-1] if before else None


def weight_summary(
    logs: Iterable[Mapping[str, Any]],
    surgeries: Iterable[Mapping[str, Any]],
    threshold_percent: float = DEFAULT_THRESHOLD_PERCENT,
) -> WeightSummary:
    """The weight curve of one subject from its subject logs and its procedures/actions."""
    series, skipped = weighings(logs)
    surgery, timed = first_surgery(surgeries)
    return WeightSummary(series, threshold_percent, surgery, baseline_weight(series, surgery, timed), skipped)


def weight_chart(summary: WeightSummary, title: str = "Weight") -> alt.LayerChart:
    """Weights over time (points and line), the baseline and the threshold as horizontal rules,
    the first surgery as a vertical rule. The weights are the dataset named ``weights``."""
    rows = [
        {"date_time": w.when.isoformat(), "grams": round(w.grams, 3), "notes": w.notes,
         "below": summary.threshold_grams is not None and w.grams < summary.threshold_grams}
        for w in summary.series
    ]  # fmt: skip
    base = alt.Chart(alt.InlineData(values=rows, name="weights"))
    x = alt.X("date_time:T", title="Date")
    y = alt.Y("grams:Q", title="Weight (g)", scale=alt.Scale(zero=False))
    tooltip = [alt.Tooltip("date_time:T", title="When"), alt.Tooltip("grams:Q", title="g"), "notes:N"]
    layers: list[alt.Chart] = [
        base.mark_line(color="#4c78a8").encode(x=x, y=y),
        base.mark_point(filled=True, size=60).encode(
            x=x,
            y=y,
            tooltip=tooltip,
            color=alt.condition("datum.below", alt.value("#d62728"), alt.value("#4c78a8")),
        ),  # fmt: skip
    ]
    rules = []
    if summary.baseline is not None:
        rules.append({"grams": summary.baseline.grams, "label": f"baseline {summary.baseline.grams:.1f} g"})
        rules.append(
            {"grams": summary.threshold_grams,
             "label": f"{summary.threshold_percent:g} % threshold {summary.threshold_grams:.1f} g"}
        )  # fmt: skip
    if rules:
        lines = alt.Chart(alt.InlineData(values=rules, name="weight_rules"))
        layers.append(
            lines.mark_rule(strokeDash=[5, 4]).encode(
                y="grams:Q",
                # explicit domain: baseline grey, threshold red (not the labels' alphabetical order)
                color=alt.Color(
                    "label:N",
                    title="",
                    scale=alt.Scale(domain=[r["label"] for r in rules], range=["#555", "#d62728"]),
                ),
            )
        )
    if summary.surgery is not None:
        surgery = alt.Chart(
            alt.InlineData(
                values=[{"date_time": summary.surgery.isoformat(), "label": "first surgery"}], name="surgery"
            )
        )
        layers.append(surgery.mark_rule(color="#999").encode(x="date_time:T", tooltip=["label:N"]))
    return alt.layer(*layers).properties(width=420, height=220, title=title)
