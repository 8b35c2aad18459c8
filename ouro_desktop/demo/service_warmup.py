"""Warming the demo services' heavy libraries off the event loop before the first run.

The import runs in a worker thread, never on an event loop, and in the app as soon as the
in-process demo is built (:mod:`.in_process`), not at the first run: a worker importing
them still shares the interpreter with the window's thread, which should not be at the
moment the window follows the run just started.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

# What the demo services and their request validation import on first use: tens of
# milliseconds each (and ~6 MiB each, so not at the app's start-up: once the demo opens).
SERVICE_LIBRARIES = ("jsonschema", "gemmi")


async def import_service_libraries() -> None:
    """Import the services' libraries in a worker thread before the first run needs them.

    On the demo's loop the import would hold up every request for its whole length; in a
    worker thread the interpreter still switches back to the loops (and to the window's
    thread) every fraction of a millisecond.
    """
    missing = [name for name in SERVICE_LIBRARIES if name not in sys.modules]
    if missing:
        loop = asyncio.get_event_loop()  # qasync may not report a running loop here
        await loop.run_in_executor(None, lambda: [importlib.import_module(n) for n in missing])
