"""The HTTP endpoints: token, and one generic list/detail router driven by ``resources.RESOURCES``."""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Callable
from types import SimpleNamespace

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool

from stemgui.catalog import PORTALS
from stemgui.server import history, idempotency, login_guard, query, versions, writes
from stemgui.server.body import read_json
from stemgui.server.counts import CountCache, query_key
from stemgui.server.permissions import Access
from stemgui.server.problems import ApiProblem, bad_request, forbidden, not_found, unauthorized
from stemgui.server.resources import Resource, resource_for
from stemgui.server.responses import JSONResponse
from stemgui.server.security import authenticate, issue_token, revoke_token, revoke_tokens, user_for_token
from stemgui.server.serialize import serialize

log = logging.getLogger(__name__)
router = APIRouter()


def _token_of(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return None
    if scheme.lower() not in ("bearer", "token") or not token.strip():
        raise unauthorized("Invalid token header. Use: Authorization: Bearer <token>.")
    return token.strip()


def _access(db: DbSession, request: Request, portal: str, write: bool) -> Access:
    """Who is calling, on which portal; 401/403 as BrainSTEM answers them."""
    token = _token_of(request)
    user = user_for_token(db, token) if token else None
    if token and user is None:
        raise unauthorized("Invalid token.")
    if portal == "public":
        if write:
            raise forbidden("The public portal is read-only.")
        return Access.for_request(db, portal, user)
    if user is None:
        raise unauthorized()
    if portal == "super" and not user.is_superuser:
        raise forbidden("The super portal is for superusers only.")
    return Access.for_request(db, portal, user)


def _run(request: Request, work: Callable[[DbSession], Response]) -> Response:
    """Run ``work`` in one transaction: committed if it returns, rolled back if it raises."""
    with request.app.state.sessionmaker() as db:
        try:
            response = work(db)
            db.commit()
        except IntegrityError:
            db.rollback()
            raise bad_request(
                {
                    "non_field_errors": [
                        "This change conflicts with other records (a duplicate, or a record still in use)."
                    ]
                }
            ) from None
        except ApiProblem:
            db.rollback()
            raise
        except Exception:
            # Answer here rather than letting it propagate: uvicorn would drop the keep-alive connection.
            db.rollback()
            log.exception("unhandled error on %s %s", request.method, request.url.path)
            return JSONResponse({"detail": "Internal server error."}, status_code=500)
    return response


def _resource(portal: str, app: str, model: str) -> Resource:
    resource = resource_for(app, model)
    if portal not in PORTALS or resource is None:
        raise not_found()
    return resource


def _row(db: DbSession, access: Access, resource: Resource, record_id: str, write: bool = False):
    """The record if the caller may read it (404 otherwise) and, for writes, change it (403)."""
    try:
        record_id = str(uuid.UUID(record_id))
    except ValueError:
        raise not_found() from None
    scope = access.scope(resource)
    stmt = select(resource.orm).where(resource.orm.id == record_id)
    row = db.scalar(stmt.where(scope) if scope is not None else stmt)
    if row is None:
        raise not_found()
    if write and not access.allowed(db, resource, record_id, write=True):
        raise forbidden()
    return row


def _list(db: DbSession, access: Access, resource: Resource, params, counts: CountCache) -> dict:
    parsed = query.parse(resource, params, access)
    where = list(parsed.where)
    scope = access.scope(resource)
    if scope is not None:
        where.append(scope)
    # plain rows, not ORM objects: a page is only read and turned into dicts (~13 % of its time);
    # as namespaces, since a Row's own attributes (count, index) would hide columns of those names
    columns = resource.orm.__table__.c
    stmt = select(*columns).where(*where).order_by(*parsed.order).limit(parsed.limit).offset(parsed.offset)
    # run on the connection, without the ORM's loading layer (a GET: nothing waits to be flushed);
    # named by the columns' keys, the names the ORM gives them (a column "user_id" may be "user")
    keys = [column.key for column in columns]
    rows = [SimpleNamespace(**dict(zip(keys, row, strict=True))) for row in db.connection().execute(stmt)]
    if parsed.limit and len(rows) < parsed.limit and (rows or not parsed.offset):
        count = parsed.offset + len(rows)  # a short page is the last one: no need to count
    else:  # counted on a walk's first page, reused by its later ones (see counts.py)
        user_id = access.user.id if access.user else None
        key = query_key(resource.name, access.portal, user_id, access.readable, params)
        total = select(func.count()).select_from(resource.orm).where(*where)
        count = counts.count(key, parsed.offset == 0, lambda: db.scalar(total))
    records = serialize(db, resource, rows, parsed.include, access=access)
    return {resource.list_key: records, "count": count}


def _throttled(wait: float) -> JSONResponse:
    seconds = max(1, math.ceil(wait))
    return JSONResponse(
        {"detail": f"Too many failed logins. Expected available in {seconds} seconds."},
        status_code=429, headers={"Retry-After": str(seconds)},
    )  # fmt: skip


@router.post("/api/token/")
@router.post("/api/token")
async def token(request: Request) -> Response:
    """Trade a username and password for an API token (limited per username and client address).

    Password checks take turns (``app.state.hashing``): waiting requests hold no worker thread,
    and the other requests keep the remaining CPU.
    """
    body = await read_json(request)
    if not isinstance(body, dict):
        raise bad_request({"non_field_errors": ["Invalid data. Expected a dictionary."]})
    errors = {
        k: ["This field is required."] for k in ("username", "password") if not isinstance(body.get(k), str)
    }
    if errors:
        raise bad_request(errors)
    username, password = body["username"], body["password"]
    address = request.client.host if request.client else "unknown"
    limits = request.app.state.settings.login_limits

    def refused_now(db: DbSession) -> Response | None:
        wait = login_guard.wait_seconds(db, username, address, limits)
        return _throttled(wait) if wait > 0 else None

    def work(db: DbSession) -> Response:
        if (refused := refused_now(db)) is not None:
            return refused  # no password check while locked, not even for the right password
        user = authenticate(db, username, password)
        if user is None:
            login_guard.record_failure(db, username, address, limits)  # committed with the answer
            return JSONResponse({"non_field_errors": ["Unable to log in with provided credentials."]},
                                status_code=400)  # fmt: skip
        login_guard.record_success(db, username)
        return JSONResponse({"token": issue_token(db, user).key})  # BrainSTEM's answer, exactly

    # A locked username or address is answered at once, without queueing for a password check.
    if (refused := await run_in_threadpool(_run, request, refused_now)) is not None:
        return refused
    async with request.app.state.hashing:
        return await run_in_threadpool(_run, request, work)


@router.post("/api/token/revoke/")
@router.post("/api/token/revoke")
async def revoke(request: Request) -> Response:
    """Revoke the presenting token, or with ``{"all": true}`` every token of its user
    (a bundled-server extension; BrainSTEM manages tokens on its web pages)."""
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("all", False), bool):
        raise bad_request({"all": ["Must be a valid boolean."]})

    def work(db: DbSession) -> Response:
        presented = _token_of(request)
        if not presented:
            raise unauthorized()
        user = user_for_token(db, presented)
        if user is None:
            raise unauthorized("Invalid token.")
        count = revoke_tokens(db, user) if body.get("all") else revoke_token(db, presented)
        return JSONResponse({"revoked": count})

    return await run_in_threadpool(_run, request, work)


