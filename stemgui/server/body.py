"""Request bodies: size limit, strict JSON (no NaN/Infinity), bounded nesting, no NUL characters."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request

from stemgui.server.problems import ApiProblem, bad_request

MAX_BODY = 1_000_000  # bytes
MAX_DEPTH = 32  # nesting levels; deeper bodies are refused before anything walks them


class _NonFinite:
    """Stands in for NaN, Infinity or an overflowing number while parsing, so that the 400 can
    name the field that holds it instead of refusing the body as a whole."""

    def __init__(self, token: str) -> None:
        self.token = token


def _finite(text: str) -> float | _NonFinite:
    value = float(text)
    if value in (float("inf"), float("-inf")):
        return _NonFinite(text)
    return value


def _check_values(body: Any) -> None:
    """400 for bodies nested too deeply, holding NUL characters (PostgreSQL cannot store them), or
    holding numbers JSON cannot carry (NaN, Infinity, overflow) — naming the top-level field."""
    stack = [(body, 1, None)]
    while stack:
        value, depth, top = stack.pop()
        if depth > MAX_DEPTH:
            raise bad_request({top or "non_field_errors": [f"Nested more than {MAX_DEPTH} levels deep."]})
        if isinstance(value, _NonFinite):
            message = f"{value.token} is not a valid number: numbers must be finite."
            raise bad_request({top or "non_field_errors": [message]})
        if isinstance(value, str) and "\x00" in value:
            raise bad_request({top or "non_field_errors": ["Null characters are not allowed."]})
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise bad_request({top or "non_field_errors": ["Null characters are not allowed."]})
                stack.append((item, depth + 1, top or key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, top) for item in value)


async def read_json(request: Request) -> Any:
    """The request body as JSON; 413 when over MAX_BODY, 400 when malformed (NaN/Infinity included)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY:
        raise ApiProblem(413, {"detail": "Request body too large (the limit is 1 MB)."})
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_BODY:
            raise ApiProblem(413, {"detail": "Request body too large (the limit is 1 MB)."})
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw, parse_constant=_NonFinite, parse_float=_finite)
    except (ValueError, RecursionError) as exc:
        raise ApiProblem(400, {"detail": f"JSON parse error - {exc}"}) from None
    _check_values(body)
    return body
