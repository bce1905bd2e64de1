"""The Surgery-day screen (issue 14), built around the surgery as one unit.

Left: the current step's compact form (``surgery_step_form``): the next planned step (Log
confirms it, edited first when reality differed), an unplanned step, or an edit. Right, always in
view: the surgery's steps in order — done, "waiting to send" (queued in the outbox), planned (✓ to
confirm with ONE click, skip), skipped — a small top-view implant map, the summary to copy and the
printable record. The plan comes from a lab template or another subject's surgery
(``stemgui.surgery_plans``, in ``<data dir>/surgery_plans.sqlite``). Keyboard: the first field has
focus, Ctrl+Enter (or Enter in a number or text box) logs, Esc cancels an edit.

Records are procedures or, on an action-only backend, actions (``surgery_model``).
Session-state keys start with ``actions.day.`` (the subject and date, kept across pages) and
``surgery.``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import streamlit as st

from stemgui import surgery as sg
from stemgui.action_table import Lookups
from stemgui.chart_export import chart_svg
from stemgui.errors import StemGuiError
from stemgui.gui import context, records
from stemgui.gui import loaders as data
from stemgui.gui import surgery_plausibility as checks
from stemgui.gui import surgery_step_form as sf
from stemgui.gui.conflict_views import conflict_panel, open_for_edit, remember_opened
from stemgui.gui.store import Store, changed
from stemgui.gui.widgets import keep_widgets, plain
from stemgui.implant_charts import top_view
from stemgui.implant_map import targets_from_records
from stemgui.mirror import mirror_coordinates
from stemgui.models import writable_fields
from stemgui.subjectlog_entry import WEIGHT_UNITS, add_entry, weighing_entry
from stemgui.surgery_model import surgery_model
from stemgui.surgery_payload import for_backend
from stemgui.surgery_plans import PlanStore, plan_from_records
from stemgui.surgery_record import surgery_record_html, surgery_summary, weight_text

ENTRY = "surgery.entry"  # {"context", "mode": new|edit, "source": planned|last|empty|unplanned, ...}
MODELS = "surgery.models"  # backend URL -> its surgical model
CONFIRM = "actions.day.confirm_delete"
STATE_ICONS = {sg.CONFIRMED: ":material/check_circle:", sg.QUEUED: ":material/schedule:",
               sg.PLANNED: ":material/radio_button_unchecked:", sg.SKIPPED: ":material/block:"}
MIRROR_HELP = "Log the twin of this step: left–right (ML or x) and its tilt negated, region kept."
_KEYS_SCRIPT = """<script>/* {nonce} */
(function () {{
  var doc = window.parent.document;
  function button(label) {{
    var form = doc.querySelector(".st-key-surgery-form");
    if (!form) return null;
    return Array.from(form.querySelectorAll("button")).find(function (b) {{
      return b.innerText.trim() === label; }});
  }}
  if ({focus}) setTimeout(function () {{
    var first = doc.querySelector(".st-key-surgery-form input");
    if (first) first.focus();
  }}, 300);
  if (doc.stemguiSurgeryKeys) return;
  doc.stemguiSurgeryKeys = true;
  function typedValue(target) {{  // Enter in a number or text box of the form (not a picker)
    var form = doc.querySelector(".st-key-surgery-form");
    return form && form.contains(target) && target.tagName === "INPUT" &&
      (target.type === "number" || target.type === "text") && target.getAttribute("role") !== "combobox";
  }}
  doc.addEventListener("keydown", function (event) {{
    var plainEnter = event.key === "Enter" && !event.shiftKey && !event.altKey && typedValue(event.target);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey || plainEnter)) {{
      var log = button("Log") || button("Save");
      if (!log) return;
      event.preventDefault();
      if (doc.activeElement) doc.activeElement.blur();  // a number input sends its value on blur
      setTimeout(function () {{ log.click(); }}, 250);
    }} else if (event.key === "Escape") {{
      var cancel = button("Cancel");
      if (cancel) cancel.click();
    }}
  }}, true);
}})();
</script>"""


@st.cache_resource(show_spinner=False)
def _plan_store(data_dir: str) -> PlanStore:
    return PlanStore(data_dir)  # opening it prepares the file (a write): once per data dir


def plan_store() -> PlanStore:
    """The lab's templates and the plans, beside the app's users."""
    return _plan_store(str(context.settings().data_dir))


def choose_day(lookups: Lookups) -> tuple[str | None, date | None]:
    """The subject and the date of the surgery, chosen once and kept across page switches."""
    keep_widgets("actions.day", ("subject", "date"))
    # Hook for inline subject creation (procpage's gui/subject_inline.py, not on this branch): call
    # subject_inline.apply_created("actions.day.subject") here, and
    # subject_inline.new_subject_box("actions.day.subject", store) in top[2] (pass the store in).
    top = st.columns([3, 2, 5])
    subject = top[0].selectbox("Subject", list(lookups.subjects), format_func=lookups.subjects.get,
                               index=None, placeholder="Choose the subject…", key="actions.day.subject")
    if "actions.day.date" not in st.session_state:
        st.session_state["actions.day.date"] = date.today()
    day = top[1].date_input("Date", key="actions.day.date", format="YYYY-MM-DD")
    return subject, day


def model_of(store: Store) -> str:
    """"procedure" or "action": asked once per backend (STEMGUI_SURGERY_MODEL may force it)."""
    return surgery_model(context.settings().api_url or "bundled", store.client,
                         st.session_state.setdefault(MODELS, {}))


def _subject_records(client, user_key: str, kind: str, subject: str) -> list[dict]:
    return client.list_all(kind, filters={"subject": subject})


def _subject_logs(client, user_key: str, subject: str) -> list[dict]:
    return client.list_all("subjectlog", filters={"subject": subject})


def load_surgery(store: Store, kind: str, subject: str, day: date) -> sg.Surgery:
    """The surgery from the server's records (the offline copy while it is down), the outbox's
    queued writes and the user's plan; surgeons and licences from the saved details."""
    history = store.load(f"subject {kind}s", _subject_records, kind, subject, similar=False)
    queued = [e for e in store.outbox.pending() if e.model == kind]
    plan = plan_store().plan(store.user.username, subject, day)
    surgery = sg.surgery_from_records(subject, day, history, queued, kind=kind,
                                      plan=plan.steps if plan else ())
    details = plan_store().surgery_details(subject, day)
    surgery.surgeons, surgery.licenses = list(details.surgeons), list(details.licenses)
    logs = store.load("subject logs", _subject_logs, subject, similar=False)
    surgery.weighing = sg.preop_weighing_from_logs(logs, subject, day)
    st.session_state["surgery.logs"] = logs
    st.session_state["surgery.history"] = history
    checks.species_of(store, subject)  # remembered for the warnings (and kept while offline)
    return surgery


