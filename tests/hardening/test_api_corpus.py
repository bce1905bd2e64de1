"""Hostile input through the real client against the real server: every case is refused with a
message naming the field (or, for ids, "no such record"), writes nothing, and leaks no traceback.

The bundled server's own wire-level corpus is tests/server/test_bad_input.py; this one goes
through ``stemgui.client`` the way the GUI does, adds two users in different projects (another
user's ids), 10 MB bodies, and search strings that look like SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from stemgui.errors import NotFound, PermissionDenied, StemGuiError, ValidationFailed
from tests.hardening.conftest import Pair, unique

TEN_MB = 10 * 1024 * 1024
SCRIPT = "<script>alert('x')</script>"
SQL = "'; DROP TABLE session; --"


def session_body(p: Pair, **fields: Any) -> dict:
    return {"name": unique("Hostile"), "projects": [p.me.project], **fields}


def action_body(p: Pair, **fields: Any) -> dict:
    body = {
        "type": "VirusInjection", "subject": p.me.subject, "details": {"injectionVolume": 5},
        "coordinates_system": "Stereotaxic_BregmaAbsolute", "coordinates_details": {"apCoordinate": 1.0},
    }  # fmt: skip
    return {**body, **fields}


@dataclass(frozen=True)
class Case:
    """One hostile call; ``field`` must be named by the error (None: a "not found" is expected)."""

    call: Callable[[Pair], Any]
    field: str | None


def post(model: str, field: str, **fields: Any) -> Case:
    build = session_body if model == "session" else action_body
    return Case(lambda p: p.me.client.save_model(model, data=build(p, **fields)), field)


def post_with(model: str, field: str, make: Callable[[Pair], dict]) -> Case:
    build = session_body if model == "session" else action_body
    return Case(lambda p: p.me.client.save_model(model, data=build(p, **make(p))), field)


def patch_mine(model: str, field: str, **fields: Any) -> Case:
    def call(p: Pair):
        record = p.me.session if model == "session" else p.me.action
        return p.me.client.save_model(model, id=record["id"], data=fields)

    return Case(call, field)


def others(model: str, verb: str) -> Case:
    """Read, change or delete the other user's record by its id."""

    def call(p: Pair):
        record_id = (p.other.session if model == "session" else p.other.action)["id"]
        if verb == "get":
            return p.me.client.load_model(model, id=record_id)
        if verb == "patch":
            return p.me.client.save_model(model, id=record_id, data={"description": "taken over"})
        return p.me.client.delete_model(model, id=record_id)

    return Case(call, None)


def by_id(model: str, verb: str, record_id: str) -> Case:
    def call(p: Pair):
        if verb == "get":
            return p.me.client.load_model(model, id=record_id)
        if verb == "patch":
            return p.me.client.save_model(model, id=record_id, data={"description": "x"})
        return p.me.client.delete_model(model, id=record_id)

    return Case(call, None)


