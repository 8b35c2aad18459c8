"""A splitter whose handle you can see and grab: a ridge with a grip in the middle, drawn
in a palette colour with 3:1 contrast (Fusion's is six faint dots), and a wider hit area."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QPen
from PySide6.QtWidgets import QSplitter, QSplitterHandle, QWidget

from ouro_desktop.ui.common.theme import border_colour, focus_colour

__all__ = ["GripSplitter"]

_HANDLE_WIDTH = 9


class _GripHandle(QSplitterHandle):
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        hovered = self.underMouse()
        colour = (
            focus_colour(palette) if hovered else border_colour(palette, QPalette.ColorRole.Window)
        )
        rect = QRectF(self.rect())
        centre = rect.center()
        horizontal = self.orientation() == Qt.Orientation.Horizontal
        painter.setPen(QPen(colour, 1))
        if horizontal:  # side by side: a vertical ridge
            painter.drawLine(
                QPointF(centre.x(), rect.top() + 4), QPointF(centre.x(), rect.bottom() - 4)
            )
        else:
            painter.drawLine(
                QPointF(rect.left() + 4, centre.y()), QPointF(rect.right() - 4, centre.y())
            )
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(colour)
        for step in (-10, -5, 0, 5, 10):  # the grip: five dots across the ridge
            dot = (
                QPointF(centre.x(), centre.y() + step)
                if horizontal
                else QPointF(centre.x() + step, centre.y())
            )
            painter.drawEllipse(dot, 1.8, 1.8)

    def enterEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        self.update()
        super().enterEvent(event)  # type: ignore[arg-type]

    def leaveEvent(self, event: object) -> None:  # noqa: N802 - Qt API
        self.update()
        super().leaveEvent(event)  # type: ignore[arg-type]


class GripSplitter(QSplitter):
    """A :class:`QSplitter` with :class:`_GripHandle` handles."""

    def __init__(self, orientation: Qt.Orientation, parent: QWidget | None = None) -> None:
        super().__init__(orientation, parent)
        self.setHandleWidth(_HANDLE_WIDTH)
        self.setChildrenCollapsible(False)

    def createHandle(self) -> QSplitterHandle:  # noqa: N802 - Qt API
        handle = _GripHandle(self.orientation(), self)
        handle.setAccessibleName("Drag to resize the panes")
        return handle
