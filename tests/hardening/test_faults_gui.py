"""Faults seen through the GUI (AppTest, the app pointed at a backend by STEMGUI_API_URL): the
backend killed mid-session, slower than the timeout, or behind a proxy answering 502/503.

Each time the page shows a clear banner, keeps showing what it last loaded, queues a new session
in the user's outbox ("saved locally — 1 waiting"), and once the backend answers again sends it
by itself — exactly once — and drops the banner.
"""

from __future__ import annotations

import itertools
import os
import threading
import time
from pathlib import Path

import pytest
import requests

from stemgui.auth import UserStore
from stemgui.outbox import Outbox
from tests.faults import FaultProxy
from tests.gui.action_helpers import fill_action
from tests.gui.apptest import PASSWORD, form_prefix, logged_in, texts, values
from tests.serverproc import ServerProcess

BANNER = "127.0.0.1 is not answering"  # the backend in use, named by its host (issue 10 item 16)
_names = itertools.count(1)


class Backend:
    """A real server with demo data, one GUI user holding a token for it, and an optional proxy."""

    def __init__(self, tmp_path: Path) -> None:
        self.server = ServerProcess(f"sqlite:///{tmp_path / 'api.sqlite'}", tmp_path / "api").start()
        self.username, self.token = self.server.new_user("hfault")
        self.server.cli("demo", "--member", self.username)
        self.gui_dir = tmp_path / "gui"
        store = UserStore(self.gui_dir)
        store.bootstrap()
        store.add_user(self.username, PASSWORD, "editor")
        store.set_api_token(self.username, self.token)
        self.slow = threading.Event()
        self.proxy = FaultProxy(self.server.url, before_forward=self._maybe_sleep).start()

    def _maybe_sleep(self, _handler) -> None:
        # Held until healed: past the client's 2 s read timeout, then forwarded (a POST lands late).
        while self.slow.is_set() and not self.proxy.stopping.wait(0.05):
            pass

    def heal_slowness(self) -> None:
        """Let held requests through and wait until they are done (so a late POST has landed)."""
        self.slow.clear()
        deadline = time.monotonic() + 30
        while self.proxy.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)

    def restart(self) -> None:
        self.server = ServerProcess(self.server.db_url, self.server.data_dir, port=self.server.port).start()

    def _list(self, path: str, key: str) -> list[dict]:
        response = requests.get(
            self.server.url + path,
            params={"limit": 1000},
            headers=self.server.headers(self.token),
            timeout=10,
        )
        return response.json()[key]

    def names(self) -> list[str]:
        return [s["name"] for s in self._list("api/private/stem/session/", "sessions")]

    def first_subject(self) -> str:
        return sorted(s["id"] for s in self._list("api/private/stem/subject/", "subjects"))[0]

    def stop(self) -> None:
        self.proxy.stop()
        self.server.stop()


@pytest.fixture
def backend(tmp_path, monkeypatch, _apptest_runs_app_py):
    made = Backend(tmp_path)
    monkeypatch.chdir(Path(__file__).resolve().parents[2])
    monkeypatch.setenv("STEMGUI_DATA_DIR", str(made.gui_dir))
    monkeypatch.setenv("STEMGUI_API_URL", made.proxy.url)
    monkeypatch.setenv("STEMGUI_API_TIMEOUT", "2")
    monkeypatch.setenv("STEMGUI_LOGIN_SLEEP", "0")
    yield made
    made.stop()


def break_backend(backend: Backend, fault: str) -> None:
    if fault == "killed":
        backend.server.kill()
    elif fault == "slow":
        backend.slow.set()
    else:
        backend.proxy.fail_next(10**6, int(fault))


def heal_backend(backend: Backend, fault: str) -> None:
    if fault == "killed":
        backend.restart()
    elif fault == "slow":
        backend.heal_slowness()
    else:
        backend.proxy.fail_next(0)


def sidebar_text(at) -> str:
    elements = list(at.sidebar.markdown) + list(at.sidebar.caption) + list(at.sidebar.warning)
    return "\n".join(str(e.value) for e in elements).lower()


