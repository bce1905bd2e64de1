"""A small "New subject" box beside a subject picker: creates a subject (name, projects, strain,
sex) through the store and hands its id to the form it sits in, which keeps everything typed.

Use: call ``apply_created(picker_key)`` before drawing the picker (a widget's value can only be
set before it is drawn), then ``new_subject_box(picker_key, store)`` next to it. The subject is
written by ``subject_form.build_payload``'s rules and ``Store.save`` (kept in the outbox while
the backend does not answer). Keys: ``<picker_key>.new.*``.
"""

from __future__ import annotations

import streamlit as st

from stemgui import subject_form
from stemgui.gui import loaders as data
from stemgui.gui import records
from stemgui.gui.store import Store
from stemgui.gui.widgets import field_error

_FIELDS = ("name", "projects", "strain", "sex")


def _pending(picker_key: str) -> str:
    return f"{picker_key}.new.created"


def apply_created(picker_key: str) -> None:
    """Select the subject just created in the picker ``picker_key`` (call before drawing it)."""
    created = st.session_state.pop(_pending(picker_key), None)
    if created:
        st.session_state[picker_key] = created


def _labels(store: Store) -> tuple[dict[str, str], dict[str, str]]:
    def load(client, user_key: str) -> tuple[dict[str, str], dict[str, str]]:
        return data.project_labels(client, user_key), data.load_labels(client, user_key, "strain")

    return store.load("projects and strains", load)


def new_subject_box(picker_key: str, store: Store) -> str | None:
    """The "New subject" expander; the id of a subject created on this run (else None)."""
    key = f"{picker_key}.new"
    errors: dict[str, str] = st.session_state.get(f"{key}.errors") or {}
    with st.expander("New subject", icon=":material/person_add:", expanded=bool(errors)):
        projects, strains = _labels(store)
        name = st.text_input("Name *", key=f"{key}.name", max_chars=200)
        field_error(errors, "name")
        chosen = st.multiselect("Projects *", list(projects), format_func=projects.get, key=f"{key}.projects")
        field_error(errors, "projects")
        strain = st.selectbox("Strain", list(strains), format_func=strains.get, index=None,
                              key=f"{key}.strain", placeholder="Choose…")
        field_error(errors, "strain")
        sex = st.selectbox("Sex", list(subject_form.SEXES), format_func=subject_form.SEXES.get, index=None,
                           key=f"{key}.sex", placeholder="Choose…")
        field_error(errors, "sex")
        field_error(errors, "form")
        if not st.button("Create subject", key=f"{key}.create", icon=":material/add:"):
            return None
        values = subject_form.SubjectFormValues(name=name or "", projects=list(chosen), strain=strain,
                                                sex=sex)
        payload, problems = subject_form.build_payload(values)
        if not problems:
            result, problems = records.send(store, "subject", key, payload,
                                            is_form_field=lambda field: field in _FIELDS)
        if problems:
            st.session_state[f"{key}.errors"] = problems
            st.rerun()
        return _created(picker_key, key, result, payload["name"], store)


def _created(picker_key: str, key: str, result, name: str, store: Store) -> str | None:
    """Forget the box's inputs, select the new subject in the picker on the next run, say so."""
    for field in (*_FIELDS, "errors"):
        st.session_state.pop(f"{key}.{field}", None)
    subject_id = (result.record or {}).get("id") if not result.queued else None
    if subject_id:
        st.session_state[_pending(picker_key)] = subject_id
    store.report(result, f"Created the subject “{name}”.")
    st.rerun()
    return subject_id
