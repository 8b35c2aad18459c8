"""Letting go of a big answer without freezing the window.

Freeing a parsed answer of tens of megabytes is one C-level walk -- every dict and number
of it released -- that holds the interpreter lock throughout: 50-100 ms for 45 MB, on
whichever thread drops the last reference, usually the window's (a history reload
replacing the runs it cached, the detail moving to another run). :func:`let_go` hands
such a value to a worker thread instead, which empties its long lists and objects a
slice at a time and pauses between slices, so the window's thread gets the lock at once.

Only what nothing else can reach is taken apart. A parsed JSON answer is a tree: each
part has one parent. A container is emptied only when its reference count shows that
just its parent (and the worker's own names for it) hold it; a value still shown
somewhere, or a part of it kept elsewhere, is left whole and lives on with its holders.
An object (an :class:`~ouro_desktop.api.models.Action`) is taken apart through its
attributes; links between them (an action's raw document holds its response) are cut
first, so each is held once.

Callers hand over their reference without keeping a name bound to it
(``let_go(self._cache.pop(key, None))``): a name still bound when the worker looks makes
the value look shared, and it is then just dropped.
"""

from __future__ import annotations

import _thread
import queue
import sys
import threading
import time
import weakref
from typing import Any, Final

from ouro_desktop.core.big_buffers import trim_heap_soon

__all__ = ["SLICE", "let_go", "replace_in", "wait_idle"]

SLICE: Final = 2048  # members released per step (well under a millisecond of work)
SMALL: Final = 64  # containers this short are released whole with their parent's slice
BREATH_S: Final = 0.0002  # the worker's pause after each slice
SETTLE_S: Final = 0.05  # the worker waits this long for callers' names to go out of scope

_inbox: queue.SimpleQueue[Any] = queue.SimpleQueue()
_started = False  # the worker runs (it never ends: a failure is caught per value)
_lock = threading.Lock()
_pending = 0  # values handed over and not yet released


def let_go(value: Any) -> None:
    """Release ``value`` in a worker thread, a slice at a time (see the module doc)."""
    if value is None or isinstance(value, str | bytes | int | float | bool):
        return
    global _pending, _started
    with _lock:
        _pending += 1
        _inbox.put(value)
        if not _started:
            _started = True
            # Not threading.Thread.start(): it waits until the new thread has run, which
            # on a busy machine held the caller (the window's thread) for 5-15 ms. Like a
            # daemon thread, this one ends with the process.
            _thread.start_new_thread(_work, ())


def replace_in(cache: dict[Any, Any], key: Any, value: Any) -> None:
    """``cache[key] = value``; the value it replaces (a run's big answer) is let go of."""
    old = cache.get(key)
    cache[key] = value
    if old is not value:
        let_go(old)  # `old` goes with this frame, well before the worker looks


def wait_idle(timeout: float = 10.0) -> bool:
    """Wait until everything handed over has been released (for tests)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with _lock:
            if _pending == 0:
                return True
        time.sleep(0.01)
    return False


def _work() -> None:
    global _pending
    threading.current_thread().name = "letting-go"
    while True:
        first = _inbox.get()
        time.sleep(SETTLE_S)
        batch = {id(first): first}
        taken = 1
        del first
        while True:  # the same value handed over twice is one value
            try:
                more = _inbox.get_nowait()
            except queue.Empty:
                break
            taken += 1
            batch.setdefault(id(more), more)
            del more
        values = list(batch.values())
        batch.clear()
        released = False
        while values:
            value = values.pop()
            try:
                # held by: `value`, and getrefcount's own argument
                if sys.getrefcount(value) <= 2:
                    _take_apart(value)
                    released = True
            except Exception:  # noqa: BLE001 - releasing must never break anything
                pass
            del value
        if released:  # (what the heap kept of it goes back to the system, a moment later)
            trim_heap_soon()
        with _lock:
            _pending -= taken


def _pause() -> None:
    time.sleep(BREATH_S)


def _is_container(value: Any) -> bool:
    return type(value) in (dict, list)


def _take_apart(value: Any) -> None:
    """Empty ``value``, which only the caller's one name holds."""
    if _is_container(value):
        _empty(value, holders=2)  # the caller's name and this one
        return
    attributes = getattr(value, "__dict__", None)
    if not isinstance(attributes, dict) or weakref.getweakrefcount(value):
        return  # (a weak reference could hand the object out again while it is taken apart)
    parts = [p for p in attributes.values() if _is_container(p)]
    attributes.clear()  # the object is ours alone and about to go: its parts are freed below
    ids = {id(p) for p in parts}
    part: Any = None
    for part in parts:  # cut links between parts: each is then held once, by `parts`
        if type(part) is dict and sys.getrefcount(part) <= 3:  # parts, `part`, the argument
            for key in [k for k, v in part.items() if id(v) in ids]:
                part[key] = None
    del part
    while parts:
        part = parts.pop()
        _empty(part, holders=1)
        del part


def _empty(node: dict[Any, Any] | list[Any], holders: int) -> None:
    """Empty ``node`` a slice at a time if only ``holders`` names hold it (besides this
    call's own), taking apart its long children first in the same way."""
    if sys.getrefcount(node) - 2 > holders:  # this call's name and getrefcount's argument
        return  # held elsewhere too: leave it whole
    if type(node) is list:
        while node:
            end = len(node)
            start = max(0, end - SLICE)
            for i in range(start, end):
                child = node[i]
                if _is_container(child) and len(child) > SMALL:
                    _empty(child, holders=2)  # the list and `child`
                child = None
            del node[start:end]
            _pause()
        return
    assert type(node) is dict
    keys = list(node)
    for done, key in enumerate(keys, 1):
        child = node[key]
        if _is_container(child) and len(child) > SMALL:
            _empty(child, holders=2)  # the dict and `child`
        child = None
        if done % SLICE == 0:
            _pause()
    while keys:
        for key in keys[-SLICE:]:
            node.pop(key, None)
        del keys[-SLICE:]
        _pause()
