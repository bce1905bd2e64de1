"""Pure logic behind the Actions and Surgery-day pages: conventions, mirroring, detail columns.

No Streamlit here. Actions are the API's dicts (`type`, `date_time`, `brain_region`, `details`,
`coordinates_system`, `coordinates_details`, ...); related records appear as ids, which a
`labels` mapping (id -> display text) turns into names.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from stemgui.mirror import MIRRORED_FIELDS, mirror_coordinates  # noqa: F401  (re-exported)
from stemgui.schema_form import REQUIRED_SUFFIX, SAFE_INTEGER, field_specs, json_text, split_units
from stemgui.schemas import load_schema

NEGATIVE_VENTRAL, POSITIVE_VENTRAL = "negative-ventral", "positive-ventral"
_DV_WORDS = {NEGATIVE_VENTRAL: ("− ventral", "+ dorsal"), POSITIVE_VENTRAL: ("+ ventral", "− dorsal")}
_ANGLES = (
    "**Angles (degrees, 0 = vertical):** *AP angle* tilts the instrument in the sagittal plane "
    "(+ tip toward anterior); *ML angle* tilts it in the coronal plane (+ tip toward the right); "
)
_SURFACE = (
    "**Depth (mm):** along the insertion track from the brain surface (dura) at the entry point, "
    "**positive = deeper**. **Rotation (degrees):** of the probe about its own insertion axis "
    "(0 = shanks along AP, + clockwise seen from above)."
)


def _signs(dv_sign: str) -> str:
    ventral, dorsal = _DV_WORDS[dv_sign]
    return (f"**Signs:** AP + anterior, − posterior; ML + right, − left of the midline; "
            f"DV **{ventral}** (below the skull surface), {dorsal}.")


def _stereotaxic(origin: str, surface: bool, dv_sign: str) -> str:
    lines = [f"**Origin:** {origin}. AP and ML are horizontal distances from {origin.split()[0]} (mm)."]
    if surface:
        lines += [_SURFACE, _ANGLES + "no DV angle in this system."]
    else:
        lines += ["**DV (mm):** vertical distance from the skull surface at the origin.",
                  _ANGLES + "*DV angle* rotates it about the vertical axis (+ clockwise seen from above)."]
    return "\n\n".join(lines + [_signs(dv_sign)])


def _conventions(dv_sign: str) -> dict[str, str]:
    ventral, dorsal = _DV_WORDS[dv_sign]
    return {
        "Stereotaxic_BregmaAbsolute": _stereotaxic("bregma (skull landmark)", False, dv_sign),
        "Stereotaxic_LambdaAbsolute": _stereotaxic("lambda (skull landmark)", False, dv_sign),
        "Stereotaxic_BregmaBrainSurface": _stereotaxic("bregma for AP/ML; the brain surface for depth",
                                                       True, dv_sign),
        "Stereotaxic_LambdaBrainSurface": _stereotaxic("lambda for AP/ML; the brain surface for depth",
                                                       True, dv_sign),
        "Stereotaxic_XYZ_Absolute": (
            "**Origin:** the stereotaxic frame's zero (where the instrument was zeroed, normally "
            "bregma). **x** = left–right (ML, + right), **y** = front–back (AP, + anterior), "
            f"**z** = up–down (DV, **{ventral}**, {dorsal}), all in mm.\n\n**Angles (degrees):** "
            "*x angle* tilts the instrument toward + x (coronal plane), *y angle* toward + y "
            "(sagittal plane), *z angle* rotates it about the vertical axis.\n\n" + _signs(dv_sign)),
        "Stereotaxic_XY_Surface": (
            "**Origin:** the stereotaxic frame's zero for x/y (where the instrument was zeroed, "
            "normally bregma); the brain surface for depth. **x** = left–right (ML, + right), "
            "**y** = front–back (AP, + anterior), mm.\n\n" + _SURFACE + "\n\n**Angles (degrees):** "
            "*x angle* tilts toward + x (coronal plane), *y angle* toward + y (sagittal plane).\n\n"
            + _signs(dv_sign)),
        "External_XYZ_Absolute": (
            "**Origin:** an external frame (a manipulator, robot or imaging system): its zero and "
            "axes are those of that device. Read here as **x** = left–right (+ right), **y** = "
            "front–back (+ anterior), **z** = up–down (+ up); mirroring negates x. Units **mm** (the "
            "schema's titles say \"(m)\", its `units` say mm; we follow `units`). Angles in degrees "
            "about/along the same axes."),
    }


COORDINATE_CONVENTIONS: dict[str, str] = _conventions(NEGATIVE_VENTRAL)
"""Coordinates system -> short markdown: origin, what each value means, signs, units."""


def coordinate_convention(system: str | None, dv_sign: str = NEGATIVE_VENTRAL) -> str:
    """The convention text of `system` under the lab's DV sign (STEMGUI_DV_SIGN); a neutral hint
    for a system we do not describe."""
    conventions = _conventions(dv_sign if dv_sign in _DV_WORDS else NEGATIVE_VENTRAL)
    if system in conventions:
        return conventions[system]
    return "No convention recorded for this coordinates system; distances in mm, angles in degrees."


# The fields measured vertically from the skull surface (absolute systems), whose sign says
# dorsal or ventral: a brain target lies below the skull, so a dorsal value is likely a slip.
_VERTICAL_FROM_SKULL = {"Stereotaxic_BregmaAbsolute": "dvCoordinate",
                        "Stereotaxic_LambdaAbsolute": "dvCoordinate", "Stereotaxic_XYZ_Absolute": "z"}


def dv_plausibility(system: str | None, coordinates_details: Mapping[str, Any] | None,
                    dv_sign: str = NEGATIVE_VENTRAL) -> str | None:  # fmt: skip
    """A hint when the vertical coordinate points above the skull under the lab's DV sign; else None.

    Only a hint: the value is saved as typed (a reference point above the skull is possible).
    """
    name = _VERTICAL_FROM_SKULL.get(system or "")
    value = (coordinates_details or {}).get(name) if name else None
    if not _is_plain_number(value) or not value or isinstance(value, int) and abs(value) > 2**53:
        return None
    dorsal = value > 0 if dv_sign != POSITIVE_VENTRAL else value < 0
    if not dorsal:
        return None
    ventral_word = "negative" if dv_sign != POSITIVE_VENTRAL else "positive"
    label = "DV" if name == "dvCoordinate" else "z"
    return (f"{label} {_number(value, signed=True)} mm lies above the skull surface: here ventral is "
            f"{ventral_word} ({dv_sign}). Did you mean {_number(-value, signed=True)} mm?")


DEFAULTS_AS_HINTS: dict[str, tuple[str, ...]] = {
    # 0 nL is no injection: the volume must be stated every time.
    "VirusInjection": ("injectionVolume",),
    # Drives carry anything from 1 to dozens of tetrodes: "1" would be a guess, so it is a hint.
    "TetrodeWireElectrode": ("tetrodeCount",),
}
"""Action type -> details fields whose schema default is no real choice: the form starts them
empty and shows the default as a hint. The other defaults are real choices and are prefilled:
wireCount 1 (a single-wire electrode), nWiresTetrode 4 (a tetrode has four wires),
fiberTipShape "flat" (the usual cleaved tip)."""


def mirror_action(action: Mapping[str, Any], **options: bool) -> dict:
    """A new action payload: `action` with its coordinates mirrored (no id; region kept)."""
    twin = {k: copy.deepcopy(v) for k, v in action.items() if k != "id"}
    twin["coordinates_details"] = mirror_coordinates(
        action.get("coordinates_system") or "", action.get("coordinates_details") or {}, **options)
    return twin


def starting_values(defaults: Mapping[str, Any], action_type: str | None,
                    coordinates_system: str | None) -> tuple[dict | None, dict | None]:
    """(details, coordinates_details) to prefill the forms of the chosen type and system.

    The carried values only apply while the same type / system is chosen; None (the schema
    defaults) otherwise, so one type's details never land in another type's form.
    """
    details = defaults.get("details") if defaults.get("type") == action_type else None
    same_system = defaults.get("coordinates_system") == coordinates_system
    coordinates = defaults.get("coordinates_details") if same_system else None
    return copy.deepcopy(details) or None, copy.deepcopy(coordinates) or None


def _number(value: Any, signed: bool = False) -> str:
    """A value as text; numbers without a trailing ".0", signed (+1.5) for coordinates."""
    if not _is_plain_number(value):
        return str(value)
    text = f"{value:g}" if isinstance(value, float) and value.is_integer() else str(value)
    return f"+{text}" if signed and value > 0 else text


def _schema(kind: str, name: str | None) -> dict:
    try:
        return load_schema(kind, name or "")  # type: ignore[arg-type]
    except KeyError:
        return {"properties": {}}


def _field_names(kind: str, name: str | None, *, brief: bool) -> dict[str, tuple[str, str | None]]:
    """Field -> (short name, units) for one schema; the brief name when it matches the title."""
    names = {}
    for spec in field_specs(_schema(kind, name)):
        base, _ = split_units(spec.label.removesuffix(REQUIRED_SUFFIX))
        # The spec's briefs have typos (x's brief is "Y", dvAngle's is "CV angle"): trust a brief
        # only when the title starts with it.
        trusted = spec.brief and base.lower().startswith(spec.brief.lower())
        short = (spec.brief if trusted else base.removesuffix(" coordinate")) if brief else base
        names[spec.name] = (short, spec.units)
    return names


def format_values(kind: str, name: str | None, values: Mapping[str, Any] | None, *,
                  brief: bool = False, sep: str = ", ") -> str:
    """"AP -2 mm, ML 1.5 mm" for coordinates (brief) or "Injection volume 300 nL" for details."""
    names = _field_names(kind, name, brief=brief)
    parts = []
    for field, value in (values or {}).items():
        short, units = names.get(field, (field, None))
        if _is_quantity_value(value):  # today's {value, unit}: the unit is the record's own
            value, units = value["value"], value.get("unit") or units
        shown = ", ".join(map(str, value)) if isinstance(value, list) else _number(value, signed=brief)
        parts.append(" ".join(p for p in (short, shown, units if _is_plain_number(value) else None) if p))
    return sep.join(parts)


def _is_quantity_value(value: Any) -> bool:
    """A stored `{"value": number, "unit": text}` (today's quantities)."""
    return (isinstance(value, Mapping) and set(value) <= {"value", "unit"}
            and _is_plain_number(value.get("value")) and isinstance(value.get("unit", ""), str))


def _is_plain_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def details_columns(actions: Iterable[Mapping[str, Any]], action_type: str,
                    kind: str = "action") -> list[dict[str, Any]]:
    """Rows {"id", <detail title>: value, ...} for the actions of `action_type`, in the given order.

    Column names are the schema titles with units (e.g. "Injection volume (nL)"); detail keys the
    schema does not describe keep their key as column name. Ready for `pandas.DataFrame(rows)`.
    `kind` is the schema set of the types ("procedure" for today's procedures).
    """
    titles = {spec.name: spec.label.removesuffix(REQUIRED_SUFFIX)
              for spec in field_specs(_schema(kind, action_type))}
    rows = []
    for action in actions:
        if action.get("type") != action_type:
            continue
        row: dict[str, Any] = {"id": action.get("id")} | dict.fromkeys(titles.values())
        for field, value in (action.get("details") or {}).items():
            row[titles.get(field, field)] = _cell(value)
        rows.append(row)
    return rows


def _cell(value: Any) -> Any:
    """A table cell for a stored value: plain values as they are; anything a table cannot hold
    as a number (an integer beyond ±2^53, a list, a group) as its JSON text."""
    if value is None or isinstance(value, str | bool | float):
        return value
    if _is_quantity_value(value):  # "0.3 µL": the unit differs between records
        return " ".join(p for p in (_number(value["value"]), value.get("unit")) if p)
    if isinstance(value, int) and abs(value) <= SAFE_INTEGER:
        return value
    return json_text(value)
