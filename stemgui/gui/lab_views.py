"""The Lab page (issue 13): projects, strains, suppliers, consumables, consumable stocks,
equipment and licenses as small editable tables, one tab each; a project's members below.

Viewers see the tables read-only. Editors edit cells, add and delete rows and press Save: each
changed row is checked (``stemgui.lab_records``) and sent on its own through the one write
path (``Store.save`` / ``Store.delete``), so a row the checks or the server refuse stays in the
grid with its message (its "problem" column and a list naming row and field) while the others
are saved. Deleting rows needs the tick that names them. Session-state keys start with ``lab.``.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from stemgui import lab_records as lab
from stemgui.errors import PermissionDenied, StemGuiError, ValidationFailed
from stemgui.gui import context
from stemgui.gui import loaders as data
from stemgui.gui.context import CurrentUser
from stemgui.gui.store import Store, changed
from stemgui.gui.widgets import plain
from stemgui.models import PERMISSION_KEYS

PROBLEM = "problem"  # the grid column that shows why a kept row was not saved
MEMBER_LABELS = {"can_change": "can change", "is_manager": "manager", "is_owner": "owner"}


def _key(model: str, name: str) -> str:
    return f"lab.{model}.{name}"


def _records(store: Store, model: str) -> list[dict]:
    return store.load(f"lab.records.{model}", data.load_records, model, similar=False)


def _refs(store: Store, kind: lab.LabKind) -> dict[str, lab.Refs]:
    return {m: lab.Refs(store.load(f"lab.labels.{m}", data.load_labels, m, similar=False)) for m in kind.refs}


TAB = "lab.tab"  # the open tab's title
MEMBERS_PROJECT = "lab.members.project"


def run(user: CurrentUser, store: Store) -> None:
    """The page: one tab per kind (projects also list their members).

    Only the open tab is built: building all nine grids on every rerun made each click wait for
    eight tables nobody looks at. A closed tab whose grid holds edits not saved yet is built all
    the same, because Streamlit forgets the edits of a data editor that a run does not draw."""
    if not user.can_write:
        st.caption("You can read these records; editors change them.")
    if MEMBERS_PROJECT in st.session_state:  # the chosen project outlives the Projects tab closing
        st.session_state[MEMBERS_PROJECT] = st.session_state[MEMBERS_PROJECT]
    tabs = st.tabs([kind.title for kind in lab.KINDS.values()], key=TAB, on_change="rerun")
    for tab, kind in zip(tabs, lab.KINDS.values(), strict=True):
        if tab.open is False and not _holds_edits(kind):
            continue
        with tab:
            draw_kind(user, store, kind)
            if kind.model == "project":
                draw_members(user, store)


def _has_edits(state: Any) -> bool:
    """Whether a data editor's state holds an edited, added or removed row."""
    parts = ("edited_rows", "added_rows", "deleted_rows")
    return isinstance(state, dict) and any(state.get(part) for part in parts)


def _holds_edits(kind: lab.LabKind) -> bool:
    """Whether ``kind``'s tab holds anything the user typed and has not saved (its grid's
    edits, rows a refused save kept, for projects the members grid's edits)."""
    if st.session_state.get(_key(kind.model, "pending")) is not None:
        return True
    generation = st.session_state.get(_key(kind.model, "gen"), 0)
    if _has_edits(st.session_state.get(_key(kind.model, f"grid.{generation}"))):
        return True
    members_grids = [key for key in list(st.session_state) if key.startswith("lab.members.grid.")]
    return kind.model == "project" and any(_has_edits(st.session_state[key]) for key in members_grids)


# ---------------------------------------------------------------- one kind's grid


def _column_config(kind: lab.LabKind, refs: dict[str, lab.Refs], rows: list[dict]) -> dict:
    config: dict[str, Any] = {}
    for c in kind.columns:
        if c.kind == "ref":
            shown = {r.get(c.field) for r in rows if r.get(c.field)}
            options = refs[c.ref].options + sorted(shown - set(refs[c.ref].options))
            config[c.field] = st.column_config.SelectboxColumn(c.label, options=options)
        elif c.kind == "choice":
            config[c.field] = st.column_config.SelectboxColumn(c.label, options=list(c.choices))
        elif c.kind == "bool":
            config[c.field] = st.column_config.CheckboxColumn(c.label)
        elif c.kind == "number":
            config[c.field] = st.column_config.NumberColumn(c.label)
        else:
            hint = "Several: separate them with commas." if c.kind == "tags" else None
            config[c.field] = st.column_config.TextColumn(c.label, help=hint)
    config[PROBLEM] = st.column_config.TextColumn("⚠ not saved", disabled=True)
    return config


