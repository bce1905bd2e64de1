"""The outbox: writes made while the backend is down are kept, sent once, and never lost.

Real bundled server on loopback, real SQLite outbox files, real HTTP; faults are real sockets
(a closed port, a proxy answering 503, a proxy that loses the answer to a POST, a proxy that
holds a request until the test lets it go).
"""

from __future__ import annotations

import socket
import sqlite3
import stat
import subprocess
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import AuthError, ValidationFailed
from stemgui.outbox import Outbox, delete_or_queue, save_or_queue
from stemgui.outbox_match import record_matches
from tests.faults import ClosedPort, FaultProxy, FlakyProxy
from tests.outbox.proxies import LostResponseProxy

TIMEOUT = (2, 20)


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


@dataclass
class Lab:
    """One user on the shared server with a project, a subject and an outbox data dir."""

    url: str
    username: str
    token: str
    client: BrainstemClient
    project: str
    subject: str
    data_dir: Path

    def outbox(self) -> Outbox:
        return Outbox(self.data_dir, self.username)

    def connect(self, url: str | None = None, attempts: int = 3) -> BrainstemClient:
        return BrainstemClient(url or self.url, self.token, timeout=TIMEOUT, attempts=attempts)

    def payload(self, model: str, **fields) -> dict:
        if model == "session":
            return {"name": unique("Session"), "projects": [self.project], "description": "day 1", **fields}
        return {
            "type": "VirusInjection",
            "subject": self.subject,
            "description": unique("injection"),
            "date_time": "2024-05-01",
            "details": {"injectionVolume": 300, "injectionRate": 2},
            "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "coordinates_details": {"apCoordinate": -2, "mlCoordinate": 1.5, "dvCoordinate": 1},
            **fields,
        }

    def matching(self, model: str, payload: dict) -> list[dict]:
        """Records on the server that a create of ``payload`` made."""
        key = "name" if model == "session" else "description"
        found = self.client.list_all(model, filters={key: payload[key]})
        return [record for record in found if record_matches(model, payload, record)]


def _make_lab(server, data_dir: Path) -> Lab:
    username, token = server.new_user("outbox")
    client = BrainstemClient(server.url, token, timeout=TIMEOUT)
    project = client.save_model("project", data={"name": unique("Project"), "description": ""})
    species = client.save_model("species", data={"name": unique("Species"), "description": ""})
    strain_data = {"name": unique("Strain"), "description": "", "species": species["species"]["id"]}
    strain = client.save_model("strain", data=strain_data)
    project_id = project["project"]["id"]
    subject_data = {"name": unique("Rat"), "strain": strain["strain"]["id"], "sex": "F"}
    subject = client.save_model("subject", data={**subject_data, "projects": [project_id]})
    return Lab(server.url, username, token, client, project_id, subject["subject"]["id"], data_dir)


@pytest.fixture(scope="module")
def shared_lab(server, tmp_path_factory) -> Iterator[Lab]:
    made = _make_lab(server, tmp_path_factory.mktemp("outbox"))
    yield made
    made.client.close()


@pytest.fixture
def lab(shared_lab, tmp_path) -> Lab:
    """The module's user with a fresh outbox data dir (records are uniquely named per test)."""
    return replace(shared_lab, data_dir=tmp_path)


@pytest.fixture
def offline(lab) -> Iterator[BrainstemClient]:
    """A client of the same user pointed at a port where nothing listens."""
    with ClosedPort() as port, lab.connect(port.url, attempts=1) as client:
        yield client


@pytest.mark.parametrize("model", ["session", "action"])
def test_offline_save_is_queued_and_survives_reopening(lab, offline, model):
    payload = lab.payload(model)
    result = save_or_queue(offline, lab.outbox(), model, payload)
    assert (result.queued, result.record, result.waiting) == (True, None, 1)
    assert result.message == "Saved locally — 1 waiting to be sent"
    [entry] = Outbox(lab.data_dir, lab.username).pending()  # a fresh object reads the file
    assert (entry.id, entry.model, entry.operation) == (result.entry_id, model, "create")
    assert (entry.payload, entry.state, entry.attempts) == (payload, "pending", 1)
    assert "Could not reach" in entry.last_error
    assert lab.matching(model, payload) == []


