"""A list's ``count`` computed once per paging walk, not once per page.

Counting every readable match is most of a page's cost on a big table with permission checks
(an EXISTS per row). A walk through a list asks the same count on every page, so the first page
(``offset`` 0) always counts and keeps the figure; later pages of the same query (same caller,
same readable projects, same filters) reuse it for ``COUNT_SECONDS``. Any write through this
server process (every request that is not a GET/HEAD) starts a new generation, which drops every
kept count at once: within one process a count is never older than the last write. With several
server processes a write in another one is seen at the latest ``COUNT_SECONDS`` later on a page
after the first; the first page of a walk is always exact.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

COUNT_SECONDS = 10.0  # a walk of 100 pages on a far server takes a few seconds
MAX_KEPT = 512  # distinct queries kept (oldest dropped first)


class CountCache:
    """Counts by query key, valid while no write happened and for ``seconds``."""

    def __init__(self, seconds: float = COUNT_SECONDS, max_kept: int = MAX_KEPT) -> None:
        self.seconds = seconds
        self.max_kept = max_kept
        self._generation = 0
        self._kept: OrderedDict[Hashable, tuple[int, int, float]] = OrderedDict()
        self._lock = threading.Lock()

    def wrote(self) -> None:
        """A write happened: every kept count may be wrong now."""
        with self._lock:
            self._generation += 1
            self._kept.clear()

    def count(self, key: Hashable, first_page: bool, compute: Callable[[], int]) -> int:
        """The kept count of ``key`` on a later page, else ``compute()`` (kept for later pages)."""
        with self._lock:
            generation = self._generation
            kept = self._kept.get(key)
        if kept and not first_page and kept[1] == generation and time.monotonic() - kept[2] < self.seconds:
            return kept[0]
        value = compute()
        with self._lock:
            if generation == self._generation:  # no write finished while counting
                self._kept[key] = (value, generation, time.monotonic())
                self._kept.move_to_end(key)
                while len(self._kept) > self.max_kept:
                    self._kept.popitem(last=False)
        return value


def query_key(resource_name: str, portal: str, user_id: str | None, readable, params) -> tuple:
    """What a count depends on: the model, the caller and what they may read, and the filters
    (not limit, offset, sort or include)."""
    filters = tuple(sorted((k, v) for k, v in params.multi_items() if k.startswith("filter")))
    return resource_name, portal, user_id, readable, filters
