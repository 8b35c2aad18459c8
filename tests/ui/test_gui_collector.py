"""Garbage cycles are collected on the GUI thread only, by generation, from a Qt timer.

As in the app (tests/ui/conftest.py installs the collector as ``ouro_desktop.app``
does): automatic collection is off, so a worker allocating many cycles that hold Qt
objects never frees them itself -- the window's thread does; a cycle that lived long
enough to reach the oldest generation is freed by a full collection; nothing is frozen
out of the collector's view while big answers are read.
"""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QObject
from PySide6.QtGui import QImage

from ouro_desktop.ui.common import collector
from ouro_desktop.ui.common.collector import Ages, due

MAIN = threading.main_thread().ident


class Cycle:
    """Refers to itself (only a cyclic collection frees it); says where it was freed."""

    def __init__(self, freed_on: list[int | None], qt: bool = False) -> None:
        self.me = self
        self.freed_on = freed_on
        if qt:  # Qt objects made on the current thread (a worker's, below)
            self.obj = QObject()
            self.obj.setObjectName("held by a cycle")
            self.image = QImage(8, 8, QImage.Format.Format_RGB32)

    def __del__(self) -> None:
        self.freed_on.append(threading.get_ident())


@pytest.fixture
def thresholds() -> Iterator[None]:
    saved = gc.get_threshold()
    yield
    gc.set_threshold(*saved)


def test_a_worker_making_cycles_with_qt_objects_never_frees_them_the_gui_thread_does(
    qtbot: Any,
) -> None:
    assert not gc.isenabled(), "automatic collection must be off while the window runs"
    made = 3000  # enough allocation that automatic collection would run in the worker
    freed_on: list[int | None] = []
    worker_id: list[int] = []

    def work() -> None:
        worker_id.append(threading.get_ident())
        for _ in range(made):
            Cycle(freed_on, qt=True)
            _ = [[i] for i in range(20)]  # and other garbage, as a reader makes

    worker = threading.Thread(target=work, name="allocating-worker")
    worker.start()
    worker.join(60)
    assert not worker.is_alive()
    assert worker_id[0] not in freed_on, "the worker freed cycles it made"
    qtbot.waitUntil(lambda: len(freed_on) == made, timeout=20_000)
    assert set(freed_on) == {MAIN}, "a cycle was freed off the GUI thread"
    installed = collector.installed()
    assert installed is not None and installed.collections[0] + installed.collections[1] > 0


def test_cycles_are_collected_when_a_big_free_brings_the_count_to_zero(qtbot: Any) -> None:
    """The collector's count is net of deallocations: a big answer freed meanwhile (by the
    letting-go worker, say) brings it to zero while new cycles wait to be collected."""
    installed = collector.installed()
    assert installed is not None
    freed_on: list[int | None] = []
    big = [[i] for i in range(200_000)]
    seen = sum(installed.collections)
    qtbot.waitUntil(lambda: sum(installed.collections) > seen, timeout=10_000)
    for _ in range(300):
        Cycle(freed_on, qt=True)
    del big
    assert gc.get_count()[0] <= gc.get_threshold()[0]  # "nothing new", says the count
    qtbot.waitUntil(lambda: len(freed_on) == 300, timeout=10_000)
    assert set(freed_on) == {MAIN}


def test_a_cycle_that_reached_the_oldest_generation_is_freed_by_a_full_collection(
    thresholds: None,
) -> None:
    installed = collector.installed()
    assert installed is not None
    freed_on: list[int | None] = []
    gc.collect()
    gc.freeze()  # the test session's objects out of the way: the oldest generation is small
    try:
        old = Cycle(freed_on, qt=True)
        installed.collect(1)  # it survives a middle collection: in the oldest generation
        assert any(o is old for o in gc.get_objects(generation=2))
        del old  # now garbage only a full collection finds
        gc.set_threshold(700, 2, 2)
        full_before = installed.collections[2]
        keep = []
        for _ in range(40):  # the ticks of a busy window, then a quiet one, and again
            keep.append([[i] for i in range(1000)])
            installed.tick()
            installed.tick()
            if freed_on:
                break
        assert freed_on == [MAIN]
        assert installed.collections[2] > full_before
        assert installed.collections[0] > 0 and installed.collections[1] > 0
    finally:
        gc.unfreeze()


