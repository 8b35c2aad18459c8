"""Warming the demo services' heavy libraries off the event loop before the first run.

The import runs in a worker thread: in the app the demo backend shares the window's loop,
and the same import there would freeze the window for its whole length. Their compiled
parts are read first (:func:`ouro_desktop.lazy.read_compiled_parts`): loading a compiled
module holds the interpreter lock, so a disk read inside it froze the window even from the
worker (150-480 ms for gemmi's 6.6 MB once the system had dropped it from its cache).
In the app it starts as soon as the in-process demo is built (:mod:`.in_process`), not at
the first run: even in a worker the import shares the interpreter with the window's
thread, which should not be while the window follows the run just started.
"""

from __future__ import annotations

import asyncio
import importlib
import sys

from ouro_desktop.lazy import read_compiled_parts

# What the demo services and their request validation import on first use: tens of
# milliseconds each (and ~6 MiB each, so not at the app's start-up: once the demo opens).
SERVICE_LIBRARIES = ("jsonschema", "gemmi")
# The modules with compiled parts each of them loads (jsonschema's through referencing).
COMPILED_PARTS = {"jsonschema": ("rpds",), "gemmi": ("gemmi",)}


def _warm(names: list[str]) -> None:
    """In the worker: read the compiled parts not loaded yet, then import."""
    parts = [p for n in names for p in COMPILED_PARTS.get(n, (n,)) if p not in sys.modules]
    read_compiled_parts(parts)
    for name in names:
        importlib.import_module(name)


async def import_service_libraries() -> None:
    """Import the services' libraries in a worker thread before the first run needs them.

    In the app the demo backend shares the window's event loop: the same import on the
    loop would freeze the window for its whole length, while in a worker thread the
    interpreter still switches back to the loop every few milliseconds (except inside
    the load of a compiled module: hence its file is read beforehand).
    """
    missing = [name for name in SERVICE_LIBRARIES if name not in sys.modules]
    if missing:
        loop = asyncio.get_event_loop()  # qasync may not report a running loop here
        await loop.run_in_executor(None, _warm, missing)
