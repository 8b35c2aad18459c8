"""The runs table's Route cell: the route's name elided before what the run was given.

The cell reads "predict-electronic-dos-at-fermi-level · Cu.cif". When the column is too
narrow for both, a plain right elision would cut "· Cu.cif" first -- the part that tells
six runs of one route apart. This delegate cuts the route's name instead and keeps the
given part whole, up to :data:`GIVEN_SHARE` of the cell (beyond that it is elided too).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.ui.history.model import GIVEN_SEPARATOR, HistoryTableModel, route_label

__all__ = ["GIVEN_SHARE", "Measure", "RouteCellDelegate", "fitted_route_text"]

GIVEN_SHARE = 0.5  # the given part may take up to this share of the cell


class Measure(Protocol):
    """Measuring and eliding text in one font."""

    def width(self, text: str) -> int: ...

    def elide(self, text: str, width: int) -> str: ...


def fitted_route_text(route: str, given: str, width: int, measure: Measure) -> str:
    """``route · given`` fitted in ``width`` pixels, the route's name cut first."""
    full = f"{route}{GIVEN_SEPARATOR}{given}" if given else route
    if measure.width(full) <= width:
        return full
    if not given:
        return measure.elide(full, width)
    tail = measure.elide(f"{GIVEN_SEPARATOR}{given}", int(width * GIVEN_SHARE))
    return measure.elide(route, max(0, width - measure.width(tail))) + tail


class _Metrics:
    """:class:`Measure` with the cell's font."""

    def __init__(self, option: QStyleOptionViewItem) -> None:
        self._fm = option.fontMetrics

    def width(self, text: str) -> int:
        return int(self._fm.horizontalAdvance(text))

    def elide(self, text: str, width: int) -> str:
        return str(self._fm.elidedText(text, Qt.TextElideMode.ElideRight, width))


class RouteCellDelegate(QStyledItemDelegate):
    """Draws the Route column with the given part kept in view (see the module)."""

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        entry = index.data(HistoryTableModel.EntryRole)
        if not isinstance(entry, HistoryEntry) or not entry.given:
            return
        widget = option.widget
        style = widget.style() if widget is not None else None
        room = option.rect.width()
        if style is not None:
            text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, widget)
            # The style draws the text inside that rectangle less a margin on each side
            # (QCommonStyle: the focus frame's margin + 1); fitted to less, it is not cut
            # again at its end, where the file name is.
            margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, widget) + 1
            room = text_rect.width() - 2 * margin - 1
        option.text = fitted_route_text(route_label(entry), entry.given, room, _Metrics(option))
