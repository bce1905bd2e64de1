"""One real browser on the Actions page: ``streamlit run app.py`` with the bundled backend,
Chromium driven by Playwright: pick a type and a system, search a brain region by acronym,
fill details and coordinates, save, see it listed; the form is screenshotted to tests/artifacts."""

from __future__ import annotations

import os
import re

import pytest
import requests

from tests.browser import ARTIFACTS, click, fill, idle, launch_chromium, log_in, needs_chromium, wait_for_file
from tests.gui.test_browser import streamlit_app as streamlit_app  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser


def _select(page, label: str, typed: str, option: str) -> None:
    """Open the selectbox `label`, type to filter, pick `option` (Streamlit filters as you type).

    Tried again when a rerun redraws the list under the pointer.
    """
    from playwright.sync_api import Error as PlaywrightError

    box = page.get_by_label(label, exact=True).last  # the form sits below the filters of the same name
    for _ in range(3):
        idle(page)
        box.click()
        page.keyboard.type(typed)
        try:
            page.get_by_role("option", name=option, exact=True).click(timeout=10_000)
        except PlaywrightError:
            page.keyboard.press("Escape")
            continue
        idle(page)
        if box.input_value() == option:
            return
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def _number(page, label: str, value: str) -> None:
    fill(page, page.get_by_label(label, exact=True), value)  # a number input sends its value on blur


@needs_chromium
def test_create_an_action_in_a_real_browser(streamlit_app):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data
    url, data_dir = streamlit_app
    description = f"Browser action {os.getpid()}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            # The very first visit to a fresh server is a bookmark of the Actions page: Streamlit runs
            # pages/actions.py alone then; the app must still show its login, then that page.
            page.goto(url + "actions")
            log_in(page, "admin", wait_for_file(data_dir / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Actions", exact=True).first).to_be_visible()
            _create_action(page, description)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "actions-failure.png"), full_page=True)  # for diagnosis
            raise
        finally:
            browser.close()
    assert requests.get(url + "_stcore/health", timeout=5).text == "ok"


def _create_action(page, description: str) -> None:
    """On the Actions page, fill a virus injection, screenshot the form, save, see it."""
    from playwright.sync_api import expect

    expect(page.get_by_text("15 actions shown", exact=True).first).to_be_visible()  # the demo actions
    click(page, page.get_by_role("button", name="New action", exact=True))
    _select(page, "Type *", "virus", "Virus injection")
    _select(page, "Coordinates system *", "bregma abs", "Stereotaxic Bregma absolute")
    expect(page.get_by_text("Coordinate convention", exact=True)).to_be_visible()
    _select(page, "Subject *", "MS01", "MS01")  # a demo subject
    # Issue 10 item 9: the area's name finds the regions inside it, best first
    fill(page, page.get_by_role("textbox", name="Find a brain region", exact=True), "hippocampus")
    _select(page, "Brain region", "CA1", "CA1 — Field CA1")
    _number(page, "Injection volume (nL) *", "300")
    _number(page, "AP coordinate (mm)", "-2")
    _number(page, "ML coordinate (mm)", "1.5")
    _number(page, "DV coordinate (mm)", "-1.25")
    fill(page, page.get_by_role("textbox", name="Description", exact=True), description)
    for label, value in (("Injection volume (nL) *", "300"), ("AP coordinate (mm)", "-2"),
                         ("ML coordinate (mm)", "1.5"), ("DV coordinate (mm)", "-1.25")):
        expect(page.get_by_label(label, exact=True)).to_have_value(value)  # nothing lost to a rerun
    page.set_viewport_size({"width": 1400, "height": 2600})  # the whole form in one picture
    idle(page)
    form = page.locator("[data-testid='stVerticalBlock']").filter(
        has=page.get_by_role("heading", name="New action", exact=True)).last  # the innermost: the form itself
    form.screenshot(path=str(ARTIFACTS / "actions-form.png"))
    page.set_viewport_size({"width": 1400, "height": 1000})
    click(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text("Saved the action.", exact=True)).to_be_visible()
    expect(page.get_by_text("16 actions shown", exact=True).first).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]action="))
    detail = page.get_by_test_id("stText")  # the detail panel (the table is a canvas)
    expect(detail.filter(has_text=description)).to_be_visible()
    expect(detail.filter(has_text="ML +1.5 mm")).to_be_visible()
    expect(detail.filter(has_text="CA1 — Field CA1").first).to_be_visible()
    idle(page)
    page.screenshot(path=str(ARTIFACTS / "actions-saved.png"), full_page=True)
