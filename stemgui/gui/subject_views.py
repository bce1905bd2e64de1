"""The Subjects screen on the record kit: filters, table, the subject's page as its detail, the
create/edit/duplicate form.

Streamlit-facing layout only; the rules live in ``stemgui.subject_form`` (no Streamlit), the
subject's page (timeline, weight curve, implant map, log form) in ``subject_page``.
``pages/subjects.py`` runs ``SCREEN``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import streamlit as st

from stemgui import subject_form as sf
from stemgui.errors import NotFound
from stemgui.gui import conflict_views as conflicts
from stemgui.gui import loaders as data
from stemgui.gui import records, subject_page
from stemgui.gui.records import KEEP, RecordKind, RecordScreen, Rows
from stemgui.gui.store import Store
from stemgui.gui.widgets import (
    DATE_FORMAT,
    editable_rows,
    field_error,
    keep_widgets,
    show_field_errors,
    show_value,
)  # fmt: skip
from stemgui.session_form import EXTRA_COLUMNS
from stemgui.timeline import age_text

KIND = RecordKind("subject", "subjects", "subject")
FORM = KIND.form
KEPT = ("name", "description", "projects", "strain", "sex", "genetic_line", "genotype", "subject_identifier",
        "supplier", "birth_date", "death_date", "status", "licenses", "tags")  # fmt: skip
CONFLICT_TITLES = {"birth_date": "Birth date", "death_date": "Death date", "genetic_line": "Genetic line",
                   "subject_identifier": "Subject identifier"}  # fmt: skip
COLUMNS = ["name", "strain", "sex", "birth date", "age", "status", "projects", "tags", "description"]


@dataclass(frozen=True)
class Lookups:
    """What the Subjects screen names and offers: id -> name of projects, strains, suppliers, licenses."""

    projects: dict[str, str]
    strains: dict[str, str]
    suppliers: dict[str, str]
    licenses: dict[str, str]

    def names(self, mapping: dict[str, str], ids) -> str:
        return ", ".join(mapping.get(i, i) for i in ids or [])


def load_lookups(store: Store) -> Lookups:
    """The related records' names (the last loaded while the backend is down)."""
    def labels(model: str) -> dict[str, str]:
        try:
            return store.load(f"{model} labels", data.load_labels, model)
        except NotFound:  # a backend without licenses or suppliers: nothing to offer
            return {}

    return Lookups(labels("project"), labels("strain"), labels("supplier"), labels("license"))


# ---------------------------------------------------------------- list and filters


@dataclass(frozen=True)
class Filters:
    """The filter bar's values (hashable: the table's key follows them)."""

    text: str = ""
    projects: tuple[str, ...] = ()
    strain: str | None = None
    sex: str | None = None
    statuses: tuple[str, ...] = ()
    born_from: date | None = None
    born_to: date | None = None

    def query(self) -> sf.SubjectQuery:
        return sf.SubjectQuery(list(self.projects), self.strain, self.sex, list(self.statuses), self.text,
                               self.born_from, self.born_to)  # fmt: skip


def filter_bar(lookups: Lookups) -> Filters:
    """The filter widgets; returns what they ask for."""
    top = st.columns([3, 4])
    text = top[0].text_input("Search name or description", key="subjects.f.text", placeholder="e.g. MS0",
                             persist_state=KEEP)  # fmt: skip
    projects = top[1].multiselect("Projects", list(lookups.projects), format_func=lookups.projects.get,
                                  key="subjects.f.projects", persist_state=KEEP)  # fmt: skip
    row = st.columns([3, 2, 3, 2, 2])
    strain = row[0].selectbox("Strain", list(lookups.strains), index=None, format_func=lookups.strains.get,
                              key="subjects.f.strain", placeholder="any", persist_state=KEEP)  # fmt: skip
    sex = row[1].selectbox("Sex", list(sf.SEXES), index=None, format_func=sf.SEXES.get, key="subjects.f.sex",
                           placeholder="any", persist_state=KEEP)  # fmt: skip
    statuses = row[2].multiselect("Status", list(sf.STATUSES), key="subjects.f.status", placeholder="any",
                                  persist_state=KEEP)  # fmt: skip
    born_from = row[3].date_input("Born from", value=None, key="subjects.f.from", format=DATE_FORMAT,
                                  persist_state=KEEP)  # fmt: skip
    born_to = row[4].date_input("Born to", value=None, key="subjects.f.to", format=DATE_FORMAT,
                                persist_state=KEEP)  # fmt: skip
    return Filters(text.strip(), tuple(projects), strain, sex, tuple(statuses), born_from, born_to)


