"""The FastAPI application: ``create_app(db_url)``."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from stemgui.server import device_auth
from stemgui.server.db import sessionmaker_for
from stemgui.server.problems import ApiProblem
from stemgui.server.routes import router

log = logging.getLogger(__name__)


async def _problem(_request: Request, exc: ApiProblem) -> JSONResponse:
    headers = {"WWW-Authenticate": 'Bearer realm="api"'} if exc.status == 401 else None
    return JSONResponse(exc.body, status_code=exc.status, headers=headers)


async def _crash(request: Request, exc: Exception) -> JSONResponse:
    # Log the traceback for the operator; the caller gets no internals.
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return JSONResponse({"detail": "Internal server error."}, status_code=500)


def create_app(db_url: str) -> FastAPI:
    """The API server app on database ``db_url`` (created or migrated on first use)."""
    app = FastAPI(title="stemgui BrainSTEM-compatible API", redirect_slashes=False, openapi_url=None)
    app.state.sessionmaker = sessionmaker_for(db_url)
    app.add_exception_handler(ApiProblem, _problem)
    app.add_exception_handler(Exception, _crash)
    app.include_router(device_auth.router)  # before the generic /api/{portal}/{app}/{model}/ routes
    app.include_router(router)
    return app
