"""The GUI's side of an unreliable backend (used by the store, ``stemgui.gui.store``).

- ``load(name, loader, *args)``: every successful load is remembered per user in
  ``st.session_state``; while the backend is down the last one is shown under a banner
  ("BrainSTEM is not answering — showing data from HH:MM; changes are saved locally").
- ``note_write``: a write the store (``stemgui.gui.store``) kept in the outbox marks the
  backend down for this run.
- ``check_backend(client)``: once per run, while the backend was down or entries wait, ping it;
  when it answers again, flush the outbox by itself and clear the banner.

Session-state keys owned here start with ``stemgui.offline``/``stemgui.last``.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, TypeVar

import streamlit as st

from stemgui import dates, display
from stemgui.client import BrainstemClient
from stemgui.errors import LocalSaveFailed, StemGuiError
from stemgui.gui import context
from stemgui.gui import loaders as data
from stemgui.gui.widgets import plain
from stemgui.outbox import FlushReport, Outbox, SaveResult, is_backend_down

log = logging.getLogger(__name__)


T = TypeVar("T")
LAST = "stemgui.last"  # {user key: {load key: (value, epoch seconds)}}
OFFLINE = "stemgui.offline"  # {"since": epoch, "run": run number it was last confirmed, "reason": str}
RUN = "stemgui.run"  # a number that grows by one on every run of app.py
CHECKED = "stemgui.offline.checked"  # the run whose backend check is done
BANNER = "stemgui.offline.banner"  # the run whose banner is shown
PING = "stemgui.ping"  # the sidebar's cached health check (stemgui.gui.shell)
QUEUED_RUN = "stemgui.offline.queued"  # (run, epoch seconds) of the last write that was queued
RECHECK_AFTER_QUEUED = 30.0  # a queued write confirms the backend down for the next run this long


def begin_run() -> None:
    """Count this run (app.py calls it once per run, before the page)."""
    st.session_state[RUN] = st.session_state.get(RUN, 0) + 1


def _run() -> int:
    return st.session_state.get(RUN, 0)


def user_outbox(data_dir, username: str) -> Outbox:
    """The durable outbox of ``username`` in the data dir."""
    return Outbox(data_dir, username)


# ---------------------------------------------------------------- backend state


def is_offline() -> bool:
    """True while the backend is known not to answer (confirmed in this run)."""
    state = st.session_state.get(OFFLINE)
    return bool(state) and state.get("run") == _run()


def went_offline(reason: str) -> None:
    """Remember that the backend does not answer (from now until a ping succeeds)."""
    state = st.session_state.get(OFFLINE) or {"since": time.time()}
    state.update(run=_run(), reason=reason)
    st.session_state[OFFLINE] = state
    st.session_state.pop(PING, None)
    log.info("backend not answering: %s", reason)


def check_backend(client: BrainstemClient, outbox: Outbox | None) -> FlushReport | None:
    """Once per run: if the backend was down or writes wait, ping; when it answers, flush."""
    if st.session_state.get(CHECKED) == _run():
        return None
    st.session_state[CHECKED] = _run()
    was_offline = bool(st.session_state.get(OFFLINE))
    if not was_offline and (outbox is None or not outbox.pending()):
        return None
    queued_run, queued_at = st.session_state.get(QUEUED_RUN) or (None, 0.0)
    if was_offline and queued_run == _run() - 1 and time.time() - queued_at < RECHECK_AFTER_QUEUED:
        # The rerun right after a save that found the backend down: asking a hung backend again
        # would hold the "saved locally" answer for another ping timeout. The next run asks.
        went_offline(st.session_state[OFFLINE].get("reason") or "a save was just queued")
        return None
    if not client.ping():
        went_offline("no answer to a health check")
        return None
    if was_offline:
        st.session_state.pop(OFFLINE, None)
        st.session_state.pop(PING, None)  # the sidebar asks again instead of showing an old answer
        log.info("backend answering again")
    try:
        if outbox is None or not outbox.pending():
            return None
        report = outbox.flush(client.for_writes())  # a hung backend must not hold every page
    except LocalSaveFailed as exc:  # the outbox cannot note what it sends: nothing is sent
        st.warning(plain(exc.message), icon=":material/sd_card_alert:")
        return None
    if report.error and is_offline_error_text(report):
        went_offline(report.error)
    if report.sent:
        data.clear_caches()
        st.toast(f"Sent {len(report.sent)} change(s) saved while the backend was not answering.",
                 icon=":material/cloud_done:")  # fmt: skip
    return report


def is_offline_error_text(report: FlushReport) -> bool:
    """A flush that stopped because the backend went away again (not busy, not a token issue)."""
    return not report.busy and not report.auth_failed


# ---------------------------------------------------------------- loading


def _memory(user_key: str) -> dict:
    return st.session_state.setdefault(LAST, {}).setdefault(user_key, {})


def load(name: str, loader, client: BrainstemClient, user_key: str, *args: Any, similar: bool = True) -> Any:
    """``loader(client, user_key, *args)``, or while the backend is down what it returned last.

    ``similar``: without a result for exactly these arguments, show the latest of ``name`` (a
    list under other filters); off for single records, which must never stand in for another.
    """
    memory = _memory(user_key)
    exact = (name, repr(args))
    if not is_offline():
        try:
            value = loader(client, user_key, *args)
        except StemGuiError as exc:
            if not is_backend_down(exc):
                raise
            went_offline(exc.message)
        else:
            memory[exact] = (value, time.time())
            memory[(name, None)] = memory[exact]  # the latest of this kind, for other arguments
            return value
    found = memory.get(exact) or (memory.get((name, None)) if similar else None)
    show_banner(found[1] if found else None)
    if found is None:
        st.info(f"This was not loaded before {context.backend_name()} stopped answering; it appears once it "
                "is back.")  # fmt: skip
        st.stop()
    return found[0]


def show_banner(loaded_at: float | None = None) -> None:
    """The one "not answering" banner of this run."""
    if st.session_state.get(BANNER) == _run():
        return
    st.session_state[BANNER] = _run()
    zone = dates.zone(st.context.timezone)  # the time as the user's clock shows it
    when = datetime.fromtimestamp(loaded_at, zone).strftime("%H:%M") if loaded_at else None
    shown = f"showing data from {when}" if when else "nothing loaded yet"
    st.warning(
        f"{display.capital(context.backend_name())} is not answering — {shown}; changes are saved locally "
        "and sent when it is back.",
        icon=":material/cloud_off:",
    )


# ---------------------------------------------------------------- writing


def note_write(result: SaveResult) -> None:
    """After a save or delete (``stemgui.gui.store``): a queued one also raises the banner, and
    the rerun right after it does not ask the hung backend again (see ``check_backend``)."""
    if result.queued:
        went_offline(result.reason or "the write was queued")
        st.session_state[QUEUED_RUN] = (_run(), time.time())
