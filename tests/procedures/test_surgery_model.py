"""Issue 12 (GUI): procedures when the backend serves them, actions otherwise — decided once per
backend URL and forced by STEMGUI_SURGERY_MODEL; against the real bundled server and a real
proxy in front of it that answers the procedure endpoint with 404 (an older server)."""

from __future__ import annotations

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import StemGuiError
from stemgui.surgery_model import (
    SETTING,
    SurgeryModelSettingError,
    decide_model,
    forced_model,
    surgery_model,
    surgery_names,
)
from tests.faults import FaultProxy


@pytest.fixture(scope="module")
def token(server) -> str:
    return server.new_user("surgerymodel")[1]


def test_bundled_server_serves_procedures(server, token):
    """Issue 12 GUI item 1: today's bundled server has procedures, so the page shows procedures."""
    with BrainstemClient(server.url, token) as api:
        assert decide_model(api, environ={}) == "procedure"


def test_server_without_procedures_gets_actions(server, token):
    """Issue 12 GUI item 1: a backend answering 404 on procedures (older BrainSTEM) gets actions."""
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, token) as older:
        proxy.fail_next(1, status=404)
        assert decide_model(older, environ={}) == "action"


def test_decided_once_per_backend_url(server, token):
    """Issue 12 GUI item 1: the answer is kept per URL; another URL is asked anew."""
    cache: dict[str, str] = {}
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, token) as older:
        proxy.fail_next(1, status=404)
        assert surgery_model(proxy.url, older, cache, environ={}) == "action"
        asked = proxy.received["GET"]
        # the proxy would now forward (procedures served), but the cached answer stands
        assert surgery_model(proxy.url + "/", older, cache, environ={}) == "action"
        assert proxy.received["GET"] == asked
    with BrainstemClient(server.url, token) as api:
        assert surgery_model(server.url, api, cache, environ={}) == "procedure"
    assert set(cache.values()) == {"action", "procedure"}


def test_setting_forces_the_model_without_asking(server, token):
    """Issue 12 GUI item 1: STEMGUI_SURGERY_MODEL=action logs actions on a server with procedures."""
    cache: dict[str, str] = {}
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, token) as api:
        assert surgery_model(proxy.url, api, cache, environ={SETTING: " Action "}) == "action"
        assert surgery_model(proxy.url, api, cache, environ={SETTING: "procedure"}) == "procedure"
        assert proxy.received["GET"] == 0 and cache == {}


@pytest.mark.parametrize("value", ["procedures", "actions", "yes", "0"])
def test_bad_setting_is_a_clear_error_naming_the_variable(value):
    """Issue 12 GUI item 1: a value that is neither model is refused, naming the variable."""
    with pytest.raises(SurgeryModelSettingError) as raised:
        forced_model({SETTING: value})
    assert isinstance(raised.value, StemGuiError)
    assert SETTING in str(raised.value) and repr(value) in str(raised.value)
    assert "'procedure'" in str(raised.value) and "'action'" in str(raised.value)


def test_unset_or_blank_setting_means_ask_the_backend():
    assert forced_model({}) is None and forced_model({SETTING: "  "}) is None


def test_page_is_named_after_what_it_shows():
    """Issue 12 GUI: "the page is named after what it shows"."""
    procedures, actions = surgery_names("procedure"), surgery_names("action")
    assert (procedures.page_title, procedures.new_button, procedures.notes_field) == (
        "Procedures", "New procedure", "notes")
    assert (actions.page_title, actions.new_button, actions.notes_field) == (
        "Actions", "New action", "description")
    assert procedures.generation.coordinates == "coordinates_current"
    assert actions.generation.types == "action"
