"""Issue 9 items 3 and 4 on the server: /api/token/ costs the same for unknown users, is limited
per username and per client address, checks passwords a bounded number at a time; tokens expire,
can be revoked (``POST /api/token/revoke/``), and die when their user's password changes.

Each test module here starts its own servers (SQLite and PostgreSQL) so that its wrong passwords
never count against the address of the shared test server.
"""

from __future__ import annotations

import sqlite3
import statistics
import threading
import time
import uuid
from datetime import timedelta

import bcrypt
import pytest
import requests
from sqlalchemy import update

from stemgui.server import admin, security
from stemgui.server.db import sessionmaker_for
from stemgui.server.tables import Token, now
from tests.conftest import POSTGRES_MISSING_REASON, POSTGRES_URL
from tests.serverproc import ServerProcess, create_postgres_database

PRIVATE = "api/private/stem/project/"
PER_USERNAME = 5
PER_ADDRESS = 8


class TunedServer(ServerProcess):
    """A server process with its own settings in the environment."""

    def __init__(self, db_url, data_dir, **settings: str) -> None:
        super().__init__(db_url, data_dir)
        self.settings = settings

    @property
    def env(self) -> dict[str, str]:
        return {**super().env, **self.settings}


def db_url_for(kind: str, tmp_path_factory) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp_path_factory.mktemp('tokens') / 'stemgui.sqlite'}"
    if not POSTGRES_URL:
        pytest.skip(POSTGRES_MISSING_REASON)
    return create_postgres_database(POSTGRES_URL)


