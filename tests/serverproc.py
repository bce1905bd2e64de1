"""Run the bundled API server as a real subprocess on loopback, for tests and benchmarks."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

from stemgui.backend import free_port, stop_process

REPO_ROOT = Path(__file__).resolve().parent.parent
_user_counter = itertools.count(1)


class ServerProcess:
    """``python -m stemgui.server serve`` on a free loopback port with its own database."""

    def __init__(self, db_url: str, data_dir: Path, port: int | None = None, workers: int = 1) -> None:
        self.db_url = db_url
        self.workers = workers
        self.data_dir = Path(data_dir)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}/"
        self.process: subprocess.Popen | None = None
        self.log_path = self.data_dir / f"server-{self.port}.log"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, "STEMGUI_DATA_DIR": str(self.data_dir), "PYTHONPATH": str(REPO_ROOT)}

    def cli(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """Run one ``python -m stemgui.server`` subcommand against this server's database."""
        command = [sys.executable, "-m", "stemgui.server", *args, "--db", self.db_url]
        return subprocess.run(
            command, cwd=REPO_ROOT, env=self.env, capture_output=True, text=True, check=check, timeout=120
        )

    def start(self, timeout: float = 30.0) -> ServerProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        command = [
            sys.executable, "-m", "stemgui.server", "serve",
            "--db", self.db_url, "--host", "127.0.0.1", "--port", str(self.port),
            *(["--workers", str(self.workers)] if self.workers != 1 else []),
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(command, cwd=REPO_ROOT, env=self.env, stdout=log, stderr=log)
        self.wait_until_responds(timeout)
        return self

    def wait_until_responds(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"server exited early:\n{self.log_path.read_text(errors='replace')}")
            try:
                requests.get(self.url + "api/public/stem/session/", timeout=1)
                return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not answer within {timeout}s:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        stop_process(self.process)

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def adduser(self, username: str, password: str, email: str | None = None, superuser: bool = False):
        args = ["adduser", username, "--email", email or f"{username}@example.org", "--password", password]
        return self.cli(*args, *(["--superuser"] if superuser else []))

    def token(self, username: str, password: str) -> str:
        response = requests.post(
            self.url + "api/token/", json={"username": username, "password": password}, timeout=10
        )
        response.raise_for_status()
        return response.json()["token"]

    def new_user(self, prefix: str = "user", superuser: bool = False) -> tuple[str, str]:
        """Create a unique user; returns (username, token). Email is <username>@example.org."""
        username = f"{prefix}{os.getpid()}x{next(_user_counter)}"
        password = f"pw-{username}-secret"
        self.adduser(username, password, superuser=superuser)
        return username, self.token(username, password)

    def headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}


def create_postgres_database(admin_url: str, prefix: str = "stemgui_t") -> str:
    """A fresh, empty database on the PostgreSQL server of ``admin_url``; returns its URL."""
    import sqlalchemy as sa

    name = f"{prefix}_{os.getpid()}_{next(_user_counter)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name
