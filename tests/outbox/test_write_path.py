"""The save path under a hung or refused backend: queued within the write timeout, and every
queued create delivered exactly once — a repeat of an identical action is a second record,
an answer that was lost never becomes a second one (issue 9 items 7 and 11).

Real bundled server, real outbox files, real HTTP; the faults are real sockets: a closed port,
a server that never answers (``SleepyServer``), and a proxy that holds every POST until the
test lets it land on the server late or drops it unsent (``FaultProxy`` with a hook).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from stemgui.client import BrainstemClient
from stemgui.outbox import Outbox, save_or_queue
from tests.faults import FaultProxy, SleepyServer

QUICK_WRITES = (2, 1)  # (connect, read): keeps the hung-POST tests short


class HeldPosts:
    """Every POST through ``proxy`` waits; ``land()`` forwards the next one late, ``drop()`` never."""

    def __init__(self, upstream: str) -> None:
        self.verdicts: list[str] = []
        self.decided = threading.Condition()
        self.proxy = FaultProxy(upstream, before_forward=self._hold)

    def _hold(self, handler) -> None:
        if handler.command != "POST":
            return
        with self.decided:
            if not self.decided.wait_for(lambda: self.verdicts or self.proxy.stopping.is_set(), timeout=60):
                raise ConnectionError("never decided")
            verdict = self.verdicts.pop(0) if self.verdicts else "drop"
        if verdict == "drop":
            raise ConnectionError("dropped by the test")  # the proxy closes it; nothing forwarded

    def decide(self, *verdicts: str) -> None:
        """Let the held POSTs go, oldest first, and wait until every one has landed or dropped."""
        with self.decided:
            self.verdicts.extend(verdicts)
            self.decided.notify_all()
        deadline = time.monotonic() + 30
        while self.proxy.in_flight and time.monotonic() < deadline:
            time.sleep(0.05)
        assert self.proxy.in_flight == 0


@contextmanager
def held_posts(lab, write_timeout=QUICK_WRITES) -> Iterator[tuple[HeldPosts, BrainstemClient]]:
    held = HeldPosts(lab.url)
    with held.proxy, BrainstemClient(held.proxy.url, lab.token, write_timeout=write_timeout) as client:
        yield held, client


def test_two_identical_actions_queued_while_refused_make_two_records(lab, offline):
    """Issue 9 item 7: a repeat logged while the backend refused connections is not dropped."""
    payload = lab.payload("action")
    first = save_or_queue(offline, lab.outbox(), "action", payload)
    second = save_or_queue(offline, lab.outbox(), "action", payload)
    assert [e.maybe_applied for e in lab.outbox().pending()] == [False, False]  # neither was sent
    report = lab.outbox().flush(lab.client)
    records = lab.matching("action", payload)
    assert len(records) == 2 and report.deduplicated == []
    assert sorted(report.sent.values()) == sorted(r["id"] for r in records)
    assert set(report.sent) == {first.entry_id, second.entry_id}


def save_in_two_tabs_at_once(lab, client: BrainstemClient, payload: dict) -> list:
    """The same action saved in two tabs at the same moment (both POSTs sent before either is queued)."""
    barrier, results = threading.Barrier(2), []

    def save() -> None:
        barrier.wait()
        results.append(save_or_queue(client, lab.outbox(), "action", payload))

    tabs = [threading.Thread(target=save) for _ in range(2)]
    for tab in tabs:
        tab.start()
    for tab in tabs:
        tab.join(30)
    return results


def test_identical_creates_whose_answers_were_lost_each_claim_only_their_own_record(lab):
    """Issue 9 item 7: of two lost POSTs one landed, one never did: one entry takes the landed
    record, the other is sent — never matched to the record the first entry claimed."""
    payload = lab.payload("action")
    with held_posts(lab) as (held, hung):
        results = save_in_two_tabs_at_once(lab, hung, payload)
        assert [r.queued for r in results] == [True, True] and held.proxy.received["POST"] == 2
        assert [e.maybe_applied for e in lab.outbox().pending()] == [True, True]
        held.decide("land", "drop")
    [landed] = lab.matching("action", payload)
    report = lab.outbox().flush(lab.client)
    records = lab.matching("action", payload)
    assert len(records) == 2 and len(report.sent) == 2 and len(report.deduplicated) == 1
    assert report.sent[report.deduplicated[0]] == landed["id"]


def test_two_lost_creates_that_both_landed_are_two_records_and_nothing_is_resent(lab):
    """Issue 9 item 7: each entry takes one of the two records; no third POST."""
    payload = lab.payload("action")
    with held_posts(lab) as (held, hung):
        results = save_in_two_tabs_at_once(lab, hung, payload)
        held.decide("land", "land")
        report = lab.outbox().flush(lab.client)
        posts = held.proxy.received["POST"]
    records = lab.matching("action", payload)
    assert len(records) == 2 and posts == 2
    assert sorted(report.deduplicated) == sorted(r.entry_id for r in results)
    assert sorted(report.sent.values()) == sorted(r["id"] for r in records)


def test_an_identical_action_saved_earlier_never_swallows_a_queued_one(lab):
    """Issue 9 item 7: a record made online before the queued save's POST cannot be its own."""
    payload = lab.payload("action")
    earlier = save_or_queue(lab.client, lab.outbox(), "action", payload)
    assert not earlier.queued
    with held_posts(lab) as (held, hung):
        queued = save_or_queue(hung, lab.outbox(), "action", payload)
        held.decide("drop")  # the POST never reached the server
    [entry] = lab.outbox().pending()
    assert entry.maybe_applied and entry.seen_before == [earlier.record["id"]]
    report = lab.outbox().flush(lab.client)
    assert report.deduplicated == [] and queued.entry_id in report.sent
    assert len(lab.matching("action", payload)) == 2


