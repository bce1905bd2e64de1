"""The app's frame around every page (app.py calls these): navigation by role, the login page
at every page's address, deep links across the login, the sidebar (user, backend, writes kept
locally), and queued toasts.

Session-state keys owned here start with ``stemgui.``.
"""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

import streamlit as st
import streamlit_authenticator as stauth
from streamlit.errors import StreamlitAPIException

from stemgui import display
from stemgui.client import BrainstemClient
from stemgui.errors import StemGuiError
from stemgui.gui import context, login, offline, surgery_kind
from stemgui.gui.context import NEXT_PAGE, PAGES_DIR, CurrentUser, backend_name, backend_url
from stemgui.gui.store import Store, waiting_text
from stemgui.gui.widgets import plain

PING_EVERY = 30.0  # seconds between backend health checks shown in the sidebar
_NEXT_PARAMS = "stemgui.next_params"
_NEXT_TRIES = "stemgui.next_tries"
DEEP_LINK_TRIES = 3  # runs that try to reach a saved link's page before giving up on it
DEFAULT_PAGE = "pages/sessions.py"
# ``?<kind>=<id>`` opens that record's page after login (the record screens' URL parameter)
DEEP_LINKS = {"session": "pages/sessions.py", "action": "pages/actions.py",
              "procedure": "pages/procedures.py", "subject": "pages/subjects.py"}


def pages_for(user: CurrentUser) -> list[st.Page]:
    """The pages ``user``'s role may open (every page checks again itself)."""
    pages = [st.Page(DEFAULT_PAGE, title="Sessions", icon=":material/table_view:", default=True)]
    if (PAGES_DIR / "subjects.py").exists():
        pages.append(st.Page("pages/subjects.py", title="Subjects", icon=":material/pets:"))
    surgery = surgery_kind.surgery_pages(user)  # procedures or actions: asked once per backend
    if surgery.procedures_listed and (PAGES_DIR / "procedures.py").exists():
        pages.append(st.Page("pages/procedures.py", title="Procedures", icon=":material/vaccines:"))
    if surgery.actions_listed and (PAGES_DIR / "actions.py").exists():
        pages.append(st.Page("pages/actions.py", title="Actions", icon=":material/history_edu:"))
    if user.can_write and (PAGES_DIR / "surgery_day.py").exists():
        pages.append(st.Page("pages/surgery_day.py", title="Surgery day", icon=":material/event_note:"))
    if user.can_write and (PAGES_DIR / "import.py").exists():
        pages.append(st.Page("pages/import.py", title="Import", icon=":material/upload_file:"))
    pages.append(st.Page("pages/lab.py", title="Lab", icon=":material/science:"))
    if user.can_write:
        pages.append(st.Page("pages/outbox.py", title="Outbox", icon=":material/outbox:"))
        pages.append(st.Page("pages/deleted.py", title="Recently deleted", icon=":material/restore:"))
    pages.append(st.Page("pages/account.py", title="Account", icon=":material/person:"))
    if user.is_admin:
        pages.append(st.Page("pages/admin.py", title="Users", icon=":material/group:"))
    return pages


def login_navigation(authenticator: stauth.Authenticate) -> st.navigation:
    """While logged out: the login page, at its own address and at every page's address, so
    that a bookmarked or shared link (``/actions``, ``/outbox``...) shows the login and then
    opens that page, instead of "Page not found". Streamlit keys a page by its URL path, so
    after login the real page with the same path takes over."""

    def log_in() -> None:
        login.login_page(authenticator)

    pages = [st.Page(log_in, title="Log in", url_path="login", default=True)]
    twins = {path.stem: st.Page(log_in, title="Log in", url_path=path.stem)
             for path in sorted(PAGES_DIR.glob("*.py"))}  # fmt: skip
    navigation = st.navigation(pages + list(twins.values()), position="hidden")
    _login_at_the_links_address(navigation, twins)
    return navigation


