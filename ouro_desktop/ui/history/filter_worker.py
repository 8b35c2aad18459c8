"""Filtering a long runs list in a worker thread, so typing in the filter never waits for it.

The runs table's model hands a list longer than :data:`FILTER_IN_WORKER` rows to a
:class:`FilterWorker`: the worker filters a copy (the list may change meanwhile) and the
rows it picks come back through a queued signal on the model's thread, tagged with the
job and list version they answer so the model can drop a stale answer.
"""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from PySide6.QtCore import QObject, Signal

from ouro_desktop.ui.history.filter import KeyedRows, RunFilter

__all__ = ["FILTER_IN_WORKER", "FilterWorker"]

FILTER_IN_WORKER = 20_000  # rows above which a filter is worked out in a worker thread
_POOL: ThreadPoolExecutor | None = None


def _pool() -> ThreadPoolExecutor:
    # One thread for every model: filters are short and a newer one replaces an older.
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=1, thread_name_prefix="history-filter")
    return _POOL


class FilterWorker(QObject):
    """Works out the rows passing a filter off the window's thread.

    ``done`` carries ``(job, version, rows)`` to the thread this object lives in.
    """

    done = Signal(object)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._pending: Future[KeyedRows] | None = None  # the latest filter asked

    def submit(self, spec: RunFilter, source: KeyedRows, job: int, version: int) -> None:
        """Filter a copy of ``source`` by ``spec``; an older filter not started is dropped."""
        items, hays = list(source.items), list(source.hays)  # a copy: the list may change
        done_signal = self.done

        def finished(future: Future[KeyedRows]) -> None:  # in the worker thread
            if future.cancelled():
                return
            try:
                done_signal.emit((job, version, future.result()))
            except RuntimeError:  # the model is gone (the window closed meanwhile)
                pass

        if self._pending is not None:
            self._pending.cancel()
        self._pending = _pool().submit(spec.passing, items, hays)
        self._pending.add_done_callback(finished)