def region_acronyms(lookups: Lookups) -> dict[str, str]:
    """Acronym -> region id, to resolve a template's ``region``."""
    return {str(r.get("acronym")): str(r.get("id")) for r in lookups.region_records if r.get("acronym")}


# ---------------------------------------------------------------- the entry form


def open_entry(surgery: sg.Surgery, mode: str = "new", step: sg.Step | None = None,
               unplanned: bool = False) -> None:  # fmt: skip
    """Open the form: the next planned step (or the last logged one's values), an unplanned step,
    or an edit of `step`."""
    old = st.session_state.get(ENTRY)
    if old:
        sf.close_step_form(old["key"])
    nonce = (old or {}).get("nonce", 0) + 1
    if mode == "edit" and step is not None:
        source, start = "edit", dict(step.payload)
    elif unplanned:
        last = sg.last_logged(surgery)
        source = "unplanned"
        start = {k: v for k, v in last.payload.items() if k in sg.CARRIED} if last else {}
    else:
        source, start = sg.next_entry(surgery)
    planned = sg.next_planned(surgery) if source == "planned" else None
    entry = {"context": (surgery.subject, surgery.day), "mode": mode, "source": source, "nonce": nonce,
             "key": f"surgery.entry.{nonce}", "record_id": step.record_id if step else None,
             "queue_id": step.queue_id if step else None,
             "plan_index": planned.plan_index if planned else None, "focus": True}
    st.session_state[ENTRY] = entry
    if mode == "edit" and step is not None and step.record_id:
        # the record as stored now, with its version: a save sends only what changed, and shows
        # a conflict when someone else saved it meanwhile
        opened = open_for_edit(surgery.kind, step.payload)
        sf.open_step_form(entry["key"], {**start, **opened.record})
        remember_opened(entry["key"], writable(surgery.kind, opened.record), opened.etag)
    else:
        sf.open_step_form(entry["key"], start)


def keep_entry_open(surgery: sg.Surgery) -> None:
    """A new subject or date (or a plan just made) starts a new entry."""
    if st.session_state.get(ENTRY, {}).get("context") != (surgery.subject, surgery.day):
        open_entry(surgery)


