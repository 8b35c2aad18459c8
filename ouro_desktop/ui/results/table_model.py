"""A list in an answer as a table: :class:`ResultTableModel` over a core
:class:`~ouro_desktop.core.result_table.ResultTable`, and :class:`ResultTableView`.

The model shows rows a page at a time (``canFetchMore``/``fetchMore``: a list of a million
numbers costs one page until scrolled), and formats a cell only when the view paints it.
Each cell reads rounded (``47.24``); its tooltip and Copy give the exact value. Headers
carry the column's unit (``Energy (eV)``) and its description as a tooltip.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    QSize,
    Qt,
)
from PySide6.QtGui import QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QMenu,
    QSizePolicy,
    QWidget,
)

from ouro_desktop.core.result_table import ResultTable
from ouro_desktop.ui.common.item_views import TableView

__all__ = ["PAGE_ROWS", "ResultTableModel", "ResultTableView", "two_lines"]

PAGE_ROWS = 200
HEADER_CHARS = 12  # a longer column header takes two lines
Index = QModelIndex | QPersistentModelIndex


def two_lines(header: str, longest: int = HEADER_CHARS) -> str:
    """A long header broken at the space nearest its middle ("Relative\nintensity (%)"), so
    a column is as wide as its numbers need rather than its title."""
    if len(header) <= longest or " " not in header:
        return header
    middle = len(header) / 2
    spaces = [i for i, char in enumerate(header) if char == " "]
    cut = min(spaces, key=lambda i: abs(i - middle))
    return f"{header[:cut]}\n{header[cut + 1 :]}"


class ResultTableModel(QAbstractTableModel):
    """The rows of a :class:`ResultTable`, fetched a page at a time."""

    ExactRole = Qt.ItemDataRole.UserRole + 1  # the exact text, for Copy

    def __init__(self, table: ResultTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table = table
        self._shown = min(PAGE_ROWS, table.row_count)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else self._shown

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.table.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008, N802 - Qt API
        return not parent.isValid() and self._shown < self.table.row_count

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008, N802 - Qt API
        if parent.isValid():
            return
        more = min(PAGE_ROWS, self.table.row_count - self._shown)
        if more <= 0:
            return
        self.beginInsertRows(QModelIndex(), self._shown, self._shown + more - 1)
        self._shown += more
        self.endInsertRows()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.table.cell(index.row(), index.column()).text.replace("\n", " ⏎ ")
        if role == Qt.ItemDataRole.ToolTipRole:
            cell = self.table.cell(index.row(), index.column())
            return cell.exact if cell.exact and cell.exact != cell.text else None
        if role == self.ExactRole:
            cell = self.table.cell(index.row(), index.column())
            return cell.exact or cell.text
        if role == Qt.ItemDataRole.TextAlignmentRole:
            cell = self.table.cell(index.row(), index.column())
            if cell.number is not None:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return section + 1 if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self.table.columns):
            return None
        column = self.table.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return two_lines(column.header)
        if role == Qt.ItemDataRole.ToolTipRole:
            return column.help or None
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def rows_text(self, rows: list[int]) -> str:
        """Rows as tab-separated exact values under the column headers (for a spreadsheet)."""
        header = "\t".join(column.header for column in self.table.columns)
        lines = [header]
        for row in rows:
            cells = (self.table.cell(row, c) for c in range(len(self.table.columns)))
            lines.append("\t".join(cell.exact or cell.text for cell in cells))
        return "\n".join(lines)


class ResultTableView(TableView):
    """A compact table with Copy (the exact value of a cell, or the selected rows)."""

    def __init__(self, table: ResultTable, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.result_model = ResultTableModel(table, self)
        self.setAlternatingRowColors(True)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setWordWrap(False)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu_requested)
        self._max_rows = 12
        self.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        header.setStretchLastSection(False)
        # The model last: each header setting made after it had the row header measure
        # its labels again (a call into Python per row shown and role, ~800 at a time).
        self.setModel(self.result_model)
        self._fit_columns()

    def _fit_columns(self) -> None:
        # Fit the headers and the first rows (never every row: a long list costs nothing).
        metrics = self.fontMetrics()
        model = self.result_model
        for column in range(model.columnCount()):
            texts = str(model.headerData(column, Qt.Orientation.Horizontal)).split("\n")
            texts += [
                str(model.data(model.index(r, column)) or "")
                for r in range(min(20, model.rowCount()))
            ]
            width = max(metrics.horizontalAdvance(t) for t in texts) + 16
            self.setColumnWidth(column, min(max(width, 32), 320))

    def content_width(self) -> int:
        columns = sum(self.columnWidth(c) for c in range(self.result_model.columnCount()))
        return columns + self.verticalHeader().sizeHint().width() + 2 * self.frameWidth()

    def fit_rows(self, max_rows: int = 12) -> None:
        """Be as tall as ``max_rows`` rows (fewer for a short table), and no wider than the
        columns need; longer tables scroll."""
        self._max_rows = max_rows
        self._fit_height()

    def _fit_height(self) -> None:
        rows = min(self._max_rows, self.result_model.table.row_count)
        height = self.horizontalHeader().sizeHint().height() + 2 * self.frameWidth()
        height += rows * self.verticalHeader().defaultSectionSize()
        if self.content_width() > self.width() and self.width() > 0:
            height += self.horizontalScrollBar().sizeHint().height()
        if height != self.height():
            self.setFixedHeight(height)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(self.content_width() + 2, super().sizeHint().height())

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._fit_height()

    def copy_current(self) -> str | None:
        """The current cell's exact value to the clipboard."""
        index = self.currentIndex()
        if not index.isValid():
            return None
        text = str(index.data(ResultTableModel.ExactRole) or "")
        QGuiApplication.clipboard().setText(text)
        return text

    def copy_rows(self) -> str:
        """The selected rows (or every row shown) as tab-separated text."""
        selected = sorted({i.row() for i in self.selectionModel().selectedIndexes()})
        rows = selected or list(range(self.result_model.table.row_count))
        text = self.result_model.rows_text(rows)
        QGuiApplication.clipboard().setText(text)
        return text

    def _on_context_menu_requested(self, pos: QPoint) -> None:
        index = self.indexAt(pos)
        menu = QMenu(self)
        if index.isValid():
            self.setCurrentIndex(index)
            menu.addAction("Copy value", self.copy_current)
        rows = "Copy selected rows" if self.selectionModel().hasSelection() else "Copy table"
        menu.addAction(rows, self.copy_rows)
        menu.exec(self.viewport().mapToGlobal(pos))
