"""The Account page's pieces: change one's password; with a BrainSTEM URL backend, paste,
keep or forget one's API token. Keys start with ``account.``.
"""

from __future__ import annotations

import streamlit as st

from stemgui.auth import UserError
from stemgui.errors import StemGuiError
from stemgui.gui import context
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.widgets import plain


def password_form(user: CurrentUser) -> None:
    """Change one's password: this browser stays logged in, every other session ends."""
    store = context.user_store()
    with st.form("account.password", clear_on_submit=True):
        st.subheader("Change password")
        old = st.text_input("Current password", type="password", key="account.old")
        new = st.text_input("New password", type="password", key="account.new")
        again = st.text_input("New password again", type="password", key="account.again")
        if st.form_submit_button("Change password"):
            if new != again:
                st.error("The two new passwords differ.")
            else:
                try:
                    store.change_password(user.username, old, new)
                    context.keep_session_after_password_change(user.username)
                    context.end_api_sessions(user.username)
                    st.success("Password changed. Your other sessions and devices are logged out.")
                except (UserError, StemGuiError) as exc:
                    st.error(plain(exc))


def backend_access(user: CurrentUser) -> None:
    """Which backend; on BrainSTEM, the user's personal API token (kept here or for this session)."""
    store = context.user_store()
    conf = context.settings()
    st.subheader("Backend")
    if conf.uses_bundled_backend:
        st.write("This app uses its bundled server; your API access is set up for you.")
    else:
        st.text(f"BrainSTEM API at {conf.api_url}")
        saved = store.api_token(user.username)
        in_session = context.session_token()
        if saved or in_session:
            where = "kept on this server" if saved else "kept for this browser session only"
            st.caption(f"A personal API token is set ({where}).")
        with st.form("account.token", clear_on_submit=True):
            token = st.text_input("Personal BrainSTEM API token", type="password", key="account.token_value")
            remember = st.checkbox("Remember it on this server (otherwise only for this browser session)",
                                   key="account.remember")  # fmt: skip
            if st.form_submit_button("Save token") and token.strip():
                if remember:
                    store.set_api_token(user.username, token.strip())
                    context.set_session_token(None)
                else:
                    context.set_session_token(token.strip())
                data.clear_caches()
                st.success("Token saved.")
        if (saved or in_session) and st.button("Forget my token", key="account.forget"):
            store.set_api_token(user.username, None)
            context.set_session_token(None)
            data.clear_caches()
            st.rerun()
