"""Issue 13, "Subject logs" (server part): ``modules/subjectlog`` with its documented fields and
envelope, the 14 types' schemas for entry ``details``, instantaneous and interval entries, the
docs' entry actions (``<id>/add_entry/``, ``change_entry``, ``remove_entry``), entries written
with the log (a bundled-server extension) and permissions through the subject's projects.

Real server on loopback (SQLite and PostgreSQL via the ``server`` fixture), raw HTTP.
"""

# ruff: noqa: E501  (tables of examples: one type per entry reads better than wrapped)

from __future__ import annotations

from dataclasses import dataclass

import pytest

from stemgui.models_subjectlog import INTERVAL_TYPES
from stemgui.schemas import schema_names
from tests.server.api import Api, flt, names_field, unwrap
from tests.server.builders import make_project, make_subject, share

LOG_KEYS = {"id", "type", "description", "subject", "user", "entries"}

# type -> (valid details, what they are stored as (None: unchanged), invalid details, the error key)
EXAMPLES = {
    "FoodConsumption": ({"foodAmount": 2.5}, {"foodAmount": {"value": 2.5, "unit": "g"}},
                        {"foodAmount": {"value": 1, "unit": "L"}}, "details.foodAmount.unit"),
    "FoodDeprivation": ({"responsiblePerson": "J. Doe", "protocol": "FD-2"}, None, {}, "details.responsiblePerson"),
    "GenericObservation": ({"observation": "Ruffled fur", "observationType": "Grooming"},
                           {"observation": "Ruffled fur", "observationType": "Grooming", "repetitions": 1},
                           {"observation": "x", "observationType": "Sneezing"}, "details.observationType"),
    "Genotyping": ({"result": "Cre+/-", "sample": "Ear punch", "qcConfidence": "high"}, None,
                   {"result": "Cre+/-"}, "details.sample"),
    "Habituation": ({"habituationMethod": "Head-fixed 10 min"}, None, {"habituationMethod": 5},
                    "details.habituationMethod"),
    "Handling": ({"handlingMethod": "Cupping"}, None, {"handlingMethod": ["x"]}, "details.handlingMethod"),
    "HargreavesTest": ({"latency": 8.2, "responseScore": 2, "stimulusLocation": "Left hind paw"},
                       {"latency": {"value": 8.2, "unit": "s"}, "responseScore": 2,
                        "stimulusLocation": "Left hind paw", "repetitions": 3},
                       {"latency": 8.2, "responseScore": 5, "stimulusLocation": "Tail"}, "details.responseScore"),
    "Housing": ({"cageId": "C12", "enrichment": "Nesting material"}, None, {"cageId": 12}, "details.cageId"),
    "TrainingSession": ({"task": "Go/No-Go", "performance": "82 % correct"}, None, {"task": 1}, "details.task"),
    "VonFreyTest": ({"responseScore": 1, "stimulusForce": {"value": 0.4, "unit": "g"}, "stimulusLocation": "Tail"},
                    {"responseScore": 1, "stimulusForce": {"value": 0.4, "unit": "g"}, "stimulusLocation": "Tail",
                     "repetitions": 10},
                    {"responseScore": 1, "stimulusForce": {"value": 0.4, "unit": "N"}, "stimulusLocation": "Tail"},
                    "details.stimulusForce.unit"),
    "WaterConsumption": ({"waterAmount": {"value": 1.2, "unit": "mL"}}, None, {"waterAmount": "lots"},
                         "details.waterAmount"),
    "WaterDeprivation": ({"responsiblePerson": "A. Smith"}, None, {"protocol": "WD-1"}, "details.responsiblePerson"),
    "Weighing": ({"weight": 24.1}, {"weight": {"value": 24.1, "unit": "g"}}, {"weight": {"value": 24, "unit": "lb"}},
                 "details.weight.unit"),
    "Wellness": ({"wellness": "Bright, alert, responsive"}, None, {}, "details.wellness"),
}  # fmt: skip


