"""Record versions for optimistic concurrency: ``ETag``/``Last-Modified`` from ``updated_at``, and
the ``If-Match`` / ``If-Unmodified-Since`` preconditions of PATCH, PUT and DELETE.

A write without a precondition header proceeds as on BrainSTEM (last writer wins). With one,
the record is claimed by a single conditional UPDATE (``... WHERE id = ? AND updated_at = ?``)
before anything else is written: on PostgreSQL that row lock makes a concurrent writer wait and
then find the version changed; on SQLite the UPDATE takes the database's write lock. Either way
exactly one of two writers holding the same ETag wins and the other gets 412 with the record
as it is now, in the same envelope as a detail GET.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime

from sqlalchemy import update
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session as DbSession
from sqlalchemy.orm.attributes import set_committed_value

from stemgui.server.problems import ApiProblem, not_found
from stemgui.server.resources import Resource
from stemgui.server.tables import now

STALE = 412


def etag(stamp: datetime | None) -> str | None:
    """The strong ETag of a record version (None for a record without one)."""
    return f'"{stamp:%Y%m%d%H%M%S%f}"' if stamp is not None else None


def version_headers(row) -> dict[str, str]:
    """``ETag`` and ``Last-Modified`` of ``row`` (empty for tables that keep no version)."""
    stamp = getattr(row, "updated_at", None)
    if stamp is None:
        return {}
    return {"ETag": etag(stamp), "Last-Modified": format_datetime(stamp.replace(tzinfo=UTC), usegmt=True)}


@dataclass(frozen=True)
class Precondition:
    """What the caller said the record must still be: ETags (``If-Match``) or a date."""

    etags: tuple[str, ...] = ()  # "*" matches any existing version
    unmodified_since: datetime | None = None

    @classmethod
    def from_headers(cls, headers) -> Precondition | None:
        """The request's precondition, or None without one (or with an unreadable date: RFC 9110
        says to ignore it). ``If-Match`` wins over ``If-Unmodified-Since``, as the RFC says."""
        if_match = headers.get("if-match")
        if if_match is not None:
            return cls(etags=tuple(tag.strip() for tag in if_match.split(",") if tag.strip()))
        since = headers.get("if-unmodified-since")
        if since:
            try:
                parsed = parsedate_to_datetime(since)
            except (TypeError, ValueError):
                return None
            if parsed.tzinfo is not None:
                parsed = parsed.astimezone(UTC).replace(tzinfo=None)
            return cls(unmodified_since=parsed)
        return None

    def holds(self, stamp: datetime) -> bool:
        """Whether the version ``stamp`` is the one the caller expects."""
        if self.etags:
            # strong comparison: a weak tag (W/"...") never matches
            return "*" in self.etags or etag(stamp) in self.etags
        if self.unmodified_since is not None:  # HTTP dates have whole seconds
            return stamp.replace(microsecond=0) <= self.unmodified_since
        return False  # an empty If-Match lists no version at all


def _next_stamp(previous: datetime | None) -> datetime:
    # Always later than the version it replaces, even within one clock tick or after a clock step back.
    current = now()
    if previous is not None and current <= previous:
        return previous + timedelta(microseconds=1)
    return current


def claim(db: DbSession, resource: Resource, row, precondition: Precondition | None, stale_body) -> None:
    """Make this transaction's write the next version of ``row``; 412 if a precondition fails.

    ``stale_body()`` gives the response body of a 412 (the record as it is now). Call before the
    write itself, inside the same transaction.
    """
    table = resource.orm.__table__
    if "updated_at" not in table.c:
        return  # a table without versions: preconditions cannot be checked, the write proceeds
    seen = row.updated_at
    if precondition is not None and not precondition.holds(seen):
        raise _stale(stale_body(), row)
    fresh = _next_stamp(seen)
    stmt = update(table).where(table.c.id == row.id).values(updated_at=fresh)
    if precondition is not None:
        stmt = stmt.where(table.c.updated_at == seen)  # compare-and-set: no race with another writer
    if db.execute(stmt).rowcount != 1:
        try:
            db.refresh(row)  # another writer committed in between: answer with their version
        except InvalidRequestError:  # ... or deleted it
            raise not_found() from None
        raise _stale(stale_body(), row)
    set_committed_value(row, "updated_at", fresh)


def _stale(body: dict, row) -> ApiProblem:
    return ApiProblem(STALE, body, headers=version_headers(row))