@data.cached_loader
def load_subjects(_client, user_key: str, filters: Filters) -> list[dict]:
    """Every subject matching ``filters`` (filtered on the server; name OR description merged)."""
    return sf.find_subjects(_client, filters.query())


def subjects_frame(subjects: list[dict], lookups: Lookups, today: date) -> pd.DataFrame:
    """The Subjects table: one row per subject, ids as names; index = subject id."""
    rows = [
        {
            "name": s.get("name", ""),
            "strain": lookups.strains.get(s.get("strain") or "", s.get("strain") or ""),
            "sex": sf.SEXES.get(s.get("sex") or "", s.get("sex") or ""),
            "birth date": s.get("birth_date") or "",
            "age": age_text(s.get("birth_date"), today, s.get("death_date")) or "",
            "status": s.get("status") or "",
            "projects": lookups.names(lookups.projects, s.get("projects")),
            "tags": ", ".join(s.get("tags") or []),
            "description": data.excerpt(s.get("description")),
        }
        for s in subjects
    ]
    frame = pd.DataFrame(rows, columns=COLUMNS, index=[s["id"] for s in subjects])
    frame.index.name = "id"
    return frame


def load_rows(store: Store, filters: Filters, show_all: bool) -> Rows:
    """Every matching subject (labs keep hundreds, not tens of thousands: no row cap)."""
    subjects = store.load("subjects", load_subjects, filters)
    lookups = load_lookups(store)
    return Rows(subjects_frame(subjects, lookups, date.today()), records={s["id"]: s for s in subjects})


def find(store: Store, subject_id: str, rows: Rows) -> dict | None:
    """The chosen subject as stored now; None when it is gone or not visible."""
    return records.stored_now(store, "subject", subject_page.load_subject, subject_id)


def as_form_payload(subject: dict) -> dict:
    """A stored subject as the form would send it (so that stored and typed values compare)."""
    return sf.build_payload(sf.values_from_subject(subject))[0]


def show_fields(subject: dict, lookups: Lookups) -> None:
    """The subject's fields not in the page's header."""
    left, right = st.columns(2)
    with left:
        show_value("Genetic line", subject.get("genetic_line"))
        show_value("Genotype", subject.get("genotype"))
        show_value("Subject identifier", subject.get("subject_identifier"))
        supplier = subject.get("supplier")
        show_value("Supplier", lookups.suppliers.get(supplier, supplier) if supplier else None)
    with right:
        show_value("Birth date", subject.get("birth_date"))
        show_value("Death date", subject.get("death_date"))
        show_value("Tags", ", ".join(subject.get("tags") or []))
        show_value("Id", subject["id"])
    show_value("Description", subject.get("description"))
    extra = sf.values_from_subject(subject).extra_rows
    if extra:
        st.caption("Extra fields")
        st.dataframe(extra, hide_index=True, key="subjects.detail.extra", width="stretch")


def show_detail(subject: dict, lookups: Lookups) -> None:
    """The subject's page: header, fields, then timeline, weight curve, implant map and log form."""
    subject_page.header(subject, lookups)
    with st.expander("All fields"):
        show_fields(subject, lookups)
    subject_page.draw(subject)


# ---------------------------------------------------------------- the form


class SubjectForm:
    """The create/edit/duplicate form: on a rejection everything typed stays, messages at their fields."""

    normalise = staticmethod(as_form_payload)

    def prefill(self, key: str, mode: str, subject: dict | None) -> None:
        if mode == "edit":
            values = sf.values_from_subject(subject)
        elif mode == "duplicate":
            values = sf.duplicate_values(subject)
        else:
            values = sf.SubjectFormValues()
        records.prefill_fields(key, values, KEPT)
        st.session_state[f"{key}.extra.rows"] = values.extra_rows

    forget = staticmethod(records.forget_typed)

    def draw(self, key: str, form: dict, lookups: Lookups, store: Store) -> None:
        keep_widgets(key, KEPT)  # what was typed survives a visit to another page
        values = _inputs(key, form, lookups, records.form_errors(key))
        conflicts.conflict_panel(key, CONFLICT_TITLES, {"projects": lookups.projects})
        if records.save_pressed(KIND, self, key):
            records.save_form(KIND, self, store, key, form, lambda: sf.build_payload(values),
                              saved=lambda payload: f"Saved subject “{payload['name']}”.",
                              is_form_field=sf.FORM_FIELDS.__contains__)


