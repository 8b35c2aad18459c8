"""Warming the demo services' heavy libraries off the event loop before the first run.

The import runs in a worker thread: in the app the demo backend shares the window's loop,
and the same import there would freeze the window for its whole length.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

# What the demo services and their request validation import on first use: tens of
# milliseconds each (and ~6 MiB each, so not at start-up).
SERVICE_LIBRARIES = ("jsonschema", "gemmi")


async def import_service_libraries() -> None:
    """Import the services' libraries in a worker thread before the first run needs them.

    In the app the demo backend shares the window's event loop: the same import on the
    loop would freeze the window for its whole length, while in a worker thread the
    interpreter still switches back to the loop every few milliseconds.
    """
    missing = [name for name in SERVICE_LIBRARIES if name not in sys.modules]
    if missing:
        loop = asyncio.get_event_loop()  # qasync may not report a running loop here
        await loop.run_in_executor(None, lambda: [importlib.import_module(n) for n in missing])
