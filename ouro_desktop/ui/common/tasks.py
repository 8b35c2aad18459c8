"""Named background tasks on the qasync loop.

Starting a task under a name cancels the one already running under it (a new route
selection cancels the previous load), strong references keep tasks alive until they end,
and an unexpected failure is routed to ``sys.excepthook`` (the error dialog) instead of
vanishing with the task.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


async def off_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking work (file checks, hashing, CIF parsing) in the default executor.

    Unlike ``asyncio.to_thread`` it takes the loop from the thread, not from "the running
    loop", which qasync does not always report while it resumes a task from a Qt event.
    """
    loop = asyncio.get_event_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))


class TaskRunner:
    def __init__(self) -> None:
        self._named: dict[str, asyncio.Task[Any]] = {}
        self._all: set[asyncio.Task[Any]] = set()
        self._closed = False

    def run(self, name: str, coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any] | None:
        """Start ``coro`` as the task ``name``; None (and ``coro`` dropped) once closed."""
        if self._closed:
            # Shutting down: the widgets a late task would touch may already be gone.
            coro.close()
            return None
        previous = self._named.get(name)
        if previous is not None and not previous.done():
            previous.cancel()
        task = asyncio.get_event_loop().create_task(coro, name=name)
        self._named[name] = task
        self._all.add(task)
        task.add_done_callback(self._on_task_done)
        return task

    def cancel(self, name: str) -> None:
        """Stop the task ``name`` if it is running (what it worked for is gone)."""
        task = self._named.get(name)
        if task is not None and not task.done():
            task.cancel()

    def running(self, name: str) -> bool:
        task = self._named.get(name)
        return task is not None and not task.done()

    def _on_task_done(self, task: asyncio.Task[Any]) -> None:
        self._all.discard(task)
        if self._named.get(task.get_name()) is task:
            del self._named[task.get_name()]
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None:
            log.error("background task %s failed", task.get_name(), exc_info=exc)
            sys.excepthook(type(exc), exc, exc.__traceback__)

    async def aclose(self) -> None:
        """Cancel every task and wait for them; no new task starts after this."""
        self._closed = True
        while self._all:
            tasks = list(self._all)
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._all = {task for task in self._all if not task.done()}
