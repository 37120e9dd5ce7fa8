"""Python's cyclic garbage collector, paused while a bulk load builds many objects.

Loading the KPI facts makes some 150,000 tuples and dicts. Each 700 new objects start a
collection, and the older generations — the whole loaded catalogue — are walked again
and again: about a quarter of the load's time, for nothing, since these objects hold no
cycles (reference counting frees them). Pausing the collector for the load is safe: it
only delays the collection of cycles made elsewhere in the process meanwhile.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_paused = {"depth": 0, "was_enabled": True}  # over the threads of a process


@contextmanager
def gc_paused() -> Iterator[None]:
    """The collector off inside the block; on again when the last such block (in any
    thread) ends, unless it was off before the first began."""
    with _lock:
        if _paused["depth"] == 0:
            _paused["was_enabled"] = gc.isenabled()
            gc.disable()
        _paused["depth"] += 1
    try:
        yield
    finally:
        with _lock:
            _paused["depth"] -= 1
            if _paused["depth"] == 0 and _paused["was_enabled"]:
                gc.enable()
