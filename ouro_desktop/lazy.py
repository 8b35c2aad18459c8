"""Modules imported on first use, so start-up doesn't pay for what a session may never need.

``gemmi`` (CIF parsing) and ``jsonschema`` (validation) each cost tens of milliseconds to
import, and the window can show long before either is needed.

A library with compiled parts has one more cost, paid with the interpreter lock held:
loading a compiled module (``dlopen``, its relocations, its init) is one C call that never
lets the lock go, and every page of the file not in the system's page cache is read from
disk inside it. Once the system has dropped them (gemmi's 6.6 MB ``gemmi_ext``), that one
call held the lock for 150-480 ms even in a worker thread: every thread that runs Python,
the window's included, waited. :func:`read_compiled_parts` reads those files first, in
plain reads that let the lock go, so the load finds every page in memory (~6 ms held).
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import os
from collections.abc import Iterable
from types import ModuleType
from typing import Any

__all__ = ["LazyModule", "compiled_parts", "read_compiled_parts"]

READ_CHUNK = 1 << 20  # bytes one read copies (the lock is free while it waits)


class LazyModule(ModuleType):
    """Stands in for a module and imports it at the first attribute access."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self._lazy_target: ModuleType | None = None

    def _load(self) -> ModuleType:
        if self._lazy_target is None:
            self._lazy_target = importlib.import_module(self.__name__)
        return self._lazy_target

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)


def compiled_parts(name: str) -> list[str]:
    """The files of a top-level module's compiled parts (the module itself, or the
    compiled modules anywhere in its package), found without importing it."""
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return []
    if spec is None:
        return []
    suffixes = tuple(importlib.machinery.EXTENSION_SUFFIXES)
    if not spec.submodule_search_locations:
        origin = spec.origin or ""
        return [origin] if origin.endswith(suffixes) else []
    found: list[str] = []
    for top in spec.submodule_search_locations:
        for folder, _dirs, files in os.walk(top):
            found.extend(os.path.join(folder, f) for f in sorted(files) if f.endswith(suffixes))
    return found


def read_compiled_parts(names: Iterable[str]) -> int:
    """Read the compiled parts of these modules (see the module doc) so that importing
    them afterwards waits for no disk; the bytes read. Call it where waiting is fine
    (a worker thread): each read lets other threads run, but lasts as long as the disk."""
    buffer = bytearray(READ_CHUNK)
    total = 0
    for name in names:
        for path in compiled_parts(name):
            try:
                with open(path, "rb", buffering=0) as fh:
                    while count := fh.readinto(buffer):
                        total += count
            except OSError:
                continue  # unreadable here: the import says what is wrong, if anything
    return total