@pytest.mark.parametrize("model", ["session", "action"])
def test_flush_after_the_backend_returns_delivers_exactly_once(lab, offline, model):
    payload = lab.payload(model)
    entry_id = save_or_queue(offline, lab.outbox(), model, payload).entry_id
    stopped = lab.outbox().flush(offline)
    assert (stopped.sent, stopped.remaining, stopped.stopped) == ({}, 1, True)
    report = lab.outbox().flush(lab.client)
    [record] = lab.matching(model, payload)
    assert (report.sent, report.deduplicated, report.rejected) == ({entry_id: record["id"]}, [], [])
    assert (report.remaining, report.error, lab.outbox().count()) == (0, None, 0)
    again = lab.outbox().flush(lab.client)
    assert (again.sent, len(lab.matching(model, payload))) == ({}, 1)


@pytest.mark.parametrize("model", ["session", "action"])
def test_a_create_whose_answer_was_lost_is_not_duplicated(lab, model):
    payload = lab.payload(model)
    with LostResponseProxy(lab.url, drops=1) as proxy, lab.connect(proxy.url) as through_proxy:
        result = save_or_queue(through_proxy, lab.outbox(), model, payload)
    assert result.queued and (proxy.forwarded["POST"], proxy.dropped["POST"]) == (1, 1)
    [created] = lab.matching(model, payload)  # the server did create it
    report = lab.outbox().flush(lab.client)
    assert (report.sent, report.deduplicated) == ({result.entry_id: created["id"]}, [result.entry_id])
    assert [r["id"] for r in lab.matching(model, payload)] == [created["id"]]


def test_an_action_without_description_is_found_by_comparing_fields(lab):
    payload = lab.payload("action", description="")  # no description filter: compared in Python
    lab.client.save_model("action", data={**payload, "date_time": "2024-05-02"})  # a near twin
    with LostResponseProxy(lab.url, drops=2) as proxy, lab.connect(proxy.url) as through_proxy:
        entry_id = save_or_queue(through_proxy, lab.outbox(), "action", payload).entry_id
        report = lab.outbox().flush(through_proxy)  # the lookup (GET) passes, no POST is sent
    assert (report.deduplicated, proxy.forwarded["POST"]) == ([entry_id], 1)
    found = lab.client.list_all("action", filters={"subject": lab.subject})
    assert len([r for r in found if record_matches("action", payload, r)]) == 1


def test_a_gateway_error_on_save_is_queued(lab):
    payload = lab.payload("session")

    def fail_the_post(handler) -> None:  # the lookup before the POST passes, the POST gets the 503
        if handler.command == "GET":
            proxy.fail_next(1, 503)

    with FaultProxy(lab.url, before_forward=fail_the_post) as proxy, lab.connect(proxy.url) as through_proxy:
        result = save_or_queue(through_proxy, lab.outbox(), "session", payload)
    assert result.queued and "HTTP 503" in result.reason and proxy.received["POST"] == 1
    assert lab.matching("session", payload) == []


def test_a_validation_error_on_save_is_raised_not_queued(lab):
    with pytest.raises(ValidationFailed) as failed:
        save_or_queue(lab.client, lab.outbox(), "session", {"name": unique("S"), "projects": []})
    assert "projects" in failed.value.field_errors
    assert lab.outbox().count() == 0


def test_a_queued_entry_the_server_rejects_comes_back_with_field_errors(lab, offline):
    payload = lab.payload("session")
    entry_id = save_or_queue(offline, lab.outbox(), "session", payload).entry_id
    # Meanwhile a colleague takes the name for another session.
    lab.client.save_model("session", data={**payload, "description": "someone else's"})
    report = lab.outbox().flush(lab.client)
    assert (report.sent, report.rejected, report.remaining) == ({}, [entry_id], 0)
    entry = lab.outbox().get(entry_id)
    assert (entry.state, entry.payload, lab.outbox().count()) == ("rejected", payload, 1)
    assert list(entry.field_errors) == ["name"] and entry.last_error
    renamed = {**payload, "name": unique("Session")}
    assert lab.outbox().update_payload(entry_id, renamed)
    assert lab.outbox().get(entry_id).state == "pending"
    assert lab.outbox().flush(lab.client).sent.keys() == {entry_id}
    assert len(lab.matching("session", renamed)) == 1 and lab.outbox().count() == 0


