"""Which surgery records this backend keeps (procedures or actions), asked once per backend, and
which surgery pages the navigation lists for it.

The answers are the backend's, not a user's, so they are kept per backend URL for the whole
process (`stemgui.surgery_model` caches the decision; whether actions are served too is kept
beside it). ``STEMGUI_SURGERY_MODEL`` forces the model and is read on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

from stemgui import surgery_model
from stemgui.errors import StemGuiError
from stemgui.gui import context
from stemgui.gui.context import CurrentUser
from stemgui.gui.store import user_client

_MODEL_BY_URL: dict[str, str] = {}  # backend URL -> "procedure" / "action"
_ACTIONS_BY_URL: dict[str, bool] = {}  # backend URL -> whether it also serves the seed's actions


@dataclass(frozen=True)
class SurgeryPages:
    """What the navigation lists: "Procedures" (when procedures are shown) and/or "Actions"."""

    model: str | None  # None: not decided yet (no token, backend not answering): both are listed
    actions_listed: bool

    @property
    def procedures_listed(self) -> bool:
        return self.model != surgery_model.ACTION


def decided_model(user: CurrentUser) -> str:
    """"procedure" or "action" for the current backend (forced by the setting, else asked once).
    Raises StemGuiError when it cannot be told (bad setting, no token, backend not answering)."""
    forced = surgery_model.forced_model()
    if forced:
        return forced
    url = context.backend_url()
    if url.rstrip("/") in _MODEL_BY_URL:  # asked before: no client needed (this runs on every page)
        return _MODEL_BY_URL[url.rstrip("/")]
    api = user_client(user)
    if api is None:
        raise StemGuiError(f"Paste your API token for {context.backend_name()} on the Account page first.")
    return surgery_model.surgery_model(url, api, _MODEL_BY_URL)


def _serves_actions(user: CurrentUser) -> bool:
    url = context.backend_url().rstrip("/")
    if url not in _ACTIONS_BY_URL:
        api = user_client(user)
        if api is None:
            return True
        _ACTIONS_BY_URL[url] = api.serves(surgery_model.ACTION)
    return _ACTIONS_BY_URL[url]


def surgery_pages(user: CurrentUser) -> SurgeryPages:
    """The surgery pages to list. With procedures, the Actions page stays listed while the backend
    also serves actions (older records of the lab stay reachable); on BrainSTEM today (no
    actions) only Procedures. With actions, only Actions. Undecided: both (each page says why)."""
    try:
        model = decided_model(user)
        if model == surgery_model.ACTION:
            return SurgeryPages(model, True)
        forced = surgery_model.forced_model() is not None
        return SurgeryPages(model, True if forced else _serves_actions(user))
    except StemGuiError:
        return SurgeryPages(None, True)
