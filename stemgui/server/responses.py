"""The server's JSON answers, written by orjson.

Writing a page of 100 sessions with the standard library's ``json`` took ~0.55 ms of a ~14 ms
request; orjson takes ~0.04 ms (README, Benchmarks). The text means the same: what the API stores
has passed its checks (``body.read_json``: finite numbers within ±2^53; the models: valid Unicode
text), which orjson writes byte for byte as ``json`` does but for how an exponent is spelled
(``1e-7`` for ``1e-07``, the same number). What orjson cannot write (integers past 64 bits, keys
that are not text) goes to the standard writer, so no answer changes meaning. (NaN cannot be
stored through the API; if a database held one, orjson would write ``null`` where the standard
writer refused with a 500.)
"""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse as StandardJSONResponse


class JSONResponse(StandardJSONResponse):
    """``starlette``'s JSONResponse with the same compact UTF-8 text, written by orjson."""

    def render(self, content: Any) -> bytes:
        try:
            return orjson.dumps(content)
        except TypeError:  # orjson.JSONEncodeError is a TypeError: a value orjson cannot write
            return super().render(content)
