"""UI test fixtures: a qasync event loop on pytest-qt's QApplication.

Widgets stay synchronous; controllers are driven through ``aio.run(coro)``, which runs the
Qt event loop (and with it every pending async slot) until the coroutine finishes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest

from .loop_harness import AsyncRunner, end_loop, start_loop


@pytest.fixture(autouse=True)
def _collect_garbage_between_tests() -> Iterator[None]:
    """Free the last test's garbage (its harness objects, signal lambdas, widgets) here,
    on the GUI thread between tests, rather than wherever the collector next happens to
    run. The suite's old crash came from a test loop's Qt timers freed on another thread
    (fixed at the root in :func:`loop_harness.end_loop`); this keeps any other Qt object
    an earlier test left in a reference cycle from meeting the same fate."""
    yield
    gc.collect()


@pytest.fixture
def aio(qapp: Any) -> Iterator[AsyncRunner]:
    runner = start_loop(qapp)
    try:
        yield runner
    finally:
        end_loop(runner)


@pytest.fixture
def app_for(qtbot: Any, aio: AsyncRunner, tmp_path: Any) -> Iterator[Any]:
    """The whole window signed into the in-process demo (tests/ui/app_harness.py)."""
    from tests.ui.app_harness import App

    instance = App(qtbot, aio, tmp_path)
    yield instance
    instance.close()
