"""Account: change your password; with a BrainSTEM URL backend, paste your API token."""

import streamlit as st

from stemgui.gui import account_views as views
from stemgui.gui import context

user = context.require_role("viewer")

st.title("Account")
st.text(f"{user.name} ({user.username}) · role: {user.role}")
views.password_form(user)
views.backend_access(user)
