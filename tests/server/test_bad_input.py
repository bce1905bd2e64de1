"""A corpus of bad requests to the session and action endpoints.

Each case asserts the status (400, 403, 413 or 404), that the DRF-style error body names the
offending field, and that nothing was written: the record count (a list call on the super
portal) and, for a PATCH, the record itself are unchanged.
"""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.server.api import BODY_ERROR_KEYS, Api, names_field, unique
from tests.server.builders import make_action, make_project, make_session, make_subject, share

DROP = object()  # marks a field to leave out of the payload
TWO_MB = 2 * 1024 * 1024


@dataclass
class Ctx:
    api: Api  # the user sending the bad requests
    root: Api  # a superuser, to count every record on the super portal
    project: str  # writable by api
    readonly_project: str  # api is a member without can_change
    hidden_project: str  # api is no member
    subject: str  # in project
    readonly_subject: str
    hidden_subject: str
    dup_name: str  # name of an existing session
    session: dict  # target of the session PATCH cases
    action: dict  # target of the action PATCH cases (a VirusInjection)


@pytest.fixture(scope="module")
def ctx(new_api, taxa) -> Ctx:
    api, other, root = new_api("bad"), new_api("badother"), new_api("badroot", superuser=True)
    project = make_project(api)["id"]
    readonly, hidden = make_project(other)["id"], make_project(other)["id"]
    share(other, readonly, api, can_change=False)
    subject = make_subject(api, [project], taxa.strain)["id"]
    action = make_action(api, subject, type="VirusInjection", details={"injectionVolume": 10})
    return Ctx(
        api, root, project, readonly, hidden, subject,
        readonly_subject=make_subject(other, [readonly], taxa.strain)["id"],
        hidden_subject=make_subject(other, [hidden], taxa.strain)["id"],
        dup_name=make_session(api, [project])["name"],
        session=make_session(api, [project], description="target", tags=["keep"]),
        action=action,
    )  # fmt: skip


def _resolve(value: Any, ctx: Ctx) -> Any:
    return value(ctx) if callable(value) else value


def session_payload(ctx: Ctx, **fields: Any) -> dict:
    data = {"name": unique("Bad"), "projects": [ctx.project], "description": "ok"}
    return _merge(data, fields, ctx)


def action_payload(ctx: Ctx, **fields: Any) -> dict:
    data = {
        "type": "VirusInjection",
        "subject": ctx.subject,
        "details": {"injectionVolume": 5, "injectionSchema": "Gradual"},
        "coordinates_system": "Stereotaxic_BregmaAbsolute",
        "coordinates_details": {"apCoordinate": 1.0},
    }
    return _merge(data, fields, ctx)


def _merge(data: dict, fields: dict, ctx: Ctx) -> dict:
    for key, value in fields.items():
        if value is DROP:
            data.pop(key, None)
        else:
            data[key] = _resolve(value, ctx)
    return data


@dataclass(frozen=True)
class Case:
    model: str
    build: Callable[[Ctx], Any]  # -> a JSON-able payload, or bytes sent as-is
    fields: tuple[str, ...]  # the error body must name one of these
    status: int = 400
    method: str = "POST"
    record: Callable[[Ctx], str] | None = None  # the id in the URL (PATCH/GET/DELETE)


def post_session(*fields: str, **payload: Any) -> Case:
    return Case("session", lambda c: session_payload(c, **payload), fields)


def post_action(*fields: str, **payload: Any) -> Case:
    return Case("action", lambda c: action_payload(c, **payload), fields)


def patch_session(*fields: str, **payload: Any) -> Case:
    data = lambda c: {k: _resolve(v, c) for k, v in payload.items()}  # noqa: E731
    return Case("session", data, fields, method="PATCH", record=lambda c: c.session["id"])


def patch_action(*fields: str, **payload: Any) -> Case:
    data = lambda c: {k: _resolve(v, c) for k, v in payload.items()}  # noqa: E731
    return Case("action", data, fields, method="PATCH", record=lambda c: c.action["id"])


def read_only(case: Case) -> Case:
    """``case`` refers to a record the user may read but not change: 403 naming the field."""
    return dataclasses.replace(case, status=403)


def raw(
    model: str, text: bytes | Callable[[Ctx], bytes], *fields: str, status: int = 400, patch=False
) -> Case:
    """A body sent byte for byte as application/json."""
    record = (lambda c: c.session["id"] if model == "session" else c.action["id"]) if patch else None
    build = text if callable(text) else (lambda c: text)
    return Case(model, build, fields or BODY_ERROR_KEYS, status, "PATCH" if patch else "POST", record)


