"""The device login of today's BrainSTEM clients (the official Python client 2.0.0's default).

1. ``POST /api/auth/device/`` starts a session: a secret ``device_code`` for the client, a short
   ``user_code`` and the page where a person approves it.
2. The person approves on ``/account/authorize/`` (a page this server serves: username,
   password, the code) or, already signed in elsewhere (the GUI), by
   ``POST /api/auth/device/approve/`` with their own token and the code.
3. The client polls ``POST /api/auth/device/token/`` (always HTTP 200): ``authorization_pending``,
   then ``success`` with a fresh API token once; afterwards ``already_used``; ``access_denied``
   if the person refused; ``expired_token`` after 15 minutes.
Device codes are stored only as SHA-256 hashes, like tokens.
"""

from __future__ import annotations

import html
import secrets
from datetime import datetime, timedelta
from urllib.parse import parse_qs, quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import DateTime, ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.orm import Session as DbSession
from starlette.concurrency import run_in_threadpool

from stemgui.server.body import read_json
from stemgui.server.problems import bad_request, unauthorized
from stemgui.server.responses import JSONResponse
from stemgui.server.security import authenticate, issue_token, token_hash, user_for_token
from stemgui.server.tables import Base, User, now

router = APIRouter()
LIFETIME = timedelta(minutes=15)
CODE_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ23456789"  # no vowels (no words), no 0/O or 1/I


