"""Issue 13 (subject's page): timeline, age, and the loader of one subject's records.

The loader runs through the real client against the bundled server with the demo lab.
"""

from __future__ import annotations

from datetime import date

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import NotFound
from stemgui.implant_map import targets_from_records
from stemgui.timeline import (
    SubjectRecords,
    age_text,
    build_timeline,
    by_day,
    load_project_records,
    load_subject_records,
    record_link,
    region_names,
)
from stemgui.weights import weight_summary

PROJECT = "Demo: Hippocampal sharp-wave ripples"


@pytest.fixture(scope="module")
def member_client(demo_server):
    username, token = demo_server.new_user("timeline")
    demo_server.cli("member", username, PROJECT)
    with BrainstemClient(demo_server.url, token) as client:
        yield client


def _subject_id(client, name):
    [subject] = client.list_all("subject", filters={"name": name})
    return subject["id"]


def test_loader_fetches_only_this_subjects_records_through_the_client(member_client):
    """Issue 13: MS04's procedures and weights come filtered by subject, ordered and grouped by day."""
    records = load_subject_records(member_client, _subject_id(member_client, "MS04"))
    assert records.subject["name"] == "MS04" and records.unavailable == []
    assert {p["subject"] for p in records.procedures} == {records.subject["id"]}
    assert len(records.procedures) == 6 and records.actions == [] and len(records.subjectlogs) == 1
    names = region_names(member_client, records)
    assert set(names.values()) == {"CA1"}
    items = build_timeline(records, names)
    assert [i.when for i in items] == sorted(i.when for i in items)
    days = dict(by_day(items))
    surgery_day = [i.label for i in days["2025-10-14"]]
    assert surgery_day[0].startswith("Weighing: 21.5 g")  # the pre-op weight, 08:15
    injection = "VirusInjection · CA1"
    expected = ["Anesthesia", "Craniotomy · CA1", injection, injection, "OpticFiberImplant · CA1", "Headcap"]
    assert surgery_day[1:] == expected
    craniotomy = days["2025-10-14"][2]
    assert (
        craniotomy.kind == "procedure" and craniotomy.link == f"/procedures?procedure={craniotomy.record_id}"
    )
    weighing = days["2025-10-12"][0]
    assert weighing.link == f"/subjects?subject={records.subject['id']}&subjectlog={weighing.record_id}"
    assert [day for day, _ in by_day(items, newest_first=True)][0] == "2025-10-20"


def test_the_loaded_records_feed_the_map_and_the_weight_curve(member_client):
    """Issue 13: MS04's bilateral injection is a pair on the map; its baseline is the pre-op 21.5 g."""
    records = load_subject_records(member_client, _subject_id(member_client, "MS04"))
    implants = targets_from_records(records.procedures)
    injections = [t for t in implants.placed if t.type == "VirusInjection"]
    assert {t.ml for t in injections} == {-1.5, 1.5} and injections[0].pair == injections[1].pair != ""
    summary = weight_summary(records.subjectlogs, records.procedures + records.actions)
    assert summary.baseline.grams == 21.5 and summary.warning is None


def test_seed_actions_and_procedures_both_appear(member_client):
    """Issue 13: PV03's seed actions and today's procedures are both on its timeline, with links."""
    records = load_subject_records(member_client, _subject_id(member_client, "PV03"))
    items = build_timeline(records, region_names(member_client, records))
    kinds = {i.kind for i in items}
    assert kinds == {"procedure", "action", "subjectlog"}
    action = next(i for i in items if i.kind == "action")
    assert action.link == f"/actions?action={action.record_id}" and action.has_time is False


def test_a_subject_the_user_cannot_read_is_not_found(demo_server, member_client):
    """Issue 13: the loader raises the client's NotFound for a subject outside the user's projects."""
    [rat] = [s for s in _all_subjects(demo_server) if s["name"] == "R01"]
    with pytest.raises(NotFound):
        load_subject_records(member_client, rat["id"])


def _all_subjects(demo_server):
    _, token = demo_server.new_user("timelineadmin", superuser=True)
    with BrainstemClient(demo_server.url, token) as client:
        return client.list_all("subject", portal="super")


def test_sessions_and_interval_entries_and_undated_records():
    """Issue 13: sessions link to their page; interval entries show their end; undated go last."""
    records = SubjectRecords(
        subject={"id": "s1"},
        procedures=[{"id": "p0", "type": "Headcap"}],
        subjectlogs=[{"id": "l1", "type": "Housing", "entries": [
            {"start_date_time": "2025-03-01T00:00:00Z", "end_date_time": "2025-03-08T00:00:00Z"}]}],
        sessions=[{"id": "x1", "name": "PV03_day1", "date_time": "2025-03-02T10:00:00Z"}],
    )  # fmt: skip
    items = build_timeline(records)
    assert [i.kind for i in items] == ["subjectlog", "session", "procedure"]
    assert items[0].label == "Housing (until 2025-03-08 00:00)"
    assert items[1].link == "/sessions?session=x1" and items[2].day == "no date"
    assert record_link("subject", "a b") == "/subjects?subject=a+b"


@pytest.mark.parametrize(
    ("birth", "today", "death", "expected"),
    [
        ("2025-08-05", date(2025, 10, 28), None, "12 weeks"),
        ("2025-10-20", date(2025, 10, 28), None, "8 days"),
        ("2025-10-27", date(2025, 10, 28), None, "1 day"),
        ("2023-01-01", date(2025, 1, 15), None, "2 years 2 weeks"),
        ("2025-01-01", date(2025, 12, 1), "2025-05-21", "died at 20 weeks"),
        ("2026-01-01", date(2025, 12, 1), None, "birth date is in the future"),
        (None, date(2025, 12, 1), None, None),
        ("not a date", date(2025, 12, 1), None, None),
    ],
)
def test_age_text(birth, today, death, expected):
    """Issue 13: the header's age today from the birth date ("12 weeks" style)."""
    assert age_text(birth, today, death) == expected


def test_project_records_feed_the_project_wide_map(member_client):
    """Issue 13: a project's procedures and actions (all its subjects) load through the client and
    make one map coloured by subject, with every target placed or listed."""
    from stemgui.implant_charts import target_rows, top_view
    from stemgui.implant_map import implant_map

    [project] = member_client.list_all("project", filters={"name": PROJECT})
    records = load_project_records(member_client, project["id"])
    assert set(records.subject_names.values()) == {"MS01", "MS02", "MS04", "PV03"}
    assert {p["subject"] for p in records.procedures} <= set(records.subject_names)
    assert records.actions and records.unavailable == []
    result = implant_map(records.procedures, records.actions, subject_names=records.subject_names)
    drawn = {row["subject"] for row in target_rows(top_view(result.placed, color_by="subject"))}
    assert drawn == {"MS01", "MS02", "MS04", "PV03"}
    assert {t.system for t in result.unplaceable} >= {"Stereotaxic_XY_Surface", "External_XYZ_Absolute"}
    total = sum(
        1 for r in records.procedures + records.actions if any((r.get("coordinates_details") or {}).values())
    )
    assert len(result.placed) + len(result.unplaceable) == total
