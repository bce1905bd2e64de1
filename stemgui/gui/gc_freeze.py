"""Keep the app process's lifelong objects out of Python's full garbage collections (issue 17).

Python's cyclic collector walks every object it tracks on each full ("generation 2")
collection. In the Streamlit process most of them are the imported modules' functions, classes
and tables (Streamlit, pandas, pyarrow, pydantic, ours: ~185,000 objects), which are never
garbage. Walking them took 95–114 ms, one full collection every 10–40 s of use, and
the click it landed on waited that long. Once the first logged-in page has run (its modules
imported), they are moved out of the collector's way with ``gc.freeze()``: full collections
then walk only what came later (5–12 ms; README, Benchmarks).

Frozen objects are still freed when nothing refers to them; only a reference cycle among them
would never be collected. Freezing once, after the first run, limits that to what that one
run kept (its user's lookups and first page), not the records later users load.
"""

from __future__ import annotations

import gc
import threading

_lock = threading.Lock()
_done = False


def freeze_once() -> bool:
    """Collect once, then freeze what is left; True on the call that did it, False after."""
    global _done
    with _lock:
        if _done:
            return False
        _done = True
    gc.collect()  # today's garbage is freed, not frozen
    gc.freeze()
    return True
