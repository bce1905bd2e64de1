"""One real browser: ``streamlit run app.py`` in a fresh data dir with the bundled backend,
Chromium driven by Playwright: first-run password, login, create a session, see it listed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from tests.gui.apptest import REPO_ROOT
from tests.serverproc import free_port

pytestmark = pytest.mark.browser
CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"


def _processes_mentioning(text: str) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and text in (proc / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(proc.name))
        except OSError:
            continue
    return found


@pytest.fixture
def streamlit_app(tmp_path):
    """The app as a user starts it: no STEMGUI_API_URL, so it starts its bundled server."""
    data_dir = tmp_path / "data"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "STEMGUI_API_URL"}
    env.update(STEMGUI_DATA_DIR=str(data_dir), STEMGUI_LOGIN_SLEEP="0")
    log = (tmp_path / "streamlit.log").open("wb")
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "_stcore/health", timeout=1).text == "ok":
                break
        except requests.RequestException:
            time.sleep(0.2)
    else:
        proc.kill()
        pytest.fail("streamlit did not start:\n" + (tmp_path / "streamlit.log").read_text())
    yield url, data_dir
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


def _wait_for_file(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written")


def _idle(page) -> None:
    """Wait until the app has finished its current run (Streamlit shows a status widget meanwhile)."""
    page.wait_for_timeout(300)
    page.locator("[data-testid='stStatusWidget']").wait_for(state="detached")


def _log_in(page, username: str, password: str) -> None:
    """Fill and submit the login form; submit again if a rerun of the first page swallowed the click."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    for _ in range(3):
        page.get_by_role("button", name="Log in").click()
        try:
            page.get_by_role("button", name="Log out").wait_for(timeout=20_000)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("could not log in through the browser")


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make system-deps)")
def test_login_create_session_and_see_it_listed(streamlit_app):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data

    url, data_dir = streamlit_app
    name = f"Browser session {os.getpid()}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        page.goto(url)
        password = _wait_for_file(data_dir / "initial-admin-password.txt")
        _log_in(page, "admin", password)
        expect(page.get_by_role("heading", name="Sessions")).to_be_visible()
        expect(page.get_by_text("sessions shown").first).to_be_visible()
        page.get_by_role("button", name="New session").click()
        page.get_by_role("textbox", name="Name *").fill(name)
        page.get_by_label("Projects *").click()
        page.get_by_role("option", name="Demo: Septal optogenetics").click()
        page.keyboard.press("Escape")
        _idle(page)  # typing while the rerun of the last change redraws the form can lose keys
        page.get_by_role("textbox", name="Description").fill("Entered through a real browser.")
        page.get_by_role("textbox", name="Description").press("Control+Enter")
        _idle(page)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_text(f"Saved session “{name}”.")).to_be_visible()
        expect(page.get_by_text("21 sessions shown").first).to_be_visible()  # the 20 demo sessions + ours
        page.get_by_role("textbox", name="Search name or description").fill(name)
        page.get_by_role("textbox", name="Search name or description").press("Enter")
        expect(page.get_by_text("1 session shown").first).to_be_visible()  # the table is a canvas: count rows
        with page.expect_download() as download:
            page.get_by_role("button", name="Download CSV").click()
        csv = Path(download.value.path()).read_text()
        assert csv.splitlines()[1].startswith(name + ",")  # the one row shown is ours
        assert "Entered through a real browser." in csv
        assert "session=" in page.url
        _idle(page)
        page.screenshot(path=str(ARTIFACTS / "sessions-page.png"), full_page=True)
        page.reload()  # the re-login cookie keeps the user logged in across a reload ...
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        page.get_by_role("button", name="Log out").click()
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        _idle(page)
        page.reload()  # ... and logging out ends it
        expect(page.get_by_role("button", name="Log in")).to_be_visible()
        page.wait_for_timeout(1500)
        expect(page.get_by_role("button", name="Log out")).to_have_count(0)
        # A bookmarked page opened while logged out shows the login, then that page (no "Page not found").
        page.goto(url + "actions")
        _log_in(page, "admin", password)
        expect(page.get_by_role("heading", name="Actions", exact=True).first).to_be_visible()
        assert page.get_by_text("Page not found").count() == 0
        browser.close()
