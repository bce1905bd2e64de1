"""Issue 12 (Show): one real browser on the Procedures page — ``streamlit run app.py`` with the
bundled backend, Chromium driven by Playwright: log in, open Procedures, log an Anesthesia, a
Craniotomy, a VirusInjection with a µL volume and an nL/min rate, and a SiliconProbeImplant in
CCF; then read them back through the API. The form is screenshotted for the README
(tests/artifacts/procedures-form.png, copied to docs/screenshots/ by hand).
(The same flow on ``STEMGUI_SURGERY_MODEL=action`` is in test_procedures_page.py, through AppTest.)"""

from __future__ import annotations

import os
import re

import pytest
import yaml

from stemgui.client import BrainstemClient
from stemgui.gui.procedure_form import saved_label
from stemgui.procedure_payload import ProcedureFormValues
from tests.browser import ARTIFACTS, click, fill, idle, launch_chromium, log_in, needs_chromium, wait_for_file
from tests.gui.test_actions_browser import _number, _select
from tests.gui.test_browser import streamlit_app as streamlit_app  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser
CCF = "Common Coordinate Framework XYZ Absolute Coordinates"
BREGMA = "Stereotaxic Bregma-Based Absolute Coordinates"
STOCK = "AAV9-hSyn-jGCaMP8m-WPRE · lot V-2025-044"  # a demo virus lot, by its construct and lot
# type, its picker option, system, selects (label, typed, option), numbers (label, value), units (label, unit)
PROCEDURES = [
    ("Anesthesia", "Surgical · Anesthesia", BREGMA,
     [("Anesthetic agent *", "Isoflurane", "Isoflurane"), ("Route *", "Inhalation", "Inhalation")], [], []),
    ("Craniotomy", "Surgical · Craniotomy", BREGMA, [],
     [("AP coordinate", "-2"), ("ML coordinate", "1.5")], []),
    ("VirusInjection", "Injections · Virus injection", BREGMA,
     [("Brain region", "CA1", "CA1 — Field CA1"), ("Consumable stock", "jGCaMP8m", STOCK)],
     [("Injection volume", "0.3"), ("Injection rate", "50"), ("AP coordinate", "-2"),
      ("ML coordinate", "1.5"), ("DV coordinate", "-1.25")],
     [("Unit of Injection volume", "µL")]),
    ("SiliconProbeImplant", "Implants · Silicon probe implant", CCF, [],
     [("X", "7.1"), ("Y", "2.2"), ("Z", "3200")], [("Unit of Z", "µm")]),
]


@needs_chromium
def test_log_four_procedures_in_a_real_browser_and_read_them_back(streamlit_app):  # noqa: F811
    """Issue 12 Show: the four procedures logged through the Procedures form arrive with their
    types, units and values."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)  # the first page starts the bundled server and loads demo data
    url, data_dir = streamlit_app
    marker = f"browser-{os.getpid()}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = launch_chromium(p)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(60_000)
        try:
            page.goto(url + "procedures")
            log_in(page, "admin", wait_for_file(data_dir / "initial-admin-password.txt"))
            expect(page.get_by_role("heading", name="Procedures", exact=True).first).to_be_visible()
            backend = re.search(r"127\.0\.0\.1:\d+", page.get_by_test_id("stSidebar").inner_text()).group(0)
            for number, procedure in enumerate(PROCEDURES):
                _log(page, procedure, f"{marker} {number}", screenshot=procedure[0] == "VirusInjection")
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "procedures-failure.png"), full_page=True)  # for diagnosis
            raise
        finally:
            browser.close()
    token = yaml.safe_load((data_dir / "api-users.yaml").read_text())["admin"]["token"]
    with BrainstemClient(f"http://{backend}/", token) as api:
        saved = {p["type"]: p for p in api.list_all("procedure", filters={"notes.icontains": marker})}
    assert sorted(saved) == sorted(p[0] for p in PROCEDURES)
    assert saved["Anesthesia"]["details"]["anestheticAgent"] == "Isoflurane"
    assert saved["Craniotomy"]["coordinates_details"]["mlCoordinate"] == {"value": 1.5, "unit": "mm"}
    assert saved["VirusInjection"]["consumablestock"] and saved["VirusInjection"]["brain_region"]
    virus = saved["VirusInjection"]["details"]
    assert virus["injectionVolume"] == {"value": 0.3, "unit": "µL"}
    assert virus["injectionRate"] == {"value": 50, "unit": "nL/min"}
    probe = saved["SiliconProbeImplant"]
    assert probe["coordinates_system"] == "CCF_XYZ_Absolute"
    assert probe["coordinates_details"]["z"] == {"value": 3200, "unit": "µm"}
    assert probe["coordinates_details"]["x"] == {"value": 7.1, "unit": "mm"}


def _log(page, procedure, notes: str, *, screenshot: bool) -> None:
    """New procedure: type, system, subject, the inputs; Save; the toast names the type."""
    from playwright.sync_api import expect

    kind, option, system, selects, numbers, units = procedure
    click(page, page.get_by_role("button", name="New procedure", exact=True))
    _select(page, "Procedure type *", option.split(" · ")[1], option)
    _select(page, "Coordinates system *", system.split()[0], system)
    _select(page, "Subject *", "MS01", "MS01")  # a demo subject
    for label, typed, choice in selects:
        _select(page, label, typed, choice)
    for label, unit in units:
        _select(page, label, unit, unit)
    for label, value in numbers:
        _number(page, label, value)
    fill(page, page.get_by_role("textbox", name="Notes", exact=True), notes)
    for label, value in numbers:
        expect(page.get_by_label(label, exact=True)).to_have_value(value)  # nothing lost to a rerun
    if screenshot:
        page.set_viewport_size({"width": 1400, "height": 2400})  # the whole form in one picture
        idle(page)
        form = page.locator("[data-testid='stVerticalBlock']").filter(
            has=page.get_by_role("heading", name="New procedure", exact=True)).last
        form.screenshot(path=str(ARTIFACTS / "procedures-form.png"))
        page.set_viewport_size({"width": 1400, "height": 1000})
    click(page, page.get_by_role("button", name="Save", exact=True))
    expect(page.get_by_text(saved_label(ProcedureFormValues(type=kind)), exact=True)).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]procedure="))
