"""AppTest helpers shared by the GUI tests: a logged-in app, page text, form keys."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import streamlit.testing.v1.app_test as app_test_module
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from stemgui.client import BrainstemClient

REPO_ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "correct horse battery"


class NavigationPagesManager(PagesManager):
    """Work around an AppTest quirk: it forgets before every run that the app uses st.navigation.

    AppTest resets ``PagesManager.uses_pages_directory`` before each run; with a ``pages/``
    folder next to app.py, reruns then execute the page file alone, skipping app.py (no login
    gate, no sidebar). A real server remembers the st.navigation call; this does the same.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        PagesManager.uses_pages_directory = False


def use_navigation_in_apptest() -> None:
    """Make every later AppTest run go through app.py (see ``NavigationPagesManager``)."""
    app_test_module.PagesManager = NavigationPagesManager


@dataclass
class GuiUser:
    """A GUI user made for one test, and an API client acting as them."""

    username: str
    password: str
    role: str
    api: BrainstemClient


def new_app() -> AppTest:
    """The app as AppTest sees it (the cold first import needs the long timeout)."""
    return AppTest.from_file(str(REPO_ROOT / "app.py"), default_timeout=30)


def logged_in(user: GuiUser, page: str | None = None, **query: str) -> AppTest:
    """An app run with ``user`` logged in (state as after a real login), on ``page``."""
    at = new_app()
    at.session_state["authentication_status"] = True
    at.session_state["username"] = user.username
    at.session_state["name"] = user.username
    for name, value in query.items():
        at.query_params[name] = value
    at.run()
    if page:
        at.switch_page(page).run()
    return at


def unescape(text: str) -> str:
    """A message as the user reads it (the app escapes markdown in user data)."""
    return re.sub(r"\\(.)", r"\1", text)


def values(elements) -> list[str]:
    """The unescaped texts of some elements (e.g. ``at.error``)."""
    return [unescape(str(element.value)) for element in elements]


def texts(at: AppTest) -> str:
    """Everything written on the page as text (markdown, text, captions, messages), joined."""
    parts = []
    for kind in ("markdown", "text", "caption", "error", "warning", "info", "success", "title", "subheader"):
        parts.extend(values(getattr(at, kind)))
    return "\n".join(parts)


def form_prefix(at: AppTest) -> str:
    """The widget-key prefix of the open session form."""
    return f"sessions.form.{at.session_state['sessions.form']['nonce']}"
