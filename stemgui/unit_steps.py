"""The +/- step of a number input per unit: one click moves by an amount a person would adjust by.

Stereotaxic targets are set to tens of micrometres (0.05 mm, 10 µm), injections to tens of
nanolitres (10 nL, 0.05 µL), angles to a degree. A unit not listed gets `DEFAULT_STEP`.
Nothing here imports Streamlit.
"""

from __future__ import annotations

DEFAULT_STEP = 0.01

UNIT_STEPS: dict[str, float] = {
    # lengths
    "nm": 100, "µm": 10, "um": 10, "mm": 0.05, "cm": 0.1, "m": 0.001,
    # volumes
    "nL": 10, "µL": 0.05, "uL": 0.05, "mL": 0.1, "L": 0.001,
    # rates
    "pL": 10, "nL/min": 10, "µL/min": 0.05, "mL/min": 0.1, "L/min": 0.1, "nL/s": 1, "µL/s": 0.01,
    "mL/s": 0.1, "L/s": 0.01,
    # titers: a virus lot is 10^12–10^13 particles per mL
    "vg/mL": 1e11, "TU/mL": 1e6, "pfu/mL": 1e6,
    # angles, time, temperature
    "°": 1, "deg": 1, "rad": 0.01, "µs": 10, "ms": 1, "s": 1, "min": 1, "h": 0.5, "d": 1, "days": 1,
    "°C": 0.5, "°F": 1, "K": 0.5,
    # mass, dose, concentration
    "mg": 0.1, "g": 0.01, "kg": 0.001, "µg": 1, "mg/kg": 0.1, "µg/kg": 1, "g/kg": 0.01,
    "%": 0.1, "% w/v": 0.1, "% v/v": 0.1, "% w/w": 0.1, "ppm": 1, "ppb": 1, "mM": 0.1, "µM": 1,
    "mg/mL": 0.1, "µg/mL": 1, "g/L": 0.1, "mg/L": 1, "µg/L": 1,
    # electrical, frequency, speed
    "kΩ": 10, "MΩ": 0.1, "Ω": 1, "Hz": 1, "kHz": 0.1, "MHz": 0.1, "GHz": 0.1,
    "rpm": 100, "RPM": 100, "mm/s": 0.01,
}  # fmt: skip
"""Unit (as the schemas write it) -> step of its number input."""


def unit_step(unit: str | None) -> float:
    """The step of a number input in `unit` (`DEFAULT_STEP` for an unknown or missing unit)."""
    return float(UNIT_STEPS.get(unit or "", DEFAULT_STEP))
