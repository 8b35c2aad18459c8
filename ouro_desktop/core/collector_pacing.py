"""Full garbage collections spaced out while a long job (a folder batch) runs.

CPython starts a full (generation 2) collection after every 10 collections of generation
1, once the objects promoted since the last one are a quarter of those that survived it.
It walks every tracked object that was not frozen at start-up, holding the interpreter
all along, in whichever thread happened to allocate: during a batch of 1,000 files
(``benchmarks/batch.py``) there were 5-8 of them, 10-60 ms each, and the window stalled
for each, whatever thread ran it. A batch makes few reference cycles (its records, rows
and answers are freed by reference counting as soon as they are dropped), so while one
runs the threshold of generation 2 is raised: a full collection comes ~10 times more
rarely. The younger generations are collected as usual, and the old threshold comes back
when the last job inside ends (nested uses share it).
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

__all__ = ["FULL_EVERY", "full_collections_spaced"]

FULL_EVERY = 100  # generation-1 collections between full ones while inside (CPython: 10)

_lock = threading.Lock()
_users = 0
_saved = 10


@contextlib.contextmanager
def full_collections_spaced(every: int = FULL_EVERY) -> Iterator[None]:
    """While inside, a full collection follows ``every`` collections of generation 1 at
    the earliest (never sooner than it would otherwise)."""
    global _users, _saved
    with _lock:
        if _users == 0:
            first, second, third = gc.get_threshold()
            _saved = third
            gc.set_threshold(first, second, max(third, every))
        _users += 1
    try:
        yield
    finally:
        with _lock:
            _users -= 1
            if _users == 0:
                first, second, _third = gc.get_threshold()
                gc.set_threshold(first, second, _saved)
