"""The batch table's model: one row per file (File, Status, the result columns, Problem).

Rows are :class:`~ouro_desktop.core.batch_table.BatchRow` values built by the controller;
:meth:`BatchTableModel.update_rows` replaces a few and emits one ``dataChanged`` for the
span they cover, so a thousand runs finishing cost a handful of repaints, not a thousand.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from ouro_desktop.core.batch_table import BatchRow, ResultColumn
from ouro_desktop.ui.results.table_model import two_lines

__all__ = ["BatchTableModel"]

Index = QModelIndex | QPersistentModelIndex


class BatchTableModel(QAbstractTableModel):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[BatchRow] = []
        self._columns: list[ResultColumn] = []

    # -- contents --------------------------------------------------------------------------
    def set_rows(self, rows: Sequence[BatchRow], columns: Sequence[ResultColumn]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._columns = list(columns)
        self.endResetModel()

    def set_columns(self, columns: Sequence[ResultColumn]) -> None:
        if list(columns) != self._columns:
            self.set_rows(self._rows, columns)

    def update_rows(self, rows: Iterable[BatchRow]) -> None:
        changed = []
        for row in rows:
            if 0 <= row.position < len(self._rows):
                self._rows[row.position] = row
                changed.append(row.position)
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), self.columnCount() - 1)
            )

    def rows(self) -> list[BatchRow]:
        return list(self._rows)

    def columns(self) -> list[ResultColumn]:
        return list(self._columns)

    def row(self, position: int) -> BatchRow:
        return self._rows[position]

    def headers(self) -> list[str]:
        return ["File", "Status", *(c.header for c in self._columns), "Problem"]

    # -- Qt --------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt API
        return 0 if parent.isValid() else len(self._columns) + 3

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if orientation == Qt.Orientation.Horizontal:
            headers = self.headers()
            if not 0 <= section < len(headers):
                return None
            # On two lines, so "Valence electrons in the cell" is read whole above a column
            # as wide as its numbers (on one line it was cut to "Valence electrons in the").
            if role == Qt.ItemDataRole.DisplayRole:
                return two_lines(headers[section])
            return headers[section]
        # Row headers name the file (they stay in view when the table scrolls sideways).
        return self._rows[section].name if 0 <= section < len(self._rows) else None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        col = index.column()
        last = len(self._columns) + 2
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return row.name
            if col == 1:
                return row.status
            if col == last:
                return row.problem
            return row.cell(self._columns[col - 2]) or ("—" if row.kind == "done" else "")
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == last or (col == 1 and row.problem):
                return row.problem or None
            if 2 <= col < last:
                item = row.values.get(self._columns[col - 2].key)
                return None if item is None else item.exact or None
        if role == Qt.ItemDataRole.TextAlignmentRole and 2 <= col < last:
            item = row.values.get(self._columns[col - 2].key)
            if item is not None and item.kind == "number":
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
