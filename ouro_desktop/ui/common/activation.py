"""Item views that look the same in an active and an inactive window are not repainted
when the window is (de)activated.

Qt repaints the whole viewport of every item view in a window when the window gains or
loses activation (``QAbstractItemView::viewportEvent``), whether or not anything would
look different: opening a dialog over the main window (Compare, Show code, an error)
repainted the routes list (its rows painted in Python), the runs table and the result
tables, and closing it repainted them again -- several ms in the turn the dialog
appears. A view whose palette has the same colours in its active and inactive groups
(this app's palette on Fusion) draws the same pixels either way, so the event is dropped
for it; where they differ (a theme that greys the selection of an inactive window), or
while the view holds its window's focus (its focus frame comes and goes), it is kept.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractItemView, QWidget

__all__ = ["skip_same_look_repaints"]

_ACTIVATION = frozenset({QEvent.Type.WindowActivate, QEvent.Type.WindowDeactivate})
_ACTIVE, _INACTIVE = QPalette.ColorGroup.Active, QPalette.ColorGroup.Inactive


class _SameLook(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if event.type() not in _ACTIVATION or not isinstance(watched, QWidget):
            return False
        view = watched.parentWidget()
        if view is None or view.window().focusWidget() is view:
            return False
        return bool(view.palette().isEqual(_ACTIVE, _INACTIVE))


def skip_same_look_repaints(root: QWidget) -> int:
    """Drop the (de)activation repaints of the item views under ``root`` that would draw
    the same pixels (see the module doc); how many views were looked after."""
    keeper = root.findChild(_SameLook)
    if keeper is None:
        keeper = _SameLook(root)
    views = root.findChildren(QAbstractItemView)
    for view in views:
        view.viewport().removeEventFilter(keeper)  # once each, whenever this is called
        view.viewport().installEventFilter(keeper)
    return len(views)