def raw_session_with(extra_fields_literal: str) -> Callable[[Ctx], bytes]:
    return lambda c: (
        f'{{"name": "{unique("Bad")}", "projects": ["{c.project}"], "extra_fields": {extra_fields_literal}}}'
    ).encode()


def raw_action_with(field: str, literal: str) -> Callable[[Ctx], bytes]:
    return lambda c: (
        f'{{"type": "VirusInjection", "subject": "{c.subject}",'
        f' "coordinates_system": "Stereotaxic_BregmaAbsolute", "{field}": {literal}}}'
    ).encode()


def big_body(model: str) -> Callable[[Ctx], bytes]:
    """A valid payload made 2 MB long by its description."""

    def build(c: Ctx) -> bytes:
        payload = session_payload(c) if model == "session" else action_payload(c)
        return json.dumps({**payload, "description": "x" * TWO_MB}).encode()

    return build


def unknown_id(_: Ctx) -> str:
    return str(uuid.uuid4())


NESTED = b"[" * 100_000 + b"]" * 100_000


def nested(depth: int) -> list:
    """A list nested ``depth`` levels deep."""
    value: list = [1]
    for _ in range(depth - 1):
        value = [value]
    return value


CASES: dict[str, Case] = {
    # --- session POST: name
    "session-name-missing": post_session("name", name=DROP),
    "session-name-empty": post_session("name", name=""),
    "session-name-blank": post_session("name", name="   "),
    "session-name-101-chars": post_session("name", name="n" * 101),
    "session-name-null": post_session("name", name=None),
    "session-name-list": post_session("name", name=["a"]),
    "session-name-bool": post_session("name", name=True),
    "session-name-duplicate": post_session("name", name=lambda c: c.dup_name),
    # --- session POST: projects
    "session-projects-missing": post_session("projects", projects=DROP),
    "session-projects-empty": post_session("projects", projects=[]),
    "session-projects-null": post_session("projects", projects=None),
    "session-projects-not-a-list": post_session("projects", projects=lambda c: c.project),
    "session-projects-not-uuid": post_session("projects", projects=["abc"]),
    "session-projects-int": post_session("projects", projects=[5]),
    "session-projects-unknown": post_session("projects", projects=lambda c: [unknown_id(c)]),
    "session-projects-one-unknown": post_session("projects", projects=lambda c: [c.project, unknown_id(c)]),
    "session-projects-hidden": post_session("projects", projects=lambda c: [c.hidden_project]),
    "session-projects-not-writable": read_only(
        post_session("projects", projects=lambda c: [c.readonly_project])
    ),
    "session-projects-one-not-writable": read_only(
        post_session("projects", projects=lambda c: [c.project, c.readonly_project])
    ),
    # an unreadable id is reported like a missing one, even next to a read-only one
    "session-projects-hidden-and-not-writable": post_session(
        "projects", projects=lambda c: [c.readonly_project, c.hidden_project]
    ),
    # --- session POST: other fields
    "session-description-int": post_session("description", description=5),
    "session-description-object": post_session("description", description={"a": 1}),
    "session-date-bad-month": post_session("date_time", date_time="2023-13-01"),
    "session-date-words": post_session("date_time", date_time="yesterday"),
    "session-date-number": post_session("date_time", date_time=20230322),
    "session-date-day-32": post_session("date_time", date_time="2023-01-32"),
    "session-extra-key-digit": post_session("extra_fields", extra_fields={"1abc": 1}),
    "session-extra-key-space": post_session("extra_fields", extra_fields={"a b": 1}),
    "session-extra-key-empty": post_session("extra_fields", extra_fields={"": 1}),
    "session-extra-key-dash": post_session("extra_fields", extra_fields={"a-b": 1}),
    "session-extra-nested-value": post_session("extra_fields", extra_fields={"a": {"b": 1}}),
    "session-extra-list-value": post_session("extra_fields", extra_fields={"a": [1]}),
    "session-extra-bool-value": post_session("extra_fields", extra_fields={"a": True}),
    "session-extra-null-value": post_session("extra_fields", extra_fields={"a": None}),
    "session-extra-string": post_session("extra_fields", extra_fields="abc"),
    "session-extra-list-of-strings": post_session("extra_fields", extra_fields=["a"]),
    "session-extra-pair-no-value": post_session("extra_fields", extra_fields=[{"name": "a"}]),
    "session-extra-pair-bad-name": post_session("extra_fields", extra_fields=[{"name": "9x", "value": 1}]),
    "session-links-string": post_session("download_links", download_links="https://x.org"),
    "session-links-object": post_session("download_links", download_links={"Repository": "a", "URL": "b"}),
    "session-links-no-url": post_session("download_links", download_links=[{"Repository": "a"}]),
    "session-links-extra-key": post_session(
        "download_links", download_links=[{"Repository": "a", "URL": "b", "Note": "c"}]
    ),
    "session-links-list-of-lists": post_session("download_links", download_links=[["a", "b"]]),
    "session-links-url-number": post_session(
        "download_links", download_links=[{"Repository": "a", "URL": 5}]
    ),
    "session-tags-string": post_session("tags", tags="a,b"),
    "session-tags-object": post_session("tags", tags={"a": 1}),
    "session-tags-objects": post_session("tags", tags=[{"a": 1}]),
    "session-tags-numbers": post_session("tags", tags=[1, 2]),
    "session-storage-name-201": post_session("name_used_in_storage", name_used_in_storage="s" * 201),
    "session-name-nul-character": post_session("name", name="a\x00b"),
    "session-extra-nested-40-deep": post_session("extra_fields", extra_fields={"a": nested(40)}),
    # --- session POST: numbers JSON cannot carry, and broken bodies
    "session-extra-nan": raw("session", raw_session_with('{"a": NaN}'), "extra_fields", *BODY_ERROR_KEYS),
    "session-extra-infinity": raw(
        "session", raw_session_with('{"a": Infinity}'), "extra_fields", *BODY_ERROR_KEYS
    ),
    "session-extra-minus-infinity": raw(
        "session", raw_session_with('[{"name": "a", "value": -Infinity}]'), "extra_fields", *BODY_ERROR_KEYS
    ),
    "session-extra-1e309": raw("session", raw_session_with('{"a": 1e309}'), "extra_fields", *BODY_ERROR_KEYS),
    "session-malformed-json": raw("session", b'{"name": '),
    "session-trailing-garbage": raw("session", raw_session_with("{}}")),
    "session-json-array": raw("session", b'[{"name": "x"}]'),
    "session-json-string": raw("session", b'"name"'),
    "session-json-null": raw("session", b"null"),
    "session-empty-body": raw("session", b"", "name", "projects", *BODY_ERROR_KEYS),
    "session-form-encoded": raw("session", b"name=x&projects=y"),
    "session-invalid-utf8": raw("session", b'{"name": "\xff\xfe"}'),
    "session-deeply-nested": raw("session", b'{"name": "deep", "extra_fields": ' + NESTED + b"}"),
    "session-2mb-body": raw("session", big_body("session"), status=413),
    # --- session PATCH
    "session-patch-name-empty": patch_session("name", name=""),
    "session-patch-name-null": patch_session("name", name=None),
    "session-patch-name-101": patch_session("name", name="n" * 101),
    "session-patch-name-duplicate": patch_session("name", name=lambda c: c.dup_name),
    "session-patch-projects-empty": patch_session("projects", projects=[]),
    "session-patch-projects-unknown": patch_session("projects", projects=lambda c: [unknown_id(c)]),
    "session-patch-projects-hidden": patch_session("projects", projects=lambda c: [c.hidden_project]),
    "session-patch-projects-not-writable": read_only(
        patch_session("projects", projects=lambda c: [c.readonly_project])
    ),
    "session-patch-date-bad": patch_session("date_time", date_time="2023-02-30"),
    "session-patch-extra-bad-key": patch_session("extra_fields", extra_fields={"_x": 1}),
    "session-patch-tags-string": patch_session("tags", tags="a"),
    "session-patch-description-and-bad-date": patch_session("date_time", description="new", date_time="x"),
    "session-patch-malformed-json": raw("session", b"{'name': 'x'}", patch=True),
    "session-patch-json-array": raw("session", b"[]", patch=True),
    "session-patch-2mb-body": raw("session", big_body("session"), status=413, patch=True),
    # --- action POST: type, subject, coordinates_system
    "action-type-missing": post_action("type", type=DROP),
    "action-type-unknown": post_action("type", type="LaserAblation"),
    "action-type-int": post_action("type", type=3),
    "action-type-wrong-case": post_action("type", type="virusinjection"),
    "action-subject-missing": post_action("subject", subject=DROP),
    "action-subject-unknown": post_action("subject", subject=unknown_id),
    "action-subject-not-uuid": post_action("subject", subject="abc"),
    "action-subject-int": post_action("subject", subject=5),
    "action-subject-list": post_action("subject", subject=lambda c: [c.subject]),
    "action-subject-hidden": post_action("subject", subject=lambda c: c.hidden_subject),
    "action-subject-not-writable": read_only(post_action("subject", subject=lambda c: c.readonly_subject)),
    "action-system-missing": post_action("coordinates_system", coordinates_system=DROP),
    "action-system-unknown": post_action("coordinates_system", coordinates_system="Polar"),
    "action-system-null": post_action("coordinates_system", coordinates_system=None),
    "action-description-501": post_action("description", description="d" * 501),
    "action-description-list": post_action("description", description=["d"]),
    "action-date-bad": post_action("date_time", date_time="22/03/2023"),
    "action-brain-region-unknown": post_action("brain_region", brain_region=unknown_id),
    "action-brain-region-not-uuid": post_action("brain_region", brain_region="CA1"),
    "action-consumable-unknown": post_action("consumable", consumable=unknown_id),
    "action-hardwaredevice-int": post_action("hardwaredevice", hardwaredevice=7),
    # --- action POST: details against the type's schema
    "action-details-negative-volume": post_action("details", details={"injectionVolume": -1}),
    "action-details-volume-text": post_action("details", details={"injectionVolume": "lots"}),
    "action-details-enum": post_action("details", details={"injectionSchema": "Sometimes"}),
    "action-details-rate-bool": post_action("details", details={"injectionRate": True}),
    "action-details-tetrodes-fraction": post_action(
        "details", type="TetrodeWireElectrode", details={"tetrodeCount": 1.5}
    ),
    "action-details-tetrodes-text": post_action(
        "details", type="TetrodeWireElectrode", details={"tetrodeCount": "4"}
    ),
    "action-details-negative-wires": post_action(
        "details", type="SingleWireElectrode", details={"wireCount": -2}
    ),
    "action-details-tip-number": post_action(
        "details", type="OpticFiberImplant", details={"fiberTipShape": 3}
    ),
    "action-details-list": post_action("details", details=[1]),
    "action-details-string": post_action("details", details="flat"),
    # --- action POST: coordinates_details against the system's schema
    "action-coords-text": post_action("coordinates_details", coordinates_details={"apCoordinate": "one"}),
    "action-coords-bool": post_action("coordinates_details", coordinates_details={"apCoordinate": True}),
    "action-coords-null-value": post_action("coordinates_details", coordinates_details={"mlAngle": None}),
    "action-coords-string": post_action("coordinates_details", coordinates_details="abc"),
    "action-coords-list": post_action("coordinates_details", coordinates_details=[1.0, 2.0]),
    "action-coords-wrong-system-field": post_action(
        "coordinates_details", coordinates_system="Stereotaxic_XY_Surface", coordinates_details={"x": "left"}
    ),
    "action-coords-nan": raw(
        "action",
        raw_action_with("coordinates_details", '{"apCoordinate": NaN}'),
        "coordinates_details",
        *BODY_ERROR_KEYS,
    ),  # fmt: skip
    "action-coords-infinity": raw(
        "action",
        raw_action_with("coordinates_details", '{"dvCoordinate": Infinity}'),
        "coordinates_details",
        *BODY_ERROR_KEYS,
    ),  # fmt: skip
    "action-coords-1e309": raw(
        "action",
        raw_action_with("coordinates_details", '{"apAngle": -1e309}'),
        "coordinates_details",
        *BODY_ERROR_KEYS,
    ),  # fmt: skip
    "action-details-nan": raw(
        "action", raw_action_with("details", '{"injectionVolume": NaN}'), "details", *BODY_ERROR_KEYS
    ),
    "action-malformed-json": raw("action", b'{"type": "VirusInjection",'),
    "action-json-array": raw("action", b'["VirusInjection"]'),
    "action-json-number": raw("action", b"42"),
    "action-2mb-body": raw("action", big_body("action"), status=413),
    # --- action PATCH (the target is a VirusInjection)
    "action-patch-type-unknown": patch_action("type", type="Laser"),
    "action-patch-type-null": patch_action("type", type=None),
    "action-patch-details-invalid": patch_action("details", details={"injectionVolume": -5}),
    "action-patch-details-enum": patch_action("details", details={"injectionSchema": "Never"}),
    "action-patch-subject-unknown": patch_action("subject", subject=unknown_id),
    "action-patch-subject-null": patch_action("subject", subject=None),
    "action-patch-subject-hidden": patch_action("subject", subject=lambda c: c.hidden_subject),
    "action-patch-subject-not-writable": read_only(
        patch_action("subject", subject=lambda c: c.readonly_subject)
    ),
    "action-patch-system-unknown": patch_action("coordinates_system", coordinates_system="Polar"),
    "action-patch-coords-text": patch_action(
        "coordinates_details", coordinates_details={"apCoordinate": "x"}
    ),
    "action-patch-description-501": patch_action("description", description="d" * 501),
    "action-patch-malformed-json": raw("action", b"{", patch=True),
    # --- ids in the URL
    "session-get-non-uuid": Case("session", lambda c: None, ("detail",), 404, "GET", lambda c: "not-a-uuid"),
    "session-patch-non-uuid": Case(
        "session", lambda c: {"description": "x"}, ("detail",), 404, "PATCH", lambda c: "123"
    ),
    "session-delete-non-uuid": Case("session", lambda c: None, ("detail",), 404, "DELETE", lambda c: "xyz"),
    "session-get-unknown-uuid": Case("session", lambda c: None, ("detail",), 404, "GET", unknown_id),
    "session-delete-unknown-uuid": Case("session", lambda c: None, ("detail",), 404, "DELETE", unknown_id),
    "action-get-non-uuid": Case("action", lambda c: None, ("detail",), 404, "GET", lambda c: "1"),
    "action-patch-non-uuid": Case(
        "action", lambda c: {"description": "x"}, ("detail",), 404, "PATCH", lambda c: "a" * 36
    ),
    "action-delete-non-uuid": Case("action", lambda c: None, ("detail",), 404, "DELETE", lambda c: "%20"),
    "action-patch-unknown-uuid": Case(
        "action", lambda c: {"description": "x"}, ("detail",), 404, "PATCH", unknown_id
    ),
}


