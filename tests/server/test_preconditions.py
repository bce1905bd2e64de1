"""Issue 9 item 8: optimistic concurrency on the bundled server.

Detail GET/PATCH/PUT answer with an ``ETag`` (from the record's ``updated_at``); PATCH, PUT and
DELETE with ``If-Match`` or ``If-Unmodified-Since`` that no longer hold are refused with 412 and
the record as it is now; without a precondition header a write proceeds as on BrainSTEM.
Runs on SQLite and PostgreSQL (the ``server`` fixture is parametrized).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
import sqlalchemy as sa

from stemgui.server.db import migrate
from tests.server.api import unwrap
from tests.server.builders import make_action, make_project, make_session, make_subject

FIELD = "description"


@pytest.fixture(scope="module")
def lab(new_api, taxa):
    """Two editors of one project (ed1 owns it, ed2 may change it) and a subject in it."""
    ed1, ed2 = new_api("ed1"), new_api("ed2")
    project = make_project(ed1)
    ed1.change("project", project["id"], {"users": {ed2.email: {"can_change": True}}})
    subject = make_subject(ed1, [project["id"]], taxa.strain)
    return ed1, ed2, project["id"], subject["id"]


@pytest.fixture(params=["session", "action"])
def record(request, lab):
    """(model, a fresh record of it) that both editors may change."""
    ed1, _, project, subject = lab
    if request.param == "session":
        return "session", make_session(ed1, [project], description="as opened")
    return "action", make_action(ed1, subject, description="as opened")


def _etag_of(api, model: str, record_id: str) -> str:
    response = api.get(model, record_id)
    assert response.status_code == 200
    tag = response.headers.get("ETag")
    assert tag and tag.startswith('"') and tag.endswith('"'), tag
    return tag


def _write(api, method: str, model: str, record_id: str, data=None, **headers):
    return api.request(method, model, record_id, json=data, headers=headers)


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_stale_if_match_is_refused_with_the_current_record(lab, record, method):
    """ed1 opens the record, ed2 changes it, ed1's write with the old ETag gets 412 and ed2's change."""
    ed1, ed2, _, _ = lab
    model, rec = record
    opened = _etag_of(ed1, model, rec["id"])
    ed2.change(model, rec["id"], {FIELD: "ed2 was here"})

    refused = _write(ed1, method, model, rec["id"], {"date_time": "2026-01-02"}, **{"If-Match": opened})

    assert refused.status_code == 412, refused.text
    now = unwrap(model, refused.json())  # the same envelope as a detail GET
    assert now == ed1.read(model, rec["id"])
    assert now[FIELD] == "ed2 was here"
    assert refused.headers["ETag"] == _etag_of(ed1, model, rec["id"]) != opened
    assert ed1.read(model, rec["id"])["date_time"] == rec["date_time"]  # nothing written


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_current_if_match_writes_and_answers_the_new_etag(lab, record, method):
    ed1, _, _, _ = lab
    model, rec = record
    opened = _etag_of(ed1, model, rec["id"])

    saved = _write(ed1, method, model, rec["id"], {FIELD: "mine"}, **{"If-Match": opened})

    assert saved.status_code == 200, saved.text
    assert unwrap(model, saved.json())[FIELD] == "mine"
    assert saved.headers["ETag"] != opened
    assert saved.headers["ETag"] == _etag_of(ed1, model, rec["id"])


def test_every_write_makes_a_new_version_and_no_precondition_writes_as_before(lab, record):
    """Without a precondition a write proceeds (BrainSTEM compatibility), and still moves the ETag."""
    ed1, ed2, project, _ = lab
    model, rec = record
    before = _etag_of(ed1, model, rec["id"])
    ed2.change(model, rec["id"], {FIELD: "ed2"})
    middle = _etag_of(ed1, model, rec["id"])
    ed1.change(model, rec["id"], {FIELD: "ed1"})  # no header: last writer wins, as on BrainSTEM
    assert len({before, middle, _etag_of(ed1, model, rec["id"])}) == 3
    if model == "session":  # a change of links only is a new version too
        ed1.change(model, rec["id"], {"projects": [project]})
        assert _etag_of(ed1, model, rec["id"]) not in (before, middle)


def test_stale_delete_is_refused_and_the_record_kept(lab, record):
    ed1, ed2, _, _ = lab
    model, rec = record
    opened = _etag_of(ed1, model, rec["id"])
    ed2.change(model, rec["id"], {FIELD: "ed2 changed it"})

    refused = _write(ed1, "DELETE", model, rec["id"], **{"If-Match": opened})

    assert refused.status_code == 412
    assert unwrap(model, refused.json())[FIELD] == "ed2 changed it"
    current = _etag_of(ed1, model, rec["id"])
    assert _write(ed1, "DELETE", model, rec["id"], **{"If-Match": current}).status_code == 204
    assert ed1.get(model, rec["id"]).status_code == 404


def test_if_match_star_and_lists_and_weak_tags(lab, record):
    ed1, _, _, _ = lab
    model, rec = record
    tag = _etag_of(ed1, model, rec["id"])
    assert _write(ed1, "PATCH", model, rec["id"], {FIELD: "a"}, **{"If-Match": f"W/{tag}"}).status_code == 412
    tag_now = _etag_of(ed1, model, rec["id"])
    both = f'"00000000000000000000", {tag_now}'
    assert _write(ed1, "PATCH", model, rec["id"], {FIELD: "b"}, **{"If-Match": both}).status_code == 200
    assert _write(ed1, "PATCH", model, rec["id"], {FIELD: "c"}, **{"If-Match": "*"}).status_code == 200


def test_if_unmodified_since(lab, record):
    ed1, ed2, _, _ = lab
    model, rec = record
    long_ago = format_datetime(datetime.now(UTC) - timedelta(days=1), usegmt=True)
    later = format_datetime(datetime.now(UTC) + timedelta(minutes=5), usegmt=True)

    refused = _write(ed1, "PATCH", model, rec["id"], {FIELD: "x"}, **{"If-Unmodified-Since": long_ago})
    assert refused.status_code == 412 and unwrap(model, refused.json())[FIELD] == "as opened"
    assert refused.headers["Last-Modified"]
    saved = _write(ed1, "PATCH", model, rec["id"], {FIELD: "y"}, **{"If-Unmodified-Since": later})
    assert saved.status_code == 200
    assert _write(ed1, "PATCH", model, rec["id"], {FIELD: "z"}, **{"If-Unmodified-Since": "not a date"}
                  ).status_code == 200  # fmt: skip  # an unreadable date is ignored (RFC 9110)


def test_a_bad_write_with_a_good_precondition_changes_no_version(lab, record):
    """A 400 rolls everything back: the ETag the editor holds stays valid."""
    ed1, _, _, _ = lab
    model, rec = record
    tag = _etag_of(ed1, model, rec["id"])
    bad = _write(ed1, "PATCH", model, rec["id"], {"date_time": "not a date"}, **{"If-Match": tag})
    assert bad.status_code == 400
    assert _etag_of(ed1, model, rec["id"]) == tag


def test_two_concurrent_writers_with_one_etag_exactly_one_wins(lab, record):
    """The check and the write are one compare-and-set: two writers racing with the same ETag
    never both succeed, and the loser gets the winner's record."""
    ed1, ed2, _, _ = lab
    model, rec = record
    for round_number in range(5):
        tag = _etag_of(ed1, model, rec["id"])
        texts = (f"ed1 round {round_number}", f"ed2 round {round_number}")
        answers = _race(model, rec["id"], tag, list(zip((ed1, ed2), texts, strict=True)))
        statuses = sorted(answers[text].status_code for text in texts)
        assert statuses == [200, 412], statuses
        winner = next(text for text in texts if answers[text].status_code == 200)
        loser = next(text for text in texts if answers[text].status_code == 412)
        assert unwrap(model, answers[loser].json())[FIELD] == winner
        assert ed1.read(model, rec["id"])[FIELD] == winner


