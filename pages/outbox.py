"""Outbox: what was saved locally while BrainSTEM did not answer — retry, edit or discard it."""

import streamlit as st

from stemgui.gui import context, outbox_views, store

user = context.require_role("editor")
s = store.store()

st.title("Outbox")
st.caption(f"Changes saved on this machine while {context.backend_name()} did not answer. They are sent by "
           "themselves once it answers again; changes it refused wait here for you.")  # fmt: skip
entries = s.outbox.entries()
if not entries:
    st.success(f"Nothing waiting — everything you saved has reached {context.backend_name()}.")
else:
    outbox_views.send_all(s)
    for item in entries:
        outbox_views.entry_card(s, item)
