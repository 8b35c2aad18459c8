"""The cyclic garbage collector paused while a request builds and drops many objects.

The demo backend shares the window's process: a full collection set off by its
allocations walks every object in the process while holding the interpreter, so the
window stalls for it (a catalogue search decodes every route row: ~100-160 ms full
collections with 5,000 routes) even though the demo runs on its own thread. Decoded JSON
has no reference cycles, so reference counting frees it; pausing the collector over its
short life loses nothing.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["collector_paused"]


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection inside the block (it was off already: it stays off)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
