"""A subject's history in one list: procedures, actions, subject-log entries and sessions in date
order, grouped by day, each with a link to its record; the subject's age; and the loader that
fetches one subject's records through the client. No Streamlit here.

Subject logs appear entry by entry (a Weighing log kept for a week is seven events on seven days,
which is what a reviewer reads), each linking to its log on the subject's page. Sessions carry no
subject in either BrainSTEM generation (the link runs through data acquisitions, which the
bundled server does not hold), so the loader finds none; ``build_timeline`` takes them when a
caller has them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import groupby
from typing import Any
from urllib.parse import urlencode

from stemgui import dates
from stemgui.errors import NotFound
from stemgui.weights import grams, parse_time

KIND_LABELS = {
    "procedure": "Procedure",
    "action": "Action",
    "subjectlog": "Subject log",
    "session": "Session",
}


@dataclass(frozen=True)
class TimelineItem:
    """One event of a subject's history."""

    when: datetime | None  # UTC; None when the record has no date (listed last)
    kind: str  # "procedure", "action", "subjectlog" or "session"
    label: str
    record_id: str
    link: str  # the page and query that open the record, e.g. "/procedures?procedure=<id>"
    notes: str = ""
    has_time: bool = True  # False: the record gives only a day

    @property
    def day(self) -> str:
        return self.when.date().isoformat() if self.when else "no date"


@dataclass
class SubjectRecords:
    """Everything recorded about one subject, as the API returns it."""

    subject: dict
    procedures: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    subjectlogs: list[dict] = field(default_factory=list)
    sessions: list[dict] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)  # record kinds the backend does not serve


def record_link(kind: str, record_id: str, subject_id: str = "") -> str:
    """The deep link of a record; a subject-log entry opens its log on the subject's page."""
    if kind == "subjectlog":
        return "/subjects?" + urlencode({"subject": subject_id, "subjectlog": record_id})
    page = {"procedure": "procedures", "action": "actions", "session": "sessions", "subject": "subjects"}[
        kind
    ]
    return f"/{page}?{urlencode({kind: record_id})}"


def _region(record: Mapping[str, Any], region_names: Mapping[str, str]) -> str:
    region = record.get("brain_region") or ""
    return region_names.get(region, "") if region else ""


def _detail_summary(details: Any) -> str:
    """A short text of a log entry's details: a weight in grams, else the first few values."""
    if not isinstance(details, Mapping) or not details:
        return ""
    if "weight" in details and grams(details["weight"]) is not None:
        return f"{grams(details['weight']):.1f} g"
    parts = []
    for key, value in list(details.items())[:3]:
        if isinstance(value, Mapping) and "value" in value:
            value = f"{value.get('value')} {value.get('unit') or ''}".strip()
        parts.append(f"{key}: {value}")
    return ", ".join(parts)


def _surgical_items(
    records: Iterable[Mapping], kind: str, region_names: Mapping[str, str]
) -> list[TimelineItem]:
    items = []
    for record in records:
        region = _region(record, region_names)
        label = f"{record.get('type') or kind} · {region}" if region else str(record.get("type") or kind)
        text = record.get("notes") if kind == "procedure" else record.get("description")
        raw = record.get("date_time")
        items.append(TimelineItem(parse_time(raw), kind, label, str(record.get("id")),
                                  record_link(kind, str(record.get("id"))), str(text or ""),
                                  isinstance(raw, str) and "T" in raw))  # fmt: skip
    return items


def _log_items(logs: Iterable[Mapping], subject_id: str) -> list[TimelineItem]:
    items = []
    for log in logs:
        log_id, kind = str(log.get("id")), str(log.get("type") or "Subject log")
        for entry in log.get("entries") or []:
            start = entry.get("date_time") or entry.get("start_date_time")
            summary = _detail_summary(entry.get("details"))
            label = f"{kind}: {summary}" if summary else kind
            if entry.get("end_date_time"):
                label += f" (until {str(entry['end_date_time'])[:16].replace('T', ' ')})"
            link = record_link("subjectlog", log_id, subject_id)
            notes = str(entry.get("notes") or "")
            items.append(TimelineItem(parse_time(start), "subjectlog", label, log_id, link, notes))
    return items


def _session_items(sessions: Iterable[Mapping]) -> list[TimelineItem]:
    items = []
    for session in sessions:
        session_id = str(session.get("id"))
        when, name = parse_time(session.get("date_time")), str(session.get("name") or "Session")
        link, notes = record_link("session", session_id), str(session.get("description") or "")
        items.append(TimelineItem(when, "session", name, session_id, link, notes))
    return items