def entry_panel(store: Store, lookups: Lookups, surgery: sg.Surgery) -> None:
    """The current step's form with Log (Ctrl+Enter) and, for an edit, Cancel (Esc)."""
    entry = st.session_state[ENTRY]
    editing = entry["mode"] == "edit"
    with st.container(border=True, key="surgery-form"):
        if editing:
            st.subheader("Edit step", anchor=False)
        else:
            planned = entry["source"] == "planned"
            st.subheader(sg.heading(surgery) + (" — planned" if planned else ""), anchor=False)
            st.caption("The next planned step: Log confirms it as shown (change what differed first)."
                       if planned else "Starts from the last step logged: change what differs, then Log.")
        payload = sf.step_form(entry["key"], surgery.kind, lookups, surgery, editing=editing,
                               warnings_of=checks.form_warnings(store, surgery, entry, lookups))
        conflict_panel(entry["key"])  # someone else saved this step meanwhile: choose per field
        log, cancel, extra = st.columns([1, 1, 3])
        if log.button("Save" if editing else "Log", type="primary", key=f"{entry['key']}.save",
                      help="Ctrl+Enter"):
            if _save_entry(store, lookups, surgery, entry, payload):
                st.rerun()
        if editing and cancel.button("Cancel", key=f"{entry['key']}.cancel", help="Esc"):
            open_entry(surgery)
            st.rerun()
        if not editing and entry["source"] == "planned" and extra.button(
                "Unplanned step instead", key=f"{entry['key']}.unplanned"):
            open_entry(surgery, unplanned=True)
            st.rerun()
    keyboard(entry)


def _save_entry(store: Store, lookups: Lookups, surgery: sg.Surgery, entry: dict, payload: dict) -> bool:
    """Log (or save the edit of) the form's step; False with the message at the form when refused."""
    if not payload.get("type"):
        st.error("Type: choose the step's type.")
        return False
    if st.session_state.get(f"{entry['key']}.unreadable"):
        st.error("Details: correct the values marked above.")
        return False
    body, problems = for_backend(surgery.kind, {**payload, "subject": surgery.subject},
                                 region_acronyms(lookups), surgery.licenses)
    if problems:
        for field, message in problems.items():
            st.error(f"{field.replace('_', ' ').capitalize()}: {message}")
        return False
    now = datetime.now()
    if entry["mode"] == "edit":
        original = next((s for s in surgery.steps if s.record_id == entry["record_id"]), None)
        body["date_time"] = sg.kept_time(original.date_time if original else None, body.get("date_time"))
        stored = original.payload if original else {}
        result, errors = records.send(store, surgery.kind, entry["key"], body, record_id=entry["record_id"],
                                      normalise=lambda r: writable(surgery.kind, r), stored=lambda: stored)
        if result is None:  # refused (messages shown), or a conflict to decide (shown after the rerun)
            return _refused(errors) if errors else True
        store.report(result, "Saved the step.")
        open_entry(surgery)
        return True
    body["date_time"] = sg.stamp(surgery.day, now)
    result, errors = records.send(store, surgery.kind, entry["key"], body)
    if result is None:
        return _refused(errors)
    store.report(result, "Logged the step.")
    record_id = (result.record or {}).get("id")
    index = entry.get("plan_index") if entry["source"] == "planned" else None
    if index is not None:
        planned = next(s for s in surgery.steps if s.plan_index == index and s.state == sg.PLANNED)
        done = sg.confirm_step(surgery, planned, now, body, record_id=record_id, queue_id=result.entry_id)
        plan_store().mark_step(store.user.username, surgery.subject, surgery.day, index, done)
    else:
        sg.log_step(surgery, body, now, record_id=record_id, queue_id=result.entry_id)
    open_entry(surgery)
    return True


def writable(kind: str, record) -> dict:
    """A stored record as the form sends it (its writable fields), to compare with typed values."""
    return {k: v for k, v in record.items() if k in writable_fields(kind)}


def _refused(errors: dict[str, str]) -> bool:
    """The server's (or the check's) messages at the form, each naming its field; nothing is lost."""
    for field, message in errors.items():
        st.error(f"{field.replace('_', ' ').capitalize()}: {plain(message)}", icon=":material/error:")
    return False


def keyboard(entry: dict) -> None:
    """First field focused when a form opens; Ctrl+Enter (or Enter in a number or text box) logs;
    Esc cancels an edit."""
    focus = "true" if entry.pop("focus", False) else "false"
    st.html(_KEYS_SCRIPT.format(nonce=entry["nonce"], focus=focus), unsafe_allow_javascript=True,
            width="content")


