"""The user store: first run, roles, password rules, file modes, personal tokens."""

import stat

import pytest

from stemgui.auth import (
    INITIAL_PASSWORD_FILE,
    UserError,
    UserStore,
    bcrypt_rounds,
    has_role,
    login_sleep_time,
)

GOOD = "long enough pw"


@pytest.fixture
def store(tmp_path) -> UserStore:
    store = UserStore(tmp_path / "data")
    store.bootstrap()
    return store


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.parametrize(
    ("role", "needed", "ok"),
    [("viewer", "viewer", True), ("viewer", "editor", False), ("editor", "editor", True),
     ("editor", "admin", False), ("admin", "viewer", True), ("admin", "admin", True),
     (None, "viewer", False), ("root", "viewer", False)],
)  # fmt: skip
def test_has_role_orders_viewer_editor_admin(role, needed, ok):
    assert has_role(role, needed) is ok


def test_bootstrap_runs_once(store):
    password = (store.data_dir / INITIAL_PASSWORD_FILE).read_text().strip()
    assert store.bootstrap() is None  # nothing new the second time
    assert store.check_password("admin", password)
    assert mode(store.data_dir) == 0o700 and mode(store.path) == 0o600


def test_bootstrap_repairs_a_loosened_file_mode(store):
    store.path.chmod(0o644)
    store.bootstrap()
    assert mode(store.path) == 0o600


def test_add_change_remove_users(store):
    user = store.add_user("Alice", GOOD, "editor", name="Alice A", email="a@lab.org")
    assert (user.username, user.name, user.email, user.role) == ("alice", "Alice A", "a@lab.org", "editor")
    assert store.check_password("alice", GOOD) and not store.check_password("alice", "wrong one!")
    store.set_role("alice", "viewer")
    assert store.role("alice") == "viewer"
    store.change_password("alice", GOOD, "another good one")
    assert store.check_password("alice", "another good one")
    store.remove_user("alice", acting_user="admin")
    assert store.get("alice") is None
    assert GOOD not in store.path.read_text() and mode(store.path) == 0o600


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda s: s.add_user("admin", GOOD, "viewer"), "already taken"),
        (lambda s: s.add_user("x", GOOD, "viewer"), "Usernames are"),
        (lambda s: s.add_user("bad name", GOOD, "viewer"), "Usernames are"),
        (lambda s: s.add_user("bob", "short", "viewer"), "at least 8"),
        (lambda s: s.add_user("bob", "é" * 40, "viewer"), "at most 72 bytes"),
        (lambda s: s.add_user("bob", GOOD, "superuser"), "Unknown role"),
        (lambda s: s.remove_user("admin", acting_user="admin"), "your own account"),
        (lambda s: s.set_role("admin", "editor"), "At least one admin"),
        (lambda s: s.remove_user("nobody", acting_user="admin"), "no user"),
        (lambda s: s.change_password("admin", "not it at all", GOOD), "not correct"),
    ],
)
def test_user_rules(store, call, message):
    before = store.path.read_text()
    with pytest.raises(UserError, match=message):
        call(store)
    assert store.path.read_text() == before  # nothing half-written


def test_last_admin_cannot_be_removed_by_another_admin(store):
    store.add_user("boss", GOOD, "admin")
    store.remove_user("admin", acting_user="boss")
    with pytest.raises(UserError, match="At least one admin"):
        store.set_role("boss", "viewer")


def test_personal_api_token_is_kept_and_forgotten(store):
    store.set_api_token("admin", "tok-123")
    assert store.api_token("admin") == "tok-123"
    store.set_api_token("admin", None)
    assert store.api_token("admin") is None


@pytest.mark.parametrize(("value", "seconds"), [("0", 0.0), ("1.5", 1.5), ("-3", 0.0), ("nonsense", 0.7)])
def test_login_sleep_time_comes_from_the_environment(monkeypatch, value, seconds):
    monkeypatch.setenv("STEMGUI_LOGIN_SLEEP", value)
    assert login_sleep_time() == seconds


@pytest.mark.parametrize(("value", "rounds"), [(None, 12), ("4", 4), ("2", 4), ("31", 12), ("x", 12)])
def test_bcrypt_cost_is_12_unless_lowered_for_tests(monkeypatch, value, rounds):
    if value is None:
        monkeypatch.delenv("STEMGUI_BCRYPT_ROUNDS", raising=False)
    else:
        monkeypatch.setenv("STEMGUI_BCRYPT_ROUNDS", value)
    assert bcrypt_rounds() == rounds
