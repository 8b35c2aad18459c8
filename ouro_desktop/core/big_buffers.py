"""Big buffers go back to the system as soon as they are freed (glibc).

A big answer passes through several buffers of its size: the bytes received, its text
while it is read, and in the in-app demo the copies its backend reads and sends. glibc
gives a block above a threshold a mapping of its own, returned to the system when freed;
but each time such a block is freed it raises the threshold to that block's size (up to
32 MB), so after the first big answer the next ones come from the heap, and once freed
their memory stays with the process: the window grows by tens of megabytes an answer.
Fixed at 1 MB, the threshold no longer moves, and a freed answer's buffers are returned.
Elsewhere (macOS, Windows, a libc without ``mallopt``) this does nothing.
"""

from __future__ import annotations

import ctypes
import sys
from typing import Final

__all__ = ["BIG_BUFFER_BYTES", "return_big_buffers"]

BIG_BUFFER_BYTES: Final = 1 << 20
_M_MMAP_THRESHOLD: Final = -3  # glibc's malloc.h


def return_big_buffers(threshold: int = BIG_BUFFER_BYTES) -> bool:
    """Have blocks of ``threshold`` bytes or more mapped apart (see the module doc);
    whether the allocator took the setting."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, threshold))
