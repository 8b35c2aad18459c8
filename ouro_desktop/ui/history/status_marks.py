"""The runs table's status icons: the style's own for outcomes, painted marks for the rest.

Painted marks are circles in palette colours made readable (3:1) on the table's
background, so they read on light and dark themes alike.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPen, QPixmap
from PySide6.QtWidgets import QApplication, QStyle

from ouro_desktop.core.contrast import NON_TEXT
from ouro_desktop.core.run_record import RunState
from ouro_desktop.ui.common.theme import readable

__all__ = ["mark_colours", "status_icons"]


def _mark(colour: QColor, *, filled: bool = False, dash: bool = False, play: bool = False) -> QIcon:
    """A circle in a palette colour: hollow (waiting), filled, with a dash, or a play mark."""
    icon = QIcon()
    for size in (16, 32):  # crisp on normal and high-density screens
        pixmap = QPixmap(size, size)
        pixmap.fill(Qt.GlobalColor.transparent)
        p = QPainter(pixmap)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(0, 0, size, size).adjusted(size * 0.12, size * 0.12, -size * 0.12, -size * 0.12)
        c, w = r.center(), r.width()
        p.setPen(QPen(colour, max(1.5, size / 9)))
        if filled:
            p.setBrush(colour)
        p.drawEllipse(r)
        if dash:
            p.drawLine(QPointF(c.x() - w * 0.22, c.y()), QPointF(c.x() + w * 0.22, c.y()))
        if play:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(colour)
            x, y = c.x(), c.y()
            p.drawPolygon(
                [QPointF(x - w * 0.14, y - w * 0.22), QPointF(x - w * 0.14, y + w * 0.22),
                 QPointF(x + w * 0.24, y)]
            )  # fmt: skip
        p.end()
        icon.addPixmap(pixmap)
    return icon


def mark_colours(palette: QPalette) -> dict[str, QColor]:
    """The colours of the painted status marks: 3:1 on the table's background."""
    base = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Base)

    def role(name: QPalette.ColorRole) -> QColor:
        return readable(palette.color(QPalette.ColorGroup.Active, name), base, NON_TEXT)

    return {
        "accent": role(QPalette.ColorRole.Highlight),
        "muted": role(QPalette.ColorRole.PlaceholderText),
        "text": role(QPalette.ColorRole.Text),
    }


def status_icons(palette: QPalette, style: QStyle | None = None) -> dict[RunState, QIcon]:
    """One icon per state: the style's own icons for outcomes, palette-painted dots else.

    The style's check / error / warning icons are drawn by the platform to read on its
    own light and dark themes; a style without one falls back to a painted mark.
    """
    style = style or QApplication.style()
    colours = mark_colours(palette)
    accent, muted, text = colours["accent"], colours["muted"], colours["text"]
    waiting = _mark(muted)

    def standard(pixmap: QStyle.StandardPixmap, fallback: QIcon) -> QIcon:
        icon = style.standardIcon(pixmap) if style is not None else QIcon()
        return fallback if icon.isNull() else icon

    return {
        RunState.SUBMITTING: waiting,
        RunState.UNKNOWN: waiting,
        RunState.QUEUED: waiting,
        RunState.IN_PROGRESS: _mark(accent, play=True),
        RunState.SUCCESS: standard(
            QStyle.StandardPixmap.SP_DialogApplyButton, _mark(text, filled=True)
        ),
        RunState.ERROR: standard(
            QStyle.StandardPixmap.SP_MessageBoxCritical, _mark(text, dash=True)
        ),
        RunState.TIMED_OUT: standard(
            QStyle.StandardPixmap.SP_MessageBoxWarning, _mark(text, dash=True)
        ),
        RunState.NOT_STARTED: _mark(muted, dash=True),
    }
