"""What the offline copy of a page is keyed by: who and what it shows, never the backend's port.

The bundled server starts on a free loopback port each time, so a key holding its URL changes with
every restart and the copy made minutes before is not found ("This was not loaded before …
stopped answering", issue 14). Its data is the SQLite file in the data dir, so that names it; a
configured backend is named by its URL (host and path: that *is* what it is). No Streamlit here.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from stemgui.config import Settings


def backend_identity(settings: Settings) -> str:
    """ "bundled:<data dir>" for the bundled server (whatever port it got), else the API's URL
    without a trailing slash, host lower-cased."""
    if settings.uses_bundled_backend:
        return f"bundled:{Path(settings.data_dir).resolve()}"
    parts = urlsplit(settings.api_url or "")
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{parts.path.rstrip('/')}"


def user_cache_key(username: str | None, settings: Settings) -> str:
    """The key of one user's cached and offline-kept data on this backend ("alice@bundled:/…")."""
    return f"{username or '-'}@{backend_identity(settings)}"


def surgery_day_key(username: str | None, subject: str, day: date, settings: Settings) -> tuple[str, ...]:
    """The key of the offline copy of one Surgery day page: the user, the subject and the date."""
    return ("surgery day", user_cache_key(username, settings), str(subject), day.isoformat())
