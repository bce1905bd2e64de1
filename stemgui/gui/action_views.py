"""Streamlit pieces shared by the Actions and Surgery-day pages: cached loading of actions and
of the names they point to, the detail view, the delete confirmation, and the form's submit.

Session-state keys used here start with ``actions.`` (cleared on logout with everything else).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from stemgui import action_payload as ap
from stemgui import dates
from stemgui.action_table import Lookups, delete_prompt, detail_rows
from stemgui.client import BrainstemClient
from stemgui.errors import NotFound
from stemgui.gui import action_form, ui
from stemgui.gui import loaders as data


@data.cached_loader  # per user and browser session; forgotten by every ui.after_write
def _load_actions(_client: BrainstemClient, user_key: str, filters: tuple[tuple[str, str], ...]
                  ) -> list[dict]:  # fmt: skip
    return _client.list_all("action", filters=dict(filters))


def load_actions(client: BrainstemClient, user_key: str, filters: Mapping[str, str]) -> list[dict]:
    """The actions matching `filters` (filtered by the server), cached for this user."""
    return _load_actions(client, user_key, tuple(sorted(filters.items())))


def load_lookups(client: BrainstemClient, user_key: str) -> Lookups:
    """The names of subjects, brain regions, consumables and hardware devices, cached."""
    return Lookups(
        subjects=data.subject_labels(client, user_key),
        regions=data.brain_region_labels(client, user_key),
        consumables=data.consumable_labels(client, user_key),
        devices=data.hardware_device_labels(client, user_key),
        region_records=tuple(data.load_records(client, user_key, "brainregion")),
    )


def load_action(client: BrainstemClient, action_id: str) -> dict:
    """One action as stored now (NotFound if it is gone or not visible to this user)."""
    return client.load_model("action", id=action_id)["action"]


def action_of_user(client: BrainstemClient, user_key: str, action_id: str) -> dict:
    """``load_action`` in the shape ``ui.load`` calls (remembered per user while BrainSTEM is down)."""
    return load_action(client, action_id)


def find_action_of_user(client: BrainstemClient, user_key: str, action_id: str) -> dict | None:
    """``find_action`` in the shape ``ui.load`` calls."""
    return find_action(client, action_id)


def find_action(client: BrainstemClient, action_id: str) -> dict | None:
    """One action by id, or None when it is gone or not visible to this user."""
    try:
        return load_action(client, action_id)
    except NotFound:
        return None


def show_detail(action: Mapping[str, Any], lookups: Lookups) -> None:
    """Every field of `action`, related ids as names, user text shown as text."""
    rows = detail_rows(action, lookups, ui.browser_zone())
    utc = dates.utc_text(action.get("date_time"))
    left, right = st.columns(2)
    for number, (label, value) in enumerate(rows):
        with left if number < (len(rows) + 1) // 2 else right:
            ui.show_value(label, value, help=utc if label == "Date / time" else None)


def confirm_delete(client: BrainstemClient, action: Mapping[str, Any], lookups: Lookups, key: str,
                   on_deleted: Callable[[], None] | None = None) -> None:  # fmt: skip
    """Ask once more, naming the record; delete only on the explicit yes (state under `key`)."""
    st.warning(ui.plain(delete_prompt(action, lookups)), icon=":material/warning:")
    buttons = st.container(horizontal=True)
    if buttons.button("Keep it", type="primary", key=f"{key}.no"):  # the safe default
        st.session_state.pop(key, None)
        st.rerun()
    if ui.destructive_button(buttons, "Yes, delete", key=f"{key}.yes"):
        result = ui.delete("action", action["id"])  # or kept in the outbox while BrainSTEM is down
        st.session_state.pop(key, None)
        if on_deleted:
            on_deleted()
        ui.after_write(ui.queued_note() if result.queued else "Deleted the action.")
        st.rerun()


def save_and_report(client: BrainstemClient, key: str, values: ap.ActionFormValues,
                    original: Mapping[str, Any] | None = None, message: str = "Saved the action.") -> dict:
    """Save the form `key`; on success forget caches and queue `message`; on a rejection rerun."""
    saved = action_form.save_action(client, key, values, original)
    if saved is None:
        st.rerun()  # the messages show at their fields; everything typed stays
    ui.after_write(message if saved.get("id") else ui.queued_note())  # no id: kept in the outbox
    return saved
