"""The subject's page (the Subjects screen's detail): header, timeline by day with links, the
weight curve with baseline and welfare threshold, the implant map (top and coronal views), PNG/SVG
downloads, and the log form (Weighing: weight, unit, Enter).

Layout only: the logic is in ``stemgui.timeline``, ``weights``, ``implant_map``,
``implant_charts``, ``chart_export`` and ``subjectlog_entry`` (no Streamlit there).
Widget keys start with ``subjects.page.``.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time

import streamlit as st

from stemgui import chart_export, implant_charts, weights
from stemgui import implant_map as im
from stemgui import subjectlog_entry as entries
from stemgui import timeline as tl
from stemgui.config import dv_sign_setting
from stemgui.errors import EntriesRefused, PermissionDenied, StemGuiError, ValidationFailed
from stemgui.form_errors import server_field_errors
from stemgui.gui import context
from stemgui.gui import loaders as data
from stemgui.gui.schema_widgets import render_schema_inputs
from stemgui.gui.store import Store, changed, store
from stemgui.gui.widgets import DATE_FORMAT, plain, show_value
from stemgui.models_subjectlog import INTERVAL_TYPES, subjectlog_types
from stemgui.schemas import load_schema
from stemgui.subject_form import SEXES

PREFIX = "subjects.page"
LOG_ERRORS = f"{PREFIX}.log.errors"  # {"<subject id>.<form key>": {field path: message}}
LOG_NONCE = f"{PREFIX}.log.nonce"  # a new nonce empties the log form after a save


@data.cached_loader
def load_subject(_client, user_key: str, subject_id: str) -> dict:
    """One subject by id (NotFound if it is gone or not visible to this user)."""
    return _client.load("subject", id=subject_id)["subject"]


@data.cached_loader
def load_page_records(_client, user_key: str, subject_id: str) -> tuple[tl.SubjectRecords, dict[str, str]]:
    """The subject's procedures, actions and logs, and the names of the brain regions they name."""
    records = tl.load_subject_records(_client, subject_id)
    return records, tl.region_names(_client, records)


# ---------------------------------------------------------------- header


def header(subject: dict, lookups) -> None:
    """Name, strain, sex, age today, status, projects, licenses."""
    age = tl.age_text(subject.get("birth_date"), date.today(), subject.get("death_date"))
    strain = subject.get("strain") or ""
    cells = st.columns(5)
    with cells[0]:
        show_value("Strain", lookups.strains.get(strain, strain))
    with cells[1]:
        show_value("Sex", SEXES.get(subject.get("sex") or "", subject.get("sex")))
    with cells[2]:
        born = subject.get("birth_date")
        label = "Age" if subject.get("death_date") else "Age today"  # "died at 20 weeks" is no age today
        show_value(label, age, help=f"born {born}" if born else None)
    with cells[3]:
        show_value("Status", subject.get("status"))
    with cells[4]:
        show_value("Projects", lookups.names(lookups.projects, subject.get("projects")))
    show_value("Licenses", lookups.names(lookups.licenses, subject.get("licenses")))


# ---------------------------------------------------------------- the page's sections


def draw(subject: dict) -> None:
    """Timeline and weight curve side by side, the implant map, the log form (editors)."""
    s = store()
    records, regions = s.load("subject page", load_page_records, subject["id"], similar=False)
    if records.unavailable:
        st.caption(f"{context.backend_name()} does not serve: {', '.join(records.unavailable)}.")
    left, right = st.columns([2, 3])
    with left:
        timeline_section(records, regions)
    with right:
        summary = weight_section(records)
    implant_section(subject, records, regions)
    logs_section(records)
    if s.user.can_write:
        log_form(s, subject, records, summary)


def timeline_section(records: tl.SubjectRecords, regions: dict[str, str]) -> None:
    """The subject's records by day, newest day first, each linking to its record."""
    st.markdown("#### Timeline")
    items = tl.build_timeline(records, regions)
    if not items:
        st.caption("Nothing recorded for this subject yet.")
        return
    with st.container(height=420, key=f"{PREFIX}.timeline"):
        for day, events in tl.by_day(items, newest_first=True):
            st.markdown(f"**{day}**")
            for item in events:
                when = f"{item.when:%H:%M} " if item.when and item.has_time else ""
                kind = tl.KIND_LABELS.get(item.kind, item.kind)
                line = f"- {when}[{plain(item.label)}]({item.link}) · {kind}"
                if item.notes:
                    line += f" — {plain(data.excerpt(item.notes, 60))}"
                st.markdown(line)


