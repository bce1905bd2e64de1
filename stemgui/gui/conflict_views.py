"""The Streamlit side of two people editing one record (logic in ``stemgui.edit_conflict``).

- ``open_for_edit``: the record as stored now and its version (ETag), read when Edit is pressed;
  ``remember_opened`` keeps it (normalised to the form's fields) under the form's key.
- ``save_changes``: sends only the fields changed since the form opened, with ``If-Match``.
  On 412 — or, against a backend without versions, when a re-read just before the write shows
  that a field of the form changed — nothing is saved, the form stays, and ``conflict_panel``
  shows their value beside the user's for each such field. The user picks per field (or all at
  once) and presses Save again, which sends their choice against the new version.

State under the form's key: ``.opened`` (record, etag, fields where the user took theirs),
``.conflict`` (an ``edit_conflict.Conflict``), ``.conflict.choice.<field>`` (the radios).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from stemgui.client import Versioned
from stemgui.edit_conflict import MINE, THEIRS, Conflict, find_conflict, my_changes, shown_value
from stemgui.errors import EditConflict, ServerError, StemGuiError
from stemgui.gui.store import Store, store
from stemgui.gui.widgets import plain
from stemgui.outbox import SaveResult, is_backend_down

Normalise = Callable[[Mapping[str, Any]], dict]
_CHOICE_LABELS = {THEIRS: "Keep theirs (now saved)", MINE: "Use mine"}


def open_for_edit(model: str, record: Mapping[str, Any]) -> Versioned:
    """``record`` as stored now, with its version; while the backend does not answer (or answers
    in a shape we do not know), ``record`` as shown, without one: the save then re-reads and
    compares before writing. Gone, forbidden or signed out: the error is raised."""
    try:
        return store().client.load_versioned(model, record["id"])
    except StemGuiError as exc:
        if not (is_backend_down(exc) or isinstance(exc, ServerError)):
            raise
        return Versioned(dict(record), None)


def remember_opened(key: str, opened: Mapping[str, Any], etag: str | None) -> None:
    """Keep the record as the form ``key`` opened it (normalised to the form's fields)."""
    forget(key)
    st.session_state[f"{key}.opened"] = {"record": dict(opened), "etag": etag, "taken": {}}


def forget(key: str) -> None:
    """Drop what the form ``key`` kept about its record and any conflict shown."""
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{key}.opened")]:
        del st.session_state[name]
    _drop_conflict(key)


def save_changes(
    writer: Store, key: str, model: str, record_id: str, mine: dict, normalise: Normalise,
    fallback: Callable[[], Mapping],
) -> SaveResult | None:
    """Save the form ``key``'s changes (``mine``: its whole payload); None while a conflict is
    shown for the user to decide (nothing was written). ``fallback()``: the record to compare
    with when the form kept none (a form opened without ``remember_opened``)."""
    kept = st.session_state.get(f"{key}.opened")
    if kept is None:
        kept = {"record": normalise(fallback()), "etag": None, "taken": {}}
    opened, etag, taken = kept["record"], kept["etag"], dict(kept.get("taken") or {})
    conflict: Conflict | None = st.session_state.get(f"{key}.conflict")
    if conflict is not None:  # Save after the panel: the user's choices, on the current version
        choices = _choices(key, conflict)
        if missing := conflict.undecided(choices):
            st.session_state[f"{key}.conflict.message"] = f"Choose yours or theirs for: {', '.join(missing)}."
            return None
        decided = conflict.decided(choices)
        taken.update({c.field: c.mine for c in conflict.changes if decided[c.field] == THEIRS})
        opened, etag = dict(conflict.current), conflict.etag
        st.session_state[f"{key}.opened"] = {"record": opened, "etag": etag, "taken": taken}
        _drop_conflict(key)
    # a field where the user took theirs and has not typed since: theirs is what the form stands for
    intended = {name: opened.get(name) if name in taken and taken[name] == value else value
                for name, value in mine.items()}  # fmt: skip
    if etag is None:  # a backend without versions: re-read and compare just before the write
        etag = _check_before_write(writer, key, model, record_id, opened, intended, normalise)
        if etag is False:
            return None
    for _ in range(2):
        try:
            changes = my_changes(opened, intended)
            return writer.save(model, changes, record_id=record_id, if_match=etag or None)
        except EditConflict as exc:
            now = Versioned(exc.current, exc.etag) if exc.current is not None else None
            now = now or _read(writer, model, record_id)
            found = find_conflict(opened, normalise(now.record), intended, now.etag)
            if found is not None:
                _show(key, found)
                return None
            etag = now.etag  # only fields the form does not hold changed: save on their version
    raise EditConflict("The record keeps changing while you save — reload it and try again", status_code=412)


def _read(writer: Store, model: str, record_id: str) -> Versioned:
    return writer.client.load_versioned(model, record_id)


def _check_before_write(
    writer: Store, key: str, model: str, record_id: str, opened: dict, intended: dict, normalise: Normalise
) -> str | None | bool:
    """The version to write on (None: the backend keeps none); False when a conflict is now shown."""
    try:
        now = _read(writer, model, record_id)
    except StemGuiError as exc:
        if not is_backend_down(exc):
            raise
        return None  # not answering: the save goes to the outbox with only the user's changes
    found = find_conflict(opened, normalise(now.record), intended, now.etag)
    if found is not None:
        _show(key, found)
        return False
    return now.etag


def _show(key: str, conflict: Conflict) -> None:
    _drop_conflict(key)
    st.session_state[f"{key}.conflict"] = conflict
    for change in conflict.changes:
        st.session_state[f"{key}.conflict.choice.{change.field}"] = change.default


def _drop_conflict(key: str) -> None:
    for name in [k for k in st.session_state if isinstance(k, str) and k.startswith(f"{key}.conflict")]:
        del st.session_state[name]


def _choices(key: str, conflict: Conflict) -> dict[str, str]:
    return {c.field: st.session_state.get(f"{key}.conflict.choice.{c.field}") for c in conflict.changes}


def _choose_all(key: str, choice: str) -> None:
    conflict = st.session_state.get(f"{key}.conflict")
    for change in conflict.changes if conflict else ():
        st.session_state[f"{key}.conflict.choice.{change.field}"] = choice


def conflict_panel(
    key: str, titles: Mapping[str, str] | None = None, labels: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    """Their saved value beside the user's for each field someone else changed; a choice per field.

    ``titles``: field -> label shown; ``labels``: field -> {id: name} for fields holding ids.
    """
    conflict: Conflict | None = st.session_state.get(f"{key}.conflict")
    if conflict is None:
        return
    titles, labels = titles or {}, labels or {}
    with st.container(border=True, key=f"{key}.conflict.panel"):
        st.warning("Someone else saved this record after you opened it. Nothing of yours is saved yet. "
                   "For each field they changed, choose which value to keep, then press Save.",
                   icon=":material/sync_problem:")  # fmt: skip
        if message := st.session_state.get(f"{key}.conflict.message"):
            st.error(message, icon=":material/error:")
        for change in conflict.changes:
            title = titles.get(change.field, change.field.replace("_", " ").capitalize())
            note = "changed by both of you" if change.clashes else "you did not change it"
            st.markdown(f"**{plain(title)}** — {note}")
            theirs, mine = st.columns(2)
            theirs.caption("Theirs (now saved)")
            theirs.text(shown_value(change.theirs, labels.get(change.field)))
            mine.caption("Yours")
            mine.text(shown_value(change.mine, labels.get(change.field)))
            st.radio(f"Keep for {title}", [THEIRS, MINE], format_func=_CHOICE_LABELS.get, horizontal=True,
                     key=f"{key}.conflict.choice.{change.field}", label_visibility="collapsed")  # fmt: skip
        if conflict.mine_only:
            others = ", ".join(titles.get(name, name) for name in conflict.mine_only)
            st.caption(f"Your other changes are saved too: {plain(others)}")
        buttons = st.container(horizontal=True)
        buttons.button("Keep theirs for all", key=f"{key}.conflict.all_theirs", on_click=_choose_all,
                       args=(key, THEIRS))  # fmt: skip
        buttons.button("Use mine for all", key=f"{key}.conflict.all_mine", on_click=_choose_all,
                       args=(key, MINE))  # fmt: skip
