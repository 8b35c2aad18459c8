"""The UI tests' qasync loop: made and ended the same way by the ``aio`` fixture and by the
test that proves its teardown leaves nothing for another thread to free."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import qasync

from ouro_desktop.ui.common.qt_loop import release_loop

T = TypeVar("T")


class AlwaysRunningLoop(qasync.QEventLoop):  # type: ignore[misc]
    """In the app the loop never stops. Here it stops after each ``run``, yet Qt keeps
    processing events (qasync's own last pass, widget teardown), and qasync resumes tasks
    from those events: keep the loop reported as running, as it would be in the app."""

    def run_forever(self) -> Any:
        try:
            return super().run_forever()
        finally:
            asyncio.events._set_running_loop(self)


class AsyncRunner:
    def __init__(self, loop: qasync.QEventLoop) -> None:
        self.loop = loop

    def run(self, coro: Awaitable[T], timeout: float = 20.0) -> T:
        return self.loop.run_until_complete(asyncio.wait_for(coro, timeout))

    def wait_until(self, predicate: Callable[[], Any], timeout: float = 10.0) -> None:
        """Run the loop until ``predicate()`` is true (fails the test on timeout)."""

        async def poll() -> None:
            deadline = time.monotonic() + timeout
            while not predicate():
                if time.monotonic() > deadline:
                    raise AssertionError(f"condition not met within {timeout} s")
                await asyncio.sleep(0.01)

        self.run(poll(), timeout + 5)


def start_loop(qapp: Any) -> AsyncRunner:
    loop = AlwaysRunningLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    asyncio.events._set_running_loop(loop)
    return AsyncRunner(loop)


def end_loop(runner: AsyncRunner) -> None:
    """Cancel what is left, close the loop and free its Qt timers here, on the GUI thread.

    Without the last step each test's loop kept live Qt timers and was freed later by
    whichever thread ran a garbage collection (the loopback server's, an executor's);
    Qt then delivered a timer event to freed memory -- the suite's intermittent crash.
    """
    loop = runner.loop
    pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
    for task in pending:
        task.cancel()
    if pending:
        runner.run(asyncio.gather(*pending, return_exceptions=True))
    asyncio.events._set_running_loop(None)
    asyncio.set_event_loop(None)
    release_loop(loop)