def weight_section(records: tl.SubjectRecords) -> weights.WeightSummary:
    """The weight curve with baseline and threshold; a warning when the last weight is below it."""
    st.markdown("#### Weight")
    percent, problem = weights.threshold_setting()
    if problem:
        st.caption(plain(problem))
    summary = weights.weight_summary(records.subjectlogs, records.procedures + records.actions, percent)
    if summary.warning:
        st.warning(summary.warning, icon=":material/monitor_weight:")
    if not summary.series:
        st.caption("No weights logged yet (log one below).")
        return summary
    if summary.baseline is None:
        st.caption("No baseline yet: the baseline is the last weight before the first surgery.")
    chart = weights.weight_chart(summary, title=f"Weight ({percent:g} % welfare threshold)")
    st.altair_chart(chart, key=f"{PREFIX}.weight_chart")
    downloads(chart, "weight", f"{PREFIX}.weight")
    for reason in summary.skipped:
        st.caption(f"Not drawn: {plain(reason)}")
    return summary


def implant_section(subject: dict, records: tl.SubjectRecords, regions: dict[str, str]) -> None:
    """Every target on the top and coronal views; targets that cannot be placed are listed."""
    st.markdown("#### Implant map")
    distance, problem = im.bregma_lambda_setting()
    sign, sign_problem = dv_sign_setting()
    for message in (problem, sign_problem):
        if message:
            st.caption(plain(message))
    names = {subject["id"]: subject.get("name") or subject["id"]}
    targets = im.implant_map(records.procedures, records.actions, subject_names=names, region_names=regions,
                             bregma_lambda=distance, dv_sign=sign)  # fmt: skip
    if not targets.placed and not targets.unplaceable:
        st.caption("No procedure of this subject has coordinates.")
        return
    if targets.placed:
        top = implant_charts.top_view(targets.placed, bregma_lambda=distance)
        coronal = implant_charts.coronal_views(targets.placed)
        left, right = st.columns([2, 3])
        with left:
            st.altair_chart(top, key=f"{PREFIX}.top_view")
            downloads(top, "implants-top", f"{PREFIX}.top")
        with right:
            st.altair_chart(coronal, key=f"{PREFIX}.coronal_views")
            downloads(coronal, "implants-coronal", f"{PREFIX}.coronal")
        st.caption(f"Schematic outline of a mouse brain, not an atlas (bregma–lambda {distance:g} mm). "
                   "Dashed lines join bilateral pairs.")  # fmt: skip
    if targets.unplaceable:
        st.markdown("**Not on the map**")
        for target in targets.unplaceable:
            st.markdown(f"- {plain(target.label)} ({plain(target.date)}): {plain(target.reason)}")


def logs_section(records: tl.SubjectRecords) -> None:
    """Each subject log with its entries; the one a timeline link names (``?subjectlog=``) open."""
    if not records.subjectlogs:
        return
    st.markdown("#### Subject logs")
    linked = st.query_params.get("subjectlog")
    for log in records.subjectlogs:
        entries_ = log.get("entries") or []
        title = f"{log.get('type')} — {log.get('description') or 'no description'} ({len(entries_)} entries)"
        with st.expander(plain(title), expanded=log.get("id") == linked, key=f"{PREFIX}.log.{log.get('id')}"):
            st.dataframe(_entry_rows(entries_) or None, hide_index=True, width="stretch",
                         key=f"{PREFIX}.entries.{log.get('id')}")  # fmt: skip


def _entry_rows(log_entries: list[dict]) -> list[dict]:
    """A log's entries as table rows (details as JSON text, shown as stored)."""
    return [
        {"when": e.get("date_time") or e.get("start_date_time") or "", "until": e.get("end_date_time") or "",
         "notes": e.get("notes") or "", "details": json.dumps(e.get("details") or {}, ensure_ascii=False)}
        for e in log_entries
    ]  # fmt: skip


def downloads(chart, name: str, key: str) -> None:
    """PNG and SVG buttons for a chart (drawn offline by vl-convert when clicked)."""
    buttons = st.container(horizontal=True)
    buttons.download_button("PNG", lambda: chart_export.chart_png(chart), file_name=f"{name}.png",
                            mime="image/png", key=f"{key}.png", icon=":material/download:")  # fmt: skip
    buttons.download_button("SVG", lambda: chart_export.chart_svg(chart), file_name=f"{name}.svg",
                            mime="image/svg+xml", key=f"{key}.svg", icon=":material/download:")  # fmt: skip


# ---------------------------------------------------------------- the log form