def test_a_queued_entry_refused_as_read_only_comes_back_with_field_errors(server, lab, tmp_path):
    reader_name, reader_token = server.new_user("reader")
    members = {f"{reader_name}@example.org": {"can_change": False}}
    lab.client.save_model("project", id=lab.project, data={"users": members})
    reader = replace(lab, username=reader_name, token=reader_token, data_dir=tmp_path / "reader")
    payload = lab.payload("session")
    with ClosedPort() as port, reader.connect(port.url, attempts=1) as offline_reader:
        entry_id = save_or_queue(offline_reader, reader.outbox(), "session", payload).entry_id
    with reader.connect() as online_reader:
        report = reader.outbox().flush(online_reader)
    assert (report.sent, report.rejected) == ({}, [entry_id])
    entry = reader.outbox().get(entry_id)
    assert (entry.state, entry.payload) == ("rejected", payload)
    assert "read-only" in entry.field_errors["projects"][0]
    assert lab.matching("session", payload) == []


def test_retry_sends_one_rejected_entry_after_the_cause_is_gone(lab, offline):
    payload = lab.payload("session")
    entry_id = save_or_queue(offline, lab.outbox(), "session", payload).entry_id
    other = lab.client.save_model("session", data={**payload, "description": "other"})["session"]
    assert lab.outbox().flush(lab.client).rejected == [entry_id]
    lab.client.delete_model("session", id=other["id"])
    report = lab.outbox().retry(entry_id, lab.client)
    [record] = lab.matching("session", payload)
    assert (report.sent, lab.outbox().count()) == ({entry_id: record["id"]}, 0)


def test_a_rejected_token_stops_the_flush_and_is_not_hidden_as_saved_locally(lab, offline):
    entry_id = save_or_queue(offline, lab.outbox(), "session", lab.payload("session")).entry_id
    with BrainstemClient(lab.url, "not-a-valid-token", timeout=TIMEOUT) as signed_out:
        report = lab.outbox().flush(signed_out)
        with pytest.raises(AuthError):
            save_or_queue(signed_out, lab.outbox(), "session", lab.payload("session"))
    assert (report.sent, report.auth_failed, report.remaining) == ({}, True, 1)
    assert [e.id for e in lab.outbox().pending()] == [entry_id]


@pytest.mark.parametrize("status, state", [(503, "pending"), (502, "pending"), (500, "rejected")])
def test_a_failing_server_during_flush_keeps_the_entry(lab, status, state):
    record = lab.client.save_model("session", data=lab.payload("session"))["session"]
    entry_id = lab.outbox().add("session", "update", {"tags": ["x"]}, record_id=record["id"])
    with FlakyProxy(lab.url, failures=10, status=status) as proxy, lab.connect(proxy.url) as failing:
        report = lab.outbox().flush(failing)
    entry = lab.outbox().get(entry_id)
    assert (entry.state, entry.attempts, f"HTTP {status}" in entry.last_error) == (state, 1, True)
    rejected = [entry_id] if state == "rejected" else []
    assert (report.error is not None, report.rejected, report.sent) == (state == "pending", rejected, {})


def test_discard_and_edit(lab):
    outbox = lab.outbox()
    first = outbox.add("session", "create", lab.payload("session"))
    second = outbox.add("action", "update", {"description": "edited"}, record_id=str(uuid.uuid4()))
    assert [e.id for e in outbox.pending()] == [first, second] and outbox.count() == 2
    assert outbox.update_payload(second, {"description": "edited again"})
    assert outbox.get(second).payload == {"description": "edited again"}
    assert outbox.discard(first) and outbox.get(first) is None
    assert not outbox.discard(first) and not outbox.update_payload(first, {})
    assert [e.id for e in Outbox(lab.data_dir, lab.username).entries()] == [second]


@pytest.mark.parametrize(
    "model, operation, record_id",
    [("project", "create", None), ("session", "upsert", None), ("session", "create", "x"),
     ("action", "update", None), ("action", "delete", None)],
)  # fmt: skip
def test_add_refuses_what_it_cannot_send(tmp_path, model, operation, record_id):
    outbox = Outbox(tmp_path, "someone")
    with pytest.raises(ValueError):
        outbox.add(model, operation, {}, record_id=record_id)
    assert outbox.count() == 0


def test_queued_update_and_delete_are_applied_once(lab, offline):
    keep = lab.client.save_model("session", data=lab.payload("session"))["session"]
    gone = lab.client.save_model("session", data=lab.payload("session"))["session"]
    outbox = lab.outbox()
    assert save_or_queue(offline, outbox, "session", {"description": "after"}, record_id=keep["id"]).queued
    assert delete_or_queue(offline, outbox, "session", gone["id"]).queued
    assert delete_or_queue(offline, outbox, "session", gone["id"]).waiting == 3  # a double click
    report = outbox.flush(lab.client)
    assert (len(report.sent), report.rejected, outbox.count()) == (3, [], 0)
    assert lab.client.load_model("session", id=keep["id"])["session"]["description"] == "after"
    assert lab.client.list_all("session", filters={"name": gone["name"]}) == []


