"""The Procedures screen on the record kit (today's BrainSTEM), and the page that shows
procedures or actions, whichever the backend keeps (``surgery_kind``).

Beyond the kit: a record whose schema version this app does not ship is shown read-only (its
values as JSON; Edit and Duplicate disabled with the reason); "Mirror" opens a new procedure
with the other hemisphere's coordinates; the "Map" under the table places every target of the
filtered procedures on the schematic brain, coloured by subject (``procedure_map``).

Session-state keys used here start with ``procedures.``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from stemgui import dates, surgery_model
from stemgui import procedure_payload as pp
from stemgui import procedure_table as pt
from stemgui.action_table import frame_to_csv
from stemgui.client import BrainstemClient
from stemgui.errors import StemGuiError
from stemgui.gui import action_views, context, procedure_form, procedure_map, records
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.records import RecordKind, RecordScreen, Rows
from stemgui.gui.store import Store
from stemgui.gui.surgery_kind import decided_model
from stemgui.gui.widgets import plain, show_values
from stemgui.mirror import MirrorError
from stemgui.models_current import current_coordinate_systems
from stemgui.procedure_pickers import load_pickers
from stemgui.procedure_types import option_label, picker_options

KIND = RecordKind("procedure", "procedures", "procedure")


@data.cached_loader
def _pickers(_client: BrainstemClient, user_key: str):
    return load_pickers(_client)


def _lookups(client: BrainstemClient, user_key: str) -> pt.ProcedureLookups:
    pickers = _pickers(client, user_key)
    return pt.ProcedureLookups(
        subjects=data.subject_labels(client, user_key), regions=data.brain_region_labels(client, user_key),
        stocks=pickers.stocks, equipment=pickers.equipment, licenses=pickers.licenses,
        region_records=tuple(data.load_records(client, user_key, "brainregion")),
    )  # fmt: skip


def load_lookups(store: Store) -> pt.ProcedureLookups:
    """The names of subjects, regions, stocks, equipment and licenses (the last loaded while the
    backend is down)."""
    return store.load("procedure lookups", _lookups)


def filter_bar(lookups: pt.ProcedureLookups) -> pt.ProcedureQuery:
    """Subject, type (grouped), system, region, date range, text in notes."""
    types = {name: option_label(name) for name in picker_options("")}
    return action_views.surgical_filters("procedures", lookups, types, current_coordinate_systems(),
                                         "Search notes", type_hint="All types (type to search)")


def load_rows(store: Store, query: pt.ProcedureQuery, show_all: bool) -> Rows:
    """The newest matching procedures (all with ``show_all``; filtered, sorted and counted by the
    server: issue 17, where every match was read), with names instead of ids."""
    found = records.newest_rows(store, "procedure", pt.procedure_filters(query), show_all)
    frame = pt.procedures_frame(found.records, load_lookups(store), query.type, context.browser_zone())
    return Rows(frame, found.matching, found.exact, records={p["id"]: p for p in found.records})


def show_detail(procedure: Mapping[str, Any], lookups: pt.ProcedureLookups) -> None:
    """Every field, names for ids, both schema versions; values of an unshipped version as JSON."""
    rows = [row for row in pt.detail_rows(procedure, lookups, context.browser_zone()) if row[1]]
    show_values(rows, dates.utc_text(procedure.get("date_time")))
    for label, why, text in pt.unshipped_rows(procedure):
        st.warning(f"{label}: {plain(why)}.", icon=":material/lock:")
        st.code(text, language="json")


class ProcedureForm:
    """The Procedures page's form (inputs: ``procedure_form``)."""

    normalise = staticmethod(pp.writable)

    def prefill(self, key: str, mode: str, procedure: dict | None) -> None:
        if procedure:
            values = pp.values_from_procedure(procedure)
        else:
            values = pp.ProcedureFormValues(day=dates.today(context.browser_zone()))
        records.prefill_fields(key, values, procedure_form.FIELDS)

    forget = staticmethod(records.forget_typed)

    def draw(self, key: str, form: dict, lookups: pt.ProcedureLookups, store: Store) -> None:
        if form.get("note"):
            st.info(form["note"], icon=":material/flip:")
        values = procedure_form.procedure_form(key, lookups, store)
        if records.save_pressed(KIND, self, key):
            unreadable = st.session_state.get(f"{key}.unreadable")
            check = lambda: pp.build_procedure_payload(values, unreadable)  # noqa: E731
            records.save_form(KIND, self, store, key, form, check, is_form_field=pp.is_form_field,
                              saved=lambda _: procedure_form.saved_label(values))


class ProcedureScreen(RecordScreen):
    """The kit's screen, with the map under the table, read-only records of a version this app
    does not ship, and Mirror."""

    def under_table(self, rows: Rows, lookups: Any) -> None:
        procedure_map.map_section(list(rows.records.values()), lookups)

    def locked(self, record: dict) -> str | None:
        why = "; ".join(pp.unshipped_versions(record).values())
        return f"Read-only: {why}." if why else None

    def more_buttons(self, buttons: Any, record: dict, locked: str | None) -> None:
        mirror_help = locked or "A new procedure at the other hemisphere's coordinates."
        if buttons.button("Mirror", key=f"{self.kind.prefix}.mirror", icon=":material/flip:",
                          disabled=bool(locked), help=mirror_help):
            self._mirror(record)

    def _mirror(self, record: dict) -> None:
        try:
            twin = pp.mirrored_procedure(record, record.get("date_time"))
        except MirrorError as exc:
            st.error(plain(exc.message), icon=":material/error:")
            return
        note = "The other hemisphere's twin of the chosen procedure: check the coordinates, then Save."
        records.open_form(self.kind, self.form, "duplicate", twin, note=note)
        st.rerun()


SCREEN = ProcedureScreen(
    KIND, ProcedureForm(), filters=filter_bar, rows=load_rows, find=records.row_or_stored("procedure"),
    headline=lambda procedure, lookups: pt.record_label(procedure, lookups, context.browser_zone()),
    body=show_detail, delete_prompt=pt.delete_prompt, deleted=lambda procedure: "Deleted the procedure.",
    csv=frame_to_csv, column_config=action_views.when_column, export_kind="procedure",
)  # fmt: skip


def run_page(user: CurrentUser) -> None:
    """The surgery records page: procedures when the backend keeps them, else the seed's actions
    (the page's title says which); a setting or backend that cannot tell is a message."""
    try:
        model = decided_model(user)
    except StemGuiError as exc:
        st.title("Procedures")
        st.error(plain(exc.message), icon=":material/error:")
        return
    names = surgery_model.surgery_names(model)
    st.title(names.page_title)
    s = Store(user)
    if model == surgery_model.ACTION:
        action_views.SCREEN.run(user, s, action_views.load_lookups(s))
    else:
        SCREEN.run(user, s, load_lookups(s))