def entry(log_type: str, details: dict, when: str = "2025-03-02T08:30:00Z", **fields) -> dict:
    """An entry of ``log_type`` at ``when`` (an interval of one hour for the interval types)."""
    if log_type in INTERVAL_TYPES:
        times = {"start_date_time": when, "end_date_time": when.replace("08:30", "09:30")}
    else:
        times = {"date_time": when}
    return {**times, "notes": None, "details": details, **fields}


@dataclass(frozen=True)
class Lab:
    owner: Api
    reader: Api  # member without can_change
    outsider: Api
    project: str
    subject: dict


@pytest.fixture(scope="module")
def lab(new_api, taxa) -> Lab:
    owner, reader, outsider = new_api("keeper"), new_api("logreader"), new_api("logoutsider")
    project = make_project(owner)["id"]
    share(owner, project, reader, can_change=False)
    return Lab(owner, reader, outsider, project, make_subject(owner, [project], taxa.strain))


def action(api: Api, log_id: str, name: str, data, slash: bool = True):
    url = api.url("subjectlog", log_id) + name + ("/" if slash else "")
    return api.http.patch(url, json=data, timeout=30)


def test_the_14_types_are_served():
    """Issue 13: every type of the spec's schemas folder has an example here (guards the test)."""
    assert set(schema_names("subjectlog")) == set(EXAMPLES) and len(EXAMPLES) == 14


@pytest.mark.parametrize("log_type", sorted(EXAMPLES))
def test_each_type_takes_a_valid_entry_and_refuses_an_invalid_one(lab, log_type):
    """Issue 13: a log of each type is created in the docs' envelope; a valid entry is stored
    (quantities as {value, unit}, documented defaults filled in), an invalid one is a 400 naming
    the field, on POST and on add_entry, and nothing is written."""
    valid, stored, invalid, error_key = EXAMPLES[log_type]
    response = lab.owner.post(
        "subjectlog", {"type": log_type, "subject": lab.subject["id"], "entries": [entry(log_type, valid)]}
    )
    assert response.status_code == 201, response.text
    log = unwrap("subjectlog", response.json())
    assert set(log) == LOG_KEYS and log["type"] == log_type and log["subject"] == lab.subject["id"]
    assert log["user"] and log["description"] is None
    assert log["entries"] == [entry(log_type, stored or valid)]

    bad = lab.owner.post(
        "subjectlog", {"type": log_type, "subject": lab.subject["id"], "entries": [entry(log_type, invalid)]}
    )
    assert bad.status_code == 400 and list(bad.json()) == [f"entries.0.{error_key}"], bad.text
    refused = action(lab.owner, log["id"], "add_entry", entry(log_type, invalid, "2025-03-03T08:30:00Z"))
    assert refused.status_code == 400 and list(refused.json()) == [error_key], refused.text
    added = action(lab.owner, log["id"], "add_entry", entry(log_type, valid, "2025-03-03T08:30:00Z"))
    assert added.status_code == 200, added.text
    assert len(unwrap("subjectlog", added.json())["entries"]) == 2
    assert len(lab.owner.read("subjectlog", log["id"])["entries"]) == 2


