"""A surgery as one unit (issue 14): who, when, the pre-op weight, and its ordered steps.

A step is one surgical record — a procedure (today's BrainSTEM) or an action (the seed's API) —
held as its payload plus its ``kind`` (the model), and a state: planned (from the plan, not done
yet), confirmed (a planned step that was done), unplanned (logged without a plan), queued (kept in
the outbox, "waiting to send") or skipped (a planned step not done: marked, never dropped).

Rules the Surgery day page relies on:
- logged steps are ordered by their exact ``date_time`` (to the second), then by the order they
  were logged; editing a step never changes its time unless the person typed another minute
  (a form showing HH:MM gives back HH:MM:00, which keeps the stored seconds);
- the next entry starts from the next planned step, else from the last step logged — the last by
  time, so editing an older step does not make it the template;
- values are remembered per type (the last virus's volume after virus → fiber → virus);
- queued steps count: in the heading ("Step 6"), in the list and in the summary.
No Streamlit here.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from stemgui.actions import MIRRORED_FIELDS
from stemgui.errors import StemGuiError

PLANNED, CONFIRMED, UNPLANNED, QUEUED, SKIPPED = "planned", "confirmed", "unplanned", "queued", "skipped"
LOGGED_STATES = (CONFIRMED, UNPLANNED, QUEUED)
STATE_LABELS = {
    PLANNED: "planned",
    CONFIRMED: "done",
    UNPLANNED: "done (unplanned)",
    QUEUED: "waiting to send",
    SKIPPED: "skipped",
}

@dataclass
class Step:
    """One step of a surgery: a record payload of `kind` ("procedure" or "action") and its state."""

    kind: str
    payload: dict
    state: str = UNPLANNED
    record_id: str | None = None  # the server's id once saved
    queue_id: int | None = None  # the outbox entry while it waits to be sent
    plan_index: int | None = None  # its position in the plan, for a planned step
    sequence: int = 0  # the order it was logged in this surgery (ties of equal times)

    @property
    def type(self) -> str | None:
        return self.payload.get("type")

    @property
    def date_time(self) -> str | None:
        return self.payload.get("date_time")

    @property
    def logged(self) -> bool:
        return self.state in LOGGED_STATES


@dataclass
class Surgery:
    """One subject's surgery on one day."""

    subject: str
    day: date
    kind: str = "procedure"  # the backend's surgical model
    surgeons: list[str] = field(default_factory=list)
    licenses: list[str] = field(default_factory=list)
    weighing: dict | None = None  # the pre-op Weighing subject-log entry {date_time, details: {weight}}
    steps: list[Step] = field(default_factory=list)


# ---------------------------------------------------------------- times and order


def _time_key(value: Any) -> str:
    """A `date_time` as comparable text to the second, zone marker dropped ("" when missing)."""
    text = str(value or "").replace("Z", "").replace(" ", "T")
    return text[:19]


def ordered_steps(surgery: Surgery) -> list[Step]:
    """The steps as the page lists them: logged ones by exact time then logging order, then the
    planned and skipped ones in plan order (a skipped step stays visible at its place in the plan)."""
    logged = sorted(
        (s for s in surgery.steps if s.logged),
        key=lambda s: (_time_key(s.date_time) == "", _time_key(s.date_time), s.sequence),
    )
    pending = sorted(
        (s for s in surgery.steps if not s.logged),
        key=lambda s: (s.plan_index if s.plan_index is not None else 10**9, s.sequence),
    )
    return logged + pending


def kept_time(original: str | None, edited: str | None) -> str | None:
    """The `date_time` an edited step keeps: the original (seconds and all) unless the edit names
    another minute. A form showing HH:MM hands back HH:MM:00; taking that would move a step logged
    at 21:10:52 before one logged at 21:10:31."""
    if not original:
        return edited
    if not edited or _time_key(edited)[:16] == _time_key(original)[:16]:
        return original
    return edited


def edit_step(surgery: Surgery, step: Step, payload: Mapping[str, Any]) -> Step:
    """Replace `step`'s payload by an edited one, keeping its time (see `kept_time`) and order."""
    edited = copy.deepcopy(dict(payload))
    edited["date_time"] = kept_time(step.date_time, edited.get("date_time"))
    new = replace(step, payload=edited)
    surgery.steps[surgery.steps.index(step)] = new
    return new


def _next_sequence(surgery: Surgery) -> int:
    return max((s.sequence for s in surgery.steps), default=0) + 1


def log_step(
    surgery: Surgery,
    payload: Mapping[str, Any],
    now: datetime,
    *,
    record_id: str | None = None,
    queue_id: int | None = None,
) -> Step:
    """Add an unplanned step logged now (queued when it only reached the outbox)."""
    body = copy.deepcopy(dict(payload))
    body.setdefault("subject", surgery.subject)
    body["date_time"] = body.get("date_time") or stamp(surgery.day, now)
    step = Step(
        surgery.kind,
        body,
        QUEUED if queue_id is not None else UNPLANNED,
        record_id,
        queue_id,
        sequence=_next_sequence(surgery),
    )
    surgery.steps.append(step)
    return step


