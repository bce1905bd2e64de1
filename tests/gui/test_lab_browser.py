"""Issue 13 ("Lab records editable in the GUI") in a real browser: the Lab page's editable
grids render in Chromium; its screenshot for the README (tests/artifacts/lab.png, copied to
docs/screenshots/lab.png by hand). The page's logic is tested through AppTest (test_lab_page.py)."""

from __future__ import annotations

import pytest

from tests.browser import ARTIFACTS, idle, launch_chromium, log_in, needs_chromium, running_app, wait_for_file

pytestmark = pytest.mark.browser


@needs_chromium
def test_lab_page_grids_render_and_screenshot(tmp_path):
    """Issue 13: the Lab page shows an editable grid per kind; the stocks tab's grid is on screen."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(tmp_path / "data", tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = launch_chromium(p)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.set_default_timeout(60_000)
            expect.set_options(timeout=60_000)
            page.goto(url)
            log_in(page, "admin", wait_for_file(tmp_path / "data" / "initial-admin-password.txt"))
            idle(page)
            page.get_by_test_id("stSidebarNav").get_by_text("Lab", exact=True).click()
            expect(page.get_by_role("heading", name="Lab", exact=True).first).to_be_visible()
            idle(page)
            page.get_by_role("tab", name="Consumable stocks", exact=True).click()
            idle(page)
            stocks = page.get_by_role("tabpanel", name="Consumable stocks", exact=True)
            expect(stocks.get_by_test_id("stDataFrame")).to_be_visible()
            expect(stocks.get_by_role("button", name="Add row", exact=True)).to_be_visible()  # editable
            expect(stocks.get_by_role("button", name="Save", exact=True)).to_be_disabled()  # nothing changed
            page.screenshot(path=str(ARTIFACTS / "lab.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "lab-failure.png"), full_page=True)
            raise
        finally:
            browser.close()
