"""The procedure form (today's BrainSTEM): the grouped type picker, the details of the type's
schema version and the coordinates of one of the 6 systems (``{value, unit}`` as a number beside
a unit), the convention beside the coordinates, pickers for subject (with "New subject"), brain
region, consumable stock, equipment and licenses, notes; checks before sending and the server's
messages at their fields.

Like the action form it uses no ``st.form``: every input keeps its value in session state under
the form's key (``procedures.form.<n>.*``; details per type, coordinates per system), so a
rejection, a type switch and back, or a subject created inline lose nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

import streamlit as st

from stemgui import action_payload as ap
from stemgui import procedure_payload as pp
from stemgui.config import dv_sign_setting
from stemgui.conventions import coordinate_convention_for, dv_hint
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import records, subject_inline
from stemgui.gui.picker_widgets import picker, region_picker, type_picker
from stemgui.gui.schema_widgets import input_errors, render_schema_inputs
from stemgui.gui.store import Store
from stemgui.gui.widgets import field_error, keep_widgets, plain, show_field_errors
from stemgui.models_current import NOTES_MAX, PROCEDURE, current_coordinate_systems
from stemgui.procedure_pickers import keep_chosen
from stemgui.procedure_table import ProcedureLookups, type_title
from stemgui.procedure_types import type_label

FIELDS = ("type", "coordinates_system", "subject", "day", "time", "brain_region", "consumablestock",
          "equipment", "licenses", "notes")
CONFLICT_TITLES = {"date_time": "Date and time", "brain_region": "Brain region",
                   "consumablestock": "Consumable stock", "coordinates_system": "Coordinates system",
                   "coordinates_details": "Coordinates"}  # fmt: skip


def _schema_inputs(schema: dict | None, form_key: str, start_value: dict | None,
                   errors: Mapping[str, str]) -> tuple[dict, dict[str, str]]:  # fmt: skip
    """The inputs of one schema -> (payload, unreadable inputs)."""
    if schema is None:
        return {}, {}
    if not schema.get("properties"):
        st.caption("Nothing to fill in for this choice.")
        return {}, {}
    shown = {path: plain(message) for path, message in errors.items()}  # a server may echo input
    payload = render_schema_inputs(schema, form_key, start_value, errors=shown)
    return payload, input_errors(form_key)


def _related(key: str, lookups: ProcedureLookups, errors: Mapping[str, str], store: Store) -> None:
    """Subject (+ New subject), date and time, brain region, stock, equipment, licenses."""
    ss = st.session_state
    left, right = st.columns(2)
    with left:
        subject_inline.apply_created(f"{key}.subject")  # a subject just made inline is chosen
        picker("Subject", lookups.subjects, f"{key}.subject", required=True)
        field_error(errors, "subject")
        subject_inline.new_subject_box(f"{key}.subject", store)
        day_col, time_col = st.columns(2)
        day_col.date_input("Date", key=f"{key}.day", format="YYYY-MM-DD")
        time_col.time_input("Time", key=f"{key}.time", step=60, help="Empty: the date only.")
        field_error(errors, "date_time")
    with right:
        region_picker(key, lookups)
        field_error(errors, "brain_region")
        picker("Consumable stock", keep_chosen(lookups.stocks, [ss.get(f"{key}.consumablestock")]),
                f"{key}.consumablestock", help="By consumable name and lot; depleted lots last.")
        field_error(errors, "consumablestock")
        for name, label in (("equipment", "Equipment"), ("licenses", "Licenses")):
            options = keep_chosen(getattr(lookups, name), ss.get(f"{key}.{name}") or [])
            st.multiselect(label, list(options), format_func=options.get, key=f"{key}.{name}",
                           placeholder="Choose one or more…")
            field_error(errors, name)


def procedure_form(key: str, lookups: ProcedureLookups, store: Store) -> pp.ProcedureFormValues:
    """Draw the open form `key` (started by ``records.prefill_fields`` with ``FIELDS``); the values
    it holds now (details and coordinates read)."""
    ss = st.session_state
    keep_widgets(key, (*FIELDS, "region_query", "type.search"))  # survives a visit to another page
    start: pp.ProcedureFormValues = ss[f"{key}.start"]
    errors = records.form_errors(key)
    systems = current_coordinate_systems()
    top = st.columns(2)
    with top[0]:
        kind = type_picker(f"{key}.type", start.type, label="Procedure type *")
        field_error(errors, "type")
    system = top[1].selectbox("Coordinates system *", list(systems), format_func=systems.get,
                              key=f"{key}.coordinates_system", placeholder="Choose the system…")
    with top[1]:
        field_error(errors, "coordinates_system")
    _related(key, lookups, errors, store)
    values = pp.ProcedureFormValues(
        type=kind, coordinates_system=system,
        type_schema_version=start.type_schema_version if kind == start.type else None,
        coordinates_schema_version=start.coordinates_schema_version if system == start.coordinates_system
        else None,
    )  # fmt: skip
    type_schema, coords_schema = pp.type_schema(values), pp.coordinates_schema(values)
    version = pp.form_version(PROCEDURE.types, kind, values.type_schema_version) if kind else None
    heading = f"{type_label(kind)} (schema {version})" if kind else "choose a type"
    st.markdown(f"**Details — {plain(heading)}**")
    details, bad_details = _schema_inputs(type_schema, f"{key}.details.{kind}",
                                          start.details if kind == start.type else None,
                                          ap.schema_errors(errors, "details"))
    field_error(errors, "details")
    field_error(errors, "type_schema_version")
    st.markdown(f"**Coordinates — {plain(systems.get(system, 'choose a system'))}**")
    inputs, convention = st.columns([3, 2])
    with inputs:
        coords, bad_coords = _schema_inputs(
            coords_schema, f"{key}.coords.{system}",
            start.coordinates_details if system == start.coordinates_system else None,
            ap.schema_errors(errors, "coordinates_details"))  # fmt: skip
        field_error(errors, "coordinates_details")
        field_error(errors, "coordinates_schema_version")
    if system:
        _convention_box(convention, inputs, system, coords)
    st.text_area("Notes", key=f"{key}.notes", max_chars=NOTES_MAX)
    field_error(errors, "notes")
    show_field_errors(errors, tuple(n for n in errors if pp.is_form_field(n)))
    unreadable = {f"details.{p}": m for p, m in bad_details.items()}
    unreadable |= {f"coordinates_details.{p}": m for p, m in bad_coords.items()}
    ss[f"{key}.unreadable"] = unreadable
    names = {"subject": lookups.subjects, "brain_region": lookups.regions, "consumablestock": lookups.stocks}
    conflicts.conflict_panel(key, CONFLICT_TITLES, names)  # someone else saved meanwhile: choose
    for name in ("subject", "day", "time", "brain_region", "consumablestock"):
        setattr(values, name, ss.get(f"{key}.{name}"))
    values.equipment = list(ss.get(f"{key}.equipment") or [])
    values.licenses = list(ss.get(f"{key}.licenses") or [])
    values.notes, values.details, values.coordinates_details = ss.get(f"{key}.notes") or "", details, coords
    return values


def _convention_box(where, inputs, system: str, coords: dict) -> None:
    """The coordinate convention of `system` beside the inputs (CCF: the atlas's axes, its mirror)."""
    dv_sign, bad_setting = dv_sign_setting()
    with where.container(border=True):
        st.caption("Coordinate convention")
        st.markdown(coordinate_convention_for("procedure", system, dv_sign))
        st.caption(f"This lab's DV sign: **{dv_sign}** (setting `STEMGUI_DV_SIGN`).")
        if bad_setting:
            st.warning(bad_setting, icon=":material/warning:")
    hint = dv_hint(system, coords, dv_sign)
    if hint:
        with inputs:
            st.warning(hint, icon=":material/help:")


def saved_label(values: pp.ProcedureFormValues) -> str:
    """"Saved the virus injection."."""
    return f"Saved the {type_title(values.type).lower() or 'procedure'}."
