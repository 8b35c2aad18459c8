"""The runs table's cells, filled from the model's runs in one call into Python each.

Qt's own delegate asks the model for seven roles of every cell it paints (font,
alignment, colour, check state, icon, text, background) and the view asks for its flags:
eight calls into Python a cell, ~600 a screenful. Each call first waits for the
interpreter, which another thread often holds while a folder batch runs (the in-app
demo, the workers reading answers): a repaint then took 6-13 ms, a few times a second.
:class:`RunCellsDelegate` fills the cell's style option itself, from the run the model
holds, exactly as Qt's delegate fills it from ``data()`` (the same text, icon and
alignment; ``data()`` still answers everyone else: tooltips, accessibility, tests), and
Qt draws the cell as before.

The Route column keeps what the run was given in view when the column is narrow
(:func:`~.route_cell.fitted_route_text`); measuring the text is the costly part of a
cell, so each fitted text is remembered for its width and font.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QIcon
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ouro_desktop.ui.history.model import HistoryTableModel, route_label
from ouro_desktop.ui.history.route_cell import fitted_route_text

__all__ = ["RunCellsDelegate"]

_FITTED_KEPT = 4096  # fitted Route texts remembered (a few screens at a few widths)
_HAS_DISPLAY = QStyleOptionViewItem.ViewItemFeature.HasDisplay
_HAS_DECORATION = QStyleOptionViewItem.ViewItemFeature.HasDecoration
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ENABLED = QStyle.StateFlag.State_Enabled
_SELECTED = QStyle.StateFlag.State_Selected
_OPEN = QStyle.StateFlag.State_Open


class _Metrics:
    """:class:`~.route_cell.Measure` with the cell's font."""

    def __init__(self, option: QStyleOptionViewItem) -> None:
        self._fm = option.fontMetrics

    def width(self, text: str) -> int:
        return int(self._fm.horizontalAdvance(text))

    def elide(self, text: str, width: int) -> str:
        return str(self._fm.elidedText(text, Qt.TextElideMode.ElideRight, width))


class RunCellsDelegate(QStyledItemDelegate):
    """Every column of the runs table (see the module)."""

    def __init__(self, model: HistoryTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._model = model
        self._fitted: dict[tuple[str, str, int, str], str] = {}
        self._no_brush = QBrush()

    def initStyleOption(  # noqa: N802 (Qt's name)
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        model = self._model
        entry = model.entry_at(index.row()) if index.model() is model else None
        if entry is None:  # another model, or a row gone: Qt's way, from data()
            super().initStyleOption(option, index)
            return
        column = index.column()
        # What QStyledItemDelegate.initStyleOption sets from the roles this model answers
        # (font, colour, check state and background: none, so the view's own).
        option.index = index
        option.styleObject = None  # (no style animation in item views, as Qt's)
        option.backgroundBrush = self._no_brush
        features = option.features | _HAS_DISPLAY
        if column == HistoryTableModel.STATUS:
            features |= _HAS_DECORATION
            self._decorate(option, model.status_icon(entry.status))
        elif column == HistoryTableModel.DURATION:
            option.displayAlignment = _RIGHT
        option.features = features
        if column == HistoryTableModel.ROUTE and entry.given:
            text = self._fit(option, route_label(entry), entry.given)
        else:
            text = model.display_text(entry, column)
        # (Qt's delegate shows a line break as a line separator: one line a row)
        option.text = text.replace("\n", "\u2028") if "\n" in text else text

    @staticmethod
    def _decorate(option: QStyleOptionViewItem, icon: QIcon) -> None:
        """The icon at its size for this cell, as Qt's delegate sets it."""
        option.icon = icon
        state = option.state
        if not state & _ENABLED:
            mode = QIcon.Mode.Disabled
        elif state & _SELECTED:
            mode = QIcon.Mode.Selected
        else:
            mode = QIcon.Mode.Normal
        size = option.decorationSize
        actual = icon.actualSize(size, mode, QIcon.State.On if state & _OPEN else QIcon.State.Off)
        # (a high-dpi icon's size may be larger: never more than the room for it)
        size.setWidth(min(size.width(), actual.width()))
        size.setHeight(min(size.height(), actual.height()))
        option.decorationSize = size

    def _fit(self, option: QStyleOptionViewItem, route: str, given: str) -> str:
        """``route · given`` fitted where the style draws the text (remembered)."""
        font = option.font.key()
        key = (route, given, option.rect.width(), font)
        fitted = self._fitted.get(key)
        if fitted is not None:
            return fitted
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
        fitted = fitted_route_text(route, given, room, _Metrics(option))
        if len(self._fitted) >= _FITTED_KEPT:
            self._fitted.clear()
        self._fitted[key] = fitted
        return fitted
