"""Issue 9 item 4 in a real browser: the re-login cookie logs in on a new visit, and a copy kept
from before no longer does after Log out or after a password change.

The cookie is set by Streamlit's cookie component in the browser, so only a browser can show it.
"""

from __future__ import annotations

import time

import pytest

from stemgui.auth import COOKIE_NAME
from tests.browser import idle, launch_chromium, log_in, needs_chromium, running_app, wait_for_file

pytestmark = pytest.mark.browser


def auth_cookie(context, other_than: str | None = None, timeout: float = 30) -> str:
    """The re-login cookie once the app has set it (and, if given, replaced ``other_than``)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in context.cookies():
            if cookie["name"] == COOKIE_NAME and cookie["value"] and cookie["value"] != other_than:
                return cookie["value"]
        time.sleep(0.2)
    raise AssertionError("the app set no new re-login cookie")


def visit_with_cookie(browser, url: str, value: str):
    """A fresh browser profile that holds only ``value`` as the re-login cookie; its page."""
    context = browser.new_context(viewport={"width": 1300, "height": 900})
    context.add_cookies([{"name": COOKIE_NAME, "value": value, "url": url}])
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(url)
    return page


def shows_login(page) -> bool:
    page.get_by_role("button", name="Log in", exact=True).wait_for()
    idle(page)
    page.wait_for_timeout(1500)  # the cookie would log in on the run after the first one
    return page.get_by_role("button", name="Log out", exact=True).count() == 0


@needs_chromium
def test_an_old_cookie_no_longer_logs_in_after_logout_or_a_password_change(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    data_dir = tmp_path / "data"
    with running_app(data_dir, tmp_path / "streamlit.log") as url, sync_playwright() as p:
        browser = launch_chromium(p)
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.set_default_timeout(60_000)
        page.goto(url)
        password = wait_for_file(data_dir / "initial-admin-password.txt")
        log_in(page, "admin", password)
        first = auth_cookie(context)

        other = visit_with_cookie(browser, url, first)  # the cookie works: a new visit is logged in
        expect(other.get_by_role("button", name="Log out", exact=True)).to_be_visible()
        other.context.close()

        page.get_by_role("button", name="Log out", exact=True).click()
        expect(page.get_by_role("button", name="Log in", exact=True)).to_be_visible()
        stale = visit_with_cookie(browser, url, first)  # a copy kept from before the logout
        assert shows_login(stale)
        stale.context.close()

        log_in(page, "admin", password)
        second = auth_cookie(context, other_than=first)
        page.get_by_role("link", name="Account", exact=True).click()
        page.get_by_role("textbox", name="Current password", exact=True).fill(password)
        page.get_by_role("textbox", name="New password", exact=True).fill("a brand new password")
        page.get_by_role("textbox", name="New password again", exact=True).fill("a brand new password")
        page.get_by_role("button", name="Change password", exact=True).click()
        expect(page.get_by_text("Password changed.", exact=False)).to_be_visible()
        stale = visit_with_cookie(browser, url, second)  # a copy kept from before the change
        assert shows_login(stale)
        stale.context.close()

        page.get_by_role("link", name="Sessions", exact=True).click()  # one more run renews the cookie
        idle(page)
        renewed = visit_with_cookie(browser, url, auth_cookie(context, other_than=second))
        expect(renewed.get_by_role("button", name="Log out", exact=True)).to_be_visible()
        browser.close()
