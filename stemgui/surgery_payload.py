"""A surgery step's body for the backend in use (issue 14): one plan, both generations.

Templates and plans are written once (today's procedures: ``{value, unit}`` quantities, ``notes``,
a region named by its acronym); the seed's actions want bare numbers in the unit their schema's
title names, ``description`` and no licences. No Streamlit here.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from stemgui.schema_form import split_units
from stemgui.schemas import GENERATIONS, load_schema, schema_names

# Units in one table per dimension (factor to the first unit), to turn today's quantities into the
# seed's bare numbers in the unit its schema title names ("Injection volume (nL)").
_UNIT_FACTORS = (
    {"mm": 1.0, "nm": 1e-6, "µm": 1e-3, "m": 1e3},
    {"nL": 1.0, "µL": 1e3, "mL": 1e6, "L": 1e9},
    {"nL/s": 1.0, "nL/min": 1 / 60, "µL/min": 1e3 / 60, "mL/min": 1e6 / 60, "µL/s": 1e3},
    {"degrees": 1.0, "°": 1.0},
)
_NOT_IN = {
    "action": (
        "consumablestock",
        "equipment",
        "licenses",
        "notes",
        "type_schema_version",
        "coordinates_schema_version",
    ),
    "procedure": ("consumable", "hardwaredevice", "description"),
}
_NOTES = {"action": ("notes", "description"), "procedure": ("description", "notes")}


def _convert(value: Any, target: str | None) -> Any:
    """A quantity as a bare number in `target` (the seed's unit); unchanged when it cannot be."""
    if not isinstance(value, Mapping) or "value" not in value or target is None:
        return value
    number, unit = value.get("value"), value.get("unit")
    for table in _UNIT_FACTORS:
        if unit in table and target in table and isinstance(number, int | float):
            return number * table[unit] / table[target]
    return value


def _as_seed_numbers(kind_schemas: str, name: str | None, values: Mapping[str, Any]) -> dict:
    try:
        props = load_schema(kind_schemas, name or "").get("properties") or {}  # type: ignore[arg-type]
    except KeyError:
        return dict(values)
    return {
        k: _convert(v, split_units(str((props.get(k) or {}).get("title", "")))[1]) for k, v in values.items()
    }


def for_backend(
    kind: str,
    payload: Mapping[str, Any],
    regions: Mapping[str, str] | None = None,
    licenses: list[str] | None = None,
) -> tuple[dict, dict[str, str]]:
    """A planned or logged step's body for a backend of `kind`, and field -> message for what this
    backend cannot take (a type it has no schema for).

    A template's region acronym (``region``) becomes ``brain_region`` through `regions` (acronym ->
    id); notes and description follow the generation; the seed's actions get today's quantities
    as bare numbers in their schema's unit (0.3 µL -> 300 nL); fields of the other generation are
    dropped. A procedure without licences gets the surgery's `licenses`.
    """
    generation = GENERATIONS[kind]
    body = {k: copy.deepcopy(v) for k, v in payload.items() if k not in ("id", "created_at", "updated_at")}
    acronym = body.pop("region", None)
    if acronym and not body.get("brain_region") and regions and acronym in regions:
        body["brain_region"] = regions[acronym]
    old, new = _NOTES[kind]
    if body.get(old) and not body.get(new):
        body[new] = body[old]
    for name in _NOT_IN[kind]:
        body.pop(name, None)
    if kind == "procedure" and licenses and not body.get("licenses"):
        body["licenses"] = list(licenses)
    problems = {}
    if body.get("type") not in schema_names(generation.types):
        problems["type"] = (
            f"{body.get('type')} is not a {kind} type on this backend; log it as a note or skip it."
        )
    if kind == "action":
        body["details"] = _as_seed_numbers(generation.types, body.get("type"), body.get("details") or {})
        body["coordinates_details"] = _as_seed_numbers(
            generation.coordinates, body.get("coordinates_system"), body.get("coordinates_details") or {}
        )
    if acronym and not body.get("brain_region"):
        problems["brain_region"] = f"Choose the brain region: the plan names {acronym}, not found here."
    return body, problems
