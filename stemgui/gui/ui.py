"""The thin Streamlit-facing layer every page uses: login, page guard, sidebar, the current
user's client, errors at their fields, toasts, and text shown as text.

Pattern for a page script::

    user = ui.require_role("viewer")          # stops the page if not allowed
    with ui.error_boundary():                 # a StemGuiError becomes a message, never a traceback
        labels = ui.load("projects", data.load_labels, "project")  # the last loaded while down
        result = ui.save("session", payload)  # saved, or kept in the user's outbox while down
        ...
        ui.field_error(errors, "name")        # the server's message under its field

The backend's bad days are handled in ``stemgui.gui.offline`` (banner, last data, outbox flush);
the login form counts wrong passwords per username (``stemgui.login_limit``).

Session-state keys owned here start with ``stemgui.``; page/form keys with the page's name.
"""

from __future__ import annotations

import contextlib
import inspect
import logging
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import streamlit as st
import streamlit_authenticator as stauth
from streamlit.errors import StreamlitAPIException
from streamlit_authenticator.models import CookieModel
from streamlit_authenticator.utilities import LoginError

from stemgui import backend, dates, display
from stemgui.auth import UserStore, has_role, login_sleep_time
from stemgui.client import DEFAULT_TIMEOUT, BrainstemClient
from stemgui.config import Settings, load_settings, write_timeout
from stemgui.display import plain  # noqa: F401  (pages use ui.plain)
from stemgui.errors import AuthError, StemGuiError
from stemgui.gui import loaders as data
from stemgui.gui import offline as ui_offline
from stemgui.login_limit import LoginLimiter, check_login
from stemgui.outbox import Outbox, SaveResult

log = logging.getLogger(__name__)

PAGES_DIR = Path(__file__).resolve().parents[2] / "pages"
_AUTH_KEYS = frozenset({"name", "username", "authentication_status", "email", "roles", "logout"})
PING_EVERY = 30.0  # seconds between backend health checks shown in the sidebar
DATE_FORMAT = "YYYY-MM-DD"  # every date box shows ISO dates, like the tables
# Fixed text (no user data): scrolls the keyed container into view once it is on the page.
_SCROLL_SCRIPT = """<script>/* {nonce} */
setTimeout(function () {{
  var target = document.querySelector(".st-key-{key}");
  if (target) {{ target.scrollIntoView({{block: "start"}}); }}
}}, 150);
</script>"""


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


# ---------------------------------------------------------------- settings and users


def settings() -> Settings:
    """The app settings (environment, then .streamlit/secrets.toml)."""
    return load_settings()


def user_store() -> UserStore:
    """The users of the configured data dir."""
    return UserStore(settings().data_dir)


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
            st.session_state[_SESSION_VERSION] = claims["session"]
        return claims


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


_SESSION_VERSION = "stemgui.session_version"


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
    if st.session_state.get(_SESSION_VERSION, 0) != store.session_version(username):
        return None
    return CurrentUser(info.username, info.name, info.role)


def keep_session_after_password_change(username: str) -> None:
    """After changing one's own password: this browser session stays logged in (every other one
    ends) and its re-login cookie is renewed on the next run."""
    st.session_state[_SESSION_VERSION] = user_store().session_version(username)
    st.session_state["stemgui.set_cookie"] = True


_APP_RAN = "stemgui.app_ran"
_NEXT_PAGE = "stemgui.next_page"


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
    st.session_state[_NEXT_PAGE] = f"pages/{Path(page_file).name}"
    with contextlib.suppress(StreamlitAPIException):  # no app.py around: a test runs the page alone
        st.switch_page(str(PAGES_DIR.parent / "app.py"))


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


# ---------------------------------------------------------------- login, logout, deep links


def login_page(authenticator: stauth.Authenticate) -> None:
    """The login form; on success the app reruns with the pages of the user's role."""
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
        st.session_state["stemgui.set_cookie"] = True  # logged in by the re-login cookie
        st.rerun()
    if st.session_state.pop("stemgui.delete_cookie", False):
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
    st.session_state[_SESSION_VERSION] = user_store().session_version(found.username)
    st.session_state["stemgui.set_cookie"] = True  # this very run goes straight to the app


def after_login(authenticator: stauth.Authenticate) -> None:
    """Set the re-login cookie one run after login (a rerun in the login run would drop it)."""
    if st.session_state.pop("stemgui.set_cookie", False):
        authenticator.cookie_controller.set_cookie()


