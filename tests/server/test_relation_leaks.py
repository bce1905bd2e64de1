"""Issue 9 item 1: filters, sorts and includes across relations see only what the caller may read.

World: an owner's public project PUB and private project PRIV; a session and a subject (with an
action) in both (so everyone sees them through PUB), and a session and a subject (with an action)
only in PRIV, whose fields all hold secrets. The attackers: anonymous on the public portal, and a
read-only member of PUB (not of PRIV) on the private portal.

Noninterference: every filterable relation path of sessions, actions, projects, subjects and
subject logs (issue 13: a secret subject log, and the subject's supplier, licenses and logs) —
enumerated from the server's resource definitions, not picked by hand — is asked with values taken
from the private records (equality, prefixes, substrings, ranges, ``in``, ``isnull``, JSON text,
and each first probe also as an exclusion ``filter{-...}``). What the attackers get (count and
ids) must not change when the private records are deleted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import JSON, Boolean

from stemgui.server.problems import FIELD_MAX, echo
from stemgui.server.query import MAX_RELATIONS
from stemgui.server.resources import RESOURCES
from tests.server.api import Api, flt, unique
from tests.server.builders import make_action, make_project, make_session, make_subject, share
from tests.server.current_builders import (
    make_equipment,
    make_inventory,
    make_license,
    make_procedure,
    make_setup,
    make_stock,
)

MODELS = ("session", "action", "project", "subject", "subjectlog")
# ~13,000 probes across the models' relation paths, asked twice: minutes on a loaded machine, so
# the module gets a long timeout, and they are asked in one test per database (below), which one
# xdist worker runs; shared by many tests, each worker asked them all for its share of those.
pytestmark = pytest.mark.timeout(1800)
PORTALS = ("public", "private")


@dataclass(frozen=True)
class Leaf:
    """One filterable relation path: ``path`` ends at ``field`` (None: the related ids) of ``model``."""

    root: str
    path: str
    model: str
    field: str | None


def relation_paths(root: str, max_hops: int = MAX_RELATIONS) -> Iterator[Leaf]:
    """Every path from ``root`` across 1..max_hops relations, to each field of the last one."""

    def walk(model: str, prefix: str, hops: int) -> Iterator[Leaf]:
        resource = RESOURCES[model]
        for name, rel in {**resource.to_one, **resource.to_many}.items():
            path = prefix + name
            yield Leaf(root, path, rel.target, None)
            target = RESOURCES[rel.target]
            for field in dict.fromkeys(("id", *target.columns)):
                yield Leaf(root, f"{path}.{field}", rel.target, field)
            if hops < max_hops:
                yield from walk(rel.target, path + ".", hops + 1)

    yield from walk(root, "", 1)


def too_deep_paths(root: str) -> list[str]:
    """Every relation path that crosses one relation more than allowed."""
    deeper = relation_paths(root, MAX_RELATIONS + 1)
    return sorted(
        {leaf.path for leaf in deeper if leaf.field is None and _hops(root, leaf.path) > MAX_RELATIONS}
    )


def _hops(root: str, path: str) -> int:
    resource, hops = RESOURCES[root], 0
    for part in path.split("."):
        rel = resource.to_one.get(part) or resource.to_many.get(part)
        if rel is None:
            break
        resource, hops = RESOURCES[rel.target], hops + 1
    return hops


LEAVES = [leaf for root in MODELS for leaf in relation_paths(root)]


def _text_in(value) -> str | None:
    """The first text inside a JSON value (the secret it carries)."""
    if isinstance(value, str):
        return value
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else ()
    for item in items:
        found = _text_in(item)
        if found:
            return found
    return None


def probes(leaf: Leaf, record: dict) -> list[tuple[str, str]]:
    """(filter parameter, value) pairs asking about ``record``'s value at ``leaf``; the first one
    is also asked as an exclusion."""
    if leaf.field in (None, "id"):
        rid = record["id"]
        asked = [("", rid), (".in", f"{rid},{NO_SUCH_ID}"), (".isnull", "true"), (".isnull", "false")]
    else:
        column = RESOURCES[leaf.model].columns[leaf.field]
        value = record[leaf.field]
        if isinstance(column.type, Boolean):
            asked = [("", str(value).lower()), (".isnull", "false")]
        elif isinstance(column.type, JSON):
            text = _text_in(value)
            asked = [(".icontains", text[1:12]), ("", text)] if text else [(".icontains", "{")]
        elif value is None:
            asked = [(".isnull", "true"), (".isnull", "false")]
        else:
            value = str(value)
            asked = [(".startswith", value[:6]), ("", value), (".icontains", value[1:8]), (".in", value),
                     (".lte", value)]  # fmt: skip
    params = [(flt(leaf.path + op), raw) for op, raw in asked]
    return [*params, (flt("-" + leaf.path + asked[0][0]), asked[0][1])]


@dataclass
class World:
    owner: Api
    member: Api  # of PUB only, read-only
    anonymous: Api
    public: dict
    private: dict
    mixed_session: dict
    secrets: dict[str, dict]  # model -> the record whose values the probes ask about

    def attacker(self, portal: str) -> Api:
        return self.anonymous if portal == "public" else self.member


SECRET = "Zq7secret"
NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"


def _build(new_api, anonymous, taxa) -> World:
    owner, member = new_api("leakowner"), new_api("leakmember")
    public = make_project(owner, is_public=True, description="open project", tags=["open"])
    private = make_project(
        owner,
        name=unique(SECRET + "Project"),
        description=f"{SECRET} project plans",
        extra_fields={"grant": f"{SECRET}-grant"},
        name_used_in_repository=f"{SECRET}-repo",
        tags=[f"{SECRET}-tag"],
    )
    share(owner, public["id"], member, can_change=False)
    both = [public["id"], private["id"]]
    mixed_session = make_session(owner, both, description="open session", date_time="2024-05-01")
    secret_session = make_session(
        owner,
        [private["id"]],
        name=unique(SECRET + "Session"),
        description=f"{SECRET} unpublished result",
        date_time="1999-01-02T03:04:05",
        extra_fields={"note": f"{SECRET}-note"},
        download_links=[{"Repository": "DANDI", "URL": f"https://x.org/{SECRET}"}],
        name_used_in_storage=f"{SECRET}-storage",
        tags=[f"{SECRET}-stag"],
    )
    license_ = make_license(owner, name=unique(SECRET + "License"))
    mixed_subject = make_subject(
        owner, both, taxa.strain, description="open subject", birth_date="2024-01-01"
    )
    secret_subject = make_subject(
        owner,
        [private["id"]],
        taxa.strain,
        name=unique(SECRET + "Subject"),
        description=f"{SECRET} knockout",
        sex="F",
        genetic_line=f"{SECRET}-line",
        subject_identifier=f"{SECRET}-ident",
        source=f"{SECRET}-source",
        extra_fields={"cage": f"{SECRET}-cage"},
        tags=[f"{SECRET}-subtag"],
        genotype=f"{SECRET}-genotype",
        status="retired",
        name_used_in_storage=f"{SECRET}-storage",
        supplier=taxa.supplier,
        licenses=[license_["id"]],
    )
    make_action(owner, mixed_subject["id"], description="open action", date_time="2024-05-02")
    secret_action = make_action(
        owner,
        secret_subject["id"],
        description=f"{SECRET} implant",
        date_time="1999-02-03",
        consumable=taxa.consumable,
        hardwaredevice=taxa.hardwaredevice,
        brain_region=taxa.brain_region,
        coordinates_details={"apCoordinate": 7.25, "mlCoordinate": 1.5, "dvCoordinate": 3.0},
    )
    make_procedure(owner, mixed_subject["id"], notes="open procedure")
    stock = make_stock(owner, make_inventory(owner)["id"], notes=f"{SECRET}-lot")
    equipment = make_equipment(owner, make_setup(owner)["id"], name=unique(SECRET + "Rig"))
    secret_procedure = make_procedure(
        owner,
        secret_subject["id"],
        notes=f"{SECRET} injection",
        consumablestock=stock["id"],
        equipment=[equipment["id"]],
        licenses=[license_["id"]],
    )
    open_log = {"type": "Wellness", "subject": mixed_subject["id"], "description": "open log"}
    owner.create("subjectlog", open_log)
    secret_log = owner.create(
        "subjectlog",
        {
            "type": "Weighing",
            "subject": secret_subject["id"],
            "description": f"{SECRET} weights",
            "entries": [{"date_time": "1999-03-04T05:06:07Z", "notes": f"{SECRET}-weighed",
                         "details": {"weight": 31.5}}],
        },
    )  # fmt: skip
    secrets = {
        "subjectlog": secret_log,
        "procedure": owner.read("procedure", secret_procedure["id"]),
        "consumablestock": owner.read("consumablestock", stock["id"]),
        "equipment": owner.read("equipment", equipment["id"]),
        "license": owner.read("license", license_["id"]),
        "project": owner.read("project", private["id"]),
        "session": secret_session,
        "subject": owner.read("subject", secret_subject["id"]),
        "action": secret_action,
    }
    for model in ("consumable", "hardwaredevice", "brainregion", "strain", "supplier", "species"):
        secrets[model] = owner.read(model, getattr(taxa, model if model != "brainregion" else "brain_region"))
    return World(owner, member, anonymous, public, private, mixed_session, secrets)


def _ask_everything(world: World) -> dict[tuple[str, str, str, str], tuple[int, list[str]]]:
    """(portal, leaf path with root, parameter, value) -> (count, ids) for every probe."""
    answers = {}
    for portal in PORTALS:
        api = world.attacker(portal)
        for leaf in LEAVES:
            for param, raw in probes(leaf, world.secrets[leaf.model]):
                response = api.get(leaf.root, portal=portal, params={param: raw})
                assert response.status_code == 200, (portal, leaf.root, param, raw, response.text[:300])
                body = response.json()
                ids = sorted(record["id"] for record in body[RESOURCES[leaf.root].list_key])
                answers[(portal, f"{leaf.root}:{leaf.path}", param, raw)] = (body["count"], ids)
    return answers


@pytest.fixture(scope="module")
def world(new_api, anonymous, taxa) -> World:
    return _build(new_api, anonymous, taxa)


def _headline_counts(world: World) -> dict[str, int]:
    """The issue's own examples, as the attackers see them while the private records exist."""
    secret_session = world.secrets["session"]
    prefix = secret_session["description"][:12]
    anon, member = world.anonymous, world.member
    return {
        "anon datasets.description": anon.count(
            "session", portal="public", **{flt("projects.datasets.description.startswith"): prefix}
        ),
        "anon is_public=false": anon.count(
            "session", portal="public", **{flt("projects.is_public"): "false"}
        ),
        "anon extra_fields": anon.count(
            "session", portal="public", **{flt("projects.extra_fields.icontains"): SECRET}
        ),
        "member description": member.count(
            "session", **{flt("projects.description.startswith"): world.secrets["project"]["description"][:9]}
        ),
        "member datasets.name": member.count(
            "session", **{flt("projects.datasets.name"): secret_session["name"]}
        ),
        "owner datasets.description": world.owner.count(
            "session", **{flt("projects.datasets.description.startswith"): prefix}
        ),
    }


