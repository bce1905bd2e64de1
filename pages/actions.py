"""Actions: filter, browse, open one; create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui.gui import action_views, context, store, widgets

user = context.require_role("viewer")

st.title("Actions")
with widgets.error_boundary():
    s = store.store()
    action_views.SCREEN.run(user, s, action_views.load_lookups(s))
