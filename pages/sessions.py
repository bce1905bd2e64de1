"""Sessions: filter, browse, open one; create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui.gui import context, session_views, store, widgets

user = context.require_role("viewer")

st.title("Sessions")
with widgets.error_boundary():
    s = store.store()
    session_views.SCREEN.run(user, s, session_views.load_lookups(s))
