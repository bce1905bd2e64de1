"""JSON Schema -> field specs -> payload dict; defaults; messages a person understands.

The walk from a schema to a list of `FieldSpec`s and the conversions between stored values and
widget values. Pure: `stemgui.gui.schema_widgets` draws the specs with Streamlit.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from stemgui import dates
from stemgui.schemas import draft7_bounds, property_default
from stemgui.schemas import schema_defaults as _registry_defaults
from stemgui.schemas import validate_payload as _registry_validate
from stemgui.schemas.quantities import default_unit as _default_unit
from stemgui.schemas.quantities import is_quantity
from stemgui.schemas.quantities import units as _quantity_units
from stemgui.unit_steps import unit_step


class _Missing:
    """The type of `MISSING`."""

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
"""An absent field (unlike None, which is a JSON null): unset inputs are left out of the payload."""

STATE_PREFIX = "stemgui.schema_form."  # "stemgui." keys are cleared on logout
REQUIRED_SUFFIX = " *"
_UNSUPPORTED_KEYWORDS = ("oneOf", "anyOf", "allOf", "not", "$ref", "if", "const", "patternProperties")
_UNITS_IN_TITLE = re.compile(r"\s*\(([^()]*)\)\s*$")
DATE_BOUNDS = (date(1900, 1, 1), date(2200, 12, 31))
SAFE_INTEGER = 2**53  # beyond it a JSON number loses digits in most clients (and in a float input)


@dataclass(frozen=True)
class FieldSpec:
    """One input to draw: what kind of widget, its label, help, bounds and default."""

    name: str
    # text textarea date datetime select number integer boolean tristate multiselect lines group json
    # quantity ({"value": number, "unit": one of `unit_options`}: a number beside a unit select)
    kind: str
    label: str
    help: str | None = None
    required: bool = False
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None
    step: float | int | None = None
    units: str | None = None
    brief: str | None = None
    options: tuple = ()
    children: tuple[FieldSpec, ...] = field(default_factory=tuple)
    placeholder_default: bool = False  # the default is a hint in the empty input, not a value
    unit_options: tuple[str, ...] = ()  # a quantity's units, the schema's enum, in its order
    default_unit: str | None = None  # a quantity's documented unit: what its select starts at


def schema_defaults(schema: dict) -> dict:
    """The defaults of an object schema's properties, coerced to their declared types."""
    return _registry_defaults(schema)


def validate_payload(schema: dict, payload: dict) -> dict[str, str]:
    """Field path -> a message a person understands; empty when valid (missing required = error)."""
    return _registry_validate(schema, payload)


# --- pure: schema -> field specs -------------------------------------------------------------


def humanize(name: str) -> str:
    """"Injection volume" from "injectionVolume" / "injection_volume": a label for untitled fields."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").split()
    return " ".join([words[0][:1].upper() + words[0][1:]] + [w.lower() for w in words[1:]]) if words else name


_AXIS_WORDS = re.compile(r"\b(Ap|Ml|Dv)\b")


def axis_acronyms(title: str) -> str:
    """"AP coordinate" from "Ap coordinate": today's schemas (rebuilt from the docs' tables) write
    the anatomical axes AP/ML/DV in title case; people read them in capitals."""
    return _AXIS_WORDS.sub(lambda match: match.group(1).upper(), title)


def split_units(title: str) -> tuple[str, str | None]:
    """("AP coordinate", "mm") from "AP coordinate (mm)"; the title unchanged when it names none."""
    match = _UNITS_IN_TITLE.search(title)
    if not match:
        return title, None
    return title[: match.start()], match.group(1).strip() or None


_BOUND_KEYWORDS = {
    "minimum": "minimum",
    "maximum": "maximum",
    "exclusiveMinimum": "exclusive_minimum",
    "exclusiveMaximum": "exclusive_maximum",
}


def _bounds(prop: dict) -> dict[str, float | None]:
    """Inclusive and exclusive bounds (draft-4 boolean exclusive flags read as validation reads them)."""
    rules = draft7_bounds({key: prop[key] for key in _BOUND_KEYWORDS if key in prop})
    return {name: rules[key] if is_number(rules.get(key)) else None for key, name in _BOUND_KEYWORDS.items()}


def _bounds_text(bounds: dict[str, float | None]) -> str:
    """e.g. "≥ 0, < 10" for the help text."""
    parts = [f"{sign} {bounds[name]:g}" for name, sign in (
        ("minimum", "≥"), ("exclusive_minimum", ">"), ("maximum", "≤"), ("exclusive_maximum", "<"))
        if bounds[name] is not None]
    return ", ".join(parts)


def is_number(value: Any) -> bool:
    """A JSON number: an int or float, not a bool."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _kind(prop: dict, required: bool, has_default: bool) -> str:
    """The widget kind for one property schema; "json" for anything we cannot draw."""
    declared = prop.get("type")
    if any(word in prop for word in _UNSUPPORTED_KEYWORDS) or isinstance(declared, list):
        return "json"
    if isinstance(prop.get("enum"), list) and prop["enum"] and declared in (None, "string", "number",
                                                                            "integer"):
        return "select"
    if declared == "string":
        return {"textarea": "textarea", "date": "date", "date-time": "datetime"}.get(
            prop.get("format"), "text")
    if declared in ("number", "integer"):
        return declared
    if declared == "boolean":
        return "boolean" if required or has_default else "tristate"
    if declared == "array":
        items = prop.get("items") if isinstance(prop.get("items"), dict) else {}
        if isinstance(items.get("enum"), list) and items["enum"] and _kind(items, True, False) == "select":
            return "multiselect"
        if items.get("type") == "string" and _kind(items, True, False) == "text":
            return "lines"
        return "json"
    if declared == "object" and isinstance(prop.get("properties"), dict) and prop["properties"]:
        return "group"
    return "json"