def test_a_queued_update_never_overwrites_a_change_saved_meanwhile_unseen(lab, offline):
    """A change queued while the backend was down is sent with the version it was made against:
    a colleague's save in between is not overwritten silently; the entry waits, says which field
    differs, and Retry (the user's choice, now told) sends it over theirs."""
    opened = lab.client.load_versioned("session", lab.client.save_model(
        "session", data=lab.payload("session"))["session"]["id"])  # fmt: skip
    record_id = opened.record["id"]
    outbox = lab.outbox()
    mine = {"description": "mine, typed while offline"}
    assert save_or_queue(offline, outbox, "session", mine, record_id=record_id, if_match=opened.etag).queued
    lab.client.save_model("session", id=record_id, data={"description": "theirs, saved meanwhile"})

    report = outbox.flush(lab.client)
    (entry,) = outbox.rejected()
    assert report.rejected == [entry.id] and report.sent == {}
    assert "after your change was queued" in entry.last_error and "description" in entry.last_error
    stored = lab.client.load_model("session", id=record_id)["session"]
    assert stored["description"] == "theirs, saved meanwhile"

    assert outbox.retry(entry.id, lab.client).sent == {entry.id: record_id}  # told, the user sends theirs
    assert lab.client.load_model("session", id=record_id)["session"]["description"] == mine["description"]
    assert outbox.count() == 0


def test_a_queued_delete_never_deletes_a_change_saved_meanwhile_unseen(lab, offline):
    """A delete queued while the backend was down keeps the version it was asked for; a change
    saved in between stops it until the user, told, retries or discards it."""
    record_id = lab.client.save_model("session", data=lab.payload("session"))["session"]["id"]
    outbox = lab.outbox()
    version = lab.client.load_versioned("session", record_id).etag
    assert delete_or_queue(offline, outbox, "session", record_id, if_match=version).queued
    lab.client.save_model("session", id=record_id, data={"description": "changed meanwhile"})

    outbox.flush(lab.client)
    (entry,) = outbox.rejected()
    assert "after your delete was queued; it was not deleted" in entry.last_error
    assert lab.client.load_model("session", id=record_id)["session"]["description"] == "changed meanwhile"
    assert outbox.retry(entry.id, lab.client).sent == {entry.id: record_id}
    assert lab.client.list_all("session", filters={"id": record_id}) == []


def test_waiting_entries_are_sent_before_a_new_save(lab, offline):
    record = lab.client.save_model("session", data=lab.payload("session"))["session"]
    save_or_queue(offline, lab.outbox(), "session", {"description": "older"}, record_id=record["id"])
    newer = {"description": "newer"}
    result = save_or_queue(lab.client, lab.outbox(), "session", newer, record_id=record["id"])
    assert (result.queued, result.record["description"], result.waiting) == (False, "newer", 0)
    assert lab.client.load_model("session", id=record["id"])["session"]["description"] == "newer"


