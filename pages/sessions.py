"""Sessions: filter, browse, open one; create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui.errors import NotFound
from stemgui.gui import loaders as data
from stemgui.gui import session_views as views
from stemgui.gui import ui

user = ui.require_role("viewer")

st.title("Sessions")
with ui.error_boundary():
    client = ui.client()
    projects = ui.load("projects", data.load_labels, "project")  # the last loaded while BrainSTEM is down
    tags = ui.load("tags", data.load_all_tags)
    if views.FORM in st.session_state and user.can_write:
        views.session_form(client, projects, tags)  # a focused form; the list returns after Save/Cancel
        st.stop()
    if user.can_write and st.button("New session", type="primary", key="sessions.new", icon=":material/add:"):
        views.open_form("create")
        st.rerun()
    query = views.filter_bar(projects, tags)
    limit = None if views.show_all() else data.ROW_LIMIT
    rows = ui.load("session rows", data.load_session_rows, query, limit)
    views.sessions_table(ui.load("sessions frame", data.load_sessions_frame, query, limit), rows, query)
    if views.selected_id():
        try:
            session = ui.load("session", data.load_session, views.selected_id(), similar=False)
        except NotFound:
            st.warning("That session does not exist (any more), or you cannot see it.")
        else:
            views.detail_panel(client, user, session, projects)
