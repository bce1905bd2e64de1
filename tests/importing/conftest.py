"""The import tests' own bundled server (a real SQLite file): the interrupted-commit test stops and
restarts it, and its brain regions (CA1, CA3, MS) must be the only ones with those acronyms."""

from __future__ import annotations

import pytest

from tests.importing.lab import ImportLab, make_lab
from tests.serverproc import ServerProcess


@pytest.fixture(scope="module")
def import_server(tmp_path_factory):
    data_dir = tmp_path_factory.mktemp("import-server")
    proc = ServerProcess(f"sqlite:///{data_dir / 'import.sqlite'}", data_dir).start()
    yield proc
    proc.stop()


@pytest.fixture(scope="module")
def lab(import_server, tmp_path_factory) -> ImportLab:
    made = make_lab(import_server, tmp_path_factory.mktemp("import-outbox"))
    yield made
    made.client.close()
