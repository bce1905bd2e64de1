"""Helpers shared by the client tests."""

from __future__ import annotations

import uuid

from stemgui.client import BrainstemClient


def unique(prefix: str) -> str:
    """A name no other test uses (names are unique per model on the server)."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


def create_sessions(client: BrainstemClient, project: dict, names: list[str]) -> list[dict]:
    """Create one session per name in ``project``; returns the created records."""
    return [
        client.save_model("session", data={"name": name, "projects": [project["id"]]})["session"]
        for name in names
    ]