def test_a_week_of_weights_through_the_docs_entry_actions(lab):
    """Issue 13: a Weighing log written the docs' way (empty log, then add_entry per weight as the
    official client sends it, without the trailing slash too), changed and removed by time;
    entries come back newest first, times in UTC."""
    log = lab.owner.create("subjectlog", {"type": "Weighing", "subject": lab.subject["id"],
                                          "description": "Daily weights"})  # fmt: skip
    assert log["entries"] == []
    for day, grams in enumerate((25.0, 24.6, 22.9, 23.4)):
        body = {"date_time": f"2025-03-0{day + 1}T09:00:00+01:00", "details": {"weight": grams}}
        assert action(lab.owner, log["id"], "add_entry", body, slash=day % 2 == 0).status_code == 200
    log = lab.owner.read("subjectlog", log["id"])
    assert [e["date_time"] for e in log["entries"]] == [f"2025-03-0{d}T08:00:00Z" for d in (4, 3, 2, 1)]
    assert log["entries"][-1] == {"date_time": "2025-03-01T08:00:00Z", "notes": None,
                                  "details": {"weight": {"value": 25.0, "unit": "g"}}}  # fmt: skip
    twice = action(lab.owner, log["id"], "add_entry", {"date_time": "2025-03-01T08:00:00Z",
                                                       "details": {"weight": 1}})  # fmt: skip
    assert twice.status_code == 400 and list(twice.json()) == ["date_time"]
    changed = action(
        lab.owner, log["id"], "change_entry", {"date_time": "2025-03-03T08:00:00Z", "notes": "Post-op"}
    )
    assert changed.status_code == 200
    third = unwrap("subjectlog", changed.json())["entries"][1]
    assert third == {"date_time": "2025-03-03T08:00:00Z", "notes": "Post-op",
                     "details": {"weight": {"value": 22.9, "unit": "g"}}}  # fmt: skip
    removed = action(lab.owner, log["id"], "remove_entry", {"date_time": "2025-03-04T09:00:00+01:00"})
    assert removed.status_code == 200 and len(unwrap("subjectlog", removed.json())["entries"]) == 3
    missing = action(lab.owner, log["id"], "remove_entry", {"date_time": "2024-01-01T00:00:00Z"})
    assert missing.status_code == 400 and list(missing.json()) == ["date_time"]
    assert action(lab.owner, log["id"], "remove_entry", {}).json() == {
        "date_time": ["This field is required."]
    }
    assert action(lab.owner, log["id"], "rename_entry", {}).status_code == 404


def test_entries_replaced_by_patch_and_their_time_rules(lab):
    """Issue 13 (bundled-server extension): a PATCH with ``entries`` replaces them all; interval
    entries need a start and an end after it; an entry has only its type's fields; two entries
    never share a time."""
    log = lab.owner.create("subjectlog", {"type": "Housing", "subject": lab.subject["id"]})
    span = {"start_date_time": "2025-03-01", "end_date_time": "2025-03-08", "details": {"cageId": "C3"}}
    changed = lab.owner.change("subjectlog", log["id"], {"entries": [span]})
    assert changed["entries"] == [{"start_date_time": "2025-03-01T00:00:00Z", "end_date_time": "2025-03-08T00:00:00Z",
                                   "notes": None, "details": {"cageId": "C3"}}]  # fmt: skip
    cases = [
        ([{**span, "end_date_time": None}], "entries.0.end_date_time"),
        ([{**span, "end_date_time": "2025-02-01"}], "entries.0.end_date_time"),
        ([{**span, "date_time": "2025-03-01"}], "entries.0.date_time"),
        ([span, {**span, "notes": "again"}], "entries.1.start_date_time"),
        ([{**span, "start_date_time": "next monday"}], "entries.0.start_date_time"),
        ([{**span, "notes": 5}], "entries.0.notes"),
        (["not an entry"], "entries.0.non_field_errors"),
    ]
    for entries, key in cases:
        response = lab.owner.patch("subjectlog", log["id"], {"entries": entries})
        assert response.status_code == 400 and key in response.json(), (entries, response.text)
    assert lab.owner.read("subjectlog", log["id"]) == changed


def test_type_is_fixed_after_creation_and_must_be_known(lab):
    """Issue 13: ``type`` is writable on creation only (the docs); an unknown type is a 400."""
    log = lab.owner.create("subjectlog", {"type": "Wellness", "subject": lab.subject["id"]})
    response = lab.owner.patch("subjectlog", log["id"], {"type": "Weighing"})
    assert response.status_code == 400 and list(response.json()) == ["type"]
    assert lab.owner.change("subjectlog", log["id"], {"type": "Wellness", "description": "Daily check"})
    unknown = lab.owner.post("subjectlog", {"type": "Jogging", "subject": lab.subject["id"]})
    assert unknown.status_code == 400 and list(unknown.json()) == ["type"]
    long = lab.owner.post(
        "subjectlog", {"type": "Wellness", "subject": lab.subject["id"], "description": "x" * 501}
    )
    assert long.status_code == 400 and list(long.json()) == ["description"]


