"""The bundled backend: start ``python -m stemgui.server serve`` once per process, and give
each GUI user a matching API user and token.

This is the only GUI module that touches ``stemgui.server`` (its admin API, no HTTP), and it
imports no Streamlit. Pages still reach the data over HTTP through ``stemgui.client``.
API passwords and tokens stay in ``<data dir>/api-users.yaml`` (mode 600); nobody sees them.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from stemgui.auth import has_role
from stemgui.client import BrainstemClient
from stemgui.errors import ApiConnectionError, StemGuiError
from stemgui.private_files import open_private_append, private_dir, write_private
from stemgui.yaml_files import read_yaml

log = logging.getLogger(__name__)

DB_FILE = "stemgui.sqlite"
API_USERS_FILE = "api-users.yaml"
DEMO_MARKER = "demo-loaded"
START_TIMEOUT = 60.0
REPO_ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen | None, timeout: float = 10) -> None:
    """Terminate ``process`` if it still runs; kill it if it lingers past ``timeout`` seconds."""
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@dataclass
class BundledServer:
    """One running bundled API server and the API users the GUI made on it."""

    data_dir: Path
    db_url: str
    url: str = ""
    process: subprocess.Popen | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def log_path(self) -> Path:
        return self.data_dir / "bundled-server.log"

    def start(self) -> BundledServer:
        """Start the subprocess on a free loopback port; load demo data on first start."""
        private_dir(self.data_dir)
        port = free_port()
        self.url = f"http://127.0.0.1:{port}/"
        command = [sys.executable, "-m", "stemgui.server", "serve",
                   "--db", self.db_url, "--host", "127.0.0.1", "--port", str(port)]  # fmt: skip
        env = {**os.environ, "STEMGUI_DATA_DIR": str(self.data_dir)}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        log_file = open_private_append(self.log_path)
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=log_file, stderr=log_file)
        log_file.close()
        try:
            self._wait_until_responds()
            self._load_demo_once()
        except BaseException:
            self.stop()  # never leave an orphan server behind a failed start
            raise
        return self

    def _load_demo_once(self) -> None:
        marker = self.data_dir / DEMO_MARKER
        if not marker.exists():  # first start; a marker, not the db file, so a failed load is retried
            from stemgui.server import admin

            admin.load_demo(self.db_url)
            write_private(marker, "The bundled server loaded its demo data into this data dir.\n")
            log.info("Loaded the demo data into %s", self.db_url)

    def _wait_until_responds(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        # the app's own client: a server on this machine is asked directly, never through the
        # environment's HTTP_PROXY (client._new_session)
        with BrainstemClient(self.url, attempts=1) as http:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise ApiConnectionError(
                        f"The bundled server stopped while starting; see {self.log_path} for why."
                    )
                if http.ping(timeout=1):
                    return
                time.sleep(0.1)
        raise ApiConnectionError(f"The bundled server did not start in time; see {self.log_path}.")

    def stop(self) -> None:
        """Stop the subprocess (terminate, then kill if it lingers)."""
        stop_process(self.process)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # -- API users ----------------------------------------------------------------------------
    def _accounts(self) -> dict:
        try:
            return read_yaml(self.data_dir / API_USERS_FILE) or {}
        except FileNotFoundError:
            return {}

    def _save_accounts(self, accounts: dict) -> None:
        write_private(self.data_dir / API_USERS_FILE, yaml.safe_dump(accounts, sort_keys=True))

    def token_for(self, username: str, role: str) -> str:
        """The API token of the GUI user ``username``; makes the API user on first use, and a new
        token when the kept one expired or was revoked (so the app keeps working unnoticed)."""
        from stemgui.server import admin

        with self.lock:
            account = self._accounts().get(username)
            if account and account.get("token") and account.get("role") == role:
                if admin.token_owner(self.db_url, account["token"]) == username:
                    return account["token"]
                log.info("The API token of %s expired or was revoked; issuing a new one.", username)
        return self.provision(username, role)

    def renew_token(self, username: str) -> None:
        """Revoke every API token of ``username`` and keep a new one (password changed or reset)."""
        from stemgui.server import admin

        with self.lock, _as_stemgui_error(admin.AdminError):
            accounts = self._accounts()
            account = accounts.get(username)
            if account is None:
                return  # no API user yet: the first token_for makes one
            admin.revoke_tokens(self.db_url, username)
            account["token"] = admin.issue_token(self.db_url, username)
            self._save_accounts(accounts)

    def provision(self, username: str, role: str) -> str:
        """Create/update the API user of a GUI user with the rights of ``role``; a fresh token."""
        from stemgui.server import admin

        with self.lock, _as_stemgui_error(admin.AdminError):
            accounts = self._accounts()
            account = accounts.get(username) or {"password": secrets.token_urlsafe(24)}
            admin.ensure_user(self.db_url, username, f"{username}@stemgui.local", account["password"])
            for project in demo_project_names():
                admin.add_member(
                    self.db_url, username, project,
                    can_change=has_role(role, "editor"), is_owner=has_role(role, "admin"),
                )  # fmt: skip
            account.update(token=admin.issue_token(self.db_url, username), role=role)
            accounts[username] = account
            self._save_accounts(accounts)
            return account["token"]

    def forget(self, username: str) -> None:
        """Delete the API user of a removed GUI user (its records stay in the projects)."""
        from stemgui.server import admin

        with self.lock, _as_stemgui_error(admin.AdminError):
            accounts = self._accounts()
            if accounts.pop(username, None) is not None:
                admin.delete_user(self.db_url, username)
                self._save_accounts(accounts)


@contextlib.contextmanager
def _as_stemgui_error(kind: type[Exception]) -> Iterator[None]:
    """The server's admin errors as the GUI's own, so pages show them as messages."""
    try:
        yield
    except kind as exc:
        raise StemGuiError(f"The bundled server could not set up API access: {exc}") from exc


def demo_project_names() -> list[str]:
    """Names of the projects the demo data creates (the GUI's users are members of these)."""
    from stemgui.server.demo_data import PROJECTS

    return [project["name"] for project in PROJECTS]


_servers: dict[Path, BundledServer] = {}
_servers_lock = threading.Lock()


def bundled_server(data_dir: Path) -> BundledServer:
    """The process-wide bundled server of ``data_dir``, started on first call."""
    data_dir = Path(data_dir).resolve()
    with _servers_lock:
        server = _servers.get(data_dir)
        if server is None or not server.is_running():
            if server is not None:
                log.warning("The bundled server had stopped; starting it again.")
            server = BundledServer(data_dir, f"sqlite:///{data_dir / DB_FILE}").start()
            _servers[data_dir] = server
            atexit.register(server.stop)
        return server


def prepare(data_dir: Path, users: dict[str, str]) -> None:
    """Before the app starts (``python -m stemgui.firstrun``): the bundled database with the demo
    lab, and API users with tokens for ``users`` (username -> role), so the first login waits for
    neither (issue 17: they were most of a fresh install's first login besides the server start)."""
    data_dir = Path(data_dir).resolve()
    private_dir(data_dir)
    server = BundledServer(data_dir, f"sqlite:///{data_dir / DB_FILE}")
    server._load_demo_once()
    for username, role in users.items():
        server.token_for(username, role)


def start_in_background(data_dir: Path) -> threading.Thread:
    """Start the bundled server of ``data_dir`` in a thread, so that it is up by the time the
    first user has typed their password (the login page need not wait for it)."""

    def start() -> None:
        try:
            bundled_server(data_dir)
        except StemGuiError as exc:  # the next bundled_server() call tries again and shows it
            log.warning("The bundled server did not start in the background: %s", exc.message)

    thread = threading.Thread(target=start, name="stemgui-bundled-server-start", daemon=True)
    thread.start()
    return thread


def stop_all() -> None:
    """Stop every bundled server this process started."""
    with _servers_lock:
        for server in _servers.values():
            server.stop()
        _servers.clear()