def test_relation_filters_find_nothing_private(world):
    """Issue 9 item 1. The issue's own probes answer 0 to the attackers (the owner, who may read
    the private session, still finds both sessions of PRIV through the same path); and no filter
    through any relation path, on either portal, matches through a record the caller cannot read:
    every answer is the same with and without the private records (deleted in between)."""
    before = _ask_everything(world)
    assert _headline_counts(world) == {
        "anon datasets.description": 0,
        "anon is_public=false": 0,
        "anon extra_fields": 0,
        "member description": 0,
        "member datasets.name": 0,
        "owner datasets.description": 2,
    }
    assert world.owner.delete("project", world.private["id"]).status_code == 204
    after = _ask_everything(world)

    probed = {(portal, path) for portal, path, _, _ in before}
    assert probed == {(portal, f"{leaf.root}:{leaf.path}") for portal in PORTALS for leaf in LEAVES}
    changed = {key: (answer, after[key]) for key, answer in before.items() if after[key] != answer}
    shown = dict(list(changed.items())[:20])
    assert not changed, f"{len(changed)} answers reveal private records, e.g. {shown}"


def test_every_model_has_relation_paths_to_probe():
    """The enumeration covers one and two relation steps of each model (guards the test itself)."""
    for root in MODELS:
        depths = {_hops(root, leaf.path) for leaf in LEAVES if leaf.root == root}
        assert depths == {1, 2}, (root, depths)
    assert {"session:projects.datasets.description", "action:subject.projects.is_public"} <= {
        f"{leaf.root}:{leaf.path}" for leaf in LEAVES
    }


