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
