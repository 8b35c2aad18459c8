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

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.schema import (
    MISSING,
    Node,
    join_path,
)
from ouro_desktop.ui.common.file_drop import dropped_items
from ouro_desktop.ui.common.qt_text import exact
from ouro_desktop.ui.run.form.base import Build, Editor, muted_label
from ouro_desktop.ui.run.form.number import format_number, parse_number
from ouro_desktop.ui.run.form.table_cells import (
    CellsModel,
    Grid,
    TableShape,
    is_header,
    parse_grid,
    table_shape,
)

__all__ = ["NumberTableEditor", "TableShape", "parse_grid", "table_shape"]
MAX_DROPPED_BYTES = 2 * 1024 * 1024  # bigger tables belong in a dataset input
_TABLE_SUFFIXES = {".csv", ".tsv", ".txt"}


class NumberTableEditor(Editor):
    """A grid of numbers with paste, drop and a JSON toggle (see the module docstring)."""

    def __init__(self, node: Node, build: Build | None = None, parent: QWidget | None = None):
        super().__init__(node, parent)
        shape = table_shape(node)
        assert shape is not None
        self.shape = shape
        self.setAcceptDrops(True)
        self.model = CellsModel(self)
        self.model.edited.connect(self._on_model_edited)
        self.grid = Grid(self)
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
        bar.addStretch(1)
        bar.addWidget(self.json_toggle)
        # The count goes under the grid, on one line: in the toolbar it wrapped ("0" over
        # "rows") between Clear and Edit as JSON on a narrow page.
        self.count_label.setWordWrap(False)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.grid)
        layout.addWidget(self.json_edit)
        layout.addWidget(self.count_label)
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
        header = grid[0] if is_header(grid[0]) else None
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
