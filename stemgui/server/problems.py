"""The HTTP problems the server answers with on purpose (each carries its status and JSON body)."""

from __future__ import annotations

from stemgui.errors import StemGuiError


class ApiProblem(StemGuiError):
    """A request the server refuses: ``status`` and a DRF-style JSON ``body``."""

    def __init__(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        super().__init__(f"{status}: {body}", status_code=status)
        self.status = status
        self.body = body
        self.headers = headers or {}


ECHO_MAX = 60  # characters of a caller's value said back in a message
FIELD_MAX = 200  # of a field name: longer than any real field path (clients match errors by it)


def echo(value: object, limit: int = ECHO_MAX) -> str:
    """A caller's value as a 400 says it back: a megabyte query string is not returned whole (nor
    logged whole by whatever proxy sits in front); the start names it well enough."""
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def bad_request(errors: dict[str, list[str]]) -> ApiProblem:
    """400 with field -> messages (a field named by the caller, e.g. a query parameter, shortened
    only when absurdly long)."""
    return ApiProblem(400, {echo(field, FIELD_MAX): messages for field, messages in errors.items()})


def not_found() -> ApiProblem:
    """404: no such record, or one the caller may not read (existence does not leak)."""
    return ApiProblem(404, {"detail": "Not found."})


def forbidden(message: str = "You do not have permission to perform this action.") -> ApiProblem:
    """403: signed in but not allowed."""
    return ApiProblem(403, {"detail": message})


def forbidden_fields(errors: dict[str, list[str]]) -> ApiProblem:
    """403 naming the fields (DRF style) whose related records the caller may read but not change."""
    detail = " ".join(message for messages in errors.values() for message in messages)
    return ApiProblem(403, {**errors, "detail": detail})


def unauthorized(message: str = "Authentication credentials were not provided.") -> ApiProblem:
    """401: no token or a bad one."""
    return ApiProblem(401, {"detail": message})
