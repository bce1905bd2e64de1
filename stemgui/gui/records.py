"""The record-screen kit: every record kind's list/detail/form screen is built from these parts.

Contract (what a record screen provides, what the kit does):

- ``RecordKind(model, prefix, noun)``: ``model`` is the API model and the URL parameter
  (``?session=<id>`` opens that record, also through the login page: add it to
  ``shell.DEEP_LINKS``); every widget and state key of the screen starts with ``prefix``.
- ``RecordScreen(kind, ...hooks)``; ``screen.run(user, store, lookups)`` shows the open form alone
  (the list returns after Save/Cancel), else, as one ``st.fragment`` (a filter change or row pick
  reruns only it; ``st.rerun()`` redraws more): New, the filter bar (``filters(lookups)`` -> a
  hashable query; widgets with ``persist_state=KEEP``), the table (``rows(store, query, show_all)``
  -> ``Rows``) bound to the URL, the count, a CSV (``csv(frame)``), "Show all", and the chosen
  record (``find(store, id, rows)``). Every list is capped (issue 17): a ``rows`` hook reads only
  the newest ``loaders.ROW_LIMIT`` unless asked for all (``newest_rows``); a longer frame is cut.
- The detail panel: ``headline``, ``body`` (every field, related ids as names), Edit / Duplicate /
  Delete for editors (``locked``, ``more_buttons``), ``tabs`` after a "Fields" tab, and a "History"
  tab last (issue 15, ``history_views``) unless ``history=False``. An edit saved through ``send``
  and a delete through ``confirm_delete`` can be undone for the rest of the session.
- The form: a ``RecordForm`` (``prefill_fields``, ``forget_typed``); ``open_form``/``close_form``
  give each opening fresh widget keys; an Edit keeps the record as stored when it opened and its
  version (``conflict_views``). A form draws its inputs (messages: ``form_errors``) and
  ``save_pressed``; on Save, ``save_form`` is the one save of every kind: check, ``send`` (only the
  changes on an edit, If-Match, a conflict panel when someone else saved; the outbox keeps it
  while the backend is down), the toast, the record opened; a rejection keeps all that was typed.
- Deleting asks once more (``confirm_delete``: the safe button first, a red "Yes, delete").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import pandas as pd
import streamlit as st

from stemgui import display
from stemgui.errors import (
    EditConflict,
    HistoryUnavailable,
    LocalSaveFailed,
    NotFound,
    PermissionDenied,
    StemGuiError,
    ValidationFailed,
)
from stemgui.form_errors import server_field_errors
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import context, history_views, import_views, offline, widgets
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.schema_widgets import clear_schema_inputs
from stemgui.gui.store import Store, changed
from stemgui.gui.widgets import QueuedNote, destructive_button, error_boundary, plain, scroll_to
from stemgui.outbox import SaveResult

# Filter values outlive their widgets: while the form is open (the page stops before the filter
# bar) or another page is shown, Streamlit would keep the old value on the server while the
# browser forgets it, so a box could look empty with its filter still applied. "session" keeps
# the value and tells the browser to show it again when the box comes back.
KEEP = "session"


@dataclass(frozen=True)
class RecordKind:
    """One kind of record as its screen names it."""

    model: str  # API model; also the URL parameter ?<model>=<id>
    prefix: str  # every widget and state key of the screen starts with it ("sessions")
    noun: str  # "session", as users read it
    form_name: str = ""  # the open form's state key, when not "<prefix>.form"

    @property
    def form(self) -> str:
        return self.form_name or f"{self.prefix}.form"  # {"mode", "id", "nonce", "key", ...} of the open form

    @property
    def confirm(self) -> str:
        return f"{self.prefix}.confirm_delete"

    @property
    def detail(self) -> str:
        return f"{self.prefix}-detail"  # the detail panel's container key (scrolled to)

    @property
    def scroll(self) -> str:
        return f"{self.prefix}.scroll_to_detail"  # a row was just opened: scroll to it once

    @property
    def show_all(self) -> str:
        return f"{self.prefix}.show_all"

    @property
    def tab(self) -> str:
        return f"{self.prefix}.detail.tab"  # the detail's open tab ("Fields", "History", ...)


# ---------------------------------------------------------------- the table, bound to the URL


@dataclass(frozen=True)
class Rows:
    """What the table shows: the frame (index = record id), and how many match in all."""

    frame: pd.DataFrame
    matching: int | None = None  # all matches on the server; None: the frame holds them all
    exact: bool = True  # ``matching`` is exact, not a lower bound
    records: Mapping[str, Any] = field(default_factory=dict)  # id -> record, when loaded anyway

    @property
    def complete(self) -> bool:
        return self.matching is None or (self.exact and len(self.frame) >= self.matching)


def selected_id(kind: RecordKind) -> str | None:
    """The id of the open record (kept in the URL as ``?<model>=``)."""
    return st.query_params.get(kind.model)


def select(kind: RecordKind, record_id: str | None) -> None:
    """Open ``record_id`` (None: close) and keep it in the URL so the link can be shared."""
    if record_id:
        _open_row(kind, record_id)
    else:
        st.query_params.pop(kind.model, None)
    nonce = f"{kind.prefix}.table.nonce"
    st.session_state[nonce] = st.session_state.get(nonce, 0) + 1


def show_all(kind: RecordKind) -> bool:
    """Whether the user asked for every matching record (the "Show all" toggle)."""
    return bool(st.session_state.get(kind.show_all))


def newest_rows(store: Store, model: str, filters: Mapping[str, str], show_all: bool,
                sort: tuple[str, ...] = ("-date_time",)) -> data.Newest:  # fmt: skip
    """The newest ``loaders.ROW_LIMIT`` records of ``model`` matching ``filters`` (applied by the
    server, in ``sort`` order), or all of them with ``show_all``; ``.matching`` counts all matches
    (the server's count). Cached for this user; the last loaded while the backend is down."""
    limit = None if show_all else data.ROW_LIMIT
    return store.load(f"{model} rows", data.load_newest, model, tuple(sorted(filters.items())), sort, limit)


def stored_now(store: Store, name: str, loader: Callable[..., dict], *args: Any) -> dict | None:
    """``store.load(name, loader, *args)`` of one record as stored now (not a look-alike while the
    backend is down); None when it is gone or not visible to this user."""
    try:
        return store.load(name, loader, *args, similar=False)
    except NotFound:
        return None


def row_or_stored(model: str) -> Callable[[Store, str, Rows], dict | None]:
    """A screen's ``find`` hook for ``model``: the chosen record from the table's rows (read with
    them: opening one costs no request), else as stored now (a link to one the filters leave
    out); None when it is gone or not visible to this user."""

    def find(store: Store, record_id: str, rows: Rows) -> dict | None:
        return rows.records.get(record_id) or stored_now(store, model, data.load_one, model, record_id)

    return find


def capped(rows: Rows, show_all: bool) -> Rows:
    """``rows`` cut to its first ``loaders.ROW_LIMIT`` unless the user asked for all (a hook
    that loaded more than it shows pays the load, but the table and CSV stay quick)."""
    if show_all or len(rows.frame) <= data.ROW_LIMIT:
        return rows
    matching = max(rows.matching or 0, len(rows.frame))
    return Rows(rows.frame.iloc[: data.ROW_LIMIT], matching, rows.exact, rows.records)


OPEN_COLUMN = "open record"  # the table's first column: an "Open" button per row


def table(kind: RecordKind, rows: Rows, query: Any, csv: Callable[[], bytes],
          column_config: Mapping | None = None, *, can_show_all: bool = False) -> None:  # fmt: skip
    """The table; "Open" on a row, or picking it, opens it below (and in the URL); the count,
    "Show all", CSV (``csv`` makes the file when the button is clicked, not on every rerun)."""
    frame = rows.frame
    ids = list(frame.index)
    # a new key when the rows change, so a selection never points at another record's row
    table_key = f"{kind.prefix}.table.{st.session_state.get(f'{kind.prefix}.table.nonce', 0)}.{hash(query)}"
    st.session_state[f"{kind.prefix}.table.key"] = table_key
    # The selection the grid starts with: the record open when this key was first drawn, then
    # kept as it was (a default that changed each run would change the element, and Streamlit
    # would send the whole table again: issue 17). ``last``: the grid's selection as last seen.
    first = {"selection": {"rows": _rows_of(ids, selected_id(kind))}}
    default = st.session_state.setdefault(f"{table_key}.default", first)
    last = f"{table_key}.last"
    st.session_state.setdefault(last, default["selection"]["rows"])
    opened = st.session_state.get(f"{table_key}.open")  # this run follows a click on that row's "Open"
    if opened is not None and 0 <= opened.row < len(ids):
        _open_row(kind, ids[opened.row])
        if st.session_state[last] and st.session_state[last] != [opened.row]:  # another row is checked
            st.session_state[last] = [opened.row]  # check this one instead (the table is sent again)
            st.session_state[table_key] = {"selection": {"rows": [opened.row], "columns": [], "cells": []}}
    shown = frame.copy(deep=False)
    shown.insert(0, OPEN_COLUMN, "Open")
    # Issue 17: the button's click reruns at once; a picked row waits for the grid's 150 ms
    # selection debounce (Streamlit's), and its row marker is a small target for gloved hands.
    opener = st.column_config.ButtonColumn("", key=f"{table_key}.open", width=64, alignment="left",
                                           help=f"Open the {kind.noun} below the table")  # fmt: skip
    event = st.dataframe(
        shown, key=table_key, on_select="rerun", selection_mode="single-row", selection_default=default,
        hide_index=True, width="stretch", height=420 if len(frame) > 10 else "auto",
        column_config={OPEN_COLUMN: opener, **(column_config or {})},
    )  # fmt: skip
    picked = list(event.selection.rows)
    if picked != st.session_state[last]:  # the user checked or unchecked a row's marker
        st.session_state[last] = picked
        if picked:
            _open_row(kind, ids[picked[0]])
        else:
            st.query_params.pop(kind.model, None)
    _count(kind, rows, can_show_all)
    st.download_button("Download CSV", csv, file_name=f"{kind.prefix}.csv", mime="text/csv",
                       key=f"{kind.prefix}.csv", icon=":material/download:")  # fmt: skip


def _rows_of(ids: list, record_id: str | None) -> list[int]:
    return [ids.index(record_id)] if record_id in ids else []


def _open_row(kind: RecordKind, record_id: str) -> None:
    """Open ``record_id`` below the table (in the URL), and scroll to it once."""
    st.query_params[kind.model] = record_id
    st.session_state[kind.scroll] = True


def _count(kind: RecordKind, rows: Rows, can_show_all: bool) -> None:
    shown = len(rows.frame)
    if not can_show_all or (rows.complete and not show_all(kind)):
        st.caption(f"{display.count_text(shown, kind.noun)} shown")
        return
    note, toggle = st.columns([4, 1])
    if rows.complete:
        note.caption(f"All {display.count_text(shown, f'matching {kind.noun}')} shown; switch "
                     f"“Show all” off to see the {data.ROW_LIMIT:,} newest (faster).")  # fmt: skip
    else:
        more = "" if rows.exact else "at least "
        note.caption(f"Showing the {shown:,} newest of {more}{rows.matching:,} matching {kind.noun}s: "
                     "narrow the filters, or show them all (slower).")  # fmt: skip
    toggle.toggle("Show all", key=kind.show_all, persist_state=KEEP)


# ---------------------------------------------------------------- the form's lifecycle


class RecordForm(Protocol):
    """The form of one record kind (its inputs live under the form's key)."""

    def prefill(self, key: str, mode: str, record: dict | None) -> None:
        """Set the widgets under ``key`` from ``record`` (None: a new one) for ``mode``."""

    def normalise(self, record: Mapping[str, Any]) -> dict:
        """A stored record as the form would send it (so that stored and typed values compare)."""

    def draw(self, key: str, form: dict, lookups: Any, store: Store) -> None:
        """The inputs and Save/Cancel of the open form (see ``save_pressed`` and ``save_form``)."""

    def forget(self, key: str) -> None:
        """Forget everything typed under ``key``."""


def form_state(kind: RecordKind) -> dict | None:
    """The open form of ``kind`` (mode, id, key), or None."""
    return st.session_state.get(kind.form)


def form_key(kind: RecordKind, form: dict) -> str:
    """The widget-key prefix of the open form (fresh for every opening)."""
    return form.get("key") or f"{kind.form}.{form['nonce']}"


def open_form(kind: RecordKind, form: RecordForm, mode: str, record: dict | None = None,
              **extra: Any) -> None:  # fmt: skip
    """Open the create/edit/duplicate form with fresh widget keys, prefilled from ``record``;
    an edit starts from the record as stored now and keeps it and its version."""
    nonce = st.session_state.get(f"{kind.form}.nonce", 0) + 1
    st.session_state[f"{kind.form}.nonce"] = nonce
    opened = conflicts.open_for_edit(kind.model, record) if mode == "edit" else None
    record = opened.record if opened else record
    key = f"{kind.form}.{nonce}"
    form.prefill(key, mode, record)
    if opened:
        conflicts.remember_opened(key, form.normalise(record), opened.etag)
    st.session_state[kind.form] = {"mode": mode, "id": (record or {}).get("id"), "nonce": nonce, "key": key,
                                   **extra}  # fmt: skip


def close_form(kind: RecordKind, form: RecordForm) -> None:
    """Close the form and forget what was typed and what it kept about its record."""
    state = st.session_state.pop(kind.form, None)
    if state:
        key = form_key(kind, state)
        form.forget(key)
        conflicts.forget(key)


def form_title(kind: RecordKind, mode: str) -> str:
    """"New session", "Edit session", "New session (duplicate)"."""
    titles = {"create": f"New {kind.noun}", "edit": f"Edit {kind.noun}",
              "duplicate": f"New {kind.noun} (duplicate)",
              "outbox": f"New {kind.noun} (saved locally, not sent yet)"}  # fmt: skip
    return titles.get(mode, mode)


def prefill_fields(key: str, values: Any, names: Sequence[str]) -> None:
    """Start the form ``key`` from ``values`` (forgetting what was typed under it before): each
    input ``<key>.<name>`` from the attribute ``name``; ``<key>.start`` keeps ``values`` whole."""
    forget_typed(key)
    for name in names:
        st.session_state[f"{key}.{name}"] = getattr(values, name)
    st.session_state[f"{key}.start"] = values


def forget_typed(key: str) -> None:
    """Forget everything under the form ``key``: its inputs (schema inputs too), messages, kept values."""
    clear_schema_inputs(key)  # every state key under ``key.``
    widgets.forget_widgets(key)


def form_errors(key: str) -> dict[str, str]:
    """The messages of the form ``key`` by field, from its last Save (forgotten when it closes)."""
    return st.session_state.get(f"{key}.errors") or {}


def keep_errors(key: str, errors: Mapping[str, str]) -> None:
    """Show ``errors`` at the fields of the form ``key`` from its next run on."""
    st.session_state[f"{key}.errors"] = dict(errors)


def save_pressed(kind: RecordKind, form: RecordForm, key: str) -> bool:
    """Save (the primary button) and Cancel, which closes the form: whether Save was pressed."""
    buttons = st.container(horizontal=True)
    save = buttons.button("Save", type="primary", key=f"{key}.save")
    if buttons.button("Cancel", key=f"{key}.cancel"):
        close_form(kind, form)
        st.rerun()
    return save


def save_form(kind: RecordKind, form: RecordForm, store: Store, key: str, state: dict,
              check: Callable[[], tuple[dict, dict[str, str]]], *, saved: Callable[[dict], str],
              is_form_field: Callable[[str], bool],
              stored: Callable[[], Mapping[str, Any]] | None = None) -> None:  # fmt: skip
    """The one Save of every record form (``state``: the open form's): ``check()`` gives the payload
    and what to fix first; ``send`` writes it (or the outbox keeps it). Saved: toast ``saved(payload)``
    (the outbox's note when it keeps it), close the form, open the record. Rejected here or by
    the server, or a conflict to decide: the form stays with all it holds, messages at its fields."""
    if stored is None:  # what an edit compares with when its form kept no snapshot: the record now
        stored = lambda: stored_now(store, kind.model, data.load_one, kind.model, state["id"]) or {}  # noqa: E731
    payload, errors = check()
    if not errors and state["mode"] == "outbox":
        _keep_in_outbox(kind, form, store, key, state["entry"], payload)
    result = None
    if not errors:
        record_id = state["id"] if state["mode"] == "edit" else None
        result, errors = send(store, kind.model, key, payload, record_id=record_id, normalise=form.normalise,
                              stored=stored, is_form_field=is_form_field)  # fmt: skip
    if result is None:  # no errors: a conflict is shown, both versions side by side
        keep_errors(key, errors)
        st.rerun()
    close_form(kind, form)
    store.report(result, saved(payload))
    # saved: open it; kept in the outbox: an edit stays open, a new record has nothing to open yet
    select(kind, (result.record or {}).get("id") or (state["id"] if state["mode"] == "edit" else None))
    st.rerun()


def _keep_in_outbox(kind: RecordKind, form: RecordForm, store: Store, key: str, entry: int,
                    payload: dict) -> None:  # fmt: skip
    """Save the form of a new record waiting in the outbox: its entry is sent by itself later."""
    try:
        store.outbox.update_payload(entry, payload)
    except LocalSaveFailed as exc:  # a full or read-only disk: the form stays with all it holds
        keep_errors(key, {"form": exc.message})
        st.rerun()
    close_form(kind, form)
    changed(QueuedNote(f"Changes kept in the outbox; they are sent when {context.backend_name()} answers."))
    st.rerun()


def send(store: Store, model: str, key: str, payload: dict, *, record_id: str | None = None,
         normalise: Callable[[Mapping[str, Any]], dict] | None = None,
         stored: Callable[[], Mapping[str, Any]] | None = None,
         is_form_field: Callable[[str], bool] = lambda name: True,
         ) -> tuple[SaveResult | None, dict[str, str]]:  # fmt: skip
    """Send the checked ``payload`` of the form ``key``: a create, or (``record_id``) only what
    changed since the form opened, on that version. Returns (result, {}) when saved or kept in
    the outbox; (None, {}) while a conflict is shown to decide; (None, errors) on a rejection,
    the server's messages keyed by the form's fields (others under "form")."""
    try:
        if record_id is None:
            return store.save(model, payload), {}
        result = conflicts.save_changes(store, key, model, record_id, payload, normalise, stored)
        if result is not None and not result.queued:  # a queued edit is undone in the Outbox
            before = (st.session_state.get(f"{key}.opened") or {}).get("record")
            label = history_views.record_label(model, result.record)
            history_views.remember_edit(model, record_id, before, payload, label, normalise)
        return result, {}
    except (ValidationFailed, PermissionDenied) as exc:  # both may name the fields
        return None, server_field_errors(exc, is_form_field)
    except NotFound as exc:
        gone = f"This {model} does not exist any more, or you cannot see it: nothing was saved."
        return None, {"form": gone if record_id else exc.message}
    except StemGuiError as exc:  # e.g. a server error: the form stays open with all it holds
        return None, {"form": exc.message}


# ---------------------------------------------------------------- detail and delete


def confirm_delete(store: Store, model: str, record_id: str, prompt: str, *, state_key: str,
                   buttons_key: str, message: str, on_deleted: Callable[[], None] | None = None,
                   label: str | None = None) -> None:  # fmt: skip
    """Ask once more, naming the record; delete only on the explicit yes (asked while
    ``state_key`` holds the record's id; the buttons are ``<buttons_key>.no`` / ``.yes``).
    A delete done on a backend that keeps deleted records (the bundled server; BrainSTEM does
    not) can be undone for the rest of the session (``label`` names the record there: "the
    session “x”"); the question says whether it can. Only the
    version the prompt was shown for is deleted: a change someone saves meanwhile stops the
    delete and says so."""
    version_key = f"{state_key}.version"
    version, undoable = _asked_about(store, model, record_id, version_key)
    after = {True: " You can undo it right after, or later from Recently deleted.",
             False: " This cannot be undone."}.get(undoable, "")  # fmt: skip
    st.warning(plain(prompt + after), icon=":material/warning:")
    buttons = st.container(horizontal=True)
    if buttons.button("Keep it", type="primary", key=f"{buttons_key}.no"):  # the safe default
        _close_prompt(state_key, version_key)
        st.rerun()
    if destructive_button(buttons, "Yes, delete", key=f"{buttons_key}.yes"):
        try:  # or kept in the outbox while the backend is down
            result = store.delete(model, record_id, if_match=version)
        except EditConflict:
            _close_prompt(state_key, version_key)
            data.clear_caches()
            what = plain(label or f"this {model}")
            st.error(f"Someone else changed {what} after you asked to delete it: nothing was deleted. "
                     "Look at it again, then delete it if you still want to.")  # fmt: skip
            return
        if undoable and not result.queued:  # a queued delete is taken back in the Outbox
            history_views.remember_delete(model, record_id, label or f"the {model}")
        _close_prompt(state_key, version_key)
        if on_deleted:
            on_deleted()
        store.report(result, message)
        st.rerun()


def _close_prompt(state_key: str, version_key: str) -> None:
    """Close the delete prompt; the next one reads the record's version afresh."""
    for key in (state_key, version_key):
        st.session_state.pop(key, None)


def _asked_about(store: Store, model: str, record_id: str, key: str) -> tuple[str | None, bool | None]:
    """(the version of the record when the delete prompt first showed for it, whether the
    backend keeps deleted records to restore), kept at ``key`` while the prompt is open. The
    version is None — delete it as it is — while the backend is down or from one that keeps no
    versions; "keeps" is None when that could not be told (the question then says nothing)."""
    kept = st.session_state.get(key)
    if kept and kept[0] == record_id:
        return kept[1], kept[2]
    version, keeps = None, None
    if store is not None and not offline.is_offline():  # None: a kit screen with no backend (its test app)
        try:
            version = store.client.load_versioned(model, record_id).etag
            store.client.history(model, record_id, limit=1)
            keeps = True
        except HistoryUnavailable:
            keeps = False
        except StemGuiError:  # the delete itself will say what is wrong
            pass
    st.session_state[key] = (record_id, version, keeps)
    return version, keeps


Tab = tuple[str, Callable[[dict, Any], None]]


@st.fragment
def _list_part(screen: RecordScreen, user: CurrentUser, store: Store, lookups: Any) -> None:
    """The list half of a screen as a fragment (issue 17): a filter change, a row pick, "Show
    all" rerun only this part, not the login check, sidebar and lookups of the whole page.
    Anything that changes more (opening a form, a delete) calls ``st.rerun()``: the whole page."""
    with error_boundary():  # a fragment's own rerun runs outside the page's boundary
        screen.draw_list(user, store, lookups)


@dataclass
class RecordScreen:
    """One record kind's whole screen; the hooks say what differs between kinds."""

    kind: RecordKind
    form: RecordForm
    filters: Callable[[Any], Any]  # lookups -> a hashable query (the filter bar's widgets)
    rows: Callable[[Store, Any, bool], Rows]  # store, query, show all -> the table's rows
    find: Callable[[Store, str, Rows], dict | None]  # the chosen record, None when gone or hidden
    headline: Callable[[dict, Any], str]  # one line naming the record
    body: Callable[[dict, Any], None]  # every field of the record
    delete_prompt: Callable[[dict, Any], str]  # "Delete the session “x” of 2024-05-01? ..."
    deleted: Callable[[dict], str]  # the toast after a delete
    csv: Callable[[pd.DataFrame], bytes] = data.frame_to_csv
    column_config: Callable[[], Mapping] = dict
    can_show_all: bool = True  # kept for callers: every table now has the cap and "Show all"
    delete_buttons: str = ""  # the confirmation's button keys (default: "<prefix>.delete")
    tabs: Sequence[Tab] = ()  # extra tabs under the detail's fields, e.g. ("Procedures", draw)
    history: bool = True  # the "History" tab (issue 15), last, unless a tab of that title is given
    export_kind: str = ""  # an import kind: "Export for import" of the rows shown (gui/import_views)

    def run(self, user: CurrentUser, store: Store, lookups: Any) -> None:
        """The screen: the open form alone, or New, filters, table and the chosen record."""
        kind = self.kind
        if form_state(kind) and user.can_write:
            self.draw_form(store, lookups)  # a focused form; the list returns after Save/Cancel
            st.stop()
        history_views.undo_notice(user)  # the write just made, with its Undo
        _list_part(self, user, store, lookups)

    def draw_list(self, user: CurrentUser, store: Store, lookups: Any) -> None:
        """New, the filters, the table and the chosen record (``run`` draws it as a fragment)."""
        kind = self.kind
        new = f"New {kind.noun}"
        if user.can_write and st.button(new, type="primary", key=f"{kind.prefix}.new", icon=":material/add:"):
            open_form(kind, self.form, "create")
            st.rerun()
        query = self.filters(lookups)
        rows = capped(self.rows(store, query, show_all(kind)), show_all(kind))
        frame, make_csv = rows.frame, self.csv
        table(kind, rows, query, lambda: make_csv(frame), self.column_config(), can_show_all=True)
        if self.export_kind:
            import_views.export_button(store, self.export_kind, rows.frame.index, rows.records)
        self.under_table(rows, lookups)
        if selected_id(kind):
            record = self.find(store, selected_id(kind), rows)
            if record:
                self.detail(user, store, record, lookups)
            else:
                st.warning(f"That {kind.noun} does not exist (any more), or you cannot see it.")

    def draw_form(self, store: Store, lookups: Any) -> None:
        """The open form in a bordered box under its title."""
        state = form_state(self.kind)
        with st.container(border=True):
            st.subheader(form_title(self.kind, state["mode"]))
            self.form.draw(form_key(self.kind, state), state, lookups, store)

    def detail(self, user: CurrentUser, store: Store, record: dict, lookups: Any) -> None:
        """Every field of one record; Edit / Duplicate / Delete for editors; the extra tabs."""
        kind = self.kind
        with st.container(border=True, key=kind.detail):
            st.subheader(kind.noun.capitalize())
            if st.session_state.pop(kind.scroll, False):
                scroll_to(kind.detail)  # opened by a row pick: the panel sits below the table
            st.text(self.headline(record, lookups))
            if user.can_write:
                self._buttons(store, record, lookups)
            extra = self.detail_tabs(store)
            if not extra:
                self.body(record, lookups)
                return
            # Only the open tab is drawn (it stays open from record to record): opening a
            # record no longer reads and draws its history, which few opens look at (issue 17).
            tabs = st.tabs(["Fields", *(title for title, _ in extra)], key=kind.tab, on_change="rerun")
            for where, draw in zip(tabs, [self.body, *(draw for _, draw in extra)], strict=True):
                if where.open is not False:
                    with where:
                        draw(record, lookups)

    def detail_tabs(self, store: Store) -> list[Tab]:
        """The screen's own tabs, then History (every kind has one; issue 15)."""
        extra = list(self.tabs)
        if self.history and "History" not in (title for title, _ in extra):
            model = self.kind.model
            extra.append(("History", lambda record, lookups: history_views.history_tab(store, model, record,
                                                                                       lookups)))  # fmt: skip
        return extra

    def under_table(self, rows: Rows, lookups: Any) -> None:
        """More under the table of a kind that needs it (the Procedures' map); nothing by default."""

    def locked(self, record: dict) -> str | None:
        """Why ``record`` cannot be edited or duplicated here (shown; the buttons disabled), else None."""
        return None

    def more_buttons(self, buttons: Any, record: dict, locked: str | None) -> None:
        """A kind's own buttons beside Edit and Duplicate (the Procedures' Mirror); none by default."""

    def _buttons(self, store: Store, record: dict, lookups: Any) -> None:
        kind, locked = self.kind, self.locked(record)
        buttons = st.container(horizontal=True)
        for mode, label, icon in (("edit", "Edit", "edit"), ("duplicate", "Duplicate", "content_copy")):
            if buttons.button(label, key=f"{kind.prefix}.{mode}", icon=f":material/{icon}:",
                              disabled=bool(locked), help=locked):  # fmt: skip
                open_form(kind, self.form, mode, record)
                st.rerun()
        self.more_buttons(buttons, record, locked)
        label = history_views.record_label(kind.noun, {"name": self.headline(record, lookups)})
        if buttons.button("Delete", key=f"{kind.prefix}.delete", icon=":material/delete:"):
            st.session_state[kind.confirm] = record["id"]
        if locked:
            st.caption(plain(locked))
        if st.session_state.get(kind.confirm) == record["id"]:
            confirm_delete(store, kind.model, record["id"], self.delete_prompt(record, lookups),
                           state_key=kind.confirm, buttons_key=self.delete_buttons or f"{kind.prefix}.delete",
                           message=self.deleted(record), on_deleted=lambda: select(kind, None),
                           label=label)  # fmt: skip
