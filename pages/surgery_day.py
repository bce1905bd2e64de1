"""Surgery day: one subject, one date; log actions one after another, mirror, edit, delete, summary."""

import streamlit as st

from stemgui import action_payload as ap
from stemgui.gui import action_views as av
from stemgui.gui import context, store, widgets
from stemgui.gui import surgery_views as day_views

user = context.require_role("editor")

st.title("Surgery day")
with widgets.error_boundary():
    s = store.store()
    lookups = av.load_lookups(s)
    subject, day = day_views.choose_day(lookups)
    if not subject or not day:
        st.info("Choose the subject and the date of the surgery; then log its actions one after another.")
        st.stop()
    history = s.load("subject actions", av.load_actions, {"subject": subject}, similar=False)
    today = ap.day_actions(history, subject, day)
    day_views.keep_entry_open(history, subject, day)
    day_views.entry_panel(s, lookups, subject, day, today)
    day_views.day_list(s, lookups, subject, day, today)
