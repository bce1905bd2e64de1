"""A durable, per-user outbox of writes the backend did not acknowledge: nothing typed is lost.

The GUI calls ``save_or_queue`` on submit. When the backend is unreachable, times out or a
gateway answers 502/503/504, the write is stored in ``<data dir>/outbox/<user>.sqlite``
(directory 0700, file 0600; payloads only, never a token) and sent later by ``Outbox.flush``.
The GUI shows ``SaveResult.message`` / ``Outbox.count()`` ("saved locally — N waiting"), lists
``entries()`` with ``retry`` / ``update_payload`` / ``discard``, and on each rerun calls
``flush(client)`` when ``pending()`` is not empty and ``client.ping()`` answers.

Rules that keep every write exactly once:

- Order: ``flush`` sends pending entries oldest first and stops at the first sign that the
  backend is still down (connection failure, timeout, 502-504) or that the token is no longer
  accepted (401); the rest stay pending. While entries are pending, ``save_or_queue`` flushes
  them before saving directly, so an older write never lands after a newer one.
- One sender: a flush holds a lease in the outbox file, taken in a ``BEGIN IMMEDIATE``
  transaction, so two tabs (or processes) of one user never send the same entry concurrently;
  the second flush returns ``busy``. A lease of a dead process on this host, or one older than
  ``outbox_lease.LEASE_SECONDS``, is taken over.
- Idempotent creates: every create carries an ``Idempotency-Key`` (kept in its entry, the same
  on every attempt; a new one when the user edits the payload). A server that keeps keys (the
  bundled one: ``client.keeps_idempotency_keys``) answers a resend with the record the first
  attempt made, so no lookup is needed there, before the first POST or before a resend.
- Duplicate-safe resend on a backend without keys (BrainSTEM): a create may have reached the
  server before the connection broke.
  Each entry remembers whether any attempt of it *may have been applied* (it was sent and the
  answer was lost: a timeout, a broken connection, a gateway error) or certainly was not (the
  connection was refused, no answer to connect, the server refused it). Only a maybe-applied
  create is looked for on the server before it is resent, and it may only take a record that
  it could have made: not one that existed before its first attempt (the matching ids are
  noted before every first POST: ``seen_before``) and not one another entry already claimed
  (each create claims the record it made or found, in ``claims``, kept while any maybe-applied
  create waits). So two identical actions queued while the backend was down make two records,
  and an identical record saved earlier never swallows a queued one. The lookup:
  * session: ``filter{name}=<name>`` (names are unique), and every field the payload sets
    must match the found record (so a colleague's session that took the name meanwhile is not
    mistaken for ours: the POST is sent and its 400 brings the entry back to the user);
  * action (no unique key): ``filter{subject}``, ``filter{type}``, ``filter{coordinates_system}``
    and ``filter{description}`` on the server, then ``date_time`` (servers store a date-time,
    an exact-string filter may miss it), ``details`` and ``coordinates_details`` (with the
    schema defaults the server fills in) and any other field the payload sets are compared in
    Python.
  * procedure: as an action, with ``notes`` in place of ``description``.
  A PATCH is idempotent and is simply resent; a DELETE answered 404 is done.
- Nothing dropped silently: a 400 (or 403, 404 on update, 500) marks the entry ``rejected``
  with the field errors and the message, for the user to edit, retry or discard.
- Never held long: ``save_or_queue`` uses the client's short write timeout (``for_writes``),
  so a hung backend hands the save to the outbox within seconds; a POST that lands after its
  timeout is a maybe-applied entry, found by the lookup above instead of sent again.
- A disk that takes no write (full, read-only) raises ``LocalSaveFailed`` ("Could not save
  locally: <reason>"); nothing is half-written, and reading the outbox still works.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from stemgui import outbox_store as store
from stemgui.catalog import model_info
from stemgui.errors import (
    ApiConnectionError,
    ApiTimeout,
    AuthError,
    EditConflict,
    LocalSaveFailed,
    NotFound,
    ServerError,
    StemGuiError,
)
from stemgui.outbox_lease import LEASE_SCHEMA, FlushLease, held_lease
from stemgui.outbox_match import dedup_key, matching_ids

if TYPE_CHECKING:
    from stemgui.client import BrainstemClient

log = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 10_000
GATEWAY_STATUSES = frozenset({502, 503, 504})
MODELS = ("session", "subject", "action", "procedure")  # subjects: the spreadsheet import
OPERATIONS = ("create", "update", "delete")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")

State = Literal["pending", "rejected"]


@dataclass(frozen=True)
class Entry:
    """One write waiting in the outbox."""

    id: int
    created_at: str
    model: str
    operation: str
    record_id: str | None
    payload: dict
    dedup: dict
    attempts: int
    last_error: str | None
    state: State
    field_errors: dict[str, list[str]]
    version: int
    maybe_applied: bool = False  # an attempt was sent and its answer lost: it may exist on the server
    seen_before: list[str] | None = None  # matching records before the first such attempt (None: unknown)
    idempotency_key: str | None = None  # a create's key, the same on every attempt (None: older entry)
    if_match: str | None = None  # an update's or delete's: the version it was made against (None: any)


@dataclass
class FlushReport:
    """What one flush (or retry) did; ``sent`` maps entry id -> the server's record id."""

    sent: dict[int, str | None] = field(default_factory=dict)
    deduplicated: list[int] = field(default_factory=list)  # creates found already on the server
    rejected: list[int] = field(default_factory=list)
    error: str | None = None  # why the flush stopped early (backend down, token rejected)
    busy: bool = False  # another tab or process is flushing this outbox right now
    auth_failed: bool = False  # the token was rejected (401): the user must sign in again
    remaining: int = 0  # entries still pending afterwards

    @property
    def stopped(self) -> bool:
        return self.busy or self.error is not None