def _race(model: str, record_id: str, tag: str, writers: list) -> dict:
    """Send each (api, text) PATCH with If-Match ``tag`` at the same moment; text -> response."""
    barrier = threading.Barrier(len(writers))
    answers: dict = {}

    def write(api, text: str) -> None:
        barrier.wait()
        answers[text] = _write(api, "PATCH", model, record_id, {FIELD: text}, **{"If-Match": tag})

    threads = [threading.Thread(target=write, args=writer) for writer in writers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def test_precondition_on_a_record_one_may_not_see_is_404_not_412(new_api, lab, record):
    """Permissions come first: a stranger learns nothing from a 412."""
    model, rec = record
    stranger = new_api("stranger")
    assert _write(stranger, "PATCH", model, rec["id"], {FIELD: "x"}, **{"If-Match": '"1"'}).status_code == 404


def test_migrate_adds_updated_at_to_an_older_database(tmp_path):
    """A database made before versions existed gets the column, filled, on start."""
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text(
            "CREATE TABLE sessions (id VARCHAR(36) PRIMARY KEY, name VARCHAR(100) NOT NULL, "
            "description TEXT NOT NULL, date_time VARCHAR(40), extra_fields JSON NOT NULL, "
            "download_links JSON NOT NULL, name_used_in_storage VARCHAR(200) NOT NULL, tags JSON NOT NULL, "
            "created_at DATETIME NOT NULL, creator_id VARCHAR(36))"
        ))  # fmt: skip
        conn.execute(sa.text(
            "INSERT INTO sessions VALUES ('a', 'old', '', NULL, '{}', '[]', '', '[]', '2020-01-01', NULL)"
        ))  # fmt: skip
    migrate(engine)
    with engine.connect() as conn:
        stamp = conn.execute(sa.text("SELECT updated_at FROM sessions WHERE id = 'a'")).scalar_one()
    assert stamp is not None
    engine.dispose()