def _frame(kind: lab.LabKind, rows: list[dict], problems: dict[int, str]) -> pd.DataFrame:
    fields = [c.field for c in kind.columns]
    frame = pd.DataFrame(rows, columns=fields, dtype="object")
    for c in kind.columns:
        if c.kind == "bool":
            frame[c.field] = frame[c.field].astype(bool)
        elif c.kind == "number":
            frame[c.field] = pd.to_numeric(frame[c.field], errors="coerce")
    if problems:
        frame[PROBLEM] = [problems.get(i, "") for i in range(len(rows))]
    return frame


def draw_kind(user: CurrentUser, store: Store, kind: lab.LabKind) -> None:
    """One kind's table: read-only for viewers; for editors an editable grid and Save."""
    records = _records(store, kind.model)
    refs = _refs(store, kind)
    pending = st.session_state.get(_key(kind.model, "pending"))
    if pending is None:
        rows, ids, problems = lab.grid_rows(kind, records, refs), [r["id"] for r in records], {}
    else:
        rows, ids, problems = pending["rows"], pending["ids"], pending["problems"]
    st.session_state[_key(kind.model, "ids")] = ids  # which record each grid row is
    frame = _frame(kind, rows, problems)
    config = _column_config(kind, refs, rows)
    if not user.can_write:
        st.dataframe(frame, column_config=config, hide_index=True, width="stretch",
                     key=_key(kind.model, "table"))  # fmt: skip
        st.caption(f"{len(rows)} {kind.title.lower()}")
        return
    for where, message in pending["messages"] if pending else []:
        st.error(f"{plain(where)}: {plain(message)}", icon=":material/error:")
    st.caption("Change cells, add a row at the bottom, select rows and press Delete to remove them; "
               "then Save. Related records are picked by name.")  # fmt: skip
    generation = st.session_state.get(_key(kind.model, "gen"), 0)
    grid_key = _key(kind.model, f"grid.{generation}")
    st.data_editor(frame, key=grid_key, num_rows="dynamic", column_config=config, hide_index=True,
                   width="stretch")  # fmt: skip
    state = st.session_state.get(grid_key) or {}
    changes = lab.grid_changes(rows, ids, state, pending["unsaved"] if pending else ())
    confirmed = True
    if changes.deletes:
        names = ", ".join(f"“{lab.row_label(kind, rows[p]) or p + 1}”" for p, _ in changes.deletes)
        also = " A project's sessions and subjects that are in no other project go with it." if (
            kind.model == "project") else ""  # fmt: skip
        st.warning(f"Removed rows are deleted on Save: {plain(names)}.{also}", icon=":material/warning:")
        confirmed = st.checkbox(f"Yes, delete {len(changes.deletes)} {kind.noun} record(s)",
                                key=_key(kind.model, f"confirm.{generation}"))  # fmt: skip
    buttons = st.container(horizontal=True)
    if buttons.button("Save", key=_key(kind.model, "save"), type="primary", icon=":material/save:",
                      disabled=changes.empty and pending is None):  # fmt: skip
        save_grid(store, kind, records, refs, rows, changes, confirmed)
    if pending is not None and buttons.button("Discard unsaved rows", key=_key(kind.model, "discard")):
        _reset(kind)
        st.rerun()


def _reset(kind: lab.LabKind, pending: dict | None = None) -> None:
    st.session_state[_key(kind.model, "pending")] = pending
    st.session_state[_key(kind.model, "gen")] = st.session_state.get(_key(kind.model, "gen"), 0) + 1


def _server_messages(kind: lab.LabKind, exc: StemGuiError) -> dict[str, str]:
    """A refusal's messages by column label (a 403 without fields: the server's message)."""
    field_errors = getattr(exc, "field_errors", None) or {}
    out: dict[str, str] = {}
    for name, messages in field_errors.items():
        text = " ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
        label = lab.column_label(kind, name)
        out[label] = f"{out[label]} {text}" if label in out else text
    return out or {"row": exc.message}


def save_grid(store: Store, kind: lab.LabKind, records: list[dict], refs: dict[str, lab.Refs],
              rows: list[dict], changes: lab.GridChanges, confirmed: bool) -> None:  # fmt: skip
    """Send every changed row on its own; keep the refused ones in the grid with their messages."""
    stored = {r["id"]: r for r in records}
    kept_changes: dict[str, dict] = {}  # record id -> the row as edited, not saved
    kept_creates: list[dict] = []
    failed: list[tuple[dict, str | None, dict[str, str], int]] = []  # row, id, messages, position
    done, queued, last = 0, 0, None
    work = [(p, None, row) for p, row in changes.creates] + [(p, rid, row) for p, rid, row in changes.changes]
    for position, record_id, row in work:
        payload, errors = lab.check_row(kind, row, refs, stored.get(record_id) if record_id else None)
        if not errors and record_id and not payload:
            continue  # edited back to what is stored
        if not errors:
            try:
                last = store.save(kind.model, payload, record_id)
                done, queued = done + 1, queued + last.queued
                continue
            except (ValidationFailed, PermissionDenied) as exc:
                errors = _server_messages(kind, exc)
            except StemGuiError as exc:
                errors = {"row": exc.message}
        failed.append((row, record_id, errors, position))
        if record_id:
            kept_changes[record_id] = row
        else:
            kept_creates.append(row)
    for position, record_id in changes.deletes:
        if not confirmed:
            refused = {"row": "Not deleted: tick “Yes, delete” to confirm."}
            failed.append((rows[position], record_id, refused, position))
            continue
        try:
            last = store.delete(kind.model, record_id)
            done, queued = done + 1, queued + last.queued
        except StemGuiError as exc:
            failed.append((rows[position], record_id, {"row": exc.message}, position))
    data.clear_caches()
    if failed:
        _keep_failed(store, kind, failed, kept_changes, kept_creates)
    else:
        _reset(kind)
    if done:
        note = store.saved_locally() if queued else f"Saved {done} {kind.noun} change(s)."
        changed(note)
    st.rerun()


