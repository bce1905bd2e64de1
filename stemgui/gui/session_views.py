"""The Sessions screen on the record kit: filters, table, detail, the create/edit form.

Streamlit-facing layout only; the rules live in ``stemgui.session_form`` (no Streamlit) and
the data in ``stemgui.gui.loaders``. ``pages/sessions.py`` runs ``SCREEN``.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from stemgui import dates, display
from stemgui import session_form as sf
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import context, records
from stemgui.gui import loaders as data
from stemgui.gui.records import KEEP, RecordKind, RecordScreen, Rows
from stemgui.gui.store import Store
from stemgui.gui.widgets import (
    DATE_FORMAT,
    editable_rows,
    field_error,
    keep_widgets,
    plain,
    show_field_errors,
    show_value,
)  # fmt: skip

KIND = RecordKind("session", "sessions", "session")
FORM = KIND.form  # {"mode": create|edit|duplicate|outbox, "id": ..., "nonce": n, "key": ..., "entry": ...}
KEPT = ("name", "description", "projects", "date_time", "tags", "name_used_in_storage")
CONFLICT_TITLES = {"date_time": "Date", "name_used_in_storage": "Name used in storage"}


@dataclass(frozen=True)
class Lookups:
    """What the Sessions screen names and offers: projects (id -> name) and the tags in use."""

    projects: dict[str, str]
    tags: list[str]


def load_lookups(store: Store) -> Lookups:
    """Projects and tags, the last loaded while the backend is down."""
    projects = store.load("projects", data.load_labels, "project")
    return Lookups(projects, store.load("tags", data.load_all_tags))


def filter_bar(lookups: Lookups) -> data.SessionQuery:
    """The filter widgets; returns what they ask for."""
    projects, tags = lookups.projects, lookups.tags
    top = st.columns([3, 4])
    text = top[0].text_input("Search name or description", key="sessions.f.text", placeholder="e.g. rat",
                             persist_state=KEEP)  # fmt: skip
    chosen = top[1].multiselect(
        "Projects", list(projects), format_func=projects.get, key="sessions.f.projects", persist_state=KEEP
    )
    second = st.columns([2, 2, 5])
    date_from = second[0].date_input("From", value=None, key="sessions.f.from", format=DATE_FORMAT,
                                     persist_state=KEEP)  # fmt: skip
    date_to = second[1].date_input("To", value=None, key="sessions.f.to", format=DATE_FORMAT,
                                   persist_state=KEEP)  # fmt: skip
    chosen_tags = second[2].multiselect("Tags", tags, key="sessions.f.tags", accept_new_options=True,
                                        persist_state=KEEP)  # fmt: skip
    return data.SessionQuery(text.strip(), tuple(chosen), date_from, date_to, tuple(chosen_tags))


def load_rows(store: Store, query: data.SessionQuery, show_all: bool) -> Rows:
    """The newest matches (all of them when asked), and how many match in all."""
    limit = None if show_all else data.ROW_LIMIT
    rows = store.load("session rows", data.load_session_rows, query, limit)
    frame = store.load("sessions frame", data.load_sessions_frame, query, limit)
    return Rows(frame, rows.matching, rows.exact, records={s["id"]: s for s in rows.records})


def as_form_payload(session: dict) -> dict:
    """A stored session as the form would send it (so that stored and typed values compare)."""
    return sf.build_payload(sf.values_from_session(session))[0]


def show_detail(session: dict, lookups: Lookups) -> None:
    """Every field of one session, related ids as names."""
    zone = context.browser_zone()
    left, right = st.columns(2)
    with left:
        when = session.get("date_time")
        show_value("Date", dates.when_text(when, zone), help=dates.utc_text(when))
        show_value("Projects", ", ".join(lookups.projects.get(p, p) for p in session.get("projects") or []))
        show_value("Tags", ", ".join(session.get("tags") or []))
        show_value("Name used in storage", session.get("name_used_in_storage"))
        show_value("Id", session["id"])
    with right:
        show_value("Description", session.get("description"))
        for name in ("epochs", "datastorage", "dataacquisition", "behaviors", "manipulations"):
            show_value(name.capitalize() + " (ids)", ", ".join(session.get(name) or []))
    st.caption("Extra fields")
    extra = sf.values_from_session(session).extra_rows
    st.text(display.text_lines([[row["key"], row["value"]] for row in extra]))
    st.caption("Download links")
    links = session.get("download_links") or []
    st.text(display.text_lines([list(link.values()) if isinstance(link, dict) else [link] for link in links]))


class SessionForm:
    """The create/edit form: on a rejection everything typed stays and messages sit at their fields.

    Mode "outbox": the form of a new session kept in the outbox (``entry``), with the server's
    ``errors`` at their fields; saving it updates the entry, which is then sent by itself.
    """

    normalise = staticmethod(as_form_payload)

    def prefill(self, key: str, mode: str, session: dict | None) -> None:
        if mode in ("edit", "outbox"):
            values = sf.values_from_session(session)
        elif mode == "duplicate":
            values = sf.duplicate_values(session)
        else:
            values = sf.SessionFormValues(date_time=dates.today(context.browser_zone()))  # where the user is
        records.prefill_fields(key, values, KEPT)
        st.session_state[f"{key}.extra.rows"] = values.extra_rows
        st.session_state[f"{key}.links.rows"] = values.link_rows

    forget = staticmethod(records.forget_typed)

    def draw(self, key: str, form: dict, lookups: Lookups, store: Store) -> None:
        keep_widgets(key, KEPT)  # what was typed survives a visit to another page
        values = _inputs(key, form, lookups, records.form_errors(key))
        conflicts.conflict_panel(key, CONFLICT_TITLES, {"projects": lookups.projects})
        if records.save_pressed(KIND, self, key):
            records.save_form(KIND, self, store, key, form, lambda: sf.build_payload(values),
                              saved=lambda payload: f"Saved session “{payload['name']}”.",
                              is_form_field=sf.FORM_FIELDS.__contains__)


def _inputs(key: str, form: dict, lookups: Lookups, errors: dict) -> sf.SessionFormValues:
    projects, tags = lookups.projects, lookups.tags
    if form["mode"] == "duplicate":
        st.info("Prefilled from the session you duplicated. Change the name: session names are unique.")
    name = st.text_input("Name *", key=f"{key}.name", max_chars=sf.SESSION_NAME_MAX)
    field_error(errors, "name")
    known = list(projects) + [p for p in st.session_state.get(f"{key}.projects") or [] if p not in projects]
    chosen = st.multiselect("Projects *", known, format_func=lambda p: projects.get(p, p),
                            key=f"{key}.projects")  # fmt: skip
    field_error(errors, "projects")
    left, right = st.columns(2)
    day = left.date_input("Date", key=f"{key}.date_time", format=DATE_FORMAT)
    field_error(errors, "date_time")
    options = sorted(set(tags) | set(st.session_state.get(f"{key}.tags") or []))
    chosen_tags = right.multiselect("Tags", options, key=f"{key}.tags", accept_new_options=True)
    field_error(errors, "tags")
    description = st.text_area("Description", key=f"{key}.description")
    field_error(errors, "description")
    storage = st.text_input("Name used in storage", key=f"{key}.name_used_in_storage", max_chars=200)
    field_error(errors, "name_used_in_storage")
    st.markdown("**Extra fields** — names start with a letter; letters, digits and _ only. "
                "Numbers are saved as numbers.")  # fmt: skip
    extra_rows = editable_rows(f"{key}.extra", st.session_state[f"{key}.extra.rows"], sf.EXTRA_COLUMNS)
    for problem in sf.extra_fields_from_rows(extra_rows)[1]:
        st.warning(plain(problem))  # checked as you type, before any save
    field_error(errors, "extra_fields")
    st.markdown("**Download links**")
    link_rows = editable_rows(f"{key}.links", st.session_state[f"{key}.links.rows"], sf.LINK_COLUMNS)
    field_error(errors, "download_links")
    show_field_errors(errors, sf.FORM_FIELDS)
    return sf.SessionFormValues(name, description, chosen, day, chosen_tags, extra_rows, link_rows, storage)


def open_outbox_entry(entry_id: int, payload: dict, errors: dict[str, str]) -> None:
    """Open a new session waiting in the outbox in this form, the server's messages at their fields."""
    records.open_form(KIND, FORM_KIT, "outbox", payload, entry=entry_id)
    records.keep_errors(records.form_key(KIND, records.form_state(KIND)), errors)


FORM_KIT = SessionForm()
SCREEN = RecordScreen(
    KIND, FORM_KIT, filters=filter_bar, rows=load_rows, find=records.row_or_stored("session"),
    headline=lambda session, _: session["name"], body=show_detail,
    delete_prompt=lambda session, _: sf.delete_prompt(session),
    deleted=lambda session: f"Deleted session “{session['name']}”.",
    column_config=lambda: {"date": st.column_config.TextColumn("date", help="YYYY-MM-DD")},
    can_show_all=True, export_kind="session",
)  # fmt: skip