def field_spec(name: str, prop: Any, required: bool = False) -> FieldSpec:
    """The `FieldSpec` of one property schema (any malformed property becomes a JSON input)."""
    if not isinstance(prop, dict):
        return FieldSpec(name=name, kind="json", label=name + (REQUIRED_SUFFIX if required else ""),
                         required=required)
    if is_quantity(prop) and _quantity_units(prop):
        return quantity_spec(name, prop, required)
    default = property_default(prop) if "default" in prop else None
    kind = _kind(prop, required, default is not None)
    base, title_units = split_units(axis_acronyms(str(prop.get("title") or humanize(name))))
    units = prop.get("units") if isinstance(prop.get("units"), str) else title_units
    label = (f"{base} ({units})" if units else base) + (REQUIRED_SUFFIX if required else "")
    bounds = _bounds(prop) if kind in ("number", "integer") else dict.fromkeys(
        ("minimum", "maximum", "exclusive_minimum", "exclusive_maximum"))
    help_parts = [str(prop["description"])] if prop.get("description") else []
    if _bounds_text(bounds):
        help_parts.append(f"Allowed: {_bounds_text(bounds)}.")
    if kind == "json":
        help_parts.append("Enter a JSON value (e.g. 1.5, \"text\", [1, 2] or {\"a\": 1}).")
    if kind == "lines":
        help_parts.append("One entry per line.")
    return FieldSpec(
        name=name, kind=kind, label=label, help=" ".join(help_parts) or None, required=required,
        default=default, units=units, brief=prop.get("brief") if isinstance(prop.get("brief"), str) else None,
        step=_step(prop, kind), options=_options(prop, kind),
        children=tuple(field_specs(prop)) if kind == "group" else (), **bounds)


def quantity_spec(name: str, prop: dict, required: bool = False) -> FieldSpec:
    """The spec of a `{value, unit}` property: a number input beside a select of the schema's units.

    The label names no unit (the select beside it does); the step follows the default unit
    (`unit_step`; the widget re-reads it for the unit chosen).
    """
    base, _ = split_units(axis_acronyms(str(prop.get("title") or humanize(name))))
    value_prop = (prop.get("properties") or {}).get("value")
    bounds = _bounds(value_prop) if isinstance(value_prop, dict) else _bounds({})
    help_parts = [str(prop["description"])] if prop.get("description") else []
    if _bounds_text(bounds):
        help_parts.append(f"Allowed: {_bounds_text(bounds)}.")
    unit = _default_unit(prop)
    return FieldSpec(
        name=name, kind="quantity", label=base + (REQUIRED_SUFFIX if required else ""),
        help=" ".join(help_parts) or None, required=required,
        brief=prop.get("brief") if isinstance(prop.get("brief"), str) else None, step=unit_step(unit),
        unit_options=tuple(_quantity_units(prop)), default_unit=unit, **bounds)


def _step(prop: dict, kind: str) -> float | int | None:
    multiple = prop.get("multipleOf")
    if kind == "integer":
        return int(multiple) if is_number(multiple) and multiple >= 1 and float(multiple).is_integer() else 1
    if kind == "number":
        return float(multiple) if is_number(multiple) and multiple > 0 else 0.01
    return None


def _options(prop: dict, kind: str) -> tuple:
    if kind == "select":
        return tuple(prop["enum"])
    if kind == "multiselect":
        return tuple(prop["items"]["enum"])
    return ()


def field_specs(schema: dict) -> list[FieldSpec]:
    """One `FieldSpec` per property of an object schema, in schema order."""
    listed = schema.get("required") if isinstance(schema.get("required"), list) else []
    required = {name for name in listed if isinstance(name, str)}
    props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
    return [field_spec(name, prop, name in required) for name, prop in props.items()]