def _keep_failed(store: Store, kind: lab.LabKind, failed, kept_changes: dict[str, dict],
                 kept_creates: list[dict]) -> None:  # fmt: skip
    """The grid again from the records as stored now, with the refused rows as the user left them."""
    fresh = _records(store, kind.model)
    refs = _refs(store, kind)
    shown = lab.grid_rows(kind, fresh, refs)
    rows = [kept_changes.get(r["id"]) or row for r, row in zip(fresh, shown, strict=True)]
    ids: list[str | None] = [r["id"] for r in fresh]
    rows += kept_creates
    ids += [None] * len(kept_creates)
    problems: dict[int, str] = {}
    messages: list[tuple[str, str]] = []
    creates = iter(range(len(fresh), len(rows)))
    for row, record_id, errors, was in failed:
        if record_id is None:
            position = next(creates, None)
        else:  # a record gone meanwhile (deleted by someone else) has no row left: message only
            position = ids.index(record_id) if record_id in ids else None
        text = "; ".join(m if f == "row" else f"{f}: {m}" for f, m in errors.items())
        if position is not None:
            problems[position] = text
            messages.append((lab.row_name(kind, rows[position], position), text))
        else:
            messages.append((lab.row_name(kind, row, was), text))
    unsaved = [ids.index(record_id) for record_id in kept_changes if record_id in ids]
    _reset(kind, {"rows": rows, "ids": ids, "problems": problems, "messages": messages, "unsaved": unsaved})


# ---------------------------------------------------------------- project members


def _my_emails(user: CurrentUser) -> list[str]:
    """The addresses the backend may know this user by (the bundled server's, the GUI's)."""
    emails = [f"{user.username}@stemgui.local"]
    info = context.user_store().get(user.username)
    if info and info.email:
        emails.append(info.email)
    return emails


def draw_members(user: CurrentUser, store: Store) -> None:
    """A project's members and their rights: editable by its managers and owners, else read-only."""
    projects = _records(store, "project")
    st.subheader("Members")
    if not projects:
        st.caption("No project yet.")
        return
    names = {p["id"]: p.get("name") or p["id"] for p in projects}
    if st.session_state.get(MEMBERS_PROJECT) not in names:
        st.session_state.pop(MEMBERS_PROJECT, None)  # a project deleted (or hidden) since
    chosen = st.selectbox("Project", list(names), format_func=names.get, key=MEMBERS_PROJECT)
    project = next(p for p in projects if p["id"] == chosen)
    before = lab.member_rows(project)
    frame = pd.DataFrame(before, columns=["email", *PERMISSION_KEYS])
    config = {"email": st.column_config.TextColumn("email")}
    config.update({k: st.column_config.CheckboxColumn(MEMBER_LABELS[k]) for k in PERMISSION_KEYS})
    if not (user.can_write and lab.manages(project, _my_emails(user))):
        st.dataframe(frame, column_config=config, hide_index=True, key="lab.members.table")
        st.caption("Only the project's managers and owners change its members.")
        return
    generation = st.session_state.get("lab.members.gen", 0)
    edited = st.data_editor(frame, key=f"lab.members.grid.{chosen}.{generation}", num_rows="dynamic",
                            column_config=config, hide_index=True)  # fmt: skip
    st.caption("Members are known by their email address on the backend.")
    if st.button("Save members", key="lab.members.save", icon=":material/save:"):
        users, errors = lab.member_changes(before, edited.to_dict("records"))
        for where, message in errors.items():
            st.error(f"{plain(where)}: {plain(message)}", icon=":material/error:")
        if errors or not users:
            return
        try:
            result = store.save("project", {"users": users}, chosen)
        except (ValidationFailed, PermissionDenied) as exc:
            for where, message in _server_messages(lab.KINDS["project"], exc).items():
                st.error(f"{plain(where)}: {plain(message)}", icon=":material/error:")
            return
        st.session_state["lab.members.gen"] = generation + 1
        store.report(result, f"Saved the members of “{names[chosen]}”.")
        st.rerun()
