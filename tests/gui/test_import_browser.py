"""Issue 16 (GUI): the Import page's whole flow in one real browser — ``streamlit run app.py``
with the bundled backend, Chromium through Playwright: upload a CSV through the file input, see
the dry run with its bad cells marked (screenshotted to tests/artifacts/import-dry-run.png, copied
to docs/screenshots/ by hand: a test run writes no tracked file), commit, see the summary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser import ARTIFACTS, click, fill, idle, launch_chromium, log_in, needs_chromium, wait_for_file
from tests.gui.test_browser import streamlit_app as streamlit_app  # noqa: F401  (the fixture)
from tests.importing.lab import as_csv

pytestmark = pytest.mark.browser
PROJECT = "Demo: Hippocampal sharp-wave ripples"  # a project of the demo data


@needs_chromium
def test_import_a_sheet_in_a_real_browser(streamlit_app):  # noqa: F811
    """Issue 16 (GUI) browser flow: upload, dry run with marked cells, commit, summary."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data
    url, data_dir = streamlit_app
    tag = f"browser-import-{os.getpid()}"
    data = as_csv(
        ["name", "projects", "date_time", "description"],
        [
            [f"{tag}-a", PROJECT, "2024-05-01 10:00", "fine"],
            [f"{tag}-b", "Hipocampal ripples", "2024-05-02 10:00", "a typo in the project"],
            [f"{tag}-c", PROJECT, "2024-13-45 10:00", "no such month"],
            [f"{tag}-d", PROJECT, "2024-05-04 10:00", "fine"],
        ],
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.set_default_timeout(60_000)
        try:
            page.goto(url + "import")
            log_in(page, "admin", wait_for_file(data_dir / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Import", exact=True).first).to_be_visible()
            idle(page)
            page.locator("input[type=file]").set_input_files(
                files=[{"name": "sessions.csv", "mimeType": "text/csv", "buffer": data}]
            )
            dry_run = page.locator(".st-key-imports-dry-run")
            expect(dry_run.get_by_text("Dry run — nothing written yet", exact=True)).to_be_visible()
            idle(page)
            metrics = page.get_by_test_id("stMetricValue")
            expect(metrics).to_have_text(["2", "0", "0", "2"])
            dry_run.screenshot(path=str(ARTIFACTS / "import-dry-run.png"))
            commit = page.get_by_role("button", name="Commit: write 2 rows, skip 2 rows in error", exact=True)
            click(page, commit)
            expect(page.get_by_role("heading", name="Import finished", exact=True)).to_be_visible()
            expect(
                page.get_by_text("Created 2 · updated 0 · unchanged 0 · skipped 2.", exact=True)
            ).to_be_visible()
            page.screenshot(path=str(ARTIFACTS / "import-summary.png"), full_page=True)
            exported = _export_filtered_sessions(page, tag)
            assert f"{tag}-a" in exported and f"{tag}-d" in exported and f"{tag}-b" not in exported
            # ... and imported back: nothing to write
            _open(page, "Import")  # the last import's summary is still shown
            click(page, page.get_by_role("button", name="Import another file", exact=True))
            idle(page)
            page.locator("input[type=file]").set_input_files(
                files=[{"name": "exported.csv", "mimeType": "text/csv", "buffer": exported.encode()}]
            )
            expect(dry_run.get_by_text("Dry run — nothing written yet", exact=True)).to_be_visible()
            idle(page)
            expect(page.get_by_test_id("stMetricValue")).to_have_text(["0", "0", "2", "0"])
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "import-failure.png"), full_page=True)  # for diagnosis
            raise
        finally:
            browser.close()


def _open(page, title: str) -> None:
    """Open a page through the sidebar's menu (the same browser session: no reload, no re-login)."""
    click(page, page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True))
    idle(page)


def _export_filtered_sessions(page, tag: str) -> str:
    """On the Sessions page, filter to ``tag`` and download "Export for import"."""
    from playwright.sync_api import expect

    _open(page, "Sessions")
    search = page.get_by_role("textbox", name="Search name or description", exact=True)
    fill(page, search, tag, commit="Enter")
    expect(page.get_by_text("2 sessions shown", exact=True).first).to_be_visible()
    idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Export for import", exact=True).click()
    return Path(download.value.path()).read_text(encoding="utf-8-sig")