@pytest.mark.parametrize("fault", ["killed", "slow", "502", "503"])
def test_gui_rides_out_a_backend_fault_and_recovers_by_itself(backend, fault):
    at = logged_in(type("U", (), {"username": backend.username}))
    assert not at.exception and BANNER not in texts(at)
    before = at.dataframe[0].value.copy()
    assert len(before) >= 20

    break_backend(backend, fault)
    at.text_input(key="sessions.f.text").input("rat").run()  # a load that must go to the backend
    assert not at.exception, [e.value for e in at.exception]
    assert BANNER in texts(at) and "showing data from" in texts(at)
    assert at.dataframe and at.dataframe[0].value.equals(before)  # what it last loaded, still shown

    name = f"Offline session {os.getpid()}-{next(_names)}"
    at.text_input(key="sessions.f.text").input("").run()
    at.button(key="sessions.new").click().run()
    prefix = form_prefix(at)
    at.text_input(key=f"{prefix}.name").input(name)
    at.multiselect(key=f"{prefix}.projects").set_value([at.multiselect(key=f"{prefix}.projects").options[0]])
    at.button(key=f"{prefix}.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    box = Outbox(backend.gui_dir, backend.username)
    assert box.count() == 1 and box.entries()[0].payload["name"] == name
    assert "saved locally — 1 waiting" in sidebar_text(at)

    heal_backend(backend, fault)
    at.run()
    assert not at.exception
    assert box.count() == 0
    assert backend.names().count(name) == 1  # sent once, even when the first try got through
    assert BANNER not in texts(at) and "waiting" not in sidebar_text(at)
    assert name in at.dataframe[0].value["name"].tolist()


def test_a_server_error_keeps_the_form_and_queues_nothing(backend):
    at = logged_in(type("U", (), {"username": backend.username}))
    at.button(key="sessions.new").click().run()
    prefix = form_prefix(at)
    name = f"After a 500 {os.getpid()}-{next(_names)}"
    at.text_input(key=f"{prefix}.name").input(name)
    at.multiselect(key=f"{prefix}.projects").set_value([at.multiselect(key=f"{prefix}.projects").options[0]])
    at.text_area(key=f"{prefix}.description").input("typed before the error")
    backend.proxy.fail_next(1, 500)  # the save itself fails on the server (not a gateway)
    at.button(key=f"{prefix}.save").click().run()
    assert not at.exception
    assert any("failed (HTTP 500)" in m for m in values(at.error)), values(at.error)
    assert at.text_input(key=f"{prefix}.name").value == name
    assert at.text_area(key=f"{prefix}.description").value == "typed before the error"
    assert Outbox(backend.gui_dir, backend.username).count() == 0 and name not in backend.names()
    at.button(key=f"{prefix}.save").click().run()  # the same form, sent again, now saves
    assert not at.exception and backend.names().count(name) == 1


def test_an_action_logged_while_the_backend_is_down_is_sent_when_it_returns(backend):
    at = logged_in(type("U", (), {"username": backend.username}), "pages/actions.py")
    assert not at.exception and at.dataframe
    before = at.dataframe[0].value.copy()
    break_backend(backend, "503")
    at.button(key="actions.new").click().run()
    form = at.session_state["actions.form"]["key"]
    description = f"Offline action {os.getpid()}-{next(_names)}"
    fill_action(at, form, action_type="OpticFiberImplant", system="Stereotaxic_BregmaAbsolute",
                subject=backend.first_subject(), description=description)  # fmt: skip
    at.button(key=f"{form}.save").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert BANNER in texts(at) and at.dataframe[0].value.equals(before)
    box = Outbox(backend.gui_dir, backend.username)
    assert [e.payload["description"] for e in box.entries()] == [description]
    heal_backend(backend, "503")
    at.run()
    assert not at.exception and box.count() == 0 and BANNER not in texts(at)
    assert description in at.dataframe[0].value["description"].tolist()


def _new_session_typed(at, name: str):
    at.button(key="sessions.new").click().run()
    prefix = form_prefix(at)
    at.text_input(key=f"{prefix}.name").input(name)
    at.multiselect(key=f"{prefix}.projects").set_value([at.multiselect(key=f"{prefix}.projects").options[0]])
    at.text_area(key=f"{prefix}.description").input("typed while nothing could be saved")
    return prefix


@pytest.mark.parametrize("disk", ["immutable folder (chattr +i)", "full disk (real tmpfs)"])
def test_an_outbox_folder_that_takes_no_write_keeps_pages_working_and_says_could_not_save_locally(
    backend, disk
):
    """Issue 9 item 10: every page still works for the editor; a save while the backend is down
    says "Could not save locally: <reason>" at the form and keeps everything typed."""
    from tests.outbox.disks import full_disk, immutable

    refusing = immutable if disk.startswith("immutable") else full_disk
    with refusing(backend.gui_dir / "outbox"):
        at = logged_in(type("U", (), {"username": backend.username}))
        assert not at.exception, [e.value for e in at.exception]  # was: PermissionError (chmod)
        for page in ("pages/actions.py", "pages/outbox.py", "pages/sessions.py"):
            at.switch_page(page).run()
            assert not at.exception, (page, [e.value for e in at.exception])
        break_backend(backend, "503")
        name = f"Not kept {os.getpid()}-{next(_names)}"
        prefix = _new_session_typed(at, name)
        at.button(key=f"{prefix}.save").click().run()
        assert not at.exception, [e.value for e in at.exception]
        reason = "the disk is full" if disk.startswith("full") else "no permission to write"
        shown = values(at.error)
        assert any(m.startswith(f"Could not save locally: {reason}") for m in shown), shown
        assert at.text_input(key=f"{prefix}.name").value == name
        assert at.text_area(key=f"{prefix}.description").value == "typed while nothing could be saved"
        assert Outbox(backend.gui_dir, backend.username).count() == 0
    heal_backend(backend, "503")
    at.button(key=f"{prefix}.save").click().run()  # the same form, once the backend is back
    assert not at.exception and backend.names().count(name) == 1


def test_a_save_kept_locally_toasts_a_warning_unlike_a_save(backend):
    """Issue 10 item 11: "saved locally" is a warning toast, never the green check of a save."""
    from stemgui.gui.widgets import QUEUED_ICON, SAVED_ICON

    at = logged_in(type("U", (), {"username": backend.username}))
    break_backend(backend, "503")
    prefix = _new_session_typed(at, f"Queued {os.getpid()}-{next(_names)}")
    at.button(key=f"{prefix}.save").click().run()
    [queued] = at.toast
    assert queued.icon == QUEUED_ICON != SAVED_ICON and "saved locally" in queued.value
    assert queued.value.startswith(":orange[")  # the warning colour, not the plain success text
    heal_backend(backend, "503")
    at.run()
    prefix = _new_session_typed(at, f"Saved {os.getpid()}-{next(_names)}")
    at.button(key=f"{prefix}.save").click().run()
    [saved] = at.toast
    assert saved.icon == SAVED_ICON and "Saved session" in saved.value


def test_a_save_to_a_hung_backend_is_kept_locally_within_seconds(backend, monkeypatch):
    """Issue 9 item 11: with the usual 15 s read timeout, a save to a backend that accepts and
    never answers is in the outbox within the write timeout (was 18–24 s: the POST's 15 s read
    timeout, then a health check in the rerun); the rerun does not ask the hung backend again."""
    monkeypatch.setenv("STEMGUI_API_TIMEOUT", "15")
    at = logged_in(type("U", (), {"username": backend.username}))
    name = f"Hung {os.getpid()}-{next(_names)}"
    prefix = _new_session_typed(at, name)
    backend.slow.set()  # from now on every request is held, unanswered
    before = dict(backend.proxy.received)
    started = time.monotonic()
    at.button(key=f"{prefix}.save").click().run(timeout=60)
    took = time.monotonic() - started
    assert not at.exception, [e.value for e in at.exception]
    box = Outbox(backend.gui_dir, backend.username)
    assert [e.payload["name"] for e in box.entries()] == [name]
    assert took < 10, f"the save was held {took:.1f} s"
    asked = {method: backend.proxy.received[method] - before.get(method, 0) for method in ("GET", "POST")}
    # the bundled server keeps Idempotency-Keys (issue 17): no lookup first, one POST (with its key,
    # kept in the outbox entry, so a late landing and the resend make one record); nothing else
    assert asked == {"GET": 0, "POST": 1}
    assert "saved locally" in [t.value for t in at.toast][0]
    heal_backend(backend, "slow")
    at.run()
    assert box.count() == 0 and backend.names().count(name) == 1