def log_form(s: Store, subject: dict, records: tl.SubjectRecords, summary: weights.WeightSummary) -> None:
    """One entry of any log type; the type picker sits outside the form (it changes the fields)."""
    st.markdown("#### Log")
    types = subjectlog_types()
    log_type = st.selectbox("Log type", list(types), format_func=types.get, key=f"{PREFIX}.log.type",
                            index=list(types).index("Weighing"))  # fmt: skip
    nonce = st.session_state.get(LOG_NONCE, 0)
    key = f"{PREFIX}.log.{nonce}.{log_type}"
    errors = (st.session_state.get(LOG_ERRORS) or {}).get(f"{subject['id']}.{key}", {})  # this form's only
    with st.form(key=f"{key}.form", enter_to_submit=True, border=True):
        if log_type == "Weighing":
            entry, problems = _weighing_inputs(key, summary, errors)
        else:
            entry, problems = _schema_inputs(key, log_type, errors)
        for path, message in errors.items():
            if not path.startswith("details."):  # those sit at their inputs
                st.error(plain(message), icon=":material/error:")
        submitted = st.form_submit_button("Save entry", type="primary", key=f"{key}.save")
    if submitted:
        _save_entry(s, subject, records, log_type, entry, problems, f"{subject['id']}.{key}")


def _weighing_inputs(key: str, summary: weights.WeightSummary, errors: dict) -> tuple[dict, dict]:
    number, unit = st.columns([3, 1], vertical_alignment="bottom")
    last = summary.last
    weight = number.number_input("Weight", value=None, min_value=0.0, step=0.1, format="%g",
                                 placeholder=f"last {last.grams:.1f} g" if last else "e.g. 21.5",
                                 key=f"{key}.weight")  # fmt: skip
    chosen = unit.selectbox("Unit", list(entries.WEIGHT_UNITS), key=f"{key}.unit",
                            index=list(entries.WEIGHT_UNITS).index("g") if "g" in entries.WEIGHT_UNITS else 0)
    if errors.get("details.weight"):
        st.error(plain(errors["details.weight"]), icon=":material/error:")
    notes = st.text_input("Notes", key=f"{key}.notes", placeholder="optional; the time is now")
    return entries.weighing_entry(weight, chosen, notes=notes)


def _schema_inputs(key: str, log_type: str, errors: dict) -> tuple[dict, dict]:
    at_fields = {path.removeprefix("details."): message for path, message in errors.items()}
    details = render_schema_inputs(load_schema("subjectlog", log_type), f"{key}.details", errors=at_fields)
    left, right = st.columns(2)
    label = "Start" if log_type in INTERVAL_TYPES else "When"
    day = left.date_input(f"{label} (date)", value=date.today(), key=f"{key}.day", format=DATE_FORMAT)
    clock = right.time_input(f"{label} (time, UTC)", value=None, key=f"{key}.time")
    end = None
    if log_type in INTERVAL_TYPES:
        end_day = left.date_input("End (date)", value=date.today(), key=f"{key}.end_day", format=DATE_FORMAT)
        end_clock = right.time_input("End (time, UTC)", value=None, key=f"{key}.end_time")
        end = _moment(end_day, end_clock)
    notes = st.text_input("Notes", key=f"{key}.notes")
    when = _moment(day, clock) or datetime.now(UTC)
    return entries.log_entry(log_type, details, when, end, notes)


def _moment(day: date | None, clock: time | None) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day, clock or datetime.now(UTC).time().replace(microsecond=0), tzinfo=UTC)


def _save_entry(s: Store, subject: dict, records: tl.SubjectRecords, log_type: str, entry: dict,
                problems: dict, form: str) -> None:  # fmt: skip
    """Add the entry; messages at their fields on a rejection, a notice when the backend refuses entries.

    Entries go straight to the backend, not through the outbox: the outbox keeps whole records,
    and an entry action queued for later could not be told from a second one when resent.
    """
    if problems:
        st.session_state[LOG_ERRORS] = {form: problems}
        st.rerun()
    try:
        entries.add_entry(s.client, subject["id"], log_type, entry, records.subjectlogs)
    except EntriesRefused as exc:
        st.warning(plain(exc.message), icon=":material/block:")
        return
    except (ValidationFailed, PermissionDenied) as exc:
        st.session_state[LOG_ERRORS] = {form: server_field_errors(exc, lambda name: True)}
        st.rerun()
    except StemGuiError as exc:
        st.error(f"Not saved: {plain(exc.message)}", icon=":material/error:")
        return
    st.session_state.pop(LOG_ERRORS, None)
    st.session_state[LOG_NONCE] = st.session_state.get(LOG_NONCE, 0) + 1  # an empty form for the next one
    changed(f"Saved the {log_type} entry of “{subject.get('name')}”.")
    st.rerun()