CASES: dict[str, Case] = {
    # -- sessions: overlong, wrong types, wrong shapes
    "session-name-101": post("session", "name", name="n" * 101),
    "session-name-20k-emoji": post("session", "name", name="🧠" * 20_000),
    "session-name-empty": post("session", "name", name=""),
    "session-name-int": post("session", "name", name=12),
    "session-name-list": post("session", "name", name=[SCRIPT]),
    "session-storage-201": post("session", "name_used_in_storage", name_used_in_storage="s" * 201),
    "session-description-object": post("session", "description", description={"html": SCRIPT}),
    "session-date-feb-30": post("session", "date_time", date_time="2023-02-30"),
    "session-date-sql": post("session", "date_time", date_time=SQL),
    "session-projects-not-uuid": post("session", "projects", projects=["not-a-uuid"]),
    "session-projects-sql": post("session", "projects", projects=[SQL]),
    "session-projects-others": post_with("session", "projects", lambda p: {"projects": [p.other.project]}),
    "session-projects-string": post_with("session", "projects", lambda p: {"projects": p.me.project}),
    "session-extra-list-of-strings": post("session", "extra_fields", extra_fields=["a", "b"]),
    "session-extra-nested": post("session", "extra_fields", extra_fields={"a": {"b": 1}}),
    "session-extra-string": post("session", "extra_fields", extra_fields=SCRIPT),
    "session-extra-key-html": post("session", "extra_fields", extra_fields={SCRIPT: 1}),
    "session-extra-key-sql": post("session", "extra_fields", extra_fields={SQL: 1}),
    "session-extra-key-emoji": post("session", "extra_fields", extra_fields={"🧠": 1}),
    "session-extra-key-rtl": post("session", "extra_fields", extra_fields={"\u202eabc": 1}),
    "session-links-object": post("session", "download_links", download_links={"URL": "x"}),
    "session-links-no-url": post("session", "download_links", download_links=[{"Repository": SCRIPT}]),
    "session-tags-string": post("session", "tags", tags=SCRIPT),
    "session-tags-nested": post("session", "tags", tags=[["a"]]),
    # -- sessions: changing my own record badly
    "session-patch-name-101": patch_mine("session", "name", name="x" * 101),
    "session-patch-name-null": patch_mine("session", "name", name=None),
    "session-patch-projects-others": Case(
        lambda p: p.me.client.save_model(
            "session", id=p.me.session["id"], data={"projects": [p.other.project]}
        ),
        "projects",
    ),
    # -- actions
    "action-type-unknown": post("action", "type", type="LaserAblation"),
    "action-type-html": post("action", "type", type=SCRIPT),
    "action-type-int": post("action", "type", type=3),
    "action-system-unknown": post("action", "coordinates_system", coordinates_system="Polar"),
    "action-system-sql": post("action", "coordinates_system", coordinates_system=SQL),
    "action-volume-below-minimum": post("action", "details", details={"injectionVolume": -1}),
    "action-volume-text-nan": post("action", "details", details={"injectionVolume": "NaN"}),
    "action-volume-text-infinity": post("action", "details", details={"injectionVolume": "Infinity"}),
    "action-tetrodes-fraction": post(
        "action", "details", type="TetrodeWireElectrode", details={"tetrodeCount": 2.5}
    ),
    "action-wires-below-minimum": post(
        "action", "details", type="SingleWireElectrode", details={"wireCount": -1}
    ),
    "action-details-list": post("action", "details", details=[1, 2]),
    "action-details-string": post("action", "details", details=SCRIPT),
    "action-coords-list": post("action", "coordinates_details", coordinates_details=[1.0]),
    "action-coords-text": post("action", "coordinates_details", coordinates_details={"apCoordinate": SQL}),
    "action-subject-others": post_with("action", "subject", lambda p: {"subject": p.other.subject}),
    "action-subject-not-uuid": post("action", "subject", subject="../../etc/passwd"),
    "action-description-501": post("action", "description", description="d" * 501),
    "action-description-list": post("action", "description", description=[SCRIPT]),
    "action-region-sql": post("action", "brain_region", brain_region=SQL),
    "action-patch-volume-below-minimum": patch_mine("action", "details", details={"injectionVolume": -0.5}),
    "action-patch-type-unknown": patch_mine("action", "type", type="Nope"),
    # -- another user's ids, and ids that are no ids
    "session-get-others": others("session", "get"),
    "session-patch-others": others("session", "patch"),
    "session-delete-others": others("session", "delete"),
    "action-get-others": others("action", "get"),
    "action-patch-others": others("action", "patch"),
    "action-delete-others": others("action", "delete"),
    "session-get-path-traversal": by_id("session", "get", "../../admin"),
    "session-patch-sql-id": by_id("session", "patch", "1 OR 1=1"),
    "action-delete-not-uuid": by_id("action", "delete", "00000000-0000-0000-0000-00000000000g"),
    "session-get-unicode-id": by_id("session", "get", "🧠"),
}


def _names(error: StemGuiError, field: str) -> bool:
    fields = getattr(error, "field_errors", {}) or {}
    return any(key == field or key.startswith(field + ".") for key in fields) and field in error.message


