"""A full or read-only outbox folder (issue 9 item 10): pages still read the outbox, a save
that cannot be queued says "Could not save locally: <reason>" (a StemGuiError the forms show
at the form, keeping what was typed), nothing is half-written, and a folder that is already
private is never chmod-ed.
"""

from __future__ import annotations

import sqlite3
import stat

import pytest

from stemgui.errors import LocalSaveFailed
from stemgui.outbox import Outbox, save_or_queue
from tests.outbox.disks import full_disk, immutable


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_an_immutable_outbox_folder_is_read_never_chmodded_and_a_save_says_could_not_save_locally(
    lab, offline
):
    """Issue 9 item 10: chattr +i on the folder (a real read-only folder, also for root)."""
    waiting = save_or_queue(offline, lab.outbox(), "session", lab.payload("session"))
    folder = lab.data_dir / "outbox"
    with immutable(folder):
        box = Outbox(lab.data_dir, lab.username)  # used to chmod the folder: PermissionError
        assert box.count() == 1 and [e.id for e in box.pending()] == [waiting.entry_id]
        with pytest.raises(LocalSaveFailed) as failed:
            save_or_queue(offline, box, "session", lab.payload("session"))
        assert failed.value.message.startswith("Could not save locally: no permission to write")
        newcomer = Outbox(lab.data_dir, "newcomer")  # no file yet, and none can be made
        assert newcomer.count() == 0 and not newcomer.path.exists()
        with pytest.raises(LocalSaveFailed, match="^Could not save locally: ") as failed:
            save_or_queue(offline, newcomer, "action", lab.payload("action"))
        assert "BrainSTEM did not answer either: Could not reach" in failed.value.message
        assert mode(folder) == 0o700
    assert lab.outbox().count() == 1  # nothing half-written
    assert len(lab.outbox().flush(lab.client).sent) == 1


def test_a_full_disk_real_tmpfs_says_could_not_save_locally_and_writes_nothing(lab, offline):
    """Issue 9 item 10: the outbox folder on a real, full filesystem."""
    with full_disk(lab.data_dir / "outbox"):
        box = Outbox(lab.data_dir, lab.username)
        with pytest.raises(LocalSaveFailed) as failed:
            save_or_queue(offline, box, "action", lab.payload("action"))
        assert failed.value.message.startswith("Could not save locally: the disk is full")
        assert "free some disk space" in failed.value.message
        assert box.count() == 0


def test_a_full_disk_simulated_sqlite_full_at_the_insert_says_could_not_save_locally(
    lab, offline, monkeypatch
):
    """Issue 9 item 10, simulated (runs without root): SQLite answers SQLITE_FULL to the INSERT."""
    box = lab.outbox()
    box.add("session", "create", lab.payload("session"))  # the file exists and works
    real_connect = sqlite3.connect

    class FullDisk(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.lstrip().upper().startswith("INSERT INTO ENTRIES"):
                full = sqlite3.OperationalError("database or disk is full")
                full.sqlite_errorname = "SQLITE_FULL"
                raise full
            return super().execute(sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, **k, factory=FullDisk))
    with pytest.raises(LocalSaveFailed, match="^Could not save locally: the disk is full"):
        save_or_queue(offline, box, "session", lab.payload("session"))
    monkeypatch.undo()
    assert box.count() == 1


def test_a_loose_outbox_folder_is_made_private_on_the_first_write(tmp_path):
    """Issue 9 item 10: modes are tightened only when looser than private."""
    (tmp_path / "outbox").mkdir(mode=0o755)
    (tmp_path / "outbox").chmod(0o755)
    box = Outbox(tmp_path, "alice")
    assert mode(tmp_path / "outbox") == 0o755 and not box.path.exists()  # reading changes nothing
    box.add("session", "create", {"name": "draft"})
    assert (mode(tmp_path / "outbox"), mode(box.path)) == (0o700, 0o600)
