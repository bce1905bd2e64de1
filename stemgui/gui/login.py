"""Logging in and out: the authenticator, the re-login cookie that carries the user's session
version, the login form (wrong passwords counted per username, ``stemgui.login_limit``), and a
logout that ends every session of the user.

Session-state keys owned here start with ``stemgui.`` and ``login.``.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from pathlib import Path

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.models import CookieModel
from streamlit_authenticator.utilities import LoginError

from stemgui import backend
from stemgui.auth import login_sleep_time
from stemgui.gui import loaders as data
from stemgui.gui.context import SESSION_VERSION, SET_COOKIE, logged_in_user, settings, user_store
from stemgui.login_limit import LoginLimiter, check_login

_AUTH_KEYS = frozenset({"name", "username", "authentication_status", "email", "roles", "logout"})
_DELETE_COOKIE = "stemgui.delete_cookie"
_COOKIE_BEING_SET = "stemgui.cookie_being_set"  # {"key", "token", "runs"} until the browser confirms
COOKIE_SET_RUNS = 12  # runs that draw the cookie setter before giving up (a test app has no browser)

def first_run() -> str | None:
    """Make the cookie key and, on the very first start, the ``admin`` user; its new password."""
    return user_store().bootstrap()

class VersionedCookie(CookieModel):
    """streamlit-authenticator's re-login cookie, carrying the user's session version.

    The library's cookie holds only the username and an expiry, so it kept logging in after
    Log out and after a password change. This one also holds ``UserStore.session_version`` and
    is accepted only while that is still the user's version.
    """

    def _token_encode(self) -> str:
        return user_store().relogin_cookie(st.session_state["username"], self.cookie_key, self.exp_date)

    def get_cookie(self) -> dict | None:
        if st.session_state.get("logout"):
            return None
        claims = user_store().relogin_claims(st.context.cookies.get(self.cookie_name), self.cookie_key)
        if claims is not None:
            st.session_state[SESSION_VERSION] = claims["session"]
        return claims

    def draw_setter(self, key: str, token: str) -> bool:
        """Draw the component that sets the re-login cookie ``token`` in the browser; True once
        the browser reports it set. Our own key per renewal, so an earlier True does not count,
        and no spacing markdown (the library's ``set_cookie`` adds one on every call)."""
        expires = datetime.now() + timedelta(days=self.cookie_expiry_days)
        options = {"path": "/", "expires": expires.isoformat(), "sameSite": "strict"}
        setter = self.cookie_manager.cookie_manager  # extra-streamlit-components' component function
        return setter(method="set", cookie=self.cookie_name, value=token, options=options, key=key,
                      default=False) is True  # fmt: skip

    def new_token(self) -> str:
        self.exp_date = self._set_exp_date()
        return self._token_encode()

def build_authenticator() -> stauth.Authenticate:
    """A fresh authenticator for this run (never cached: it holds widget state and credentials)."""
    store = user_store()
    cookie = store.cookie()
    authenticator = stauth.Authenticate(
        store.credentials(),
        cookie_name=cookie["name"],
        cookie_key=cookie["key"],
        cookie_expiry_days=float(cookie.get("expiry_days", 30)),
        auto_hash=False,
        login_sleep_time=login_sleep_time(),
    )
    # The model renders its cookie component when built, so a second one cannot be made:
    # give the one the library made our cookie format (it keeps all its state).
    authenticator.cookie_controller.cookie_model.__class__ = VersionedCookie
    return authenticator

@st.cache_resource(show_spinner=False)
def _start_bundled_backend(data_dir: str) -> bool:
    backend.start_in_background(Path(data_dir))  # process-wide: once per data dir (issue 17)
    return True


def start_bundled_backend_early() -> None:
    """With the bundled backend: start its server now, in the background, so that it is up by
    the time the user has typed their password (the first login no longer waits for it)."""
    if settings().uses_bundled_backend:
        _start_bundled_backend(str(settings().data_dir))


def login_page(authenticator: stauth.Authenticate) -> None:
    """The login form; on success the app reruns with the pages of the user's role."""
    start_bundled_backend_early()
    if st.session_state.get("authentication_status") and logged_in_user() is None:
        # the account was removed, or its sessions ended (logout elsewhere, password changed)
        _end_browser_session(authenticator)
    st.title("stemgui")
    st.caption("Log in to enter and review BrainSTEM sessions and actions.")
    try:
        authenticator.login(location="unrendered")  # only the re-login cookie; the form is ours
    except LoginError as exc:
        st.error(str(exc))
    if st.session_state.get("authentication_status") is not True:
        _login_form()
    if st.session_state.get("authentication_status") is True:
        st.session_state[SET_COOKIE] = True  # logged in by the re-login cookie
        st.rerun()
    if st.session_state.pop(_DELETE_COOKIE, False):
        authenticator.cookie_controller.delete_cookie()

def _login_form() -> None:
    """Username and password, checked against auth.yaml with a per-username attempt limit."""
    with st.form("login"):
        st.subheader("Log in")
        st.text_input("Username", key="login.username", autocomplete="username")
        st.text_input("Password", type="password", key="login.password", autocomplete="current-password")
        # A callback runs before the next run starts, so a rerun the browser sends meanwhile
        # (e.g. the cookie component loading) cannot swallow the login.
        st.form_submit_button("Log in", on_click=_check_login_form)
    if message := st.session_state.pop("login.message", None):
        st.error(message)

def _check_login_form() -> None:
    username = st.session_state.get("login.username") or ""
    password = st.session_state.get("login.password") or ""
    found, message = check_login(user_store(), LoginLimiter(settings().data_dir), username, password)
    if found is None:
        st.session_state.update({"authentication_status": False, "login.message": message})
        return
    st.session_state.update(
        authentication_status=True, username=found.username, name=found.name, email=found.email,
        roles=[found.role], logout=None,
    )  # fmt: skip
    st.session_state[SESSION_VERSION] = user_store().session_version(found.username)
    st.session_state[SET_COOKIE] = True  # this very run goes straight to the app

def after_login(authenticator: stauth.Authenticate) -> None:
    """Set the re-login cookie one run after login (a rerun in the login run would drop it), and
    keep drawing its setter until the browser says it is set.

    The browser sets it from the setter's frame; a run that does not draw the setter removes the
    frame, and the browser sends reruns of its own right after login (the cookie reader reports
    back). Drawn for one run only, the setter was removed before its frame had loaded on a busy
    machine, and no cookie was set."""
    model = authenticator.cookie_controller.cookie_model
    if st.session_state.pop(SET_COOKIE, False) and model.cookie_expiry_days != 0:
        st.session_state[_COOKIE_BEING_SET] = {
            "key": f"stemgui.cookie.{secrets.token_hex(4)}", "token": model.new_token(), "runs": 0}
    pending = st.session_state.get(_COOKIE_BEING_SET)
    if pending is None:
        return
    pending["runs"] += 1
    if model.draw_setter(pending["key"], pending["token"]) or pending["runs"] >= COOKIE_SET_RUNS:
        del st.session_state[_COOKIE_BEING_SET]

def logout(authenticator: stauth.Authenticate) -> None:
    """Log out: end every session and re-login cookie of the user (this browser and any other),
    forget this browser session's client, caches, forms and session-only token."""
    username = st.session_state.get("username")
    if username:
        user_store().end_sessions(username)
    _end_browser_session(authenticator)
    st.rerun()

def _end_browser_session(authenticator: stauth.Authenticate) -> None:
    authenticator.logout(location="unrendered")
    data.clear_caches()
    for key in [k for k in st.session_state if k not in _AUTH_KEYS]:
        del st.session_state[key]  # filters, forms, tokens: nothing carries over to the next user
    st.session_state[_DELETE_COOKIE] = True

