"""``python -m stemgui.firstrun``: the first start's admin, made before Streamlit starts.

``make run`` runs this right before ``streamlit run app.py``: Streamlit runs app.py only when a
browser first visits, so without this step the terminal would show the admin's password only
after someone opened the page. On the very first start it creates the user ``admin`` with a
random password, writes it to ``<data dir>/initial-admin-password.txt`` (mode 600) and prints it
once here; later starts print nothing. The password is printed, never logged. With the bundled
backend it also loads the demo lab and makes admin's API user then, so the first login only
waits for the server to start.
"""

from __future__ import annotations

import sys
from pathlib import Path

from stemgui import backend
from stemgui.auth import INITIAL_PASSWORD_FILE, UserStore
from stemgui.config import load_settings


def announcement(password: str, data_dir: Path) -> str:
    """What the terminal shows on the first start (the one place the password is printed)."""
    return (
        f"\nstemgui: created user 'admin' with password: {password}\n"
        f"stemgui: (also in {data_dir / INITIAL_PASSWORD_FILE}, readable by you only)\n"
    )


def main() -> int:
    """Make the cookie key and, if there is no user yet, ``admin``; print its password once."""
    settings = load_settings()
    data_dir = settings.data_dir
    password = UserStore(data_dir).bootstrap()
    if password and settings.uses_bundled_backend:
        # the demo lab and admin's API user now, not at the first login (issue 17 item 5)
        backend.prepare(data_dir, {"admin": "admin"})
    if password:
        # A deliberate one-time print to the operator's terminal, never through logging.
        sys.stdout.write(announcement(password, data_dir) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
