"""A thin raw-HTTP caller for the bundled server's tests: status codes and bodies, no client magic.

The tests talk to the server with plain ``requests`` on purpose: they check the wire format
(status codes, envelopes, error bodies) that any BrainSTEM client relies on.
"""

from __future__ import annotations

import uuid
from typing import Any

import requests

from stemgui.catalog import model_info

# Keys of the response examples in spec/session-api.md and spec/action-api.md. Sessions also
# carry ``name_used_in_storage``: the spec's Fields table documents it as a writable field (the
# examples leave it out) and a client cannot edit a field it is never shown.
SESSION_KEYS = frozenset(
    {
        "id", "name", "description", "epochs", "projects", "date_time", "datastorage",
        "extra_fields", "download_links", "dataacquisition", "behaviors", "manipulations",
        "tags", "links", "name_used_in_storage",
    }
)  # fmt: skip
ACTION_KEYS = frozenset(
    {
        "id", "type", "description", "subject", "date_time", "consumable", "hardwaredevice",
        "details", "brain_region", "coordinates_system", "coordinates_details",
    }
)  # fmt: skip
# Keys a list envelope may carry besides the records (the issue requires "count").
PAGING_KEYS = frozenset({"count", "next", "previous", "meta"})
# Keys that name a problem with the request as a whole (DRF: parse errors, non-object bodies).
BODY_ERROR_KEYS = ("detail", "non_field_errors")


def unique(prefix: str = "rec") -> str:
    """A name no other test uses."""
    return f"{prefix}-{uuid.uuid4().hex[:10]}"


class Api:
    """One user's (or an anonymous) view of a running server, over real HTTP."""

    def __init__(self, base_url: str, token: str | None = None, username: str | None = None) -> None:
        self.base_url = base_url
        self.token = token
        self.username = username
        self.http = requests.Session()
        if token:
            self.http.headers["Authorization"] = f"Bearer {token}"

    @property
    def email(self) -> str:
        return f"{self.username}@example.org"

    def url(self, model: str, id: str | None = None, portal: str = "private", slash: bool = True) -> str:
        info = model_info(model)
        path = f"api/{portal}/{info.app}/{info.name}/" + (f"{id}/" if id else "")
        return self.base_url + (path if slash else path.rstrip("/"))

    def request(self, method: str, model: str, id: str | None = None, portal: str = "private", **kw):
        return self.http.request(method, self.url(model, id, portal), timeout=30, **kw)

    def get(self, model: str, id: str | None = None, portal: str = "private", params=None):
        return self.request("GET", model, id, portal, params=params)

    def post(self, model: str, data: Any, portal: str = "private"):
        return self.request("POST", model, None, portal, json=data)

    def patch(self, model: str, id: str, data: Any, portal: str = "private"):
        return self.request("PATCH", model, id, portal, json=data)

    def delete(self, model: str, id: str, portal: str = "private"):
        return self.request("DELETE", model, id, portal)

    def create(self, model: str, data: dict, portal: str = "private") -> dict:
        """POST a record that must be accepted; returns the record out of its envelope."""
        response = self.post(model, data, portal)
        assert response.status_code == 201, (model, data, response.status_code, response.text)
        return unwrap(model, response.json())

    def change(self, model: str, id: str, data: dict, portal: str = "private") -> dict:
        response = self.patch(model, id, data, portal)
        assert response.status_code == 200, (model, id, data, response.status_code, response.text)
        return unwrap(model, response.json())

    def read(self, model: str, id: str, portal: str = "private") -> dict:
        response = self.get(model, id, portal)
        assert response.status_code == 200, (model, id, response.status_code, response.text)
        return unwrap(model, response.json())

    def listing(self, model: str, portal: str = "private", **params) -> dict:
        """The whole list response body (records plus count) of a query that must succeed."""
        response = self.get(model, portal=portal, params=params or None)
        assert response.status_code == 200, (model, params, response.status_code, response.text)
        return response.json()

    def records(self, model: str, portal: str = "private", **params) -> list[dict]:
        return self.listing(model, portal, **params)[model_info(model).list_key]

    def ids(self, model: str, portal: str = "private", **params) -> list[str]:
        return [record["id"] for record in self.records(model, portal, **params)]

    def count(self, model: str, portal: str = "private", **params) -> int:
        """How many records a list call says match (its "count")."""
        return self.listing(model, portal, **params)["count"]


def unwrap(model: str, body: dict) -> dict:
    """The record of a detail response; the envelope must be the model's detail key alone."""
    key = model_info(model).detail_key
    assert set(body) == {key}, f"expected envelope {{{key!r}: ...}}, got keys {sorted(body)}"
    return body[key]


def flt(field: str) -> str:
    """The query-parameter name of a filter: ``filter{field}``."""
    return f"filter{{{field}}}"


def error_keys(body: Any) -> list[str]:
    """The keys of a DRF-style error body whose messages are a non-empty text or list of texts."""
    assert isinstance(body, dict), f"error body must be a JSON object, got {body!r}"
    named = []
    for key, value in body.items():
        if isinstance(value, str) and value:
            named.append(key)
        elif isinstance(value, list) and value and all(isinstance(m, str) and m for m in value):
            named.append(key)
    return named


def names_field(body: Any, fields: tuple[str, ...]) -> bool:
    """True when the error body names one of ``fields`` (or a sub-path such as ``details.x``)."""
    return any(key == f or key.startswith(f + ".") for key in error_keys(body) for f in fields)
