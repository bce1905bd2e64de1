"""`make run` starts the app on the port the user asked for, by either of the two usual ways."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest
import requests

from stemgui.backend import free_port
from tests.serverproc import REPO_ROOT


def _started_on(port: int, proc: subprocess.Popen, timeout: float = 90) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if requests.get(f"http://127.0.0.1:{port}/_stcore/health", timeout=1).text == "ok":
                return True
        except requests.RequestException:
            time.sleep(0.3)
    return False


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.parametrize("how", ["STREAMLIT_SERVER_PORT", "make PORT="])
def test_make_run_honours_the_port_setting(how, tmp_path):
    """Issue 10 item 3: `STREAMLIT_SERVER_PORT=N make run` and `make run PORT=N` both serve on N."""
    port = free_port()
    # no MAKEFLAGS: under `make test PORT=...` the outer make would hand its PORT down
    unset = ("STEMGUI_API_URL", "PORT", "STREAMLIT_SERVER_PORT", "MAKEFLAGS", "MFLAGS", "MAKELEVEL")
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(STEMGUI_DATA_DIR=str(tmp_path / "data"), STEMGUI_LOGIN_SLEEP="0",
               STREAMLIT_SERVER_HEADLESS="true", STREAMLIT_BROWSER_GATHER_USAGE_STATS="false")
    # -o: treat the venv as set up (it is; the shared .venv's stamp may predate this checkout).
    command = ["make", "--no-print-directory", "-o", ".venv/.runtime-installed", "run"]
    if how == "STREAMLIT_SERVER_PORT":
        env["STREAMLIT_SERVER_PORT"] = str(port)
    else:
        command.append(f"PORT={port}")
    log = tmp_path / "make-run.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # its own group: make and streamlit stop together
    try:
        assert _started_on(port, proc), log.read_text(errors="replace")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
