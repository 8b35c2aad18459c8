"""Running blocking work (file checks, hashing, CIF parsing) off the event loop."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


async def off_thread(func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``func`` in the loop's default executor and wait for it.

    Unlike ``asyncio.to_thread`` it takes the loop from the thread, not from "the running
    loop", which qasync does not always report while it resumes a task from a Qt event.
    """
    loop = asyncio.get_event_loop()
    return await loop.run_in_executor(None, functools.partial(func, *args, **kwargs))