def stamp(day: date, now: datetime) -> str:
    """The `date_time` of a step logged now on `day`: to the second, no microseconds."""
    return datetime.combine(day, now.time().replace(microsecond=0, tzinfo=None)).isoformat()


# ---------------------------------------------------------------- what comes next


def last_logged(surgery: Surgery) -> Step | None:
    """The step logged last (latest time, then latest logged): never an older step just edited."""
    logged = [s for s in ordered_steps(surgery) if s.logged]
    return logged[-1] if logged else None


def next_planned(surgery: Surgery) -> Step | None:
    """The first planned step not yet confirmed or skipped, in plan order."""
    return next((s for s in ordered_steps(surgery) if s.state == PLANNED), None)


CARRIED = (
    "type",
    "coordinates_system",
    "brain_region",
    "details",
    "coordinates_details",
    "consumable",
    "hardwaredevice",
    "consumablestock",
    "equipment",
)


def next_entry(surgery: Surgery) -> tuple[str, dict]:
    """Where the next entry starts: ("planned", its payload), ("last", the last logged step's carried
    fields) or ("empty", {})."""
    planned = next_planned(surgery)
    if planned is not None:
        return "planned", copy.deepcopy(planned.payload)
    last = last_logged(surgery)
    if last is not None:
        return "last", {k: copy.deepcopy(v) for k, v in last.payload.items() if k in CARRIED}
    return "empty", {}


def remembered_details(surgery: Surgery, step_type: str) -> dict | None:
    """The details of the last logged step of `step_type` (its values when the form switches back to
    that type), else None."""
    same = [s for s in ordered_steps(surgery) if s.logged and s.type == step_type]
    return copy.deepcopy(same[-1].payload.get("details") or {}) if same else None


def defaults_for_type(surgery: Surgery, step_type: str, current: Mapping[str, Any]) -> dict:
    """The form's fields after switching to `step_type`: the details of the last logged step of that
    type (empty if none); system, region and coordinates stay as they are in the form."""
    out = {k: copy.deepcopy(v) for k, v in current.items() if k in CARRIED}
    out["type"] = step_type
    same = [s for s in ordered_steps(surgery) if s.logged and s.type == step_type]
    out["details"] = copy.deepcopy(same[-1].payload.get("details") or {}) if same else {}
    return out


def counts(surgery: Surgery) -> dict[str, int]:
    """How many steps are in each state (queued ones are logged: they count)."""
    found = dict.fromkeys(STATE_LABELS, 0)
    for step in surgery.steps:
        found[step.state] += 1
    found["logged"] = sum(found[s] for s in LOGGED_STATES)
    return found


def heading(surgery: Surgery) -> str:
    """ "Step 6 of 8 planned" / "Step 3" — the number of the step being entered, queued ones counted."""
    done = counts(surgery)
    number = done["logged"] + 1
    planned = sum(1 for s in surgery.steps if s.plan_index is not None)
    return f"Step {number} of {planned} planned" if planned and number <= planned else f"Step {number}"


# ---------------------------------------------------------------- from what the server and outbox hold


def _same_day(payload: Mapping[str, Any], subject: str, day: date) -> bool:
    subject_id = payload.get("subject")
    subject_id = subject_id.get("id") if isinstance(subject_id, Mapping) else subject_id
    return subject_id == subject and str(payload.get("date_time") or "")[:10] == day.isoformat()


def surgery_from_records(
    subject: str,
    day: date,
    records: Iterable[Mapping[str, Any]],
    queued: Iterable[Any] = (),
    *,
    kind: str = "procedure",
    plan: Iterable[Mapping[str, Any]] = (),
) -> Surgery:
    """The surgery of `subject` on `day` from the server's records of `kind`, the outbox's entries
    (objects with ``model``, ``operation``, ``record_id``, ``payload``, ``id``, as
    ``stemgui.outbox.Entry``) and the stored plan (steps as `stemgui.surgery_plans` keeps them:
    ``payload`` plus ``state``/``record_id`` once confirmed or skipped).

    Queued updates replace the record's payload (marked waiting), queued deletes remove it, queued
    creates become queued steps; a planned step whose record is present is confirmed.
    """
    surgery = Surgery(subject, day, kind)
    by_id: dict[str, Step] = {}
    for record in records:
        if _same_day(record, subject, day):
            step = Step(kind, copy.deepcopy(dict(record)), UNPLANNED, record.get("id"))
            by_id[str(record.get("id"))] = step
            surgery.steps.append(step)
    for entry in queued:
        if entry.model != kind:
            continue
        known = by_id.get(str(entry.record_id)) if entry.record_id else None
        if entry.operation == "delete" and known:
            surgery.steps.remove(known)
        elif entry.operation == "update" and known:
            known.payload = {**known.payload, **copy.deepcopy(entry.payload)}
            known.state, known.queue_id = QUEUED, entry.id
        elif entry.operation == "create" and _same_day(entry.payload, subject, day):
            surgery.steps.append(Step(kind, copy.deepcopy(entry.payload), QUEUED, None, entry.id))
    for index, planned in enumerate(plan):
        done = _plan_match(surgery, planned) if planned.get("state") == CONFIRMED else None
        if done is not None:
            done.plan_index = index
            done.state = CONFIRMED if done.state == UNPLANNED else done.state
        else:
            state = SKIPPED if planned.get("state") == SKIPPED else PLANNED
            surgery.steps.append(
                Step(kind, copy.deepcopy(dict(planned.get("payload") or {})), state, plan_index=index)
            )
    for number, step in enumerate(ordered_steps(surgery), start=1):
        step.sequence = number
    return surgery


