"""A subject log's entry actions, as the docs give them: ``PATCH .../subjectlog/<id>/add_entry/``,
``.../change_entry/`` and ``.../remove_entry/`` with one entry as the body.

An entry is known by its time (``date_time``, or ``start_date_time`` for the interval types).
Each action rewrites the log's ``entries`` through the generic write path (``writes.update``), so
the permissions, validation and version checks are those of any PATCH.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool

from stemgui.models_subjectlog import check_entry, entry_key, normalize_time
from stemgui.server import versions, writes
from stemgui.server.body import read_json
from stemgui.server.problems import bad_request, not_found
from stemgui.server.resources import RESOURCES
from stemgui.server.responses import JSONResponse
from stemgui.server.routes import _access, _row, _run
from stemgui.server.serialize import serialize

router = APIRouter()
ACTIONS = ("add_entry", "change_entry", "remove_entry")


def _time_of(log_type: str, body: dict) -> str:
    """The normalized time that names the entry in ``body``; 400 naming the field otherwise."""
    key = entry_key(log_type)
    try:
        return normalize_time(body.get(key))
    except ValueError as exc:
        message = "This field is required." if body.get(key) is None else str(exc)
        raise bad_request({key: [message]}) from None


def _position(log_type: str, entries: list[dict], when: str) -> int | None:
    key = entry_key(log_type)
    return next((index for index, entry in enumerate(entries) if entry.get(key) == when), None)


def changed_entries(action: str, log_type: str, entries: list[dict], body) -> list[dict]:
    """The log's entries after ``action`` with ``body``; 400 naming the field when it cannot apply."""
    if not isinstance(body, dict):
        raise bad_request({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    key = entry_key(log_type)
    when = _time_of(log_type, body)
    index = _position(log_type, entries, when)
    if action == "add_entry":
        if index is not None:
            raise bad_request({key: [f"An entry at {when} exists already; change it with change_entry."]})
        updated = {**body}
    elif index is None:
        raise bad_request({key: [f"There is no entry at {when} in this log."]})
    elif action == "remove_entry":
        return entries[:index] + entries[index + 1 :]
    else:  # change_entry: the given fields replace the entry's, the others stay
        updated = {**entries[index], **body}
    entry, errors = check_entry(log_type, updated)
    if errors:
        raise bad_request(errors)
    rest = entries if index is None else entries[:index] + entries[index + 1 :]
    return [*rest, entry]


@router.patch("/api/{portal}/modules/subjectlog/{record_id}/{action}/")
@router.patch("/api/{portal}/modules/subjectlog/{record_id}/{action}")
async def entry_action(request: Request, portal: str, record_id: str, action: str) -> Response:
    """Add, change or remove one entry of a subject log."""
    if action not in ACTIONS:
        raise not_found()
    resource = RESOURCES["subjectlog"]
    body = await read_json(request)

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write=True)
        row = _row(db, access, resource, record_id, write=True)

        def as_now() -> dict:
            return {resource.detail_key: serialize(db, resource, [row], access=access)[0]}

        versions.claim(db, resource, row, versions.Precondition.from_headers(request.headers), as_now)
        entries = changed_entries(action, row.type, list(row.entries or []), body)
        record = writes.update(db, access, resource, row, {"entries": entries})
        return JSONResponse({resource.detail_key: record}, headers=versions.version_headers(row))

    return await run_in_threadpool(_run, request, work)
