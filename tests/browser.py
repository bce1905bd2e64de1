"""The real-browser harness shared by the browser tests: the app started as users start it
(``streamlit run app.py``, bundled backend), Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from tests.serverproc import REPO_ROOT, free_port

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = REPO_ROOT / "tests" / "artifacts"
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason="Debian chromium is not installed (make system-deps)"
)
# Streamlit's own entry point with DEBUG logging switched on for every logger first.
_DEBUG_LAUNCH = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG); "
    "from streamlit.web.cli import main; sys.argv[0] = 'streamlit'; main()"
)


@contextmanager
def running_app(data_dir: Path, log_path: Path, *, debug_logging: bool = False) -> Iterator[str]:
    """``streamlit run app.py`` on a free port with no STEMGUI_API_URL; yields its URL."""
    env = {k: v for k, v in os.environ.items() if k != "STEMGUI_API_URL"}
    env.update(STEMGUI_DATA_DIR=str(data_dir), STEMGUI_LOGIN_SLEEP="0")
    port = free_port()
    launcher = ["-c", _DEBUG_LAUNCH] if debug_logging else ["-m", "streamlit"]
    command = [sys.executable, *launcher, "run", "app.py", "--server.headless", "true",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]  # fmt: skip
    with log_path.open("wb") as log:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_for_health(proc, url, log_path)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def _wait_for_health(proc: subprocess.Popen, url: str, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url + "_stcore/health", timeout=1).text == "ok":
                return
        except requests.RequestException:
            time.sleep(0.2)
    proc.kill()
    pytest.fail("streamlit did not start:\n" + log_path.read_text(errors="replace"))


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def wait_for_file(path: Path, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and path.read_text().strip():
            return path.read_text().strip()
        time.sleep(0.2)
    raise AssertionError(f"{path} was not written")


# Busy: Streamlit's status widget shows during a run, and elements of the previous run stay in the
# page marked stale until the new run replaces or removes them. Idle means quiet for `settle` ms
# in a row: a run announces itself only after a short delay, and one run often starts another
# (a widget's change, st.rerun), so one idle glimpse is not enough.
_QUIET_JS = """(settle) => {
    const now = performance.now();
    const busy = document.querySelector(
        "[data-testid='stStatusWidget'], [data-stale='true'], [data-testid='stSkeleton']");
    if (busy) { window.__stemguiQuietSince = undefined; return false; }
    if (window.__stemguiQuietSince === undefined) window.__stemguiQuietSince = now;
    return now - window.__stemguiQuietSince >= settle;
}"""


def idle(page, settle_ms: int = 500, timeout_ms: int = 60_000) -> None:
    """Wait until the app has finished running: no status widget, no stale elements, for a while."""
    page.evaluate("() => { window.__stemguiQuietSince = undefined; }")
    page.wait_for_function(_QUIET_JS, arg=settle_ms, polling=100, timeout=timeout_ms)


def click(page, locator) -> None:
    """Click once the app is idle (a click on a widget being redrawn can be lost)."""
    idle(page)
    locator.click()


def fill(page, locator, text: str, *, commit: str = "Tab") -> None:
    """Type into a text input once the app is idle, then send it (Streamlit reads it on blur/Enter)."""
    idle(page)
    locator.fill(text)
    locator.press(commit)
    idle(page)


def log_in(page, username: str, password: str) -> None:
    """Fill and submit the login form; submit again if a rerun of the first page swallowed the click."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    user_box = page.get_by_role("textbox", name="Username", exact=True)
    password_box = page.get_by_role("textbox", name="Password", exact=True)
    log_out = page.get_by_role("button", name="Log out", exact=True)
    for _ in range(3):
        idle(page)  # a slow first run (the bundled server starting) may still log the user in
        if log_out.count():
            return
        user_box.fill(username)
        password_box.fill(password)
        page.get_by_role("button", name="Log in", exact=True).click()
        try:
            log_out.wait_for(timeout=30_000)
            idle(page)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError("could not log in through the browser")
