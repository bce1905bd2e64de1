"""Users (admins only): add and remove users, set roles, reset passwords."""

import streamlit as st

from stemgui.gui import admin_views as views
from stemgui.gui import context

admin = context.require_role("admin")

st.title("Users")
views.messages()
users = views.users_table()
views.add_user_form()

st.subheader("Change a user")
who = st.selectbox("User", [u.username for u in users], key="admin.who")
target = context.user_store().get(who)
if target:
    views.change_user(admin, who, target.role)
    views.reset_password(admin, who)
