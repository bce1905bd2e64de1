"""Translate transport failures and HTTP error responses into stemgui.errors, in one place.

The client calls ``error_from_exception`` for anything requests raises and
``error_from_response`` for every response with a status >= 400 (or a body that is not JSON).
Messages say what the person can do; they never contain the API token (``redact`` is applied
to every message as a last guard, because a server may echo a header back in its body).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from urllib3.exceptions import NewConnectionError

from stemgui.catalog import MODELS
from stemgui.errors import (
    ApiConnectionError,
    ApiTimeout,
    AuthError,
    EditConflict,
    NotFound,
    PermissionDenied,
    ServerError,
    StemGuiError,
    ValidationFailed,
)

MAX_DETAIL_CHARS = 300  # a server's error text is quoted, but never a whole HTML page


@dataclass(frozen=True)
class CallContext:
    """What the client was doing, so that messages can name it."""

    method: str
    model: str
    record_id: str | None
    base_url: str
    token: str | None = None
    label: str | None = None  # how messages name the backend, e.g. "the bundled server"

    @property
    def server(self) -> str:
        return display_url(self.base_url)

    @property
    def who(self) -> str:
        """"the bundled server (http://127.0.0.1:8765/)" or "the server at https://…/"."""
        return f"{self.label} ({self.server})" if self.label else f"the server at {self.server}"

    @property
    def who_capital(self) -> str:
        return self.who[:1].upper() + self.who[1:]

    @property
    def what(self) -> str:
        if self.record_id:
            return f"{self.model} {self.record_id}"
        return f"a new {self.model}" if self.method == "POST" else f"{self.model} records"


def display_url(url: str) -> str:
    """``url`` without any user:password part, safe to show and log."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def redact(message: str, token: str | None) -> str:
    """``message`` with the token (if any) replaced by ``***``."""
    return message.replace(token, "***") if token else message


def error_from_exception(exc: requests.RequestException, ctx: CallContext) -> StemGuiError:
    """The stemgui error for a request that got no usable HTTP response."""
    server = ctx.server
    if isinstance(exc, requests.ConnectTimeout):
        message = (
            f"Could not reach {ctx.who} (no answer to connect) — "
            "check STEMGUI_API_URL and your network, or start the server"
        )
        error: StemGuiError = ApiConnectionError(message)
    elif isinstance(exc, requests.Timeout):
        message = (
            f"{ctx.who_capital} did not answer in time — it may be overloaded; "
            "try again in a moment"
        )
        error = ApiTimeout(message)
    elif isinstance(exc, requests.exceptions.SSLError):
        message = (
            f"The secure connection to {server} failed (TLS certificate problem) — check that "
            "STEMGUI_API_URL is the right address"
        )
        error = ApiConnectionError(message)
    elif isinstance(exc, (requests.exceptions.InvalidURL, requests.exceptions.MissingSchema,
                          requests.exceptions.InvalidSchema)):
        message = f"{server!r} is not a valid server address — set STEMGUI_API_URL to e.g. https://www.brainstem.org/"
        error = ApiConnectionError(message)
    else:
        message = (
            f"Could not reach {ctx.who} — check STEMGUI_API_URL "
            "or start the server"
        )
        error = ApiConnectionError(message)
    if isinstance(error, ApiConnectionError):
        error.may_have_arrived = not never_sent(exc)
    return _without_token(error, ctx.token)


