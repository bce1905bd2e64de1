"""Idempotent creates (a bundled-server extension): ``Idempotency-Key`` on a POST.

A client that may send the same create twice (its first answer was lost to a timeout) sends a
key of its choosing with it. The first POST with a key stores key -> the created record's id for
that user, in the create's own transaction; a repeat answers 201 with that record as it is now
(and ``Idempotent-Replayed: true``) instead of creating another. Keys are kept ``KEEP_HOURS``.
Every answer of a list endpoint carries ``SUPPORT_HEADER``, so a client knows before relying on it
(BrainSTEM ignores the header: there the outbox's lookup before a resend is kept).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import DateTime, Index, String, delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import Session as DbSession

from stemgui.server.permissions import Access
from stemgui.server.problems import ApiProblem, bad_request
from stemgui.server.resources import Resource
from stemgui.server.serialize import serialize
from stemgui.server.tables import Base, now

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SUPPORT_HEADER = {"X-Idempotency-Keys": "kept"}
KEEP_HOURS = 24
MAX_KEY_LENGTH = 200


class IdempotencyKey(Base):
    __tablename__ = "idempotency_keys"
    __table_args__ = (Index("ix_idempotency_keys_created_at", "created_at"),)
    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    key: Mapped[str] = mapped_column(String(MAX_KEY_LENGTH), primary_key=True)
    model: Mapped[str] = mapped_column(String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(String(36), nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, nullable=False)


def key_of(headers) -> str | None:
    """The request's key (None without one); a 400 naming the header when it is unusable."""
    key = headers.get(KEY_HEADER)
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise bad_request({KEY_HEADER: [f"Must be 1 to {MAX_KEY_LENGTH} characters."]})
    return key


def replay(db: DbSession, access: Access, resource: Resource, key: str) -> dict | None:
    """The record an earlier POST with ``key`` created (as it is now), or None if there was none."""
    kept = db.get(IdempotencyKey, (access.user.id, key))
    if kept is None or not kept.record_id or kept.created_at < now() - timedelta(hours=KEEP_HOURS):
        return None
    if kept.model != resource.name:
        raise bad_request({KEY_HEADER: [f"This key was used for a {kept.model}; send a new key."]})
    scope = access.scope(resource)
    stmt = select(resource.orm).where(resource.orm.id == kept.record_id)
    row = db.scalar(stmt.where(scope) if scope is not None else stmt)
    if row is None:
        message = f"The {resource.name} this key created was deleted since (or you may no longer read it)."
        raise ApiProblem(409, {"detail": message})
    return serialize(db, resource, [row], access=access)[0]


def claim(db: DbSession, access: Access, resource: Resource, key: str) -> dict | None:
    """Take ``key`` for the create about to run (before it runs, so two POSTs with one key never
    both create); None when taken, else the record a concurrent POST of that key just made."""
    expired = IdempotencyKey.created_at < now() - timedelta(hours=KEEP_HOURS)
    db.execute(delete(IdempotencyKey).where(expired))  # an expired row of this very key too
    try:
        with db.begin_nested():  # the other POST's transaction is waited for, then this one fails
            db.add(IdempotencyKey(user_id=access.user.id, key=key, model=resource.name, record_id=""))
    except IntegrityError:
        earlier = replay(db, access, resource, key)
        if earlier is None:
            message = "A create with this Idempotency-Key is still running; send it again."
            raise ApiProblem(409, {"detail": message}) from None
        return earlier
    return None


def remember(db: DbSession, access: Access, key: str, record_id: str) -> None:
    """Keep ``key`` -> ``record_id``, in the create's transaction."""
    db.execute(
        update(IdempotencyKey)
        .where(IdempotencyKey.user_id == access.user.id, IdempotencyKey.key == key)
        .values(record_id=record_id)
    )
