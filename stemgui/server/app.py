"""The FastAPI application: ``create_app(db_url)``."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI, Request

from stemgui.server import device_auth, subjectlog_routes
from stemgui.server import settings as server_settings
from stemgui.server.counts import CountCache
from stemgui.server.db import sessionmaker_for
from stemgui.server.problems import ApiProblem
from stemgui.server.responses import JSONResponse
from stemgui.server.routes import router
from stemgui.server.routes_history import router as history_router

log = logging.getLogger(__name__)


async def _problem(_request: Request, exc: ApiProblem) -> JSONResponse:
    headers = dict(exc.headers)
    if exc.status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return JSONResponse(exc.body, status_code=exc.status, headers=headers or None)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    # Log the traceback for the operator; the caller gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal server error."}, status_code=500)


class WritesEndCounts:
    """ASGI middleware: after any request that may write (not GET/HEAD/OPTIONS), the list counts
    kept by ``counts.CountCache`` are dropped (plain ASGI: no per-request cost on reads)."""

    def __init__(self, app, counts: CountCache) -> None:
        self.app = app
        self.counts = counts

    async def __call__(self, scope, receive, send) -> None:
        try:
            await self.app(scope, receive, send)
        finally:
            if scope["type"] == "http" and scope["method"] not in ("GET", "HEAD", "OPTIONS"):
                self.counts.wrote()


def create_app(db_url: str, settings: server_settings.Settings | None = None) -> FastAPI:
    """The API server app on database ``db_url`` (created or migrated on first use), with
    ``settings`` (default: read from the environment now, once) installed for the process."""
    settings = server_settings.install(settings or server_settings.Settings.from_env())
    app = FastAPI(title="stemgui BrainSTEM-compatible API", redirect_slashes=False, openapi_url=None)
    app.state.settings = settings
    app.state.sessionmaker = sessionmaker_for(db_url)
    # password checks at once, so a burst of logins cannot take every core from other requests
    app.state.hashing = asyncio.Semaphore(settings.hashing_slots)  # see routes.token
    app.state.counts = CountCache()
    app.add_middleware(WritesEndCounts, counts=app.state.counts)
    app.add_exception_handler(ApiProblem, _problem)
    app.add_exception_handler(Exception, _crash)
    app.include_router(device_auth.router)  # before the generic /api/{portal}/{app}/{model}/ routes
    app.include_router(history_router)  # before the generic routes: .../deleted/ is no record id
    app.include_router(router)
    app.include_router(subjectlog_routes.router)  # a subject log's <id>/add_entry/ and the like
    return app