def test_a_hung_backend_queues_the_save_within_seconds_and_the_late_landing_is_not_duplicated(lab):
    """Issue 9 item 11: the POST hangs; the save is queued within the write timeout (not the
    20 s read timeout of this client), and after the POST lands late the flush makes no second."""
    payload = lab.payload("session")
    with held_posts(lab, write_timeout=(3.05, 5)) as (held, hung):
        assert hung.timeout == (2, 20) or hung.timeout  # reads keep their own, longer timeout
        slow_reads = BrainstemClient(held.proxy.url, lab.token, timeout=(2, 20))
        started = time.monotonic()
        result = save_or_queue(slow_reads, lab.outbox(), "session", payload)
        took = time.monotonic() - started
        held.decide("land")
    assert result.queued and "did not answer in time" in result.reason
    assert took < 10, f"the save was held {took:.1f} s"
    [created] = lab.matching("session", payload)  # the late POST did create it
    report = lab.outbox().flush(lab.client)
    assert report.sent == {result.entry_id: created["id"]} and report.deduplicated == [result.entry_id]
    assert len(lab.matching("session", payload)) == 1


def test_a_backend_that_never_answers_queues_the_save_without_sending_it(lab):
    """Issue 9 item 11: the lookup before the POST times out: queued, certainly not applied."""
    payload = lab.payload("action")
    with SleepyServer(delay=60) as sleepy, BrainstemClient(sleepy.url, lab.token, timeout=(2, 20)) as hung:
        started = time.monotonic()
        result = save_or_queue(hung, lab.outbox(), "action", payload)
        took = time.monotonic() - started
        requests_seen = sleepy.requests
    assert result.queued and took < 10 and requests_seen == 1  # the lookup only; no POST
    [entry] = lab.outbox().pending()
    assert not entry.maybe_applied
    assert lab.outbox().flush(lab.client).deduplicated == [] and len(lab.matching("action", payload)) == 1


def test_an_outbox_file_of_the_previous_version_is_upgraded_and_a_tried_create_counts_as_maybe_applied(
    lab, offline
):
    """Issue 9 item 7: files written before ``maybe_applied`` existed keep working."""
    folder = lab.data_dir / "outbox"
    folder.mkdir(mode=0o700)
    with sqlite3.connect(folder / f"{lab.username}.sqlite") as conn:
        conn.executescript(OLD_SCHEMA)
        conn.execute("INSERT INTO meta VALUES ('username', ?)", (lab.username,))
        conn.execute(
            "INSERT INTO entries (created_at, model, operation, payload, dedup, attempts, last_error)"
            " VALUES ('2026-01-01T00:00:00+00:00', 'session', 'create', ?, '{}', 1, 'timed out')",
            (f'{{"name": "{lab.payload("session")["name"]}", "projects": ["{lab.project}"]}}',),
        )
    [entry] = Outbox(lab.data_dir, lab.username).pending()
    assert entry.maybe_applied and entry.seen_before is None
    assert save_or_queue(offline, lab.outbox(), "session", lab.payload("session")).waiting == 2
    assert len(lab.outbox().flush(lab.client).sent) == 2


OLD_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT, created_at TEXT NOT NULL, model TEXT NOT NULL,
    operation TEXT NOT NULL, record_id TEXT, payload TEXT NOT NULL, dedup TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, state TEXT NOT NULL DEFAULT 'pending',
    field_errors TEXT NOT NULL DEFAULT '{}', version INTEGER NOT NULL DEFAULT 1
);
"""


def test_an_identical_action_saved_directly_while_a_lost_one_waits_refused_is_never_taken_for_it(lab):
    """Issue 9 item 7: a record saved online after the lost attempt is claimed by that save, so
    retrying the refused entry later sends it instead of taking the other record for its own."""
    payload = lab.payload("action")
    box = lab.outbox()
    lost = box.add("action", "create", payload, last_error="timed out", maybe_applied=True, seen_before=[])
    box._note_failure(lost, "refused", state="rejected")  # as a refusal would: it no longer blocks saves
    direct = save_or_queue(lab.client, box, "action", payload)
    assert not direct.queued
    report = box.retry(lost, lab.client)
    assert report.deduplicated == [] and report.sent[lost] != direct.record["id"]
    assert len(lab.matching("action", payload)) == 2


def test_an_edited_entry_no_longer_counts_its_earlier_attempts(lab):
    """Issue 9 item 7: fields changed by the user were never sent; an identical record that
    exists now is someone else's, not this entry's."""
    payload = lab.payload("action")
    box = lab.outbox()
    entry = box.add("action", "create", {**payload, "description": "first try"}, last_error="timed out",
                    maybe_applied=True, seen_before=[])  # fmt: skip
    lab.client.save_model("action", data=payload)  # a colleague logs exactly what the edit will say
    assert box.update_payload(entry, payload)
    assert not box.get(entry).maybe_applied
    report = box.flush(lab.client)
    assert report.deduplicated == [] and len(lab.matching("action", payload)) == 2
