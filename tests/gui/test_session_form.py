"""The session form's pure logic: payloads, key checks, numeric coercion, prefill, prompts."""

from datetime import date

import pytest

from stemgui import session_form as sf
from stemgui.errors import ValidationFailed
from stemgui.form_errors import server_field_errors

PROJECT = "c4b8a90b-2963-4d13-aa07-b6f497252dde"


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("22", 22),
        ("-3", -3),
        ("1.5", 1.5),
        ("1e3", 1000.0),
        (".5", 0.5),
        ("  7 ", 7),
        ("abc", "abc"),
        ("12 mm", "12 mm"),
        ("nan", "nan"),
        ("inf", "inf"),
        ("", ""),
        ("0x10", "0x10"),
        (5, 5),
        (2.0, 2),
        (None, ""),
    ],
)
def test_coerce_value_keeps_numbers_as_numbers(typed, kept):
    value = sf.coerce_value(typed)
    assert value == kept and type(value) is type(kept)


@pytest.mark.parametrize(
    ("key", "ok"),
    [("depth", True), ("Depth_2", True), ("a", True), ("2depth", False), ("_x", False),
     ("with space", False), ("dash-ed", False), ("ünï", False), ("", False)],
)  # fmt: skip
def test_key_error_follows_the_spec_pattern(key, ok):
    assert (sf.key_error(key) is None) is ok


def test_extra_fields_from_rows_skips_empty_rows_and_reports_bad_ones():
    rows = [
        {"key": "depth_um", "value": "1200"},
        {"key": None, "value": None},
        {"key": "1bad", "value": "x"},
        {"key": "depth_um", "value": "3"},
        {"key": "", "value": "orphan"},
        {"key": "note", "value": "deep <b>cut</b>"},
    ]
    extra, problems = sf.extra_fields_from_rows(rows)
    assert extra == {"depth_um": 1200, "note": "deep <b>cut</b>"}
    assert [p.split(":")[0] for p in problems] == ["Row 3", "Row 4", "Row 5"]
    assert "used twice" in problems[1]


def test_links_from_rows_needs_a_url():
    links, problems = sf.links_from_rows(
        [{"Repository": "DANDI", "URL": "https://dandiarchive.org/dandiset/1"},
         {"Repository": "GitHub", "URL": ""}, {"Repository": None, "URL": None}]
    )  # fmt: skip
    assert links == [{"Repository": "DANDI", "URL": "https://dandiarchive.org/dandiset/1"}]
    assert problems == ["Row 2: add the URL."]


def test_build_payload_of_a_complete_form():
    values = sf.SessionFormValues(
        name="  R1 day 3 ", description="d", projects=[PROJECT], date_time=date(2024, 3, 22),
        tags=["sleep", " sleep", "", "ca1"], extra_rows=[{"key": "n", "value": "2"}],
        link_rows=[{"Repository": "GitHub", "URL": "https://github.com/x/y"}], name_used_in_storage="r1d3",
    )  # fmt: skip
    payload, errors = sf.build_payload(values)
    assert errors == {}
    assert payload == {
        "name": "R1 day 3", "description": "d", "projects": [PROJECT], "date_time": "2024-03-22",
        "tags": ["sleep", "ca1"], "extra_fields": {"n": 2},
        "download_links": [{"Repository": "GitHub", "URL": "https://github.com/x/y"}],
        "name_used_in_storage": "r1d3",
    }  # fmt: skip


@pytest.mark.parametrize(
    ("values", "field"),
    [
        (sf.SessionFormValues(name="", projects=[PROJECT]), "name"),
        (sf.SessionFormValues(name="x" * 101, projects=[PROJECT]), "name"),
        (sf.SessionFormValues(name="ok", projects=[]), "projects"),
        (sf.SessionFormValues(name="ok", projects=["not-a-uuid"]), "projects"),
        (sf.SessionFormValues(name="ok", projects=[PROJECT], extra_rows=[{"key": "9", "value": "1"}]),
         "extra_fields"),
        (sf.SessionFormValues(name="ok", projects=[PROJECT], link_rows=[{"Repository": "x", "URL": ""}]),
         "download_links"),
    ],
)  # fmt: skip
def test_build_payload_names_the_field_to_fix(values, field):
    _, errors = sf.build_payload(values)
    assert list(errors) == [field]


def test_duplicate_prefill_marks_the_name_and_keeps_the_rest():
    session = {
        "id": "x", "name": "N" * 100, "description": "desc", "projects": [PROJECT], "date_time": "2024-01-02",
        "tags": ["a"], "extra_fields": [{"name": "depth", "value": 3}], "download_links": [],
        "name_used_in_storage": "",
    }  # fmt: skip
    values = sf.duplicate_values(session)
    assert values.name.endswith(sf.COPY_SUFFIX) and len(values.name) == 100
    assert values.projects == [PROJECT] and values.date_time == date(2024, 1, 2)
    assert values.extra_rows == [{"key": "depth", "value": "3"}]
    assert sf.build_payload(values)[0]["extra_fields"] == {"depth": 3}


def test_server_field_errors_places_messages_at_fields():
    """Issue 11: one translator of a rejected write to the form's fields (stemgui.form_errors),
    used by every record form; the session form's fields decide what sits at a field."""
    exc = ValidationFailed(
        "rejected", {"name": ["session with this name already exists."], "epochs": ["bad"]}
    )
    at_field = sf.FORM_FIELDS.__contains__
    expected = {"name": "session with this name already exists.", "form": "bad"}
    assert server_field_errors(exc, at_field) == expected
    assert server_field_errors(ValidationFailed("Bad request"), at_field) == {"form": "Bad request"}


def test_delete_prompt_names_the_record():
    prompt = sf.delete_prompt({"name": "R1 <i>x</i>", "date_time": "2024-05-01T10:00:00"})
    assert prompt == "Delete the session “R1 <i>x</i>” of 2024-05-01?"
