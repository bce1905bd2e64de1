"""Sessions: filter, browse, open one; create, edit, duplicate, delete (editors)."""

import streamlit as st

from stemgui import data, ui
from stemgui import session_views as views
from stemgui.errors import NotFound

user = ui.require_role("viewer")

st.title("Sessions")
with ui.error_boundary():
    client = ui.client()
    key = ui.user_key()
    projects = data.project_labels(client, key)
    tags = data.load_all_tags(client, key)
    if views.FORM in st.session_state and user.can_write:
        views.session_form(client, projects, tags)  # a focused form; the list returns after Save/Cancel
        st.stop()
    if user.can_write and st.button("New session", type="primary", key="sessions.new", icon=":material/add:"):
        views.open_form("create")
        st.rerun()
    query = views.filter_bar(projects, tags)
    limit = None if st.session_state.get("sessions.show_all") else data.ROW_LIMIT
    rows = data.load_session_rows(client, key, query, limit)
    views.sessions_table(data.load_sessions_frame(client, key, query, limit), rows, query)
    if views.selected_id():
        try:
            session = data.load_session(client, key, views.selected_id())
        except NotFound:
            st.warning("That session does not exist (any more), or you cannot see it.")
        else:
            views.detail_panel(client, user, session, projects)
