"""Surgery plans and the lab's templates (issue 14), kept beside the app's users.

Storage: one SQLite file, ``<data dir>/surgery_plans.sqlite`` (mode 600 via
``stemgui.private_files``), shared by every user of this app: templates are the lab's, plans are
per (user, subject, date). SQLite rather than YAML because two surgeons may save at once: every
change is one transaction, and each row carries a ``version`` — an update names the version it
started from and is refused (``PlanConflict``) when someone saved in between, so nobody's steps are
silently overwritten.

A plan step is ``{"payload": {...}, "state": "planned"|"confirmed"|"skipped", "record_id",
"queue_id", "date_time"}``; its payload holds ``type``, ``coordinates_system``,
``coordinates_details`` (bare numbers in the schema's unit, which both generations accept),
``details``, ``brain_region`` (an id on the backend, or ``region`` — an acronym a template names,
resolved by the page), and ``notes``/``description``. No Streamlit here.
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterable, Mapping
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from stemgui.errors import StemGuiError
from stemgui.private_files import private_dir, private_sqlite
from stemgui.surgery import CONFIRMED, PLANNED, QUEUED, SKIPPED, Step

FILE_NAME = "surgery_plans.sqlite"
NAME_MAX = 120
# What a step carries from a record into a plan: what was done and where, not when or to whom.
PLAN_FIELDS = (
    "type",
    "coordinates_system",
    "coordinates_details",
    "details",
    "brain_region",
    "region",
    "consumable",
    "hardwaredevice",
    "consumablestock",
    "equipment",
    "description",
    "notes",
)


class PlanConflict(StemGuiError):
    """Someone saved this template or plan since it was opened; nothing was written."""

    status_code = 409


class PlanNotFound(StemGuiError):
    """The template or plan is gone (deleted by someone else)."""

    status_code = 404


@dataclass(frozen=True)
class Template:
    """A saved lab template: a name and its planned steps."""

    id: int
    name: str
    steps: list[dict]
    version: int
    updated_by: str
    updated_at: str


@dataclass(frozen=True)
class SurgeryDetails:
    """Who operated on a subject that day and under which licences (ids)."""

    subject: str
    day: date
    surgeons: list[str]
    licenses: list[str]
    version: int | None  # None: nothing saved yet


@dataclass(frozen=True)
class Plan:
    """One user's plan for one subject's surgery on one day."""

    username: str
    subject: str
    day: date
    steps: list[dict]
    version: int
    template: str | None = None  # where it came from ("template: …", "copied from …")


def _stereotaxic(ap: float, ml: float, dv: float) -> dict:
    return {
        "apCoordinate": ap,
        "mlCoordinate": ml,
        "dvCoordinate": dv,
        "apAngle": 0,
        "mlAngle": 0,
        "dvAngle": 0,
    }


def _planned(
    step_type: str,
    *,
    system: str = "Stereotaxic_BregmaAbsolute",
    coordinates: dict | None = None,
    details: dict | None = None,
    region: str | None = None,
    notes: str = "",
) -> dict:
    payload = {
        "type": step_type,
        "coordinates_system": system,
        "coordinates_details": coordinates or {},
        "details": details or {},
        "notes": notes,
    }
    if region:
        payload["region"] = region
    return {"payload": payload, "state": PLANNED}


# CA1 of the dorsal hippocampus in the mouse: AP −2.0, ML ±1.5, DV −1.3 mm from bregma (Paxinos &
# Franklin); the fiber ends 0.2 mm above the injection so it lights the infected cells.
_VIRUS = {"injectionVolume": {"value": 300, "unit": "nL"}, "injectionRate": {"value": 50, "unit": "nL/min"}}
DEFAULT_TEMPLATES: dict[str, list[dict]] = {
    "bilateral CA1 AAV + fiber": [
        _planned(
            "Anesthesia",
            details={"anestheticAgent": "Isoflurane", "route": "Inhalation", "dosage": "1.5–2 % in O2"},
        ),
        _planned("Craniotomy", coordinates=_stereotaxic(-2.0, -1.5, 0), notes="left"),
        _planned("Craniotomy", coordinates=_stereotaxic(-2.0, 1.5, 0), notes="right"),
        _planned(
            "VirusInjection",
            coordinates=_stereotaxic(-2.0, -1.5, -1.3),
            details=_VIRUS,
            region="CA1",
            notes="left",
        ),
        _planned(
            "VirusInjection",
            coordinates=_stereotaxic(-2.0, 1.5, -1.3),
            details=_VIRUS,
            region="CA1",
            notes="right",
        ),
        _planned(
            "OpticFiberImplant",
            coordinates=_stereotaxic(-2.0, -1.5, -1.1),
            details={"fiberTipShape": "flat"},
            region="CA1",
            notes="left",
        ),
        _planned(
            "OpticFiberImplant",
            coordinates=_stereotaxic(-2.0, 1.5, -1.1),
            details={"fiberTipShape": "flat"},
            region="CA1",
            notes="right",
        ),
        _planned("Headcap"),
    ],
}


def plan_from_records(records: Iterable[Mapping[str, Any]]) -> list[dict]:
    """Planned steps copied from another subject's surgery (its records, in time order): what was
    done and where, without ids, subject, time or state."""
    ordered = sorted(records, key=lambda r: str(r.get("date_time") or ""))
    return [
        {"payload": {k: copy.deepcopy(r[k]) for k in PLAN_FIELDS if k in r}, "state": PLANNED}
        for r in ordered
    ]


def plan_step_of(step: Step) -> dict:
    """A surgery step as the plan keeps it (its state, record and time once confirmed/skipped)."""
    state = CONFIRMED if step.state == QUEUED else step.state
    return {
        "payload": {k: copy.deepcopy(v) for k, v in step.payload.items() if k in PLAN_FIELDS},
        "state": state if state in (PLANNED, CONFIRMED, SKIPPED) else PLANNED,
        "record_id": step.record_id,
        "queue_id": step.queue_id,
        "date_time": step.date_time if state == CONFIRMED else None,
    }


def _check_name(name: str) -> str:
    cleaned = (name or "").strip()
    if not cleaned:
        raise StemGuiError("Template name: type a name for the template.")
    if len(cleaned) > NAME_MAX:
        raise StemGuiError(f"Template name: at most {NAME_MAX} characters (now {len(cleaned)}).")
    return cleaned


def _check_steps(steps: Any) -> list[dict]:
    if not isinstance(steps, list) or not all(
        isinstance(s, dict) and isinstance(s.get("payload"), dict) and s["payload"].get("type") for s in steps
    ):
        raise StemGuiError("Steps: each step needs a type (a list of {payload: {type, ...}}).")
    return copy.deepcopy(steps)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS template (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE COLLATE NOCASE,"
    " steps TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, updated_by TEXT NOT NULL,"
    " updated_at TEXT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS plan (username TEXT NOT NULL, subject TEXT NOT NULL, day TEXT NOT NULL,"
    " steps TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1, template TEXT, updated_at TEXT NOT NULL,"
    " PRIMARY KEY (username, subject, day))",
    "CREATE TABLE IF NOT EXISTS seeded (name TEXT PRIMARY KEY)",  # defaults shipped once
    # who operated and under which licences: the surgery's, not one user's (any user sees it)
    "CREATE TABLE IF NOT EXISTS surgery_details (subject TEXT NOT NULL, day TEXT NOT NULL,"
    " surgeons TEXT NOT NULL, licenses TEXT NOT NULL, version INTEGER NOT NULL DEFAULT 1,"
    " updated_by TEXT NOT NULL, updated_at TEXT NOT NULL, PRIMARY KEY (subject, day))",
)


class PlanStore:
    """The lab's templates and the users' plans in ``<data dir>/surgery_plans.sqlite``."""

    def __init__(self, data_dir: Path | str) -> None:
        folder = private_dir(data_dir)
        self.path = private_sqlite(folder / FILE_NAME)
        with self._connect() as db:
            for statement in _SCHEMA:
                db.execute(statement)
            for name, steps in DEFAULT_TEMPLATES.items():  # once: a deleted default stays deleted
                if db.execute("INSERT OR IGNORE INTO seeded VALUES (?)", (name,)).rowcount:
                    db.execute(
                        "INSERT OR IGNORE INTO template (name, steps, updated_by, updated_at) "
                        "VALUES (?, ?, ?, ?)",
                        (name, json.dumps(steps), "stemgui", _now()),
                    )

    def _connect(self) -> _Transaction:
        db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return _Transaction(db)

    # ---------------------------------------------------------------- templates

    def templates(self) -> list[Template]:
        """Every template, by name."""
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            rows = db.execute(
                "SELECT id, name, steps, version, updated_by, updated_at FROM template "
                "ORDER BY name COLLATE NOCASE"
            ).fetchall()
        return [Template(r[0], r[1], json.loads(r[2]), r[3], r[4], r[5]) for r in rows]

    def template(self, template_id: int) -> Template:
        """One template; PlanNotFound when it was deleted."""
        found = next((t for t in self.templates() if t.id == template_id), None)
        if found is None:
            raise PlanNotFound("This template was deleted (by you or someone else); choose another.")
        return found

    def create_template(self, name: str, steps: list[dict], username: str) -> Template:
        """A new template; an error naming the field when the name is taken or empty."""
        name, steps = _check_name(name), _check_steps(steps)
        with self._connect() as db:
            try:
                cursor = db.execute(
                    "INSERT INTO template (name, steps, updated_by, updated_at) VALUES (?, ?, ?, ?)",
                    (name, json.dumps(steps), username, _now()),
                )
            except sqlite3.IntegrityError:
                raise StemGuiError(f"Template name: “{name}” is taken; choose another name.") from None
        return self.template(cursor.lastrowid)

    def update_template(
        self,
        template_id: int,
        version: int,
        username: str,
        *,
        name: str | None = None,
        steps: list[dict] | None = None,
    ) -> Template:
        """Rename and/or replace the steps of the template as of `version`; PlanConflict when
        someone saved it since (nothing written)."""
        current = self.template(template_id)
        new_name = _check_name(name) if name is not None else current.name
        new_steps = _check_steps(steps) if steps is not None else current.steps
        with self._connect() as db:
            try:
                changed = db.execute(
                    "UPDATE template SET name = ?, steps = ?, version = version + 1, updated_by = ?, "
                    "updated_at = ? WHERE id = ? AND version = ?",
                    (new_name, json.dumps(new_steps), username, _now(), template_id, version),
                ).rowcount
            except sqlite3.IntegrityError:
                raise StemGuiError(f"Template name: “{new_name}” is taken; choose another name.") from None
        if not changed:
            self.template(template_id)  # deleted meanwhile: say so
            raise PlanConflict(
                "Someone saved this template since you opened it; nothing was changed. "
                "Open it again to see their version."
            )
        return self.template(template_id)

    def delete_template(self, template_id: int, version: int) -> None:
        """Delete the template as of `version` (PlanConflict when it changed since)."""
        with self._connect() as db:
            gone = db.execute(
                "DELETE FROM template WHERE id = ? AND version = ?", (template_id, version)
            ).rowcount
        if not gone:
            self.template(template_id)
            raise PlanConflict("Someone changed this template since you opened it; it was not deleted.")

    # ---------------------------------------------------------------- plans

    def plan(self, username: str, subject: str, day: date) -> Plan | None:
        """The user's plan for `subject` on `day`, or None."""
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            row = db.execute(
                "SELECT steps, version, template FROM plan WHERE username = ? AND subject = ? AND day = ?",
                (username, subject, day.isoformat()),
            ).fetchone()
        return Plan(username, subject, day, json.loads(row[0]), row[1], row[2]) if row else None

    def save_plan(
        self,
        username: str,
        subject: str,
        day: date,
        steps: list[dict],
        version: int | None,
        template: str | None = None,
    ) -> Plan:
        """Create (`version` None) or replace the plan as of `version`; PlanConflict when another tab
        saved it since."""
        steps = _check_steps(steps)
        key = (username, subject, day.isoformat())
        with self._connect() as db:
            if version is None:
                try:
                    db.execute(
                        "INSERT INTO plan (username, subject, day, steps, template, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?)",
                        (*key, json.dumps(steps), template, _now()),
                    )
                except sqlite3.IntegrityError:
                    raise PlanConflict(
                        "A plan for this subject and day was saved meanwhile (another tab?); open it instead."
                    ) from None
            else:
                changed = db.execute(
                    "UPDATE plan SET steps = ?, version = version + 1, template = COALESCE(?, template), "
                    "updated_at = ? WHERE username = ? AND subject = ? AND day = ? AND version = ?",
                    (json.dumps(steps), template, _now(), *key, version),
                ).rowcount
                if not changed:
                    raise PlanConflict(
                        "This plan was changed in another tab since you opened it; "
                        "nothing was written. Reload it."
                    )
        return self.plan(username, subject, day)  # type: ignore[return-value]

    def delete_plan(self, username: str, subject: str, day: date) -> None:
        """Forget the plan (the records already logged stay on the server)."""
        with self._connect() as db:
            db.execute(
                "DELETE FROM plan WHERE username = ? AND subject = ? AND day = ?",
                (username, subject, day.isoformat()),
            )

    def plan_from_template(self, username: str, subject: str, day: date, template_id: int) -> Plan:
        """A new plan from a template (refused when a plan exists: PlanConflict)."""
        template = self.template(template_id)
        return self.save_plan(username, subject, day, template.steps, None, f"template: {template.name}")

    def surgery_details(self, subject: str, day: date) -> SurgeryDetails:
        """The surgeons and licences saved for `subject` on `day` (empty, version None, if none)."""
        with closing(sqlite3.connect(self.path, timeout=10)) as db:
            row = db.execute(
                "SELECT surgeons, licenses, version FROM surgery_details WHERE subject = ? AND day = ?",
                (subject, day.isoformat()),
            ).fetchone()
        if row is None:
            return SurgeryDetails(subject, day, [], [], None)
        return SurgeryDetails(subject, day, json.loads(row[0]), json.loads(row[1]), row[2])

    def save_surgery_details(
        self,
        subject: str,
        day: date,
        surgeons: list[str],
        licenses: list[str],
        version: int | None,
        username: str,
    ) -> SurgeryDetails:
        """Save the surgeons (names, at least one) and licences as of `version` (None: first save);
        PlanConflict when someone saved them since."""
        names = [n.strip() for n in surgeons if isinstance(n, str) and n.strip()]
        if not names:
            raise StemGuiError("Surgeon(s): name at least one surgeon.")
        if len(set(names)) != len(names):
            raise StemGuiError("Surgeon(s): a name is listed twice.")
        values = (json.dumps(names), json.dumps([str(x) for x in licenses]), username, _now())
        with self._connect() as db:
            if version is None:
                try:
                    db.execute(
                        "INSERT INTO surgery_details (surgeons, licenses, updated_by, updated_at, subject, "
                        "day) VALUES (?, ?, ?, ?, ?, ?)",
                        (*values, subject, day.isoformat()),
                    )
                except sqlite3.IntegrityError:
                    raise PlanConflict(
                        "Surgeons and licences were saved meanwhile by someone else; reload to see them."
                    ) from None
            elif not db.execute(
                "UPDATE surgery_details SET surgeons = ?, licenses = ?, updated_by = ?, "
                "updated_at = ?, version = version + 1 WHERE subject = ? AND day = ? "
                "AND version = ?",
                (*values, subject, day.isoformat(), version),
            ).rowcount:
                raise PlanConflict(
                    "Surgeons and licences were changed meanwhile by someone else; reload to see them."
                )
        return self.surgery_details(subject, day)

    def mark_step(self, username: str, subject: str, day: date, index: int, step: Step) -> Plan:
        """Keep what happened to plan step `index` (confirmed with its record/time, or skipped),
        re-reading the plan so a concurrent change to another step is not lost."""
        for _ in range(5):
            plan = self.plan(username, subject, day)
            if plan is None or not 0 <= index < len(plan.steps):
                raise PlanNotFound(
                    "This plan step is gone (the plan was changed or deleted); reload the page."
                )
            steps = copy.deepcopy(plan.steps)
            steps[index] = plan_step_of(step)
            try:
                return self.save_plan(username, subject, day, steps, plan.version)
            except PlanConflict:
                continue
        raise PlanConflict("The plan keeps changing in another tab; reload the page.")


class _Transaction:
    """A connection used as ``with``: BEGIN IMMEDIATE … COMMIT (ROLLBACK on error), then closed.

    IMMEDIATE takes the write lock at the start, so two writers queue instead of both reading
    the old version and one failing at commit."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> sqlite3.Connection:
        self.db.execute("BEGIN IMMEDIATE")
        return self.db

    def __exit__(self, kind, value, traceback) -> None:
        try:
            self.db.execute("ROLLBACK" if kind else "COMMIT")
        finally:
            self.db.close()
