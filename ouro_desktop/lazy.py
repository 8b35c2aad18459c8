"""Modules imported on first use, so start-up doesn't pay for what a session may never need.

``gemmi`` (CIF parsing) and ``jsonschema`` (validation) each cost tens of milliseconds to
import, and the window can show long before either is needed.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any


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
