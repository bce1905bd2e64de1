"""Issue 15 in the GUI: every record's History tab, Undo of the user's own writes, Recently deleted.

The record kit (``gui/records.py``) draws ``history_tab`` in every record's detail and calls
``remember_edit`` / ``remember_delete`` after its saves and deletes, so every screen built on
the kit gets History and Undo without adding anything. The words come from the pure
``stemgui.history_view`` (field · old → new, per field of ``details``, quantities readable).

Undo is kept for the rest of the browser session (``UNDO``, newest last): the latest is shown
on the page right after the write (``undo_notice``), all of them on the Recently deleted page
(``undo_list``). Undo needs the backend: an edit is written back through ``Store.save`` on
the record's current version (If-Match), a delete is undone by ``restore`` (never queued).
Session-state keys owned here start with ``stemgui.history`` / ``stemgui.undo``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from stemgui import display
from stemgui import history_view as hv
from stemgui.client import BrainstemClient
from stemgui.errors import (
    EditConflict,
    HistoryUnavailable,
    NotFound,
    PermissionDenied,
    StemGuiError,
    ValidationFailed,
)  # fmt: skip
from stemgui.gui import context
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.store import Store, changed
from stemgui.gui.widgets import QueuedNote, plain
from stemgui.outbox import is_backend_down

PAGE = 50  # history rows shown at first; "Show older changes" adds as many again
UNDO = "stemgui.undo"  # [Undoable] of this browser session, newest last
UNDO_SEEN = "stemgui.undo.dismissed"  # the number of the latest undo whose notice was closed
UNDO_ERROR = "stemgui.undo.error"  # why the last Undo could not be done (shown once)
_COUNTER = "stemgui.undo.count"  # numbers the session's undoable writes (a button's key)
# The kinds "Recently deleted" offers (API model -> what the list is called).
DELETABLE = {
    "session": "Sessions", "action": "Actions", "procedure": "Procedures", "subject": "Subjects",
    "subjectlog": "Subject logs", "project": "Projects", "consumablestock": "Consumable stocks",
    "equipment": "Equipment", "inventory": "Inventories", "setup": "Setups", "license": "Licenses",
    "consumable": "Consumables", "hardwaredevice": "Hardware devices", "supplier": "Suppliers",
    "species": "Species", "strain": "Strains",
}  # fmt: skip


# ---------------------------------------------------------------- History tab


def lookup_names(lookups: Any) -> hv.Names:
    """Names of related records from whatever id -> name tables a screen's lookups hold (ids are
    unique across kinds, so any table that knows the id names it)."""
    if dataclasses.is_dataclass(lookups):
        values = [getattr(lookups, f.name) for f in dataclasses.fields(lookups)]
    elif isinstance(lookups, Mapping):
        values = list(lookups.values())
    else:
        values = list(getattr(lookups, "__dict__", {}).values())
    tables = [table for table in values if isinstance(table, Mapping)]

    def names(_field: str, value: object) -> str | None:
        for table in tables:
            name = table.get(value)
            if isinstance(name, str) and name:
                return name
        return None

    return names


@data.cached_loader  # per user and browser session; forgotten after every write
def _load_history(_client: BrainstemClient, user_key: str, model: str, record_id: str, limit: int) -> dict:
    return _client.history(model, record_id, limit=limit)


def history_tab(store: Store, model: str, record: Mapping[str, Any], lookups: Any) -> None:
    """Who changed the record when, each field old → new, newest first (``PAGE`` at a time)."""
    record_id = str(record["id"])
    more = f"stemgui.history.{model}.{record_id}.limit"
    limit = st.session_state.get(more, PAGE)
    try:
        answer = _load_history(store.client, context.user_key(), model, record_id, limit)
    except HistoryUnavailable as exc:
        st.info(plain(exc.message) + ".", icon=":material/history_toggle_off:")
        return
    except NotFound:
        st.info("No history of this record can be shown to you.")
        return
    except StemGuiError as exc:  # not answering, or a server error: the rest of the page stays
        st.warning(f"The history could not be loaded: {plain(exc.message)}", icon=":material/error:")
        return
    entries = hv.change_entries(answer, context.browser_zone(), lookup_names(lookups))
    if not entries:
        st.caption("No changes recorded.")
    for entry in entries:
        st.markdown(f"**{entry.operation}** by {plain(entry.who)} · {plain(entry.when)}")
        lines = [f"- {plain(c.field)}: {plain(c.old)} → {plain(c.new)}" for c in entry.fields]
        if lines and entry.operation == hv.OPERATIONS["update"]:
            st.markdown("\n".join(lines))
    total = int(answer.get("count") or len(entries))
    if total > len(entries):
        st.caption(f"The {len(entries)} newest of {total} changes shown.")
        if st.button("Show older changes", key=f"stemgui.history.{model}.{record_id}.more"):
            st.session_state[more] = limit + PAGE
            st.rerun()


# ---------------------------------------------------------------- Undo


def record_label(noun: str, record: Mapping[str, Any] | None) -> str:
    """"the session “x”" (or "the action" for a kind without names)."""
    name = (record or {}).get("name")
    return f"the {noun} “{name}”" if name else f"the {noun}"


Normalise = Callable[[Mapping[str, Any]], dict]  # a stored record as the form sends it


@dataclasses.dataclass(frozen=True)
class Undoable:
    """One write of this session that can be undone; for an edit, what it wrote (``after``, as the
    form's ``normalise`` reads a stored record) so that an Undo never overwrites a later change."""

    number: int
    undo: hv.Undo
    after: Mapping[str, Any] | None = None
    normalise: Normalise | None = None


def undos() -> list[Undoable]:
    """The undoable writes of this browser session, newest last."""
    return st.session_state.setdefault(UNDO, [])


def _next_number() -> int:
    st.session_state[_COUNTER] = st.session_state.get(_COUNTER, 0) + 1
    return st.session_state[_COUNTER]


def _forget(number: int) -> None:
    st.session_state[UNDO] = [held for held in undos() if held.number != number]


def remember_edit(model: str, record_id: str, before: Mapping[str, Any] | None, sent: Mapping[str, Any],
                  label: str, normalise: Normalise | None = None) -> None:  # fmt: skip
    """After an edit saved on the backend: its Undo writes the fields sent back to ``before``."""
    undo = hv.undo_edit(model, record_id, before, sent, label) if before is not None else None
    if undo is not None:
        after = {name: sent.get(name) for name in undo.payload or {}}
        undos().append(Undoable(_next_number(), undo, after, normalise))


def remember_delete(model: str, record_id: str, label: str) -> None:
    """After a delete done on the backend: its Undo restores the record with the same id."""
    undos().append(Undoable(_next_number(), hv.undo_delete(model, record_id, label)))


def _needs_backend(undo: hv.Undo) -> str:
    what = "Restoring a deleted record" if undo.restore else "Undo"
    return (f"{what} needs {context.backend_name()} to answer and cannot wait in the outbox: "
            "try again when it is back.")  # fmt: skip


def _refused(exc: StemGuiError) -> str:
    fields = getattr(exc, "field_errors", None) or {}
    named = [f"{name}: {' '.join(map(str, m)) if isinstance(m, list) else m}" for name, m in fields.items()
             if name != "non_field_errors"]  # fmt: skip
    general = fields.get("non_field_errors") if isinstance(fields, Mapping) else None
    parts = [" ".join(map(str, general))] if general else []
    return "; ".join(parts + named) or exc.message


def changed_since(held: Undoable, stored: Mapping[str, Any]) -> list[str]:
    """The fields of an edit's Undo that someone changed again after it (their change is kept)."""
    if held.after is None or held.normalise is None:
        return []
    now = held.normalise(stored)
    return [name for name, value in held.after.items() if now.get(name) != value]


def undo_write(store: Store, held: Undoable) -> str | None:
    """Reverse ``held``'s write; None when done, else why not (nothing was written then) — or a
    ``QueuedNote`` when the backend stopped answering just before the edit's write-back, which
    then waits in the outbox like any save."""
    undo = held.undo
    try:
        if undo.restore:
            store.client.for_writes().restore(undo.model, undo.record_id)
        else:
            now = store.client.load_versioned(undo.model, undo.record_id)
            if again := changed_since(held, now.record):
                return (f"Not undone: {', '.join(again)} changed again since your edit (see History); "
                        "undoing would overwrite that change.")  # fmt: skip
            result = store.save(undo.model, dict(undo.payload or {}), record_id=undo.record_id,
                                if_match=now.etag)  # fmt: skip
            if result.queued:
                return store.saved_locally(result.waiting)
    except EditConflict:
        return "The record changed again while undoing; nothing was written. Open it to see its History."
    except (ValidationFailed, PermissionDenied) as exc:
        return f"{context.backend_name()} refused: {_refused(exc)}"
    except NotFound:
        return "The record is gone (or no longer visible to you); nothing to undo."
    except StemGuiError as exc:
        return _needs_backend(undo) if is_backend_down(exc) else exc.message
    return None


def _do_undo(user: CurrentUser, number: int) -> None:
    """The Undo button (a callback: it runs before the page, whether or not the page shows it again)."""
    found = [held for held in undos() if held.number == number]
    if not found:
        return
    problem = undo_write(Store(user), found[0])
    if isinstance(problem, QueuedNote):  # written back once the backend answers: not to be done twice
        _forget(number)
        changed(problem)
        return
    if problem:
        st.session_state[UNDO_ERROR] = problem
        return
    _forget(number)
    label = found[0].undo.label
    changed(f"Done: {label[0].lower()}{label[1:]}.")


def undo_notice(user: CurrentUser, model: str | None = None) -> None:
    """Right after a write: what it was and an Undo button (until the next write or Dismiss)."""
    if not user.can_write:
        return
    if problem := st.session_state.pop(UNDO_ERROR, None):
        st.error(plain(problem), icon=":material/error:")
    held = undos()
    if not held or st.session_state.get(UNDO_SEEN) == held[-1].number:
        return
    number, undo = held[-1].number, held[-1].undo
    if model is not None and undo.model != model:
        return
    with st.container(border=True, horizontal=True, vertical_alignment="center", key="stemgui-undo-notice"):
        st.markdown(f":material/undo: {plain(undo.toast)}.", width="stretch")
        st.button("Undo", key="stemgui.undo.latest", type="primary", on_click=_do_undo, args=(user, number))
        st.button("Dismiss", key="stemgui.undo.dismiss", on_click=st.session_state.__setitem__,
                  args=(UNDO_SEEN, number))  # fmt: skip


def undo_list(user: CurrentUser) -> None:
    """Every undoable write of this session, newest first, each with its Undo."""
    if problem := st.session_state.pop(UNDO_ERROR, None):
        st.error(plain(problem), icon=":material/error:")
    held = undos()
    if not held:
        st.caption("Nothing to undo yet in this session.")
    for item in reversed(held):
        row = st.container(horizontal=True, vertical_alignment="center")
        row.markdown(plain(item.undo.label), width="stretch")
        row.button("Undo", key=f"stemgui.undo.{item.number}", on_click=_do_undo, args=(user, item.number))


# ---------------------------------------------------------------- Recently deleted


def recently_deleted(user: CurrentUser, store: Store) -> None:
    """The deleted records of one kind the user may restore, newest first, each with Restore."""
    model = st.selectbox("Kind", list(DELETABLE), format_func=DELETABLE.get, key="stemgui.deleted.kind")
    try:
        answer = store.client.deleted(model, limit=PAGE)
    except HistoryUnavailable as exc:
        st.info(plain(exc.message) + ".")
        return
    except StemGuiError as exc:
        st.warning(f"The deleted records could not be loaded: {plain(exc.message)}", icon=":material/error:")
        return
    if message := st.session_state.pop("stemgui.deleted.refused", None):
        st.error(plain(message), icon=":material/error:")
    rows = hv.deleted_rows(answer, context.browser_zone())
    if not rows:
        st.caption(f"No deleted {DELETABLE[model].lower()} you may restore.")
        return
    count = int(answer.get("count") or len(rows))
    st.caption(f"{display.count_text(count, 'deleted record')} you may restore" +
               (f"; the {len(rows)} most recent shown." if count > len(rows) else "."))  # fmt: skip
    for row in rows:
        line = st.container(border=True, horizontal=True, vertical_alignment="center")
        line.markdown(f"**{plain(str(row['name']))}** · deleted {plain(row['deleted'])} by "
                      f"{plain(row['by'] or '?')}", width="stretch")  # fmt: skip
        if line.button("Restore", key=f"stemgui.deleted.restore.{row['id']}", icon=":material/restore:"):
            _restore(store, model, row)


def _restore(store: Store, model: str, row: Mapping[str, Any]) -> None:
    problem = undo_write(store, Undoable(0, hv.undo_delete(model, str(row["id"]), str(row["name"]))))
    if problem:
        st.session_state["stemgui.deleted.refused"] = f"“{row['name']}” was not restored. {problem}"
    else:  # its Undo is done too
        done = [h for h in undos() if h.undo.restore and h.undo.record_id == row["id"]]
        st.session_state[UNDO] = [h for h in undos() if h not in done]
        changed(f"Restored “{row['name']}” with its id.")
    st.rerun()