def send(ctx: Ctx, case: Case):
    body = case.build(ctx)
    url = ctx.api.url(case.model, case.record(ctx) if case.record else None)
    if isinstance(body, bytes):
        headers = {"Content-Type": "application/json"}
        return ctx.api.http.request(case.method, url, data=body, headers=headers, timeout=60)
    if body is None:
        return ctx.api.http.request(case.method, url, timeout=30)
    return ctx.api.http.request(case.method, url, json=body, timeout=30)


def snapshot(ctx: Ctx, case: Case) -> tuple:
    """What a bad request must leave alone: the count of every record, and a PATCH's target."""
    target = ctx.session["id"] if case.model == "session" else ctx.action["id"]
    record = ctx.api.read(case.model, target) if case.method == "PATCH" else None
    return ctx.root.count(case.model, portal="super"), record


def test_corpus_is_large_and_covers_both_endpoints():
    models = [case.model for case in CASES.values()]
    assert len(CASES) >= 40
    assert models.count("session") >= 20 and models.count("action") >= 20


@pytest.mark.parametrize("case_id", list(CASES))
def test_bad_input_is_rejected_and_nothing_is_written(ctx, case_id):
    case = CASES[case_id]
    before = snapshot(ctx, case)
    response = send(ctx, case)
    assert response.status_code == case.status, response.text[:500]
    body = response.json()
    assert names_field(body, case.fields), f"expected one of {case.fields}: {response.text[:500]}"
    if case.status == 403:  # says why, per field and as a whole
        assert all("read-only access" in message for field in case.fields for message in body[field]), body
        assert "read-only access" in body["detail"], body
    if case.status == 400 and "does not exist" in response.text:  # hidden looks exactly like missing
        assert "read-only" not in response.text, body
    assert snapshot(ctx, case) == before


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        ("session", lambda c: session_payload(c)),
        ("session", lambda c: session_payload(c, name="n" * 91 + uuid.uuid4().hex[:9])),
        ("session", lambda c: session_payload(c, name_used_in_storage="s" * 200, tags=[])),
        ("session", lambda c: session_payload(c, extra_fields={"a_1": "x", "B2": 2.5}, download_links=[])),
        ("session", lambda c: session_payload(c, date_time=None, extra_fields=[])),
        ("action", lambda c: action_payload(c)),
        ("action", lambda c: action_payload(c, description="d" * 500)),
        ("action", lambda c: action_payload(c, details={"injectionVolume": 0}, coordinates_details={})),
    ],
)
def test_valid_neighbours_of_the_corpus_are_accepted(ctx, model, payload):
    """Controls: the corpus's base payloads and its boundary values are accepted."""
    before = ctx.root.count(model, portal="super")
    created = ctx.api.create(model, payload(ctx))
    assert ctx.root.count(model, portal="super") == before + 1
    assert ctx.api.delete(model, created["id"]).status_code == 204


def test_duplicate_check_compares_whole_names(ctx):
    """The duplicate check compares the whole name: a longer name that contains it is fine."""
    created = ctx.api.create("session", session_payload(ctx, name=ctx.dup_name + "-2"))
    assert created["name"] == ctx.dup_name + "-2"
