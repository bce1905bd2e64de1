"""Per-username login rate limit, kept in ``<data dir>/login-attempts.sqlite`` (mode 600).

streamlit-authenticator's ``max_login_attempts`` counts per browser session only: a new tab
starts again at zero. This counts per username in the data dir, so every tab, browser and
process of one app shares it. After ``max_failures`` wrong passwords in a row the username is
refused for ``cooldown`` seconds without checking the password; a success resets the count.
Unknown usernames are counted the same way, so the limit does not tell which names exist.
No Streamlit here.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from stemgui.private_files import private_dir, private_sqlite

if TYPE_CHECKING:
    from stemgui.auth import UserInfo, UserStore

FILE = "login-attempts.sqlite"
MAX_FAILURES = 5
COOLDOWN_SECONDS = 300.0
_SCHEMA = """
CREATE TABLE IF NOT EXISTS attempts (
    username TEXT PRIMARY KEY,
    failures INTEGER NOT NULL DEFAULT 0,
    locked_until REAL NOT NULL DEFAULT 0
);
"""


def _env_number(name: str, default: float) -> float:
    try:
        return max(0.0, float(os.environ.get(name, default)))
    except ValueError:
        return default


class LoginLimiter:
    """Counts failed logins per username and refuses a username during its cooldown."""

    def __init__(
        self,
        data_dir: Path | str,
        max_failures: int | None = None,
        cooldown: float | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.path = Path(data_dir) / FILE
        self.max_failures = max_failures or int(_env_number("STEMGUI_LOGIN_MAX_FAILURES", MAX_FAILURES)) or 1
        self.cooldown = (
            _env_number("STEMGUI_LOGIN_COOLDOWN", COOLDOWN_SECONDS) if cooldown is None else cooldown
        )
        self.clock = clock
        if not self.path.parent.exists():
            private_dir(self.path.parent)
        private_sqlite(self.path)
        with self._connect() as conn:
            conn.executescript(_SCHEMA)

    def wait_seconds(self, username: str) -> float:
        """Seconds until ``username`` may try again (0: it may try now)."""
        with self._connect() as conn:
            row = conn.execute(
                "SELECT locked_until FROM attempts WHERE username = ?", (_norm(username),)
            ).fetchone()
        return max(0.0, row[0] - self.clock()) if row else 0.0

    def failed(self, username: str) -> float:
        """Count one wrong password; returns the cooldown now running (0 if none yet)."""
        name, now = _norm(username), self.clock()
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute("SELECT failures FROM attempts WHERE username = ?", (name,)).fetchone()
            failures = (row[0] if row else 0) + 1
            locked_until = now + self.cooldown if failures >= self.max_failures else 0.0
            if locked_until:
                failures = 0  # after the cooldown the user gets the full number of tries again
            conn.execute(
                "INSERT INTO attempts (username, failures, locked_until) VALUES (?, ?, ?) "
                "ON CONFLICT(username) DO UPDATE SET failures = excluded.failures, "
                "locked_until = excluded.locked_until",
                (name, failures, locked_until),
            )
            conn.execute("COMMIT")
        return max(0.0, locked_until - now)

    def succeeded(self, username: str) -> None:
        """Forget the failures of ``username`` after a correct password."""
        with self._connect() as conn:
            conn.execute("DELETE FROM attempts WHERE username = ?", (_norm(username),))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def cooldown_message(seconds: float) -> str:
    """What the login page says while a username is locked."""
    minutes = max(1, round(seconds / 60))
    unit = "minute" if minutes == 1 else "minutes"
    return (
        f"Too many wrong passwords for this username. Try again in about {minutes} {unit}, "
        "or ask an admin to reset your password."
    )


def _norm(username: str) -> str:
    return (username or "").strip().lower()


def check_login(
    store: UserStore, limiter: LoginLimiter, username: str, password: str
) -> tuple[UserInfo | None, str | None]:
    """(the user, None) for a right password; (None, what to tell the person) otherwise."""
    name = _norm(username)
    if not name or not password:
        return None, "Enter your username and password."
    wait = limiter.wait_seconds(name)
    if wait:
        return None, cooldown_message(wait)  # refused without looking at the password
    if store.check_password(name, password):
        limiter.succeeded(name)
        return store.get(name), None
    wait = limiter.failed(name)
    return None, cooldown_message(wait) if wait else "Username or password is incorrect."