@router.api_route("/api/{portal}/{app}/{model}/", methods=["GET", "POST"])
@router.api_route("/api/{portal}/{app}/{model}", methods=["GET", "POST"])
async def collection(request: Request, portal: str, app: str, model: str) -> Response:
    """List (GET) or add (POST) records of one model."""
    resource = _resource(portal, app, model)
    write = request.method == "POST"
    body = await read_json(request) if write else None

    key = idempotency.key_of(request.headers) if write else None
    support = idempotency.SUPPORT_HEADER

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write)
        if not write:
            listing = _list(db, access, resource, request.query_params, request.app.state.counts)
            return JSONResponse(listing, headers=support)
        if key and (earlier := idempotency.replay(db, access, resource, key) or
                    idempotency.claim(db, access, resource, key)) is not None:  # fmt: skip
            replayed = {**support, idempotency.REPLAYED_HEADER: "true"}
            return JSONResponse({resource.detail_key: earlier}, status_code=201, headers=replayed)
        record = writes.create(db, access, resource, body)
        if key:
            idempotency.remember(db, access, key, record["id"])
        return JSONResponse({resource.detail_key: record}, status_code=201, headers=support)

    return await run_in_threadpool(_run, request, work)


@router.api_route("/api/{portal}/{app}/{model}/{record_id}/", methods=["GET", "PATCH", "PUT", "DELETE"])
@router.api_route("/api/{portal}/{app}/{model}/{record_id}", methods=["GET", "PATCH", "PUT", "DELETE"])
async def detail(request: Request, portal: str, app: str, model: str, record_id: str) -> Response:
    """Read (GET), change (PATCH; PUT is treated the same) or delete one record."""
    resource = _resource(portal, app, model)
    write = request.method != "GET"
    body = await read_json(request) if request.method in ("PATCH", "PUT") else None

    def work(db: DbSession) -> Response:
        access = _access(db, request, portal, write)
        row = _row(db, access, resource, record_id, write)
        if request.method == "GET":
            include = query.parse_include(resource, request.query_params)
            record = serialize(db, resource, [row], include, access=access)[0]
            return JSONResponse({resource.detail_key: record}, headers=versions.version_headers(row))

        # If-Match / If-Unmodified-Since: 412 with the record as it is now when it changed meanwhile
        def as_now() -> dict:
            return {resource.detail_key: serialize(db, resource, [row], access=access)[0]}

        # the version this write replaces (for its history row; the PATCH merges onto it too)
        before = history.snapshot(db, resource, row) if history.enabled() else None
        versions.claim(db, resource, row, versions.Precondition.from_headers(request.headers), as_now)
        if request.method == "DELETE":
            writes.remove(db, access, resource, row, before)
            return Response(status_code=204)
        record = writes.update(db, access, resource, row, body, before)
        return JSONResponse({resource.detail_key: record}, headers=versions.version_headers(row))

    return await run_in_threadpool(_run, request, work)
