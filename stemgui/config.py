"""Settings read once from the environment and ``.streamlit/secrets.toml``.

No Streamlit import: secrets.toml is read as plain TOML so that the server, the client and
the tests see the same settings as the app.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

SECRETS_FILE = Path(".streamlit") / "secrets.toml"


def _secrets(path: Path = SECRETS_FILE) -> dict:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except (FileNotFoundError, tomllib.TOMLDecodeError):
        return {}


@dataclass(frozen=True)
class Settings:
    """Where the app keeps its files and which backend it talks to."""

    data_dir: Path
    api_url: str | None  # None: start and use the bundled server

    @property
    def uses_bundled_backend(self) -> bool:
        return self.api_url is None


def load_settings(environ: dict | None = None, secrets_path: Path = SECRETS_FILE) -> Settings:
    """Settings from ``environ`` (default: os.environ), then secrets.toml, then defaults."""
    env = os.environ if environ is None else environ
    secrets = _secrets(secrets_path)
    data_dir = Path(env.get("STEMGUI_DATA_DIR") or secrets.get("STEMGUI_DATA_DIR") or "data")
    api_url = (env.get("STEMGUI_API_URL") or secrets.get("STEMGUI_API_URL") or "").strip() or None
    if api_url and not api_url.endswith("/"):
        api_url += "/"
    return Settings(data_dir=data_dir.resolve(), api_url=api_url)


WRITE_READ_SECONDS = 2.5  # a save waits this long for an answer, then goes to the outbox
WRITE_CONNECT_SECONDS = 2.5  # ... and this long for a connection (never longer than the read part)


def write_timeout(environ: dict | None = None) -> tuple[float, float]:
    """(connect, read) seconds for saves; ``STEMGUI_WRITE_TIMEOUT`` sets the read part.

    Short on purpose: a hung backend must hand a save to the outbox within 3 s (issue 17), and a
    create that lands after it is not made twice: its resend carries the same ``Idempotency-Key``
    (or, on a backend without keys, the outbox looks for it first).
    """
    env = os.environ if environ is None else environ
    try:
        seconds = float(env.get("STEMGUI_WRITE_TIMEOUT") or WRITE_READ_SECONDS)
    except ValueError:
        seconds = WRITE_READ_SECONDS
    seconds = max(0.5, seconds)
    return (min(WRITE_CONNECT_SECONDS, seconds), seconds)


DV_SIGNS = ("negative-ventral", "positive-ventral")
"""The values of STEMGUI_DV_SIGN: which way a positive DV (and stereotaxic z) points."""


def dv_sign_setting(environ: dict | None = None, secrets_path: Path = SECRETS_FILE) -> tuple[str, str | None]:
    """(STEMGUI_DV_SIGN, a message when the value set is not one of `DV_SIGNS` and the default is used)."""
    env = os.environ if environ is None else environ
    raw = str(env.get("STEMGUI_DV_SIGN") or _secrets(secrets_path).get("STEMGUI_DV_SIGN") or DV_SIGNS[0])
    value = raw.strip().lower()
    if value in DV_SIGNS:
        return value, None
    return DV_SIGNS[0], (f"STEMGUI_DV_SIGN is {raw!r}; it must be {' or '.join(DV_SIGNS)}. "
                         f"Using {DV_SIGNS[0]}.")