# ---------------------------------------------------------------- the steps, in view


def confirm_planned(store: Store, lookups: Lookups, surgery: sg.Surgery, step: sg.Step) -> None:
    """ONE click: the planned step done now, as planned."""
    body, problems = for_backend(surgery.kind, {**step.payload, "subject": surgery.subject},
                                 region_acronyms(lookups), surgery.licenses)
    if problems:
        st.session_state["surgery.problem"] = "; ".join(problems.values())
        return
    now = datetime.now()
    body["date_time"] = sg.stamp(surgery.day, now)
    result = store.save(surgery.kind, body)
    store.report(result, "Confirmed the step.")
    done = sg.confirm_step(surgery, step, now, body, record_id=(result.record or {}).get("id"),
                           queue_id=result.entry_id)
    plan_store().mark_step(store.user.username, surgery.subject, surgery.day, step.plan_index, done)
    open_entry(surgery)


def mirror(store: Store, surgery: sg.Surgery, step: sg.Step) -> None:
    """Log the bilateral twin of `step` — unless it is already in the surgery (a double click)."""
    if sg.has_twin(surgery, step):
        st.session_state["surgery.problem"] = "Its twin is already logged in this surgery: not logged again."
        return
    body = {k: v for k, v in step.payload.items() if k not in ("id", "created_at", "updated_at", "date_time")}
    system = body.get("coordinates_system") or ""
    body["coordinates_details"] = mirror_coordinates(system, body.get("coordinates_details") or {})
    now = datetime.now()
    body["date_time"] = sg.stamp(surgery.day, now)
    body, _ = for_backend(surgery.kind, body)
    result = store.save(surgery.kind, body)
    store.report(result, "Logged the mirrored twin.")
    sg.log_step(surgery, body, now, record_id=(result.record or {}).get("id"), queue_id=result.entry_id)
    if st.session_state[ENTRY]["mode"] == "new":
        open_entry(surgery)


def step_row(store: Store, lookups: Lookups, surgery: sg.Surgery, number: int, step: sg.Step,
             line: str, note: str | None = None) -> None:  # fmt: skip
    """One step: what it is and its state, a plausibility `note` (an asymmetric twin…), and its
    buttons (✓ / skip; mirror / edit / delete)."""
    ident = step.record_id or (f"q{step.queue_id}" if step.queue_id is not None else f"p{step.plan_index}")
    with st.container(border=True, key=f"surgery-step-{ident}"):
        text, buttons = st.columns([5, 3], vertical_alignment="center")
        marker = f"{STATE_ICONS.get(step.state, STATE_ICONS[sg.CONFIRMED])} "
        text.markdown(f"{marker}{plain(line)}  \n:gray[{sg.STATE_LABELS[step.state]}]")
        if note:
            text.caption(f":material/help: :orange[{plain(note)}]")
        cells = buttons.columns(3)
        if step.state == sg.PLANNED:
            if cells[0].button("", key=f"surgery.confirm.{ident}", icon=":material/check:",
                               help="Done as planned (one click)", type="primary"):
                confirm_planned(store, lookups, surgery, step)
                st.rerun()
            if cells[1].button("", key=f"surgery.skip.{ident}", icon=":material/block:", help="Skip"):
                skipped = sg.skip_step(surgery, step)
                plan_store().mark_step(store.user.username, surgery.subject, surgery.day,
                                       step.plan_index, skipped)
                open_entry(surgery)
                st.rerun()
            return
        if step.record_id is None:
            return  # waiting to send, or skipped: nothing to act on yet
        if cells[0].button("", key=f"actions.day.mirror.{step.record_id}", icon=":material/flip:",
                           help=MIRROR_HELP):
            mirror(store, surgery, step)
            st.rerun()
        if cells[1].button("", key=f"actions.day.edit.{step.record_id}", icon=":material/edit:", help="Edit"):
            open_entry(surgery, mode="edit", step=step)
            st.rerun()
        if cells[2].button("", key=f"actions.day.delete.{step.record_id}", icon=":material/delete:",
                           help="Delete"):
            st.session_state[CONFIRM] = step.record_id
    if st.session_state.get(CONFIRM) == step.record_id:
        records.confirm_delete(store, surgery.kind, step.record_id, f"Delete step {number}?",
                               state_key=CONFIRM, buttons_key=CONFIRM, message="Deleted the step.",
                               on_deleted=lambda: open_entry(surgery))  # fmt: skip


