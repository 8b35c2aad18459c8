"""A table's rows as a read-only grid: a dropped CSV's first rows, a dataset page by page.

:class:`RowsModel` holds one page of rows only (a big dataset is never in memory as a
whole); each column header names the column and says what it holds in words ("volume_a3",
"numbers"): a table being sent is shown as the file has it. A dataset a run gave back is
shown *readable* (:meth:`RowsModel.set_readable`): columns by title with their unit
("Volume (Å³)", :mod:`ouro_desktop.core.dataset_titles`) and numbers rounded like the
result view's, the stored name and the exact value on hover. :class:`PagedRows` adds
"Rows 1–50 of 1,000,000" and Previous / Next, and asks for a page with
``page_requested(offset)``: the controller fetches it and hands it back with
:meth:`PagedRows.show_page`. Cells are plain text; nothing becomes "—" but an empty cell.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.dataset_titles import column_title, number_cell
from ouro_desktop.ui.common.item_views import TableView
from ouro_desktop.ui.common.labels import muted, plain_label

__all__ = ["PagedRows", "RowsModel", "RowsTable", "cell_text", "kind_words"]

_Index = QModelIndex | QPersistentModelIndex
_KIND_WORDS = {
    "integer": "whole numbers",
    "number": "numbers",
    "boolean": "true or false",
    "date": "dates",
    "date-time": "dates and times",
    "text": "text",
    "json": "structured values",
}
_MAX_CELL = 200
_MAX_WIDTH = 240  # pixels: a long text cell is elided, not the whole table widened


def kind_words(kind: str) -> str:
    """``number`` → ``numbers``: what a column holds, for its header."""
    return _KIND_WORDS.get(kind, kind or "values")


def cell_text(value: Any) -> str:
    """A cell as the person reads it: the number or text itself, ``—`` for empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, int | str):
        text = str(value)
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