def test_subject_relations_filters_and_deletion(lab, taxa):
    """Issue 13: a subject lists its logs (``subjectlogs``, embedded with include[]), logs filter by
    subject and type, and deleting the subject deletes its logs."""
    subject = make_subject(lab.owner, [lab.project], taxa.strain)
    weights = lab.owner.create("subjectlog", {"type": "Weighing", "subject": subject["id"],
                                              "entries": [entry("Weighing", {"weight": 20})]})  # fmt: skip
    wellness = lab.owner.create("subjectlog", {"type": "Wellness", "subject": subject["id"]})
    assert sorted(lab.owner.read("subject", subject["id"])["subjectlogs"]) == sorted(
        [weights["id"], wellness["id"]]
    )
    [shown] = lab.owner.records("subject", **{flt("id"): subject["id"], "include[]": "subjectlogs"})
    assert {log["type"] for log in shown["subjectlogs"]} == {"Weighing", "Wellness"}
    found = lab.owner.ids("subjectlog", **{flt("subject.id"): subject["id"], flt("type"): "Weighing"})
    assert found == [weights["id"]]
    assert lab.owner.count("subject", **{flt("subjectlogs.type"): "Weighing", flt("id"): subject["id"]}) == 1
    assert lab.owner.delete("subject", subject["id"]).status_code == 204
    assert lab.owner.get("subjectlog", weights["id"]).status_code == 404


def test_permissions_through_the_subjects_projects(lab, new_api, anonymous, taxa):
    """Issue 13: a read-only member reads the logs but cannot add, change, add entries or delete
    (403); an outsider sees nothing (404, and the subject is 'missing' on POST); the public portal
    shows logs of subjects in public projects only, and never writes."""
    log = lab.owner.create("subjectlog", {"type": "Weighing", "subject": lab.subject["id"]})
    assert lab.reader.read("subjectlog", log["id"])["id"] == log["id"]
    denied = lab.reader.post("subjectlog", {"type": "Weighing", "subject": lab.subject["id"]})
    assert denied.status_code == 403 and names_field(denied.json(), ("subject",)), denied.text
    assert lab.reader.patch("subjectlog", log["id"], {"description": "x"}).status_code == 403
    weight = {"date_time": "2025-03-01T09:00:00Z", "details": {"weight": 21}}
    assert action(lab.reader, log["id"], "add_entry", weight).status_code == 403
    assert lab.reader.delete("subjectlog", log["id"]).status_code == 403

    assert lab.outsider.get("subjectlog", log["id"]).status_code == 404
    assert log["id"] not in lab.outsider.ids("subjectlog")
    assert action(lab.outsider, log["id"], "add_entry", weight).status_code == 404
    hidden = lab.outsider.post("subjectlog", {"type": "Weighing", "subject": lab.subject["id"]})
    assert hidden.status_code == 400 and names_field(hidden.json(), ("subject",))

    public = make_project(lab.owner, is_public=True)["id"]
    shown = lab.owner.create(
        "subjectlog", {"type": "Wellness", "subject": make_subject(lab.owner, [public], taxa.strain)["id"]}
    )
    ids = anonymous.ids("subjectlog", portal="public", limit=100)
    assert shown["id"] in ids and log["id"] not in ids
    assert anonymous.get("subjectlog", log["id"], portal="public").status_code == 404
    assert anonymous.post("subjectlog", {"type": "Wellness", "subject": lab.subject["id"]},
                          portal="public").status_code in (401, 403)  # fmt: skip
    assert (
        lab.owner.patch("subjectlog", shown["id"], {"description": "x"}, portal="public").status_code == 403
    )
    assert lab.owner.delete("subjectlog", log["id"]).status_code == 204
