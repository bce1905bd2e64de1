"""The compact step form of the Surgery day (issue 14): built for the bench, one screen high.

Type and region on one row, AP/ML/DV on one row and the angles on the next (a coordinate
system's fields three to a row, each number input stepping by its unit: 0.05 mm, 1°), the
details of the type drawn from its schema (number + unit side by side), notes, and — for an edit
— the time to the second. Works on plain payloads of either surgical model (today's procedures:
``{value, unit}`` coordinates; the seed's actions: bare numbers in the schema title's unit).

Plausibility (issue 14) is said under the field it is about — a coordinate's warning under that
coordinate, a dose's under the volume or rate — once the whole payload is known (``slots``), and
never refuses the step.

Switching the type fills the details with the last values logged for that type in this surgery
(``surgery.defaults_for_type``: the last virus's volume after virus → fiber → virus).
Session-state keys start with the form's key (``surgery.entry.<n>``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import streamlit as st

from stemgui import dates
from stemgui.action_table import Lookups
from stemgui.gui.schema_widgets import (
    Slots,
    clear_schema_inputs,
    input_errors,
    render_schema_inputs,
    show_warnings,
)
from stemgui.gui.widgets import forget_widgets, plain
from stemgui.plausibility import by_field
from stemgui.schema_form import MISSING, field_specs, json_text, misfit, misfit_warning, split_units
from stemgui.schemas import GENERATIONS, load_schema, schema_names
from stemgui.surgery import Surgery, defaults_for_type
from stemgui.surgery_record import COORDINATE_LABELS
from stemgui.unit_steps import unit_step

NONE = "— none —"
ROW = 3  # coordinate inputs per row: AP/ML/DV, then the three angles
COORDINATE_ORDER = ("apCoordinate", "mlCoordinate", "dvCoordinate", "apAngle", "mlAngle", "dvAngle", "depth",
                    "rotation", "x", "y", "z", "xAngle", "yAngle", "zAngle")


def open_step_form(key: str, payload: Mapping[str, Any]) -> None:
    """Start the form `key` from `payload` (forgets anything typed under that key before)."""
    close_step_form(key)
    ss = st.session_state
    ss[f"{key}.start"] = copy.deepcopy(dict(payload))
    ss[f"{key}.type"] = payload.get("type")
    ss[f"{key}.system"] = payload.get("coordinates_system")
    ss[f"{key}.region"] = payload.get("brain_region")
    ss[f"{key}.notes"] = payload.get("notes") or payload.get("description") or ""
    ss[f"{key}.time"] = str(payload.get("date_time") or "")[11:19]


def close_step_form(key: str) -> None:
    """Forget the form `key` and everything typed in it."""
    clear_schema_inputs(key)
    forget_widgets(key)
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{key}.")]:
        del st.session_state[name]


def _number(value: Any) -> float | None:
    number = value.get("value") if isinstance(value, Mapping) else value
    if not isinstance(number, int | float) or isinstance(number, bool):
        return None
    try:
        return float(number)
    except OverflowError:  # too large to be a coordinate (misfit flags it)
        return None


def _unit_of(prop: Mapping[str, Any], value: Any) -> str | None:
    """The unit a coordinate is typed in: the stored quantity's, the schema default's, or the title's."""
    if isinstance(value, Mapping) and value.get("unit"):
        return value["unit"]
    default = prop.get("default")
    if isinstance(default, Mapping) and default.get("unit"):
        return default["unit"]
    return split_units(str(prop.get("title") or ""))[1]


def coordinate_inputs(key: str, kind: str, system: str, start: Mapping[str, Any],
                      slots: Slots | None = None) -> dict:  # fmt: skip
    """The system's coordinates, three to a row, each stepping by its unit; `slots` (if given)
    receives each coordinate's container under its input, for its warnings."""
    schema = load_schema(GENERATIONS[kind].coordinates, system)
    props = schema.get("properties") or {}
    specs = {spec.name: spec for spec in field_specs(schema)}
    order = sorted(props, key=lambda n: (COORDINATE_ORDER.index(n) if n in COORDINATE_ORDER else 99, n))
    out: dict[str, Any] = {}
    for first in range(0, len(order), ROW):
        columns = st.columns(ROW)
        for column, name in zip(columns, order[first:first + ROW], strict=False):
            prop, stored = props[name], start.get(name)
            reason = misfit(specs[name], stored if name in start else MISSING) if name in specs else None
            if reason is not None:  # an odd stored value: shown as text, flagged, kept as stored
                column.warning(misfit_warning(specs[name], reason), icon=":material/warning:")
                column.text(json_text(stored))
                out[name] = stored
                if slots is not None:
                    slots[name] = column.container()
                continue
            unit = _unit_of(prop, stored)
            label = COORDINATE_LABELS.get(name) or split_units(str(prop.get("title") or name))[0].strip()
            wkey = f"{key}.coords.{system}.{name}"
            if wkey not in st.session_state:
                st.session_state[wkey] = _number(stored)
            typed = column.number_input(f"{label} ({unit})" if unit else label, value=None, key=wkey,
                                        step=unit_step(unit), format="%g", placeholder="—")
            if slots is not None:
                slots[name] = column.container()  # filled once the whole step is known
            if typed is None:
                continue
            object_shaped = prop.get("type") == "object" or isinstance(stored, Mapping)
            out[name] = {"value": typed, "unit": unit} if object_shaped else typed
    return out


