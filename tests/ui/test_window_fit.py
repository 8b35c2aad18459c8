"""The window fits the screen it opens on, and the runs pane is readable there."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget

from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.core.run_record import RunState
from ouro_desktop.ui.history.model import HistoryTableModel
from ouro_desktop.ui.shell.main_window import FRAME_ALLOWANCE, MainWindow

SCREENS = [(1366, 768), (1280, 720)]


def _window(qtbot: Any, tmp_path: Path, size: tuple[int, int], name: str = "w.ini") -> MainWindow:
    settings = QSettings(str(tmp_path / name), QSettings.Format.IniFormat)
    window = MainWindow(settings, screen_area=lambda: QRect(0, 0, *size))
    qtbot.addWidget(window)
    window.show_workspace()
    window.show()
    qtbot.waitExposed(window)
    QApplication.processEvents()
    return window


def _inside(window: MainWindow, size: tuple[int, int]) -> None:
    width, height = size
    assert window.x() >= 0 and window.y() >= 0
    assert window.x() + window.width() + FRAME_ALLOWANCE[0] <= width
    assert window.y() + window.height() + FRAME_ALLOWANCE[1] <= height


@pytest.mark.parametrize("size", SCREENS)
def test_the_first_window_fits_the_screen(
    qtbot: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    window = _window(qtbot, tmp_path, size)
    _inside(window, size)
    assert window.width() >= size[0] - 60 and window.height() >= size[1] - 80  # and uses it
    # Nothing is cut off: what the panes need fits in the window.
    hint = window.centralWidget().minimumSizeHint()
    assert hint.width() <= window.centralWidget().width()
    assert hint.height() <= window.centralWidget().height()
    assert window.statusBar().isVisible()


def test_a_remembered_geometry_is_brought_back_on_screen(qtbot: Any, tmp_path: Path) -> None:
    big = _window(qtbot, tmp_path, (2560, 1440), "shared.ini")
    big.resize(2400, 1350)
    big.move(150, 60)
    big.save_layout()
    big.close()
    small = _window(qtbot, tmp_path, (1280, 720), "shared.ini")
    _inside(small, (1280, 720))


def _entry(i: int, name: str) -> HistoryEntry:
    now = time.time()
    return HistoryEntry(
        key=f"run-{i}",
        action_id=f"run-{i}",
        local_id=None,
        route_id="r1",
        route_name=name,
        status=RunState.SUCCESS,
        started_at=now - 60 * i,
        finished_at=now - 60 * i + 4.2,
        expected_s=None,
        summary="",
        error=None,
    )


def test_the_runs_table_shows_eight_runs_with_their_titles(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, (1366, 768))
    title = "Predict the electronic DOS at the Fermi level"
    window.history.model.set_entries([_entry(i, title) for i in range(30)])
    QApplication.processEvents()
    view = window.history.view
    rows = view.viewport().height() // view.verticalHeader().defaultSectionSize()
    assert rows >= 8
    route = view.columnWidth(HistoryTableModel.ROUTE)
    assert route >= view.fontMetrics().horizontalAdvance(title)  # the whole title, not "…"
    shown = window.history.model.index(0, HistoryTableModel.ROUTE).data()
    assert shown == title
    # A run known only by its full name loses the owner, not the name.
    window.history.model.set_entries([_entry(0, "demo/formula-properties")])
    assert window.history.model.index(0, HistoryTableModel.ROUTE).data() == "formula-properties"


def test_the_splitter_handles_can_be_seen(qtbot: Any, tmp_path: Path) -> None:
    window = _window(qtbot, tmp_path, (1366, 768))
    handle = window.splitter.handle(1)
    assert handle.width() >= 8
    image = handle.grab().toImage()
    background = window.palette().color(window.backgroundRole())
    drawn = {
        image.pixelColor(image.width() // 2, y).rgb() for y in range(10, image.height() - 10, 7)
    }
    assert drawn - {background.rgb()}  # a ridge is drawn, not just the window colour
    assert all(isinstance(w, QWidget) for w in (window.browser, window.history))


@pytest.mark.parametrize("size", SCREENS)
def test_the_route_search_box_holds_a_few_words_at_first_start(
    qtbot: Any, tmp_path: Path, size: tuple[int, int]
) -> None:
    # Seen at 1366×768: the box beside Sort was ~125 px and "density of states" scrolled
    # out of view while typed.
    window = _window(qtbot, tmp_path, size)
    search = window.browser.search
    search.setText("density of states")
    QApplication.processEvents()
    needed = search.fontMetrics().horizontalAdvance("density of states")
    assert search.width() >= needed + 40  # the words, the clear button and the margins
    assert window.browser.sort.isVisible()
    assert window.browser.width() <= window.width() // 3  # the other panes keep theirs
