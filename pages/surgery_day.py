"""Surgery day: one subject, one date; log actions one after another, mirror, edit, delete, summary."""

from dataclasses import replace
from datetime import date, datetime

import streamlit as st

from stemgui import action_payload as ap
from stemgui import action_table as at
from stemgui.actions import action_summary, latest_action
from stemgui.gui import action_form as af
from stemgui.gui import action_views as av
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import ui

user = ui.require_role("editor")
ENTRY = "actions.day.entry"  # {"context": (subject, day), "mode": new|edit, "id": ..., "key": ...}
CONFIRM = "actions.day.confirm_delete"
MIRROR_HELP = "Log the twin of this entry: left–right (ML or x) and its tilt negated, region kept."


def open_entry(subject: str, day: date, mode: str = "new", action: dict | None = None) -> None:
    """Open the entry form: a new entry from `action` (the last one logged), or an edit of it."""
    old = st.session_state.get(ENTRY)
    if old:
        af.close_action_form(old["key"])
    nonce = st.session_state.get("actions.day.nonce", 0) + 1
    st.session_state["actions.day.nonce"] = nonce
    key = f"{ENTRY}.{nonce}"
    opened = conflicts.open_for_edit("action", action) if mode == "edit" else None
    action = opened.record if opened else action  # an edit starts from the action as stored now
    values = ap.values_from_action(action) if mode == "edit" else ap.next_entry_values(action, subject, day)
    af.open_action_form(key, values)
    if opened:
        conflicts.remember_opened(key, af.as_action_payload(action), opened.etag)
    st.session_state[ENTRY] = {"context": (subject, day), "mode": mode, "id": (action or {}).get("id"),
                               "key": key}


def entry_panel(client, lookups: at.Lookups, subject: str, day: date, today: list) -> None:
    """The form of the next entry (or of the entry being edited) with its Save button."""
    entry = st.session_state[ENTRY]
    editing = entry["mode"] == "edit"
    with st.container(border=True):
        if editing:
            st.subheader("Edit entry")
        else:
            st.subheader(f"Entry {len(today) + 1}")
            st.caption("Starts from the last action logged for this subject: change what differs, then Log.")
        values = af.action_form(entry["key"], lookups, day_fixed=True)
        save, cancel = st.columns([1, 6])
        if save.button("Save" if editing else "Log", type="primary", key=f"{entry['key']}.save"):
            if not editing and values.time is None:
                values = replace(values, time=datetime.now().time().replace(microsecond=0))
            original = ui.load("action", av.action_of_user, entry["id"], similar=False) if editing else None
            saved = av.save_and_report(client, entry["key"], values, original,
                                       "Saved the entry." if editing else "Logged the entry.")
            open_entry(subject, day, action=saved)
            st.rerun()
        if editing and cancel.button("Cancel", key=f"{entry['key']}.cancel"):
            open_entry(subject, day, action=latest_action(today))
            st.rerun()


def entry_row(client, lookups: at.Lookups, number: int, action: dict, subject: str, day: date) -> None:
    """One logged action: what it was, and Mirror / Edit / Delete."""
    with st.container(border=True):
        text, mirror, edit, delete = st.columns([6, 4, 1, 1], vertical_alignment="center")
        text.text(at.entry_lines(number, action, lookups))
        if mirror.button("Mirror to the other hemisphere", key=f"actions.day.mirror.{action['id']}",
                         icon=":material/flip:", help=MIRROR_HELP):
            twin_time = ap.twin_time(action, day, datetime.now())
            result = ui.save("action", ap.mirrored_payload(action, twin_time))
            twin = result.record or ap.mirrored_payload(action, twin_time)
            ui.after_write(ui.queued_note() if result.queued else "Logged the mirrored twin.")
            if st.session_state[ENTRY]["mode"] == "new":
                open_entry(subject, day, action=twin)
            st.rerun()
        if edit.button("", key=f"actions.day.edit.{action['id']}", icon=":material/edit:", help="Edit"):
            open_entry(subject, day, mode="edit", action=action)
            st.rerun()
        if delete.button("", key=f"actions.day.delete.{action['id']}", icon=":material/delete:",
                         help="Delete"):
            st.session_state[CONFIRM] = action["id"]
        if st.session_state.get(CONFIRM) == action["id"]:
            av.confirm_delete(client, action, lookups, CONFIRM,
                              on_deleted=lambda: forget(action, subject, day))


def forget(action: dict, subject: str, day: date) -> None:
    """After a delete: an edit of the deleted entry becomes a new entry starting from it."""
    if st.session_state[ENTRY]["id"] == action["id"]:
        open_entry(subject, day, action=action)


st.title("Surgery day")
with ui.error_boundary():
    client = ui.client()
    lookups = ui.load("action lookups", av.load_lookups)
    top = st.columns([3, 2, 5])
    subject = top[0].selectbox("Subject", list(lookups.subjects), format_func=lookups.subjects.get,
                               index=None, placeholder="Choose the subject…", key="actions.day.subject")
    day = top[1].date_input("Date", value=date.today(), key="actions.day.date", format="YYYY-MM-DD")
    if not subject or not day:
        st.info("Choose the subject and the date of the surgery; then log its actions one after another.")
        st.stop()
    history = ui.load("subject actions", av.load_actions, {"subject": subject}, similar=False)
    today = ap.day_actions(history, subject, day)
    if st.session_state.get(ENTRY, {}).get("context") != (subject, day):
        open_entry(subject, day, action=latest_action(history, subject))
    entry_panel(client, lookups, subject, day, today)
    st.subheader(ui.plain(f"{lookups.name('subject', subject)} — {day.isoformat()}"), anchor=False)
    for number, action in enumerate(today, start=1):
        entry_row(client, lookups, number, action, subject, day)
    st.caption("Summary for the surgery record (copy with the button at its top right)")
    summary = action_summary(today, lookups.all_labels())
    st.code(at.day_record(lookups.name("subject", subject), day, summary), language=None, wrap_lines=True)
