"""Previewing a CIF without freezing the window: big files are parsed in another process.

gemmi holds the GIL while it parses (a 62 MB CIF: several seconds), so a worker *thread*
does not help -- the window's own thread cannot run Python meanwhile. Files from
:data:`SUBPROCESS_MIN_BYTES` up are previewed in a worker process (one, started on first
use with the ``spawn`` method, which also works in the frozen app as long as its entry
point calls ``multiprocessing.freeze_support()``); smaller ones, parsed in a few
milliseconds, in a thread as before. :func:`shutdown` ends the worker at once (quitting
must not wait for a preview nobody will see). Qt-free.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import threading
from concurrent.futures import BrokenExecutor, ProcessPoolExecutor
from pathlib import Path

from .blocking import off_thread
from .cif_preview import CifPreview, CifPreviewError, preview_cif

__all__ = ["SUBPROCESS_MIN_BYTES", "preview_cif_async", "preview_cif_blocking", "shutdown"]

SUBPROCESS_MIN_BYTES = 1024 * 1024

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None


def _warm() -> bool:
    """Run in the worker once: import gemmi there before the first file arrives."""
    import gemmi

    return bool(gemmi.cif)


def _executor() -> ProcessPoolExecutor:
    """The worker pool, its process started and warm (blocking: call it off the loop, as
    starting a process and pickling its start-up data would stall the window)."""
    global _pool
    with _lock:
        if _pool is None:
            pool = ProcessPoolExecutor(
                max_workers=1, mp_context=multiprocessing.get_context("spawn")
            )
            pool.submit(_warm).result()
            _pool = pool
        return _pool


async def preview_cif_async(path: Path, *, subprocess_min_bytes: int | None = None) -> CifPreview:
    """:func:`preview_cif` for ``path``, off the event loop and, for a big file, off the
    GIL. Raises :class:`CifPreviewError` like it."""
    limit = SUBPROCESS_MIN_BYTES if subprocess_min_bytes is None else subprocess_min_bytes
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0  # preview_cif says why it can't be read
    if size < limit:
        return await off_thread(preview_cif, path)
    loop = asyncio.get_event_loop()
    try:
        pool = await off_thread(_executor)
        return await loop.run_in_executor(pool, preview_cif, Path(path))
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise  # this preview was cancelled
        # The pool was shut down (quit) before the worker took the file.
        _forget_pool()
        raise CifPreviewError("The preview was stopped.") from None
    except BrokenExecutor:
        _forget_pool()
        raise CifPreviewError(
            "The preview could not be made (its helper process stopped); the file can "
            "still be uploaded."
        ) from None


def preview_cif_blocking(path: Path) -> CifPreview:
    """:func:`preview_cif` for ``path`` from a worker thread (it blocks): a big file is
    parsed in the worker process, so the window's thread is not kept from the GIL."""
    try:
        size = os.stat(path).st_size
    except OSError:
        size = 0
    if size < SUBPROCESS_MIN_BYTES:
        return preview_cif(path)
    try:
        return _executor().submit(preview_cif, Path(path)).result()
    except BrokenExecutor:
        _forget_pool()
        raise CifPreviewError(
            "The preview could not be made (its helper process stopped)."
        ) from None


def _forget_pool() -> None:
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """End the worker process now, even mid-preview (at quit); the next preview starts a
    new one."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is None:
        return
    # The executor would wait for a running preview; nobody will see it: stop the worker.
    for process in list(getattr(pool, "_processes", {}).values()):
        with contextlib.suppress(Exception):
            process.terminate()
    pool.shutdown(wait=True, cancel_futures=True)
