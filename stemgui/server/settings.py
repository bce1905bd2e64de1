"""The bundled server's settings: one frozen object, read from the environment once (issue 11).

``create_app`` (and the command line) read ``Settings.from_env()`` once and ``install`` it; code
deep in a request (password hashing, token expiry, history) asks ``current()``. Nothing else in
``stemgui.server`` reads ``os.environ`` (a test keeps it so). Each variable, its default:

- ``STEMGUI_DATA_DIR``: the data dir holding the default SQLite file (``./data``)
- ``STEMGUI_TOKEN_DAYS``: API token lifetime in days, fractions allowed (30)
- ``STEMGUI_HASHING_CONCURRENCY``: password checks at once (half the CPU cores, at least 1)
- ``STEMGUI_BCRYPT_ROUNDS``: bcrypt cost, 4..16 (12; the test suites use 4)
- ``STEMGUI_LOGIN_MAX_FAILURES`` / ``STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS`` /
  ``STEMGUI_LOGIN_COOLDOWN``: wrong passwords per username / per address, lock seconds (5 / 20 / 300)
- ``STEMGUI_DEVICE_POLL_INTERVAL``: seconds device-login clients wait between polls (5)
- ``STEMGUI_SERVER_WORKERS``: server processes sharing the port, 1..16 (1; ``make run`` sets 2)
- ``STEMGUI_SERVER_DB_URL``: set by ``serve`` for its worker processes, not by hand
- ``STEMGUI_HISTORY``: ``off`` turns per-record history off, for bench/bench_history.py only (on)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from stemgui.server.login_guard import COOLDOWN_SECONDS, PER_ADDRESS, PER_USERNAME, Limits

TOKEN_DAYS = 30.0
BCRYPT_ROUNDS = 12
DEVICE_POLL_SECONDS = 5
DB_URL_VARIABLE = "STEMGUI_SERVER_DB_URL"
MAX_WORKERS = 16  # server processes: more only add memory (each holds its own pool and caches)


def _default_hashing_slots() -> int:
    return max(1, (os.cpu_count() or 2) // 2)


def _hashing_slots(env: Mapping[str, str]) -> int:
    try:
        return max(1, int(env["STEMGUI_HASHING_CONCURRENCY"]))
    except (KeyError, ValueError):
        return _default_hashing_slots()


def _number(env: Mapping[str, str], name: str, default: float, low: float = 0.0) -> float:
    """``env[name]`` as a number of at least ``low``; ``default`` when unset or not a number."""
    try:
        return max(low, float(env.get(name, default)))
    except ValueError:
        return default


@dataclass(frozen=True)
class Settings:
    """Everything the bundled server takes from its environment (defaults: the documented ones)."""

    data_dir: Path = Path("data")
    token_lifetime: timedelta = timedelta(days=TOKEN_DAYS)
    hashing_slots: int = field(default_factory=_default_hashing_slots)
    bcrypt_rounds: int = BCRYPT_ROUNDS
    login_limits: Limits = field(default_factory=Limits)
    device_poll_interval: int = DEVICE_POLL_SECONDS
    history: bool = True
    workers: int = 1
    served_db_url: str = ""

    @property
    def default_db_url(self) -> str:
        """The SQLite file in the data dir (the database when no ``--db`` is given)."""
        return f"sqlite:///{self.data_dir / 'stemgui.sqlite'}"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings in ``environ`` (default: ``os.environ``); a value that is no number falls
        back to its default, as the server always did."""
        env = os.environ if environ is None else environ
        days = _number(env, "STEMGUI_TOKEN_DAYS", TOKEN_DAYS)
        return cls(
            data_dir=Path(env.get("STEMGUI_DATA_DIR") or "data"),
            token_lifetime=timedelta(days=days if days > 0 else TOKEN_DAYS),
            hashing_slots=_hashing_slots(env),
            bcrypt_rounds=min(int(_number(env, "STEMGUI_BCRYPT_ROUNDS", BCRYPT_ROUNDS, low=4)), 16),
            login_limits=Limits(
                per_username=int(_number(env, "STEMGUI_LOGIN_MAX_FAILURES", PER_USERNAME)) or 1,
                per_address=int(_number(env, "STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS", PER_ADDRESS)) or 1,
                cooldown=timedelta(seconds=_number(env, "STEMGUI_LOGIN_COOLDOWN", COOLDOWN_SECONDS)),
            ),
            device_poll_interval=int(_number(env, "STEMGUI_DEVICE_POLL_INTERVAL", DEVICE_POLL_SECONDS)),
            history=env.get("STEMGUI_HISTORY", "on").strip().lower() != "off",
            workers=server_workers(_number(env, "STEMGUI_SERVER_WORKERS", 1, low=1)),
            served_db_url=env.get(DB_URL_VARIABLE, ""),
        )


_installed: Settings | None = None


def server_workers(asked: float) -> int:
    """A number of server processes within 1..``MAX_WORKERS`` (``1e9`` must not fork a billion)."""
    return int(min(max(asked, 1), MAX_WORKERS))


def hand_down_db_url(db_url: str) -> None:
    """Put ``db_url`` in this process's environment for the worker processes it starts next
    (fresh interpreters: the environment is what they inherit)."""
    os.environ[DB_URL_VARIABLE] = db_url


def install(settings: Settings) -> Settings:
    """Make ``settings`` the process's settings (``create_app`` and the command line do)."""
    global _installed
    _installed = settings
    return settings


def current() -> Settings:
    """The installed settings; without an app (a script calling ``admin``), the environment's,
    read on the first call and kept."""
    return _installed if _installed is not None else install(Settings.from_env())
