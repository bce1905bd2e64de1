"""The one write path: the session's store owns the user's client, outbox and offline state.

Every screen reads and writes through ``store()``::

    s = store()
    projects = s.load("projects", loaders.load_labels, "project")  # the last loaded while down
    result = s.save("session", payload)            # saved, or kept in the outbox while down
    s.report(result, "Saved session “x”.")         # forget caches; toast "saved" or "saved locally"
    s.delete("session", record_id)

A write the backend does not answer goes to the user's durable outbox (``stemgui.outbox``),
raises the "not answering" banner (``stemgui.gui.offline``) and is told with the one
``saved_locally`` message. Session-state keys owned here start with ``stemgui.``.
"""

from __future__ import annotations

import os

import streamlit as st

from stemgui import backend, display
from stemgui.catalog import model_info
from stemgui.client import DEFAULT_TIMEOUT, BrainstemClient
from stemgui.config import Settings, write_timeout
from stemgui.errors import StemGuiError
from stemgui.gui import context, offline
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.widgets import QueuedNote, queue_toast
from stemgui.importing import CommitSummary, DryRunResult
from stemgui.importing import commit as commit_rows
from stemgui.importing.commit import Progress
from stemgui.outbox import MODELS as OUTBOX_MODELS
from stemgui.outbox import Outbox, SaveResult, delete_or_queue, new_idempotency_key, save_or_queue

_CLIENT = "stemgui.client"  # (fingerprint, BrainstemClient) of this browser session


def waiting_text(waiting: int) -> str:
    """The one wording of writes kept locally: "saved locally — N waiting"."""
    return f"saved locally — {waiting} waiting"


def api_timeout() -> tuple[float, float]:
    """(connect, read) seconds; ``STEMGUI_API_TIMEOUT`` sets the read timeout (slow sites, tests)."""
    try:
        return (DEFAULT_TIMEOUT[0], max(0.5, float(os.environ["STEMGUI_API_TIMEOUT"])))
    except (KeyError, ValueError):
        return DEFAULT_TIMEOUT


def _api_token(user: CurrentUser, conf: Settings) -> str | None:
    if conf.uses_bundled_backend:
        server = backend.bundled_server(conf.data_dir)
        if st.session_state.pop(context.REPROVISION, False):
            return server.provision(user.username, user.role)
        return server.token_for(user.username, user.role)
    return context.session_token() or context.user_store().api_token(user.username)


def user_client(user: CurrentUser) -> BrainstemClient | None:
    """The user's client, kept in session state (rebuilt when user, role, backend or token
    change); None while the user has no API token."""
    conf = context.settings()
    url = context.backend_url()
    token = _api_token(user, conf)
    fingerprint = (user.username, user.role, url, token)
    held = st.session_state.get(_CLIENT)
    if held is None or held[0] != fingerprint:
        if held is not None:
            held[1].close()
        label = display.BUNDLED if conf.uses_bundled_backend else None  # a URL names itself
        api = BrainstemClient(url, token, timeout=api_timeout(), write_timeout=write_timeout(), label=label)
        held = (fingerprint, api)
        st.session_state[_CLIENT] = held
    return held[1] if token else None


class Store:
    """The current user's client, outbox and offline state, and the one way to write."""

    def __init__(self, user: CurrentUser) -> None:
        self.user = user

    @property
    def client(self) -> BrainstemClient:
        """The user's client; without an API token the page says where to paste one and stops."""
        held = user_client(self.user)
        if held is None:
            st.info(f"Paste your personal API token for {context.backend_name()} on the Account page to "
                    "see your records.")  # fmt: skip
            st.page_link("pages/account.py", label="Go to Account")
            st.stop()
        return held

    @property
    def outbox(self) -> Outbox:
        """The user's durable outbox of writes not yet acknowledged by the backend."""
        return offline.user_outbox(context.settings().data_dir, self.user.username)

    def load(self, name: str, loader, *args, similar: bool = True):
        """``loader(client, user_key, *args)``; while the backend is down, what it gave last (banner)."""
        return offline.load(name, loader, self.client, context.user_key(), *args, similar=similar)

    def save(self, model: str, payload: dict, record_id: str | None = None,
             if_match: str | None = None) -> SaveResult:  # fmt: skip
        """Create (no ``record_id``) or update on the backend, or keep it in the outbox while the
        backend does not answer (``if_match``: update only that version, else EditConflict).
        Records the outbox does not keep (the Lab page's) are written now or refused, never queued."""
        if model not in OUTBOX_MODELS:
            key = None if record_id else new_idempotency_key()  # a resent create is not made twice
            body = self.client.for_writes().save_model(model, id=record_id, data=payload, if_match=if_match,
                                                       idempotency_key=key)  # fmt: skip
            record = body.get(model_info(model).detail_key) if isinstance(body, dict) else None
            return SaveResult(queued=False, record=record)
        result = save_or_queue(self.client, self.outbox, model, payload, record_id, if_match=if_match)
        offline.note_write(result)
        return result

    def delete(self, model: str, record_id: str, if_match: str | None = None) -> SaveResult:
        """Delete on the backend, or keep the delete in the outbox while the backend does not answer
        (records the outbox does not keep are deleted now or refused)."""
        if model not in OUTBOX_MODELS:
            self.client.for_writes().delete_model(model, id=record_id, if_match=if_match)
            return SaveResult(queued=False)
        result = delete_or_queue(self.client, self.outbox, model, record_id, if_match)
        offline.note_write(result)
        return result

    def commit_import(self, result: DryRunResult, progress: Progress | None = None) -> CommitSummary:
        """Write an import's dry run (``stemgui.importing.commit``: one write per row, the rest kept in
        the outbox when the backend stops answering); then forget cached data."""
        summary = commit_rows(self.client, self.outbox, result, progress)
        if summary.queued:
            offline.went_offline(summary.backend_down or "the import's writes were queued")
        data.clear_caches()
        return summary

    def saved_locally(self, waiting: int | None = None) -> QueuedNote:
        """The toast after a write kept in the outbox because the backend did not answer."""
        waiting = self.outbox.count() if waiting is None else waiting
        return QueuedNote(f"{display.capital(context.backend_name())} is not answering: "
                          f"{waiting_text(waiting)}. It is sent by itself when it is back (see Outbox).")

    def report(self, result: SaveResult, message: str) -> None:
        """After a write: forget cached data and toast ``message`` (or "saved locally" if queued)."""
        changed(self.saved_locally(result.waiting) if result.queued else message)


def changed(message: str) -> None:
    """Forget cached data and show ``message`` as a toast after the coming rerun."""
    data.clear_caches()
    queue_toast(message)


def store() -> Store:
    """The store of the logged-in user (the page stops with a message when nobody is)."""
    return Store(context.require_role("viewer"))


def begin_run(user: CurrentUser) -> None:
    """Start one run (app.py, before sidebar and page): if the backend was down or writes wait,
    check it, and once it answers send the user's outbox by itself."""
    offline.begin_run()
    try:
        api = user_client(user)
    except StemGuiError:
        return  # the bundled server cannot start: the page says so
    if api is None:
        return
    report = offline.check_backend(api, Store(user).outbox if user.can_write else None)
    if report is not None and report.rejected:
        refused = display.count_text(len(report.rejected), "change")
        st.warning(f"{display.capital(context.backend_name())} refused {refused} saved while it was not "
                   "answering: fix them on the Outbox page.", icon=":material/error:")  # fmt: skip
