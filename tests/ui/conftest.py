"""UI test fixtures: a qasync event loop on pytest-qt's QApplication.

Widgets stay synchronous; controllers are driven through ``aio.run(coro)``, which runs the
Qt event loop (and with it every pending async slot) until the coroutine finishes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, TypeVar

import pytest
import qasync

T = TypeVar("T")


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


@pytest.fixture
def aio(qapp: Any) -> Iterator[AsyncRunner]:
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    runner = AsyncRunner(loop)
    try:
        yield runner
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        asyncio.set_event_loop(None)
        loop.close()