@pytest.fixture(scope="module", params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def guarded(request, tmp_path_factory):
    """A server with small login limits (5 per username, 8 per address, 5 minutes)."""
    db_url = db_url_for(request.param, tmp_path_factory)
    proc = TunedServer(db_url, tmp_path_factory.mktemp("guarded"),
                       STEMGUI_LOGIN_MAX_FAILURES=str(PER_USERNAME),
                       STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS=str(PER_ADDRESS),
                       STEMGUI_LOGIN_COOLDOWN="300").start()  # fmt: skip
    yield proc
    proc.stop()


def new_user(proc: ServerProcess, prefix: str = "u") -> tuple[str, str]:
    username = f"{prefix}-{uuid.uuid4().hex[:10]}"
    password = f"pw-{username}"
    admin.ensure_user(proc.db_url, username, f"{username}@example.org", password)
    return username, password


def address() -> str:
    """A client address of its own for one test (the server trusts X-Forwarded-For from loopback,
    as it does from a reverse proxy on the same machine)."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def login(proc: ServerProcess, username: str, password: str, client: str) -> requests.Response:
    return requests.post(proc.url + "api/token/", json={"username": username, "password": password},
                         headers={"X-Forwarded-For": client}, timeout=60)  # fmt: skip


def get(proc: ServerProcess, token: str | None, path: str = PRIVATE) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.get(proc.url + path, headers=headers, timeout=30)


def revoke(proc: ServerProcess, token: str | None, body: dict | None = None) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return requests.post(proc.url + "api/token/revoke/", json=body or {}, headers=headers, timeout=30)


# ------------------------------------------------------------------- item 3: limits


def test_wrong_passwords_lock_the_username_even_for_the_right_password(guarded):
    """Issue 9 item 3: 5 wrong passwords, then the right one, is refused (429, Retry-After)."""
    username, password = new_user(guarded)
    for _ in range(PER_USERNAME - 1):
        assert login(guarded, username, "wrong", address()).status_code == 400
    locked = login(guarded, username, "wrong", address())
    assert locked.status_code == 400  # the 5th wrong one is still answered as wrong ...
    refused = login(guarded, username, password, address())  # ... and then even the right one waits
    assert refused.status_code == 429, refused.text
    assert 0 < int(refused.headers["Retry-After"]) <= 300
    assert "Too many failed logins" in refused.json()["detail"]
    other, other_password = new_user(guarded)
    assert login(guarded, other, other_password, address()).status_code == 200  # others unaffected


def test_unknown_usernames_are_locked_the_same_way(guarded):
    """Issue 9 item 3: the limit does not tell which usernames exist."""
    known, _ = new_user(guarded)
    unknown = f"nobody-{uuid.uuid4().hex[:10]}"
    answers = {}
    for name in (known, unknown):
        tries = range(PER_USERNAME + 1)
        answers[name] = [login(guarded, name, "wrong", address()).status_code for _ in tries]
    assert answers[known] == answers[unknown] == [400] * PER_USERNAME + [429]


def test_wrong_passwords_from_one_address_lock_that_address(guarded):
    """Issue 9 item 3: an address guessing many usernames is refused; other addresses are not."""
    guesser, bystander = address(), address()
    for _ in range(PER_ADDRESS):
        assert login(guarded, f"guess-{uuid.uuid4().hex[:8]}", "wrong", guesser).status_code == 400
    username, password = new_user(guarded)
    assert login(guarded, username, password, guesser).status_code == 429
    assert login(guarded, username, password, bystander).status_code == 200


def test_a_right_password_resets_the_username_count(guarded):
    username, password = new_user(guarded)
    for _ in range(PER_USERNAME - 1):
        login(guarded, username, "wrong", address())
    assert login(guarded, username, password, address()).status_code == 200
    for _ in range(PER_USERNAME - 1):
        assert login(guarded, username, "wrong", address()).status_code == 400
    assert login(guarded, username, password, address()).status_code == 200


def test_unknown_user_costs_one_password_check_like_a_known_one(tmp_path, monkeypatch):
    """Issue 9 item 3: an unknown username runs bcrypt exactly as a known one (real SQLite file;
    bcrypt is counted, not replaced)."""
    db_url = f"sqlite:///{tmp_path / 'count.sqlite'}"
    admin.ensure_user(db_url, "alice", "alice@example.org", "right password")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda *a: calls.append(1) or real(*a))
    with sessionmaker_for(db_url)() as db:
        assert security.authenticate(db, "alice", "wrong password") is None
        known = len(calls)
        assert security.authenticate(db, "nobody", "wrong password") is None
        unknown = len(calls) - known
    assert known == unknown == 1


def test_unknown_and_known_usernames_take_as_long(tmp_path_factory):
    """Issue 9 item 3: with production-like bcrypt cost, an unknown username is answered no faster
    than a known one with a wrong password (medians, generous ratio; figures in bench_login)."""
    db_url = f"sqlite:///{tmp_path_factory.mktemp('timing') / 'stemgui.sqlite'}"
    unlimited = {"STEMGUI_LOGIN_MAX_FAILURES": "1000", "STEMGUI_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000"}
    data_dir = tmp_path_factory.mktemp("timing-data")
    proc = TunedServer(db_url, data_dir, STEMGUI_BCRYPT_ROUNDS="10", **unlimited).start()
    try:
        username, _ = new_user(proc)
        times: dict[str, list[float]] = {username: [], "nobody-at-all": []}
        for _ in range(7):
            for name, taken in times.items():  # interleaved: load on the machine hits both alike
                started = time.perf_counter()
                assert login(proc, name, "wrong", "10.0.0.1").status_code == 400
                taken.append(time.perf_counter() - started)
        known, unknown = (statistics.median(taken) for taken in times.values())
        assert unknown > 0.4 * known, (known, unknown)  # before: ~7 ms against ~60 ms
    finally:
        proc.stop()


def test_password_checks_run_a_bounded_number_at_a_time(tmp_path, monkeypatch):
    """Issue 9 item 3: 8 concurrent logins never run more than STEMGUI_HASHING_CONCURRENCY bcrypt
    checks at once (real uvicorn on loopback in this process, so bcrypt can be watched)."""
    import uvicorn

    from stemgui.backend import free_port
    from stemgui.server import settings
    from stemgui.server.app import create_app

    monkeypatch.setattr(settings, "_installed", settings.current())  # create_app installs its own
    monkeypatch.setenv("STEMGUI_HASHING_CONCURRENCY", "1")
    monkeypatch.setenv("STEMGUI_BCRYPT_ROUNDS", "8")
    db_url = f"sqlite:///{tmp_path / 'slots.sqlite'}"
    admin.ensure_user(db_url, "alice", "alice@example.org", "right password")
    running, most = [0], [0]
    lock = threading.Lock()
    real = bcrypt.checkpw

    def watched(*args):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        try:
            time.sleep(0.05)  # widen each check so that overlaps cannot be missed
            return real(*args)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(bcrypt, "checkpw", watched)
    port = free_port()
    config = uvicorn.Config(create_app(db_url), host="127.0.0.1", port=port, log_level="error")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        proc = ServerProcess(db_url, tmp_path, port=port)
        proc.wait_until_responds()
        answers = []
        logins = [threading.Thread(target=lambda i=i: answers.append(
            login(proc, f"user{i}", "wrong", f"10.1.1.{i}").status_code)) for i in range(8)]  # fmt: skip
        for t in logins:
            t.start()
        for t in logins:
            t.join()
        assert sorted(answers) == [400] * 8
        assert most[0] == 1
    finally:
        server.should_exit = True
        thread.join(timeout=10)


# ------------------------------------------------------------------- item 4: tokens


def test_a_token_carries_its_expiry_and_works_until_then(guarded):
    """Issue 9 item 4: tokens expire (STEMGUI_TOKEN_DAYS, default 30)."""
    username, password = new_user(guarded)
    token = login(guarded, username, password, address()).json()["token"]
    with sessionmaker_for(guarded.db_url)() as db:
        expires = db.get(Token, security.token_hash(token)).expires_at
    assert timedelta(days=29.9) < expires - now() <= timedelta(days=30)
    assert get(guarded, token).status_code == 200


def _set_token_times(db_url: str, token: str, **values) -> None:
    with sessionmaker_for(db_url).begin() as db:
        db.execute(update(Token).where(Token.key_hash == security.token_hash(token)).values(**values))


def test_an_expired_token_is_refused(guarded):
    """Issue 9 item 4 (attack: expired token)."""
    username, password = new_user(guarded)
    token = guarded.token(username, password)
    _set_token_times(guarded.db_url, token, expires_at=now() - timedelta(seconds=1))
    refused = get(guarded, token)
    assert refused.status_code == 401 and refused.json() == {"detail": "Invalid token."}
    assert get(guarded, token, "api/public/stem/session/").status_code == 401  # not anonymous either


def test_a_token_from_before_expiry_existed_lives_a_lifetime_from_its_creation(guarded):
    """Issue 9 item 4: tokens of an older database (no expiry stored) do not live forever."""
    username, password = new_user(guarded)
    young, old = guarded.token(username, password), guarded.token(username, password)
    _set_token_times(guarded.db_url, young, expires_at=None, created_at=now() - timedelta(days=29))
    _set_token_times(guarded.db_url, old, expires_at=None, created_at=now() - timedelta(days=31))
    assert get(guarded, young).status_code == 200
    assert get(guarded, old).status_code == 401


def test_revoke_ends_the_presenting_token_only(guarded):
    """Issue 9 item 4 (attack: revoked token): POST /api/token/revoke/."""
    username, password = new_user(guarded)
    first, second = guarded.token(username, password), guarded.token(username, password)
    answer = revoke(guarded, first)
    assert answer.status_code == 200 and answer.json() == {"revoked": 1}
    assert get(guarded, first).status_code == 401
    assert revoke(guarded, first).status_code == 401  # a revoked token cannot revoke again
    assert get(guarded, second).status_code == 200


def test_revoke_all_ends_every_token_of_the_user_and_no_one_elses(guarded):
    username, password = new_user(guarded)
    other, other_password = new_user(guarded)
    tokens = [guarded.token(username, password) for _ in range(3)]
    bystander = guarded.token(other, other_password)
    assert revoke(guarded, tokens[0], {"all": True}).json() == {"revoked": 3}
    assert [get(guarded, t).status_code for t in tokens] == [401, 401, 401]
    assert get(guarded, bystander).status_code == 200


@pytest.mark.parametrize(
    ("token", "body", "status"),
    [(None, {}, 401), ("not-a-token", {}, 401), ("valid", {"all": "yes"}, 400)],
)
def test_revoke_refuses_missing_and_bad_tokens(guarded, token, body, status):
    """Issue 9 item 4 (attack: no token, a made-up token)."""
    if token == "valid":
        token = guarded.token(*new_user(guarded))
    assert revoke(guarded, token, body).status_code == status


def test_a_password_change_revokes_that_users_tokens(guarded):
    """Issue 9 item 4 (attack: another user's token after their password change)."""
    victim, password = new_user(guarded)
    other, other_password = new_user(guarded)
    stolen = guarded.token(victim, password)
    kept = guarded.token(other, other_password)
    admin.ensure_user(guarded.db_url, victim, f"{victim}@example.org", "a new password")
    assert get(guarded, stolen).status_code == 401
    assert get(guarded, kept).status_code == 200
    assert get(guarded, guarded.token(victim, "a new password")).status_code == 200


def test_setting_the_same_password_again_keeps_the_tokens(guarded):
    """The GUI's launcher re-applies its API users' passwords: that must not revoke anything."""
    username, password = new_user(guarded)
    token = guarded.token(username, password)
    admin.ensure_user(guarded.db_url, username, f"{username}@example.org", password)
    assert get(guarded, token).status_code == 200


def test_the_cli_password_reset_revokes_tokens(guarded):
    username, password = new_user(guarded)
    token = guarded.token(username, password)
    assert guarded.adduser(username, "reset by cli", email=f"{username}@example.org").returncode == 0
    assert get(guarded, token).status_code == 401


def test_tokens_of_an_older_database_keep_working_after_the_upgrade(tmp_path):
    """Issue 9 item 4: a database from before token expiry and login limits is migrated; its
    tokens live a lifetime from their creation (see above), the limits start counting."""
    db_file = tmp_path / "old.sqlite"
    proc = ServerProcess(f"sqlite:///{db_file}", tmp_path)
    assert proc.adduser("old", "old password").returncode == 0
    token = admin.issue_token(proc.db_url, "old")
    with sqlite3.connect(db_file) as conn:  # what the older version lacked
        conn.execute("ALTER TABLE tokens DROP COLUMN expires_at")
        conn.execute("DROP TABLE login_failures")
    proc.start()
    try:
        assert get(proc, token).status_code == 200
        assert login(proc, "old", "wrong", address()).status_code == 400
        assert login(proc, "old", "old password", address()).status_code == 200
    finally:
        proc.stop()
    with sqlite3.connect(db_file) as conn:
        assert "expires_at" in {row[1] for row in conn.execute("PRAGMA table_info(tokens)")}