def _plan_match(surgery: Surgery, planned: Mapping[str, Any]) -> Step | None:
    """The logged step a confirmed plan step became: by record id, by outbox entry, or — for an
    entry sent since — by type and exact time (the time is kept to the second, so it identifies)."""
    for step in surgery.steps:
        if step.plan_index is not None:
            continue
        if planned.get("record_id") and step.record_id == planned["record_id"]:
            return step
        if planned.get("queue_id") is not None and step.queue_id == planned["queue_id"]:
            return step
    when = _time_key(planned.get("date_time"))
    return next(
        (
            s
            for s in surgery.steps
            if s.plan_index is None
            and s.logged
            and when
            and _time_key(s.date_time) == when
            and s.type == (planned.get("payload") or {}).get("type")
        ),
        None,
    )


def confirm_step(
    surgery: Surgery,
    step: Step,
    now: datetime,
    edited: Mapping[str, Any] | None = None,
    *,
    record_id: str | None = None,
    queue_id: int | None = None,
) -> Step:
    """A planned step done: its payload (or the edited one, when reality differed) at the time now,
    confirmed (or queued while it waits in the outbox)."""
    body = copy.deepcopy(dict(edited if edited is not None else step.payload))
    body.setdefault("subject", surgery.subject)
    body["date_time"] = stamp(surgery.day, now)
    done = replace(
        step,
        payload=body,
        state=QUEUED if queue_id is not None else CONFIRMED,
        record_id=record_id,
        queue_id=queue_id,
        sequence=_next_sequence(surgery),
    )
    surgery.steps[surgery.steps.index(step)] = done
    return done


def skip_step(surgery: Surgery, step: Step) -> Step:
    """Mark a planned step skipped: it stays in the list, at its place in the plan."""
    skipped = replace(step, state=SKIPPED)
    surgery.steps[surgery.steps.index(step)] = skipped
    return skipped


def preop_weighing(weight: float, unit: str, day: date, now: datetime) -> dict:
    """The pre-op weight as an entry of the subject's Weighing log (``modules/subjectlog``,
    ``details.weight`` a quantity), timed now on the surgery day."""
    if isinstance(weight, bool) or not isinstance(weight, int | float) or weight <= 0:
        raise StemGuiError("Pre-op weight: type the weight as a number above 0.")
    return {"date_time": stamp(day, now), "details": {"weight": {"value": weight, "unit": unit or "g"}}}


def _number_of(value: Any) -> float | None:
    number = value.get("value") if isinstance(value, Mapping) else value
    return float(number) if isinstance(number, int | float) and not isinstance(number, bool) else None


def has_twin(surgery: Surgery, step: Step) -> bool:
    """Whether the bilateral twin of `step` (same type, region and system, left–right negated) is
    already in this surgery, logged or queued: Mirror must not log a second one (double click)."""
    left_right = MIRRORED_FIELDS.get(step.payload.get("coordinates_system") or "", ((), ()))[0]
    mine = step.payload.get("coordinates_details") or {}
    if not any(_number_of(mine.get(name)) for name in left_right):
        return False  # on the midline (or no left–right field): nothing to mirror
    for other in surgery.steps:
        if other is step or not other.logged or other.type != step.type:
            continue
        if any(other.payload.get(k) != step.payload.get(k) for k in ("brain_region", "coordinates_system")):
            continue
        theirs = other.payload.get("coordinates_details") or {}
        if all(
            _mirrors(_number_of(mine.get(n)), _number_of(theirs.get(n)), n in left_right)
            for n in set(mine) | set(theirs)
        ):
            return True
    return False


def _mirrors(mine: float | None, theirs: float | None, flipped: bool) -> bool:
    if mine is None or theirs is None:
        return mine == theirs
    return abs((-mine if flipped else mine) - theirs) < 1e-9


def preop_weighing_from_logs(logs: Iterable[Mapping[str, Any]], subject: str, day: date) -> dict | None:
    """The pre-op weight already logged: the latest entry on `day` of `subject`'s Weighing logs
    (subject-log records with ``entries``), else None."""
    entries = [
        entry
        for log in logs
        if log.get("type") == "Weighing" and _same_subject(log, subject)
        for entry in log.get("entries") or []
        if str(entry.get("date_time") or "")[:10] == day.isoformat()
    ]
    return copy.deepcopy(max(entries, key=lambda e: _time_key(e.get("date_time")))) if entries else None


def _same_subject(record: Mapping[str, Any], subject: str) -> bool:
    found = record.get("subject")
    return (found.get("id") if isinstance(found, Mapping) else found) == subject
