"""The Fusion style with marks you can see: radio buttons, check boxes and focus rings
drawn in palette colours that meet WCAG AA in light and dark themes.

Fusion outlines its radio buttons and check boxes with the window colour made a little
darker: on a dark theme they all but vanish, and its focus outline is as faint. This proxy
draws those few marks itself (colours from :mod:`~ouro_desktop.ui.common.theme`: 3:1 for
outlines and rings) and leaves everything else to Fusion. Other styles (the platform's own
on macOS and Windows) draw these well and are left alone: :func:`install` only wraps Fusion.

Every element Qt draws through this style is a call into Python: the big item views
(:mod:`~ouro_desktop.ui.common.item_views`) paint their cells with a plain Fusion instead,
and only their current row (its focus ring) through this style.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import (
    QApplication,
    QProxyStyle,
    QStyle,
    QStyleFactory,
    QStyleOption,
    QStyleOptionComplex,
    QWidget,
)

from ouro_desktop.ui.common.theme import (
    border_colour,
    dark_palette,
    focus_colour,
    readable_palette,
)

__all__ = ["ReadableStyle", "install", "mark_colours"]

_PE = QStyle.PrimitiveElement
_S = QStyle.StateFlag
_RING_WIDTH = 2.0
# Controls whose focus ring is drawn here, over what Fusion drew.
_RINGED = (_PE.PE_PanelButtonCommand, _PE.PE_PanelButtonTool, _PE.PE_FrameLineEdit)
_RINGED_COMPLEX = (QStyle.ComplexControl.CC_ComboBox, QStyle.ComplexControl.CC_SpinBox)


def mark_colours(palette: QPalette) -> dict[str, object]:
    """What a radio button or check box is drawn with (for tests and for the style)."""
    base = palette.color(QPalette.ColorRole.Base)
    return {
        "fill": base,
        "outline": border_colour(palette),
        "mark": palette.color(QPalette.ColorRole.Text),
        "ring": focus_colour(palette),
    }


class ReadableStyle(QProxyStyle):
    """Fusion, with radio buttons, check boxes and focus rings you can see in any theme."""

    def drawPrimitive(  # noqa: N802 - Qt API
        self,
        element: QStyle.PrimitiveElement,
        option: QStyleOption,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        if element == _PE.PE_IndicatorRadioButton:
            self._radio(option, painter)
            return
        if element == _PE.PE_IndicatorCheckBox:
            self._check(option, painter)
            return
        if element == _PE.PE_FrameFocusRect:
            self._ring(option, painter, QRectF(option.rect).adjusted(1, 1, -1, -1), 3.0)
            return
        super().drawPrimitive(element, option, painter, widget)
        if element in _RINGED and self._focused(option, keyboard=element != _PE.PE_FrameLineEdit):
            self._ring(option, painter, QRectF(option.rect).adjusted(1, 1, -1, -1), 3.0)

    def drawComplexControl(  # noqa: N802 - Qt API
        self,
        control: QStyle.ComplexControl,
        option: QStyleOptionComplex,
        painter: QPainter,
        widget: QWidget | None = None,
    ) -> None:
        super().drawComplexControl(control, option, painter, widget)
        if control in _RINGED_COMPLEX and self._focused(option, keyboard=False):
            self._ring(option, painter, QRectF(option.rect).adjusted(1, 1, -1, -1), 3.0)

    # -- drawing ---------------------------------------------------------------------------
    @staticmethod
    def _focused(option: QStyleOption, *, keyboard: bool) -> bool:
        state = option.state
        if not state & _S.State_HasFocus or not state & _S.State_Enabled:
            return False
        return bool(state & _S.State_KeyboardFocusChange) or not keyboard

    @staticmethod
    def _ring(option: QStyleOption, painter: QPainter, rect: QRectF, radius: float) -> None:
        # On a selected cell of a list or table (drawn in the highlight colour) a ring of
        # nearly that colour would vanish: there it takes the selected text's colour. (A
        # selected tab is not drawn in the highlight colour: State_Item tells them apart.)
        selected = bool(option.state & _S.State_Selected and option.state & _S.State_Item)
        colour = (
            option.palette.color(QPalette.ColorRole.HighlightedText)
            if selected
            else focus_colour(option.palette)
        )
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.setPen(QPen(colour, _RING_WIDTH))
        painter.drawRoundedRect(rect, radius, radius)
        painter.restore()

    def _indicator(self, option: QStyleOption) -> tuple[QRectF, dict[str, object]]:
        rect = QRectF(option.rect)
        side = min(rect.width(), rect.height()) - 1
        box = QRectF(0, 0, side, side)
        box.moveCenter(rect.center())
        colours = mark_colours(option.palette)
        if not option.state & _S.State_Enabled:
            colours["mark"] = option.palette.color(
                QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text
            )
        return box, colours

    def _radio(self, option: QStyleOption, painter: QPainter) -> None:
        box, colours = self._indicator(option)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colours["outline"], 1.5))
        painter.setBrush(colours["fill"])
        painter.drawEllipse(box.adjusted(0.75, 0.75, -0.75, -0.75))
        if option.state & _S.State_On:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(colours["mark"])
            inset = box.width() * 0.3
            painter.drawEllipse(box.adjusted(inset, inset, -inset, -inset))
        painter.restore()
        if self._focused(option, keyboard=True):
            self._ring(option, painter, box.adjusted(-1.5, -1.5, 1.5, 1.5), box.width())

    def _check(self, option: QStyleOption, painter: QPainter) -> None:
        box, colours = self._indicator(option)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colours["outline"], 1.5))
        painter.setBrush(colours["fill"])
        painter.drawRoundedRect(box.adjusted(0.75, 0.75, -0.75, -0.75), 2, 2)
        w = box.width()
        if option.state & _S.State_On:
            path = QPainterPath(QPointF(box.left() + w * 0.22, box.top() + w * 0.52))
            path.lineTo(QPointF(box.left() + w * 0.42, box.top() + w * 0.72))
            path.lineTo(QPointF(box.left() + w * 0.78, box.top() + w * 0.28))
            painter.setPen(QPen(colours["mark"], max(1.6, w / 8)))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(path)
        elif option.state & _S.State_NoChange:
            painter.setPen(QPen(colours["mark"], max(1.6, w / 8)))
            painter.drawLine(
                QPointF(box.left() + w * 0.25, box.center().y()),
                QPointF(box.right() - w * 0.25, box.center().y()),
            )
        painter.restore()


def install(app: QApplication) -> None:
    """Wrap Fusion (when it is the style) and make the palette's muted text readable;
    ``OURO_DESKTOP_PALETTE=dark`` starts in the dark theme (for platforms without one,
    and for checking the app in one)."""
    dark = os.environ.get("OURO_DESKTOP_PALETTE", "").lower() == "dark"
    palette = dark_palette() if dark else app.palette()
    if dark or app.style().name().lower() == "fusion":
        app.setStyle(ReadableStyle(QStyleFactory.create("Fusion")))
    app.setPalette(readable_palette(palette))
