"""A dialog opening over the window does not repaint lists that would look the same."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QObject, QStringListModel
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QListView, QVBoxLayout, QWidget

from ouro_desktop.ui.common.activation import skip_same_look_repaints


class _Seen(QObject):
    """Records the (de)activation events that reach the viewport."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[QEvent.Type] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() in (QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate):
            self.seen.append(event.type())
        return False


def _window(qtbot: Any) -> tuple[QWidget, QListView, QListView, _Seen, _Seen]:
    window = QWidget()
    qtbot.addWidget(window)
    layout = QVBoxLayout(window)
    views = []
    for _ in range(2):
        view = QListView(window)
        view.setModel(QStringListModel(["H2O", "NH3"], view))
        layout.addWidget(view)
        views.append(view)
    seen = [_Seen(), _Seen()]
    for view, spy in zip(views, seen, strict=True):
        view.viewport().installEventFilter(spy)  # before the keeper: it sees what is let by
    assert skip_same_look_repaints(window) == 2
    assert skip_same_look_repaints(window) == 2  # again (a pane added): still once each
    return window, views[0], views[1], seen[0], seen[1]


def _deactivate(view: QListView) -> None:
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.WindowDeactivate))
    QApplication.sendEvent(view.viewport(), QEvent(QEvent.Type.WindowActivate))


def test_a_view_that_looks_the_same_inactive_is_not_repainted(qtbot: Any) -> None:
    window, a, _b, seen_a, _ = _window(qtbot)
    # Fusion's palette, as the app's: the same colours whether the window is active or not
    assert a.palette().isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    _deactivate(a)
    assert seen_a.seen == []


def test_a_view_that_greys_when_inactive_or_holds_the_focus_is_repainted(qtbot: Any) -> None:
    window, a, b, seen_a, seen_b = _window(qtbot)
    palette = a.palette()
    palette.setColor(QPalette.ColorGroup.Active, QPalette.ColorRole.Highlight, QColor("#3070c0"))
    palette.setColor(QPalette.ColorGroup.Inactive, QPalette.ColorRole.Highlight, QColor("#c0c0c0"))
    a.setPalette(palette)  # a theme that greys the selection of an inactive window
    _deactivate(a)
    assert seen_a.seen == [QEvent.Type.WindowDeactivate, QEvent.Type.WindowActivate]
    window.show()
    qtbot.waitExposed(window)
    b.setFocus()
    qtbot.waitUntil(lambda: window.focusWidget() is b)
    assert b.palette().isEqual(QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive)
    _deactivate(b)  # its focus frame comes and goes with the window's activation
    assert seen_b.seen == [QEvent.Type.WindowDeactivate, QEvent.Type.WindowActivate]
