"""The per-username login limit: persisted in the data dir, shared by every tab and process."""

from __future__ import annotations

import stat

import pytest

from stemgui.auth import UserStore
from stemgui.login_limit import LoginLimiter, check_login

PASSWORD = "right password 1"


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(tmp_path) -> UserStore:
    users = UserStore(tmp_path)
    users.bootstrap()
    users.add_user("alice", PASSWORD, "editor")
    return users


def test_five_wrong_passwords_lock_the_username_for_the_cooldown(store, tmp_path):
    clock = Clock()
    limiter = LoginLimiter(tmp_path, max_failures=5, cooldown=300, clock=clock)
    for _ in range(4):
        assert check_login(store, limiter, "alice", "wrong") == (None, "Username or password is incorrect.")
    user, message = check_login(store, limiter, "Alice", "wrong")
    assert user is None and "Too many wrong passwords" in message and "5 minutes" in message
    user, message = check_login(store, limiter, "alice", PASSWORD)  # even the right one is refused now
    assert user is None and "Too many wrong passwords" in message
    clock.now += 301
    user, message = check_login(store, limiter, "alice", PASSWORD)
    assert user is not None and user.username == "alice" and message is None


def test_the_count_is_shared_by_every_limiter_on_the_data_dir(store, tmp_path):
    """A new tab or a second app process starts from the same count (not from zero)."""
    clock = Clock()
    for _ in range(5):
        LoginLimiter(tmp_path, max_failures=5, cooldown=60, clock=clock).failed("alice")
    assert LoginLimiter(tmp_path, max_failures=5, cooldown=60, clock=clock).wait_seconds("ALICE") == 60
    assert stat.S_IMODE((tmp_path / "login-attempts.sqlite").stat().st_mode) == 0o600


def test_a_success_resets_the_count_and_other_usernames_are_unaffected(store, tmp_path):
    limiter = LoginLimiter(tmp_path, max_failures=3, cooldown=60, clock=Clock())
    limiter.failed("alice")
    limiter.failed("alice")
    assert check_login(store, limiter, "alice", PASSWORD)[0] is not None
    limiter.failed("alice")
    limiter.failed("alice")
    assert limiter.wait_seconds("alice") == 0
    for _ in range(3):
        limiter.failed("nobody")  # unknown names are limited the same way
    assert limiter.wait_seconds("nobody") == 60 and limiter.wait_seconds("alice") == 0


@pytest.mark.parametrize(("username", "password"), [("", PASSWORD), ("alice", ""), ("  ", " ")])
def test_empty_fields_are_asked_for_and_not_counted(store, tmp_path, username, password):
    limiter = LoginLimiter(tmp_path, max_failures=1, cooldown=60, clock=Clock())
    assert check_login(store, limiter, username, password) == (None, "Enter your username and password.")
    assert limiter.wait_seconds("alice") == 0