def extra_field_specs(schema: dict, value: Mapping | None) -> list[FieldSpec]:
    """JSON inputs for keys of `value` the schema does not describe, so no stored data is lost."""
    known = set((schema.get("properties") or {}).keys())
    return [FieldSpec(name=name, kind="json", label=f"{name} (not in this schema)",
                      help="Kept as stored; clear it to remove it.")
            for name in (value or {}) if name not in known]


def missing_required(schema: dict, payload: Mapping | None, prefix: str = "") -> dict[str, str]:
    """Field path -> "X is required." for required inputs left empty, with no default filled in.

    The server (`schemas.stored_payload`) would fill a schema default into an
    omitted required field: an emptied "Injection volume *" would be saved as 0 nL. A person who
    empties a required input gets this message at the field instead.
    """
    payload = payload if isinstance(payload, Mapping) else {}
    errors: dict[str, str] = {}
    for spec in field_specs(schema):
        path = f"{prefix}{spec.name}"
        value = payload.get(spec.name, MISSING)
        if spec.required and (value is MISSING or value is None):
            errors[path] = f"{spec.label.removesuffix(REQUIRED_SUFFIX)} is required: enter a value."
        elif spec.kind == "group" and isinstance(value, Mapping):
            errors |= missing_required(schema["properties"][spec.name], value, f"{path}.")
    return errors


# --- pure: stored value <-> widget value --------------------------------------------------------


