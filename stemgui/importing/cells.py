"""One spreadsheet cell -> the value a payload field takes, by what the field is.

Only what is certain is converted (a number written as text, a date cell, a quantity with its
unit); anything else is passed on as written, so the one rule set (``stemgui.models``, the JSON
Schemas) reports it with its own message. Nothing here imports Streamlit.
"""

from __future__ import annotations

import re
from typing import Any

from stemgui.errors import StemGuiError
from stemgui.importing.columns import LIST_SEPARATOR
from stemgui.importing.reading import Cell
from stemgui.schemas.quantities import (
    canonical_unit,
    convert,
    default_unit,
    is_quantity,
    unit_dimension,
    units,
)

_QUANTITY = re.compile(r"^\s*(?P<number>[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*(?P<unit>\S.*)?$")


class CellProblem(StemGuiError, ValueError):
    """A cell that cannot stand for its field; the message names the field."""


def as_text(cell: Cell) -> str:
    """A cell as text (an integer-valued number without ``.0``)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def as_list(cell: Cell) -> list[str]:
    """``a; b`` -> ["a", "b"] (empty items dropped)."""
    return [item.strip() for item in as_text(cell).split(LIST_SEPARATOR) if item.strip()]


def _number(text: str) -> int | float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return int(number) if number.is_integer() and "." not in text and "e" not in text.lower() else number


def schema_value(prop: dict, cell: Cell, column_unit: str | None) -> Any:
    """The value of one ``details``/``coordinates`` property from its cell."""
    if is_quantity(prop):
        return quantity(prop, cell, column_unit)
    declared = prop.get("type")
    types = declared if isinstance(declared, list) else [declared]
    if "array" in types:
        return as_list(cell) if isinstance(cell, str) else [cell]
    if isinstance(cell, str) and ("number" in types or "integer" in types) and "string" not in types:
        number = _number(cell)
        return cell if number is None else number
    if "integer" in types and isinstance(cell, float) and cell.is_integer():
        return int(cell)
    if "boolean" in types and not isinstance(cell, bool):
        word = as_text(cell).lower()
        if word in ("true", "yes", "1", "y"):
            return True
        if word in ("false", "no", "0", "n"):
            return False
        return cell
    if "string" in types and not isinstance(cell, str):
        return as_text(cell)
    return cell


def quantity(prop: dict, cell: Cell, column_unit: str | None) -> Any:
    """``{"value", "unit"}`` from ``0.3``, ``"0.3"`` or ``"0.3 µL"``. A unit the schema allows is
    kept as written; another unit of the same measure is converted to the schema's unit; a unit
    of another measure is a CellProblem."""
    title = prop.get("title") or "This field"
    if isinstance(cell, bool):
        return cell  # left for the rule set's message
    if isinstance(cell, int | float):
        value, unit = cell, column_unit
    else:
        match = _QUANTITY.match(as_text(cell))
        if not match:
            return as_text(cell)  # not a number: the rule set says what it must be
        value, unit = _number(match.group("number")), match.group("unit") or column_unit
    allowed = units(prop)
    target = default_unit(prop)
    unit = canonical_unit(unit) if unit else target
    if unit in allowed or not allowed:
        return {"value": value, "unit": unit}
    try:
        return {"value": convert(value, unit, target), "unit": target}
    except ValueError:
        measure = unit_dimension(target or "") or "its measure"
        raise CellProblem(
            f"{title}: {unit!r} is not a unit of {measure}; use one of: "
            f"{', '.join(allowed)} (a bare number is in {column_unit or target})."
        ) from None


def format_quantity(prop: dict, value: Any, column_unit: str | None) -> Cell:
    """A stored quantity as its export cell: the bare number in the column's unit, else "v unit"."""
    if not isinstance(value, dict) or "value" not in value:
        return value if isinstance(value, int | float | str) or value is None else str(value)
    unit = value.get("unit") or default_unit(prop)
    if unit == column_unit:
        return value["value"]
    return f"{value['value']} {unit}"
