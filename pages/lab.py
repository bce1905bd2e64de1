"""Lab: projects (and members), strains, suppliers, consumables, stocks, equipment, licenses."""

import streamlit as st

from stemgui.gui import context, lab_views, store, widgets

user = context.require_role("viewer")

st.title("Lab")
with widgets.error_boundary():
    lab_views.run(user, store.store())
