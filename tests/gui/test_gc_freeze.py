"""Issue 17: the app process freezes its lifelong objects once, after garbage is collected.

Run in a fresh interpreter: freezing is once per process, and this one (pytest's) may have done
it already through an AppTest of app.py.
"""

import subprocess
import sys
import textwrap

_SCRIPT = textwrap.dedent(
    """
    import gc, weakref
    from stemgui.gui import gc_freeze

    class Node:
        pass

    kept = [object() for _ in range(10)]
    cycle = Node(); cycle.me = cycle  # garbage only the cyclic collector can free
    gone = weakref.ref(cycle)
    del cycle
    assert gc.get_freeze_count() == 0
    first = gc_freeze.freeze_once()
    frozen = gc.get_freeze_count()
    second = gc_freeze.freeze_once()
    print(first, second, frozen > 1000, gc.get_freeze_count() == frozen, gone() is None)
    """
)


def test_the_first_call_collects_then_freezes_and_later_calls_do_nothing():
    command = [sys.executable, "-c", _SCRIPT]
    answer = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    first, second, froze_many, unchanged, cycle_freed = answer.stdout.split()
    assert (first, second) == ("True", "False")
    assert froze_many == unchanged == "True"
    assert cycle_freed == "True"  # today's garbage was collected, not frozen for good
