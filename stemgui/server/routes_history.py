"""Endpoints of the per-record history (issue 15; bundled-server extensions, not BrainSTEM's):

- ``GET /api/<portal>/<app>/<model>/<id>/history/``: the record's changes, newest first, paged
  like lists (``limit``/``offset``, ``count``), for whoever may read the record (a deleted one:
  whoever could read it as of its last version);
- ``GET /api/<portal>/<app>/<model>/deleted/``: the records of that model the caller may
  restore, newest deletion first;
- ``POST /api/<portal>/<app>/<model>/<id>/restore/``: bring one back (201 with the record).

Not on the public portal (404 there): a history names who changed what.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool

from stemgui.server import history, restore, versions
from stemgui.server.problems import ApiProblem, not_found
from stemgui.server.query import PAGE_MAX, _int
from stemgui.server.resources import Resource
from stemgui.server.responses import JSONResponse
from stemgui.server.routes import _access, _resource, _row, _run

router = APIRouter()
# on every answer of these endpoints (errors too): the client tells "no such record" (404 with it)
# from "this backend keeps no history" (404 without it, e.g. BrainSTEM)
HISTORY_HEADER = {"X-Record-History": "kept"}


async def _flagged(request: Request, work) -> Response:
    try:
        response = await run_in_threadpool(_run, request, work)
    except ApiProblem as problem:
        problem.headers.update(HISTORY_HEADER)
        raise
    response.headers.update(HISTORY_HEADER)
    return response


def _served(portal: str, app: str, model: str) -> Resource:
    if portal == "public":
        raise not_found()
    return _resource(portal, app, model)


def _page(params) -> tuple[int, int]:
    return min(_int(params, "limit", PAGE_MAX), PAGE_MAX), _int(params, "offset", 0)


@router.get("/api/{portal}/{app}/{model}/deleted/")
@router.get("/api/{portal}/{app}/{model}/deleted")
async def deleted(request: Request, portal: str, app: str, model: str) -> Response:
    """The model's deleted records the caller may restore, newest first (``deleted`` and ``count``)."""
    resource = _served(portal, app, model)
    limit, offset = _page(request.query_params)

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write=False)
        rows = history.deleted(db, access, resource)
        page = [history.deleted_json(row) for row in rows[offset : offset + limit]]
        return JSONResponse({"deleted": page, "count": len(rows)})

    return await _flagged(request, work)


@router.get("/api/{portal}/{app}/{model}/{record_id}/history/")
@router.get("/api/{portal}/{app}/{model}/{record_id}/history")
async def record_history(request: Request, portal: str, app: str, model: str, record_id: str) -> Response:
    """One record's history rows, newest first (``history`` and ``count``)."""
    resource = _served(portal, app, model)
    limit, offset = _page(request.query_params)

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write=False)
        rid = restore.record_id_of(record_id)
        if db.get(resource.orm, rid) is not None:
            _row(db, access, resource, rid)  # 404 unless the caller may read it now
        else:
            restore.last_deletion(db, access, resource, rid)
        rows, count = history.entries(db, resource, rid, limit, offset)
        return JSONResponse({"history": [history.entry_json(row) for row in rows], "count": count})

    return await _flagged(request, work)


@router.post("/api/{portal}/{app}/{model}/{record_id}/restore/")
@router.post("/api/{portal}/{app}/{model}/{record_id}/restore")
async def restore_record(request: Request, portal: str, app: str, model: str, record_id: str) -> Response:
    """Bring a deleted record back with its id; 201 with the record as a detail GET shows it."""
    resource = _served(portal, app, model)

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write=True)
        record, row = restore.restore(db, access, resource, restore.record_id_of(record_id))
        return JSONResponse(
            {resource.detail_key: record}, status_code=201, headers=versions.version_headers(row)
        )

    return await _flagged(request, work)
