"""Import: subjects, sessions and procedures (actions) from a CSV/XLSX, dry run first (editors)."""

import streamlit as st

from stemgui.gui import context, import_views, store, widgets

context.require_role("editor")

st.title("Import")
st.caption("Upload a spreadsheet: every row is checked first and nothing is written until you commit. "
           "A file imported again creates nothing new.")  # fmt: skip
with widgets.error_boundary():
    import_views.page(store.store())
