"""The action form of the Actions page: type and coordinates system, pickers, the details
and coordinates inputs drawn from their JSON Schemas, the convention beside the coordinates,
checks before sending, and the server's messages at their fields.

A form lives under one key (e.g. ``actions.form.3``). Opening it stores the starting values;
while it is open, what is typed stays — across reruns, a rejected save, and switching type or
system away and back (details inputs are keyed per type, coordinates per system).

No ``st.form``: Streamlit's forms hold typed values in the browser until submit, and a change
of type or system (which must redraw the fields at once) reruns the script, so unsubmitted
values would be at risk. Every input here keeps its value in session state instead.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from stemgui import action_payload as ap
from stemgui.action_table import Lookups
from stemgui.actions import DEFAULTS_AS_HINTS, coordinate_convention, dv_plausibility, starting_values
from stemgui.config import dv_sign_setting
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import records
from stemgui.gui.picker_widgets import picker, region_picker
from stemgui.gui.schema_widgets import input_errors, render_schema_inputs
from stemgui.gui.widgets import (
    field_error,
    keep_widgets,
    plain,
    show_field_errors,
)
from stemgui.schemas import action_types, coordinate_systems, load_schema

FIELDS = ("type", "coordinates_system", "subject", "day", "time", "brain_region", "consumable",
          "hardwaredevice", "description")
CONFLICT_TITLES = {"date_time": "Date and time", "brain_region": "Brain region",
                   "hardwaredevice": "Hardware device", "coordinates_system": "Coordinates system",
                   "coordinates_details": "Coordinates"}  # fmt: skip


def _schema_inputs(kind: str, name: str | None, key: str, start_value: dict | None,
                   errors: Mapping[str, str]) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """The inputs of one schema (keyed per type/system) -> (payload, unreadable inputs)."""
    if not name:
        return {}, {}
    schema = load_schema(kind, name)
    if not schema.get("properties"):
        st.caption("Nothing to fill in for this choice.")
        return {}, {}
    form_key = f"{key}.{'details' if kind == 'action' else 'coords'}.{name}"
    shown = {path: plain(message) for path, message in errors.items()}  # a server may echo input
    hints = DEFAULTS_AS_HINTS.get(name, ()) if kind == "action" else ()
    payload = render_schema_inputs(schema, form_key, start_value, errors=shown, no_prefill=hints)
    return payload, input_errors(form_key)


def action_form(key: str, lookups: Lookups) -> ap.ActionFormValues:
    """Draw the open form `key` (started by ``records.prefill_fields`` with ``FIELDS``); the values
    it holds now (details and coordinates read)."""
    ss = st.session_state
    keep_widgets(key, (*FIELDS, "region_query"))  # what was typed survives a visit to another page
    start: ap.ActionFormValues = ss[f"{key}.start"]
    errors = records.form_errors(key)
    types, systems = action_types(), coordinate_systems()
    top = st.columns(2)
    kind = top[0].selectbox("Type *", list(types), format_func=types.get, key=f"{key}.type",
                            placeholder="Choose the action type…")
    with top[0]:
        field_error(errors, "type")
    system = top[1].selectbox("Coordinates system *", list(systems), format_func=systems.get,
                              key=f"{key}.coordinates_system", placeholder="Choose the system…")
    with top[1]:
        field_error(errors, "coordinates_system")
    left, right = st.columns(2)
    with left:
        picker("Subject", lookups.subjects, f"{key}.subject", required=True)
        field_error(errors, "subject")
        day_col, time_col = st.columns(2)
        day_col.date_input("Date", key=f"{key}.day", format="YYYY-MM-DD")
        time_col.time_input("Time", key=f"{key}.time", step=60, help="Empty: the date only.")
        field_error(errors, "date_time")
    with right:
        region_picker(key, lookups)
        field_error(errors, "brain_region")
        picker("Consumable", lookups.consumables, f"{key}.consumable")
        field_error(errors, "consumable")
        picker("Hardware device", lookups.devices, f"{key}.hardwaredevice")
        field_error(errors, "hardwaredevice")
    carried = {"type": start.type, "coordinates_system": start.coordinates_system,
               "details": start.details, "coordinates_details": start.coordinates_details}
    start_details, start_coords = starting_values(carried, kind, system)
    st.markdown(f"**Details — {plain(types.get(kind, 'choose a type'))}**")
    details, bad_details = _schema_inputs("action", kind, key, start_details,
                                          ap.schema_errors(errors, "details"))
    field_error(errors, "details")
    st.markdown(f"**Coordinates — {plain(systems.get(system, 'choose a system'))}**")
    inputs, convention = st.columns([3, 2])
    with inputs:
        coords, bad_coords = _schema_inputs("coordinates", system, key, start_coords,
                                            ap.schema_errors(errors, "coordinates_details"))
        field_error(errors, "coordinates_details")
    if system:
        dv_sign, bad_setting = dv_sign_setting()
        with convention.container(border=True):
            st.caption("Coordinate convention")
            st.markdown(coordinate_convention(system, dv_sign))
            st.caption(f"This lab's DV sign: **{dv_sign}** (setting `STEMGUI_DV_SIGN`: "
                       "negative-ventral or positive-ventral).")
            if bad_setting:
                st.warning(bad_setting, icon=":material/warning:")
        hint = dv_plausibility(system, coords, dv_sign)
        if hint:
            with inputs:
                st.warning(hint, icon=":material/help:")
    description = st.text_area("Description", key=f"{key}.description", max_chars=ap.ACTION_DESCRIPTION_MAX)
    field_error(errors, "description")
    show_field_errors(errors, tuple(n for n in errors if ap.is_form_field(n)))
    unreadable = {f"details.{p}": m for p, m in bad_details.items()}
    unreadable |= {f"coordinates_details.{p}": m for p, m in bad_coords.items()}
    ss[f"{key}.unreadable"] = unreadable
    names = {"subject": lookups.subjects, "brain_region": lookups.regions, "consumable": lookups.consumables,
             "hardwaredevice": lookups.devices}  # fmt: skip
    conflicts.conflict_panel(key, CONFLICT_TITLES, names)  # someone else saved meanwhile: choose
    return ap.ActionFormValues(
        type=kind, coordinates_system=system, subject=ss.get(f"{key}.subject"), day=ss.get(f"{key}.day"),
        time=ss.get(f"{key}.time"), brain_region=ss.get(f"{key}.brain_region"),
        consumable=ss.get(f"{key}.consumable"), hardwaredevice=ss.get(f"{key}.hardwaredevice"),
        description=description or "", details=details, coordinates_details=coords,
    )  # fmt: skip