def test_corpus_has_at_least_fifty_cases():
    assert len(CASES) + len(RAW) + len(FILTERS) >= 50


@pytest.mark.parametrize("case_id", list(CASES))
def test_hostile_call_is_refused_names_the_field_and_writes_nothing(pair, case_id):
    case = CASES[case_id]
    before = pair.snapshot()
    expected = NotFound if case.field is None else (ValidationFailed, PermissionDenied)
    with pytest.raises(expected) as caught:
        case.call(pair)
    error = caught.value
    assert "Traceback" not in error.message and 'File "' not in error.message
    assert pair.me.client._token not in error.message
    if case.field is not None:
        assert _names(error, case.field), (error.message, error.field_errors)
    else:
        assert "No " in error.message and "id" in error.message, error.message
    assert pair.snapshot() == before


# -- bodies a client would never send: non-finite numbers and 10 MB


def _raw(model: str, build: Callable[[Pair], dict], literal: str, where: str) -> Callable[[Pair], bytes]:
    """A JSON body with ``literal`` (e.g. NaN) spliced in at the top-level key ``where``."""

    def make(p: Pair) -> bytes:
        text = json.dumps(build(p))
        return (text[:-1] + f', "{where}": {literal}}}').encode()

    return make


RAW: dict[str, tuple[str, Callable[[Pair], bytes], tuple[str, ...]]] = {
    "session-extra-nan": ("session", _raw("session", session_body, '{"a": NaN}', "extra_fields"), ("nan",)),
    "session-extra-infinity": (
        "session",
        _raw("session", session_body, '{"a": Infinity}', "extra_fields"),
        ("infinity",),
    ),
    "session-extra-1e309": (
        "session",
        _raw("session", session_body, '{"a": 1e309}', "extra_fields"),
        ("extra_fields", "finite", "infinity", "out of range"),
    ),  # fmt: skip
    "action-details-nan": (
        "action",
        _raw("action", action_body, '{"injectionVolume": NaN}', "details"),
        ("nan", "details"),
    ),
    "action-coords-minus-1e309": (
        "action",
        _raw("action", action_body, '{"apCoordinate": -1e309}', "coordinates_details"),
        ("coordinates_details", "finite", "infinity", "out of range"),
    ),  # fmt: skip
    "session-10mb": (
        "session",
        lambda p: json.dumps(session_body(p, description="x" * TEN_MB)).encode(),
        ("large",),
    ),
    "action-10mb": (
        "action",
        lambda p: json.dumps(action_body(p, description="y" * TEN_MB)).encode(),
        ("large",),
    ),
    "session-10mb-extra-fields": (
        "session",
        lambda p: json.dumps(
            session_body(p, extra_fields={f"k{i}": "v" * 100 for i in range(100_000)})
        ).encode(),
        ("large",),
    ),
}


@pytest.mark.parametrize("case_id", list(RAW))
def test_bodies_no_client_sends_are_refused_with_a_clear_message(pair, case_id):
    model, build, words = RAW[case_id]
    before = pair.snapshot()
    response = pair.me.api.request(
        "POST", model, data=build(pair), headers={"Content-Type": "application/json"}
    )
    assert response.status_code in (400, 413), response.text[:300]
    text = response.text.lower()
    assert any(word in text for word in words), response.text[:300]
    assert "traceback" not in text
    assert pair.snapshot() == before


@pytest.mark.parametrize("literal", [float("nan"), float("inf"), float("-inf")])
def test_client_refuses_non_finite_numbers_before_sending(pair, literal):
    before = pair.snapshot()
    with pytest.raises(ValidationFailed, match="not finite"):
        pair.me.client.save_model("session", data=session_body(pair, extra_fields={"a": literal}))
    assert pair.snapshot() == before


def test_ten_megabytes_through_the_client_is_too_large_not_a_crash(pair):
    before = pair.snapshot()
    with pytest.raises(ValidationFailed, match="too large"):
        pair.me.client.save_model("session", data=session_body(pair, description="z" * TEN_MB))
    assert pair.snapshot() == before