@dataclass(frozen=True)
class SaveResult:
    """The outcome of ``save_or_queue``: saved on the server, or queued in the outbox."""

    queued: bool
    record: dict | None = None  # the server's record when saved
    entry_id: int | None = None  # the outbox entry when queued
    waiting: int = 0  # entries in the outbox (pending + rejected) afterwards
    reason: str | None = None  # why it was queued

    @property
    def message(self) -> str:
        if self.queued:
            return f"Saved locally — {self.waiting} waiting to be sent"
        return "Saved"


class _Stop(Exception):
    """The backend is down or refuses the token: stop flushing, keep the entry pending."""

    def __init__(self, cause: StemGuiError) -> None:
        super().__init__(cause.message)
        self.cause = cause


class Outbox:
    """The outbox of one user: a SQLite file in ``<data_dir>/outbox/``."""

    def __init__(self, data_dir: Path | str, username: str) -> None:
        if not username:
            raise ValueError("The outbox needs the name of the user it belongs to")
        self.username = username
        self.folder = Path(data_dir) / "outbox"
        self.path = self.folder / f"{_file_stem(username)}.sqlite"
        self._ready = False
        # Made on the first write, not here: a page that only shows the count must not fail
        # because the disk is full or the folder read-only (then it reads what is there).
        if self.path.exists():
            self._prepare(quiet=True)

    def _prepare(self, *, quiet: bool = False) -> None:
        """Folder, file and tables, once; LocalSaveFailed (or nothing, ``quiet``) when impossible."""
        if self._ready:
            return
        try:
            store.private_dir(self.folder)
            store.private_file(self.path)
            with self._connect() as conn:
                conn.executescript(store.SCHEMA + LEASE_SCHEMA)
                store.migrate(conn)
                conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('username', ?)",
                             (self.username,))  # fmt: skip
        except (OSError, sqlite3.Error) as exc:
            log.log(logging.INFO if quiet else logging.WARNING, "outbox %s: cannot write %s: %s",
                    self.username, self.path, exc)  # fmt: skip
            if quiet:
                return
            raise store.save_failed(exc, self.folder) from exc
        self._ready = True
        self._check_owner()

    def _check_owner(self) -> None:
        with self._connect() as conn:
            owner = conn.execute("SELECT value FROM meta WHERE key = 'username'").fetchone()
        if owner is not None and owner[0] != self.username:
            raise ValueError(f"{self.path} belongs to another user")

    # -- reading ------------------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        """Every entry (pending and rejected), oldest first."""
        return self._select("1 = 1")

    def pending(self) -> list[Entry]:
        """Entries waiting to be sent, oldest first."""
        return self._select("state = 'pending'")

    def rejected(self) -> list[Entry]:
        """Entries the server refused, waiting for the user, oldest first."""
        return self._select("state = 'rejected'")

    def count(self) -> int:
        """Entries in the outbox: pending plus rejected."""
        return len(self.entries())

    def get(self, entry_id: int) -> Entry | None:
        """One entry, or None if it was sent or discarded."""
        found = self._select("id = ?", (entry_id,))
        return found[0] if found else None

    # -- changing -----------------------------------------------------------------------------

    def add(
        self,
        model: str,
        operation: str,
        payload: dict | None,
        record_id: str | None = None,
        *,
        last_error: str | None = None,
        maybe_applied: bool = False,
        seen_before: list[str] | None = None,
        idempotency_key: str | None = None,
        if_match: str | None = None,
    ) -> int:
        """Queue one write; returns the entry id.

        ``last_error``: why a first try failed; ``maybe_applied``: that try was sent and its
        answer lost (a create is then looked for before it is resent); ``seen_before``: the
        ids of matching records that existed before that try (never taken for this entry's);
        ``idempotency_key``: the key that try was sent with (a create gets a new one by default);
        ``if_match``: an update's or delete's version it was made against, sent with it (a change
        saved by someone else meanwhile is then not overwritten unseen: the entry waits for the user).
        """
        _check_entry(model, operation, record_id)
        payload = dict(payload or {})
        dedup = _dumps(dedup_key(model, operation, payload))
        maybe = maybe_applied and operation == "create"
        seen = _dumps(seen_before) if maybe and seen_before is not None else None
        key = (idempotency_key or new_idempotency_key()) if operation == "create" else None
        version = if_match if operation != "create" else None
        row = (_now(), model, operation, record_id, _dumps(payload), dedup, int(bool(last_error)), last_error,
               int(maybe), seen, key, version)  # fmt: skip
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO entries (created_at, model, operation, record_id, payload, dedup, attempts,"
                " last_error, maybe_applied, seen_before, idempotency_key, if_match)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        log.info("outbox %s: queued %s %s as entry %s", self.username, operation, model, cursor.lastrowid)
        return int(cursor.lastrowid)

    def update_payload(self, entry_id: int, payload: dict) -> bool:
        """Replace an entry's payload (the user edited it); it becomes pending again."""
        entry = self.get(entry_id)
        if entry is None:
            return False
        dedup = _dumps(dedup_key(entry.model, entry.operation, payload))
        # Changed fields were never sent: no record on the server can be this payload's yet.
        changed = _dumps(dict(payload)) != _dumps(entry.payload)
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE entries SET payload = ?, dedup = ?, state = 'pending', field_errors = '{}',"
                " last_error = NULL, version = version + 1 WHERE id = ?",
                (_dumps(dict(payload)), dedup, entry_id),
            )
            if changed:  # and a new key: the old one may have made a record of the old payload
                key = new_idempotency_key() if entry.operation == "create" else None
                conn.execute("UPDATE entries SET maybe_applied = 0, seen_before = NULL, idempotency_key = ?"
                             " WHERE id = ?", (key, entry_id))  # fmt: skip
        return cursor.rowcount == 1

    def discard(self, entry_id: int) -> bool:
        """Remove an entry the user no longer wants sent."""
        with self._write() as conn:
            cursor = conn.execute("DELETE FROM entries WHERE id = ?", (entry_id,))
        if cursor.rowcount:
            log.info("outbox %s: entry %s discarded by the user", self.username, entry_id)
        return cursor.rowcount == 1

    # -- sending ------------------------------------------------------------------------------

    def flush(self, client: BrainstemClient) -> FlushReport:
        """Send every pending entry in order; stop while the backend is down."""
        report = FlushReport()
        with held_lease(self._write) as lease:
            if lease is None:
                report.busy = True
            else:
                self._send_pending(lease, client, report)
        report.remaining = len(self.pending())
        return report

    def _send_pending(self, lease: FlushLease, client: BrainstemClient, report: FlushReport) -> None:
        after = 0
        while (entry := self._next_pending(after)) is not None:
            if not lease.renew():
                report.busy = True  # our lease expired and another flush took over
                return
            after = entry.id
            if not self._deliver(entry, client, report):
                return

    def retry(self, entry_id: int, client: BrainstemClient) -> FlushReport:
        """Send one entry now (also a rejected one)."""
        report = FlushReport()
        with held_lease(self._write) as lease:
            if lease is None:
                report.busy = True
            elif (entry := self.get(entry_id)) is not None:
                self._deliver(entry, client, report)
        report.remaining = len(self.pending())
        return report

    def _deliver(self, entry: Entry, client: BrainstemClient, report: FlushReport) -> bool:
        """Send one entry and record the outcome; False when flushing must stop."""
        self._execute("UPDATE entries SET attempts = attempts + 1 WHERE id = ?", entry.id)
        try:
            record_id, found = self._send(client, entry)
        except _Stop as stop:
            self._note_failure(entry.id, str(stop), state="pending")
            report.error = str(stop)
            report.auth_failed = isinstance(stop.cause, AuthError)
            return False
        except LocalSaveFailed:
            raise  # our disk, not the server's answer: the entry stays as it was
        except EditConflict as exc:  # someone saved the record since: the user decides, not the outbox
            self._note_conflict(entry, exc)
            report.rejected.append(entry.id)
            return True
        except StemGuiError as exc:  # a 400 or 403 names its fields; bring them back with the entry
            field_errors = getattr(exc, "field_errors", None)
            self._note_failure(entry.id, exc.message, state="rejected", field_errors=field_errors)
            report.rejected.append(entry.id)
            return True
        self._mark_done(entry, record_id)
        report.sent[entry.id] = record_id
        if found:
            report.deduplicated.append(entry.id)
        return True

    def _send(self, client: BrainstemClient, entry: Entry) -> tuple[str | None, bool]:
        """Deliver one entry; returns (record id, found-already). Raises _Stop or StemGuiError."""
        try:
            if entry.operation == "create":
                return self._send_create(client, entry)
            if entry.operation == "update":
                client.save_model(entry.model, id=entry.record_id, data=entry.payload,
                                  if_match=entry.if_match)  # fmt: skip
                return entry.record_id, False
            try:
                client.delete_model(entry.model, id=entry.record_id, if_match=entry.if_match)
            except NotFound:
                pass  # deleted before: a first attempt got through, or someone else deleted it
            return entry.record_id, False
        except (ApiConnectionError, ApiTimeout, AuthError) as exc:
            raise _Stop(exc) from exc
        except ServerError as exc:
            if exc.status_code in GATEWAY_STATUSES:
                raise _Stop(exc) from exc
            raise

    def _send_create(self, client: BrainstemClient, entry: Entry) -> tuple[str | None, bool]:
        """Take the record an earlier attempt made, if one may have; else POST (noted first)."""
        if entry.idempotency_key and client.keeps_idempotency_keys is None:
            client.load(entry.model, limit=1)  # one small list answer says whether keys are kept
        if entry.idempotency_key and client.keeps_idempotency_keys:
            return self._send_keyed_create(client, entry)
        matches = matching_ids(client, entry.model, entry.payload)
        if entry.maybe_applied and matches:
            taken = set(entry.seen_before or ()) | self._claimed(entry.model)
            ours = next((record_id for record_id in matches if record_id not in taken), None)
            if ours is not None:
                return ours, True
        # Noted before sending: if this process dies mid-POST the entry is still maybe applied,
        # and a record that exists now can never be taken for the one this POST makes.
        seen = entry.seen_before if entry.maybe_applied and entry.seen_before is not None else matches
        self._execute("UPDATE entries SET maybe_applied = 1, seen_before = ? WHERE id = ?",
                      None if seen is None else _dumps(seen), entry.id)  # fmt: skip
        try:
            body = client.save_model(entry.model, data=entry.payload, idempotency_key=entry.idempotency_key)
        except StemGuiError as exc:
            if not entry.maybe_applied and not write_may_have_landed(exc):
                self._execute("UPDATE entries SET maybe_applied = 0 WHERE id = ?", entry.id)
            raise
        return _record_id(entry.model, body), False

    def _send_keyed_create(self, client: BrainstemClient, entry: Entry) -> tuple[str | None, bool]:
        """POST with the entry's key to a server that keeps keys: if an earlier attempt landed,
        the server answers with that record instead of making a second one. No lookup needed."""
        self._execute("UPDATE entries SET maybe_applied = 1 WHERE id = ?", entry.id)  # before sending
        try:
            body, replayed = client.create_once(entry.model, entry.payload, entry.idempotency_key)
        except StemGuiError as exc:
            if not entry.maybe_applied and not write_may_have_landed(exc):
                self._execute("UPDATE entries SET maybe_applied = 0 WHERE id = ?", entry.id)
            raise
        return _record_id(entry.model, body), replayed

    def _claimed(self, model: str) -> set[str]:
        """Records already claimed by entries (created or found by them)."""
        with self._connect() as conn:
            rows = conn.execute("SELECT record_id FROM claims WHERE model = ?", (model,)).fetchall()
        return {row[0] for row in rows}

    def note_created(self, model: str, record_id: str | None) -> None:
        """A create saved directly made ``record_id``: no waiting entry may take it for its own."""
        if not record_id or not any(e.maybe_applied and e.operation == "create" for e in self.entries()):
            return  # nothing waits that could mistake it (and no write for every save)
        try:
            with self._write() as conn:
                if _maybe_applied_waiting(conn):
                    _claim(conn, model, record_id, None)
        except LocalSaveFailed as exc:  # the record is saved; only the guard could not be noted
            log.warning("outbox %s: could not note %s %s: %s", self.username, model, record_id, exc)

    def _mark_done(self, entry: Entry, record_id: str | None) -> None:
        with self._write() as conn:
            if entry.operation == "create" and record_id:
                _claim(conn, entry.model, record_id, entry.id)
            done = conn.execute(
                "DELETE FROM entries WHERE id = ? AND version = ?", (entry.id, entry.version)
            ).rowcount
            if not done and entry.operation == "create" and record_id:
                # Edited while it was being sent: the record exists now, so the edit is an update.
                conn.execute(
                    "UPDATE entries SET operation = 'update', record_id = ?, dedup = '{}', maybe_applied = 0"
                    " WHERE id = ?",
                    (record_id, entry.id),
                )
            if not _maybe_applied_waiting(conn):
                conn.execute("DELETE FROM claims")  # no entry left that could mistake a record
        log.info("outbox %s: entry %s delivered (%s)", self.username, entry.id, record_id)

    def _note_failure(
        self, entry_id: int, message: str, *, state: State, field_errors: dict | None = None
    ) -> None:
        self._execute(
            "UPDATE entries SET state = ?, last_error = ?, field_errors = ? WHERE id = ?",
            state, message, _dumps(field_errors or {}), entry_id,
        )  # fmt: skip
        log.info("outbox %s: entry %s %s: %s", self.username, entry_id, state, message)

    def _note_conflict(self, entry: Entry, conflict: EditConflict) -> None:
        """A queued update or delete found the record changed by someone else: refuse it with what
        differs, now against the version the user is told about — Retry then sends it over that
        version (and is refused again only if the record changes once more), Discard keeps theirs."""
        if entry.operation == "delete":
            message = (f"Someone changed this {entry.model} on BrainSTEM after your delete was queued; it "
                       "was not deleted. Retry deletes it as it is now; Discard keeps it.")  # fmt: skip
        else:
            current = conflict.current or {}
            differ = [name for name, value in entry.payload.items() if current.get(name, value) != value]
            said = f" Theirs differs from yours in: {', '.join(differ)}." if differ else ""
            message = (f"Someone saved this {entry.model} on BrainSTEM after your change was queued.{said} "
                       "Retry sends yours over theirs; Discard keeps theirs.")  # fmt: skip
        # one statement: an entry that took the new version but stayed pending would be resent
        # over their change unseen if the process stopped between two writes
        self._execute("UPDATE entries SET state = 'rejected', last_error = ?, field_errors = '{}',"
                      " if_match = ? WHERE id = ?", message, conflict.etag, entry.id)  # fmt: skip
        log.info("outbox %s: entry %s rejected: %s", self.username, entry.id, message)

    # -- storage ------------------------------------------------------------------------------

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per operation: Streamlit reruns a script on different threads.
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            yield conn
        finally:
            conn.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock up front (``BEGIN IMMEDIATE``).

        A disk that cannot take it (full, read-only) raises LocalSaveFailed, nothing half-written.
        """
        self._prepare()
        try:
            with self._connect() as conn:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
        except (OSError, sqlite3.OperationalError) as exc:
            if isinstance(exc, sqlite3.OperationalError) and not store.is_storage_error(exc):
                raise
            raise store.save_failed(exc, self.folder) from exc

    def _execute(self, sql: str, *params: Any) -> None:
        with self._write() as conn:
            conn.execute(sql, params)

    def _select(self, where: str, params: tuple = (), limit: int = -1) -> list[Entry]:
        if not self.path.exists():
            return []  # nothing was ever queued (the file is made on the first write)
        sql = f"SELECT * FROM entries WHERE {where} ORDER BY id LIMIT ?"
        try:
            with self._connect() as conn:
                conn.row_factory = sqlite3.Row
                rows = conn.execute(sql, (*params, limit)).fetchall()
        except sqlite3.OperationalError as exc:
            if "no such table" in str(exc):
                return []  # made but never written to (the disk refused the tables)
            if not store.is_storage_error(exc):
                raise
            raise store.save_failed(exc, self.folder) from exc
        return [_entry(row) for row in rows]

    def _next_pending(self, after: int) -> Entry | None:
        found = self._select("state = 'pending' AND id > ?", (after,), limit=1)
        return found[0] if found else None


# -- sending one entry ------------------------------------------------------------------------


def write_may_have_landed(exc: StemGuiError) -> bool:
    """Whether a write that failed with ``exc`` may still have been applied by the server."""
    if isinstance(exc, ApiConnectionError):
        return exc.may_have_arrived  # False only when no connection was ever made
    return isinstance(exc, ApiTimeout | ServerError)  # sent; the answer was lost or is an error


def _maybe_applied_waiting(conn: sqlite3.Connection) -> bool:
    found = conn.execute("SELECT 1 FROM entries WHERE operation = 'create' AND maybe_applied = 1 LIMIT 1")
    return found.fetchone() is not None


def _claim(conn: sqlite3.Connection, model: str, record_id: str, entry_id: int | None) -> None:
    conn.execute(
        "INSERT OR IGNORE INTO claims (model, record_id, entry_id, claimed_at) VALUES (?, ?, ?, ?)",
        (model, str(record_id), entry_id, _now()),
    )


def _record_id(model: str, body: Any) -> str | None:
    record = body.get(model_info(model).detail_key) if isinstance(body, dict) else None
    return record.get("id") if isinstance(record, dict) else None


# -- the call the GUI makes on submit ----------------------------------------------------------


def is_backend_down(exc: StemGuiError) -> bool:
    """Whether a failed save should be queued: unreachable, timed out, or a gateway error."""
    if isinstance(exc, ApiConnectionError | ApiTimeout):
        return True
    return isinstance(exc, ServerError) and exc.status_code in GATEWAY_STATUSES


def save_or_queue(
    client: BrainstemClient,
    outbox: Outbox,
    model: str,
    payload: dict,
    record_id: str | None = None,
    *,
    if_match: str | None = None,
    known_matches: list[str] | None = None,
) -> SaveResult:
    """Save on the server, or queue in the outbox while the backend is down; other errors raise.

    ``known_matches``: for a create, the ids of the records that match it, when the caller has just
    looked them up itself (the spreadsheet import matches every row before writing); spares the
    lookup this function otherwise makes before the POST.

    ``if_match``: the version an update was made against (EditConflict if the record changed
    since). A queued update keeps it and is resent with it: a change someone saves meanwhile is
    not overwritten unseen (the entry then waits on the Outbox page for the user's choice).

    Every call here uses the client's short write timeout (``for_writes``): a hung backend hands
    the save to the outbox within seconds. A create notes first which matching records exist
    already, so that if its answer is lost the record it made is told apart from those.
    """
    operation = "update" if record_id else "create"
    _check_entry(model, operation, record_id)
    writer = client.for_writes()
    if outbox.pending():
        report = outbox.flush(writer)  # older writes first, so that this one lands last
        if report.auth_failed:
            raise AuthError(report.error or "Your API token was rejected", status_code=401)
        if report.stopped:
            reason = report.error or "another tab is sending the waiting entries"
            return _queued(outbox, model, operation, payload, record_id, reason)
    seen, sent = None, False
    key = new_idempotency_key() if operation == "create" else None
    try:
        if operation == "create" and known_matches is not None:
            seen = list(known_matches)  # the caller has just looked (the import's re-match)
        elif operation == "create" and not writer.keeps_idempotency_keys:
            seen = matching_ids(writer, model, payload)  # a backend without keys: note what exists
        sent = True
        body = writer.save_model(model, id=record_id, data=payload, if_match=if_match, idempotency_key=key)
    except StemGuiError as exc:
        if not is_backend_down(exc):
            raise
        maybe = sent and write_may_have_landed(exc)
        return _queued(outbox, model, operation, payload, record_id, exc.message, maybe, seen, key, if_match)
    record = body.get(model_info(model).detail_key) if isinstance(body, dict) else None
    if operation == "create" and record:
        outbox.note_created(model, record.get("id"))
    return SaveResult(queued=False, record=record, waiting=outbox.count())


def delete_or_queue(client: BrainstemClient, outbox: Outbox, model: str, record_id: str,
                    if_match: str | None = None) -> SaveResult:  # fmt: skip
    """Delete on the server, or queue the delete while the backend is down; other errors raise.
    ``if_match``: delete only that version (EditConflict if someone changed it since; a queued
    delete keeps it, as a queued update does)."""
    try:
        client.for_writes().delete_model(model, id=record_id, if_match=if_match)
    except StemGuiError as exc:
        if not is_backend_down(exc):
            raise
        return _queued(outbox, model, "delete", {}, record_id, exc.message, if_match=if_match)
    return SaveResult(queued=False, waiting=outbox.count())


def _queued(
    outbox: Outbox, model: str, operation: str, payload: dict, record_id: str | None, reason: str,
    maybe_applied: bool = False, seen_before: list[str] | None = None, key: str | None = None,
    if_match: str | None = None,
) -> SaveResult:  # fmt: skip
    try:
        entry_id = outbox.add(model, operation, payload, record_id=record_id, last_error=reason,
                              maybe_applied=maybe_applied, seen_before=seen_before,
                              idempotency_key=key, if_match=if_match)  # fmt: skip
    except LocalSaveFailed as exc:  # neither saved nor kept: say both, the form keeps its values
        raise LocalSaveFailed(f"{exc.message}. BrainSTEM did not answer either: {reason}") from exc
    return SaveResult(queued=True, entry_id=entry_id, waiting=outbox.count(), reason=reason)


# -- helpers ----------------------------------------------------------------------------------


def _check_entry(model: str, operation: str, record_id: str | None) -> None:
    if model not in MODELS:
        raise ValueError(f"The outbox keeps sessions, subjects, actions and procedures, not {model!r}")
    if operation not in OPERATIONS:
        raise ValueError(f"Unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}")
    if (operation == "create") == bool(record_id):
        raise ValueError("A create has no record id; an update or delete needs one")


def _file_stem(username: str) -> str:
    """A file name for the user's outbox; names that are not plain become a hash."""
    if _SAFE_NAME.match(username):
        return username
    return "user-" + sha256(username.encode("utf-8")).hexdigest()[:32]


def _entry(row: sqlite3.Row) -> Entry:
    columns = row.keys()  # a file of an older version that could not be migrated (read-only) lacks some
    maybe = bool(row["maybe_applied"]) if "maybe_applied" in columns else row["attempts"] > 0
    seen = row["seen_before"] if "seen_before" in columns else None
    key = row["idempotency_key"] if "idempotency_key" in columns else None
    version = row["if_match"] if "if_match" in columns else None
    return Entry(
        id=row["id"], created_at=row["created_at"], model=row["model"], operation=row["operation"],
        record_id=row["record_id"], payload=json.loads(row["payload"]), dedup=json.loads(row["dedup"]),
        attempts=row["attempts"], last_error=row["last_error"], state=row["state"],
        field_errors=json.loads(row["field_errors"]), version=row["version"],
        maybe_applied=maybe, seen_before=json.loads(seen) if seen else None, idempotency_key=key,
        if_match=version,
    )  # fmt: skip


def new_idempotency_key() -> str:
    """A create's key: random, the same on every attempt of that create."""
    return f"stemgui-{uuid.uuid4()}"


def _dumps(value: Any) -> str:
    # NaN is kept as typed: the server's 400 then brings the entry back to the user.
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