def never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly never reached a server: no connection was made.

    A refused connection, an unknown host or no answer to connect; anything that failed after
    connecting (a reset, a closed connection, a timeout while waiting) may have delivered it.
    """
    if isinstance(exc, requests.ConnectTimeout | requests.exceptions.InvalidURL
                  | requests.exceptions.MissingSchema | requests.exceptions.InvalidSchema):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(exc, requests.ConnectionError) and isinstance(reason, NewConnectionError)


def error_from_response(response: requests.Response, ctx: CallContext) -> StemGuiError:
    """The stemgui error for an HTTP error response (status >= 400)."""
    status = response.status_code
    body = _json_or_none(response)
    detail = _detail_text(body, response)
    if status in (400, 409, 413, 422):
        error: StemGuiError = _validation_error(status, body, detail, ctx)
    elif status == 401:
        error = AuthError(_auth_message(ctx), status_code=status)
    elif status == 403:
        fields = field_errors_from_body(body)
        error = PermissionDenied(_forbidden_message(ctx, detail), fields, status_code=status)
    elif status == 404:
        error = NotFound(_not_found_message(ctx), status_code=status)
    elif status == 412:
        error = _conflict_error(body, response, ctx)
    elif status >= 500:
        error = ServerError(
            f"{ctx.who_capital} failed (HTTP {status}) while trying to "
            f"{_verb(ctx)} — try again later; if it keeps failing, tell the server's admin"
            f"{_suffix(detail)}",
            status_code=status,
        )
    else:
        error = StemGuiError(
            f"{ctx.who_capital} refused to {_verb(ctx)} (HTTP {status}){_suffix(detail)}",
            status_code=status,
        )
    return _without_token(error, ctx.token)


def _without_token(error: StemGuiError, token: str | None) -> StemGuiError:
    # The last guard: a server may echo the Authorization header back in its error body.
    error.message = redact(error.message, token)
    error.args = (error.message,)
    if isinstance(error, (ValidationFailed, PermissionDenied)):
        error.field_errors = {
            redact(field, token): [redact(text, token) for text in texts]
            for field, texts in error.field_errors.items()
        }
    return error


def not_json_error(response: requests.Response, ctx: CallContext) -> StemGuiError:
    """A successful status whose body is not JSON: most likely the wrong server address."""
    return ServerError(
        f"The server at {ctx.server} did not answer like a BrainSTEM API (HTTP "
        f"{response.status_code}, not JSON) — check that STEMGUI_API_URL points to a BrainSTEM server",
        status_code=response.status_code,
    )


def field_errors_from_body(body: Any) -> dict[str, list[str]]:
    """``{field path: [messages]}`` from a DRF-style (or FastAPI-style) error body."""
    if isinstance(body, dict) and isinstance(body.get("detail"), list):
        return _fastapi_errors(body["detail"])
    if not isinstance(body, dict):
        return {}
    errors: dict[str, list[str]] = {}
    for key, value in body.items():
        if key == "detail":
            continue  # a message for the whole request, shown in the error message instead
        _flatten(str(key), value, errors)
    return errors


def _flatten(path: str, value: Any, out: dict[str, list[str]]) -> None:
    # DRF nests errors of nested objects ({"details": {"x": [...]}}) and of list items
    # ([{}, {"name": [...]}]); a dotted path keeps each message next to its field.
    if isinstance(value, dict):
        for key, inner in value.items():
            _flatten(f"{path}.{key}", inner, out)
    elif isinstance(value, list) and any(isinstance(item, (dict, list)) for item in value):
        for index, inner in enumerate(value):
            if inner:
                _flatten(f"{path}.{index}", inner, out)
    elif isinstance(value, list):
        out.setdefault(path, []).extend(str(item) for item in value)
    elif value is not None:
        out.setdefault(path, []).append(str(value))


def _fastapi_errors(items: list) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for item in items:
        if not isinstance(item, dict):
            errors.setdefault("non_field_errors", []).append(str(item))
            continue
        loc = [str(part) for part in item.get("loc", []) if part not in ("body", "query", "path")]
        errors.setdefault(".".join(loc) or "non_field_errors", []).append(str(item.get("msg", item)))
    return errors


def _validation_error(status: int, body: Any, detail: str, ctx: CallContext) -> ValidationFailed:
    field_errors = field_errors_from_body(body)
    rejected = f"the search for {ctx.model} records" if ctx.method == "GET" else f"the {ctx.model}"
    if status == 413:
        lead = f"The {ctx.model} is too large for the server — shorten long texts or remove big fields"
    elif field_errors:
        summary = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in field_errors.items())
        lead = f"The server rejected {rejected} — fix these fields: {_clip(summary)}"
    else:
        lead = f"The server rejected {rejected} — check the values and try again"
    if detail and not field_errors:
        lead += f" ({_clip(detail)})"
    return ValidationFailed(lead, field_errors, status_code=status)


def _conflict_error(body: Any, response: requests.Response, ctx: CallContext) -> EditConflict:
    # The bundled server answers a stale If-Match with the record as it is now, in the
    # envelope of a detail GET; another server may send nothing usable.
    info = MODELS.get(ctx.model)
    current = body.get(info.detail_key) if isinstance(body, dict) and info else None
    message = (
        f"Someone else changed {ctx.what} after you opened it — nothing was saved; compare "
        "their change with yours and save again"
    )
    return EditConflict(
        message,
        current if isinstance(current, dict) else None,
        response.headers.get("ETag"),
        status_code=412,
    )


def _auth_message(ctx: CallContext) -> str:
    if ctx.token:
        return (
            f"Your API token was rejected by {ctx.server} — paste a new one on the Account page"
        )
    return (
        f"{ctx.who_capital} needs you to sign in — add your API token on "
        "the Account page"
    )


def _forbidden_message(ctx: CallContext, detail: str) -> str:
    if ctx.method == "GET":
        advice = "ask a manager of the project to add you as a member"
    else:
        advice = "ask a manager of the project for change rights"
    return f"You are not allowed to {_verb(ctx)} — {advice}{_suffix(detail)}"


def _not_found_message(ctx: CallContext) -> str:
    if ctx.record_id:
        return (
            f"No {ctx.model} with id {ctx.record_id} — it was deleted, or you are not a member "
            "of its project; reload the list"
        )
    return (
        f"The server at {ctx.server} has no {ctx.model} list for you — check STEMGUI_API_URL "
        "and that the record you refer to still exists"
    )


def _verb(ctx: CallContext) -> str:
    verbs = {"GET": "read", "POST": "create", "PATCH": "change", "DELETE": "delete"}
    return f"{verbs.get(ctx.method, ctx.method.lower())} {ctx.what}"


def _suffix(detail: str) -> str:
    return f" (server says: {_clip(detail)})" if detail else ""


def _clip(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def _json_or_none(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _detail_text(body: Any, response: requests.Response) -> str:
    if isinstance(body, dict):
        detail = body.get("detail")
        if isinstance(detail, str):
            return detail
        non_field = body.get("non_field_errors")
        if isinstance(non_field, list):
            return " ".join(str(item) for item in non_field)
        return ""
    content_type = response.headers.get("Content-Type", "")
    if body is None and content_type.startswith("text/plain"):
        return response.text
    return ""  # HTML error pages are noise in a message
