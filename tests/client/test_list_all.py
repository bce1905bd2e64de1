"""list_all: every record, in server order, across page boundaries; pages fetched concurrently."""

from __future__ import annotations

import random
from urllib.parse import parse_qs, urlsplit

import pytest

from stemgui.client import BrainstemClient
from stemgui.errors import ServerError
from tests.client.helpers import create_sessions, stand_in_server, unique
from tests.faults import FaultProxy, LatencyProxy


def sequential_pages(api: BrainstemClient, filters: dict, sort: list[str] | None = None) -> list[dict]:
    """The reference: plain limit/offset paging, one page after the other."""
    records, offset = [], 0
    while True:
        page = api.load_model("session", filters=filters, sort=sort, options={"limit": 100, "offset": offset})
        records += page["sessions"]
        offset += 100
        if offset >= page["count"]:
            return records


@pytest.fixture
def sessions_of(client, project):
    """Create ``n`` sessions (shuffled names) in the user's own project; returns their names."""

    def create(n: int) -> list[str]:
        prefix = unique("page")
        names = [f"{prefix}-{i:04d}" for i in range(n)]
        create_sessions(client, project, random.Random(n).sample(names, n))
        return names

    return create


@pytest.fixture(scope="module")
def big_project(client) -> tuple[dict, list[str]]:
    """A project with 350 sessions (4 pages), shared by the tests that only read it."""
    project = client.save_model("project", data={"name": unique("big")})["project"]
    prefix = unique("big")
    names = [f"{prefix}-{i:04d}" for i in range(350)]
    create_sessions(client, project, random.Random(350).sample(names, 350))
    return project, names


@pytest.mark.parametrize("n", [0, 1, 100, 101, 250])
def test_list_all_is_complete_and_in_server_order(client, project, sessions_of, n):
    names = sessions_of(n)
    filters = {"projects.id": project["id"]}

    records = client.list_all("session", filters=filters)

    assert records == sequential_pages(client, filters)
    assert sorted(r["name"] for r in records) == names
    assert len({r["id"] for r in records}) == n


def test_list_all_keeps_the_requested_sort(client, big_project):
    project, names = big_project
    records = client.list_all("session", filters={"projects.id": project["id"]}, sort=["-name"])
    assert [r["name"] for r in records] == sorted(names, reverse=True)


def test_list_all_fetches_pages_concurrently_but_bounded(server, user, big_project):
    project, _ = big_project  # 4 pages: the first, then 3 on 2 workers
    with LatencyProxy(server.url, latency_ms=200) as proxy:  # long enough for workers to overlap
        with BrainstemClient(proxy.url, user[1], max_workers=2) as api:
            records = api.list_all("session", filters={"projects.id": project["id"]})
    assert len(records) == 350
    assert proxy.received == {"GET": 4}
    assert 1 < proxy.max_in_flight <= 2


@pytest.mark.parametrize(
    ("new_prefix", "expect_new"),
    [("zzz", True), ("aaa", False)],
    ids=["created after the last page", "created before the first page"],
)
def test_records_created_while_paging(server, user, client, project, new_prefix, expect_new):
    """Records appended meanwhile are followed; records that land on a fetched page are missed,
    and a record shifted onto the next page is returned once, not twice."""
    grow, new = unique("grow"), unique("new")
    names = [f"mmm-{grow}-{i:03d}" for i in range(150)]
    create_sessions(client, project, names)
    added = [f"{new_prefix}-{new}-{i:02d}" for i in range(60)]
    created: list[dict] = []

    def create_after_first_page(handler) -> None:
        if "offset=0" not in handler.path and not created:
            created.extend(create_sessions(client, project, added))

    with FaultProxy(server.url, before_forward=create_after_first_page) as proxy:
        with BrainstemClient(proxy.url, user[1]) as api:
            records = api.list_all("session", filters={"projects.id": project["id"]}, sort=["name"])

    assert proxy.forwarded == {"GET": 3}  # first page, the page after it, the grown tail
    got = [r["name"] for r in records]
    assert len(got) == len(set(got))
    assert got == (names + added if expect_new else names)


def test_a_failing_page_fails_the_whole_list(server, user, big_project):
    project, _ = big_project

    def break_after_first_page(handler) -> None:
        proxy.fail_next(10, status=500)

    with FaultProxy(server.url, before_forward=break_after_first_page) as proxy:
        with BrainstemClient(proxy.url, user[1]) as api, pytest.raises(ServerError):
            api.list_all("session", filters={"projects.id": project["id"]})
    assert proxy.forwarded == {"GET": 1}


def test_list_all_pages_one_at_a_time_from_a_quick_server_on_this_machine(server, user, big_project):
    """Issue 17 item 2: on loopback there is no latency to hide, so a quick server's pages are
    fetched one after the other (concurrent pages were slower than sequential paging there)."""
    project, _ = big_project
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, user[1], max_workers=4) as api:
        api.local_page_seconds = 60  # "quick" whatever the machine's load: the choice is what is tested
        records = api.list_all("session", filters={"projects.id": project["id"]})
    assert len(records) == 350
    assert proxy.received == {"GET": 4} and proxy.max_in_flight == 1


def test_a_full_last_page_is_the_last_request_on_this_machine(server, user, big_project):
    """Issue 17: paging one page after the other stops at the count the pages reported: 300
    matches are 3 pages, not 3 and an empty fourth (list_all was slower than plain paging by it)."""
    project, names = big_project
    filters = {"projects.id": project["id"], "name.lte": sorted(names)[299]}
    with FaultProxy(server.url) as proxy, BrainstemClient(proxy.url, user[1]) as api:
        api.local_page_seconds = 60  # the one-after-the-other path, whatever the machine's load
        records = api.list_all("session", filters=filters, sort=["name"])
    assert [r["name"] for r in records] == sorted(names)[:300]
    assert proxy.received == {"GET": 3} and proxy.max_in_flight == 1


def test_a_smaller_count_on_a_later_page_does_not_cut_the_walk_short_a_stand_in_server():
    """The counts of later pages may be kept per server process (server/counts.py): one kept from
    before a write in another process is smaller than the first page's exact count. Paging one
    page after the other stops at the largest count seen, so no record is left out. (A stand-in
    server: two processes whose kept counts differ cannot be arranged to the page.)"""
    stored = [{"id": f"id-{i:03d}", "name": f"s-{i:03d}"} for i in range(350)]
    asked: list[int] = []

    def answer(path: str) -> dict:  # the first page counts 350, later pages a kept 200
        query = parse_qs(urlsplit(path).query)
        offset, limit = int(query["offset"][0]), int(query["limit"][0])
        asked.append(offset)
        return {"sessions": stored[offset:offset + limit], "count": 350 if offset == 0 else 200}

    with stand_in_server(answer) as url, BrainstemClient(url, "token") as api:
        api.local_page_seconds = 60  # the one-after-the-other path
        records = api.list_all("session")
    assert records == stored
    assert asked == [0, 100, 200, 300]