_SIDE_CSS = """<style>
.st-key-surgery-side { position: sticky; top: 3.75rem; align-self: flex-start; }
</style>"""


def steps_panel(store: Store, lookups: Lookups, surgery: sg.Surgery) -> None:
    """The steps column, kept in view (sticky) while the form beside it scrolls."""
    st.html(_SIDE_CSS, width="content")
    with st.container(key="surgery-side"):
        _steps(store, lookups, surgery)


def _steps(store: Store, lookups: Lookups, surgery: sg.Surgery) -> None:
    """The surgery's steps in order, the implant map, the summary and the printable record."""
    done = sg.counts(surgery)
    name = lookups.name("subject", surgery.subject)
    st.subheader(plain(f"{name} — {surgery.day.isoformat()}"), anchor=False)
    st.caption(f"{done['logged']} logged ({done['queued']} waiting to send) · {done['planned']} planned · "
               f"{done['skipped']} skipped")
    problem = st.session_state.pop("surgery.problem", None)
    if problem:
        st.warning(problem, icon=":material/warning:")
    labels = lookups.all_labels()
    summary = surgery_summary(surgery, labels)
    lines = [line for line in summary.splitlines() if line[:1].isdigit()]
    notes = checks.row_notes(store, surgery, lookups)
    with st.container(height=420, key="surgery-steps"):
        for number, (step, line) in enumerate(zip(sg.ordered_steps(surgery), lines, strict=False), start=1):
            step_row(store, lookups, surgery, number, step, line, notes.get(number - 1))
    chart = implant_chart(surgery, lookups)
    if chart is not None:
        st.altair_chart(chart, width="content")
    st.caption("Summary for the surgery record (copy with the button at its top right)")
    st.code(summary, language=None, wrap_lines=True)
    if st.toggle("Printable record", key="surgery.printable"):
        page = surgery_record_html(surgery, labels, implant_map_svg=_svg(chart))
        st.download_button("Download the record (open it, then print to PDF)", page.encode(),
                           file_name=f"surgery-{plain(name)}-{surgery.day.isoformat()}.html",
                           mime="text/html", key="surgery.record")


def implant_chart(surgery: sg.Surgery, lookups: Lookups):
    """This surgery's targets seen from above (None before any target is logged)."""
    logged = [s.payload for s in sg.ordered_steps(surgery) if s.logged]
    try:
        placed = targets_from_records(logged, surgery.kind, region_names=lookups.regions).placed
    except OverflowError:  # implant_map.to_mm on a huge stored integer: no map rather than a crash
        return None
    if not placed:
        return None
    return top_view(placed, title="This surgery's targets").properties(width=220, height=250)


def _svg(chart) -> str | None:
    try:
        return chart_svg(chart).decode() if chart is not None else None
    except Exception:  # noqa: BLE001 - the record is still complete without its picture
        return None


# ---------------------------------------------------------------- plans and details


def plan_bar(store: Store, lookups: Lookups, surgery: sg.Surgery) -> None:
    """Make the plan (a lab template, or another subject's surgery); who operated, under which licence."""
    plans = plan_store()
    username = store.user.username
    existing = plans.plan(username, surgery.subject, surgery.day)
    label = f"Plan: {existing.template or 'custom'}" if existing else "Plan this surgery"
    with st.expander(label, expanded=existing is None and not surgery.steps):
        templates = {t.id: t for t in plans.templates()}
        pick, copy_from = st.columns(2)
        chosen = pick.selectbox("From a lab template", list(templates),
                                format_func=lambda i: templates[i].name, index=None,
                                key="surgery.template", placeholder="Choose a template…")
        if pick.button("Use this template", key="surgery.use_template", disabled=chosen is None):
            template = templates[chosen]
            _replace_plan(plans, username, surgery, template.steps, f"template: {template.name}", existing)
        other = copy_from.selectbox("Copy another subject's surgery", list(lookups.subjects),
                                    format_func=lookups.subjects.get, index=None, key="surgery.copy_subject")
        other_day = copy_from.date_input("Its date", key="surgery.copy_day", value=None, format="YYYY-MM-DD")
        if copy_from.button("Copy its steps", key="surgery.copy", disabled=not (other and other_day)):
            found = [r for r in data.load_records(store.client, context.user_key(), surgery.kind)
                     if str(r.get("date_time") or "")[:10] == other_day.isoformat()
                     and r.get("subject") == other]
            if not found:
                st.warning("That subject has no steps on that date.")
            else:
                _replace_plan(plans, username, surgery, plan_from_records(found),
                              f"copied from {lookups.name('subject', other)} {other_day}", existing)
        if existing and st.button("Forget the plan", key="surgery.forget_plan"):
            plans.delete_plan(username, surgery.subject, surgery.day)
            open_entry(surgery)
            st.session_state.pop(ENTRY, None)
            st.rerun()
        details_form(store, plans, surgery)
    template_editor(plans, username, surgery)


