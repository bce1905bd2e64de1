"""Issue 13 (Subjects page logic): form values -> today's subject payload, errors per field, list filters.

The list filters run through the real client against the bundled demo server.
"""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from stemgui.client import BrainstemClient
from stemgui.subject_form import (
    SubjectFormValues,
    SubjectQuery,
    build_payload,
    duplicate_values,
    find_subjects,
    subject_filters,
    values_from_subject,
)

P1, STRAIN, SUPPLIER, LICENSE = (str(uuid.uuid4()) for _ in range(4))


def _values(**changes) -> SubjectFormValues:
    base = dict(name=" MS09 ", projects=[P1], strain=STRAIN, sex="F", genetic_line="", genotype="wild type",
                subject_identifier="JAX-9", supplier=SUPPLIER, birth_date=date(2025, 8, 5), status="active",
                licenses=[LICENSE], extra_rows=[{"key": "cage", "value": "12"}, {"key": "", "value": ""}],
                tags=["photometry", " photometry ", ""])  # fmt: skip
    return SubjectFormValues(**{**base, **changes})


def test_payload_has_todays_fields():
    """Issue 13: every field of today's subject, trimmed, typed, tags once, extra fields typed."""
    payload, errors = build_payload(_values(description="left-handed"))
    assert errors == {}
    assert payload == {
        "name": "MS09", "description": "left-handed", "projects": [P1], "strain": STRAIN, "sex": "F",
        "genetic_line": "", "genotype": "wild type", "subject_identifier": "JAX-9", "supplier": SUPPLIER,
        "birth_date": "2025-08-05", "death_date": None, "status": "active", "licenses": [LICENSE],
        "extra_fields": {"cage": 12}, "tags": ["photometry"],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"name": "  "}, "name", "name"),
        ({"projects": []}, "projects", "project"),
        ({"strain": None}, "strain", "strain"),
        ({"sex": None}, "sex", "sex"),
        ({"sex": "X"}, "sex", "M"),
        ({"status": "lost"}, "status", "active"),
        ({"genotype": "x" * 201}, "genotype", "200"),
        ({"death_date": date(2025, 1, 1)}, "death_date", "before the birth date"),
        ({"birth_date": date(2999, 1, 1)}, "birth_date", "future"),
        ({"supplier": "not-a-uuid"}, "supplier", ""),
        ({"extra_rows": [{"key": "1bad", "value": "x"}]}, "extra_fields", "letter"),
    ],
)
def test_errors_name_their_field(changes, field, words):
    """Issue 13: bad input gets a message at its field (from the shared model rules)."""
    _, errors = build_payload(_values(**changes))
    assert field in errors and words in errors[field]


def test_edit_prefill_and_duplicate():
    """Issue 13: a stored subject fills the form; duplicate marks the name."""
    stored = {**build_payload(_values())[0], "id": "x", "extra_fields": {"cage": 12}, "status": "deceased",
              "death_date": "2025-11-01"}  # fmt: skip
    values = values_from_subject(stored)
    assert values.birth_date == date(2025, 8, 5) and values.extra_rows == [{"key": "cage", "value": "12"}]
    copy = duplicate_values(stored)
    assert copy.name == "MS09 (copy)" and copy.subject_identifier == "" and copy.death_date is None
    assert copy.status == "active"


def test_subject_filters_make_one_request_per_or():
    """Issue 13: text in name OR description and any of two projects -> four ANDed requests."""
    query = SubjectQuery(projects=["p1", "p2"], sex="F", statuses=["active", "retired"], text=" ms ",
                         born_from=date(2025, 1, 1), born_to=date(2025, 12, 31))  # fmt: skip
    requests = subject_filters(query)
    assert len(requests) == 4
    assert requests[0] == {
        "sex": "F", "status.in": "active,retired", "birth_date.gte": "2025-01-01",
        "birth_date.lte": "2025-12-31", "name.icontains": "ms", "projects.id": "p1",
    }  # fmt: skip
    assert {"description.icontains": "ms", "projects.id": "p2"}.items() <= requests[3].items()
    assert subject_filters(SubjectQuery()) == [{}]


@pytest.fixture(scope="module")
def lab_client(demo_server):
    username, token = demo_server.new_user("subjectlist")
    demo_server.cli("member", username, "Demo: Hippocampal sharp-wave ripples")
    with BrainstemClient(demo_server.url, token) as client:
        yield client


def test_text_search_matches_name_or_description_on_the_server(lab_client):
    """Issue 13: "photometry" finds MS04 by its description, "PV0" by name; filters combine."""
    assert [s["name"] for s in find_subjects(lab_client, SubjectQuery(text="photometry"))] == ["MS04"]
    assert [s["name"] for s in find_subjects(lab_client, SubjectQuery(text="pv0"))] == ["PV03"]
    females = find_subjects(
        lab_client, SubjectQuery(sex="F", statuses=["active"], born_from=date(2025, 8, 1))
    )
    assert [s["name"] for s in females] == ["MS04"]
    everyone = [s["name"] for s in find_subjects(lab_client, SubjectQuery())]
    assert everyone == ["MS01", "MS02", "MS04", "PV03"]  # the member's project only, by name
