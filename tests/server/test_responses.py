"""The server's JSON answers (orjson) mean exactly what the standard writer's meant."""

from __future__ import annotations

import json

import pytest
from starlette.responses import JSONResponse as StandardJSONResponse

from stemgui.server.responses import JSONResponse

STORED_VALUES = [
    {"name": 'Zoë µ-drive 測試 \u2028 "quoted" \\ back', "tags": ["🐭", ""], "n": None, "ok": True},
    {"limits": [2**53, -(2**53), 0, -1, 1.5, 0.1, 1e16, -1e-7, 2.5e-308, 1.7976931348623157e308]},
    {"nested": {"a": [{"b": [[], {}]}], "deep": {"x": {"y": {"z": 1}}}}},
    [{"id": "6f1c…", "extra_fields": {"apCoordinate": -1.25}} for _ in range(3)],
    "a bare string",
    [],
]


@pytest.mark.parametrize("content", STORED_VALUES)
def test_every_storable_value_reads_back_as_the_standard_writer_wrote_it(content):
    fast, standard = JSONResponse(content).body, StandardJSONResponse(content).body
    assert json.loads(fast) == json.loads(standard) == content
    if "limits" not in content:  # the same text, but for how an exponent is spelled (1e-7, 1e-07)
        assert fast == standard


@pytest.mark.parametrize("content", [{"big": 2**70}, {"small": -(2**64)}, {1: "non-text key"}])
def test_what_orjson_cannot_write_is_written_by_the_standard_writer(content):
    assert JSONResponse(content).body == StandardJSONResponse(content).body


def test_the_answer_is_utf8_json_text():
    response = JSONResponse({"name": "Zoë"}, status_code=201, headers={"X-Kept": "1"})
    assert response.media_type == "application/json"
    assert response.status_code == 201 and response.headers["x-kept"] == "1"
    assert response.body == '{"name":"Zoë"}'.encode()
