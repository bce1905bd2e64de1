"""Subjects: filter, browse, open one subject's page (timeline, weight curve, implant map, log);
create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui.gui import context, store, subject_views, widgets

user = context.require_role("viewer")

st.title("Subjects")
with widgets.error_boundary():
    s = store.store()
    subject_views.SCREEN.run(user, s, subject_views.load_lookups(s))
