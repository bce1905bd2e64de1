"""Request bodies: size limit, strict JSON (no NaN/Infinity, numbers within ±2^53), bounded nesting,
no NUL characters."""

from __future__ import annotations

import json
import math
from typing import Any

from fastapi import Request

from stemgui.models import NUMBER_LIMIT
from stemgui.server.problems import ApiProblem, bad_request

MAX_BODY = 1_000_000  # bytes
MAX_DEPTH = 32  # nesting levels; deeper bodies are refused before anything walks them
_MAX_DIGITS = len(str(NUMBER_LIMIT))  # longer digit strings are refused before int() reads them


class _BadNumber:
    """Stands in for NaN or Infinity (``parse_constant``) or a number out of range while parsing,
    so that the 400 can name the field that holds it instead of refusing the body as a whole."""

    def __init__(self, token: str, out_of_range: bool = False) -> None:
        self.token = token
        self.out_of_range = out_of_range

    @property
    def message(self) -> str:
        token = self.token
        shown = token if len(token) <= 30 else f"{token[:20]}... ({len(token)} characters)"
        if self.out_of_range:
            return f"{shown} is out of range: numbers must be between -2^53 and 2^53 ({NUMBER_LIMIT})."
        return f"{shown} is not a valid number: numbers must be finite."


def _float(text: str) -> float | _BadNumber:
    value = float(text)  # a literal past the float range (1e400) is inf: out of range, too
    if math.isfinite(value) and abs(value) <= NUMBER_LIMIT:
        return value
    return _BadNumber(text, out_of_range=True)


def _int(text: str) -> int | _BadNumber:
    # a 4,000-digit integer is slow to convert (and past 4,300 digits Python refuses): count first
    if len(text.lstrip("-")) > _MAX_DIGITS:
        return _BadNumber(text, out_of_range=True)
    value = int(text)
    return value if abs(value) <= NUMBER_LIMIT else _BadNumber(text, out_of_range=True)


def _name(path: tuple) -> str:
    """A field path as the 400 names it: ``coordinates_details.apCoordinate``, ``tags.2``."""
    return ".".join(str(part) for part in path) or "non_field_errors"


def _check_values(body: Any) -> None:
    """400 for bodies nested too deeply, holding NUL characters (PostgreSQL cannot store them), or
    holding numbers JSON cannot carry faithfully (NaN, Infinity, beyond ±2^53), naming the field path."""
    stack: list[tuple[Any, tuple]] = [(body, ())]
    while stack:
        value, path = stack.pop()
        if len(path) >= MAX_DEPTH:
            raise bad_request({_name(path[:1]): [f"Nested more than {MAX_DEPTH} levels deep."]})
        if isinstance(value, _BadNumber):
            raise bad_request({_name(path): [value.message]})
        if isinstance(value, str) and "\x00" in value:
            raise bad_request({_name(path): ["Null characters are not allowed."]})
        if isinstance(value, dict):
            for key, item in value.items():
                if "\x00" in key:
                    raise bad_request({_name(path): ["Null characters are not allowed in names."]})
                stack.append((item, (*path, key)))
        elif isinstance(value, list):
            stack.extend((item, (*path, index)) for index, item in enumerate(value))


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
        body = json.loads(raw, parse_constant=_BadNumber, parse_float=_float, parse_int=_int)
    except (ValueError, RecursionError) as exc:
        raise ApiProblem(400, {"detail": f"JSON parse error - {exc}"}) from None
    _check_values(body)
    return body
