"""Small labels used everywhere: plain text that is never read as HTML, muted hints, a
one-line label elided in the middle (full text on hover), and a word-wrapped label that
remembers its heights; :func:`plain_tip` for tooltips."""

from __future__ import annotations

from PySide6 import QtGui
from PySide6.QtCore import QEvent, QSize, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPalette
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QWidget

__all__ = ["ElidedLabel", "WrappedLabel", "muted", "plain_label", "plain_tip"]


def plain_tip(text: str) -> str:
    """``text`` as a tooltip that shows literally.

    Qt shows a tooltip as rich text whenever its first line looks like HTML
    (``Qt.mightBeRichText``): text from a server or a file that does is escaped.
    """
    rich = QtGui.Qt  # the text helpers live in QtGui's view of the Qt namespace
    return rich.convertFromPlainText(text) if rich.mightBeRichText(text) else text


def plain_label(parent: QWidget, text: str = "", *, name: str = "") -> QLabel:
    """A label that never interprets its text as HTML (file names can contain ``<b>``)."""
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if name:
        label.setAccessibleName(name)
    return label


def muted(label: QLabel) -> QLabel:
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


class ElidedLabel(QFrame):
    """One line of plain text, elided in the middle when narrow (full text as tooltip)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._text = ""
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QLabel
        self._text = text
        self.setToolTip(plain_tip(text))
        self.setAccessibleName(text)
        self.updateGeometry()
        self.update()

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance(self._text) + 4, metrics.height() + 2)

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt API
        metrics = self.fontMetrics()
        return QSize(metrics.horizontalAdvance("M…M") + 4, metrics.height() + 2)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        shown = self.fontMetrics().elidedText(
            self._text, Qt.TextElideMode.ElideMiddle, self.contentsRect().width()
        )
        painter.drawText(
            self.contentsRect(),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            shown,
        )


class WrappedLabel(QLabel):
    """A word-wrapped label that remembers its height at each width it was asked about.

    Qt lays a wrapped label's text out afresh every time a layout asks its height for a
    width, and a page asks many times a pass (a scroll area measures its whole column
    again whenever anything in it changes): for a few paragraphs of rich text that was
    most of what opening a route page cost. The heights are forgotten whenever what
    they depend on changes (the text, the font, the style, the margins).
    """

    _KEPT = 32  # widths remembered (a window resized by hand asks at many)

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._heights: dict[int, int] = {}
        self.setWordWrap(True)
        if text:
            self.setText(text)

    def setText(self, text: str) -> None:  # noqa: N802 - mirrors QLabel
        self._heights.clear()
        super().setText(text)

    def clear(self) -> None:
        self._heights.clear()
        super().clear()

    def setTextFormat(self, fmt: Qt.TextFormat) -> None:  # noqa: N802 - mirrors QLabel
        self._heights.clear()
        super().setTextFormat(fmt)

    def setMargin(self, margin: int) -> None:  # noqa: N802 - mirrors QLabel
        self._heights.clear()
        super().setMargin(margin)

    def setIndent(self, indent: int) -> None:  # noqa: N802 - mirrors QLabel
        self._heights.clear()
        super().setIndent(indent)

    def setWordWrap(self, on: bool) -> None:  # noqa: N802 - mirrors QLabel
        self._heights.clear()
        super().setWordWrap(on)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt API
        height = self._heights.get(width)
        if height is None:
            if len(self._heights) >= self._KEPT:
                self._heights.clear()
            height = self._heights[width] = super().heightForWidth(width)
        return height

    def event(self, event: QEvent) -> bool:
        if event.type() in _RESIZING:
            self._heights.clear()
        return super().event(event)


_RESIZING = frozenset(
    {
        QEvent.Type.FontChange,
        QEvent.Type.StyleChange,
        QEvent.Type.ContentsRectChange,
        QEvent.Type.LayoutDirectionChange,
        QEvent.Type.ApplicationFontChange,
    }
)
