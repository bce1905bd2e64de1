"""The outbox covers procedures (today's actions) exactly as it covers actions (issue 12, "Client"):
queued while offline, sent once, and a create whose answer was lost is found, not duplicated.

Real bundled server, real SQLite outbox, real sockets (a closed port, a proxy that loses answers).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import replace

import pytest

from stemgui.outbox import save_or_queue
from stemgui.outbox_match import record_matches
from tests.faults import ClosedPort
from tests.outbox.proxies import LostResponseProxy
from tests.test_outbox import Lab, _make_lab


def procedure_payload(lab: Lab, **fields) -> dict:
    return {
        "type": "VirusInjection",
        "subject": lab.subject,
        "notes": f"injection-{uuid.uuid4().hex[:10]}",
        "date_time": "2026-11-20",
        "details": {"injectionVolume": {"value": 0.3, "unit": "µL"}, "injectionRate": 50},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {
            "apCoordinate": -2,
            "mlCoordinate": 1.5,
            "dvCoordinate": {"value": -1300, "unit": "µm"},
        },
        **fields,
    }


def matching(lab: Lab, payload: dict) -> list[dict]:
    found = lab.client.list_all("procedure", filters={"subject": lab.subject, "notes": payload["notes"]})
    return [record for record in found if record_matches("procedure", payload, record)]


@pytest.fixture(scope="module")
def shared_lab(server, tmp_path_factory) -> Iterator[Lab]:
    made = _make_lab(server, tmp_path_factory.mktemp("outbox-procedures"))
    yield made
    made.client.close()


@pytest.fixture
def lab(shared_lab, tmp_path) -> Lab:
    return replace(shared_lab, data_dir=tmp_path)


def test_offline_procedure_is_queued_then_sent_once(lab):
    """Issue 12: a procedure saved while the backend is down is kept and delivered exactly once."""
    payload = procedure_payload(lab)
    with ClosedPort() as port, lab.connect(port.url, attempts=1) as offline:
        result = save_or_queue(offline, lab.outbox(), "procedure", payload)
    assert (result.queued, result.waiting) == (True, 1)
    assert matching(lab, payload) == []
    report = lab.outbox().flush(lab.client)
    [record] = matching(lab, payload)
    assert report.sent == {result.entry_id: record["id"]} and lab.outbox().count() == 0
    assert lab.outbox().flush(lab.client).sent == {} and len(matching(lab, payload)) == 1


def test_a_procedure_whose_answer_was_lost_is_not_duplicated(lab):
    """Issue 12: the create reached the server, its answer was lost: the resend finds it (bare
    numbers in the payload match the {value, unit} the server stored)."""
    payload = procedure_payload(lab)
    with LostResponseProxy(lab.url, drops=1) as proxy, lab.connect(proxy.url) as through_proxy:
        result = save_or_queue(through_proxy, lab.outbox(), "procedure", payload)
    assert result.queued and proxy.dropped["POST"] == 1
    [created] = matching(lab, payload)
    report = lab.outbox().flush(lab.client)
    assert (report.sent, report.deduplicated) == ({result.entry_id: created["id"]}, [result.entry_id])
    assert [r["id"] for r in matching(lab, payload)] == [created["id"]]


AP_MM = {"coordinates_details": {"apCoordinate": {"value": -2.0, "unit": "mm"}}}
AP_UM = {"coordinates_details": {"apCoordinate": {"value": -2, "unit": "µm"}}}
RATE = {"details": {"injectionRate": {"value": 50, "unit": "nL/min"}}}


@pytest.mark.parametrize(
    "ours, theirs, same",
    [
        ({"coordinates_details": {"apCoordinate": -2}}, AP_MM, True),
        ({"coordinates_details": {"apCoordinate": -2}}, AP_UM, False),
        ({"details": {"injectionRate": {"value": 50}}}, RATE, True),
        ({"notes": None}, {"notes": ""}, True),
        ({"notes": "left"}, {"notes": "right"}, False),
        ({"equipment": ["b", "a"]}, {"equipment": ["a", "b"]}, True),
        ({"licenses": ["a"]}, {"licenses": []}, False),
    ],
)  # fmt: skip
def test_procedure_matching_tolerates_server_normalisation(ours, theirs, same):
    """Issue 12: the outbox compares procedures in the server's {value, unit} form."""
    base = {"type": "VirusInjection", "subject": "s", "coordinates_system": "Stereotaxic_BregmaAbsolute",
            "details": {}, "coordinates_details": {}}  # fmt: skip
    record = {**base, "notes": "", "date_time": None, "equipment": [], "licenses": [], **theirs}
    assert record_matches("procedure", {**base, **ours}, record) is same