# -- search strings that look like SQL or LIKE patterns: matched literally, nothing else

FILTERS: dict[str, tuple[dict, str]] = {
    "icontains-drop-table": ({"name.icontains": SQL}, "none"),
    "exact-or-1-equals-1": ({"name": "' OR '1'='1"}, "none"),
    "icontains-percent": ({"name.icontains": "%"}, "literal"),
    "icontains-underscore": ({"name.icontains": "_"}, "literal"),
    "icontains-backslash": ({"name.icontains": "\\"}, "literal"),
    "description-union-select": ({"description.icontains": "' UNION SELECT password FROM users --"}, "none"),
    "date-sql": ({"date_time.gte": SQL}, "none-or-400"),
    "projects-id-not-uuid": ({"projects.id": "1 OR 1=1"}, "none-or-400"),
    "unknown-filter-field": ({"password": "x"}, "400"),
    "regex-operator": ({"name.regex": ".*"}, "400"),
}


@pytest.mark.parametrize("case_id", list(FILTERS))
def test_sql_like_search_strings_match_literally(pair, case_id):
    filters, expect = FILTERS[case_id]
    marker = unique("lit")
    literal = pair.me.client.save_model("session", data=session_body(pair, name=f"{marker} 100% a_b \\ c"))
    before = pair.snapshot()
    try:
        found = pair.me.client.list_all("session", filters=filters)
    except ValidationFailed as exc:
        assert expect in ("400", "none-or-400"), exc.message
        key = f"filter{{{next(iter(filters))}}}"
        assert key in exc.field_errors, exc.field_errors
    else:
        assert expect != "400", found
        names = {s["name"] for s in found}
        mine = {s["name"] for s in pair.me.client.list_all("session")}
        if expect == "literal":
            text = next(iter(filters.values()))
            assert names == {n for n in mine if text in n} and literal["session"]["name"] in names
        else:
            assert names == set()
    assert pair.snapshot() == before
    pair.me.client.delete_model("session", id=literal["session"]["id"])


# -- text that must be kept exactly as typed (stored, returned, never interpreted)

TEXTS = {
    "html-script": SCRIPT,
    "html-img-onerror": '<img src=x onerror="alert(1)">',
    "markdown-link": "[click](javascript:alert(1)) **bold** `code`",
    "emoji-zwj": "👩‍🔬🧠🐀",
    "right-to-left": "\u05e9\u05dc\u05d5\u05dd \u202eevil\u202c مرحبا",
    "combining-and-zero-width": "e\u0301\u200b\u200d\ufeff",
    "sql": SQL,
    "nul-free-control": "tab\there\nnew line",
}


@pytest.mark.parametrize("case_id", list(TEXTS))
def test_hostile_text_is_stored_and_returned_exactly(pair, case_id):
    text = TEXTS[case_id]
    name = (unique("T") + " " + text)[:100]
    saved = pair.me.client.save_model(
        "session",
        data=session_body(pair, name=name, description=text, tags=[text[:50]], extra_fields={"note": text},
                          name_used_in_storage=text[:200]),
    )["session"]  # fmt: skip
    again = pair.me.client.load_model("session", id=saved["id"])["session"]
    assert (again["name"], again["description"], again["tags"], again["extra_fields"]) == (
        name, text, [text[:50]], {"note": text},
    )  # fmt: skip
    assert again["name_used_in_storage"] == text[:200]
    pair.me.client.delete_model("session", id=saved["id"])


@pytest.mark.parametrize("case_id", ["session-extra-nan", "action-details-nan", "session-extra-1e309"])
def test_non_finite_number_in_a_body_is_refused_naming_its_field(pair, case_id):
    model, build, _ = RAW[case_id]
    response = pair.me.api.request(
        "POST", model, data=build(pair), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    field = "extra_fields" if model == "session" else "details"
    assert field in response.text, response.text[:300]
