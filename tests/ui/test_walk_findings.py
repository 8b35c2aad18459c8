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


def test_runs_of_one_route_read_apart_by_what_each_was_given(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: six identical "predict-electronic-dos-at-fermi-level" rows;
    # nothing said which run was Cu, which Al (the file was only in the detail).
    from PySide6.QtWidgets import QStyleOptionViewItem

    from ouro_desktop.ui.history.model import HistoryTableModel

    from .app_harness import EXAMPLES, App

    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/predict-electronic-dos-at-fermi-level")
        app.drop("file", EXAMPLES / "Cu.cif")
        cu = app.run()
        app.drop("file", EXAMPLES / "Al.cif")
        al = app.run()
        app.open("demo/formula-properties")
        body = app.window.run_panel.form.value().body
        body["formula"] = "CuSO4·5H2O"
        app.window.run_panel.form.set_value(body)
        salt = app.run()
        pane = app.window.history
        model = pane.model

        def cell(key: str) -> str:
            return str(model.index(model.row_of(key), HistoryTableModel.ROUTE).data())

        aio.wait_until(lambda: all(model.row_of(r.action_id) >= 0 for r in (cu, al, salt)))
        assert cell(cu.action_id) == "predict-electronic-dos-at-fermi-level · Cu.cif"
        assert cell(al.action_id) == "predict-electronic-dos-at-fermi-level · Al.cif"
        assert cell(salt.action_id) == "formula-properties · CuSO4·5H2O"
        # A narrow column cuts the route's name, not the file name that tells runs apart.
        pane.view.setColumnWidth(HistoryTableModel.ROUTE, 160)
        index = model.index(model.row_of(al.action_id), HistoryTableModel.ROUTE)
        option = QStyleOptionViewItem()
        option.initFrom(pane.view)
        option.rect = pane.view.visualRect(index)
        option.rect.setWidth(160)
        pane.route_cells.initStyleOption(option, index)
        assert option.text.endswith("· Al.cif") and option.text.startswith("predict-")
        assert "…" in option.text

        # The filter finds a run by what it was given.
        def shown() -> list[str]:
            return [e.key for e in map(model.entry_at, range(model.rowCount())) if e]

        pane.text_filter.setText("al.cif")
        aio.wait_until(lambda: shown() == [al.action_id])
        pane.text_filter.setText("CuSO4")
        aio.wait_until(lambda: shown() == [salt.action_id])
        # ... and so does the ledger's own text filter.
        assert [r.action_id for r in app.ledger.list(text="Al.cif")] == [al.action_id]
        assert [r.action_id for r in app.ledger.list(text="cuso4")] == [salt.action_id]
        assert app.ledger.list(text="asset_id") == []  # keys are not matched, values are
    finally:
        app.close()
