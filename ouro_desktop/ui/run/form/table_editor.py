"""A table of numbers inside the request body: a list of numbers, or several equal-length
lists side by side (a time series: ``{"ds": [...], "y": [...]}``).

Scientists keep such numbers in spreadsheets and CSV files, so the field is a grid that
takes them as they are: **paste** cells copied from a spreadsheet (tab- or
comma-separated lines; a first line of column names is recognised), **drop** a CSV or TSV
file on it, or type. "Edit as JSON" shows the same value as text, one click away.

Three shapes are tables (:func:`table_shape`): an array of numbers (one column, named after
the field); an object whose properties are all arrays of numbers (one column each, the
schema's names); and a free-form object of number arrays (``additionalProperties``), whose
column names come from the value or from the pasted header. Values round-trip exactly:
cells hold each number's shortest text (:func:`~.number.format_number`) and are read back
with the field's own rule (an integer column gives ``int``). A value the grid cannot hold
(text in a number list, a nested object) is kept as JSON text instead, so nothing is lost.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.schema import (
    MISSING,
    ArrayNode,
    JsonNode,
    Node,
    NumberNode,
    ObjectNode,
    OptionalNode,
    join_path,
)
from ouro_desktop.ui.common.file_drop import dropped_items
from ouro_desktop.ui.common.qt_text import exact
from ouro_desktop.ui.run.form.base import Build, Editor, muted_label
from ouro_desktop.ui.run.form.number import format_number, parse_number

__all__ = ["NumberTableEditor", "TableShape", "parse_grid", "table_shape"]

_Index = QModelIndex | QPersistentModelIndex
MAX_DROPPED_BYTES = 2 * 1024 * 1024  # bigger tables belong in a dataset input
_TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}


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


def _is_header(row: list[str]) -> bool:
    """A row of names, not numbers (at least one cell is not a number)."""
    return any(c and parse_number(c, integer=False)[1] is not None for c in row)


class _CellsModel(QAbstractTableModel):
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


class _Grid(QTableView):
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


class NumberTableEditor(Editor):
    """A grid of numbers with paste, drop and a JSON toggle (see the module docstring)."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        shape = table_shape(node)
        assert shape is not None
        self.shape = shape
        self.setAcceptDrops(True)
        self.model = _CellsModel(self)
        self.model.edited.connect(self._on_model_edited)
        self.grid = _Grid(self)
        self.grid.setModel(self.model)
        self.grid.setAccessibleName(f"{self.accessible_title()} as a table")
        self.grid.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.grid.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.grid.setFixedHeight((self.fontMetrics().height() + 6) * 8 + 30)
        self.grid.paste_requested.connect(self._on_grid_paste_requested)
        self.paste_button = QPushButton("Paste", self)
        self.paste_button.setToolTip(
            "Paste cells copied from a spreadsheet, starting at the selected cell"
        )
        self.paste_button.clicked.connect(self._on_grid_paste_requested)
        self.remove_button = QPushButton("Remove rows", self)
        self.remove_button.setToolTip("Remove the selected rows")
        self.remove_button.clicked.connect(self._on_remove_clicked)
        self.clear_button = QPushButton("Clear", self)
        self.clear_button.clicked.connect(self._on_clear_clicked)
        title = self.accessible_title()
        self.paste_button.setAccessibleName(f"Paste cells into {title}")
        self.remove_button.setAccessibleName(f"Remove the selected rows of {title}")
        self.clear_button.setAccessibleName(f"Clear {title}")
        self.json_toggle = QCheckBox("Edit as JSON", self)
        self.json_toggle.setAccessibleName(f"Edit {self.accessible_title()} as JSON")
        self.json_toggle.toggled.connect(self._on_json_toggled)
        self.count_label = muted_label("", self)
        self.hint_label = muted_label(
            "Paste from a spreadsheet, drop a CSV file here, or type; "
            "the last row is where new numbers go.",
            self,
        )
        self.message_label = QLabel(self)
        self.message_label.setWordWrap(True)
        self.message_label.setTextFormat(Qt.TextFormat.PlainText)
        self.message_label.hide()
        self.json_edit = QPlainTextEdit(self)
        self.json_edit.setAccessibleName(f"{self.accessible_title()} as JSON")
        self.json_edit.setFixedHeight(self.grid.height())
        self.json_edit.textChanged.connect(self.changed)
        self.json_edit.hide()
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        for widget in (self.paste_button, self.remove_button, self.clear_button):
            bar.addWidget(widget)
        bar.addWidget(self.count_label, 1)
        bar.addWidget(self.json_toggle)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.grid)
        layout.addWidget(self.json_edit)
        layout.addWidget(self.hint_label)
        layout.addWidget(self.message_label)
        self._names_for([])
        self._count()

    # -- columns --------------------------------------------------------------------------
    def _names_for(self, keys: list[str]) -> list[str]:
        if self.shape.kind == "array":
            names = [self.node.title or "Value"]
        elif self.shape.kind == "object":
            names = list(self.shape.columns)
        else:
            names = keys or ["Values"]
        if names != self.model.names:
            self.model.reset(names, self.model.rows)
        return names

    def _integer(self, column: int) -> bool:
        return self.shape.integer[column] if column < len(self.shape.integer) else False

    # -- value ----------------------------------------------------------------------------
    @property
    def json_mode(self) -> bool:
        return self.json_toggle.isChecked()

    def value(self, path: str, problems: dict[str, str]) -> Any:
        if self.json_mode:
            text = self.json_edit.toPlainText()
            if not text.strip():
                return MISSING
            try:
                return json.loads(text)
            except (ValueError, RecursionError) as exc:
                problems[path] = f"is not valid JSON ({exc})"
                return text
        return self._grid_value(path, problems)

    def _grid_value(self, path: str, problems: dict[str, str]) -> Any:
        columns = self._read_columns(path, problems)
        if self.shape.kind == "array":
            return columns[0]
        out: dict[str, Any] = {}
        for index, name in enumerate(self.model.names):
            values = columns[index]
            optional = self.shape.kind == "object" and not self.shape.required[index]
            if values or not optional:
                out[name] = values
        if self.shape.kind == "free" and out == {"Values": []}:
            return {}
        return out

    def _read_columns(self, path: str, problems: dict[str, str]) -> list[list[Any]]:
        names = self.model.names
        columns: list[list[Any]] = []
        for c, name in enumerate(names):
            cells = [row[c] for row in self.model.rows]
            while cells and not cells[-1]:
                cells.pop()  # a shorter column ends where its numbers end
            values = []
            where = path if self.shape.kind == "array" else join_path(path, name)
            for r, cell in enumerate(cells):
                number, error = parse_number(cell, integer=self._integer(c))
                at = join_path(where, r)
                if number is MISSING:
                    problems.setdefault(at, f"row {r + 1} is empty: fill it or remove the row")
                    number = None
                elif error:
                    shown = cell if len(cell) <= 30 else cell[:29] + "…"
                    problems.setdefault(at, f"row {r + 1}: “{shown}” {error}")
                elif self._integer(c) and not isinstance(number, int):
                    problems.setdefault(at, f"row {r + 1}: must be a whole number")
                values.append(number)
            columns.append(values)
        return columns

    def set_value(self, value: Any) -> None:
        grid = self._grid_for(value)
        if grid is None:  # not a table of numbers: kept exactly, as JSON
            self.json_toggle.blockSignals(True)
            self.json_toggle.setChecked(True)
            self.json_toggle.blockSignals(False)
            text = "" if value is MISSING else json.dumps(value, ensure_ascii=False, indent=1)
            self.json_edit.setPlainText(exact(text))
            self._show_mode()
        else:
            names, rows = grid
            self.json_toggle.blockSignals(True)
            self.json_toggle.setChecked(False)
            self.json_toggle.blockSignals(False)
            self._names_for(names)
            self.model.reset(self.model.names, rows)
            self._show_mode()
        self._count()
        self.changed.emit()

    def _grid_for(self, value: Any) -> tuple[list[str], list[list[str]]] | None:
        """(column names, rows of cell text) for ``value``, or ``None`` if not a table."""
        if value is MISSING or value is None:
            return ([], [])
        if self.shape.kind == "array":
            if not isinstance(value, list) or not all(_is_number(v) for v in value):
                return None
            return [], [[format_number(v)] for v in value]
        if not isinstance(value, dict):
            return None
        if self.shape.kind == "object" and not set(value) <= set(self.shape.columns):
            return None
        names = list(self.shape.columns) if self.shape.kind == "object" else list(value)
        columns = []
        for name in names:
            column = value.get(name, [])
            if not isinstance(column, list) or not all(_is_number(v) for v in column):
                return None
            columns.append(column)
        if self.shape.kind == "object":
            for name, required in zip(names, self.shape.required, strict=True):
                if name not in value and required:
                    return None  # absent ≠ empty: keep it as JSON
                if name in value and not value[name] and not required:
                    return None  # an optional column sent empty: the grid would drop it
        depth = max((len(c) for c in columns), default=0)
        rows = [[format_number(c[r]) if r < len(c) else "" for c in columns] for r in range(depth)]
        return names, rows

    # -- paste, drop, rows ----------------------------------------------------------------
    def paste_text(self, text: str) -> None:
        """Put pasted cells in at the selected cell (a first row of names is matched to
        the columns, or names the columns of a free-form table)."""
        grid = parse_grid(text)
        if not grid:
            return
        self._take_grid(grid, at_cursor=True)

    def load_file(self, path: Path) -> None:
        """A dropped CSV/TSV file replaces the table's numbers."""
        try:
            size = path.stat().st_size
            if size > MAX_DROPPED_BYTES:
                self._say(
                    f"“{path.name}” is too large to type into a field; a route that takes a "
                    "dataset can read it instead."
                )
                return
            data = path.read_bytes()
        except OSError as exc:
            self._say(f"“{path.name}” can't be read ({exc.strerror or exc}).")
            return
        text = data.decode("utf-8-sig", errors="replace")
        grid = parse_grid(text)
        if not grid:
            self._say(f"“{path.name}” has no rows.")
            return
        self.model.reset(self.model.names, [])
        self._take_grid(grid, at_cursor=False)

    def _take_grid(self, grid: list[list[str]], *, at_cursor: bool) -> None:
        header = grid[0] if _is_header(grid[0]) else None
        body = grid[1:] if header is not None else grid
        start_row, start_col = 0, 0
        if at_cursor and self.grid.currentIndex().isValid():
            start_row = self.grid.currentIndex().row()
            start_col = self.grid.currentIndex().column()
        if header is not None:
            if self.shape.kind == "free":
                self._names_for([h or f"Column {i + 1}" for i, h in enumerate(header)])
                start_col = 0
            else:
                body = self._by_names(header, body)
                start_col = 0
        width = len(self.model.names)
        if body and max(len(r) for r in body) > width - start_col and width == 1:
            # One column, several pasted: the numbers are the last column (a time column
            # and its values, say).
            body = [[r[-1]] for r in body]
        self.model.put(start_row, start_col, body)
        self._say("")

    def _by_names(self, header: list[str], body: list[list[str]]) -> list[list[str]]:
        """Pasted columns reordered to the table's, by (case-insensitive) name."""
        wanted = [n.lower() for n in self.model.names]
        found = [h.strip().lower() for h in header]
        picks = [found.index(n) if n in found else None for n in wanted]
        if all(p is None for p in picks):
            return body  # no names match: take the columns in order
        return [[row[p] if p is not None and p < len(row) else "" for p in picks] for row in body]

    def _on_grid_paste_requested(self) -> None:
        self.paste_text(QGuiApplication.clipboard().text())

    def _on_remove_clicked(self) -> None:
        rows = [i.row() for i in self.grid.selectionModel().selectedIndexes()]
        self.model.remove(rows)

    def _on_clear_clicked(self) -> None:
        self.model.reset(self.model.names, [])
        self._on_model_edited()

    def _on_model_edited(self) -> None:
        self._count()
        self.changed.emit()

    def _count(self) -> None:
        n = len(self.model.rows)
        self.count_label.setText(f"{n:,} row" + ("" if n == 1 else "s"))

    def _say(self, text: str) -> None:
        self.message_label.setText(f"⚠ {text}" if text else "")
        self.message_label.setVisible(bool(text))

    # -- JSON -----------------------------------------------------------------------------
    def _on_json_toggled(self, on: bool) -> None:
        if on:
            value = self._grid_value("", {})
            self.json_edit.setPlainText(
                exact(json.dumps(value, ensure_ascii=False, indent=1))
                if value is not MISSING
                else ""
            )
        else:
            text = self.json_edit.toPlainText()
            try:
                parsed = json.loads(text) if text.strip() else MISSING
            except (ValueError, RecursionError) as exc:
                self._refuse(f"Fix the JSON first: {exc}.")
                return
            grid = self._grid_for(parsed)
            if grid is None:
                self._refuse("This JSON is not a table of numbers; keep editing it as JSON.")
                return
            names, rows = grid
            self._names_for(names)
            self.model.reset(self.model.names, rows)
            self._count()
            self._say("")
        self._show_mode()
        self.changed.emit()

    def _refuse(self, text: str) -> None:
        self.json_toggle.blockSignals(True)
        self.json_toggle.setChecked(True)
        self.json_toggle.blockSignals(False)
        self._say(text)

    def _show_mode(self) -> None:
        raw = self.json_mode
        self.json_edit.setVisible(raw)
        self.grid.setVisible(not raw)
        for widget in (self.paste_button, self.remove_button, self.clear_button):
            widget.setVisible(not raw)
        self.count_label.setVisible(not raw)
        self.hint_label.setVisible(not raw)

    # -- drag and drop --------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        items = dropped_items(event.mimeData()) if event.mimeData().hasUrls() else []
        if len(items) == 1 and Path(items[0]).suffix.lower() in _TABLE_SUFFIXES:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        items = dropped_items(event.mimeData())
        if len(items) != 1:
            event.ignore()
            return
        event.acceptProposedAction()
        if self.json_mode:
            self.json_toggle.setChecked(False)
        self.load_file(Path(items[0]))

    def focus_target(self) -> QWidget:
        return self.json_edit if self.json_mode else self.grid


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
