"""Small wording rules shared by every screen: counts, the backend's name, empty cells.
No Streamlit here."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

EMPTY = "—"  # a related record that is not set, in tables and detail views
BUNDLED = "the bundled server"


def count_text(number: int, noun: str, plural: str | None = None) -> str:
    """ "1 action", "2 actions", "1,234 sessions" (``plural`` for irregular nouns)."""
    word = noun if number == 1 else plural or noun + "s"
    return f"{number:,} {word}"


def backend_name(api_url: str | None) -> str:
    """How messages name the backend: "the bundled server", or the configured URL's host."""
    if not api_url:
        return BUNDLED
    parts = urlsplit(api_url if "//" in api_url else "//" + api_url)
    return parts.hostname or api_url


def text_lines(rows: list[list[object]]) -> str:
    """Rows of cells as plain-text lines, "first: second · third", for ``st.text``: a detail's
    small tables (a session's extra fields and download links) as one light element where a
    data grid took ~30 ms to draw (issue 17). Empty cells (None, "") are left out, line breaks
    in a cell become spaces; no rows: "—"."""
    lines = []
    for row in rows:
        cells = [" ".join(str(value).split()) for value in row if value is not None]
        cells = [value for value in cells if value]
        if cells:
            lines.append(cells[0] + (": " + " · ".join(cells[1:]) if cells[1:] else ""))
    return "\n".join(lines) or EMPTY


def cell(value: object) -> object:
    """A table cell: an unset value (None, "") shows as "—" instead of a grey "None"."""
    return EMPTY if value is None or value == "" else value


def capital(text: str) -> str:
    """``text`` with its first letter upper-case, for the start of a sentence."""
    return text[:1].upper() + text[1:]


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+\-.!|~$:])")


def plain(text: object) -> str:
    """``text`` escaped for Streamlit markdown: shown as typed, never rendered (also no HTML)."""
    return _MD_SPECIAL.sub(r"\\\1", str(text))
