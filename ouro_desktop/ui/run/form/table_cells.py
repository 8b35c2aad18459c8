"""The parts of the table editor that are not the editor itself: which schema nodes are
tables of numbers (:func:`table_shape`), reading pasted or file text into cells
(:func:`parse_grid`), and the grid's model and view (cells as text, Ctrl+V, Delete).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget

from ouro_desktop.api.schema import ArrayNode, JsonNode, Node, NumberNode, ObjectNode, OptionalNode
from ouro_desktop.ui.run.form.number import parse_number

__all__ = ["CellsModel", "Grid", "TableShape", "is_header", "parse_grid", "table_shape"]

_Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class TableShape:
    kind: str  # "array" (one column), "object" (named columns) or "free" (any names)
    columns: tuple[str, ...]  # fixed column keys ("array": the field's own key)
    integer: tuple[bool, ...]  # per fixed column: whole numbers only
    required: tuple[bool, ...]  # per fixed column (object): must be present


def _number_array(node: Node) -> NumberNode | None:
    if isinstance(node, ArrayNode) and isinstance(node.items, NumberNode):
        return node.items
    return None


def table_shape(node: Node) -> TableShape | None:
    """The table ``node`` is, or ``None`` when it is not a table of numbers."""
    items = _number_array(node)
    if items is not None:
        return TableShape("array", (node.key,), (items.integer,), (True,))
    if isinstance(node, ObjectNode) and node.children:
        keys, integer, required = [], [], []
        for child in node.children:
            inner = child.inner if isinstance(child, OptionalNode) else child
            number = _number_array(inner)
            if number is None:
                return None
            keys.append(child.key)
            integer.append(number.integer)
            required.append(not isinstance(child, OptionalNode))
        return TableShape("object", tuple(keys), tuple(integer), tuple(required))
    if isinstance(node, JsonNode):
        schema = node.schema
        extra = schema.get("additionalProperties")
        items = extra.get("items") if isinstance(extra, dict) else None
        if (
            schema.get("type") == "object"
            and not schema.get("properties")
            and isinstance(extra, dict)
            and extra.get("type") == "array"
            and isinstance(items, dict)
            and items.get("type") in ("number", "integer")
        ):
            return TableShape("free", (), (), ())
    return None


def parse_grid(text: str) -> list[list[str]]:
    """Cells from pasted or file text: tab-separated lines (a spreadsheet's copy), else
    comma- or semicolon-separated (CSV, quotes understood); blank lines dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2029", "\n")
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines:
        return []
    sample = "\n".join(lines[:50])
    if "\t" in sample:
        delimiter = "\t"
    elif sample.count(";") > sample.count(","):
        delimiter = ";"
    else:
        delimiter = ","
    reader = csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter)
    return [[cell.strip() for cell in row] for row in reader]


def is_header(row: list[str]) -> bool:
    """A row of names, not numbers (at least one cell is not a number)."""
    return any(c and parse_number(c, integer=False)[1] is not None for c in row)


class CellsModel(QAbstractTableModel):
    """Cells as text, one list per row; always one empty row at the end to type into."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.names: list[str] = []
        self.rows: list[list[str]] = []

    def reset(self, names: list[str], rows: list[list[str]]) -> None:
        self.beginResetModel()
        self.names = list(names)
        self.rows = [self._fit(r) for r in rows]
        self.endResetModel()

    def _fit(self, row: list[str]) -> list[str]:
        width = len(self.names)
        return (row + [""] * width)[:width]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.rows) + 1

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self.names)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.EditRole,
        ):
            return None
        if index.row() >= len(self.rows):
            return ""
        return self.rows[index.row()][index.column()]

    def setData(  # noqa: N802 - Qt API
        self, index: _Index, value: Any, role: int = Qt.ItemDataRole.EditRole
    ) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole:
            return False
        self.put(index.row(), index.column(), [[str(value).strip()]])
        return True

    def flags(self, index: _Index) -> Qt.ItemFlag:
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.isValid() else base

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Vertical:
            return str(section + 1) if section < len(self.rows) else "+"
        return self.names[section] if section < len(self.names) else None

    def put(self, row: int, column: int, grid: list[list[str]]) -> None:
        """Write ``grid`` with its top-left cell at (row, column), adding rows as needed."""
        self.beginResetModel()
        for r, cells in enumerate(grid):
            while row + r >= len(self.rows):
                self.rows.append([""] * len(self.names))
            for c, cell in enumerate(cells):
                if column + c < len(self.names):
                    self.rows[row + r][column + c] = cell
        while self.rows and not any(self.rows[-1]):
            self.rows.pop()  # trailing blank rows are not data
        self.endResetModel()
        self.edited.emit()

    def remove(self, rows: list[int]) -> None:
        self.beginResetModel()
        for row in sorted(set(rows), reverse=True):
            if row < len(self.rows):
                del self.rows[row]
        self.endResetModel()
        self.edited.emit()


class Grid(QTableView):
    """The grid: Ctrl+V pastes a block of cells, Delete clears the selected cells."""

    paste_requested = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.matches(QKeySequence.StandardKey.Paste):
            self.paste_requested.emit()
            return
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not self.state() == (
            QAbstractItemView.State.EditingState
        ):
            model = self.model()
            for index in self.selectedIndexes():
                model.setData(index, "")
            return
        super().keyPressEvent(event)
