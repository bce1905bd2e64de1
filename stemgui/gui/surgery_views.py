"""The Surgery-day screen: one subject, one date; the entry form (each new entry starts from the
last one), the running list with Mirror / Edit / Delete, and the summary to copy.

The entry form is ``action_form``'s, saved through the record kit like the Actions page's.
Session-state keys start with ``actions.day.``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

import streamlit as st

from stemgui import action_payload as ap
from stemgui import action_table as at
from stemgui.actions import action_summary, latest_action
from stemgui.gui import action_form as af
from stemgui.gui import action_views as av
from stemgui.gui import records
from stemgui.gui.store import Store
from stemgui.gui.widgets import plain

DAY = records.RecordKind("action", "actions.day", "entry", form_name="actions.day.entry")
ENTRY = DAY.form  # {"context": (subject, day), "mode": new|edit, "id": ..., "key": ..., "nonce": n}
CONFIRM = "actions.day.confirm_delete"
MIRROR_HELP = "Log the twin of this entry: left–right (ML or x) and its tilt negated, region kept."


def choose_day(lookups: at.Lookups) -> tuple[str | None, date | None]:
    """The subject and the date of the surgery, chosen once for the page."""
    top = st.columns([3, 2, 5])
    subject = top[0].selectbox("Subject", list(lookups.subjects), format_func=lookups.subjects.get,
                               index=None, placeholder="Choose the subject…", key="actions.day.subject")
    day = top[1].date_input("Date", value=date.today(), key="actions.day.date", format="YYYY-MM-DD")
    return subject, day


class EntryForm:
    """The entry form's start: an edit from the action as stored; a new entry from the last one.
    (The kit opens and closes it; ``entry_panel`` draws it beside the day's list.)"""

    normalise = staticmethod(af.as_action_payload)

    def __init__(self, subject: str, day: date) -> None:
        self.subject, self.day = subject, day

    def prefill(self, key: str, mode: str, action: dict | None) -> None:
        editing = mode == "edit"
        af.open_action_form(key, ap.values_from_action(action) if editing else
                            ap.next_entry_values(action, self.subject, self.day))  # fmt: skip

    def forget(self, key: str) -> None:
        af.close_action_form(key)


def open_entry(subject: str, day: date, mode: str = "new", action: dict | None = None) -> None:
    """Open the entry form: a new entry from `action` (the last one logged), or an edit of it."""
    form = EntryForm(subject, day)
    records.close_form(DAY, form)
    records.open_form(DAY, form, mode, action, context=(subject, day))


def keep_entry_open(history: list, subject: str, day: date) -> None:
    """A new subject or date starts a new entry from the subject's last action."""
    if st.session_state.get(ENTRY, {}).get("context") != (subject, day):
        open_entry(subject, day, action=latest_action(history, subject))


def entry_panel(store: Store, lookups: at.Lookups, subject: str, day: date, today: list) -> None:
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
            if not editing:  # a new entry left without a time is logged at the time of saving
                values = replace(values, time=ap.entry_clock(values.time, datetime.now()))
            original = av.load_action(store, entry["id"]) if editing else None
            saved = av.save_and_report(store, entry["key"], values, original,
                                       "Saved the entry." if editing else "Logged the entry.")
            open_entry(subject, day, action=saved)
            st.rerun()
        if editing and cancel.button("Cancel", key=f"{entry['key']}.cancel"):
            open_entry(subject, day, action=latest_action(today))
            st.rerun()


def entry_row(store: Store, lookups: at.Lookups, number: int, action: dict, subject: str, day: date) -> None:
    """One logged action: what it was, and Mirror / Edit / Delete."""
    with st.container(border=True):
        text, mirror, edit, delete = st.columns([6, 4, 1, 1], vertical_alignment="center")
        text.text(at.entry_lines(number, action, lookups))
        if mirror.button("Mirror to the other hemisphere", key=f"actions.day.mirror.{action['id']}",
                         icon=":material/flip:", help=MIRROR_HELP):
            twin = ap.mirrored_payload(action, ap.twin_time(action, day, datetime.now()))
            result = store.save("action", twin)
            store.report(result, "Logged the mirrored twin.")
            if st.session_state[ENTRY]["mode"] == "new":
                open_entry(subject, day, action=result.record or twin)
            st.rerun()
        if edit.button("", key=f"actions.day.edit.{action['id']}", icon=":material/edit:", help="Edit"):
            open_entry(subject, day, mode="edit", action=action)
            st.rerun()
        if delete.button("", key=f"actions.day.delete.{action['id']}", icon=":material/delete:",
                         help="Delete"):
            st.session_state[CONFIRM] = action["id"]
        if st.session_state.get(CONFIRM) == action["id"]:
            records.confirm_delete(store, "action", action["id"], at.delete_prompt(action, lookups),
                                   state_key=CONFIRM, buttons_key=CONFIRM, message="Deleted the action.",
                                   on_deleted=lambda: _forget(action, subject, day))  # fmt: skip


def _forget(action: dict, subject: str, day: date) -> None:
    """After a delete: an edit of the deleted entry becomes a new entry starting from it."""
    if st.session_state[ENTRY]["id"] == action["id"]:
        open_entry(subject, day, action=action)


def day_list(store: Store, lookups: at.Lookups, subject: str, day: date, today: list) -> None:
    """The entries logged so far, and the summary to copy into the surgery record."""
    st.subheader(plain(f"{lookups.name('subject', subject)} — {day.isoformat()}"), anchor=False)
    for number, action in enumerate(today, start=1):
        entry_row(store, lookups, number, action, subject, day)
    st.caption("Summary for the surgery record (copy with the button at its top right)")
    summary = action_summary(today, lookups.all_labels())
    st.code(at.day_record(lookups.name("subject", subject), day, summary), language=None, wrap_lines=True)
