"""The BrainSTEM record kinds: which API app each lives in and its JSON envelope keys.

Shared by the client (to build URLs and unwrap responses) and the bundled server (to route).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelInfo:
    """Where one record kind lives in the API and how its responses are wrapped."""

    name: str  # the model segment of the URL, e.g. "brainregion"
    app: str  # the app segment of the URL, e.g. "taxonomies"
    list_key: str  # envelope of list responses, e.g. "brain_regions"
    detail_key: str  # envelope of single-record responses, e.g. "brain_region"


MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in (
        ModelInfo("project", "stem", "projects", "project"),
        ModelInfo("subject", "stem", "subjects", "subject"),
        ModelInfo("session", "stem", "sessions", "session"),
        ModelInfo("action", "modules", "actions", "action"),
        ModelInfo("species", "taxonomies", "species", "species"),
        ModelInfo("strain", "taxonomies", "strains", "strain"),
        ModelInfo("brainregion", "taxonomies", "brain_regions", "brain_region"),
        ModelInfo("supplier", "resources", "suppliers", "supplier"),
        ModelInfo("consumable", "resources", "consumables", "consumable"),
        ModelInfo("hardwaredevice", "resources", "hardwaredevices", "hardwaredevice"),
        # today's BrainSTEM (the envelopes of its docs' examples, spaces included)
        ModelInfo("procedure", "modules", "procedures", "procedure"),
        ModelInfo("consumablestock", "modules", "consumable stocks", "consumable stock"),
        ModelInfo("equipment", "modules", "equipment", "equipment"),
        ModelInfo("inventory", "personal_attributes", "inventories", "inventory"),
        ModelInfo("setup", "personal_attributes", "setups", "setup"),
        ModelInfo("license", "personal_attributes", "licenses", "license"),
        ModelInfo("subjectlog", "modules", "subject_logs", "subject_log"),
    )
}

PORTALS = ("private", "public", "super")


def model_info(model: str) -> ModelInfo:
    """The routing facts of one model; ValueError names the model if it is unknown."""
    try:
        return MODELS[model]
    except KeyError:
        known = ", ".join(sorted(MODELS))
        raise ValueError(f"Unknown model {model!r}; known models: {known}") from None