def json_text(value: Any) -> str:
    """`value` as JSON text; any stored value, also NaN and integers longer than Python prints."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, TypeError, RecursionError):  # e.g. a 5,000-digit int, an odd object
        return repr(value) if not isinstance(value, int) else f"<an integer of {value.bit_length()} bits>"


def widget_value(spec: FieldSpec, value: Any) -> Any:
    """The widget value showing stored `value` (`MISSING` = unset); ValueError if it cannot."""
    if spec.kind == "json":
        return "" if value is MISSING else json_text(value)
    if value is MISSING:
        if spec.kind == "quantity":
            return (None, spec.default_unit)
        return {"text": "", "textarea": "", "lines": "", "multiselect": [], "boolean": False}.get(spec.kind)
    converter = _TO_WIDGET.get(spec.kind)
    if converter is None:
        raise ValueError(f"no widget for kind {spec.kind}")
    return converter(spec, value)


def _text_to_widget(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, str):
        raise ValueError("not text")
    return value


def _date_to_widget(spec: FieldSpec, value: Any) -> date:
    if not isinstance(value, str):
        raise ValueError("not a date")
    parsed = dates.parse_strict(value)
    if isinstance(parsed, datetime):
        raise ValueError("a date-time where a date belongs")
    if not DATE_BOUNDS[0] <= parsed <= DATE_BOUNDS[1]:
        raise ValueError("date out of range")
    return parsed


def _datetime_to_widget(spec: FieldSpec, value: Any) -> datetime:
    if not isinstance(value, str):
        raise ValueError("not a date-time")
    parsed = dates.moment(value)
    if not DATE_BOUNDS[0] <= parsed.date() <= DATE_BOUNDS[1]:
        raise ValueError("date out of range")
    # The widget is naive and keeps minutes only; zone and seconds come back if left unchanged.
    return parsed.replace(tzinfo=None, second=0, microsecond=0)


def _select_to_widget(spec: FieldSpec, value: Any) -> Any:
    if value not in spec.options or isinstance(value, bool):
        raise ValueError("not one of the options")
    return value


def _number_to_widget(spec: FieldSpec, value: Any) -> float | int:
    if not is_number(value):
        raise ValueError("not a number")
    # Integers first: math.isfinite(10**400) raises OverflowError instead of answering.
    if isinstance(value, int) and abs(value) > SAFE_INTEGER:
        raise ValueError("a number beyond ±2^53, too large to edit as a number")
    if not math.isfinite(value):
        raise ValueError("not a finite number")
    if spec.kind == "integer":
        if not float(value).is_integer():
            raise ValueError("not a whole number")
        return int(value)
    return float(value)


def _bool_to_widget(spec: FieldSpec, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not true/false")
    return value


def _multi_to_widget(spec: FieldSpec, value: Any) -> list:
    if not isinstance(value, list) or any(item not in spec.options for item in value):
        raise ValueError("not a list of the options")
    return list(value)


def _lines_to_widget(spec: FieldSpec, value: Any) -> str:
    if not isinstance(value, list) or not all(isinstance(i, str) and "\n" not in i for i in value):
        raise ValueError("not a list of one-line texts")
    return "\n".join(value)


def _quantity_to_widget(spec: FieldSpec, value: Any) -> tuple[float | None, str | None]:
    """(number or None, unit) of a stored quantity; a bare number is a value in the default unit
    (the docs' own examples write them so)."""
    if is_number(value):
        value = {"value": value}
    if not isinstance(value, dict) or set(value) - {"value", "unit"}:
        raise ValueError("not a value with a unit")
    unit = value.get("unit", spec.default_unit)
    if unit not in spec.unit_options:
        raise ValueError(f"in a unit this form does not offer ({json_text(unit)})")
    number = value.get("value")
    if number is None:
        return (None, unit)
    return (_number_to_widget(replace(spec, kind="number"), number), unit)


_TO_WIDGET = {
    "text": _text_to_widget, "textarea": _text_to_widget, "date": _date_to_widget,
    "datetime": _datetime_to_widget, "select": _select_to_widget, "number": _number_to_widget,
    "integer": _number_to_widget, "boolean": _bool_to_widget, "tristate": _bool_to_widget,
    "multiselect": _multi_to_widget, "lines": _lines_to_widget, "quantity": _quantity_to_widget,
}


def misfit(spec: FieldSpec, value: Any) -> str | None:
    """Why the stored `value` cannot be shown in `spec`'s own widget ("not a number"); None if it can."""
    if value is MISSING or spec.kind == "json":
        return None
    if spec.kind == "group":
        return None if isinstance(value, dict) else "not a group of fields"
    if value is None:
        return "empty (null)"
    try:
        widget_value(spec, value)
    except (ValueError, TypeError, OverflowError) as exc:
        return str(exc) or "not of the expected kind"
    return None


def fitted_spec(spec: FieldSpec, value: Any) -> FieldSpec:
    """`spec`, or a JSON input for it when the stored `value` does not fit its widget."""
    return spec if misfit(spec, value) is None else replace(spec, kind="json", children=())


def misfit_warning(spec: FieldSpec, reason: str) -> str:
    """What the person reads above a stored value shown as text instead of in its own input."""
    label = spec.label.removesuffix(REQUIRED_SUFFIX)
    return (f"{label}: the stored value is {reason}, so it is shown as text. Correct it, or leave "
            "it as it is to keep it unchanged.")


def payload_value(spec: FieldSpec, shown: Any, original: Any = MISSING) -> Any:
    """The payload value for widget value `shown`; `MISSING` when unset; ValueError if unreadable.

    When the widget still shows `original`, `original` itself comes back, so an untouched form
    returns exactly what it was given (1 stays int in a "number" field, a time zone is kept).
    A quantity's widget value is (number, unit); with no number it is `MISSING`, whatever unit.
    """
    if spec.kind == "quantity":
        return quantity_payload(spec, shown, original)
    try:
        if original is not MISSING and shown == widget_value(spec, original):
            return copy.deepcopy(original)
    except (ValueError, TypeError):
        pass
    if shown is None or shown == [] or (isinstance(shown, str) and not shown.strip()):
        return MISSING
    return _FROM_WIDGET.get(spec.kind, lambda s, v, o: v)(spec, shown, original)


def _datetime_from_widget(spec: FieldSpec, shown: datetime, original: Any) -> str:
    zone = getattr(dates.parse(original), "tzinfo", None)
    return shown.replace(tzinfo=zone).isoformat()


def _json_from_widget(spec: FieldSpec, shown: str, original: Any) -> Any:
    try:
        return json.loads(shown)
    except json.JSONDecodeError as exc:
        label = spec.label.removesuffix(REQUIRED_SUFFIX)
        raise ValueError(f"{label} is not valid JSON ({exc.msg}).") from exc


def _lines_from_widget(spec: FieldSpec, shown: str, original: Any) -> Any:
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    return lines or MISSING


_FROM_WIDGET = {
    "date": lambda spec, shown, original: shown.isoformat(),
    "datetime": _datetime_from_widget,
    "number": lambda spec, shown, original: float(shown),
    "integer": lambda spec, shown, original: int(shown),
    "boolean": lambda spec, shown, original: bool(shown),
    "multiselect": lambda spec, shown, original: list(shown),
    "lines": _lines_from_widget,
    "json": _json_from_widget,
}


def quantity_payload(spec: FieldSpec, shown: Any, original: Any = MISSING) -> Any:
    """`{"value": x, "unit": u}` for widget value (x, u); `MISSING` when no number is entered (a
    unit alone is no quantity); the stored object itself when unchanged (1 stays an int)."""
    number, unit = shown if isinstance(shown, tuple | list) and len(shown) == 2 else (shown, None)
    if number is None or (isinstance(number, str) and not number.strip()):
        return MISSING
    unit = unit or spec.default_unit
    try:
        if isinstance(original, dict) and "unit" in original and (number, unit) == _quantity_to_widget(
                spec, original):
            return copy.deepcopy(original)
    except (ValueError, TypeError):
        pass
    return {"value": float(number), "unit": unit}
