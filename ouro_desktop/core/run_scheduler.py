"""The timing machinery under :class:`~ouro_desktop.core.runs.RunTracker`.

:class:`WatchScheduler` keeps the runs being followed (:class:`Watch`), sleeps until the
earliest one is due -- through the injected ``sleep``, so tests can run on a fake clock --
and hands every due, idle watch to a ``dispatch`` callback, which starts the requests as
tasks. Anything that changes the picture (a new watch, a finished request, a resume after
a pause) wakes it early. It also owns every background task: strong references in a set,
failures logged from the done-callback, all cancelled by :meth:`WatchScheduler.aclose`.

The loop runs only while there is something to watch and is started again on demand.
Part of ``ouro_desktop.core``: no Qt here.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from .ledger import RunRecord

__all__ = ["Watch", "WatchScheduler"]

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(eq=False)
class Watch:
    """One run being followed, and where it stands in its poll cadence."""

    record: RunRecord  # last known ledger row
    cap: float  # the longest wait between polls of this run
    action_id: str | None
    reconcile: bool  # True while looking for the action of an unknown submission
    due: float  # clock time of the next look
    base: float | None = None  # un-jittered step of the ramp; None before the first wait
    busy: bool = False  # a request about this run is queued or in flight
    listable: bool = True  # may be refreshed by the batched list (until it was missing)
    logs_seen: int = 0
    failures: int = 0  # consecutive failed looks
    warned: set[str] = field(default_factory=set)  # notices already given, by kind
    odd_since: float | None = None  # clock time a status this app can't read was first seen

    @property
    def local_id(self) -> str:
        return self.record.local_id


class WatchScheduler:
    """Wakes up when watched runs are due and passes them to ``dispatch``."""

    def __init__(
        self,
        dispatch: Callable[[list[Watch]], None],
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[Any]],
    ) -> None:
        self._dispatch = dispatch
        self._clock = clock
        self._sleep = sleep
        self.watches: dict[str, Watch] = {}
        self.paused = False
        self.closed = False
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()

    # ------------------------------------------------------------------ watches

    def add(self, watch: Watch) -> None:
        if self.closed:  # the run stays in the ledger; the next resume() follows it
            return
        self.watches[watch.local_id] = watch
        if self._loop_task is None or self._loop_task.done():
            self._loop_task = self.spawn(self._run(), "run-tracker scheduler")
        self.wake()

    def current(self, watch: Watch) -> bool:
        """Whether ``watch`` is still the one followed for its run (not dropped/replaced)."""
        return self.watches.get(watch.local_id) is watch

    def drop(self, watch: Watch) -> None:
        if self.current(watch):
            del self.watches[watch.local_id]
        self.wake()

    def release(self, watch: Watch) -> None:
        """The request about ``watch`` is over; it may be dispatched again when due."""
        watch.busy = False
        self.wake()

    def wake(self) -> None:
        self._wake.set()

    # ------------------------------------------------------------------ tasks

    def spawn(self, coro: Coroutine[Any, Any, T], name: str) -> asyncio.Task[T]:
        task = asyncio.get_running_loop().create_task(coro, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._task_done)
        return task

    def _task_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("run tracker task %s failed", task.get_name(), exc_info=exc)

    async def aclose(self) -> None:
        self.closed = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self.watches.clear()

    # ------------------------------------------------------------------ the loop

    async def _run(self) -> None:
        while not self.closed and self.watches:
            self._wake.clear()
            if self.paused:
                await self._wake.wait()
                continue
            now = self._clock()
            idle = [w for w in self.watches.values() if not w.busy]
            due = [w for w in idle if w.due <= now]
            if due:
                for watch in due:
                    watch.busy = True
                self._dispatch(due)
            elif idle:
                await self._wait(min(w.due for w in idle) - now)
            else:
                await self._wake.wait()

    async def _wait(self, seconds: float) -> None:
        """Sleep ``seconds`` (through the injected sleep) or until woken."""
        sleeper = asyncio.ensure_future(self._sleep(max(0.0, seconds)))
        waker = asyncio.ensure_future(self._wake.wait())
        try:
            await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (sleeper, waker):
                task.cancel()
            await asyncio.gather(sleeper, waker, return_exceptions=True)