def _login_at_the_links_address(navigation: st.Page, twins: dict[str, st.Page]) -> None:
    """Show the login at the address the saved link opens (``/actions?action=<id>``), not at the
    root: after login the real page with that path takes over in the very same run. Switching
    there only after login raced the browser's own reruns (the re-login cookie's component
    reports back right then, with the page it last knew), which landed on Sessions."""
    target, params = _deep_link_target()
    twin = twins.get(_url_path(target)) if target else None
    if twin is None or navigation.url_path == twin.url_path:
        return
    st.session_state.pop(NEXT_PAGE, None)  # the address now carries it
    st.switch_page(twin, query_params=params)


def remember_deep_link() -> None:
    """Keep ``?session=...`` (and other query params) across the login page."""
    params = st.query_params.to_dict()
    if params:
        st.session_state[_NEXT_PARAMS] = params


def follow_deep_link(page: st.Page) -> None:
    """After login, go where the saved link pointed (``/actions``; ``?session=<id>`` opens the
    Sessions page, ``?action=<id>`` the Actions page); ``page`` is the page this run shows.

    The link is kept until a run shows its page: a rerun the browser sends meanwhile (the
    re-login cookie's component reports back right after login) replaces the switch's own
    rerun, and then lands on the default page — the next run switches again (a few tries)."""
    target, params = _deep_link_target()
    tries = st.session_state.get(_NEXT_TRIES, 0)
    if target is None or page.url_path == _url_path(target) or tries >= DEEP_LINK_TRIES:
        for key in (NEXT_PAGE, _NEXT_PARAMS, _NEXT_TRIES):
            st.session_state.pop(key, None)
        return
    st.session_state[_NEXT_TRIES] = tries + 1
    try:
        st.switch_page(target, query_params=params)  # ``/subjects?subject=<id>`` keeps its id
    except StreamlitAPIException:  # a page this user's role (or this backend) does not offer: stay
        for key in (NEXT_PAGE, _NEXT_PARAMS, _NEXT_TRIES):
            st.session_state.pop(key, None)


def _deep_link_target() -> tuple[str | None, dict | None]:
    """The page file the saved link opens (None: nothing saved) and its query params."""
    params = st.session_state.get(_NEXT_PARAMS)
    target = st.session_state.get(NEXT_PAGE)
    if target is None and params:
        target = next((page for kind, page in DEEP_LINKS.items() if kind in params), None)
    return target, params


def _url_path(page_file: str) -> str:
    """The address of one of `pages_for`'s pages (the default page's is the root)."""
    return "" if page_file == DEFAULT_PAGE else Path(page_file).stem


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
                _outbox_status(Store(user))
        except StemGuiError as exc:
            st.error(plain(exc.message))
        if st.button("Log out", key="stemgui.logout", icon=":material/logout:"):
            login.logout(authenticator)


def _backend_line(url: str) -> None:
    """Which backend: the bundled server's address as text (its root is an API, not a page),
    a configured server as a link to its site."""
    if context.settings().uses_bundled_backend:
        address = urlsplit(url).netloc
        about = "The API server that comes with stemgui, on this machine (its data is in the data dir)."
        st.caption(f"Backend: {display.BUNDLED} · `{address}`", help=about)
    else:
        st.caption(f"Backend: [{plain(backend_name())}]({url})", help=f"The API at {url}")


def _outbox_status(store: Store) -> None:
    box = store.outbox
    waiting, refused = box.count(), len(box.rejected())
    if waiting:
        st.warning(display.capital(waiting_text(waiting)), icon=":material/cloud_off:")
        if refused:
            st.caption(f"{refused} refused by {backend_name()}: fix on the Outbox page")
        st.page_link("pages/outbox.py", label="Open the Outbox", icon=":material/outbox:")


def _backend_answers(url: str) -> bool:
    if offline.is_offline():
        return False  # this run's check already knows; no second wait for a slow backend
    checked = st.session_state.get(offline.PING)
    if checked and checked[0] == url and time.monotonic() - checked[1] < PING_EVERY:
        return checked[2]
    with BrainstemClient(url, None) as probe:
        answers = probe.ping()
    st.session_state[offline.PING] = (url, time.monotonic(), answers)
    return answers
