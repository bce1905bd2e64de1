"""The Users page's pieces (admins): the table, add a user, change a role, remove, reset a
password. Callbacks run before the rerun, so forms can be emptied after a success; after an error
everything typed stays. Keys start with ``admin.``.
"""

from __future__ import annotations

import streamlit as st

from stemgui.auth import ROLE_HELP, ROLES, UserError
from stemgui.errors import StemGuiError
from stemgui.gui.context import (
    CurrentUser,
    end_api_sessions,
    keep_session_after_password_change,
    sync_api_access,
    user_store,
)
from stemgui.gui.widgets import destructive_button, plain

ADD_FIELDS = ("admin.username", "admin.name", "admin.email", "admin.password")


def messages() -> None:
    """What the last action did (and a new random password, shown once)."""
    if message := st.session_state.pop("admin.message", None):
        st.success(plain(message))
    if shown_once := st.session_state.pop("admin.new_password", None):
        st.warning(plain(f"The new password of {shown_once[0]} (shown only now; pass it on safely):"))
        st.code(shown_once[1], language=None)


def users_table() -> list:
    """Every user with name, email and role."""
    users = user_store().users()
    st.dataframe(
        [{"username": u.username, "name": u.name, "email": u.email, "role": u.role} for u in users],
        hide_index=True, key="admin.table",
    )  # fmt: skip
    return users


def _add_user() -> None:
    get = st.session_state.get
    try:
        new_user = user_store().add_user(get("admin.username") or "", get("admin.password") or "",
                                         get("admin.role"), name=get("admin.name") or "",
                                         email=get("admin.email") or "")  # fmt: skip
        sync_api_access(new_user.username, new_user.role)
    except (UserError, StemGuiError) as exc:
        st.session_state["admin.add_error"] = str(exc)
        return
    st.session_state["admin.message"] = f"Added {new_user.username} as {new_user.role}."
    for key in ADD_FIELDS:
        st.session_state[key] = ""


def add_user_form() -> None:
    """The "Add a user" form."""
    with st.form("admin.add"):
        st.subheader("Add a user")
        left, right = st.columns(2)
        left.text_input("Username", key="admin.username")
        right.selectbox("Role", ROLES, format_func=lambda r: f"{r} — {ROLE_HELP[r]}", key="admin.role")
        left.text_input("Full name", key="admin.name")
        right.text_input("Email", key="admin.email")
        st.text_input("Initial password (at least 8 characters; they can change it)",
                      type="password", key="admin.password")  # fmt: skip
        st.form_submit_button("Add user", on_click=_add_user)
        if error := st.session_state.pop("admin.add_error", None):
            st.error(plain(error))


def change_user(admin: CurrentUser, who: str, role: str) -> None:
    """Set the role of ``who`` or remove them (asked once more)."""
    store = user_store()
    new_role = st.selectbox("Role", ROLES, index=ROLES.index(role), key=f"admin.newrole.{who}")
    change, remove = st.columns([1, 4])
    if change.button("Set role", key="admin.setrole"):
        try:
            store.set_role(who, new_role)
            sync_api_access(who, new_role)
            st.session_state["admin.message"] = f"{who} is now {new_role}."
            st.rerun()
        except (UserError, StemGuiError) as exc:
            st.error(plain(exc))
    if remove.button("Remove user", key="admin.remove"):
        st.session_state["admin.confirm"] = who
    if st.session_state.get("admin.confirm") == who:
        st.warning(plain(f"Remove the user “{who}”? Their records stay in the projects."))
        keep, yes = st.columns([1, 1.3])
        if keep.button("Keep", type="primary", key="admin.remove.keep"):
            st.session_state.pop("admin.confirm", None)
            st.rerun()
        if destructive_button(yes, "Yes, remove", key="admin.remove.yes"):
            try:
                store.remove_user(who, admin.username)
                sync_api_access(who, None)
                st.session_state["admin.message"] = f"Removed {who}."
            except (UserError, StemGuiError) as exc:
                st.session_state["admin.message"] = None
                st.error(plain(exc))
            else:
                st.session_state.pop("admin.confirm", None)
                st.rerun()


def _reset_password(admin_name: str, username: str) -> None:
    """A callback (so the typed password can be emptied): reset, end sessions and tokens."""
    typed = st.session_state.get(f"admin.reset_password.{username}") or ""
    try:
        password = user_store().reset_password(username, typed or None)
        end_api_sessions(username)
    except (UserError, StemGuiError) as exc:
        st.session_state["admin.reset_error"] = str(exc)
        return
    if username == admin_name:
        keep_session_after_password_change(username)
    st.session_state[f"admin.reset_password.{username}"] = ""
    st.session_state["admin.message"] = (
        f"Reset the password of {username}; their sessions and API tokens have ended."
    )
    if not typed:
        st.session_state["admin.new_password"] = (username, password)


def reset_password(admin: CurrentUser, who: str) -> None:
    """Reset the password of ``who``: typed, or random and shown once."""
    st.subheader("Reset a password")
    st.caption(plain(f"Ends every session of {who} and their API tokens. "
                     "Leave the box empty for a random password."))  # fmt: skip
    st.text_input("New password (optional)", type="password", key=f"admin.reset_password.{who}")
    st.button("Reset password", key="admin.reset", on_click=_reset_password, args=(admin.username, who))
    if error := st.session_state.pop("admin.reset_error", None):
        st.error(plain(error))
