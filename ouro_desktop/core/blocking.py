"""Running blocking work (file checks, hashing, CIF parsing) off the event loop, and keeping
the loop responsive while worker threads are busy (:func:`responsive_switching`)."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

T = TypeVar("T")


async def off_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func`` in the loop's default executor and wait for it.

    Unlike ``asyncio.to_thread`` it takes the loop from the thread, not from "the running
    loop", which qasync does not always report while it resumes a task from a Qt event.
    """
    loop = asyncio.get_event_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


# How often a thread holding the GIL is asked to hand it over while long CPU-bound work
# runs in worker threads. Python's default (5 ms) lets each busy thread keep the UI thread
# waiting up to 5 ms every time it needs the GIL back, which adds up to 60-90 ms stalls
# while a big table is read and uploaded; 0.5 ms keeps them under ~25 ms at the same
# throughput (benchmarks/dataset_drop_stalls.py --switch-ms).
FAST_SWITCH_S = 0.0005
_switch_lock = threading.Lock()
_switch_users = 0
_switch_saved = 0.0


@contextlib.contextmanager
def responsive_switching(interval_s: float = FAST_SWITCH_S) -> Iterator[None]:
    """While inside, threads hand the GIL over every ``interval_s`` (nested uses share it;
    the previous interval comes back when the last one ends)."""
    global _switch_users, _switch_saved
    with _switch_lock:
        if _switch_users == 0:
            _switch_saved = sys.getswitchinterval()
            sys.setswitchinterval(min(_switch_saved, interval_s))
        _switch_users += 1
    try:
        yield
    finally:
        with _switch_lock:
            _switch_users -= 1
            if _switch_users == 0:
                sys.setswitchinterval(_switch_saved)
