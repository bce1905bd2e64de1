"""Issue 14 item 4: the offline copy of the Surgery day page is keyed by user, subject and date."""

from datetime import date

from stemgui.config import Settings, load_settings
from stemgui.offline_key import backend_identity, surgery_day_key, user_cache_key
from tests.serverproc import free_port


def _old_user_key(username: str, backend_url: str) -> str:
    """Today's stemgui.gui.ui.user_key(): the user and the backend's URL, port included."""
    return f"{username}@{backend_url}"


def test_bundled_restart_on_new_port_keeps_the_key(tmp_path):
    """Issue 14 item 4: the bundled server restarted on another port: the key is the same (the old
    key, made of the URL, changed — which is why the page lost its offline copy)."""
    settings = load_settings({"STEMGUI_DATA_DIR": str(tmp_path)}, secrets_path=tmp_path / "none.toml")
    first, second = f"http://127.0.0.1:{free_port()}/", f"http://127.0.0.1:{free_port() + 1}/"
    assert _old_user_key("alice", first) != _old_user_key("alice", second)
    day = date(2026, 11, 28)
    assert surgery_day_key("alice", "subj-1", day, settings) == surgery_day_key(
        "alice", "subj-1", day, settings
    )
    assert user_cache_key("alice", settings) == f"alice@bundled:{tmp_path.resolve()}"


def test_key_names_what_it_is(tmp_path):
    """Issue 14 item 4: another user, subject, date or data dir is another copy."""
    one = Settings(data_dir=tmp_path / "a", api_url=None)
    key = surgery_day_key("alice", "subj-1", date(2026, 11, 28), one)
    assert key == ("surgery day", f"alice@bundled:{(tmp_path / 'a').resolve()}", "subj-1", "2026-11-28")
    assert key != surgery_day_key("bob", "subj-1", date(2026, 11, 28), one)
    assert key != surgery_day_key("alice", "subj-2", date(2026, 11, 28), one)
    assert key != surgery_day_key("alice", "subj-1", date(2026, 11, 27), one)
    assert key != surgery_day_key("alice", "subj-1", date(2026, 11, 28), Settings(tmp_path / "b", None))


def test_configured_backend_named_by_its_url(tmp_path):
    """Issue 14 item 4: a configured backend is its URL (trailing slash and host case aside)."""
    assert backend_identity(Settings(tmp_path, "https://WWW.brainstem.org/")) == "https://www.brainstem.org"
    assert backend_identity(Settings(tmp_path, "https://www.brainstem.org")) == "https://www.brainstem.org"
    assert backend_identity(Settings(tmp_path, "http://lab:8765/")) != backend_identity(
        Settings(tmp_path, "http://lab:8766/")
    )
