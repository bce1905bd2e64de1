"""Which kind of surgery record a backend keeps: today's procedures or the seed's actions.

BrainSTEM replaced ``modules/action`` with ``modules/procedure``; older servers (and the seed's)
only have actions. The GUI asks the backend once (``client.serves("procedure")``) and keeps the
answer per backend URL; ``STEMGUI_SURGERY_MODEL=procedure|action`` forces the choice (e.g. to
keep logging actions on a server that has both). Nothing here imports Streamlit.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass
from typing import Protocol

from stemgui.errors import StemGuiError
from stemgui.schemas import GENERATIONS, Generation

SETTING = "STEMGUI_SURGERY_MODEL"
PROCEDURE, ACTION = "procedure", "action"
MODELS = (PROCEDURE, ACTION)


class SurgeryModelSettingError(StemGuiError):
    """STEMGUI_SURGERY_MODEL names neither model."""


class _Serves(Protocol):
    def serves(self, model: str, portal: str = "private") -> bool: ...


@dataclass(frozen=True)
class SurgeryNames:
    """What the page calls the records it shows, and where their fields differ."""

    model: str  # the API model: "procedure" or "action"
    page_title: str  # "Procedures" / "Actions"
    singular: str  # "procedure" / "action", for messages ("Delete the procedure …?")
    notes_field: str  # the free-text field: "notes" (procedures) / "description" (actions)
    generation: Generation  # the schema sets of `details` and `coordinates_details`

    @property
    def new_button(self) -> str:
        """"New procedure" / "New action"."""
        return f"New {self.singular}"


NAMES: dict[str, SurgeryNames] = {
    PROCEDURE: SurgeryNames(PROCEDURE, "Procedures", "procedure", "notes", GENERATIONS[PROCEDURE]),
    ACTION: SurgeryNames(ACTION, "Actions", "action", "description", GENERATIONS[ACTION]),
}


def forced_model(environ: Mapping[str, str] | None = None) -> str | None:
    """The model STEMGUI_SURGERY_MODEL forces, None when unset; a clear error for any other value."""
    env = os.environ if environ is None else environ
    raw = str(env.get(SETTING) or "")
    value = raw.strip().lower()
    if not value:
        return None
    if value not in MODELS:
        raise SurgeryModelSettingError(
            f"{SETTING} is {raw!r}; set it to 'procedure' (today's BrainSTEM) or 'action' (the "
            "seed's actions), or leave it unset to let the app ask the backend.")
    return value


def decide_model(client: _Serves, environ: Mapping[str, str] | None = None) -> str:
    """"procedure" when the backend serves procedures, else "action" (unless the setting forces one).

    A forced model is used without asking the backend; otherwise errors other than a 404 (offline,
    401) propagate from ``client.serves``: they say nothing about which model the backend has.
    """
    return forced_model(environ) or (PROCEDURE if client.serves(PROCEDURE) else ACTION)


def surgery_model(api_url: str, client: _Serves, cache: MutableMapping[str, str],
                  environ: Mapping[str, str] | None = None) -> str:
    """`decide_model` once per backend URL: later calls for `api_url` answer from `cache`.

    The setting is read on every call (it is cheap and may be changed for a test), so a forced
    model wins over a cached answer; only the backend's answer is cached.
    """
    forced = forced_model(environ)
    if forced:
        return forced
    key = api_url.rstrip("/")
    if key not in cache:
        cache[key] = decide_model(client, environ={})
    return cache[key]


def surgery_names(model: str) -> SurgeryNames:
    """The names of `model` ("procedure" or "action"); KeyError for anything else."""
    return NAMES[model]
