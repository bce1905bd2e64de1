"""Outbox: what was saved locally while BrainSTEM did not answer — retry, edit or discard it."""

import json

import streamlit as st

from stemgui import dates, display
from stemgui import session_form as sf
from stemgui.errors import ValidationFailed
from stemgui.gui import loaders as data
from stemgui.gui import session_views as views
from stemgui.gui import ui
from stemgui.gui.offline import QueuedNote
from stemgui.outbox import Entry, FlushReport

user = ui.require_role("editor")
EDIT = "outbox.editing"  # the entry id whose fields are open for editing


def label(entry: Entry) -> str:
    """What the entry is about, in words."""
    payload = entry.payload
    what = payload.get("name") or payload.get("type") or entry.record_id or "record"
    verbs = {"create": "New", "update": "Change to", "delete": "Delete"}
    return f"{verbs.get(entry.operation, entry.operation)} {entry.model} “{what}”"


def report_outcome(report: FlushReport) -> None:
    """Say what a retry or flush did (as toasts on the next run)."""
    if report.sent:
        data.clear_caches()
        ui.queue_toast(f"Sent {display.count_text(len(report.sent), 'change')}.")
    if report.rejected:
        refused = display.count_text(len(report.rejected), "change")
        ui.queue_toast(f"{display.capital(ui.backend_name())} refused {refused}: fix the fields shown.")
    if report.error:
        ui.queue_toast(QueuedNote(f"Still waiting: {report.error}"))
    if report.busy:
        ui.queue_toast("Another tab is sending your waiting changes right now.")


def edit_fields(entry: Entry) -> None:
    """The entry's fields as JSON; saving them makes the entry wait to be sent again."""
    key = f"outbox.json.{entry.id}.{entry.version}"
    text = st.text_area("Fields (JSON)", json.dumps(entry.payload, indent=2, ensure_ascii=False),
                        key=key, height=220)  # fmt: skip
    keep, close = st.columns([1, 5])
    if keep.button("Save changes", key=f"outbox.keep.{entry.id}", type="primary"):
        try:
            payload = json.loads(text)
        except ValueError as exc:
            st.error(ui.plain(f"That is not valid JSON: {exc}"))
            return
        if not isinstance(payload, dict):
            st.error("The fields must be a JSON object: { \"name\": ... }.")
            return
        with ui.error_boundary():  # a full or read-only disk: said plainly, the edit stays open
            box.update_payload(entry.id, payload)
            st.session_state.pop(EDIT, None)
            ui.queue_toast(QueuedNote("Changes kept; the entry waits to be sent again."))
            st.rerun()
    if close.button("Close", key=f"outbox.close.{entry.id}"):
        st.session_state.pop(EDIT, None)
        st.rerun()


def entry_card(entry: Entry) -> None:
    """One waiting entry with its state, the server's field errors, and what the user can do."""
    with st.container(border=True):
        st.markdown(f"**{ui.plain(label(entry))}**")
        refused = entry.state == "rejected"
        state = f"refused by {ui.backend_name()} — fix and retry" if refused else "waiting to be sent"
        saved = dates.when_text(entry.created_at, ui.browser_zone())
        st.caption(ui.plain(f"Saved locally {saved} · {state} · tries: {entry.attempts}"),
                   help=dates.utc_text(entry.created_at) or None)  # fmt: skip
        if entry.last_error:
            show = st.error if entry.state == "rejected" else st.info
            show(ui.plain(entry.last_error))
        for field, messages in entry.field_errors.items():
            text = " ".join(messages) if isinstance(messages, list) else str(messages)
            st.error(ui.plain(f"{field}: {text}"), icon=":material/error:")
        retry, edit, discard, form = st.columns([1, 1, 1, 4])
        if entry.model == "session" and entry.operation == "create" and form.button(
            "Open in the session form", key=f"outbox.form.{entry.id}", icon=":material/edit_note:"
        ):
            rejected = ValidationFailed(entry.last_error or "", entry.field_errors)
            errors = sf.server_field_errors(rejected) if entry.field_errors else {}
            views.open_form("outbox", entry.payload, entry=entry.id, errors=errors)
            st.switch_page("pages/sessions.py")
        if retry.button("Retry", key=f"outbox.retry.{entry.id}", icon=":material/send:"):
            with ui.error_boundary():
                report_outcome(box.retry(entry.id, ui.client()))
                st.rerun()
        if edit.button("Edit", key=f"outbox.edit.{entry.id}", icon=":material/edit:"):
            st.session_state[EDIT] = entry.id
        if discard.button("Discard", key=f"outbox.discard.{entry.id}", icon=":material/delete:"):
            st.session_state["outbox.confirm"] = entry.id
        if st.session_state.get("outbox.confirm") == entry.id:
            st.warning(ui.plain(f"Discard “{label(entry)}”? It was never sent; it will be gone."))
            if ui.destructive_button(st, "Yes, discard", key=f"outbox.discard.yes.{entry.id}"):
                with ui.error_boundary():
                    box.discard(entry.id)
                    st.session_state.pop("outbox.confirm", None)
                    ui.queue_toast("Discarded.")
                    st.rerun()
        if st.session_state.get(EDIT) == entry.id:
            edit_fields(entry)


st.title("Outbox")
st.caption(f"Changes saved on this machine while {ui.backend_name()} did not answer. They are sent by "
           "themselves once it answers again; changes it refused wait here for you.")  # fmt: skip
box = ui.outbox()
entries = box.entries()
if not entries:
    st.success(f"Nothing waiting — everything you saved has reached {ui.backend_name()}.")
else:
    if st.button("Send all now", key="outbox.flush", type="primary", icon=":material/cloud_upload:"):
        with ui.error_boundary():
            report_outcome(box.flush(ui.client()))
            st.rerun()
    for item in entries:
        entry_card(item)
