"""Issue 13 in a real browser (``streamlit run app.py``, bundled backend, Chromium): a shared
link to MS04's page opens it through the login, with its timeline, weight curve and implant map
drawn; screenshots of that page (the demo's real-looking fiber-photometry surgery) for the issue
and the README (tests/artifacts/subject-page*.png, copied to docs/screenshots/subject-page.png by hand:
a test run writes no tracked file)."""

from __future__ import annotations

import pytest

from stemgui.server.demo import demo_id
from tests.browser import ARTIFACTS, idle, launch_chromium, log_in, needs_chromium, running_app, wait_for_file

pytestmark = pytest.mark.browser
# tall enough to hold the whole subject's page: Streamlit scrolls inside its own container,
# so a full-page screenshot would stop at the window
VIEWPORT = {"width": 1440, "height": 2300}


@needs_chromium
def test_ms04_page_shows_timeline_weight_curve_and_implant_map(tmp_path):
    """Issue 13 Show: ``/subjects?subject=<MS04>`` opens MS04's page after the login: header
    (strain, age), the timeline of the surgery day with links to its procedures, the weight
    curve, the top and coronal implant views (three Vega-Lite charts on screen, drawn), the
    unplaceable list absent, the log form with Weighing's two inputs; screenshots kept."""
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with running_app(tmp_path / "data", tmp_path / "streamlit.log") as url, sync_playwright() as p:
        expect.set_options(timeout=60_000)  # the first page starts the bundled server, loads the demo
        browser = launch_chromium(p)
        page = browser.new_page(viewport=VIEWPORT)
        page.set_default_timeout(60_000)
        try:
            page.goto(f"{url}subjects?subject={demo_id('subject', 'MS04')}")
            log_in(page, "admin", wait_for_file(tmp_path / "data" / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Subjects", exact=True).first).to_be_visible()
            for heading in ("Timeline", "Weight", "Implant map", "Log"):
                expect(page.get_by_role("heading", name=heading, exact=True)).to_be_visible()
            idle(page)
            links = page.get_by_role("link", name="VirusInjection · CA1", exact=True)
            expect(links).to_have_count(2)  # the left and the right injection, each its own record
            assert "/procedures?procedure=" in (links.first.get_attribute("href") or "")
            charts = page.get_by_test_id("stVegaLiteChart")
            expect(charts).to_have_count(3)
            for i in range(3):  # each chart drew its picture (Vega renders into a canvas or svg)
                expect(charts.nth(i).locator("canvas, svg").first).to_be_visible()
            expect(page.get_by_role("spinbutton", name="Weight", exact=True)).to_be_visible()
            expect(page.get_by_text("Not on the map", exact=True)).to_have_count(0)
            page.screenshot(path=str(ARTIFACTS / "subject-page-full.png"))  # the list above the page
            page.locator(".st-key-subjects-detail").screenshot(path=str(ARTIFACTS / "subject-page.png"))
            charts.nth(1).screenshot(path=str(ARTIFACTS / "subject-page-map.png"))
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "subject-page-failure.png"))
            raise
        finally:
            browser.close()
