"""The Outbox page's pieces: one card per waiting entry (retry, edit its fields, discard, open a
new session in its form) and the toasts that say what a retry or flush did.

Words and JSON live in ``stemgui.outbox_text`` (no Streamlit). Keys start with ``outbox.``.
"""

from __future__ import annotations

import streamlit as st

from stemgui import dates, display
from stemgui import outbox_text as text
from stemgui import session_form as sf
from stemgui.form_errors import server_field_errors
from stemgui.gui import context, session_views
from stemgui.gui import loaders as data
from stemgui.gui.store import Store
from stemgui.gui.widgets import QueuedNote, destructive_button, error_boundary, plain, queue_toast
from stemgui.outbox import Entry, FlushReport

EDIT = "outbox.editing"  # the entry id whose fields are open for editing
CONFIRM = "outbox.confirm"  # the entry id whose discard is being confirmed


def report_outcome(report: FlushReport) -> None:
    """Say what a retry or flush did (as toasts on the next run)."""
    if report.sent:
        data.clear_caches()
        queue_toast(f"Sent {display.count_text(len(report.sent), 'change')}.")
    if report.rejected:
        refused = display.count_text(len(report.rejected), "change")
        queue_toast(f"{display.capital(context.backend_name())} refused {refused}: fix the fields shown.")
    if report.error:
        queue_toast(QueuedNote(f"Still waiting: {report.error}"))
    if report.busy:
        queue_toast("Another tab is sending your waiting changes right now.")


def send_all(store: Store) -> None:
    """The "Send all now" button: flush the outbox now."""
    if st.button("Send all now", key="outbox.flush", type="primary", icon=":material/cloud_upload:"):
        with error_boundary():
            report_outcome(store.outbox.flush(store.client))
            st.rerun()


def edit_fields(store: Store, entry: Entry) -> None:
    """The entry's fields as JSON; saving them makes the entry wait to be sent again."""
    key = f"outbox.json.{entry.id}.{entry.version}"
    typed = st.text_area("Fields (JSON)", text.fields_text(entry), key=key, height=220)
    keep, close = st.columns([1, 5])
    if keep.button("Save changes", key=f"outbox.keep.{entry.id}", type="primary"):
        with error_boundary():  # bad JSON, or a full or read-only disk: said plainly, the edit stays open
            store.outbox.update_payload(entry.id, text.parse_fields(typed))
            st.session_state.pop(EDIT, None)
            queue_toast(QueuedNote("Changes kept; the entry waits to be sent again."))
            st.rerun()
    if close.button("Close", key=f"outbox.close.{entry.id}"):
        st.session_state.pop(EDIT, None)
        st.rerun()


def entry_card(store: Store, entry: Entry) -> None:
    """One waiting entry with its state, the server's field errors, and what the user can do."""
    with st.container(border=True):
        st.markdown(f"**{plain(text.label(entry))}**")
        refused = entry.state == "rejected"
        state = f"refused by {context.backend_name()} — fix and retry" if refused else "waiting to be sent"
        saved = dates.when_text(entry.created_at, context.browser_zone())
        st.caption(plain(f"Saved locally {saved} · {state} · tries: {entry.attempts}"),
                   help=dates.utc_text(entry.created_at) or None)  # fmt: skip
        if entry.last_error:
            (st.error if refused else st.info)(plain(entry.last_error))
        for line in text.field_messages(entry):
            st.error(plain(line), icon=":material/error:")
        _buttons(store, entry)
        if st.session_state.get(EDIT) == entry.id:
            edit_fields(store, entry)


def _buttons(store: Store, entry: Entry) -> None:
    retry, edit, discard, form = st.columns([1, 1, 1, 4])
    if entry.model == "session" and entry.operation == "create" and form.button(
        "Open in the session form", key=f"outbox.form.{entry.id}", icon=":material/edit_note:"
    ):
        fields = sf.FORM_FIELDS.__contains__
        errors = server_field_errors(text.rejection(entry), fields) if entry.field_errors else {}
        session_views.open_outbox_entry(entry.id, entry.payload, errors)
        st.switch_page("pages/sessions.py")
    if retry.button("Retry", key=f"outbox.retry.{entry.id}", icon=":material/send:"):
        with error_boundary():
            report_outcome(store.outbox.retry(entry.id, store.client))
            st.rerun()
    if edit.button("Edit", key=f"outbox.edit.{entry.id}", icon=":material/edit:"):
        st.session_state[EDIT] = entry.id
    if discard.button("Discard", key=f"outbox.discard.{entry.id}", icon=":material/delete:"):
        st.session_state[CONFIRM] = entry.id
    if st.session_state.get(CONFIRM) == entry.id:
        st.warning(plain(f"Discard “{text.label(entry)}”? It was never sent; it will be gone."))
        if destructive_button(st, "Yes, discard", key=f"outbox.discard.yes.{entry.id}"):
            with error_boundary():
                store.outbox.discard(entry.id)
                st.session_state.pop(CONFIRM, None)
                queue_toast("Discarded.")
                st.rerun()
