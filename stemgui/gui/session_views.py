"""The Sessions page's widgets: filters, table, detail panel, create/edit form, delete check.

Streamlit-facing layout only; the rules live in ``stemgui.session_form`` (no Streamlit) and
the data in ``stemgui.gui.loaders``. ``pages/sessions.py`` arranges these on the screen.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from stemgui import dates, display
from stemgui import session_form as sf
from stemgui.client import BrainstemClient
from stemgui.errors import LocalSaveFailed, PermissionDenied, StemGuiError, ValidationFailed
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import loaders as data
from stemgui.gui import ui
from stemgui.gui.offline import QueuedNote

FORM = "sessions.form"  # {"mode": create|edit|duplicate, "id": ..., "nonce": n}
SHOW_ALL = "sessions.show_all"  # the "Show all" toggle: every match instead of the newest ROW_LIMIT
SCROLL = "sessions.scroll_to_detail"  # a row was just opened: bring its detail into view once
DETAIL = "sessions-detail"  # the detail panel's container key (scrolled to)
KEPT = ("name", "description", "projects", "date_time", "tags", "name_used_in_storage")
CONFLICT_TITLES = {"date_time": "Date", "name_used_in_storage": "Name used in storage"}


# Filter values outlive their widgets: while the form is open (the page stops before the filter
# bar) or another page is shown, Streamlit would keep the old value on the server while the
# browser forgets it, so a box could look empty with its filter still applied. "session" keeps
# the value and tells the browser to show it again when the box comes back.
KEEP = "session"


def filter_bar(projects: dict[str, str], tags: list[str]) -> data.SessionQuery:
    """The filter widgets; returns what they ask for."""
    top = st.columns([3, 4])
    text = top[0].text_input("Search name or description", key="sessions.f.text", placeholder="e.g. rat",
                             persist_state=KEEP)  # fmt: skip
    chosen = top[1].multiselect(
        "Projects", list(projects), format_func=projects.get, key="sessions.f.projects", persist_state=KEEP
    )
    second = st.columns([2, 2, 5])
    date_from = second[0].date_input("From", value=None, key="sessions.f.from", format=ui.DATE_FORMAT,
                                     persist_state=KEEP)  # fmt: skip
    date_to = second[1].date_input("To", value=None, key="sessions.f.to", format=ui.DATE_FORMAT,
                                   persist_state=KEEP)  # fmt: skip
    chosen_tags = second[2].multiselect("Tags", tags, key="sessions.f.tags", accept_new_options=True,
                                        persist_state=KEEP)  # fmt: skip
    return data.SessionQuery(text.strip(), tuple(chosen), date_from, date_to, tuple(chosen_tags))


def selected_id() -> str | None:
    """The id of the open session (kept in the URL as ``?session=``)."""
    return st.query_params.get("session")


def select(session_id: str | None) -> None:
    """Open ``session_id`` (None: close) and keep it in the URL so the link can be shared."""
    if session_id:
        st.query_params["session"] = session_id
        st.session_state[SCROLL] = True
    else:
        st.query_params.pop("session", None)
    st.session_state["sessions.table.nonce"] = st.session_state.get("sessions.table.nonce", 0) + 1


def sessions_table(frame: pd.DataFrame, rows: data.SessionRows, query: data.SessionQuery) -> None:
    """The table; picking a row opens it below."""
    ids = list(frame.index)
    # a new key when the rows change, so a selection never points at another record's row
    table_key = f"sessions.table.{st.session_state.get('sessions.table.nonce', 0)}.{hash(query)}"
    st.session_state["sessions.table.key"] = table_key
    current = selected_id()
    default = {"selection": {"rows": [ids.index(current)] if current in ids else []}}
    event = st.dataframe(
        frame, key=table_key, on_select="rerun", selection_mode="single-row", selection_default=default,
        hide_index=True, width="stretch", height=420 if len(frame) > 10 else "auto",
        column_config={"date": st.column_config.TextColumn("date", help="YYYY-MM-DD")},
    )  # fmt: skip
    picked = list(event.selection.rows)
    if picked != default["selection"]["rows"] and picked != st.session_state.get(f"{table_key}.last"):
        st.session_state[f"{table_key}.last"] = picked
        st.query_params.pop("session", None)
        if picked:
            st.query_params["session"] = ids[picked[0]]
            st.session_state[SCROLL] = True
    if rows.complete and not show_all():
        st.caption(f"{display.count_text(len(frame), 'session')} shown")
    else:
        note, toggle = st.columns([4, 1])
        if rows.complete:
            note.caption(f"All {display.count_text(len(frame), 'matching session')} shown; switch "
                         f"“Show all” off to see the {data.ROW_LIMIT:,} newest (faster).")  # fmt: skip
        else:
            more = "" if rows.exact else "at least "
            note.caption(f"Showing the {len(frame):,} newest of {more}{rows.matching:,} matching sessions: "
                         "narrow the filters, or show them all (slower).")  # fmt: skip
        toggle.toggle("Show all", key=SHOW_ALL, persist_state=KEEP)
    st.download_button(
        "Download CSV", data.frame_to_csv(frame), file_name="sessions.csv", mime="text/csv",
        key="sessions.csv", icon=":material/download:",
    )  # fmt: skip


def show_all() -> bool:
    """Whether the user asked for every matching session (the "Show all" toggle)."""
    return bool(st.session_state.get(SHOW_ALL))


def open_form(mode: str, session: dict | None = None, entry: int | None = None,
              errors: dict[str, str] | None = None) -> None:  # fmt: skip
    """Start the create/edit/duplicate form with fresh widget keys prefilled from ``session``.

    ``outbox``: the form of a new session kept in the outbox (``entry``), with the server's
    ``errors`` at their fields; saving it updates the entry, which is then sent by itself.
    """
    nonce = st.session_state.get("sessions.form.nonce", 0) + 1
    st.session_state["sessions.form.nonce"] = nonce
    opened = conflicts.open_for_edit("session", session) if mode == "edit" else None
    if opened:  # the form starts from the record as stored now, and keeps it and its version
        session = opened.record
    if mode in ("edit", "outbox"):  # outbox: a new session saved locally, reopened from the Outbox
        values = sf.values_from_session(session)
    elif mode == "duplicate":
        values = sf.duplicate_values(session)
    else:
        values = sf.SessionFormValues(date_time=dates.today(ui.browser_zone()))  # today, where the user is
    prefix = f"{FORM}.{nonce}"
    for name in KEPT:
        st.session_state[f"{prefix}.{name}"] = getattr(values, name)
    st.session_state[f"{prefix}.extra.rows"] = values.extra_rows
    st.session_state[f"{prefix}.links.rows"] = values.link_rows
    st.session_state[FORM] = {"mode": mode, "id": (session or {}).get("id"), "nonce": nonce, "entry": entry}
    st.session_state[f"{FORM}.errors"] = errors or {}
    if opened:
        conflicts.remember_opened(prefix, as_form_payload(session), opened.etag)


def close_form() -> None:
    """Close the form and forget its messages (the widget values go with their keys)."""
    form = st.session_state.pop(FORM, None)
    st.session_state.pop(f"{FORM}.errors", None)
    if form:
        ui.forget_widgets(f"{FORM}.{form['nonce']}")
        conflicts.forget(f"{FORM}.{form['nonce']}")


def as_form_payload(session: dict) -> dict:
    """A stored session as the form would send it (so that stored and typed values compare)."""
    return sf.build_payload(sf.values_from_session(session))[0]


def session_form(client: BrainstemClient, projects: dict[str, str], tags: list[str]) -> None:
    """The create/edit form; on a rejection everything typed stays and messages sit at their fields."""
    form = st.session_state[FORM]
    prefix, errors = f"{FORM}.{form['nonce']}", st.session_state.get(f"{FORM}.errors") or {}
    ui.keep_widgets(prefix, KEPT)  # what was typed survives a visit to another page
    titles = {"create": "New session", "edit": "Edit session", "duplicate": "New session (duplicate)",
              "outbox": "New session (saved locally, not sent yet)"}  # fmt: skip
    with st.container(border=True):
        st.subheader(titles[form["mode"]])
        if form["mode"] == "duplicate":
            st.info("Prefilled from the session you duplicated. Change the name: session names are unique.")
        name = st.text_input("Name *", key=f"{prefix}.name", max_chars=sf.SESSION_NAME_MAX)
        ui.field_error(errors, "name")
        known = list(projects) + [
            p for p in st.session_state.get(f"{prefix}.projects") or [] if p not in projects
        ]
        chosen = st.multiselect(
            "Projects *", known, format_func=lambda p: projects.get(p, p), key=f"{prefix}.projects"
        )
        ui.field_error(errors, "projects")
        left, right = st.columns(2)
        day = left.date_input("Date", key=f"{prefix}.date_time", format=ui.DATE_FORMAT)
        ui.field_error(errors, "date_time")
        options = sorted(set(tags) | set(st.session_state.get(f"{prefix}.tags") or []))
        chosen_tags = right.multiselect("Tags", options, key=f"{prefix}.tags", accept_new_options=True)
        ui.field_error(errors, "tags")
        description = st.text_area("Description", key=f"{prefix}.description")
        ui.field_error(errors, "description")
        storage = st.text_input("Name used in storage", key=f"{prefix}.name_used_in_storage", max_chars=200)
        ui.field_error(errors, "name_used_in_storage")
        st.markdown("**Extra fields** — names start with a letter; letters, digits and _ only. "
                    "Numbers are saved as numbers.")  # fmt: skip
        extra_rows = ui.editable_rows(
            f"{prefix}.extra", st.session_state[f"{prefix}.extra.rows"], sf.EXTRA_COLUMNS
        )
        for problem in sf.extra_fields_from_rows(extra_rows)[1]:
            st.warning(ui.plain(problem))  # checked as you type, before any save
        ui.field_error(errors, "extra_fields")
        st.markdown("**Download links**")
        link_rows = ui.editable_rows(
            f"{prefix}.links", st.session_state[f"{prefix}.links.rows"], sf.LINK_COLUMNS
        )
        ui.field_error(errors, "download_links")
        ui.show_field_errors(errors, sf.FORM_FIELDS)
        values = sf.SessionFormValues(
            name, description, chosen, day, chosen_tags, extra_rows, link_rows, storage
        )
        conflicts.conflict_panel(prefix, CONFLICT_TITLES, {"projects": projects})
        buttons = st.container(horizontal=True)
        if buttons.button("Save", type="primary", key=f"{prefix}.save"):
            submit(client, form, values)
        if buttons.button("Cancel", key=f"{prefix}.cancel"):
            close_form()
            st.rerun()


def submit(client: BrainstemClient, form: dict, values: sf.SessionFormValues) -> None:
    """Check, send, and on success refresh the list and open the saved record."""
    payload, errors = sf.build_payload(values)
    if not errors and form["mode"] == "outbox":
        try:
            ui.outbox().update_payload(form["entry"], payload)  # sent by itself on the next run
        except LocalSaveFailed as exc:  # a full or read-only disk: the form stays with all it holds
            st.session_state[f"{FORM}.errors"] = {"form": exc.message}
            st.rerun()
        close_form()
        data.clear_caches()
        kept = f"Changes kept in the outbox; they are sent when {ui.backend_name()} answers."
        ui.queue_toast(QueuedNote(kept))  # kept locally is not saved: the warning style
        st.rerun()
    if not errors:
        try:
            if form["mode"] == "edit":  # only what changed since the form opened, on that version
                def stored() -> dict:
                    return ui.load("session", data.load_session, form["id"], similar=False)

                key = f"{FORM}.{form['nonce']}"
                result = conflicts.save_changes(key, "session", form["id"], payload, as_form_payload, stored)
                if result is None:
                    st.rerun()  # someone else saved meanwhile: the form stays with both versions shown
            else:
                result = ui.save("session", payload)  # saved, or kept in the outbox while down
        except (ValidationFailed, PermissionDenied) as exc:  # both may name the fields
            errors = sf.server_field_errors(exc)
        except StemGuiError as exc:  # e.g. a server error: the form stays open with all it holds
            errors = {"form": exc.message}
    if errors:
        st.session_state[f"{FORM}.errors"] = errors
        st.rerun()
    close_form()
    ui.after_save(result, f"Saved session “{payload['name']}”.")
    if result.record:
        select(result.record["id"])
    st.rerun()


def detail_panel(
    client: BrainstemClient, user: ui.CurrentUser, session: dict, projects: dict[str, str]
) -> None:
    """Every field of one session, related ids as names; Edit / Duplicate / Delete for editors."""
    with st.container(border=True, key=DETAIL):
        st.subheader("Session")
        if st.session_state.pop(SCROLL, False):
            ui.scroll_to(DETAIL)  # opened by a row pick: the panel sits below the table
        st.text(session["name"])
        if user.can_write:
            actions = st.container(horizontal=True)
            if actions.button("Edit", key="sessions.edit", icon=":material/edit:"):
                open_form("edit", session)
                st.rerun()
            if actions.button("Duplicate", key="sessions.duplicate", icon=":material/content_copy:"):
                open_form("duplicate", session)
                st.rerun()
            if actions.button("Delete", key="sessions.delete", icon=":material/delete:"):
                st.session_state["sessions.confirm_delete"] = session["id"]
        if st.session_state.get("sessions.confirm_delete") == session["id"]:
            confirm_delete(client, session)
        left, right = st.columns(2)
        with left:
            ui.show_value("Date", dates.when_text(session.get("date_time"), ui.browser_zone()),
                          help=dates.utc_text(session.get("date_time")))  # fmt: skip
            ui.show_value("Projects", ", ".join(projects.get(p, p) for p in session.get("projects") or []))
            ui.show_value("Tags", ", ".join(session.get("tags") or []))
            ui.show_value("Name used in storage", session.get("name_used_in_storage"))
            ui.show_value("Id", session["id"])
        with right:
            ui.show_value("Description", session.get("description"))
            for field in ("epochs", "datastorage", "dataacquisition", "behaviors", "manipulations"):
                ui.show_value(field.capitalize() + " (ids)", ", ".join(session.get(field) or []))
        st.caption("Extra fields")
        extra = sf.values_from_session(session).extra_rows
        st.dataframe(extra or None, hide_index=True, key="sessions.detail.extra", width="stretch")
        st.caption("Download links")
        st.dataframe(session.get("download_links") or None, hide_index=True, key="sessions.detail.links")


def confirm_delete(client: BrainstemClient, session: dict) -> None:
    """Ask once more, naming the record; delete only on the explicit yes."""
    st.warning(ui.plain(sf.delete_prompt(session)), icon=":material/warning:")
    buttons = st.container(horizontal=True)
    if buttons.button("Keep it", type="primary", key="sessions.delete.no"):  # the safe default
        st.session_state.pop("sessions.confirm_delete", None)
        st.rerun()
    if ui.destructive_button(buttons, "Yes, delete", key="sessions.delete.yes"):
        result = ui.delete("session", session["id"])
        st.session_state.pop("sessions.confirm_delete", None)
        ui.after_save(result, f"Deleted session “{session['name']}”.")
        select(None)
        st.rerun()
