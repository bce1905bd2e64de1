"""The pure parts of the data layer: text queries, local filters, the sessions table."""

from datetime import date

import pytest

from stemgui.gui.loaders import (
    SessionQuery,
    distinct_labels,
    excerpt,
    fetch_sessions,
    frame_to_csv,
    merge_records,
    newest_first,
    server_filter_sets,
    sessions_frame,
)

P1, P2 = "p-1", "p-2"
SESSIONS = [
    {"id": "a", "name": "A", "projects": [P1], "tags": ["sleep"], "date_time": "2024-01-10",
     "description": "x" * 200, "extra_fields": {"k": 1, "j": "v"},
     "download_links": [{"Repository": "r", "URL": "u"}]},
    {"id": "b", "name": "B", "projects": [P2], "tags": ["maze", "sleep"], "date_time": "2024-02-01T09:00:00"},
    {"id": "c", "name": "C", "projects": [P1, P2], "tags": [], "date_time": None},
]  # fmt: skip


def test_filter_sets_turn_every_or_into_requests():
    assert server_filter_sets(SessionQuery()) == [{}]
    assert server_filter_sets(SessionQuery(text=" rat ", date_to=date(2024, 2, 29))) == [
        {"date_time.lt": "2024-03-01", "name.icontains": "rat"},
        {"date_time.lt": "2024-03-01", "description.icontains": "rat"},
    ]
    sets = server_filter_sets(SessionQuery(projects=(P1, P2), tags=("sleep",), date_from=date(2024, 1, 1)))
    assert sets == [
        {"date_time.gte": "2024-01-01", "projects.id": P1, "tags": "sleep"},
        {"date_time.gte": "2024-01-01", "projects.id": P2, "tags": "sleep"},
    ]


def test_newest_first_puts_undated_last():
    assert [s["name"] for s in newest_first(SESSIONS)] == ["B", "A", "C"]


def test_merge_records_keeps_first_seen_order_without_duplicates():
    assert [r["id"] for r in merge_records([[{"id": "b"}, {"id": "a"}], [{"id": "a"}, {"id": "c"}]])] == [
        "b",
        "a",
        "c",
    ]


@pytest.mark.parametrize("limit", [1, 5, 150, None])
def test_fetch_sessions_reads_only_the_newest_pages(make_user, limit):
    user = make_user("viewer")
    everything = newest_first(user.api.list_all("session"))
    rows = fetch_sessions(user.api, SessionQuery(), limit)
    shown = everything if limit is None else everything[:limit]
    assert [s["id"] for s in rows.records] == [s["id"] for s in shown]
    assert rows.matching == len(everything) and rows.exact
    assert rows.complete is (limit is None or limit >= len(everything))


def test_fetch_sessions_merges_or_requests(make_user):
    user = make_user("viewer")
    everything = user.api.list_all("session")
    word = everything[0]["description"].split()[0]
    rows = fetch_sessions(user.api, SessionQuery(text=word.upper()), None)
    expected = {s["id"] for s in everything if word.lower() in (s["name"] + s["description"]).lower()}
    assert {s["id"] for s in rows.records} == expected and rows.matching == len(expected) and rows.complete


def test_sessions_frame_shows_names_and_counts():
    frame = sessions_frame(SESSIONS, {P1: "Project one", P2: "Project <b>two</b>"})
    assert list(frame.index) == ["a", "b", "c"]
    assert frame.loc["c", "projects"] == "Project one, Project <b>two</b>"
    assert frame.loc["b", "tags"] == "maze, sleep"
    assert frame.loc["a", "date"] == "2024-01-10" and frame.loc["b", "date"] == "2024-02-01"
    assert frame.loc["c", "date"] == ""  # issue 10 item 17: an undated session is an empty cell, not "None"
    assert frame.loc["a", "description"] == excerpt("x" * 200) and len(frame.loc["a", "description"]) == 80
    assert (frame.loc["a", "extra fields"], frame.loc["a", "download links"]) == (2, 1)
    assert frame_to_csv(frame).decode().splitlines()[0] == (
        "name,date,projects,tags,description,extra fields,download links"
    )


def test_excerpt_flattens_whitespace():
    assert excerpt("a\n\n b\tc") == "a b c"
    assert excerpt(None) == ""


def test_two_records_with_one_name_are_told_apart_in_pickers():
    """A picker's choice travels as the label shown: two mice called "M1" (in two projects)
    both picked the first. Shared labels get the start of the id; unique ones stay as they are."""
    labels = distinct_labels({"3f2a9c01-aaaa": "M1", "77b0e1d2-bbbb": "M1", "c": "M2"})
    assert labels == {"3f2a9c01-aaaa": "M1 · 3f2a9c01", "77b0e1d2-bbbb": "M1 · 77b0e1d2", "c": "M2"}
    same_start = distinct_labels({"abcdefgh-1": "M1", "abcdefgh-2": "M1"})
    assert len(set(same_start.values())) == 2
