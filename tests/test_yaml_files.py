"""stemgui.yaml_files: the data dir's YAML files are parsed once per content, never served stale."""

from __future__ import annotations

import os

import pytest

from stemgui.auth import UserStore
from stemgui.yaml_files import read_yaml


def test_a_change_by_another_writer_is_seen_at_once_even_with_the_same_size_and_time(tmp_path):
    """Another process may rewrite the file within one timestamp tick and to the same size (a
    token replaced by another): the text decides, not the file's size or time."""
    path = tmp_path / "api-users.yaml"
    path.write_text("ada:\n  token: aaaa\n")
    stamp = path.stat().st_mtime_ns
    assert read_yaml(path) == {"ada": {"token": "aaaa"}}
    path.write_text("ada:\n  token: bbbb\n")
    os.utime(path, ns=(stamp, stamp))
    assert read_yaml(path) == {"ada": {"token": "bbbb"}}


def test_each_caller_gets_its_own_copy(tmp_path):
    path = tmp_path / "auth.yaml"
    path.write_text("credentials:\n  usernames:\n    ada: {role: editor}\n")
    mine = read_yaml(path)
    mine["credentials"]["usernames"]["ada"]["role"] = "admin"
    assert read_yaml(path)["credentials"]["usernames"]["ada"]["role"] == "editor"


def test_a_missing_file_is_still_an_error(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_yaml(tmp_path / "nothing.yaml")


def test_a_password_change_through_the_store_is_read_back_at_once(tmp_path):
    """The session version a password change bumps (ending other sessions) is read back at once,
    through the parse cache, from a second UserStore as another Streamlit process would."""
    store, other = UserStore(tmp_path), UserStore(tmp_path)
    store.bootstrap()
    store.add_user("ada", "first password 1", "editor", name="Ada")
    before = other.session_version("ada")
    store.change_password("ada", "first password 1", "second password 2")
    assert other.session_version("ada") != before
