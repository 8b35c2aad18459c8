"""UI test fixtures: a qasync event loop on pytest-qt's QApplication.

Widgets stay synchronous; controllers are driven through ``aio.run(coro)``, which runs the
Qt event loop (and with it every pending async slot) until the coroutine finishes.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QStyleFactory, QWidget

from ouro_desktop.ui.common.collector import install, uninstall
from ouro_desktop.ui.common.readable_style import ReadableStyle
from ouro_desktop.ui.common.readable_style import install as install_readable_style

from .loop_harness import AsyncRunner, end_loop, start_loop


@pytest.fixture(autouse=True)
def _collect_on_the_gui_thread(qapp: Any) -> Iterator[None]:
    """As in the app: garbage cycles are collected on the GUI thread only, from a Qt
    timer (``ui/common/collector.py``), never by the automatic collector in a worker.

    After the test, its garbage (harness objects, signal lambdas, widgets) is freed here,
    on the GUI thread, and automatic collection comes back for the Qt-free tests. The
    suite's old crash came from a test loop's Qt timers freed on another thread (fixed
    at the root in :func:`loop_harness.end_loop`); this keeps any other Qt object a test
    left in a reference cycle from meeting the same fate."""
    install(qapp)
    try:
        yield
    finally:
        _release_modifiers()
        gc.collect()
        # What is still alive now (modules, session fixtures, caches) is moved out of the
        # collector's view, as the app does once started (app._freeze_startup_objects):
        # the next test's collection walks only what that test made, not the hundreds of
        # thousands of objects of the whole session (a full walk cost ~130 ms a test,
        # over a quarter of the UI tests' time). A cycle among those objects that a later
        # test drops is never freed, so never on a wrong thread either.
        gc.freeze()
        uninstall()


_MODIFIER_KEYS = (
    (Qt.KeyboardModifier.ShiftModifier, Qt.Key.Key_Shift),
    (Qt.KeyboardModifier.ControlModifier, Qt.Key.Key_Control),
    (Qt.KeyboardModifier.AltModifier, Qt.Key.Key_Alt),
    (Qt.KeyboardModifier.MetaModifier, Qt.Key.Key_Meta),
)


def _release_modifiers() -> None:
    """Let go of a modifier a test's keys left held in Qt's keyboard state: a
    ``QTest.keyClick(w, Key_Backtab, ShiftModifier)`` that moves the focus leaves Shift
    down, and the next test's ``selectRow`` then read Shift and selected nothing."""
    held = QGuiApplication.keyboardModifiers()
    if held == Qt.KeyboardModifier.NoModifier:
        return
    anywhere = QWidget()
    for modifier, key in _MODIFIER_KEYS:
        if held & modifier:
            QTest.keyRelease(anywhere, key, Qt.KeyboardModifier.NoModifier)
    anywhere.deleteLater()


@pytest.fixture(params=["light", "dark"])
def readable(qapp: Any, qtbot: Any, monkeypatch: pytest.MonkeyPatch, request: Any) -> Iterator[str]:
    """The app's style and palette as ``app.py`` installs them (then the tests' own back)."""
    style, palette = qapp.style().name(), QPalette(qapp.palette())
    qapp.setStyle(QStyleFactory.create("Fusion"))
    if request.param == "dark":
        monkeypatch.setenv("OURO_DESKTOP_PALETTE", "dark")
    else:
        monkeypatch.delenv("OURO_DESKTOP_PALETTE", raising=False)
    install_readable_style(qapp)
    assert isinstance(qapp.style(), ReadableStyle)
    yield request.param
    qapp.setStyle(QStyleFactory.create(style or "Fusion"))
    qapp.setPalette(palette)


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
