"""Surgery day (issue 14): one subject's surgery on one date — plan, confirm each step, the record in view."""

import streamlit as st

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
        st.info("Choose the subject and the date of the surgery; then plan it or log its steps one by one.")
        st.stop()
    surgery = day_views.load_surgery(s, day_views.model_of(s), subject, day)
    day_views.keep_entry_open(surgery)
    day_views.plan_bar(s, lookups, surgery)
    left, right = st.columns([3, 2], gap="medium")
    with left:
        day_views.entry_panel(s, lookups, surgery)
    with right:
        day_views.steps_panel(s, lookups, surgery)