def test_outbox_files_are_private_and_hold_no_token(lab, offline):
    save_or_queue(offline, lab.outbox(), "session", lab.payload("session"))
    outbox = lab.outbox()
    assert stat.S_IMODE(outbox.path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(outbox.path.stat().st_mode) == 0o600
    assert outbox.path == lab.data_dir / "outbox" / f"{lab.username}.sqlite"
    for path in outbox.path.parent.iterdir():
        assert lab.token.encode() not in path.read_bytes()


def test_two_users_never_see_each_others_entries(server, lab, offline):
    alice, bob = lab, _make_lab(server, lab.data_dir)
    save_or_queue(offline, alice.outbox(), "session", alice.payload("session"))
    assert (alice.outbox().count(), bob.outbox().count(), bob.outbox().entries()) == (1, 0, [])
    assert bob.outbox().flush(bob.client).sent == {}
    bob.client.close()
    assert alice.outbox().path != bob.outbox().path and alice.outbox().count() == 1


@pytest.mark.parametrize("username", ["../etc/passwd", "a b/c", ".hidden", "ünïcode"])
def test_usernames_never_leave_the_outbox_folder(tmp_path, username):
    outbox = Outbox(tmp_path, username)
    assert outbox.path.parent == tmp_path / "outbox" and outbox.path.name.endswith(".sqlite")
    assert Outbox(tmp_path, username).path == outbox.path != Outbox(tmp_path, username + "x").path


def test_a_second_flush_while_one_is_sending_sends_nothing(lab, offline):
    payload = lab.payload("session")
    entry_id = save_or_queue(offline, lab.outbox(), "session", payload).entry_id
    arrived, release = threading.Event(), threading.Event()

    def hold(handler) -> None:
        if handler.command == "POST":
            arrived.set()
            release.wait(30)

    reports = []
    with FaultProxy(lab.url, before_forward=hold) as proxy, lab.connect(proxy.url) as slow:
        first = threading.Thread(target=lambda: reports.append(lab.outbox().flush(slow)))
        first.start()
        assert arrived.wait(30)
        second = lab.outbox().flush(lab.client)  # another tab, while the POST is in flight
        release.set()
        first.join(30)
    assert (second.busy, second.sent) == (True, {})
    [record] = lab.matching("session", payload)
    assert reports[0].sent == {entry_id: record["id"]}


def test_concurrent_flushes_send_each_entry_once(lab, offline):
    payloads = [lab.payload(model) for model in ["session", "action"] * 4]
    for payload in payloads:
        save_or_queue(offline, lab.outbox(), "session" if "name" in payload else "action", payload)
    barrier, reports = threading.Barrier(3), []

    def flush() -> None:
        with lab.connect() as client:
            barrier.wait()
            reports.append(lab.outbox().flush(client))

    threads = [threading.Thread(target=flush) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    sent = [entry for report in reports for entry in report.sent]
    assert sorted(sent) == list(range(1, 9)) and lab.outbox().count() == 0
    for payload in payloads:
        assert len(lab.matching("session" if "name" in payload else "action", payload)) == 1


def test_a_lease_left_by_a_dead_process_is_taken_over(lab, offline):
    save_or_queue(offline, lab.outbox(), "session", lab.payload("session"))
    dead = subprocess.Popen(["true"])
    dead.wait()
    with sqlite3.connect(lab.outbox().path) as conn:
        holder = f"{socket.gethostname()}:{dead.pid}:gone"
        conn.execute("UPDATE flush_lease SET holder = ?, expires_at = 1e12", (holder,))
    assert len(lab.outbox().flush(lab.client).sent) == 1


@pytest.mark.parametrize(
    "ours, theirs, same",
    [
        ({"date_time": "2024-05-01"}, {"date_time": "2024-05-01T00:00:00Z"}, True),
        ({"date_time": "2024-05-01"}, {"date_time": "2024-05-02T00:00:00"}, False),
        ({"date_time": None}, {"date_time": None}, True),
        ({"details": {"injectionRate": 2}}, {"details": {"injectionVolume": 0, "injectionRate": 2.0}}, True),
        ({"details": {"injectionRate": 2}}, {"details": {"injectionVolume": 5, "injectionRate": 2}}, False),
        ({"coordinates_details": {}}, {"coordinates_details": {"apCoordinate": 1}}, False),
        ({"description": None}, {"description": ""}, True),
        ({"description": "a"}, {"description": "b"}, False),
    ],
)
def test_action_matching_tolerates_server_normalisation(ours, theirs, same):
    base = {"type": "VirusInjection", "subject": "s", "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "details": {"injectionVolume": 0}, "coordinates_details": {}}  # fmt: skip
    record = {**base, "description": "", "date_time": None, **theirs}
    assert record_matches("action", {**base, **ours}, record) is same


@pytest.mark.parametrize(
    "ours, theirs, same",
    [
        ({"extra_fields": [{"name": "weight", "value": 300}]}, {"extra_fields": {"weight": 300.0}}, True),
        ({"extra_fields": {"weight": 300}}, {"extra_fields": {"weight": "300"}}, False),
        ({"projects": ["b", "a"], "tags": ["x"]}, {"projects": ["a", "b"], "tags": ["x"]}, True),
        ({"projects": ["a"]}, {"projects": ["a", "b"]}, False),
        ({"description": "mine"}, {"description": "someone else's"}, False),
        ({"extra_fields": {"flag": 1}}, {"extra_fields": {"flag": True}}, False),
    ],
)
def test_session_matching_compares_every_field_set(ours, theirs, same):
    record = {"name": "S1", "description": "", "projects": [], "tags": [], "extra_fields": {}, **theirs}
    assert record_matches("session", {"name": "S1", **ours}, record) is same