def step_form(key: str, kind: str, lookups: Lookups, surgery: Surgery, *, editing: bool,
              warnings_of=None) -> dict:  # fmt: skip
    """Draw the open form `key`; the payload it holds now. `warnings_of(payload)` -> field warnings."""
    ss = st.session_state
    start: dict = ss[f"{key}.start"]
    generation = GENERATIONS[kind]
    types = schema_names(generation.types)
    systems = schema_names(generation.coordinates)
    top = st.columns([2, 2, 3])
    chosen = top[0].selectbox("Type *", list(types), format_func=types.get, key=f"{key}.type",
                              placeholder="Choose the step…")
    if chosen and chosen != start.get("type") and ss.get(f"{key}.switched") != chosen:
        # switching type: the last values logged for it in this surgery (virus → fiber → virus)
        ss[f"{key}.switched"] = chosen
        ss[f"{key}.start"] = start = {**start, **defaults_for_type(surgery, chosen, start)}
    system = top[1].selectbox("Coordinates system", list(systems), format_func=systems.get,
                              key=f"{key}.system", index=None, placeholder="none")
    regions = lookups.regions
    if ss.get(f"{key}.region") is None and start.get("region") and not ss.get(f"{key}.region_resolved"):
        ss[f"{key}.region_resolved"] = True  # a plan names its region by acronym: show it chosen
        ss[f"{key}.region"] = next((str(r["id"]) for r in lookups.region_records
                                    if r.get("acronym") == start["region"]), None)
    region_ids: list[str | None] = [None, *regions]
    if ss.get(f"{key}.region") and ss[f"{key}.region"] not in regions:
        region_ids.append(ss[f"{key}.region"])
    region = top[2].selectbox("Brain region", region_ids, key=f"{key}.region",
                              format_func=lambda v: NONE if v is None else regions.get(v, v),
                              placeholder="Type to search…")
    payload: dict[str, Any] = {"type": chosen, "coordinates_system": system, "brain_region": region}
    coords: dict = {}
    coordinate_slots: Slots = {}
    if system:
        start_coords = start.get("coordinates_details") or {}
        coords = coordinate_inputs(key, kind, system, start_coords, coordinate_slots)
    payload["coordinates_details"] = coords
    rest = st.container()  # a warning about a field drawn nowhere (or as text)
    detail_slots: Slots = {}
    details: dict = {}
    if chosen:
        schema = load_schema(generation.types, chosen)
        if schema.get("properties"):
            with st.expander(f"Details — {plain(types.get(chosen, chosen))}", expanded=True):
                details = render_schema_inputs(schema, f"{key}.details.{chosen}",
                                               start.get("details") if start.get("type") == chosen else {},
                                               slots=detail_slots)
    payload["details"] = details
    if warnings_of is not None:  # plausibility: each warning under its field, never blocking
        slots = {**{f"coordinates_details.{n}": c for n, c in coordinate_slots.items()},
                 **{f"details.{p}": c for p, c in detail_slots.items()}}
        _warn(warnings_of(payload), slots, rest)
    notes_column, time_column = st.columns([4, 1]) if editing else (st.container(), None)
    notes = notes_column.text_input("Notes", key=f"{key}.notes")
    payload["notes" if kind == "procedure" else "description"] = notes or ""
    if time_column is not None:
        clock = time_column.text_input("Time", key=f"{key}.time", help="HH:MM:SS; the seconds are kept.")
        payload["date_time"] = _date_time(str(start.get("date_time") or "")[:10], clock)
    ss[f"{key}.unreadable"] = input_errors(f"{key}.details.{chosen}") if chosen else {}
    return payload


def _warn(warnings, slots: Slots, rest) -> None:
    """`warnings` (plausibility's) under their fields; a field without an input named in `rest`."""
    grouped = {field: [plain(m) for m in messages] for field, messages in by_field(warnings).items()}
    names = {field: field.split(".")[-1] for field in grouped}
    labels = {field: plain(COORDINATE_LABELS.get(name, name)) for field, name in names.items()}
    show_warnings(grouped, slots, rest, labels)


def _date_time(day: str, clock: str) -> str | None:
    """The edited `date_time` (None when the time is unreadable: the stored one is kept)."""
    try:
        return dates.moment(f"{day}T{clock.strip()}").replace(tzinfo=None).isoformat()
    except ValueError:
        return None
