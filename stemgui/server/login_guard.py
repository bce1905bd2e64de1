"""Failed-login limits of ``POST /api/token/``: per username and per client address.

Counts live in the database (table ``login_failures``), so every server process on one database
shares them. After ``per_username`` wrong passwords for one username, or ``per_address`` from one
client address, that username or address is refused for ``cooldown`` without its password being
checked — also the right one. A success forgets the username's count, not the address's (one
valid account must not reset the count of an address guessing others). Unknown usernames are
counted exactly like known ones, so the limit does not tell which usernames exist. Counts older
than the cooldown start again from zero.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session as DbSession

from stemgui.server.tables import LoginFailure, now

PER_USERNAME = 5
PER_ADDRESS = 20
COOLDOWN_SECONDS = 300.0


@dataclass(frozen=True)
class Limits:
    """How many wrong passwords per username and per address, and how long a lock lasts."""

    per_username: int = PER_USERNAME
    per_address: int = PER_ADDRESS
    cooldown: timedelta = timedelta(seconds=COOLDOWN_SECONDS)


def _username_key(username: str) -> str:
    # hashed: any length and any characters fit the key column, and the table lists no usernames
    digest = hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()
    return f"user:{digest}"


def _keys(username: str, address: str, limits: Limits) -> list[tuple[str, int]]:
    return [(_username_key(username), limits.per_username), (f"addr:{address[:70]}", limits.per_address)]


def wait_seconds(db: DbSession, username: str, address: str, limits: Limits) -> float:
    """Seconds until this username from this address may try again (0: now)."""
    current, waits = now(), [0.0]
    for key, _limit in _keys(username, address, limits):
        row = db.get(LoginFailure, key)
        if row is not None and row.locked_until is not None:
            waits.append((row.locked_until - current).total_seconds())
    return max(waits)


def record_failure(db: DbSession, username: str, address: str, limits: Limits) -> float:
    """Count one wrong password for the username and the address; the lock now running (seconds,
    0 if none). The caller commits."""
    current, wait = now(), 0.0
    for key, limit in _keys(username, address, limits):
        row = db.get(LoginFailure, key, with_for_update=True)
        if row is None:
            row = LoginFailure(key=key, failures=0, last_failure_at=current)
            db.add(row)
        elif current - row.last_failure_at > limits.cooldown:
            row.failures = 0  # a quiet spell: start counting again
        row.failures += 1
        row.last_failure_at = current
        if row.failures >= limit:
            row.locked_until = current + limits.cooldown
            row.failures = 0  # after the lock the full number of tries again
            wait = max(wait, limits.cooldown.total_seconds())
    db.flush()
    return wait


def record_success(db: DbSession, username: str) -> None:
    """Forget the username's failures after a right password. The caller commits."""
    db.execute(delete(LoginFailure).where(LoginFailure.key == _username_key(username)))
