"""Issue 14 in a real browser: a planned surgery at the bench, counted in interactions.

``streamlit run app.py`` with its bundled backend, Chromium through Playwright, one login: plan
from the lab template, confirm steps with one click each, repeat a step with one value changed,
Enter and Ctrl+Enter log, Esc cancels an edit, the backend stops answering mid-surgery (its
process paused: SIGSTOP) so a step waits in the outbox — shown in place and counted — and is
sent once when it answers again; the printable record. Screenshots go to tests/artifacts/
(copied to docs/screenshots/ by hand).
"""

from __future__ import annotations

import os
import re
import signal
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, click, fill, idle, launch_chromium, log_in, needs_chromium, wait_for_file
from tests.gui.test_actions_browser import _select
from tests.gui.test_browser import streamlit_app as streamlit_app  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
CONFIRM_PLANNED, REPEAT_ONE_CHANGE, WHOLE_PLAN = 1, 3, 12  # the budgets (README)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return found


def _bundled_server_pid() -> int:
    """The bundled backend this test's app started (a child of the app this test started)."""
    for app in _children(os.getpid()):
        for child in _children(app):
            if b"stemgui" in Path(f"/proc/{child}/cmdline").read_bytes():
                return child
    raise AssertionError("the bundled server process was not found")


def _caption(page, text: str):
    return page.get_by_text(re.compile(text)).first


@needs_chromium
def test_a_planned_surgery_at_the_bench(streamlit_app):  # noqa: F811
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    url, data_dir = streamlit_app
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1500, "height": 1100})
        page.set_default_timeout(60_000)
        paused = None
        try:
            page.goto(url + "surgery_day")
            log_in(page, "admin", wait_for_file(data_dir / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Surgery day", exact=True)).to_be_visible()
            _select(page, "Subject", "MS01", "MS01")
            fill(page, page.get_by_role("textbox", name="Surgeon(s)", exact=True), "A. Surgeon")
            click(page, page.locator(".st-key-surgery-save_details button").first)
            _select(page, "From a lab template", "bilateral", "bilateral CA1 AAV + fiber")
            click(page, page.get_by_role("button", name="Use this template", exact=True))
            expect(_caption(page, r"0 logged \(0 waiting to send\) · 8 planned")).to_be_visible()
            counted = []

            def confirm(index: int) -> None:
                click(page, page.locator(f".st-key-surgery-confirm-p{index} button").first)
                counted.append(f"confirm {index}")

            confirm(0)  # ONE interaction per planned step
            expect(_caption(page, r"^1 logged")).to_be_visible()
            for index in (1, 2, 3):
                confirm(index)
            expect(_caption(page, r"^4 logged")).to_be_visible()

            # a repeat of the previous step (the left virus injection) with one value changed
            before = len(counted)
            click(page, page.get_by_role("button", name="Unplanned step instead", exact=True))
            counted.append("unplanned")
            volume = page.locator(".st-key-surgery-form").get_by_label("Injection volume", exact=True)
            expect(volume).to_have_value("300")  # the last step's values
            fill(page, volume, "250", commit="Enter")  # one value typed, and Enter logs (it did not)
            counted.append("volume + Enter")
            expect(_caption(page, r"^5 logged")).to_be_visible()
            repeat = len(counted) - before
            assert repeat <= REPEAT_ONE_CHANGE
            counted[before:] = []  # not part of the plan's count

            # the backend stops answering: the next planned step waits in the outbox, shown in place
            paused = _bundled_server_pid()
            os.kill(paused, signal.SIGSTOP)
            idle(page)
            page.keyboard.press("Control+Enter")  # the form holds the next planned step: confirm it
            counted.append("ctrl+enter 4")
            expect(_caption(page, r"^6 logged \(1 waiting to send\)")).to_be_visible(timeout=120_000)
            expect(page.get_by_text("waiting to send", exact=True)).to_have_count(1)
            page.get_by_text("waiting to send", exact=True).scroll_into_view_if_needed()
            idle(page)
            page.screenshot(path=str(ARTIFACTS / "surgery-day-in-progress.png"), full_page=True)
            os.kill(paused, signal.SIGCONT)
            paused = None
            for index in (5, 6, 7):
                confirm(index)
            done = _caption(page, r"^9 logged \(0 waiting to send\) · 0 planned")
            expect(done).to_be_visible(timeout=120_000)
            assert len(counted) <= WHOLE_PLAN, counted
            idle(page)
            summary = page.locator("[data-testid='stCode']").first.inner_text()
            times = re.findall(r"^\d+\. (\d\d:\d\d:\d\d)", summary, flags=re.M)
            assert len(times) == 9 and times == sorted(times), summary  # sent once each, in order

            # Esc cancels an edit; the form's first field has the focus when it opens
            click(page, page.locator("[class*='st-key-actions-day-edit-'] button").first)
            expect(page.get_by_role("heading", name="Edit step", exact=True)).to_be_visible()
            idle(page)
            assert page.evaluate("() => !!document.activeElement.closest('.st-key-surgery-form')")
            page.keyboard.press("Escape")
            expect(page.get_by_role("heading", name="Step 10", exact=True)).to_be_visible()

            click(page, page.get_by_text("Printable record", exact=True))
            with page.expect_download() as download:
                click(page, page.get_by_role("button", name=re.compile("^Download the record"), exact=False))
            record = ARTIFACTS / "surgery-record.html"
            record.write_bytes(Path(download.value.path()).read_bytes())
            assert "Virus Injection" in record.read_text() and "<svg" in record.read_text()
            assert "A. Surgeon" in record.read_text()
            (ARTIFACTS / "surgery-counts.txt").write_text(
                f"confirm a planned step: {CONFIRM_PLANNED}\nrepeat with one value changed: {repeat}\n"
                f"8-step planned surgery: {len(counted)}\n")
            record_page = browser.new_page(viewport={"width": 1000, "height": 1300})
            record_page.goto(record.as_uri())
            record_page.screenshot(path=str(ARTIFACTS / "surgery-record.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "surgery-day-failure.png"), full_page=True)
            raise
        finally:
            if paused:
                os.kill(paused, signal.SIGCONT)
            browser.close()
