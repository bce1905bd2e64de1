"""Users (admins only): add and remove users, set roles."""

import streamlit as st

from stemgui import ui
from stemgui.auth import ROLE_HELP, ROLES, UserError
from stemgui.errors import StemGuiError

admin = ui.require_role("admin")
store = ui.user_store()

st.title("Users")
if message := st.session_state.pop("admin.message", None):
    st.success(ui.plain(message))

users = store.users()
st.dataframe(
    [{"username": u.username, "name": u.name, "email": u.email, "role": u.role} for u in users],
    hide_index=True, key="admin.table",
)  # fmt: skip

with st.form("admin.add", clear_on_submit=True):
    st.subheader("Add a user")
    left, right = st.columns(2)
    username = left.text_input("Username", key="admin.username")
    role = right.selectbox("Role", ROLES, format_func=lambda r: f"{r} — {ROLE_HELP[r]}", key="admin.role")
    name = left.text_input("Full name", key="admin.name")
    email = right.text_input("Email", key="admin.email")
    password = st.text_input("Initial password (at least 8 characters; they can change it)",
                             type="password", key="admin.password")  # fmt: skip
    if st.form_submit_button("Add user"):
        try:
            new_user = store.add_user(username, password, role, name=name, email=email)
            ui.sync_api_access(new_user.username, role)
            st.session_state["admin.message"] = f"Added {new_user.username} as {role}."
            st.rerun()
        except (UserError, StemGuiError) as exc:
            st.error(ui.plain(exc))

st.subheader("Change a user")
others = [u.username for u in users]
who = st.selectbox("User", others, key="admin.who")
target = store.get(who)
if target:
    new_role = st.selectbox("Role", ROLES, index=ROLES.index(target.role), key=f"admin.newrole.{who}")
    change, remove = st.columns([1, 4])
    if change.button("Set role", key="admin.setrole"):
        try:
            store.set_role(who, new_role)
            ui.sync_api_access(who, new_role)
            st.session_state["admin.message"] = f"{who} is now {new_role}."
            st.rerun()
        except (UserError, StemGuiError) as exc:
            st.error(ui.plain(exc))
    if remove.button("Remove user", key="admin.remove"):
        st.session_state["admin.confirm"] = who
    if st.session_state.get("admin.confirm") == who:
        st.warning(ui.plain(f"Remove the user “{who}”? Their records stay in the projects."))
        if st.button("Yes, remove", type="primary", key="admin.remove.yes"):
            try:
                store.remove_user(who, admin.username)
                ui.sync_api_access(who, None)
                st.session_state["admin.message"] = f"Removed {who}."
            except (UserError, StemGuiError) as exc:
                st.session_state["admin.message"] = None
                st.error(ui.plain(exc))
            else:
                st.session_state.pop("admin.confirm", None)
                st.rerun()
