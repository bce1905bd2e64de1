"""Who is logged in and what they talk to: the current user (role read now), the settings, the
users' store, the backend's address and name, the browser's time zone, the page guard.

Session-state keys owned here start with ``stemgui.``.
"""

from __future__ import annotations

import contextlib
import inspect
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path

import streamlit as st
from streamlit.errors import StreamlitAPIException

from stemgui import backend, dates, display, offline_key
from stemgui.auth import UserStore, has_role
from stemgui.config import Settings, load_settings

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
SESSION_VERSION = "stemgui.session_version"  # the user's session version this browser logged in with
SESSION_TOKEN = "stemgui.session_token"  # a BrainSTEM token kept for this browser session only
SET_COOKIE = "stemgui.set_cookie"  # renew the re-login cookie on the next run
REPROVISION = "stemgui.reprovision"  # the bundled server refused the token: make a new one
_APP_RAN = "stemgui.app_ran"
NEXT_PAGE = "stemgui.next_page"


@dataclass(frozen=True)
class CurrentUser:
    """The logged-in GUI user, with the role as stored right now."""

    username: str
    name: str
    role: str

    @property
    def can_write(self) -> bool:
        return has_role(self.role, "editor")

    @property
    def is_admin(self) -> bool:
        return has_role(self.role, "admin")


def settings() -> Settings:
    """The app settings (environment, then .streamlit/secrets.toml)."""
    return load_settings()


def user_store() -> UserStore:
    """The users of the configured data dir."""
    return UserStore(settings().data_dir)


def logged_in_user() -> CurrentUser | None:
    """Who is logged in, with the role read from auth.yaml now (so role changes apply at once).

    A browser session ends when the user's session version moved on since its login (they
    logged out elsewhere, changed their password, or an admin reset it).
    """
    if st.session_state.get("authentication_status") is not True:
        return None
    username = st.session_state.get("username")
    store = user_store()
    info = store.get(username)
    if info is None:
        return None  # removed by an admin while logged in
    if st.session_state.get(SESSION_VERSION, 0) != store.session_version(username):
        return None
    return CurrentUser(info.username, info.name, info.role)


def mark_app_run() -> None:
    """Note that this browser session runs through app.py (see ``require_role``)."""
    st.session_state[_APP_RAN] = True


def _enter_through_app(page_file: str) -> None:
    """Until some session in the process has called st.navigation, Streamlit answers a request
    for ``/<page>`` by running ``pages/<page>.py`` alone (its automatic pages/ discovery) — the
    first visit after a restart, from a bookmark or a reconnecting tab. Send such a visitor
    through app.py: the login, then this page."""
    if st.session_state.get(_APP_RAN):
        return
    st.session_state[NEXT_PAGE] = f"pages/{Path(page_file).name}"
    with contextlib.suppress(StreamlitAPIException):  # no app.py around: a test runs the page alone
        st.switch_page(str(PAGES_DIR.parent / "app.py"), query_params=st.query_params.to_dict())


def require_role(needed: str = "viewer") -> CurrentUser:
    """The current user if logged in with at least ``needed``; otherwise a message and stop."""
    user = logged_in_user()
    if user is None:
        _enter_through_app(inspect.stack()[1].filename)
        st.warning("Please log in first.")
        st.stop()
    if not has_role(user.role, needed):
        st.error(f"This page needs the {needed} role; you are {user.role}. Ask an admin if you need it.")
        st.stop()
    return user


# ---------------------------------------------------------------- the backend


def backend_url() -> str:
    """The API root this app talks to (starts the bundled server if that is the backend)."""
    conf = settings()
    return backend.bundled_server(conf.data_dir).url if conf.uses_bundled_backend else conf.api_url


def backend_name() -> str:
    """How messages name the backend in use: "the bundled server" or the configured host."""
    return display.backend_name(settings().api_url)


def browser_zone() -> tzinfo:
    """The browser's time zone (times are shown in it); UTC when the browser does not say."""
    return dates.zone(st.context.timezone)


def user_key() -> str:
    """The cache key of the current user and backend (one user's cache never serves another).
    The bundled backend is known by its data dir, not its port: a restart on a new port keeps the
    offline copies (issue 14)."""
    user = logged_in_user()
    return offline_key.user_cache_key(user.username if user else None, settings())


# ---------------------------------------------------------------- account changes


def keep_session_after_password_change(username: str) -> None:
    """After changing one's own password: this browser session stays logged in (every other one
    ends) and its re-login cookie is renewed on the next run."""
    st.session_state[SESSION_VERSION] = user_store().session_version(username)
    st.session_state[SET_COOKIE] = True


def sync_api_access(username: str, role: str | None) -> None:
    """Mirror a user change on the bundled server: API user and project rights (None: remove)."""
    conf = settings()
    if not conf.uses_bundled_backend:
        return  # on BrainSTEM, access is managed there; users bring their own token
    server = backend.bundled_server(conf.data_dir)
    if role is None:
        server.forget(username)
    else:
        server.provision(username, role)


def end_api_sessions(username: str) -> None:
    """After a password change or reset: the user's bundled-server tokens are revoked and
    replaced (on BrainSTEM the user manages their own tokens)."""
    conf = settings()
    if conf.uses_bundled_backend:
        backend.bundled_server(conf.data_dir).renew_token(username)


def session_token() -> str | None:
    """The BrainSTEM token pasted for this browser session only (not kept on the server)."""
    return st.session_state.get(SESSION_TOKEN)


def set_session_token(token: str | None) -> None:
    """Keep ``token`` for this browser session only (None: forget it)."""
    if token:
        st.session_state[SESSION_TOKEN] = token
    else:
        st.session_state.pop(SESSION_TOKEN, None)