def login_navigation(authenticator: stauth.Authenticate) -> st.navigation:
    """While logged out: the login page, at its own address and at every page's address, so
    that a bookmarked or shared link (``/actions``, ``/outbox``...) shows the login and then
    opens that page, instead of "Page not found". Streamlit keys a page by its URL path, so
    after login the real page with the same path takes over."""

    def log_in() -> None:
        login_page(authenticator)

    pages = [st.Page(log_in, title="Log in", url_path="login", default=True)]
    pages += [st.Page(log_in, title="Log in", url_path=path.stem) for path in sorted(PAGES_DIR.glob("*.py"))]
    return st.navigation(pages, position="hidden")


def remember_deep_link() -> None:
    """Keep ``?session=...`` (and other query params) across the login page."""
    params = st.query_params.to_dict()
    if params:
        st.session_state["stemgui.next_params"] = params


def follow_deep_link() -> None:
    """After login, go where the saved link pointed (``?session=<id>`` opens the Sessions page,
    ``?action=<id>`` the Actions page)."""
    next_page = st.session_state.pop(_NEXT_PAGE, None)
    if next_page:
        with contextlib.suppress(StreamlitAPIException):  # a page this user's role does not offer
            st.switch_page(next_page)
    params = st.session_state.pop("stemgui.next_params", None)
    if params and "session" in params:
        st.switch_page("pages/sessions.py", query_params=params)
    if params and "action" in params:
        st.switch_page("pages/actions.py", query_params=params)


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
    st.session_state["stemgui.delete_cookie"] = True


# ---------------------------------------------------------------- navigation


def pages_for(user: CurrentUser) -> list[st.Page]:
    """The pages ``user``'s role may open (every page checks again itself)."""
    pages = [st.Page("pages/sessions.py", title="Sessions", icon=":material/table_view:", default=True)]
    if (PAGES_DIR / "actions.py").exists():
        pages.append(st.Page("pages/actions.py", title="Actions", icon=":material/vaccines:"))
    if user.can_write and (PAGES_DIR / "surgery_day.py").exists():
        pages.append(st.Page("pages/surgery_day.py", title="Surgery day", icon=":material/event_note:"))
    if user.can_write:
        pages.append(st.Page("pages/outbox.py", title="Outbox", icon=":material/outbox:"))
    pages.append(st.Page("pages/account.py", title="Account", icon=":material/person:"))
    if user.is_admin:
        pages.append(st.Page("pages/admin.py", title="Users", icon=":material/group:"))
    return pages


# ---------------------------------------------------------------- backend and client


def _api_token(user: CurrentUser, conf: Settings) -> str | None:
    if conf.uses_bundled_backend:
        server = backend.bundled_server(conf.data_dir)
        if st.session_state.pop("stemgui.reprovision", False):
            return server.provision(user.username, user.role)
        return server.token_for(user.username, user.role)
    return st.session_state.get("stemgui.session_token") or user_store().api_token(user.username)


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


def api_timeout() -> tuple[float, float]:
    """(connect, read) seconds; ``STEMGUI_API_TIMEOUT`` sets the read timeout (slow sites, tests)."""
    try:
        return (DEFAULT_TIMEOUT[0], max(0.5, float(os.environ["STEMGUI_API_TIMEOUT"])))
    except (KeyError, ValueError):
        return DEFAULT_TIMEOUT


def client() -> BrainstemClient:
    """The current user's client (kept for the browser session, rebuilt when user/token change).

    Once per run it also checks a backend that was down (or writes that wait) and sends the
    user's outbox when the backend answers again.
    """
    user = require_role("viewer")
    held = _user_client(user)
    if held is None:
        st.info(f"Paste your personal API token for {backend_name()} on the Account page to see your "
                "records.")  # fmt: skip
        st.page_link("pages/account.py", label="Go to Account")
        st.stop()
    return held


def _user_client(user: CurrentUser) -> BrainstemClient | None:
    """The user's client, kept in session state; None while the user has no API token."""
    conf = settings()
    url = backend_url()
    token = _api_token(user, conf)
    fingerprint = (user.username, user.role, url, token)
    held = st.session_state.get("stemgui.client")
    if held is None or held[0] != fingerprint:
        if held is not None:
            held[1].close()
        label = display.BUNDLED if conf.uses_bundled_backend else None  # a URL names itself
        api = BrainstemClient(url, token, timeout=api_timeout(), write_timeout=write_timeout(), label=label)
        held = (fingerprint, api)
        st.session_state["stemgui.client"] = held
    return held[1] if token else None


