"""GUI users: the ``auth.yaml`` store, roles, first-run admin, and per-user API tokens.

No Streamlit here. ``stemgui.gui.login`` hands what this module reads to streamlit-authenticator;
every write to ``auth.yaml`` goes through ``UserStore`` so the file stays mode 600 and is
replaced atomically (a half-written file would lock everyone out).
"""

from __future__ import annotations

import copy
import logging
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import bcrypt
import jwt
import yaml

from stemgui.errors import UserError
from stemgui.private_files import private_dir, write_private
from stemgui.yaml_files import read_yaml

log = logging.getLogger(__name__)

ROLES = ("viewer", "editor", "admin")
ROLE_HELP = {
    "viewer": "reads records",
    "editor": "reads and writes records",
    "admin": "reads, writes and manages users",
}
AUTH_FILE = "auth.yaml"
INITIAL_PASSWORD_FILE = "initial-admin-password.txt"
COOKIE_NAME = "stemgui_auth"
USERNAME_PATTERN = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
PASSWORD_MIN = 8
PASSWORD_MAX_BYTES = 72  # bcrypt ignores (5.x: rejects) anything longer
_write_lock = threading.Lock()
# Password checks at once in this process: a burst of logins must not take every core.
_HASHING = threading.BoundedSemaphore(max(1, (os.cpu_count() or 2) // 2))


def has_role(role: str | None, needed: str) -> bool:
    """True if ``role`` includes the rights of ``needed`` (viewer < editor < admin)."""
    if role not in ROLES:
        return False
    return ROLES.index(role) >= ROLES.index(needed)


def login_sleep_time() -> float:
    """Seconds streamlit-authenticator sleeps on each logged-out run (0 in tests)."""
    try:
        return max(0.0, float(os.environ.get("STEMGUI_LOGIN_SLEEP", "0.7")))
    except ValueError:
        return 0.7


def bcrypt_rounds() -> int:
    """bcrypt's cost: 12 (~250 ms a hash); tests lower it with STEMGUI_BCRYPT_ROUNDS (4..12)."""
    try:
        rounds = int(os.environ.get("STEMGUI_BCRYPT_ROUNDS", "12"))
    except ValueError:
        return 12
    return min(max(rounds, 4), 12)


def hash_password(password: str) -> str:
    """A bcrypt hash of ``password`` (checked against the password rules first)."""
    check_password_rules(password)
    return bcrypt.hashpw(password.encode("utf-8"), bcrypt.gensalt(bcrypt_rounds())).decode("ascii")


def check_password_rules(password: str) -> None:
    """UserError unless the password is long enough and fits bcrypt."""
    if len(password.strip()) < PASSWORD_MIN:
        raise UserError(f"The password must have at least {PASSWORD_MIN} characters.")
    if len(password.encode("utf-8")) > PASSWORD_MAX_BYTES:
        raise UserError(f"The password must be at most {PASSWORD_MAX_BYTES} bytes long.")
    if password != password.strip():
        raise UserError("The password must not start or end with spaces.")


@dataclass(frozen=True)
class UserInfo:
    """What the GUI shows about one user (never the hash or tokens)."""

    username: str
    name: str
    email: str
    role: str


class UserStore:
    """The users of one data dir, kept in ``<data dir>/auth.yaml``."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self.path = self.data_dir / AUTH_FILE

    # -- file ---------------------------------------------------------------------------
    def read(self) -> dict:
        """The whole config: ``{"cookie": {...}, "credentials": {"usernames": {...}}}``."""
        try:
            config = read_yaml(self.path) or {}
        except FileNotFoundError:
            config = {}
        config.setdefault("credentials", {}).setdefault("usernames", {})
        if config["credentials"]["usernames"] is None:
            config["credentials"]["usernames"] = {}
        return config

    def write(self, config: dict) -> None:
        """Replace ``auth.yaml`` with ``config`` (mode 600)."""
        write_private(self.path, yaml.safe_dump(config, sort_keys=True, allow_unicode=True))

    def _update(self, change) -> None:
        with _write_lock:
            config = self.read()
            change(config)
            self.write(config)

    # -- first run ------------------------------------------------------------------------
    def bootstrap(self) -> str | None:
        """Create the cookie key and, if there is no user, ``admin``; returns its new password."""
        private_dir(self.data_dir)  # also repairs a data dir an older version left at 755
        with _write_lock:
            config = self.read()
            before = copy.deepcopy(config)
            created_password = None
            cookie = config.setdefault("cookie", {})
            if len(str(cookie.get("key") or "")) < 64:
                cookie["key"] = secrets.token_hex(32)  # 32 random bytes
            cookie.setdefault("name", COOKIE_NAME)
            cookie.setdefault("expiry_days", 30)
            if not config["credentials"]["usernames"]:
                created_password = secrets.token_urlsafe(15)
                config["credentials"]["usernames"]["admin"] = _entry(
                    "Administrator", "admin@localhost", hash_password(created_password), "admin"
                )
                write_private(self.data_dir / INITIAL_PASSWORD_FILE, created_password + "\n")
            if not self.path.exists() or config != before:
                self.write(config)
            os.chmod(self.path, 0o600)  # also repairs a file someone loosened
            return created_password

    def cookie(self) -> dict:
        """``{"name", "key", "expiry_days"}`` for the re-login cookie."""
        return dict(self.read().get("cookie") or {})

    def credentials(self) -> dict:
        """The credentials dict streamlit-authenticator takes (a fresh copy each call)."""
        return self.read()["credentials"]

    # -- users --------------------------------------------------------------------------
    def users(self) -> list[UserInfo]:
        """Every user, sorted by username."""
        entries = self.read()["credentials"]["usernames"]
        return [_info(username, entry) for username, entry in sorted(entries.items())]

    def get(self, username: str | None) -> UserInfo | None:
        """One user, or None."""
        entry = self.read()["credentials"]["usernames"].get((username or "").lower())
        return _info(username.lower(), entry) if entry else None

    def role(self, username: str | None) -> str | None:
        """The role of ``username`` as stored now (None if the user is gone)."""
        user = self.get(username)
        return user.role if user else None

    def add_user(self, username: str, password: str, role: str, name: str = "", email: str = "") -> UserInfo:
        """Create a user; UserError if the name is taken or a rule is broken."""
        username = username.strip().lower()
        if not USERNAME_PATTERN.match(username):
            raise UserError(
                "Usernames are 2-32 characters: lowercase letters, digits, '_', '.', '-', "
                "starting with a letter."
            )
        _check_role(role)
        hashed = hash_password(password)

        def change(config: dict) -> None:
            users = config["credentials"]["usernames"]
            if username in users:
                raise UserError(f"The username '{username}' is already taken.")
            users[username] = _entry(name or username, email or f"{username}@localhost", hashed, role)

        self._update(change)
        return self.get(username)

    def remove_user(self, username: str, acting_user: str) -> None:
        """Delete a user; nobody removes themself or the last admin."""
        if username == acting_user:
            raise UserError("You cannot remove your own account.")

        def change(config: dict) -> None:
            users = config["credentials"]["usernames"]
            if username not in users:
                raise UserError(f"There is no user '{username}'.")
            del users[username]
            _require_an_admin(users)

        self._update(change)

    def set_role(self, username: str, role: str) -> None:
        """Change a user's role; the last admin keeps theirs."""
        _check_role(role)

        def change(config: dict) -> None:
            users = config["credentials"]["usernames"]
            if username not in users:
                raise UserError(f"There is no user '{username}'.")
            users[username]["roles"] = [role]
            _require_an_admin(users)

        self._update(change)

    def check_password(self, username: str, password: str) -> bool:
        """True if ``password`` is the user's current password.

        An unknown username costs one bcrypt check too, so the time the answer takes does not
        tell which usernames exist.
        """
        if not password:
            return False
        entry = self.read()["credentials"]["usernames"].get(username)
        stored = entry["password"] if entry else _dummy_hash(bcrypt_rounds())
        try:
            matches = _checkpw(password, stored)
        except ValueError:
            return False
        return matches and entry is not None

    def change_password(self, username: str, old: str, new: str) -> None:
        """Set a new password after checking the current one; ends the user's other sessions."""
        if not self.check_password(username, old):
            raise UserError("The current password is not correct.")
        self._set_password(username, hash_password(new))

    def reset_password(self, username: str, new: str | None = None) -> str:
        """An admin's reset: ``new`` (checked against the rules) or a random one; returns it.

        Ends every session and re-login cookie of the user and forgets their saved personal
        API token (the bundled server's tokens are renewed by the caller).
        """
        password = new if new else secrets.token_urlsafe(12)
        self._set_password(username, hash_password(password), forget_token=True)
        return password

    def _set_password(self, username: str, hashed: str, forget_token: bool = False) -> None:
        def change(config: dict) -> None:
            entry = config["credentials"]["usernames"].get(username)
            if entry is None:
                raise UserError(f"There is no user '{username}'.")
            entry["password"] = hashed
            entry["session_version"] = int(entry.get("session_version") or 0) + 1
            if forget_token:
                entry.pop("api_token", None)

        self._update(change)

    # -- sessions: re-login cookies and logged-in browser sessions --------------------------------
    def session_version(self, username: str | None) -> int | None:
        """The user's session version (None: no such user). A login or cookie made under an older
        version is no longer valid: logout, a password change and a reset raise it."""
        entry = self.read()["credentials"]["usernames"].get((username or "").lower())
        return int(entry.get("session_version") or 0) if entry else None

    def end_sessions(self, username: str) -> None:
        """End every browser session and re-login cookie of ``username`` (logout)."""

        def change(config: dict) -> None:
            entry = config["credentials"]["usernames"].get(username)
            if entry is not None:
                entry["session_version"] = int(entry.get("session_version") or 0) + 1

        self._update(change)

    def relogin_cookie(self, username: str, cookie_key: str, expires_at: float) -> str:
        """The signed re-login cookie of ``username``, carrying the current session version."""
        claims = {"username": username, "exp_date": expires_at, "session": self.session_version(username)}
        return jwt.encode(claims, cookie_key, algorithm="HS256")

    def relogin_claims(self, cookie: str | None, cookie_key: str, clock=time.time) -> dict | None:
        """The claims of a re-login cookie that is genuine, unexpired and of the user's current
        session version; otherwise None (a cookie from before a logout or password change)."""
        if not cookie:
            return None
        try:
            claims = jwt.decode(cookie, cookie_key, algorithms=["HS256"])
        except jwt.PyJWTError:
            return None
        if not isinstance(claims.get("username"), str) or not isinstance(claims.get("exp_date"), int | float):
            return None
        if claims["exp_date"] <= clock():
            return None
        current = self.session_version(claims["username"])
        if current is None or claims.get("session") != current:
            return None
        return claims

    # -- personal BrainSTEM tokens (only with STEMGUI_API_URL) --------------------------------
    def api_token(self, username: str) -> str | None:
        """The API token the user chose to keep in auth.yaml, if any."""
        entry = self.read()["credentials"]["usernames"].get(username) or {}
        return entry.get("api_token") or None

    def set_api_token(self, username: str, token: str | None) -> None:
        """Keep (or with None, forget) the user's personal API token in auth.yaml."""

        def change(config: dict) -> None:
            entry = config["credentials"]["usernames"][username]
            if token:
                entry["api_token"] = token
            else:
                entry.pop("api_token", None)

        self._update(change)


@lru_cache(maxsize=4)
def _dummy_hash(rounds: int) -> str:
    """A hash no password matches, at the cost of real ones (for unknown usernames)."""
    return bcrypt.hashpw(secrets.token_bytes(16), bcrypt.gensalt(rounds)).decode("ascii")


def _checkpw(password: str, hashed: str) -> bool:
    with _HASHING:
        return bcrypt.checkpw(password.encode("utf-8"), hashed.encode("ascii"))


def _entry(name: str, email: str, hashed: str, role: str) -> dict:
    return {"name": name, "email": email, "password": hashed, "roles": [role]}


def _info(username: str, entry: dict) -> UserInfo:
    roles = entry.get("roles") or []
    role = roles[0] if roles and roles[0] in ROLES else "viewer"
    return UserInfo(username, str(entry.get("name") or username), str(entry.get("email") or ""), role)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise UserError(f"Unknown role {role!r}; choose one of {', '.join(ROLES)}.")


def _require_an_admin(users: dict) -> None:
    if not any("admin" in (entry.get("roles") or []) for entry in users.values()):
        raise UserError("At least one admin must remain.")
