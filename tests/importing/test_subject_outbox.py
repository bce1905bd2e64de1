"""Issue 16 item "commit": subjects go through the one write path too, so the outbox now keeps
subjects; a subject whose create reached the server but whose answer was lost is found by its
name when resent, never duplicated. Real server, real outbox, a proxy that loses the answer."""

from __future__ import annotations

from stemgui.client import BrainstemClient
from stemgui.outbox import save_or_queue
from tests.faults import ClosedPort
from tests.importing.lab import unique
from tests.outbox.proxies import LostResponseProxy


def _subject(lab) -> dict:
    strain = lab.client.list_all("strain", filters={"name": lab.strain})[0]["id"]
    return {"name": unique("Lost"), "strain": strain, "sex": "M", "projects": [lab.project_id]}


def test_a_subject_whose_answer_was_lost_is_not_duplicated(lab):
    """Issue 16: the outbox finds the subject the lost create made (by name), sends nothing twice."""
    payload = _subject(lab)
    token = lab.client._token
    with LostResponseProxy(lab.url, drops=1) as proxy, BrainstemClient(proxy.url, token, attempts=1) as lossy:
        result = save_or_queue(lossy, lab.outbox(), "subject", payload)
    assert result.queued and proxy.dropped["POST"] == 1
    [made] = lab.client.list_all("subject", filters={"name": payload["name"]})
    report = lab.outbox().flush(lab.client)
    assert (report.sent, report.deduplicated) == ({result.entry_id: made["id"]}, [result.entry_id])
    assert len(lab.client.list_all("subject", filters={"name": payload["name"]})) == 1


def test_a_subject_saved_while_offline_is_queued_then_sent_once(lab):
    """Issue 16: a subject create while the backend is down waits in the outbox, then is sent once."""
    payload = _subject(lab)
    with ClosedPort() as port, BrainstemClient(port.url, lab.client._token, attempts=1) as offline:
        result = save_or_queue(offline, lab.outbox(), "subject", payload)
    assert result.queued and lab.client.list_all("subject", filters={"name": payload["name"]}) == []
    report = lab.outbox().flush(lab.client)
    [made] = lab.client.list_all("subject", filters={"name": payload["name"]})
    assert report.sent == {result.entry_id: made["id"]} and lab.outbox().count() == 0
