"""The outbox test fixtures (a user with a project, a subject and a fresh outbox data dir)."""

from tests.test_outbox import lab, offline, shared_lab  # noqa: F401