def begin_run(user: CurrentUser) -> None:
    """Start one run (app.py, before sidebar and page): if the backend was down or writes wait,
    check it, and once it answers send the user's outbox by itself."""
    ui_offline.begin_run()
    try:
        api = _user_client(user)
    except StemGuiError:
        return  # the bundled server cannot start: the page says so
    if api is None:
        return
    report = ui_offline.check_backend(api, outbox() if user.can_write else None)
    if report is not None and report.rejected:
        refused = display.count_text(len(report.rejected), "change")
        st.warning(f"{display.capital(backend_name())} refused {refused} saved while it was not answering: "
                   "fix them on the Outbox page.", icon=":material/error:")  # fmt: skip


def outbox() -> Outbox:
    """The current user's durable outbox of writes not yet acknowledged by the backend."""
    user = require_role("viewer")
    return ui_offline.user_outbox(settings().data_dir, user.username)


def load(name: str, loader, *args, similar: bool = True):
    """``loader(client, user_key, *args)``; while the backend is down, what it gave last (banner)."""
    return ui_offline.load(name, loader, client(), user_key(), *args, similar=similar)


def save(model: str, payload: dict, record_id: str | None = None, if_match: str | None = None) -> SaveResult:
    """Create/update on the backend, or keep it in the outbox while the backend does not answer
    (``if_match``: update only that version of the record, else EditConflict)."""
    return ui_offline.save(client(), outbox(), model, payload, record_id, if_match)


def delete(model: str, record_id: str) -> SaveResult:
    """Delete on the backend, or keep the delete in the outbox while the backend does not answer."""
    return ui_offline.delete(client(), outbox(), model, record_id)


def queued_note() -> str:
    """The toast after a write kept in the outbox because the backend did not answer."""
    waiting = outbox().count()
    return ui_offline.QueuedNote(f"{display.capital(backend_name())} is not answering: saved locally — "
                                 f"{waiting} waiting. It is sent when it is back.")  # fmt: skip


def after_save(result: SaveResult, message: str) -> None:
    """Forget caches and tell what happened: saved, or saved locally and waiting."""
    after_write(ui_offline.queued_message(result) if result.queued else message)


def keep_widgets(prefix: str, names: tuple[str, ...]) -> None:
    """Keep the widgets ``prefix.name`` across page switches (Streamlit drops unrendered ones).

    Only plain input widgets: buttons and data editors cannot be set through session state
    (``editable_rows`` keeps its own rows).
    """
    kept = st.session_state.setdefault("stemgui.kept", {}).setdefault(prefix, {})
    for key in (f"{prefix}.{name}" for name in names):
        if key in st.session_state:
            kept[key] = st.session_state[key]
        elif key in kept:
            st.session_state[key] = kept[key]


def forget_widgets(prefix: str) -> None:
    """Stop keeping the widgets under ``prefix`` (the form was saved or cancelled)."""
    st.session_state.get("stemgui.kept", {}).pop(prefix, None)


def user_key() -> str:
    """The cache key of the current user and backend (one user's cache never serves another)."""
    user = logged_in_user()
    return f"{user.username if user else '-'}@{backend_url()}"


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


def after_write(message: str) -> None:
    """Forget cached data and show ``message`` as a toast after the coming rerun."""
    data.clear_caches()
    queue_toast(message)


# ---------------------------------------------------------------- sidebar


def sidebar(authenticator: stauth.Authenticate, user: CurrentUser) -> None:
    """Who is logged in, which backend and whether it answers, logout."""
    with st.sidebar:
        st.markdown(f"**{plain(user.name)}** · {user.role}")
        st.caption(f"Logged in as {plain(user.username)}")
        try:
            url = backend_url()
            _backend_line(url)
            if _backend_answers(url):
                st.caption(":green[● answering]")
            else:
                st.caption(":red[● not answering]")
            if user.can_write:
                _outbox_status()
        except StemGuiError as exc:
            st.error(plain(exc.message))
        if st.button("Log out", key="stemgui.logout", icon=":material/logout:"):
            logout(authenticator)


def _backend_line(url: str) -> None:
    """Which backend: the bundled server's address as text (its root is an API, not a page),
    a configured server as a link to its site."""
    if settings().uses_bundled_backend:
        address = urlsplit(url).netloc
        about = "The API server that comes with stemgui, on this machine (its data is in the data dir)."
        st.caption(f"Backend: {display.BUNDLED} · `{address}`", help=about)
    else:
        st.caption(f"Backend: [{plain(backend_name())}]({url})", help=f"The API at {url}")


def _outbox_status() -> None:
    box = outbox()
    waiting, refused = box.count(), len(box.rejected())
    if waiting:
        st.warning(f"Saved locally — {waiting} waiting", icon=":material/cloud_off:")
        if refused:
            st.caption(f"{refused} refused by {backend_name()}: fix on the Outbox page")
        st.page_link("pages/outbox.py", label="Open the Outbox", icon=":material/outbox:")


