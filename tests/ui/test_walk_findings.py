"""What a chemist met using the merged app at 1366×768 (the walk of shots-walk/), kept fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from ouro_desktop.core.result_view import ResultItem
from ouro_desktop.ui.results.result_card import ResultCard
from ouro_desktop.ui.shell.main_window import MainWindow

SENTENCE = (
    "We relaxed Cu and got a = 3.615 Å with a bulk modulus of 140 GPa, then NaCl and "
    "CuSO4·5H2O at 298 K, and wrote it all down here."
)


def test_a_long_value_in_the_result_card_wraps_inside_the_route_page(qtbot: Any) -> None:
    # The route page scrolls up and down only; a card wider than it pushed the page
    # sideways when it scrolled itself into view, cutting off the page's left edge.
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    page = QWidget()
    column = QVBoxLayout(page)
    card = ResultCard(page)
    column.addWidget(card)
    column.addStretch(1)
    area.setWidget(page)
    area.resize(420, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    items = [
        ResultItem(path="title", key="title", label="Post title", kind="text", text="Notes"),
        ResultItem(
            path="summary", key="summary", label="Opening sentence", kind="text", text=SENTENCE
        ),
    ]
    card.show_values("Finished", items, [], "The whole answer is in the run's detail.")
    qtbot.waitUntil(lambda: card.isVisible())
    QApplication.processEvents()
    QApplication.processEvents()
    assert ("Opening sentence", SENTENCE) in card.values()
    assert page.width() <= area.viewport().width()
    assert area.horizontalScrollBar().value() == 0
    assert card.geometry().right() <= area.viewport().width()


def test_the_offline_demo_from_the_welcome_starts_in_the_route_search(
    qtbot: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: after "Try the offline demo" the keys were on the runs pane's
    # "This route" radio button.
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, screen_area=lambda: QRect(0, 0, 1366, 768))
    qtbot.addWidget(window)
    window.show_welcome()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.welcome.demo_button.setFocus()
    qtbot.waitUntil(window.welcome.demo_button.hasFocus)
    window.show_workspace()
    qtbot.waitUntil(window.browser.search.hasFocus)
    assert QApplication.focusWidget() is window.browser.search