class RowsModel(QAbstractTableModel):
    """One page of rows: a list of cell lists, with named, described columns."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._columns: list[tuple[str, str]] = []
        self._rows: list[list[str]] = []
        self._tips: list[list[str]] | None = None  # exact values, when readable
        self._first = 0  # the row number of the first row shown (0-based)
        self._readable: Mapping[str, tuple[str, str]] | None = None

    def set_readable(self, known: Mapping[str, tuple[str, str]] | None = None) -> None:
        """Show later pages for reading: titles (``known``: stored name → the route's
        label and unit) and rounded numbers (see the module docstring)."""
        self._readable = dict(known or {})

    def set_rows(
        self, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], first: int = 0
    ) -> None:
        """``columns`` as (name, kind), ``rows`` as cell sequences in column order."""
        self.beginResetModel()
        self._columns = list(columns)
        if self._readable is None:
            self._rows = [[cell_text(c) for c in row] for row in rows]
            self._tips = None
        else:
            self._rows, self._tips = [], []
            for row in rows:
                shown, exact = [], []
                for c in row:
                    number = number_cell(c)
                    text = number[0] if number else cell_text(c)
                    shown.append(text)
                    exact.append(number[1] if number else text)
                self._rows.append(shown)
                self._tips.append(exact)
        self._first = first
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            rows = self._tips if role == Qt.ItemDataRole.ToolTipRole and self._tips else self._rows
            row = rows[index.row()]
            return row[index.column()] if index.column() < len(row) else "—"
        return None

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation == Qt.Orientation.Vertical:
            return f"{self._first + section + 1:,}" if role == Qt.ItemDataRole.DisplayRole else None
        if not 0 <= section < len(self._columns):
            return None
        name, kind = self._columns[section]
        if self._readable is not None:
            if role == Qt.ItemDataRole.DisplayRole:
                return column_title(name, self._readable)
            if role == Qt.ItemDataRole.ToolTipRole:  # the stored name, one hover away
                return f"{name} · {kind_words(kind)}" if kind else name
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{name}\n{kind_words(kind)}" if kind else name
        return None

    def cell(self, row: int, column: int) -> str:
        return self._rows[row][column]

    def column_headers(self) -> list[str]:
        return [
            str(self.headerData(i, Qt.Orientation.Horizontal)) for i in range(len(self._columns))
        ]


class RowsTable(TableView):
    """A compact, read-only grid over a :class:`RowsModel`."""

    def __init__(self, parent: QWidget | None = None, *, visible_rows: int = 8) -> None:
        super().__init__(parent)
        self.rows_model = RowsModel(self)
        self.setModel(self.rows_model)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ContiguousSelection)
        self.setWordWrap(False)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignLeft)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.fontMetrics().height() * 2 + 10
        self.setFixedHeight(header + visible_rows * (self.fontMetrics().height() + 6) + 4)
        self.setAccessibleName("Table rows")

    def set_rows(
        self, columns: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]], first: int = 0
    ) -> None:
        self.rows_model.set_rows(columns, rows, first)
        # Widths from the text itself: resizeColumnsToContents() asks the model and the
        # style for every cell and took ~40 ms for 20 × 20 cells, a visible stall.
        model, cells, names = self.rows_model, self.fontMetrics(), self.horizontalHeader()
        heads = names.fontMetrics()
        for column in range(model.columnCount()):
            title = str(model.headerData(column, Qt.Orientation.Horizontal) or "")
            width = max((heads.horizontalAdvance(line) for line in title.split("\n")), default=0)
            for row in range(min(model.rowCount(), 30)):
                width = max(width, cells.horizontalAdvance(model.cell(row, column)))
            names.resizeSection(column, min(width + 18, _MAX_WIDTH))
        # Row numbers as wide as the last one on the page ("100" after a page of "51"…"99":
        # the header kept the narrower width and cut it).
        last = f"{first + model.rowCount():,}"
        numbers = self.verticalHeader()
        numbers.setMinimumWidth(numbers.fontMetrics().horizontalAdvance(last) + 12)
        self.scrollToTop()  # a new page is read from its first row


class PagedRows(QWidget):
    """A :class:`RowsTable` with "Rows a–b of N" and Previous / Next."""

    page_requested = Signal(int)  # offset of the first row wanted

    def __init__(self, parent: QWidget | None = None, *, page_size: int = 50) -> None:
        super().__init__(parent)
        self.page_size = page_size
        self.table = RowsTable(self)
        self.range_label = muted(plain_label(self, name="Rows shown"))
        self.previous_button = QPushButton("Previous", self)
        self.previous_button.setAccessibleName("Previous rows")
        self.next_button = QPushButton("Next", self)
        self.next_button.setAccessibleName("Next rows")
        self.previous_button.clicked.connect(self._on_previous_clicked)
        self.next_button.clicked.connect(self._on_next_clicked)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.range_label, 1)
        row.addWidget(self.previous_button)
        row.addWidget(self.next_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.table)
        layout.addLayout(row)
        self._offset = 0
        self._total: int | None = None
        self._has_more = False
        self._reading = False  # a page asked for and not yet shown
        self._update_buttons()

    @property
    def offset(self) -> int:
        return self._offset

    def set_column_titles(self, known: Mapping[str, tuple[str, str]] | None = None) -> None:
        """Show the pages for reading (a run's dataset): see :meth:`RowsModel.set_readable`."""
        self.table.rows_model.set_readable(known)

    def show_page(
        self,
        columns: Sequence[tuple[str, str]],
        rows: Sequence[Sequence[Any]],
        offset: int,
        *,
        total: int | None,
        has_more: bool,
    ) -> None:
        self._offset, self._total, self._has_more = offset, total, has_more
        self._reading = False
        self.table.set_rows(columns, rows, offset)
        if not rows:
            self.range_label.setText("No rows.")
        else:
            last = offset + len(rows)
            of = f" of {total:,}" if total is not None else (" of more" if has_more else "")
            self.range_label.setText(f"Rows {offset + 1:,}–{last:,}{of}")
        self._update_buttons()

    def show_loading(self) -> None:
        """A page is on its way: say so; Previous and Next stay enabled (disabling the one
        just pressed would hand the keyboard focus elsewhere) but ask nothing until it comes."""
        self._reading = True
        self.range_label.setText("Reading rows…")

    @property
    def reading(self) -> bool:
        return self._reading

    def _update_buttons(self) -> None:
        shown = self.table.rows_model.rowCount()
        more = self._offset + shown < self._total if self._total is not None else self._has_more
        wanted = {self.previous_button: self._offset > 0, self.next_button: bool(shown) and more}
        for button, other in (
            (self.previous_button, self.next_button),
            (self.next_button, self.previous_button),
        ):
            # The last page reached with Next from the keyboard: the focus goes to Previous
            # (a disabled button hands it on down the window, to the search box).
            if button.hasFocus() and not wanted[button]:
                (other if wanted[other] else self.table).setFocus()
        for button, enabled in wanted.items():
            button.setEnabled(enabled)

    def _on_previous_clicked(self) -> None:
        if not self._reading:
            self.page_requested.emit(max(0, self._offset - self.page_size))

    def _on_next_clicked(self) -> None:
        if not self._reading:
            self.page_requested.emit(self._offset + self.page_size)
