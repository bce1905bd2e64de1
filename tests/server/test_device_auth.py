"""The device login the official client uses (issue 12): raw HTTP against the bundled server, so
it is checked without the official client installed (tests/official drives the client itself)."""

from __future__ import annotations

import uuid

import pytest
import requests


@pytest.fixture(scope="module")
def account(server) -> tuple[str, str]:
    username, password = f"device-{uuid.uuid4().hex[:10]}", "correct horse battery"
    server.adduser(username, password)
    return username, password


def test_device_code_is_given_out_once_and_wrong_credentials_approve_nothing(server, account):
    """Issue 12: the token is collected once; a wrong password on the page approves nothing."""
    base = server.url + "api/auth/device/"
    start = requests.post(base, json={"client_name": "test"}, timeout=10).json()
    poll = {"device_code": start["device_code"]}
    assert requests.post(base + "token/", json=poll, timeout=10).json() == {"status": "authorization_pending"}
    wrong = {"user_code": start["user_code"], "username": account[0], "password": "nope"}
    assert requests.post(start["verification_uri"], data=wrong, timeout=10).status_code == 400
    assert requests.post(base + "token/", json=poll, timeout=10).json() == {"status": "authorization_pending"}
    right = {**wrong, "password": account[1], "user_code": start["user_code"].lower().replace("-", "")}
    assert requests.post(start["verification_uri"], data=right, timeout=10).status_code == 200
    first = requests.post(base + "token/", json=poll, timeout=10).json()
    assert first["status"] == "success" and first["token"]
    assert requests.post(base + "token/", json=poll, timeout=10).json() == {"error": "already_used"}
    headers = {"Authorization": f"Bearer {first['token']}"}
    assert requests.get(server.url + "api/private/stem/project/", headers=headers, timeout=10).ok


def test_a_signed_in_app_approves_with_its_token(server, account):
    """Issue 12: an app already holding the user's token (the GUI) approves a code for a script."""
    token = server.token(*account)
    base = server.url + "api/auth/device/"
    start = requests.post(base, json={}, timeout=10).json()
    approve = {"user_code": start["user_code"]}
    assert requests.post(base + "approve/", json=approve, timeout=10).status_code == 401
    answer = requests.post(
        base + "approve/", json=approve, headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.json() == {"status": "approved"}
    result = requests.post(base + "token/", json={"device_code": start["device_code"]}, timeout=10).json()
    assert result["status"] == "success"


def test_page_shows_hostile_input_as_text(server):
    """Issue 12: the approval page never renders what was typed as HTML, and unknown codes approve nothing."""
    form = {"user_code": "<script>alert(1)</script>", "username": "x", "password": "y"}
    answer = requests.post(server.url + "account/authorize/", data=form, timeout=10)
    assert answer.status_code == 400 and "<script>" not in answer.text and "&lt;script&gt;" in answer.text
    page = requests.get(server.url + "account/authorize/?session=%3Cb%3E", timeout=10)
    assert page.status_code == 200 and 'value=""' in page.text


def test_poll_without_a_device_code_names_the_field(server):
    answer = requests.post(server.url + "api/auth/device/token/", json={}, timeout=10)
    assert answer.status_code == 400 and "device_code" in answer.json()
    unknown = requests.post(server.url + "api/auth/device/token/", json={"device_code": "nope"}, timeout=10)
    assert unknown.status_code == 200 and unknown.json() == {"error": "invalid_grant"}
