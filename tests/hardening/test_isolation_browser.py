"""Two people at once in two real browser contexts (Chromium): neither ever sees the other's
records, filters or form contents; afterwards no log, URL, cookie or page holds a token or a
password, and every private file is mode 600.

The app runs as users start it (``streamlit run app.py``, bundled backend) with DEBUG logging
on every logger, so the log check also covers urllib3's and stemgui's debug lines.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest
import yaml

from stemgui.auth import UserStore
from stemgui.backend import API_USERS_FILE
from stemgui.client import BrainstemClient
from tests.browser import click, fill, idle, launch_chromium, log_in, needs_chromium, running_app

pytestmark = pytest.mark.browser
PASSWORDS = {"alice": "alice-Pa55word-long", "bob": "bob-Pa55word-longer"}


@pytest.fixture
def app_two_users(tmp_path):
    """The app with two editors, DEBUG logging on every logger (so the log check sees debug lines)."""
    data_dir = tmp_path / "data"
    store = UserStore(data_dir)
    store.bootstrap()
    for name, password in PASSWORDS.items():
        store.add_user(name, password, "editor", name=name.title())
    log_path = tmp_path / "streamlit.log"
    with running_app(data_dir, log_path, debug_logging=True) as url:
        yield url, data_dir, log_path


def _login(page, url: str, username: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    log_in(page, username, PASSWORDS[username])
    expect(page.get_by_text(re.compile(r"sessions? shown")).first).to_be_visible()  # a rerun may show two


def _private_session(data_dir: Path, backend_url: str, username: str) -> dict:
    """A project only ``username`` belongs to, with one session, made over the API as them."""
    token = yaml.safe_load((data_dir / API_USERS_FILE).read_text())[username]["token"]
    with BrainstemClient(backend_url, token) as client:
        project = client.save_model("project", data={"name": f"{username} private {os.getpid()}"})["project"]
        name = f"SECRET {username} {os.getpid()}"
        return client.save_model("session", data={"name": name, "projects": [project["id"]]})["session"]


def _search(page, text: str) -> None:
    box = page.get_by_role("textbox", name="Search name or description", exact=True)
    fill(page, box, text, commit="Enter")


@needs_chromium
def test_two_users_at_once_never_see_each_other(app_two_users):
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=60_000)
    url, data_dir, log_path = app_two_users
    with sync_playwright() as p:
        browser = launch_chromium(p)
        alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
        alice, bob = alice_ctx.new_page(), bob_ctx.new_page()
        for page in (alice, bob):
            page.set_default_timeout(60_000)
        _login(alice, url, "alice")
        _login(bob, url, "bob")
        backend_url = "http://{}/".format(next(  # the sidebar shows the bundled server's host:port as text
            line.split("Backend: the bundled server · ")[1].strip()
            for line in alice.locator("[data-testid='stSidebar']").inner_text().splitlines()
            if "Backend: the bundled server · " in line
        ))
        secrets = {who: _private_session(data_dir, backend_url, who) for who in PASSWORDS}

        # both search at the same time; each sees exactly their own private session
        _search(alice, "SECRET")
        _search(bob, "SECRET")
        for page, me, other in ((alice, "alice", "bob"), (bob, "bob", "alice")):
            expect(page.get_by_text(re.compile(r"^1 sessions? shown$")).first).to_be_visible()
            idle(page)
            grid = page.locator("[data-testid='stDataFrame']").first
            expect(grid.get_by_text(secrets[me]["name"], exact=True)).to_be_attached()
            assert secrets[other]["name"] not in page.content()

        # alice types a draft; bob's form is empty and his page never shows her words
        click(alice, alice.get_by_role("button", name="New session", exact=True))
        fill(alice, alice.get_by_role("textbox", name="Name *", exact=True), "alice draft words")
        fill(alice, alice.get_by_role("textbox", name="Description", exact=True), "alice private notes")
        _search(bob, "draft")
        expect(bob.get_by_text(re.compile(r"^0 sessions? shown$")).first).to_be_visible()
        click(bob, bob.get_by_role("button", name="New session", exact=True))
        idle(bob)
        expect(bob.get_by_role("textbox", name="Name *", exact=True)).to_have_value("")
        expect(bob.get_by_role("textbox", name="Description", exact=True)).to_have_value("")
        for words in ("alice draft words", "alice private notes", "SECRET alice"):
            assert words not in bob.content()
        expect(alice.get_by_role("textbox", name="Name *", exact=True)).to_have_value("alice draft words")

        # bob follows a link to alice's session: not found, nothing of it shown
        bob.goto(url + f"?session={secrets['alice']['id']}")
        expect(bob.get_by_text(re.compile("does not exist")).first).to_be_visible()
        idle(bob)
        assert secrets["alice"]["name"] not in bob.content()

        tokens = [
            account["token"] for account in yaml.safe_load((data_dir / API_USERS_FILE).read_text()).values()
        ]
        api_passwords = [
            a["password"] for a in yaml.safe_load((data_dir / API_USERS_FILE).read_text()).values()
        ]
        secrets_text = tokens + api_passwords + list(PASSWORDS.values())
        for page, ctx in ((alice, alice_ctx), (bob, bob_ctx)):
            seen = page.url + page.content() + str(ctx.cookies())
            assert not any(secret in seen for secret in secrets_text)
        browser.close()

    logs = log_path.read_text(errors="replace") + (data_dir / "bundled-server.log").read_text(
        errors="replace"
    )
    assert "DEBUG" in logs  # the check below looked at debug output
    assert not [secret for secret in secrets_text if secret in logs]
    for name in ("auth.yaml", API_USERS_FILE, "initial-admin-password.txt"):
        assert stat.S_IMODE((data_dir / name).stat().st_mode) == 0o600, name
    for path in (data_dir / "outbox").glob("*") if (data_dir / "outbox").exists() else ():
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
