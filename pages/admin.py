"""Users (admins only): add and remove users, set roles, reset passwords."""

import streamlit as st

from stemgui.auth import ROLE_HELP, ROLES, UserError
from stemgui.errors import StemGuiError
from stemgui.gui import ui

admin = ui.require_role("admin")
store = ui.user_store()

st.title("Users")
if message := st.session_state.pop("admin.message", None):
    st.success(ui.plain(message))
if shown_once := st.session_state.pop("admin.new_password", None):
    st.warning(ui.plain(f"The new password of {shown_once[0]} (shown only now; pass it on safely):"))
    st.code(shown_once[1], language=None)

users = store.users()
st.dataframe(
    [{"username": u.username, "name": u.name, "email": u.email, "role": u.role} for u in users],
    hide_index=True, key="admin.table",
)  # fmt: skip

ADD_FIELDS = ("admin.username", "admin.name", "admin.email", "admin.password")


def add_user() -> None:
    """Runs before the rerun (a callback), where the form may still be emptied after a success;
    after an error everything typed stays for the fix."""
    get = st.session_state.get
    try:
        new_user = store.add_user(get("admin.username") or "", get("admin.password") or "", get("admin.role"),
                                  name=get("admin.name") or "", email=get("admin.email") or "")  # fmt: skip
        ui.sync_api_access(new_user.username, new_user.role)
    except (UserError, StemGuiError) as exc:
        st.session_state["admin.add_error"] = str(exc)
        return
    st.session_state["admin.message"] = f"Added {new_user.username} as {new_user.role}."
    for key in ADD_FIELDS:
        st.session_state[key] = ""


with st.form("admin.add"):
    st.subheader("Add a user")
    left, right = st.columns(2)
    left.text_input("Username", key="admin.username")
    right.selectbox("Role", ROLES, format_func=lambda r: f"{r} — {ROLE_HELP[r]}", key="admin.role")
    left.text_input("Full name", key="admin.name")
    right.text_input("Email", key="admin.email")
    st.text_input("Initial password (at least 8 characters; they can change it)",
                  type="password", key="admin.password")  # fmt: skip
    st.form_submit_button("Add user", on_click=add_user)
    if error := st.session_state.pop("admin.add_error", None):
        st.error(ui.plain(error))

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
        keep, yes = st.columns([1, 1.3])
        if keep.button("Keep", type="primary", key="admin.remove.keep"):
            st.session_state.pop("admin.confirm", None)
            st.rerun()
        if ui.destructive_button(yes, "Yes, remove", key="admin.remove.yes"):
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


def reset_password(username: str) -> None:
    """A callback (so the typed password can be emptied): reset, end sessions and tokens."""
    typed = st.session_state.get(f"admin.reset_password.{username}") or ""
    try:
        password = store.reset_password(username, typed or None)
        ui.end_api_sessions(username)
    except (UserError, StemGuiError) as exc:
        st.session_state["admin.reset_error"] = str(exc)
        return
    if username == admin.username:
        ui.keep_session_after_password_change(username)
    st.session_state[f"admin.reset_password.{username}"] = ""
    st.session_state["admin.message"] = (
        f"Reset the password of {username}; their sessions and API tokens have ended."
    )
    if not typed:
        st.session_state["admin.new_password"] = (username, password)


if target:
    st.subheader("Reset a password")
    st.caption(ui.plain(f"Ends every session of {who} and their API tokens. "
                        "Leave the box empty for a random password."))  # fmt: skip
    st.text_input("New password (optional)", type="password", key=f"admin.reset_password.{who}")
    st.button("Reset password", key="admin.reset", on_click=reset_password, args=(who,))
    if error := st.session_state.pop("admin.reset_error", None):
        st.error(ui.plain(error))
