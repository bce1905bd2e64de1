"""The data dir's small YAML files (``auth.yaml``, ``api-users.yaml``), read many times per run.

A Streamlit run reads them about 17 times (the login check, the role, the session version, the
API token, ...). Parsing with PyYAML's pure-Python loader costs 0.3-0.4 ms per user each time,
so with 150 users every run took ~1.5 s longer (bench/bench_many_users.py). The text is still
read each time, so a change made by another process (the CLI, another Streamlit process) is seen
at once; only parsing is skipped when the text is the same as a recent read. Callers get their
own copy, free to change.
"""

from __future__ import annotations

import copy
import functools
from pathlib import Path
from typing import Any

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when the wheel has it


def read_yaml(path: Path) -> Any:
    """``path`` parsed (safe YAML); FileNotFoundError when it is missing."""
    return copy.deepcopy(_parsed(path.read_text("utf-8")))


@functools.lru_cache(maxsize=8)
def _parsed(text: str) -> Any:
    return yaml.load(text, Loader=_LOADER)  # a safe loader: plain data only
