"""Running and releasing the qasync event loop safely.

Two hazards of qasync (0.28), both met in practice:

* **A loop freed off the GUI thread crashes later.** The loop schedules callbacks on a
  parentless ``QObject`` timer (``loop._timer``) and signals ``call_soon_threadsafe``
  through another (the "signaller"). ``close()`` only flags the timer as stopped: its Qt
  timers stay registered. The loop sits in reference cycles, so it is freed by whichever
  thread next runs a garbage collection -- a worker or server thread. Qt cannot stop the
  timers from there ("Timers cannot be stopped from another thread") and later delivers
  a timer event to freed memory: a segfault. :func:`release_loop` deletes both objects
  on the GUI thread when the loop closes, so nothing Qt-owned is left for a stray
  collection to free.
* **Qt may end its event loop before our coroutine is done.** ``run_until_complete``
  raises "Event loop stopped before Future completed" when ``QApplication.quit()`` runs
  (last window closed, a session manager's logout). :func:`run_to_end` runs the loop
  again until the coroutine has finished its cleanup.
"""

from __future__ import annotations

import contextlib
from collections.abc import Coroutine
from typing import Any, TypeVar

T = TypeVar("T")

__all__ = ["release_loop", "run_to_end"]

# The signaller's attribute, name-mangled by qasync's private class ``_QEventLoop``.
_SIGNALLER = "_QEventLoop__call_soon_signaller"


def run_to_end(loop: Any, coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` on the qasync ``loop`` to its end, even if Qt's loop is quit under it."""
    task = loop.create_task(coro)
    task.add_done_callback(lambda _task: loop.stop())
    while not task.done():
        loop.run_forever()  # returns when something quits Qt's loop; go on until done
    return task.result()  # type: ignore[no-any-return]


def release_loop(loop: Any) -> None:
    """Close ``loop`` and delete its Qt objects here, on the GUI thread (see module docs).

    Call it where the loop was made, after it stopped running; calling it twice is harmless.
    """
    from shiboken6 import Shiboken

    if not loop.is_closed():
        loop.close()
    for name in ("_timer", _SIGNALLER):
        obj = getattr(loop, name, None)
        if obj is not None and Shiboken.isValid(obj):
            with contextlib.suppress(RuntimeError):
                obj.blockSignals(True)
            Shiboken.delete(obj)  # its destructor unregisters its timers, on this thread
