"""Recently deleted (issue 15): bring back deleted records with their ids; undo this session's writes."""

import streamlit as st

from stemgui.gui import context, history_views, store, widgets

user = context.require_role("editor")

st.title("Recently deleted")
st.caption(f"Records deleted on {context.backend_name()} that you may restore: each comes back with its "
           "id, as it was when deleted.")  # fmt: skip
with widgets.error_boundary():
    s = store.store()
    history_views.recently_deleted(user, s)
    with st.expander("Undo your changes of this session", icon=":material/undo:"):
        history_views.undo_list(user)
