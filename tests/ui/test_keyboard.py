"""A whole run with the keyboard alone, and every control named for a screen reader."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTabBar,
    QTextEdit,
    QWidget,
)

from ouro_desktop.ui.common.focus_order import TAB_AFTER
from ouro_desktop.ui.history.model import HistoryTableModel

from .app_harness import EXAMPLES, App

CTRL = Qt.KeyboardModifier.ControlModifier


def _focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def _key(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(_focus(), key, modifier)


def test_a_whole_run_by_keyboard_alone(qtbot: Any, app_for: Any) -> None:
    app: App = app_for
    window = app.window
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    # Browse… opens the file dialog: a stand-in that picks the file as a person would.
    window.run_panel.inputs.chooser = lambda zone: zone.choose_path(str(EXAMPLES / "NaCl.cif"))

    _key(Qt.Key.Key_K, CTRL)  # find
    assert _focus() is window.browser.search
    QTest.keyClicks(_focus(), "supercell")
    model = window.browser.model
    app.aio.wait_until(
        lambda: model.rowCount() == 1 and model.route_at(0).slug == "build-supercell"
    )
    _key(Qt.Key.Key_1, CTRL)  # to the list, on its first row
    assert _focus() is window.browser.results_view
    _key(Qt.Key.Key_Return)  # open it, and go to its form
    app.aio.wait_until(lambda: app.shown and window.run_panel.route is not None)
    zone = window.run_panel.inputs.zone("file")
    app.aio.wait_until(lambda: _focus() is zone.target.browse_button)

    _key(Qt.Key.Key_Space)  # Browse…
    app.aio.wait_until(lambda: zone.asset_id is not None)
    form = window.run_panel.form
    na = form.slots()["na"].editor.focus_target()
    for _ in range(12):  # Tab on through the page to the first setting
        if _focus() is na or na.isAncestorOf(_focus()):
            break
        _key(Qt.Key.Key_Tab)
    assert _focus() is na or na.isAncestorOf(_focus())
    _key(Qt.Key.Key_A, CTRL)
    QTest.keyClicks(_focus(), "2")
    app.aio.wait_until(lambda: form.value().body.get("na") == 2)

    count = len(app.finished)
    _key(Qt.Key.Key_Return, CTRL)  # run
    app.aio.wait_until(lambda: len(app.finished) > count, timeout=20)
    record = app.finished[-1]
    assert record.state == "success"
    (action,) = app.actions(record.route_id)
    assert action["metadata"]["body"]["na"] == 2

    _key(Qt.Key.Key_3, CTRL)  # to the runs, and read the result there
    assert _focus() is window.history.view
    key = window.history.view.currentIndex().data(HistoryTableModel.KeyRole)
    assert key == record.action_id
    detail = window.run_detail
    app.aio.wait_until(lambda: detail.key() == key and detail.status_label.text() == "Succeeded")
    shown = detail.answer_view.shown_values()  # the supercell's answer, read as values
    assert shown["Repeats (a × b × c)"] == "2, 2, 2"


INTERACTIVE = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
    QTabBar,
)


def _unnamed(root: QWidget) -> list[str]:
    missing = []
    for widget in [root, *root.findChildren(QWidget)]:
        if not isinstance(widget, INTERACTIVE) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus:
            continue
        if not widget.isVisibleTo(root) or type(widget).__name__.startswith("Qt"):
            continue
        name = widget.accessibleName() or (
            widget.text().replace("&", "") if isinstance(widget, QAbstractButton) else ""
        )
        if not name.strip():
            missing.append(f"{type(widget).__name__} {widget.objectName()!r} in {widget.parent()}")
    return missing


def test_no_control_lacks_an_accessible_name(app_for: Any) -> None:
    app: App = app_for
    window = app.window
    assert _unnamed(window) == []
    for ref in (
        "demo/formula-properties",
        "demo/build-supercell",
        "demo/structure-report",
        "demo/post-generate",
    ):
        app.open(ref)
        assert _unnamed(window) == [], ref
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", EXAMPLES / "Cu.cif")
    assert _unnamed(window) == []
    record = app.run()
    app.window.history.select_run(record.action_id)
    app.aio.wait_until(lambda: app.window.run_detail.key() == record.action_id)
    assert _unnamed(window) == []
    for show in (window.show_getting_started, window.show_shortcuts):
        show()
        assert window.last_dialog is not None and _unnamed(window.last_dialog) == []


def test_form_fields_carry_the_schemas_words_for_screen_readers(app_for: Any) -> None:
    app: App = app_for
    app.open("demo/formula-properties")
    formula = app.window.run_panel.form.slots()["formula"].editor.focus_target()
    assert formula.accessibleName() == "Formula"
    assert "Chemical formula" in formula.accessibleDescription()
    assert "required" in formula.accessibleDescription()


def test_tab_follows_the_page_from_top_to_bottom(app_for: Any) -> None:
    import asyncio

    from PySide6.QtCore import QPoint

    app: App = app_for
    window = app.window
    app.open("demo/build-supercell")
    app.aio.run(asyncio.sleep(0.2))  # the page is re-chained once its widgets are shown
    content = window.route_page.scroll_area.widget()
    tops, stops = [], []
    widget = window.route_page.scroll_area.nextInFocusChain()
    while widget is not window.history.first_control():
        if content.isAncestorOf(widget) and widget.isVisibleTo(content):
            if widget.focusPolicy().value & Qt.FocusPolicy.TabFocus.value:
                stops.append(widget)
                if getattr(widget, TAB_AFTER, None) is None:
                    tops.append(widget.mapTo(content, QPoint(0, 0)).y() + widget.height() // 2)
        widget = widget.nextInFocusChain()
        assert widget is not window.route_page.scroll_area  # the chain reaches the runs
    assert len(tops) > 10
    assert all(b >= a - 12 for a, b in zip(tops, tops[1:], strict=False))  # never back up
    # ... but a setting's small reset button, beside its title, comes after its value:
    # "Tab, then type" after ticking a setting typed into that button, and was lost.
    resets = [w for w in stops if getattr(w, TAB_AFTER, None) is not None]
    assert resets
    for reset in resets:
        editor = getattr(reset, TAB_AFTER)
        inside = [i for i, w in enumerate(stops) if editor.isAncestorOf(w)]
        assert inside and stops.index(reset) == max(inside) + 1, reset.accessibleName()
    names = [
        w.accessibleName() for w in (window.run_panel.clear_button, window.run_panel.run_button)
    ]
    assert names == ["Clear form", "Run the route"]


def test_tab_goes_through_the_route_list_and_on_to_the_route(app_for: Any) -> None:
    # The list of found routes, the star and "Open by name" were in loops of their own:
    # Tab went from the list's tabs straight to the runs, and never came back to them.
    app: App = app_for
    window = app.window
    browser = window.browser
    window.activateWindow()
    app.aio.wait_until(lambda: QApplication.activeWindow() is window)
    app.open("demo/formula-properties")
    browser.focus_search()
    QTest.keyClicks(_focus(), "formula")
    app.aio.wait_until(lambda: browser.model.rowCount() > 1)

    forward = []
    for _ in range(8):
        _key(Qt.Key.Key_Tab)
        forward.append(_focus())
        if not browser.isAncestorOf(_focus()):
            break
    expected = [
        browser.sort,
        browser.tabs.tabBar(),
        browser.results_view,
        browser.star_button,
        browser.open_field,
        browser.open_button,
    ]
    assert forward[:-1] == expected
    assert window.route_page.isAncestorOf(forward[-1])  # on to the open route's page

    backward = []
    for _ in range(len(expected) + 1):
        _key(Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        backward.append(_focus())
    assert backward == [*reversed(expected), browser.search]


def test_opening_a_route_with_a_post_input_goes_to_choosing_the_post(app_for: Any) -> None:
    # A post input has no Browse…: focus went past it to Run, which only says what is missing.
    app: App = app_for
    window = app.window
    window.activateWindow()
    app.aio.wait_until(lambda: QApplication.activeWindow() is window)
    app.open("demo/read-post-facts")
    window.focus_form()
    zone = window.run_panel.inputs.zone("post")
    assert _focus() is zone.target.remote_button
    assert _focus().text() == "Choose one of my posts…"
