"""Today's BrainSTEM quantities: ``{"value": number, "unit": one of the schema's enum}``.

A quantity property is an object schema with ``"format": "numberUnit"`` whose ``"default"``
names the documented unit. The docs' own examples also write a bare number where a schema
has a quantity (``"apCoordinate": -2.5``); the docs win, so a bare number is read as a value
in the default unit. Nothing here imports Streamlit.
"""

from __future__ import annotations

import copy
from typing import Any

from stemgui.schemas import stored_payload


def is_quantity(prop: Any) -> bool:
    """Whether a property schema is a ``{value, unit}`` quantity."""
    return isinstance(prop, dict) and prop.get("format") == "numberUnit"


def units(prop: dict) -> list[str]:
    """The units a quantity property allows, in the schema's order."""
    return list(((prop.get("properties") or {}).get("unit") or {}).get("enum") or [])


def default_unit(prop: dict) -> str | None:
    """The documented unit of a quantity property (its default), else its first allowed unit."""
    default = prop.get("default")
    if isinstance(default, dict) and default.get("unit"):
        return default["unit"]
    allowed = units(prop)
    return allowed[0] if allowed else None


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def normalize(schema: dict, payload: Any) -> Any:
    """``payload`` with each quantity in object form: a bare number becomes ``{value, unit}`` in the
    default unit, an object without ``unit`` gets the default unit. Anything else is left for the
    validator to report."""
    if not isinstance(payload, dict):
        return payload
    out = dict(payload)
    for name, prop in (schema.get("properties") or {}).items():
        if name not in out or not is_quantity(prop):
            continue
        value = out[name]
        if _is_number(value):
            out[name] = {"value": value, "unit": default_unit(prop)}
        elif isinstance(value, dict) and "unit" not in value and default_unit(prop):
            out[name] = {**value, "unit": default_unit(prop)}
    return out


def strict(schema: dict) -> dict:
    """A copy of ``schema`` in which every quantity needs a number ``value`` and an allowed ``unit``
    and nothing else, and whose quantity defaults (unit hints, not values) are dropped."""
    out = copy.deepcopy(schema)
    for prop in (out.get("properties") or {}).values():
        if is_quantity(prop):
            prop.pop("default", None)
            prop["required"] = ["value", "unit"]
            prop["additionalProperties"] = False
    return out


def check(schema: dict, payload: Any) -> tuple[Any, dict[str, str]]:
    """(payload to store, {field path: message}) for one ``details``/``coordinates_details`` object:
    quantities normalized, the other documented defaults filled in, then validated."""
    rules = strict(schema)
    normalized, errors = stored_payload(rules, normalize(schema, payload))
    for name, prop in (schema.get("properties") or {}).items():
        if name in errors and is_quantity(prop) and not isinstance(normalized.get(name), dict):
            title = prop.get("title") or name
            errors[name] = (
                f'{title} must be a number or {{"value": number, "unit": one of {", ".join(units(prop))}}}.'
            )
    return normalized, errors


# -- units written in a spreadsheet cell ("0.3 µL") and conversion between them -----------------

# unit -> (dimension, factor to the dimension's base unit). Only units the shipped schemas use,
# plus a few a person types (cm, L/h). Temperatures are not linear scalings: °C/K/°F convert by
# formula in ``convert``.
_UNIT_TABLE: dict[str, tuple[str, float]] = {
    **{u: ("length", f) for u, f in {"nm": 1e-9, "µm": 1e-6, "mm": 1e-3, "cm": 1e-2, "m": 1.0}.items()},
    **{u: ("volume", f) for u, f in {"pL": 1e-12, "nL": 1e-9, "µL": 1e-6, "mL": 1e-3, "L": 1.0}.items()},
    **{
        u: ("time", f)
        for u, f in {"µs": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "days": 86400.0}.items()
    },
    **{
        u: ("rate", f)
        for u, f in {
            "nL/min": 1e-9 / 60,
            "µL/min": 1e-6 / 60,
            "mL/min": 1e-3 / 60,
            "L/min": 1 / 60,
            "nL/s": 1e-9,
            "µL/s": 1e-6,
            "mL/s": 1e-3,
            "L/s": 1.0,
        }.items()
    },
    **{u: ("mass", f) for u, f in {"µg": 1e-9, "mg": 1e-6, "g": 1e-3, "kg": 1.0}.items()},
    **{u: ("dose", f) for u, f in {"µg/kg": 1e-9, "mg/kg": 1e-6, "g/kg": 1e-3}.items()},
    **{
        u: ("concentration", f)
        for u, f in {"µg/L": 1e-6, "mg/L": 1e-3, "g/L": 1.0, "µg/mL": 1e-3, "mg/mL": 1.0}.items()
    },
    **{u: ("frequency", f) for u, f in {"Hz": 1.0, "kHz": 1e3, "MHz": 1e6, "GHz": 1e9}.items()},
    **{u: ("resistance", f) for u, f in {"Ω": 1.0, "kΩ": 1e3, "MΩ": 1e6}.items()},
    "°": ("angle", 1.0),
    **{u: ("temperature", 1.0) for u in ("°C", "K", "°F")},
}
# How people type units: "ul"/"uL" and the Greek mu for the micro sign the schemas use, "deg".
_ALIASES = {"u": "µ", "μ": "µ", "deg": "°", "degrees": "°", "ohm": "Ω", "kohm": "kΩ", "mohm": "MΩ",
            "sec": "s", "hr": "h", "hours": "h", "day": "days", "l": "L", "ml": "mL", "ul": "µL",
            "nl": "nL", "pl": "pL"}  # fmt: skip


def canonical_unit(text: str) -> str:
    """The schemas' spelling of a unit a person typed ("uL", "μL", "ul" -> "µL"); else as given."""
    unit = text.strip()
    if unit in _UNIT_TABLE:
        return unit
    lowered = unit.lower()
    if lowered in _ALIASES:
        return _ALIASES[lowered]
    if unit[:1] in ("u", "μ"):  # micro written with a u or the Greek letter
        micro = "µ" + unit[1:]
        if micro in _UNIT_TABLE:
            return micro
    for known in _UNIT_TABLE:  # a case slip ("ML/MIN") when it is unambiguous
        if known.lower() == lowered and sum(k.lower() == lowered for k in _UNIT_TABLE) == 1:
            return known
    return unit


def unit_dimension(unit: str) -> str | None:
    """What a unit measures ("volume"), None for a unit this app cannot convert."""
    found = _UNIT_TABLE.get(unit)
    return found[0] if found else None


def convert(value: float, from_unit: str, to_unit: str) -> float:
    """``value`` in ``from_unit`` expressed in ``to_unit``; ValueError when they measure different things."""
    if from_unit == to_unit:
        return value
    source, target = _UNIT_TABLE.get(from_unit), _UNIT_TABLE.get(to_unit)
    if source is None or target is None or source[0] != target[0]:
        raise ValueError(f"{from_unit} cannot be converted to {to_unit}")
    if source[0] == "temperature":
        kelvin = {"°C": value + 273.15, "K": value, "°F": (value - 32) * 5 / 9 + 273.15}[from_unit]
        return {"°C": kelvin - 273.15, "K": kelvin, "°F": (kelvin - 273.15) * 9 / 5 + 32}[to_unit]
    return value * source[1] / target[1]