@pytest.mark.parametrize("root", MODELS)
def test_paths_deeper_than_two_relations_are_a_400_naming_the_parameter(world, server, root):
    """Issue 9 item 1: paths across more than two relations are a 400 naming the parameter, not a
    500 (SQLite "parser stack overflow", RecursionError); and they write next to nothing to the log."""
    paths = too_deep_paths(root)
    assert paths
    endless = {
        "session": "projects.datasets",
        "project": "datasets.projects",
        "action": "subject.projects",
        "subject": "projects.subjects",
        "subjectlog": "subject.subjectlogs",
    }
    paths.append(".".join([endless[root]] * 300))
    log_before = server.log_path.stat().st_size
    for path in paths:
        for portal, api in (("public", world.anonymous), ("private", world.member)):
            param = flt(path + ".icontains")
            response = api.get(root, portal=portal, params={param: "x"})
            assert response.status_code == 400, (portal, path, response.status_code, response.text[:300])
            assert list(response.json()) == [echo(param, FIELD_MAX)], response.text[:300]  # named
    assert server.log_path.stat().st_size - log_before < 20_000


def test_sorting_across_relations_is_refused(world):
    """Issue 9 item 1: ordering by a related field would reveal the order of records the caller
    cannot see; it is a 400 naming sort[]."""
    for sort in ("projects.name", "-projects.description", "subject.name"):
        for model in ("session", "action"):
            response = world.anonymous.get(model, portal="public", params={"sort[]": sort})
            assert response.status_code == 400 and "sort[]" in response.json(), response.text[:300]


@pytest.mark.parametrize("portal", PORTALS)
def test_include_embeds_only_readable_projects(world, portal):
    """Issue 9 item 1: include[]=projects embeds the public project, never a private one (it
    stays a bare id, as without include)."""
    private = make_project(world.owner, description=f"{SECRET} plans")
    session = make_session(world.owner, [world.public["id"], private["id"]])
    params = {flt("id"): session["id"], "include[]": "projects"}
    [record] = world.attacker(portal).records("session", portal=portal, **params)
    assert {p["id"] for p in record["projects"] if isinstance(p, dict)} == {world.public["id"]}
    assert private["id"] in record["projects"] and SECRET not in str(record)
