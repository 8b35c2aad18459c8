"""Big buffers go back to the system as soon as they are freed (glibc).

A big answer passes through several buffers of its size: the bytes received, its text
while it is read, and in the in-app demo the copies its backend reads and sends. glibc
gives a block above a threshold a mapping of its own, returned to the system when freed;
but each time such a block is freed it raises the threshold to that block's size (up to
32 MB), so after the first big answer the next ones come from the heap, and once freed
their memory stays with the process: the window grows by tens of megabytes an answer.
Fixed at 1 MB, the threshold no longer moves, and a freed answer's buffers are returned.

Smaller blocks come from the heap, and glibc gives back only the free memory at its top:
after a long log or a big answer is let go, the free blocks below what is still in use
stay with the process (4-8 MB after a 100,000-line log). :func:`trim_heap` returns them
(``malloc_trim``), and :func:`trim_heap_soon` has it done on a worker thread a moment
after such a let-go, so the window's thread never waits for it (it takes ~1 ms on the
window's heap). Elsewhere (macOS, Windows, a libc without these) all this does nothing.
"""

from __future__ import annotations

import _thread
import ctypes
import functools
import sys
import threading
import time
from typing import Any, Final

__all__ = ["BIG_BUFFER_BYTES", "TRIM_DELAY_S", "return_big_buffers", "trim_heap", "trim_heap_soon"]

BIG_BUFFER_BYTES: Final = 1 << 20
_M_MMAP_THRESHOLD: Final = -3  # glibc's malloc.h
TRIM_DELAY_S: Final = 0.5  # a trim waits this long after the last request for one


def _glibc(name: str) -> Any:
    """A glibc function, or None (not Linux, or another libc)."""
    if not sys.platform.startswith("linux"):
        return None
    return _libc_function(name)


@functools.cache
def _libc_function(name: str) -> Any:
    """Looked up once (a trim is asked for from the window's thread)."""
    try:
        return getattr(ctypes.CDLL(None), name)
    except (OSError, AttributeError):  # not glibc
        return None


def return_big_buffers(threshold: int = BIG_BUFFER_BYTES) -> bool:
    """Have blocks of ``threshold`` bytes or more mapped apart (see the module doc);
    whether the allocator took the setting."""
    mallopt = _glibc("mallopt")
    if mallopt is None:
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))


def trim_heap() -> bool:
    """Return the heap's free memory to the system now (``malloc_trim(0)``); whether
    the allocator could. (The call lets other threads run Python meanwhile.)"""
    malloc_trim = _glibc("malloc_trim")
    if malloc_trim is None:
        return False
    malloc_trim.argtypes = [ctypes.c_size_t]
    malloc_trim.restype = ctypes.c_int
    malloc_trim(0)
    return True


_wanted = threading.Event()
_trimmer_lock = threading.Lock()
_trimmer_started = False


def trim_heap_soon() -> bool:
    """Have :func:`trim_heap` run on a worker thread once no request came for
    :data:`TRIM_DELAY_S` (a let-go in progress has ended by then; requests meanwhile are
    one trim); whether this allocator can be trimmed at all."""
    global _trimmer_started
    if _glibc("malloc_trim") is None:
        return False
    with _trimmer_lock:
        if not _trimmer_started:
            _trimmer_started = True
            # (not threading.Thread.start(): it waits for the new thread to run, which on
            # a busy machine held the window's thread for milliseconds; like a daemon
            # thread, this one ends with the process)
            _thread.start_new_thread(_trim_when_asked, ())
    _wanted.set()
    return True


def _trim_when_asked() -> None:
    threading.current_thread().name = "heap-trimmer"
    while True:
        _wanted.wait()
        while _wanted.is_set():  # until a whole delay went by without a request
            _wanted.clear()
            time.sleep(TRIM_DELAY_S)
        try:
            trim_heap()
        except Exception:  # noqa: BLE001 - giving memory back must never break anything
            pass
