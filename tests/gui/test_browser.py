"""One real browser: ``streamlit run app.py`` in a fresh data dir with the bundled backend,
Chromium driven by Playwright: first-run password, login, create a session, see it listed."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.browser import (
    ARTIFACTS,
    click,
    fill,
    idle,
    launch_chromium,
    log_in,
    needs_chromium,
    running_app,
    wait_for_file,
)

pytestmark = pytest.mark.browser
SHOWN = re.compile(r"^[\d,]+ sessions? shown$")


@pytest.fixture
def streamlit_app(tmp_path):
    """The app as a user starts it: no STEMGUI_API_URL, so it starts its bundled server."""
    data_dir = tmp_path / "data"
    with running_app(data_dir, tmp_path / "streamlit.log") as url:
        yield url, data_dir


@needs_chromium
def test_login_create_session_and_see_it_listed(streamlit_app):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data

    url, data_dir = streamlit_app
    name = f"Browser session {os.getpid()}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        password = wait_for_file(data_dir / "initial-admin-password.txt")
        log_in(page, "admin", password)
        expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
        expect(page.get_by_text(SHOWN).first).to_be_visible()
        click(page, page.get_by_role("button", name="New session", exact=True))
        fill(page, page.get_by_role("textbox", name="Name *", exact=True), name)
        click(page, page.get_by_label("Projects *", exact=True))
        page.get_by_role("option", name="Demo: Septal optogenetics", exact=True).click()
        page.keyboard.press("Escape")
        # exact: the list's "Search name or description" box is on the same page
        description = page.get_by_role("textbox", name="Description", exact=True)
        fill(page, description, "Entered through a real browser.", commit="Control+Enter")
        click(page, page.get_by_role("button", name="Save", exact=True))
        expect(page.get_by_text(f"Saved session “{name}”.", exact=True)).to_be_visible()
        expect(page.get_by_text("21 sessions shown", exact=True).first).to_be_visible()  # 20 demo + ours
        search = page.get_by_role("textbox", name="Search name or description", exact=True)
        fill(page, search, name, commit="Enter")
        expect(page.get_by_text("1 session shown", exact=True).first).to_be_visible()  # the table is a canvas
        idle(page)
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV", exact=True).click()
        csv = Path(download.value.path()).read_text()
        assert csv.splitlines()[1].startswith(name + ",")  # the one row shown is ours
        assert "Entered through a real browser." in csv
        assert "session=" in page.url
        idle(page)
        page.screenshot(path=str(ARTIFACTS / "sessions-page.png"), full_page=True)
        page.reload()  # the re-login cookie keeps the user logged in across a reload ...
        expect(page.get_by_role("button", name="Log out", exact=True)).to_be_visible()
        click(page, page.get_by_role("button", name="Log out", exact=True))
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
        idle(page)
        page.reload()  # ... and logging out ends it
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
        idle(page)
        expect(page.get_by_role("button", name="Log out", exact=True)).to_have_count(0)
        # A bookmarked page opened while logged out shows the login, then that page (no "Page not found").
        page.goto(url + "actions")
        log_in(page, "admin", password)
        expect(page.get_by_role("heading", name="Actions", exact=True).first).to_be_visible()
        idle(page)
        assert page.get_by_text(re.compile("Page not found")).count() == 0
        browser.close()