def test_which_generation_is_collected_when() -> None:
    t = (700, 10, 10)
    nothing_new = (5, 3, 0)
    assert due(nothing_new, t, Ages(0, 1000), quiet=True) is None
    assert due((701, 3, 0), t, Ages(0, 1000), quiet=False) == 0
    assert due((701, 11, 0), t, Ages(0, 1000), quiet=False) == 1
    # The oldest: due once ten middle collections ran and it grew by a quarter...
    grown = Ages(pending=250, total=1000)
    assert due((5, 0, 11), t, grown, quiet=True) == 2
    assert due((5, 0, 10), t, grown, quiet=True) is None
    assert due((5, 0, 11), t, Ages(pending=249, total=1000), quiet=True) is None
    assert due((5, 0, 11), t, Ages(pending=10**6, total=None), quiet=True) is None
    # ...put off while the window is busy (a middle collection instead), unless it doubled.
    assert due((701, 11, 11), t, grown, quiet=False) == 1
    assert due((701, 0, 11), t, grown, quiet=False) == 0
    assert due((701, 0, 11), t, Ages(pending=1000, total=1000), quiet=False) == 2
    # A second without a collection: the youngest is swept whatever the (net) count says.
    assert due((0, 3, 0), t, Ages(0, 1000), quiet=True, stale=True) == 0


def test_reading_long_logs_and_a_big_answer_in_the_window_freezes_nothing(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    from tests.heavy_routes import heavy_services

    from .app_harness import App

    gc.unfreeze()  # (what earlier tests' teardown froze: frees would lower the count)
    frozen = gc.get_freeze_count()
    app = App(qtbot, aio, tmp_path, services=heavy_services(forms=False))
    try:
        client = app.session.client
        assert client is not None

        async def read() -> tuple[int, int]:
            chatty = await client.get_route("demo/chatty-run")
            run = await client.execute(chatty, body={"lines": 3000}, idempotency_key="gc-logs")
            lines = 0
            while lines < 3002:  # the run's lines, 500 a page (~320 KB each)
                page = await client.action_logs(run.action.id, offset=lines, limit=500)
                lines += len(page.items)
                if not page.items:
                    await asyncio.sleep(0.05)
            big = await client.get_route("demo/large-answer")
            done = await client.execute(big, body={"megabytes": 2.0}, idempotency_key="gc-big")
            action = done.action
            while not action.is_terminal:
                await asyncio.sleep(0.05)
                action = await client.get_action(action.id)
            return lines, len(action.response["curve"])

        lines, points = aio.run(read(), timeout=120)
        assert lines == 3002 and points > 40_000
        assert gc.get_freeze_count() == frozen
        assert not gc.isenabled()
    finally:
        app.close()


def test_a_pause_that_turns_automatic_collection_back_on_is_undone_at_the_next_tick() -> None:
    """A Qt-free layer's pause (``with collector_paused():``) begun before the collector
    started ends by turning automatic collection on: the next tick turns it off again."""
    installed = collector.installed()
    assert installed is not None
    gc.enable()
    installed.tick()
    assert not gc.isenabled()


def test_a_full_collection_that_freed_garbage_has_the_heap_trimmed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What it freed and glibc's heap kept goes back to the system, on a worker thread
    (big_buffers.trim_heap_soon); a full collection that found nothing asks for nothing."""
    installed = collector.installed()
    assert installed is not None
    asked: list[int] = []
    monkeypatch.setattr(collector, "trim_heap_soon", lambda: asked.append(1))
    installed.collect(2)  # (the test session's garbage)
    asked.clear()
    installed.collect(2)
    assert asked == []
    cycle: list[Any] = []
    cycle.append(cycle)
    del cycle
    assert installed.collect(2) > 0
    assert asked == [1]