def _backend_answers(url: str) -> bool:
    if ui_offline.is_offline():
        return False  # this run's check already knows; no second wait for a slow backend
    checked = st.session_state.get("stemgui.ping")
    if checked and checked[0] == url and time.monotonic() - checked[1] < PING_EVERY:
        return checked[2]
    with BrainstemClient(url, None) as probe:
        answers = probe.ping()
    st.session_state["stemgui.ping"] = (url, time.monotonic(), answers)
    return answers


# ---------------------------------------------------------------- messages


def show_value(label: str, value: object, help: str | None = None) -> None:
    """A label and a user-entered value shown as plain text (``help``: a tooltip, e.g. the UTC time)."""
    st.caption(label)
    st.text(value if value not in (None, "") else display.EMPTY, help=help or None)


def scroll_to(container_key: str) -> None:
    """Bring ``st.container(key=container_key)`` into view, e.g. a detail opened below a tall table.

    Call it inside that container on the one run that should scroll (each call scrolls once).
    """
    nonce = st.session_state.get("stemgui.scroll_nonce", 0) + 1
    st.session_state["stemgui.scroll_nonce"] = nonce
    script = _SCROLL_SCRIPT.format(nonce=nonce, key=container_key)
    st.html(script, unsafe_allow_javascript=True, width="content")


def destructive_button(where, label: str, key: str) -> bool:
    """A button that deletes or discards: red, never the primary (default) one; put it after the safe one."""
    return where.button(f":red[{label}]", key=key, icon=":material/delete:", type="secondary")


def field_error(errors: dict[str, str] | None, field: str) -> None:
    """The message for ``field`` (if any) right where the field is."""
    if errors and errors.get(field):
        st.error(plain(errors[field]), icon=":material/error:")


def show_field_errors(errors: dict[str, str] | None, fields: tuple[str, ...] = ()) -> None:
    """Messages not about any of ``fields`` (those are shown at their field)."""
    for where, message in (errors or {}).items():
        if where not in fields:
            st.error(plain(message if where == "form" else f"{where}: {message}"))


SAVED_ICON, QUEUED_ICON = ":material/check_circle:", ":material/warning:"


def queue_toast(message: str) -> None:
    """A toast shown on the next run (a toast made right before ``st.rerun`` is lost)."""
    st.session_state.setdefault("stemgui.toasts", []).append(message)


def show_toasts() -> None:
    """Show queued toasts."""
    for message in st.session_state.pop("stemgui.toasts", []):
        if isinstance(message, ui_offline.QueuedNote):  # kept locally is not saved: never the green check
            st.toast(f":orange[{plain(message)}]", icon=QUEUED_ICON, duration="long")
        else:
            st.toast(plain(message), icon=SAVED_ICON)


@contextlib.contextmanager
def error_boundary() -> Iterator[None]:
    """Turn a StemGuiError into a message; a rejected token also asks for a new one."""
    try:
        yield
    except AuthError as exc:
        if settings().uses_bundled_backend:
            st.session_state["stemgui.reprovision"] = True
            st.error("The bundled server did not accept this session's token; reload the page.")
        else:
            st.error(plain(exc.message))
            st.page_link("pages/account.py", label="Paste a new token on the Account page")
    except StemGuiError as exc:
        log.info("Shown to the user: %s", exc.message)
        st.error(plain(exc.message))


# ---------------------------------------------------------------- small editable tables


def editable_rows(key: str, seed: list[dict], columns: tuple[str, ...], help_text: str = "") -> list[dict]:
    """A dynamic-rows text table (e.g. key/value pairs); returns its rows as typed.

    The seed must stay the same object across reruns (kept in session state by the caller's
    form) or the editor would drop the edits; every cell is text so nothing is coerced behind
    the user's back (numbers are recognised later, on save).
    """
    seed_key, latest_key = f"{key}.seed", f"{key}.latest"
    if key not in st.session_state and latest_key in st.session_state:
        seed = st.session_state[latest_key]  # back from another page: the editor forgot its edits
        st.session_state.pop(seed_key, None)
    if seed_key not in st.session_state:
        st.session_state[seed_key] = pd.DataFrame(seed, columns=list(columns), dtype="object")
    config = {name: st.column_config.TextColumn(name, help=help_text or None) for name in columns}
    edited = st.data_editor(
        st.session_state[seed_key], key=key, num_rows="dynamic", column_config=config,
        hide_index=True, width="stretch",
    )  # fmt: skip
    rows = edited.to_dict("records")
    st.session_state[latest_key] = rows
    return rows
