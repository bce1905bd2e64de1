"""Issue 15 "Show" in one real browser (``streamlit run app.py`` with the bundled backend, Chromium
driven by Playwright): edit a session's description, open History, see old → new; delete an action,
Undo, it is back with the same id; restore a deleted action from "Recently deleted". The History
tab is screenshotted for the README (tests/artifacts/readme-history.png, copied to
docs/screenshots/history.png)."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.browser import (
    ARTIFACTS,
    click,
    fill,
    idle,
    launch_chromium,
    log_in,
    needs_chromium,
    wait_for_file,
)
from tests.gui.test_browser import streamlit_app as streamlit_app  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
EDITED = "Edited in a real browser for issue 15."


def _open_first_row(page, model: str) -> str:
    """Pick the table's first row (a canvas: click its row marker); the id it put in the URL."""
    from playwright.sync_api import expect

    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 17)  # below the 35 px header, first row's marker
    idle(page)
    expect(page).to_have_url(re.compile(rf"[?&]{model}="))
    return parse_qs(urlsplit(page.url).query)[model][0]


def _delete_open_record(page) -> None:
    click(page, page.get_by_role("button", name="Delete", exact=True))
    click(page, page.get_by_role("button", name="Yes, delete", exact=True))
    idle(page)


@needs_chromium
def test_history_undo_and_restore_in_a_real_browser(streamlit_app):  # noqa: F811
    """Issue 15 Show (browser): History old → new, Undo of a delete keeps the id, Restore."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data
    url, data_dir = streamlit_app
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(url)
            log_in(page, "admin", wait_for_file(data_dir / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Sessions", exact=True)).to_be_visible()
            _edit_session_and_see_history(page)
            _undo_an_action_delete(page, url)
            _restore_from_recently_deleted(page)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "history-failure.png"), full_page=True)  # for diagnosis
            raise
        finally:
            browser.close()


def _edit_session_and_see_history(page) -> None:
    from playwright.sync_api import expect

    _open_first_row(page, "session")
    click(page, page.get_by_role("button", name="Edit", exact=True))
    description = page.get_by_role("textbox", name="Description", exact=True)
    fill(page, description, EDITED, commit="Control+Enter")
    click(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_role("button", name="Undo", exact=True)).to_be_visible()  # the edit can be undone
    click(page, page.get_by_role("tab", name="History", exact=True))
    change = page.get_by_text(re.compile(r"description: .+ → " + re.escape(EDITED)))
    expect(change).to_be_visible()
    idle(page)
    panel = page.locator(".st-key-sessions-detail")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(ARTIFACTS / "readme-history.png"))  # copied to docs/screenshots/history.png


def _undo_an_action_delete(page, url: str) -> None:
    from playwright.sync_api import expect

    page.get_by_test_id("stSidebarNav").get_by_text("Actions", exact=True).click()
    expect(page.get_by_role("heading", name="Actions", exact=True).first).to_be_visible()
    action_id = _open_first_row(page, "action")
    _delete_open_record(page)
    expect(page).not_to_have_url(re.compile(r"[?&]action="))
    click(page, page.get_by_role("button", name="Undo", exact=True))
    expect(page.get_by_text(re.compile(r"^Done: undo the deletion of the action"))).to_be_visible()
    page.goto(f"{url}actions?action={action_id}")  # the same id opens it again
    expect(page.get_by_role("heading", name="Action", exact=True)).to_be_visible()
    click(page, page.get_by_role("tab", name="History", exact=True))
    expect(page.get_by_text(re.compile(r"^Restored by admin")).first).to_be_visible()


def _restore_from_recently_deleted(page) -> None:
    from playwright.sync_api import expect

    _delete_open_record(page)  # the action opened above, deleted again
    page.get_by_test_id("stSidebarNav").get_by_text("Recently deleted", exact=True).click()
    expect(page.get_by_role("heading", name="Recently deleted", exact=True)).to_be_visible()
    click(page, page.get_by_label("Kind", exact=True))
    page.get_by_role("option", name="Actions", exact=True).click()
    idle(page)
    restore = page.get_by_role("button", name="Restore", exact=True)
    expect(restore).to_have_count(1)
    click(page, restore)
    expect(page.get_by_text(re.compile(r"^Restored “.+” with its id\.$"))).to_be_visible()
    expect(page.get_by_text("No deleted actions you may restore.", exact=True)).to_be_visible()