class DeviceSession(Base):
    __tablename__ = "device_sessions"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # the session id in the page's URL
    device_code_hash: Mapped[str] = mapped_column(String(64), unique=True, nullable=False)
    user_code: Mapped[str] = mapped_column(String(9), unique=True, nullable=False)
    client_name: Mapped[str] = mapped_column(String(100), default="", nullable=False)
    # pending -> approved -> used, or pending -> denied
    status: Mapped[str] = mapped_column(String(10), default="pending", nullable=False)
    user_id: Mapped[str | None] = mapped_column(
        String(36), ForeignKey("users.id", ondelete="CASCADE"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, nullable=False)


def _new_user_code() -> str:
    letters = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


def _normal_code(code: str) -> str:
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return f"{letters[:4]}-{letters[4:]}" if len(letters) == 8 else code.strip().upper()


def _expired(session: DeviceSession) -> bool:
    return now() - session.created_at > LIFETIME


def _pending(db: DbSession, user_code: str) -> DeviceSession | None:
    session = db.scalar(select(DeviceSession).where(DeviceSession.user_code == _normal_code(user_code)))
    if session is None or session.status != "pending" or _expired(session):
        return None
    return session


def _run(request: Request, work):
    with request.app.state.sessionmaker.begin() as db:
        return work(db)


@router.post("/api/auth/device/")
@router.post("/api/auth/device")
async def start(request: Request) -> Response:
    """Start a device login; the answer tells the client where the person approves it."""
    body = await read_json(request) if await request.body() else {}
    name = body.get("client_name") if isinstance(body, dict) else None
    device_code = secrets.token_urlsafe(32)

    def work(db: DbSession) -> dict:
        session = DeviceSession(
            id=secrets.token_hex(16),
            device_code_hash=token_hash(device_code),
            user_code=_new_user_code(),
            client_name=name[:100] if isinstance(name, str) else "",
        )
        db.add(session)
        db.flush()
        page = str(request.base_url) + "account/authorize/"
        return {
            "session_id": session.id,
            "device_code": device_code,
            "user_code": session.user_code,
            "verification_uri": page,
            "verification_uri_complete": f"{page}?session={quote(session.id)}",
            "expires_in": int(LIFETIME.total_seconds()),
            "interval": request.app.state.settings.device_poll_interval,  # the docs: 5
        }

    return JSONResponse(await run_in_threadpool(_run, request, work))


@router.post("/api/auth/device/token/")
@router.post("/api/auth/device/token")
async def collect(request: Request) -> Response:
    """The client's poll: pending, the token (once), or why not."""
    body = await read_json(request)
    code = body.get("device_code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not code:
        raise bad_request({"device_code": ["This field is required."]})

    def work(db: DbSession) -> dict:
        session = db.scalar(select(DeviceSession).where(DeviceSession.device_code_hash == token_hash(code)))
        if session is None:
            return {"error": "invalid_grant"}
        if session.status == "denied":
            return {"error": "access_denied"}
        if session.status == "used":
            return {"error": "already_used"}
        if _expired(session):
            return {"error": "expired_token"}
        if session.status == "pending":
            return {"status": "authorization_pending"}
        session.status = "used"
        return {"status": "success", "token": issue_token(db, db.get(User, session.user_id)).key}

    return JSONResponse(await run_in_threadpool(_run, request, work))


@router.post("/api/auth/device/approve/")
@router.post("/api/auth/device/approve")
async def approve_with_token(request: Request) -> Response:
    """Approve (or, with ``"approve": false``, refuse) a code as the user of the bearer token."""
    body = await read_json(request)
    if not isinstance(body, dict) or not isinstance(body.get("user_code"), str):
        raise bad_request({"user_code": ["This field is required."]})
    scheme, _, token = request.headers.get("authorization", "").partition(" ")

    def work(db: DbSession) -> dict:
        user = user_for_token(db, token.strip()) if scheme.lower() in ("bearer", "token") else None
        if user is None:
            raise unauthorized()
        session = _pending(db, body["user_code"])
        if session is None:
            raise bad_request({"user_code": ["This code is unknown, expired or already used."]})
        session.status, session.user_id = (
            ("approved", user.id) if body.get("approve", True) else ("denied", None)
        )
        return {"status": session.status}

    return JSONResponse(await run_in_threadpool(_run, request, work))


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Approve a device login</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto}}label{{display:block;margin:.6rem 0}}
input{{width:100%;padding:.3rem}}p.msg{{padding:.5rem;background:#eef}}</style></head>
<body><h1>Approve a device login</h1>{message}
<form method="post" action="/account/authorize/">
<label>Code shown by the program <input name="user_code" value="{code}" required autocomplete="off"></label>
<label>Username <input name="username" required autocomplete="username"></label>
<label>Password <input name="password" type="password" required autocomplete="current-password"></label>
<button name="decision" value="approve">Approve</button> <button name="decision" value="deny">Deny</button>
</form></body></html>"""


def _page(code: str = "", message: str = "", status: int = 200) -> HTMLResponse:
    note = f'<p class="msg" role="status">{html.escape(message)}</p>' if message else ""
    return HTMLResponse(_PAGE.format(message=note, code=html.escape(code)), status_code=status)


@router.get("/account/authorize/")
@router.get("/account/authorize")
async def authorize_page(request: Request) -> Response:
    """The approval form; ``?session=`` (the client's link) fills in the code."""
    session_id = request.query_params.get("session", "")

    def work(db: DbSession) -> str:
        session = db.get(DeviceSession, session_id) if session_id else None
        return session.user_code if session is not None and session.status == "pending" else ""

    return _page(await run_in_threadpool(_run, request, work))


@router.post("/account/authorize/")
@router.post("/account/authorize")
async def authorize_submit(request: Request) -> Response:
    """Check the person's credentials and approve or deny the code."""
    form = {
        key: values[0] for key, values in parse_qs((await request.body()).decode("utf-8", "replace")).items()
    }
    code, username, password = form.get("user_code", ""), form.get("username", ""), form.get("password", "")
    decision = form.get("decision", "approve")

    def work(db: DbSession) -> HTMLResponse:
        user = authenticate(db, username, password)
        if user is None:
            return _page(code, "Unable to log in with these credentials.", 400)
        session = _pending(db, code)
        if session is None:
            return _page("", "This code is unknown, expired or already used. Start the login again.", 400)
        if decision == "deny":
            session.status = "denied"
            return _page("", "Refused. The program will not get access.")
        session.status, session.user_id = "approved", user.id
        return _page("", f"Approved: the program now signs in as {user.username}. You can close this page.")

    return await run_in_threadpool(_run, request, work)