def build_timeline(
    records: SubjectRecords, region_names: Mapping[str, str] | None = None
) -> list[TimelineItem]:
    """Every event of one subject, oldest first (undated last); same-time events keep kind order."""
    region_names = region_names or {}
    subject_id = str(records.subject.get("id") or "")
    items = (
        _surgical_items(records.procedures, "procedure", region_names)
        + _surgical_items(records.actions, "action", region_names)
        + _log_items(records.subjectlogs, subject_id)
        + _session_items(records.sessions)
    )
    dated = sorted((i for i in items if i.when), key=lambda i: i.when)
    return dated + [i for i in items if not i.when]


def by_day(items: list[TimelineItem], newest_first: bool = False) -> list[tuple[str, list[TimelineItem]]]:
    """The timeline grouped by day: [("2025-03-01", [items...]), ...]; undated items last."""
    groups = [(day, list(group)) for day, group in groupby(items, key=lambda i: i.day)]
    if newest_first:
        dated = [g for g in groups if g[0] != "no date"][::-1]
        groups = dated + [g for g in groups if g[0] == "no date"]
    return groups


def age_text(birth_date: Any, today: date, death_date: Any = None) -> str | None:
    """The age as people say it of a lab animal: "10 days", "12 weeks", "2 years 5 weeks";
    at death when a death date is given ("died at 20 weeks"); None without a readable birth date."""
    born = _as_date(birth_date)
    if born is None:
        return None
    died = _as_date(death_date)
    end = died or today
    days = (end - born).days
    if days < 0:
        return "birth date is in the future" if not died else "death date is before the birth date"
    if days < 14:
        text = f"{days} day" + ("" if days == 1 else "s")
    elif days < 104 * 7:
        text = f"{days // 7} weeks"
    else:
        years, rest = divmod(days, 365)
        weeks = rest // 7
        text = f"{years} years" + (f" {weeks} week" + ("" if weeks == 1 else "s") if weeks else "")
    return f"died at {text}" if died else text


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    parsed = dates.parse(str(value or "")[:10])
    return parsed if isinstance(parsed, date) else None


def _list_or_unavailable(client, model: str, subject_id: str, missing: list[str]) -> list[dict]:
    try:
        return client.list_all(model, filters={"subject": subject_id})
    except NotFound:  # a backend without this endpoint (BrainSTEM without actions, an older server)
        missing.append(model)
        return []


def load_subject_records(client, subject_id: str) -> SubjectRecords:
    """One subject and its procedures, actions and subject logs, fetched through ``client``
    (filtered by subject on the server). An endpoint the backend lacks is noted in ``unavailable``;
    other errors (offline, no permission, the subject gone) are raised as the client's errors."""
    subject = client.load("subject", id=subject_id)["subject"]
    missing: list[str] = []
    return SubjectRecords(
        subject=subject,
        procedures=_list_or_unavailable(client, "procedure", subject_id, missing),
        actions=_list_or_unavailable(client, "action", subject_id, missing),
        subjectlogs=_list_or_unavailable(client, "subjectlog", subject_id, missing),
        unavailable=missing,
    )


def region_names(client, records: SubjectRecords) -> dict[str, str]:
    """Brain-region id -> acronym for the regions the subject's procedures and actions name."""
    ids = sorted({r["brain_region"] for r in records.procedures + records.actions if r.get("brain_region")})
    if not ids:
        return {}
    regions = client.list_all("brainregion", filters={"id.in": ",".join(ids)})
    return {r["id"]: r.get("acronym") or r.get("name") or r["id"] for r in regions}


@dataclass
class ProjectRecords:
    """The surgical records of every subject of one project, for the project-wide implant map."""

    subject_names: dict[str, str]  # subject id -> name
    procedures: list[dict] = field(default_factory=list)
    actions: list[dict] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)


def load_project_records(client, project_id: str) -> ProjectRecords:
    """Every subject of ``project_id`` and their procedures and actions (filtered on the server
    through the subject's projects: ``filter{subject.projects.id}``)."""
    subjects = client.list_all("subject", filters={"projects.id": project_id})
    missing: list[str] = []
    by_project = {"subject.projects.id": project_id}

    def fetch(model: str) -> list[dict]:
        try:
            return client.list_all(model, filters=by_project)
        except NotFound:
            missing.append(model)
            return []

    return ProjectRecords({s["id"]: s.get("name") or s["id"] for s in subjects}, fetch("procedure"),
                          fetch("action"), missing)  # fmt: skip