def _pick(where, label: str, options: dict[str, str], key: str, *, many: bool = False):
    """A select (or multiselect) of related records by name; ids the record holds that this user
    cannot see are offered too (kept, not dropped)."""
    chosen = st.session_state.get(key)
    held = chosen if isinstance(chosen, list) else [chosen] if chosen else []
    ids = list(options) + [i for i in held if i not in options]
    name = lambda i: options.get(i, i)  # noqa: E731
    if many:
        return where.multiselect(label, ids, format_func=name, key=key)
    return where.selectbox(label, ids, index=None, format_func=name, key=key, placeholder="Choose…")


def _inputs(key: str, form: dict, lookups: Lookups, errors: dict) -> sf.SubjectFormValues:
    ss = st.session_state
    if form["mode"] == "duplicate":
        st.info("Prefilled from the subject you duplicated (a littermate?). Change the name: subject "
                "names are unique; identifier and death date were left out.")  # fmt: skip
    top = st.columns([3, 2, 2])
    name = top[0].text_input("Name *", key=f"{key}.name", max_chars=sf.NAME_MAX)
    with top[0]:
        field_error(errors, "name")
    sex = top[1].selectbox("Sex *", list(sf.SEXES), index=None, format_func=sf.SEXES.get, key=f"{key}.sex")
    with top[1]:
        field_error(errors, "sex")
    status = top[2].selectbox("Status", list(sf.STATUSES), key=f"{key}.status")
    with top[2]:
        field_error(errors, "status")
    projects = _pick(st, "Projects *", lookups.projects, f"{key}.projects", many=True)
    field_error(errors, "projects")
    left, right = st.columns(2)
    strain = _pick(left, "Strain *", lookups.strains, f"{key}.strain")
    with left:
        field_error(errors, "strain")
    supplier = _pick(right, "Supplier", lookups.suppliers, f"{key}.supplier")
    with right:
        field_error(errors, "supplier")
    born = left.date_input("Birth date", key=f"{key}.birth_date", format=DATE_FORMAT)
    with left:
        field_error(errors, "birth_date")
    died = right.date_input("Death date", key=f"{key}.death_date", format=DATE_FORMAT)
    with right:
        field_error(errors, "death_date")
    line = left.text_input("Genetic line", key=f"{key}.genetic_line", max_chars=sf.NAME_MAX)
    with left:
        field_error(errors, "genetic_line")
    genotype = right.text_input("Genotype", key=f"{key}.genotype", max_chars=sf.GENOTYPE_MAX)
    with right:
        field_error(errors, "genotype")
    identifier = left.text_input("Subject identifier", key=f"{key}.subject_identifier", max_chars=sf.NAME_MAX)
    with left:
        field_error(errors, "subject_identifier")
    tags = right.multiselect("Tags", list(ss.get(f"{key}.tags") or []), key=f"{key}.tags",
                             accept_new_options=True)  # fmt: skip
    licenses = _pick(st, "Licenses", lookups.licenses, f"{key}.licenses", many=True)
    field_error(errors, "licenses")
    description = st.text_area("Description", key=f"{key}.description")
    field_error(errors, "description")
    st.markdown("**Extra fields** — names start with a letter; letters, digits and _ only. "
                "Numbers are saved as numbers.")  # fmt: skip
    extra_rows = editable_rows(f"{key}.extra", ss[f"{key}.extra.rows"], EXTRA_COLUMNS)
    field_error(errors, "extra_fields")
    show_field_errors(errors, sf.FORM_FIELDS)
    return sf.SubjectFormValues(name, description, projects, strain, sex, line, genotype, identifier,
                                supplier, born, died, status, licenses, extra_rows, tags)  # fmt: skip


def delete_prompt(subject: dict, lookups: Lookups) -> str:
    """The confirmation naming the subject and what goes with it."""
    done = len(subject.get("procedures") or []) + len(subject.get("actions") or [])
    logs = len(subject.get("subjectlogs") or [])
    also = f" Its {done} procedures/actions and {logs} subject logs go with it." if done or logs else ""
    return f"Delete the subject “{subject.get('name') or subject['id']}”?{also}"


FORM_KIT = SubjectForm()
SCREEN = RecordScreen(
    KIND, FORM_KIT, filters=filter_bar, rows=load_rows, find=find,
    headline=lambda subject, _: subject.get("name") or subject["id"], body=show_detail,
    delete_prompt=delete_prompt,
    deleted=lambda subject: f"Deleted subject “{subject.get('name')}”.",
    export_kind="subject",
    column_config=lambda: {"birth date": st.column_config.TextColumn("birth date", help="YYYY-MM-DD")},
)  # fmt: skip
