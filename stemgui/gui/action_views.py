"""The Actions screen on the record kit: cached loading of actions and of the names they point
to, filters, table, the detail view and the form.

Session-state keys used here start with ``actions.`` (cleared on logout with everything else).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import streamlit as st

from stemgui import action_payload as ap
from stemgui import action_table as at
from stemgui import dates
from stemgui.action_table import Lookups, detail_rows
from stemgui.client import BrainstemClient
from stemgui.gui import action_form, context, records
from stemgui.gui import loaders as data
from stemgui.gui.picker_widgets import region_filter
from stemgui.gui.records import KEEP, RecordKind, RecordScreen, Rows
from stemgui.gui.store import Store
from stemgui.gui.widgets import DATE_FORMAT, show_values
from stemgui.schemas import action_types, coordinate_systems

KIND = RecordKind("action", "actions", "action")


def _lookups(client: BrainstemClient, user_key: str) -> Lookups:
    return Lookups(
        subjects=data.subject_labels(client, user_key),
        regions=data.brain_region_labels(client, user_key),
        consumables=data.consumable_labels(client, user_key),
        devices=data.hardware_device_labels(client, user_key),
        region_records=tuple(data.load_records(client, user_key, "brainregion")),
    )


def load_lookups(store: Store) -> Lookups:
    """The names of subjects, brain regions, consumables and hardware devices (the last loaded
    while the backend is down)."""
    return store.load("action lookups", _lookups)


def show_detail(action: Mapping[str, Any], lookups: Lookups) -> None:
    """Every field of `action`, related ids as names, user text shown as text."""
    show_values(detail_rows(action, lookups, context.browser_zone()), dates.utc_text(action.get("date_time")))


# ---------------------------------------------------------------- the Actions screen


def surgical_filters(prefix: str, lookups: Lookups, types: Mapping[str, str], systems: Mapping[str, str],
                     text_label: str, type_hint: str = "All types") -> at.ActionQuery:  # fmt: skip
    """The filter bar of actions or procedures (``<prefix>.f.*``): subject, type, system, region,
    date range and text; returns what they ask for (kept across forms and pages, see KEEP)."""
    keep = {"persist_state": KEEP}
    first = st.columns([3, 2, 3, 3])
    subject = first[0].selectbox("Subject", list(lookups.subjects), format_func=lookups.subjects.get,
                                 index=None, placeholder="All subjects", key=f"{prefix}.f.subject", **keep)
    kind = first[1].selectbox("Type", list(types), format_func=types.get, index=None,
                              placeholder=type_hint, key=f"{prefix}.f.type", **keep)
    system = first[2].selectbox("Coordinates system", list(systems), format_func=systems.get,
                                index=None, placeholder="All systems", key=f"{prefix}.f.system", **keep)
    second = st.columns([2, 2, 3, 3])
    region = region_filter(prefix, lookups, second[2], first[3])
    date_from = second[0].date_input("From", value=None, key=f"{prefix}.f.from", format=DATE_FORMAT, **keep)
    date_to = second[1].date_input("To", value=None, key=f"{prefix}.f.to", format=DATE_FORMAT, **keep)
    text = second[3].text_input(text_label, key=f"{prefix}.f.text", placeholder="e.g. left", **keep)
    return at.ActionQuery(subject, kind, system, region, date_from, date_to, text.strip())


def filter_bar(lookups: Lookups) -> at.ActionQuery:
    """Subject, type, system, region, date range, text in the description."""
    return surgical_filters("actions", lookups, action_types(), coordinate_systems(), "Search description")


def load_rows(store: Store, query: at.ActionQuery, show_all: bool) -> Rows:
    """The newest matching actions (all with ``show_all``; filtered and counted by the server),
    with names instead of ids."""
    found = records.newest_rows(store, "action", at.action_filters(query), show_all)
    lookups = load_lookups(store)
    frame = at.actions_frame(found.records, lookups, query.type, context.browser_zone())
    by_id = {action["id"]: action for action in found.records}
    return Rows(frame, found.matching, found.exact, records=by_id)


def when_column() -> dict:
    zone = st.context.timezone or "UTC"
    about = f"Date and time in your browser's time zone ({zone})."
    return {"when": st.column_config.TextColumn("when", help=about)}


class ActionForm:
    """The Actions page's form (the inputs are ``action_form``'s)."""

    normalise = staticmethod(ap.writable)

    def prefill(self, key: str, mode: str, action: dict | None) -> None:
        today = dates.today(context.browser_zone())
        values = ap.values_from_action(action) if action else ap.ActionFormValues(day=today)
        records.prefill_fields(key, values, action_form.FIELDS)

    forget = staticmethod(records.forget_typed)

    def draw(self, key: str, form: dict, lookups: Lookups, store: Store) -> None:
        values = action_form.action_form(key, lookups)
        if records.save_pressed(KIND, self, key):
            unreadable = st.session_state.get(f"{key}.unreadable")
            check = lambda: ap.build_payload(values, unreadable)  # noqa: E731
            records.save_form(KIND, self, store, key, form, check, saved=lambda _: "Saved the action.",
                              is_form_field=ap.is_form_field)


SCREEN = RecordScreen(
    KIND, ActionForm(), filters=filter_bar, rows=load_rows, find=records.row_or_stored("action"),
    headline=lambda action, lookups: at.record_label(action, lookups, context.browser_zone()),
    body=show_detail, delete_prompt=at.delete_prompt, deleted=lambda action: "Deleted the action.",
    csv=at.frame_to_csv, column_config=when_column, delete_buttons="actions.confirm_delete",
    export_kind="action",
)  # fmt: skip