def _replace_plan(plans: PlanStore, username: str, surgery: sg.Surgery, steps: list[dict],
                  source: str, existing) -> None:  # fmt: skip
    version = existing.version if existing else None
    plans.save_plan(username, surgery.subject, surgery.day, steps, version, source)
    st.session_state.pop(ENTRY, None)  # the next entry is the plan's first step
    st.rerun()


def details_form(store: Store, plans: PlanStore, surgery: sg.Surgery) -> None:
    """Surgeon(s) and licence(s), kept with the plans (shared by the lab)."""
    saved = plans.surgery_details(surgery.subject, surgery.day)
    who, license_column, save = st.columns([3, 3, 1], vertical_alignment="bottom")
    surgeons = who.text_input("Surgeon(s)", value=", ".join(saved.surgeons), key="surgery.surgeons",
                              help="Names separated by commas.")
    licenses = store.load("licenses", data.load_labels, "license") if surgery.kind == "procedure" else {}
    chosen = license_column.multiselect("License(s)", list(licenses), default=[x for x in saved.licenses
                                        if x in licenses], format_func=licenses.get, key="surgery.licenses")
    if save.button("Save", key="surgery.save_details"):
        plans.save_surgery_details(surgery.subject, surgery.day, surgeons.split(","), chosen, saved.version,
                                   store.user.username)
        st.rerun()
    weight_column, unit_column, weigh = st.columns([3, 3, 1], vertical_alignment="bottom")
    weight = weight_column.number_input("Pre-op weight", value=None, min_value=0.0, step=0.1, format="%g",
                                        key="surgery.weight", placeholder=weight_text(surgery))
    unit = unit_column.selectbox("Unit of the weight", WEIGHT_UNITS, key="surgery.weight_unit",
                                 index=WEIGHT_UNITS.index("g") if "g" in WEIGHT_UNITS else 0)
    if weigh.button("Log", key="surgery.log_weight", disabled=weight is None):
        now = datetime.now(UTC)
        when = now if surgery.day == now.date() else datetime.combine(surgery.day, now.time(), UTC)
        entry, errors = weighing_entry(weight, unit, when, "pre-op")
        if errors:
            st.error(f"Pre-op weight: {next(iter(errors.values()))}")
            return
        try:  # a subject-log entry: the Weighing log's add_entry (no outbox for entries yet)
            logs = st.session_state.get("surgery.logs") or []
            add_entry(store.client, surgery.subject, "Weighing", entry, logs)
        except StemGuiError as exc:
            st.error(f"Pre-op weight: {exc.message}")
            return
        changed("Logged the pre-op weight in the subject's Weighing log.")
        st.rerun()


def template_editor(plans: PlanStore, username: str, surgery: sg.Surgery) -> None:
    """The lab's templates: save this surgery as one, rename, update from this surgery, delete."""
    with st.expander("Lab templates"):
        kept = (*sg.CARRIED, "notes", "description")
        steps = [{"payload": {k: v for k, v in s.payload.items() if k in kept}, "state": sg.PLANNED}
                 for s in sg.ordered_steps(surgery)]
        name = st.text_input("Template name", key="surgery.template_name")
        if st.button("Save this surgery's steps as a new template", key="surgery.new_template",
                     disabled=not steps):
            plans.create_template(name, steps, username)
            st.rerun()
        for template in plans.templates():
            row = st.columns([3, 1, 1, 1], vertical_alignment="center")
            row[0].text(f"{template.name} — {len(template.steps)} steps")
            if row[1].button("Rename", key=f"surgery.rename.{template.id}", disabled=not name.strip()):
                plans.update_template(template.id, template.version, username, name=name)
                st.rerun()
            if row[2].button("Update", key=f"surgery.update.{template.id}", disabled=not steps,
                             help="Replace its steps by this surgery's"):
                plans.update_template(template.id, template.version, username, steps=steps)
                st.rerun()
            if row[3].button("Delete", key=f"surgery.delete_template.{template.id}"):
                plans.delete_template(template.id, template.version)
                st.rerun()
