"""STEMGUI_DV_SIGN: the lab's DV sign convention, from the environment or secrets.toml."""

from __future__ import annotations

import pytest

from stemgui.config import dv_sign_setting


@pytest.mark.parametrize(("environ", "secrets", "expected"), [
    ({}, "", ("negative-ventral", None)),
    ({"STEMGUI_DV_SIGN": "positive-ventral"}, "", ("positive-ventral", None)),
    ({"STEMGUI_DV_SIGN": " Positive-Ventral "}, "", ("positive-ventral", None)),
    ({}, 'STEMGUI_DV_SIGN = "positive-ventral"\n', ("positive-ventral", None)),
    ({"STEMGUI_DV_SIGN": "negative-ventral"}, 'STEMGUI_DV_SIGN = "positive-ventral"\n',
     ("negative-ventral", None)),  # the environment wins, as for every setting
])  # fmt: skip
def test_dv_sign_from_environment_then_secrets(tmp_path, environ, secrets, expected):
    """Issue 10 item 14: a setting for labs that record DV positive ventral."""
    path = tmp_path / "secrets.toml"
    path.write_text(secrets)
    assert dv_sign_setting(environ, path) == expected


def test_an_unknown_dv_sign_is_named_and_the_default_used(tmp_path):
    value, message = dv_sign_setting({"STEMGUI_DV_SIGN": "down"}, tmp_path / "none.toml")
    assert value == "negative-ventral"
    assert message == ("STEMGUI_DV_SIGN is 'down'; it must be negative-ventral or positive-ventral. "
                       "Using negative-ventral.")
