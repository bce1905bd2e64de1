"""The commit: the rows of a dry run written through the app's one write path (the outbox).

Each row is one write (a create, or an update of the fields that differ), so a row is either
written, queued whole, or skipped — never half. Before writing, the outbox's waiting entries are
sent first and the rows are matched again against the records as they are now, so a commit
that is run again (a re-import, or a resume after the backend came back) creates nothing twice;
a row whose create still waits in the outbox is not queued a second time. When the backend goes
down midway, every remaining row is queued in the outbox (without waiting on the backend for each)
and is sent by the outbox like any other save. Nothing here imports Streamlit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from stemgui.errors import AuthError, StemGuiError
from stemgui.importing.dryrun import DryRunResult, RowPlan, match_existing
from stemgui.importing.writing import csv_bytes
from stemgui.outbox import Entry, Outbox, is_backend_down, save_or_queue
from stemgui.outbox_match import record_matches

if TYPE_CHECKING:
    from stemgui.client import BrainstemClient

Progress = Callable[[int, int], None]  # (rows done, rows to write)


@dataclass
class CommitSummary:
    """What a commit did, row by row (sheet row numbers)."""

    created: dict[int, str] = field(default_factory=dict)  # row -> new record id
    updated: dict[int, str] = field(default_factory=dict)
    unchanged: dict[int, str] = field(default_factory=dict)
    queued: dict[int, int] = field(default_factory=dict)  # row -> outbox entry id
    skipped: dict[int, str] = field(default_factory=dict)  # row -> why
    backend_down: str | None = None  # why rows were queued

    @property
    def counts(self) -> dict[str, int]:
        return {
            name: len(getattr(self, name))
            for name in ("created", "updated", "unchanged", "queued", "skipped")
        }

    def report_csv(self) -> bytes:
        """The rows not written now, and why (skipped with their errors, queued in the outbox)."""
        rows = [(row, "skipped", why) for row, why in self.skipped.items()]
        rows += [
            (row, "queued", f"waiting in the outbox (entry {entry}): {self.backend_down or ''}".strip())
            for row, entry in self.queued.items()
        ]
        return csv_bytes(["row", "outcome", "reason"], sorted(rows))


def _refresh(client: BrainstemClient, result: DryRunResult) -> None:
    """Match the rows again against the server's records as they are now."""
    match_existing(result, client.list_all(result.kind))


def commit(
    client: BrainstemClient, outbox: Outbox, result: DryRunResult, progress: Progress | None = None
) -> CommitSummary:
    """Write the dry run's valid rows (creates and updates) through the outbox; rows in error are
    skipped and listed with their messages. Raises AuthError when the token is refused."""
    summary = CommitSummary()
    if outbox.pending():
        flushed = outbox.flush(client.for_writes())
        if flushed.auth_failed:
            raise AuthError(flushed.error or "Your API token was rejected", status_code=401)
        summary.backend_down = flushed.error
    if summary.backend_down is None:
        try:
            _refresh(client, result)
        except StemGuiError as exc:
            if not is_backend_down(exc):
                raise
            summary.backend_down = exc.message
    waiting = [entry for entry in outbox.pending() if entry.model == result.kind]
    for plan in result.rows:
        if plan.action == "error":
            summary.skipped[plan.row] = " ".join(f"[{e.column or 'row'}] {e.message}" for e in plan.errors)
        elif plan.action == "unchanged" and plan.record_id:
            summary.unchanged[plan.row] = plan.record_id
    todo = [plan for plan in result.rows if plan.action in ("create", "update")]
    for done, plan in enumerate(todo, 1):
        if any(_waits(result.kind, plan, entry) for entry in waiting):
            summary.skipped[plan.row] = "already waiting in the outbox from an earlier commit"
        elif summary.backend_down is not None:  # down: queue the rest without asking the backend again
            entry = outbox.add(
                result.kind,
                plan.action,
                plan.payload,
                record_id=plan.record_id,
                last_error=summary.backend_down,
            )
            summary.queued[plan.row] = entry
        else:
            _write(client, outbox, result, plan, summary)
        if progress is not None:
            progress(done, len(todo))
    return summary


def _waits(kind: str, plan: RowPlan, entry: Entry) -> bool:
    """Whether ``entry`` (waiting in the outbox) is this row's write, queued by an earlier commit."""
    if entry.operation != plan.action or entry.record_id != plan.record_id:
        return False
    if plan.action == "update":
        return entry.payload == plan.payload
    return record_matches(kind, plan.payload, entry.payload) and record_matches(
        kind, entry.payload, plan.payload
    )


def _write(
    client: BrainstemClient, outbox: Outbox, result: DryRunResult, plan: RowPlan, summary: CommitSummary
) -> None:
    try:
        # A create's row matched no record when the rows were matched again just before the
        # writes (``_refresh``), so the outbox need not look it up once more before the POST.
        known = [] if plan.action == "create" else None
        saved = save_or_queue(client, outbox, result.kind, plan.payload, plan.record_id, known_matches=known)
    except AuthError:
        raise
    except StemGuiError as exc:  # refused by the server (e.g. a name taken since the dry run)
        details = "; ".join(
            f"{name}: {' '.join(map(str, messages))}"
            for name, messages in (getattr(exc, "field_errors", None) or {}).items()
        )
        summary.skipped[plan.row] = f"{exc.message}{': ' + details if details else ''}"
        return
    if saved.queued:
        summary.queued[plan.row] = saved.entry_id or 0
        summary.backend_down = saved.reason or "the backend did not answer"
        return
    record_id = str((saved.record or {}).get("id") or plan.record_id or "")
    (summary.created if plan.action == "create" else summary.updated)[plan.row] = record_id
    # Written: committing this result again (the backend down, no new dry run possible) must not
    # write the row a second time.
    plan.action, plan.record_id, plan.payload = "unchanged", record_id, {}
