"""One error hierarchy for everything stemgui raises on purpose.

    StemGuiError
    ├── ApiConnectionError   the backend could not be reached (refused, DNS, TLS, connect timeout)
    ├── ApiTimeout           the backend did not answer in time
    ├── AuthError            401: no token, or the token was rejected
    ├── PermissionDenied     403: signed in, but not allowed (.field_errors: which fields, if any)
    ├── NotFound             404: no such record (or not visible to you)
    │   └── HistoryUnavailable   404: the backend keeps no record history (BrainSTEM; bundled servers do)
    ├── ValidationFailed     400: the record was rejected; .field_errors names the fields
    ├── EditConflict         412: someone else saved the record after you read it (.current, .etag)
    ├── ServerError          5xx: the backend failed
    ├── LocalSaveFailed      a write could not be kept in the local outbox (disk full, read-only)
    ├── UserError            a GUI user-management request that cannot be done (also a ValueError)
    ├── AdminError           a bundled-server admin command that cannot be done (also a ValueError)
    └── ApiProblem           (stemgui.server.problems) the bundled server refuses a request: status + body

Every message says what the person in front of the screen can do about it.
"""

from __future__ import annotations


class StemGuiError(Exception):
    """Root of every error stemgui raises on purpose."""

    status_code: int | None = None

    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if status_code is not None:
            self.status_code = status_code

    def __str__(self) -> str:
        return self.message


class _NamesFields(StemGuiError):
    """An error that can say which fields it is about: ``field_errors`` maps field -> messages."""

    def __init__(
        self,
        message: str,
        field_errors: dict[str, list[str]] | None = None,
        *,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.field_errors: dict[str, list[str]] = field_errors or {}


class ApiConnectionError(StemGuiError):
    """The backend could not be reached at all (refused, DNS, TLS, no answer to connect)."""

    # False only when the request certainly never left (refused, no answer to connect); a
    # connection that broke after sending may have delivered a write whose answer was lost.
    may_have_arrived: bool = True


class ApiTimeout(StemGuiError):
    """The backend accepted the connection but did not answer within the read timeout."""


class AuthError(StemGuiError):
    """401: no token was sent, or the token was rejected."""

    status_code = 401


class PermissionDenied(_NamesFields):
    """403: the user is signed in but may not do this; ``field_errors`` names the fields, if any."""

    status_code = 403


class NotFound(StemGuiError):
    """404: the record does not exist or is not visible to this user."""

    status_code = 404


class HistoryUnavailable(NotFound):
    """404 from a backend without the history endpoints: it keeps no history, nothing can be restored."""


class ValidationFailed(_NamesFields):
    """400: the backend rejected the data; ``field_errors`` maps field -> messages."""

    status_code = 400


class ServerError(StemGuiError):
    """5xx: the backend failed while handling a valid request."""

    status_code = 500


class EditConflict(StemGuiError):
    """412: the record changed since it was read (``If-Match`` failed); nothing was written.

    ``current`` is the record as it is now (None if the server did not send it) and ``etag``
    its version, so the caller can show both changes and save again against that version.
    """

    status_code = 412

    def __init__(
        self,
        message: str,
        current: dict | None = None,
        etag: str | None = None,
        *,
        status_code: int | None = None,
    ) -> None:
        super().__init__(message, status_code=status_code)
        self.current = current
        self.etag = etag


class LocalSaveFailed(StemGuiError):
    """A write could not be kept in the local outbox: the disk is full or the folder read-only."""


class EntriesRefused(StemGuiError):
    """The backend does not accept new subject-log entries (the docs mark ``entries`` read-only)."""


class UserError(StemGuiError, ValueError):
    """A user-management request that cannot be done (GUI users, ``stemgui.auth``); the message says why."""


class AdminError(StemGuiError, ValueError):
    """A bundled-server admin command could not be done (unknown user or project, clashing email)."""
