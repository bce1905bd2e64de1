"""Query parameters of list views (spec/api-conventions.md): filters, sort, include, paging."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.server.api import Api, flt, unique
from tests.server.builders import make_action, make_project, make_subject
from tests.server.conftest import user_api

# name suffix, date, description, projects (indexes into the two projects)
SESSIONS = [
    ("Alpha-rat", "2023-03-01", "hippocampus recording", (0,)),
    ("beta-RAT", "2023-03-02", "cortex", (0,)),
    ("gamma-mouse", "2023-03-02", "HIPPO-cortex", (1,)),
    ("delta-mouse", "2023-03-03", "", (0, 1)),
    ("epsilon-rat", "2023-03-04", "septum", (1,)),
]


@dataclass
class World:
    api: Api
    prefix: str  # every session name starts with it
    projects: list[str]
    sessions: dict[str, dict]  # name suffix -> record
    subjects: list[str]
    actions: dict[str, dict]  # description -> record

    def names(self, records: list[dict]) -> list[str]:
        return [r["name"].removeprefix(self.prefix) for r in records]


@pytest.fixture(scope="module")
def world(new_api, taxa) -> World:
    api = new_api("query")
    prefix = unique("q") + "-"
    projects = [make_project(api)["id"], make_project(api)["id"]]
    sessions = {}
    for suffix, day, description, where in SESSIONS:
        data = {"name": prefix + suffix, "date_time": day, "description": description}
        sessions[suffix] = api.create("session", {**data, "projects": [projects[i] for i in where]})
    subjects = [make_subject(api, [p], taxa.strain)["id"] for p in projects]
    actions = {
        "first": make_action(api, subjects[0], description="first", type="VirusInjection", details={}),
        "second": make_action(api, subjects[0], description="second", brain_region=taxa.brain_region),
        "third": make_action(api, subjects[1], description="third", type="SiliconProbeImplant", details={}),
    }
    return World(api, prefix, projects, sessions, subjects, actions)


def session_names(world: World, **params) -> list[str]:
    return world.names(world.api.records("session", **params))


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("name", "beta-RAT", {"beta-RAT"}),
        ("name.icontains", "rat", {"Alpha-rat", "beta-RAT", "epsilon-rat"}),
        ("name.icontains", "MOUSE", {"gamma-mouse", "delta-mouse"}),
        ("name.startswith", "gamma", {"gamma-mouse"}),
        ("name.endswith", "-mouse", {"gamma-mouse", "delta-mouse"}),
        ("description.icontains", "hippo", {"Alpha-rat", "gamma-mouse"}),
        ("description", "cortex", {"beta-RAT"}),
        ("date_time.gt", "2023-03-02", {"delta-mouse", "epsilon-rat"}),
        ("date_time.gte", "2023-03-02", {"beta-RAT", "gamma-mouse", "delta-mouse", "epsilon-rat"}),
        ("date_time.lt", "2023-03-02", {"Alpha-rat"}),
        ("date_time.lte", "2023-03-02", {"Alpha-rat", "beta-RAT", "gamma-mouse"}),
    ],
)
def test_session_filter_operators(world, field, value, expected):
    if field in ("name", "name.startswith"):
        value = world.prefix + value
    result = session_names(world, **{flt(field): value})
    assert set(result) == expected
    assert len(result) == len(expected)


@pytest.mark.parametrize(
    ("index", "expected"),
    [(0, {"Alpha-rat", "beta-RAT", "delta-mouse"}), (1, {"gamma-mouse", "delta-mouse", "epsilon-rat"})],
)
def test_session_filter_on_projects_relation(world, index, expected):
    result = session_names(world, **{flt("projects.id"): world.projects[index]})
    assert sorted(result) == sorted(expected)


def test_filters_combine_with_and(world):
    params = {flt("name.icontains"): "rat", flt("projects.id"): world.projects[1]}
    assert session_names(world, **params) == ["epsilon-rat"]


def test_filters_through_one_relation_path_each_ask_about_their_own_related_record(world):
    """The server builds one alias per relation path and shares it between the filters of a
    request and between requests (query._path_entity): two filters through the same path still
    each ask about their own related record, with or without an exclusion and one step deeper."""
    names = [world.api.read("project", pid)["name"] for pid in world.projects]
    first_not_second = {flt("projects.name"): names[0], flt("-projects.name"): names[1]}
    assert sorted(session_names(world, **first_not_second)) == ["Alpha-rat", "beta-RAT"]
    in_both = {flt("projects.name"): names[0], flt("projects.name.startswith"): names[1]}
    assert session_names(world, **in_both) == ["delta-mouse"]
    deeper = {flt("projects.name"): names[0], flt("projects.datasets.name"): world.prefix + "epsilon-rat"}
    assert session_names(world, **deeper) == ["delta-mouse"]


def test_filter_with_no_match_is_an_empty_page(world):
    body = world.api.listing("session", **{flt("name.icontains"): "no-such-session-anywhere"})
    assert body["sessions"] == [] and body["count"] == 0


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (["name"], ["Alpha-rat", "beta-RAT", "delta-mouse", "epsilon-rat", "gamma-mouse"]),
        (["-name"], ["gamma-mouse", "epsilon-rat", "delta-mouse", "beta-RAT", "Alpha-rat"]),
        (["-date_time", "name"], ["epsilon-rat", "delta-mouse", "beta-RAT", "gamma-mouse", "Alpha-rat"]),
        (["date_time", "-name"], ["Alpha-rat", "gamma-mouse", "beta-RAT", "delta-mouse", "epsilon-rat"]),
    ],
)
def test_session_sort_single_and_multi_key(world, sort, expected):
    assert session_names(world, **{"sort[]": sort}) == expected


def test_include_projects_embeds_the_project_objects(world):
    for include in ("projects", "projects.*"):
        records = world.api.records(
            "session", **{"include[]": include, flt("name"): world.prefix + "delta-mouse"}
        )
        assert len(records) == 1
        embedded = records[0]["projects"]
        assert [p["id"] for p in embedded] and {p["id"] for p in embedded} == set(world.projects)
        for project in embedded:
            assert isinstance(project, dict) and project["name"].startswith("Project-")


def test_without_include_relations_are_ids(world):
    record = world.api.records("session", **{flt("name"): world.prefix + "delta-mouse"})[0]
    assert sorted(record["projects"]) == sorted(world.projects)


def test_include_on_detail_view(world):
    session = world.sessions["Alpha-rat"]
    response = world.api.get("session", session["id"], params={"include[]": "projects"})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["session"]["projects"]] == [world.projects[0]]


def test_include_subject_and_brain_region_on_actions(world, taxa):
    records = world.api.records(
        "action", **{"include[]": ["subject", "brain_region"], "sort[]": "description"}
    )
    by_description = {record["description"]: record for record in records}
    assert set(by_description) == {"first", "second", "third"}
    assert by_description["second"]["subject"]["id"] == world.subjects[0]
    assert by_description["second"]["subject"]["name"].startswith("Subject-")
    assert by_description["second"]["brain_region"]["id"] == taxa.brain_region
    assert by_description["first"]["brain_region"] is None


@pytest.mark.parametrize("field", ["subject.id", "subject"])
def test_action_filter_on_subject(world, field):
    records = world.api.records("action", **{flt(field): world.subjects[0], "sort[]": "description"})
    assert [r["description"] for r in records] == ["first", "second"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({flt("type"): "VirusInjection"}, ["first"]),
        ({flt("type.startswith"): "Si"}, ["third"]),
        ({flt("coordinates_system"): "Stereotaxic_BregmaAbsolute"}, ["first", "second", "third"]),
        ({flt("description.icontains"): "IR"}, ["first", "third"]),
        ({"sort[]": "-type"}, ["first", "third", "second"]),
        ({"sort[]": ["coordinates_system", "-description"]}, ["third", "second", "first"]),
    ],
)
def test_action_filters_and_sort(world, params, expected):
    records = world.api.records("action", **{"sort[]": "description", **params})
    assert [r["description"] for r in records] == expected


def test_count_is_all_matches_and_limit_offset_page(world):
    body = world.api.listing("session", **{"sort[]": "name", "limit": 2, "offset": 1})
    assert body["count"] == 5
    assert world.names(body["sessions"]) == ["beta-RAT", "delta-mouse"]
    body = world.api.listing("session", **{"sort[]": "name", "limit": 2, "offset": 4})
    assert body["count"] == 5 and world.names(body["sessions"]) == ["gamma-mouse"]
    body = world.api.listing("session", **{"sort[]": "name", "offset": 10})
    assert body["count"] == 5 and body["sessions"] == []


def test_count_with_filter_and_limit(world):
    body = world.api.listing("session", **{flt("name.icontains"): "rat", "limit": 1})
    assert body["count"] == 3 and len(body["sessions"]) == 1


@pytest.fixture(scope="module")
def demo_api(demo_server) -> Api:
    return user_api(demo_server, "pager")


def test_pages_are_capped_at_100_and_page_through_everything(demo_api):
    api = demo_api
    first = api.listing("brainregion", limit=1000, **{"sort[]": "acronym"})
    assert first["count"] >= 1327
    assert len(first["brain_regions"]) == 100
    seen: list[str] = []
    for offset in range(0, first["count"], 100):
        page = api.records("brainregion", limit=100, offset=offset, **{"sort[]": "acronym"})
        seen.extend(region["id"] for region in page)
    assert len(seen) == len(set(seen)) == first["count"]


def test_default_page_is_capped_at_100(demo_api):
    body = demo_api.listing("brainregion")
    assert len(body["brain_regions"]) == 100 and body["count"] >= 1327


def test_filter_on_brain_region_acronym(demo_api):
    regions = demo_api.records("brainregion", **{flt("acronym"): "CA1", flt("atlas"): "AIA"})
    assert [(r["acronym"], r["name"]) for r in regions] == [("CA1", "Field CA1")]


@pytest.mark.parametrize(
    ("model", "params", "named"),
    [
        ("session", {flt("nosuchfield"): "x"}, "nosuchfield"),
        ("session", {flt("nosuchfield.icontains"): "x"}, "nosuchfield"),
        ("session", {flt("name.regexmatch"): "x"}, "regexmatch"),
        ("session", {"sort[]": "nosuchsort"}, "nosuchsort"),
        ("session", {"sort[]": ["name", "-nosuchsort"]}, "nosuchsort"),
        ("action", {flt("colour"): "red"}, "colour"),
        ("action", {"sort[]": "-colour"}, "colour"),
        ("action", {flt("subject.nosuchfield"): "x"}, "nosuchfield"),
    ],
)
def test_unknown_filter_or_sort_field_is_400_naming_it(world, model, params, named):
    response = world.api.get(model, params=params)
    assert response.status_code == 400
    assert named in response.text
    assert isinstance(response.json(), dict)


@pytest.mark.parametrize(
    "params",
    [{"limit": "many"}, {"offset": "-3"}, {"limit": "-1"}, {"limit": "0"}, {flt("date_time.gt"): "soon"}],
)
def test_odd_paging_or_filter_values_are_never_a_server_error(world, params):
    """The spec leaves these open (ignore or reject); a 500 or a malformed list is a bug."""
    response = world.api.get("session", params=params)
    assert response.status_code in (200, 400), response.text
    body = response.json()
    if response.status_code == 200:
        assert len(body["sessions"]) <= 100 and body["count"] >= len(body["sessions"])
    else:
        assert isinstance(body, dict) and body


def test_date_time_columns_filter_by_text_and_by_value_and_refuse_garbage(new_api, taxa):
    """A timestamp column (a procedure's created_at) takes text matches, ISO comparisons, and a
    400 naming the parameter for a value that is not a date-time (PostgreSQL gave a 500)."""
    from tests.server.builders import make_project, make_subject
    from tests.server.current_builders import make_procedure

    api = new_api("timefilter")
    project = make_project(api)
    subject = make_subject(api, [project["id"]], taxa.strain)
    created = make_procedure(api, subject["id"])
    year = created["created_at"][:4]
    assert api.count("procedure", **{flt("created_at.startswith"): year, flt("subject"): subject["id"]}) == 1
    assert api.count("procedure", **{flt("created_at.gte"): f"{year}-01-01T00:00:00Z"}) >= 1
    assert api.count("procedure", **{flt("created_at.lt"): "2000-01-01"}) == 0
    response = api.get("procedure", params={flt("created_at.gt"): "yesterday"})
    assert response.status_code == 400 and list(response.json()) == [flt("created_at.gt")]


@pytest.mark.parametrize(
    "params",
    [{flt("x" * 5000): "1"}, {"limit": "7" * 5000},
     {"sort[]": "-" + "z" * 5000}, {"include[]": "q" * 5000}],
)  # fmt: skip
def test_a_huge_query_value_is_named_in_a_400_but_not_said_back_whole(world, params):
    """An absurd value is refused with a message that names it by its start and its length; the
    answer never grows with the caller's input."""
    response = world.api.get("session", params=params)
    assert response.status_code == 400
    assert len(response.text) < 600, response.text[:200]
    assert "5,00" in response.text  # its length, said instead of the rest
