"""Issue 17 item 3: saves that never hang and creates that are never made twice.

A save waits at most the write timeout (2.5 s by default, ``STEMGUI_WRITE_TIMEOUT``), and a
create is sent with an ``Idempotency-Key`` instead of being looked up first: a resend of a
create whose first attempt landed late gets the record that attempt made (real bundled server,
real outbox, a proxy that holds the POST until the test lets it land).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from stemgui.client import BrainstemClient
from stemgui.config import write_timeout
from stemgui.outbox import save_or_queue
from tests.faults import SleepyServer
from tests.outbox.test_write_path import held_posts


def test_the_default_write_timeout_queues_a_hung_save_within_three_seconds():
    """Issue 17 item 3: the default budget of a save is at most 3 s (connect and read, never
    both), and STEMGUI_WRITE_TIMEOUT still sets it."""
    connect, read = write_timeout({})
    assert max(connect, read) <= 3.0
    assert write_timeout({"STEMGUI_WRITE_TIMEOUT": "1"}) == (1.0, 1.0)
    assert write_timeout({"STEMGUI_WRITE_TIMEOUT": "8"})[1] == 8.0


def test_a_save_to_a_hung_backend_is_queued_after_one_write_timeout(lab):
    """Issue 17 item 3: against a backend that accepts and never answers, the save is queued
    after one wait of the write timeout the app uses (the client's long read timeout is not waited)."""
    with (
        SleepyServer(delay=60) as sleepy,
        BrainstemClient(
            sleepy.url,
            lab.token,
            timeout=(2, 30),
            write_timeout=write_timeout({"STEMGUI_WRITE_TIMEOUT": "0.5"}),
        ) as hung,
    ):
        assert hung.for_writes().timeout == (0.5, 0.5)
        result = save_or_queue(hung, lab.outbox(), "session", lab.payload("session"))
        assert result.queued and "did not answer in time" in result.reason
        assert sleepy.requests == 1  # one request waited out, not one per step


def test_the_bundled_server_answers_a_repeated_key_with_the_first_record(lab):
    """Issue 17 item 3: two POSTs with one key make one record; the second says it is a replay."""
    payload = lab.payload("session")
    first, replayed_first = lab.client.create_once("session", payload, "key-" + payload["name"])
    again, replayed_again = lab.client.create_once("session", payload, "key-" + payload["name"])
    assert (replayed_first, replayed_again) == (False, True)
    assert again["session"]["id"] == first["session"]["id"]
    assert len(lab.matching("session", payload)) == 1
    assert lab.client.keeps_idempotency_keys is True


def test_a_create_that_lands_late_is_resent_with_its_key_and_made_once(lab):
    """Issue 17 item 3: no lookup GET before the POST (the old save path made one on every
    create); the POST hangs, is queued, lands late; the resend carries the same key and the
    server answers with the late record: exactly one record."""
    payload = lab.payload("action")
    with held_posts(lab) as (held, hung):
        hung.load("action", limit=1)  # the page the form was opened from: keys are kept here
        gets_before = held.proxy.received["GET"]
        result = save_or_queue(hung, lab.outbox(), "action", payload)
        assert held.proxy.received["GET"] == gets_before  # no lookup before the create
        held.decide("land")
    assert result.queued
    [entry] = lab.outbox().pending()
    assert entry.maybe_applied and entry.idempotency_key
    [landed] = lab.matching("action", payload)
    report = lab.outbox().flush(lab.client)
    assert report.sent == {result.entry_id: landed["id"]} and report.deduplicated == [result.entry_id]
    assert len(lab.matching("action", payload)) == 1


def test_a_create_that_never_landed_is_made_by_its_resend(lab):
    """Issue 17 item 3: the key does not stop a create whose first attempt never arrived."""
    payload = lab.payload("session")
    with held_posts(lab) as (held, hung):
        hung.load("session", limit=1)
        result = save_or_queue(hung, lab.outbox(), "session", payload)
        held.decide("drop")
    report = lab.outbox().flush(lab.client)
    [made] = lab.matching("session", payload)
    assert report.sent == {result.entry_id: made["id"]} and report.deduplicated == []


def test_two_posts_of_one_key_at_the_same_moment_make_one_record(lab):
    """Issue 17 item 3: a resend that reaches the server while the first attempt still runs
    (a slow server) waits for it and answers with its record: never two records."""
    payload = lab.payload("session")
    key = "race-" + payload["name"]
    start = threading.Barrier(4)

    def post() -> str:
        with BrainstemClient(lab.url, lab.token) as client:
            start.wait()
            body, _ = client.create_once("session", payload, key)
            return body["session"]["id"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda _: post(), range(4)))
    assert len(set(ids)) == 1
    assert len(lab.matching("session", payload)) == 1
