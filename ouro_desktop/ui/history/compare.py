"""Compare two runs: a table of their inputs and results side by side, labelled like the
route's page, differing rows marked, numeric changes given in the unit and in percent.

The comparison itself is Qt-free (:func:`ouro_desktop.core.run_compare.compare_runs`) and
runs in a worker; the controller feeds this dialog: :meth:`CompareDialog.show_comparison`
when it is done, :meth:`~CompareDialog.show_cancelled` after Cancel. While it works the
dialog shows a busy bar and Cancel (``cancel_requested``); closing the dialog cancels too.

A differing row carries "≠" in its own column and reads in bold (never colour alone); a
background tint from the palette's highlight colour helps the eye. "Only differences"
hides the rest. "Show as JSON" swaps in the line diff of the two answers' JSON (only for
answers small enough for a text diff; the table compares any size), with ``+``/``-``
lines tinted as well.
"""

from __future__ import annotations

import heapq
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QCloseEvent,
    QColor,
    QFont,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.run_compare import INPUTS, CompareRow, Comparison
from ouro_desktop.ui.common.item_views import TableView
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["MARK", "NARROWEST", "CompareDialog", "CompareModel", "DiffHighlighter", "short_labels"]

MARK = "≠"
NARROWEST = 120  # px: how narrow a run's column may get to leave the note its room
Index = QModelIndex | QPersistentModelIndex


def _tint(palette: QPalette, role: QPalette.ColorRole, alpha: int) -> QBrush:
    color = QColor(palette.color(role))
    color.setAlpha(alpha)
    return QBrush(color)


class DiffHighlighter(QSyntaxHighlighter):
    """Tints ``+`` and ``-`` lines of a unified diff; headers and hunks are muted."""

    def __init__(self, document: QTextDocument, palette: QPalette) -> None:
        super().__init__(document)
        self.added = QTextCharFormat()
        self.added.setBackground(_tint(palette, QPalette.ColorRole.Highlight, 70))
        self.removed = QTextCharFormat()
        self.removed.setBackground(_tint(palette, QPalette.ColorRole.Mid, 110))
        self.muted = QTextCharFormat()
        self.muted.setForeground(palette.brush(QPalette.ColorRole.PlaceholderText))

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt API
        if text.startswith(("+++", "---", "@@")):
            self.setFormat(0, len(text), self.muted)
        elif text.startswith("+"):
            self.setFormat(0, len(text), self.added)
        elif text.startswith("-"):
            self.setFormat(0, len(text), self.removed)


def short_labels(labels: tuple[str, str]) -> tuple[str, str]:
    """Two runs of one route are told apart by what follows its name ("07:30:49"): the
    dialog's title names the route, and the columns stay as wide as their values."""
    a, b = labels
    route_a, _, rest_a = a.rpartition(" ")
    route_b, _, rest_b = b.rpartition(" ")

    def is_time(text: str) -> bool:
        return any(char.isdigit() for char in text)

    if route_a and route_a == route_b and rest_a != rest_b and is_time(rest_a + rest_b):
        return f"Run at {rest_a}", f"Run at {rest_b}"
    return labels  # other routes, or "Run A" and "Run B" (two runs started the same second)


class CompareModel(QAbstractTableModel):
    """Rows of a :class:`Comparison`, with a heading row before Inputs and Results.

    "Only differences" is the model's own filter (:meth:`set_only_differences`), not a
    proxy's: a proxy doubles the calls into Python for every cell Qt paints. A cell's
    text and the roles Qt asks for are answered from tuples made once per comparison."""

    MARK_COLUMN, LABEL_COLUMN, A_COLUMN, B_COLUMN, CHANGE_COLUMN, PCT_COLUMN, NOTE_COLUMN = range(7)
    DiffersRole = Qt.ItemDataRole.UserRole + 1
    HeadingRole = Qt.ItemDataRole.UserRole + 2

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._all: list[CompareRow | str] = []  # a str is a section heading
        self._rows: list[CompareRow | str] = []  # those shown
        self._cells: list[tuple[str, ...]] = []  # each shown row's seven texts
        self._only = False
        self._labels = ("First run", "Second run")
        self._tint = QBrush()
        self._bold = QFont()
        self._bold.setBold(True)

    def set_comparison(self, comparison: Comparison, labels: tuple[str, str], tint: QBrush):
        self.beginResetModel()
        self._labels, self._tint = labels, tint
        self._all = []
        section = ""
        for row in comparison.rows:
            if row.kind != "more" and row.section != section:
                section = row.section
                self._all.append("Inputs" if section == INPUTS else "Results")
            self._all.append(row)
        self._filter()
        self.endResetModel()

    def set_only_differences(self, only: bool) -> None:
        if only == self._only:
            return
        self.beginResetModel()
        self._only = only
        self._filter()
        self.endResetModel()

    def _filter(self) -> None:
        only = self._only
        self._rows = [r for r in self._all if not only or isinstance(r, str) or r.differs]
        self._cells = [_cells(r) for r in self._rows]

    def row_at(self, row: int) -> CompareRow | None:
        found = self._rows[row] if 0 <= row < len(self._rows) else None
        return found if isinstance(found, CompareRow) else None

    def shown(self) -> list[tuple[CompareRow | str, tuple[str, ...]]]:
        """The rows shown and their cells' texts (for fitting the columns)."""
        return list(zip(self._rows, self._cells, strict=True))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt API
        return 0 if parent.isValid() else 7

    def headerData(  # noqa: N802 - Qt API
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            names = (MARK, "Value", *short_labels(self._labels), "Change", "Change (%)", "Note")
            return names[section] if 0 <= section < len(names) else None
        if role == Qt.ItemDataRole.ToolTipRole and section == self.MARK_COLUMN:
            return "≠ marks the rows where the two runs differ"
        if role == Qt.ItemDataRole.ToolTipRole and section in (self.A_COLUMN, self.B_COLUMN):
            return plain_tip(self._labels[section - self.A_COLUMN])
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # Called for every role of every cell painted: the common answers come first, and
        # roles are compared as plain ints (an enum comparison costs more than the rest).
        role = int(role)
        row = index.row()
        if role == _DISPLAY:
            return self._cells[row][index.column()] if 0 <= row < len(self._cells) else None
        if role not in _ANSWERED or not 0 <= row < len(self._rows):
            return None
        entry = self._rows[row]
        column = index.column()
        if isinstance(entry, str):  # a section heading
            if role == _FONT:
                return self._bold
            return True if role == _HEADING else None
        if role == _FONT:
            return self._bold if entry.differs else None
        if role == _BACKGROUND:
            return self._tint if entry.differs else None
        if role == _ALIGNMENT:
            return _CENTRE if column == self.MARK_COLUMN else None
        if role == _DIFFERS:
            return entry.differs
        if role == _HEADING:
            return False
        return self._tip(entry, column)  # ToolTipRole

    def _tip(self, entry: CompareRow, column: int) -> str | None:
        if column == self.A_COLUMN and entry.a_exact and entry.a_exact != entry.a:
            return plain_tip(f"Exact value: {entry.a_exact[:2000]}")
        if column == self.B_COLUMN and entry.b_exact and entry.b_exact != entry.b:
            return plain_tip(f"Exact value: {entry.b_exact[:2000]}")
        if column == self.MARK_COLUMN and entry.differs:
            return "The two runs differ here"
        text = _raw_cells(entry)[column]
        return plain_tip(text) if column != self.MARK_COLUMN and text else None  # in full

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if isinstance(self._rows[index.row()], str):
            return _HEADING_FLAGS
        return _ROW_FLAGS

    def row_text(self, row: int) -> str:
        entry = self._rows[row]
        if isinstance(entry, str):
            return entry
        cells = [entry.label, entry.a_exact or entry.a, entry.b_exact or entry.b]
        cells += [entry.change, entry.change_pct, entry.note]
        return "\t".join(cells)


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_DIFFERS = int(CompareModel.DiffersRole)
_HEADING = int(CompareModel.HeadingRole)
_ANSWERED = frozenset({_FONT, _BACKGROUND, _ALIGNMENT, _TOOLTIP, _DIFFERS, _HEADING})
_CENTRE = int(Qt.AlignmentFlag.AlignCenter.value)
_HEADING_FLAGS = Qt.ItemFlag.ItemIsEnabled
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def _raw_cells(row: CompareRow) -> tuple[str, ...]:
    return (
        MARK if row.differs else "",
        row.label,
        row.a,
        row.b,
        row.change,
        row.change_pct,
        row.note,
    )


def _cells(row: CompareRow | str) -> tuple[str, ...]:
    """A row's seven texts as shown (a heading names its section in the label column)."""
    if isinstance(row, str):
        return ("", row, "", "", "", "", "")
    return tuple(text.replace("\n", " ⏎ ") for text in _raw_cells(row))


# Widest a column is made to fit its text (absent: as wide as its text). The note is read
# whole: when the dialog is narrow the runs' columns give way to it (see _set_shares).
_CAPS: dict[int, int] = {
    CompareModel.LABEL_COLUMN: 320,
    CompareModel.A_COLUMN: 240,
    CompareModel.B_COLUMN: 240,
    CompareModel.NOTE_COLUMN: 280,
}
_MEASURED = 12  # longest texts of a column measured, in each of plain and bold rows
_PAD = 8  # px around a cell's text: the style's margins and the grid line, as Qt counts them


def _text_width(
    column: int, rows: list[tuple[CompareRow | str, tuple[str, ...]]], font: QFont
) -> int:
    """The widest of a column's texts, in px (bold for differing rows and headings)."""
    bold_font = QFont(font)
    bold_font.setBold(True)
    plain: set[str] = set()
    bold: set[str] = set()
    for row, cells in rows:
        text = cells[column]
        if text:
            (bold if isinstance(row, str) or row.differs else plain).add(text)
    widest = 0
    for texts, used in ((plain, font), (bold, bold_font)):
        metrics = QFontMetrics(used)
        for text in heapq.nlargest(_MEASURED, texts, key=len):
            widest = max(widest, metrics.horizontalAdvance(text))
    return widest + _PAD if widest else 0


class CompareDialog(QDialog):
    """Two runs side by side (see the module docstring)."""

    cancel_requested = Signal()

    def __init__(self, labels: tuple[str, str], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.labels = labels
        self.setWindowTitle(f"Compare runs: {labels[0]} and {labels[1]}")
        self.resize(980, 640)
        self.comparison: Comparison | None = None
        self.diff_lines: list[str] | None = None
        self.computing = True

        self.summary_label = QLabel("Comparing the two runs…", self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setWordWrap(True)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)  # busy: a comparison's length is not known ahead
        self.progress.setMaximumHeight(12)
        self.progress.setTextVisible(False)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._on_cancel_button_clicked)

        self.model = CompareModel(self)
        self.table = TableView(self)
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("The two runs side by side")
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._on_table_context_menu_requested)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # Two routes' runs are headed "route 04:36:44": a narrow column cut the heading at
        # both ends ("structure-report 04:"), naming neither run. The middle gives way.
        header.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self._natural: list[int] = []  # the columns' widths before fitting the table's width
        self._sharing, self._shared_for = False, -1
        self.table.viewport().installEventFilter(self)

        # The JSON diff's view is made when first asked for ("Show as JSON"): most
        # comparisons are read as the table, and making it cost the dialog's first turn.
        self.diff_view: QPlainTextEdit | None = None
        self.highlighter: DiffHighlighter | None = None
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.table)

        self.only_differences = QCheckBox("Only differences", self)
        self.only_differences.toggled.connect(self._on_only_differences_toggled)
        self.json_button = QPushButton("Show as JSON", self)
        self.json_button.setCheckable(True)
        self.json_button.setToolTip("The answers' JSON, line by line, as a text diff")
        self.json_button.toggled.connect(self._on_json_button_toggled)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.cancel_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.only_differences)
        bottom.addStretch(1)
        bottom.addWidget(self.json_button)
        bottom.addWidget(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)
        self._set_busy(True)

    # -- fed by the controller ---------------------------------------------------------------
    def show_comparison(self, comparison: Comparison, diff_lines: list[str]) -> None:
        self.comparison, self.diff_lines = comparison, list(diff_lines)
        tint = _tint(self.palette(), QPalette.ColorRole.Highlight, 55)
        self.model.set_comparison(comparison, self.labels, tint)
        self.table.setCurrentIndex(QModelIndex())  # no focus frame on the first heading
        self._fit_columns()
        if self.diff_view is not None:
            self.diff_view.setPlainText(self._diff_text())
        inputs = [r for r in comparison.rows if r.section == INPUTS and r.kind != "more"]
        differing_inputs = sum(r.differs for r in inputs)
        results = comparison.differing - differing_inputs
        parts = [f"Inputs: {differing_inputs} of {len(inputs)} differ."]
        if results:
            parts.append(f"Results: {results} value{'s' if results != 1 else ''} differ.")
        else:
            parts.append("The results are the same.")
        self.summary_label.setText(" ".join(parts))
        self._set_busy(False)

    def show_cancelled(self) -> None:
        self.summary_label.setText("The comparison was cancelled.")
        self._set_busy(False)

    def show_failed(self, message: str) -> None:
        self.summary_label.setText(f"The runs could not be compared: {message}")
        self._set_busy(False)

    # -- reading it (tests, accessibility) ---------------------------------------------------------
    def rows(self) -> list[CompareRow]:
        return list(self.comparison.rows) if self.comparison is not None else []

    def differing_labels(self) -> list[str]:
        return [row.label for row in self.rows() if row.differs]

    def differing_keys(self) -> list[str]:
        """The differing rows' paths (``body.formula``, ``molar_mass``)."""
        return [row.path for row in self.rows() if row.differs]

    def diff_text(self) -> str:
        return self.diff_view.toPlainText() if self.diff_view is not None else self._diff_text()

    def _diff_text(self) -> str:
        return "\n".join(self.diff_lines) if self.diff_lines else "(no differences)"

    def shown_row(self, label: str) -> int:
        """The table row (as shown) of the row labelled ``label``; -1 when hidden."""
        for row in range(self.model.rowCount()):
            if self.model.index(row, CompareModel.LABEL_COLUMN).data() == label:
                return row
        return -1

    # -- internals -------------------------------------------------------------------------
    def _set_busy(self, busy: bool) -> None:
        self.computing = busy
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.json_button.setEnabled(not busy and self.diff_lines is not None)
        self.only_differences.setEnabled(not busy)

    def _fit_columns(self) -> None:
        """Each column as wide as its widest text (or its title), within its cap.

        Measured here, not by ``resizeColumnsToContents``: Qt asks the model for every role
        of up to 1,000 rows a column -- tens of thousands of calls into Python, 30 ms for
        83 rows. The widest text of a column is among its longest: only the
        :data:`_MEASURED` longest of each column are measured (bold where the row is)."""
        shown, font = self.model.shown(), self.table.font()
        header = self.table.horizontalHeader()
        widths = []
        for column in range(self.model.columnCount()):
            natural = max(_text_width(column, shown, font), header.sectionSizeHint(column))
            cap = _CAPS.get(column)
            widths.append(min(natural, cap) if cap else natural)
        # The note ("lists differ from item 3 on") is read whole: the runs' columns give
        # way (down to NARROWEST) before it is cut; a cut value reads in full on hover.
        self._natural = widths
        for column in (CompareModel.MARK_COLUMN, CompareModel.CHANGE_COLUMN):
            self.table.setColumnWidth(column, widths[column])
        self.table.setColumnWidth(CompareModel.PCT_COLUMN, widths[CompareModel.PCT_COLUMN])
        # The note is the stretched last column: without room to stretch into, Qt gives it
        # the width it was last set to -- 100 px unless told -- which the shares below do
        # not count: the table scrolled sideways for an empty note.
        self.table.setColumnWidth(CompareModel.NOTE_COLUMN, widths[CompareModel.NOTE_COLUMN])
        self._share_width()

    def _share_width(self) -> None:
        """Fit the natural column widths into the table's width (again when it resizes)."""
        widths = self._natural
        if not widths or self._sharing:
            return  # (setting a width may show a scroll bar, which resizes the viewport)
        self._sharing = True
        try:
            self._set_shares(widths)
        finally:
            self._sharing = False

    def _set_shares(self, widths: list[int]) -> None:
        room = self.table.viewport().width() - self.table.verticalScrollBar().sizeHint().width()
        over = sum(widths) - room
        for column in (CompareModel.LABEL_COLUMN, CompareModel.A_COLUMN, CompareModel.B_COLUMN):
            self.table.setColumnWidth(column, widths[column])
        runs = (CompareModel.A_COLUMN, CompareModel.B_COLUMN)
        for columns in (runs, (CompareModel.LABEL_COLUMN,)):
            share = -(-over // len(columns))  # the two runs' columns give way alike
            for column in columns:
                give = min(share, over, widths[column] - NARROWEST)
                if give > 0:
                    self.table.setColumnWidth(column, widths[column] - give)
                    over -= give
            if over <= 0:
                break

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.table.viewport() and event.type() == QEvent.Type.Resize:
            if self.table.viewport().width() != self._shared_for:
                self._shared_for = self.table.viewport().width()
                self._share_width()
        return super().eventFilter(watched, event)

    def _on_cancel_button_clicked(self) -> None:
        self.summary_label.setText("Cancelling…")
        self.cancel_button.setEnabled(False)
        self.cancel_requested.emit()

    def _on_only_differences_toggled(self, on: bool) -> None:
        self.model.set_only_differences(on)

    def _on_json_button_toggled(self, on: bool) -> None:
        self.json_button.setText("Show as table" if on else "Show as JSON")
        self.stack.setCurrentWidget(self._json_view() if on else self.table)
        self.only_differences.setVisible(not on)

    def _json_view(self) -> QPlainTextEdit:
        if self.diff_view is None:
            view = QPlainTextEdit(self)
            view.setReadOnly(True)
            view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
            view.setAccessibleName("Difference between the answers as JSON")
            self.highlighter = DiffHighlighter(view.document(), self.palette())
            view.setPlainText(self._diff_text())
            self.stack.addWidget(view)
            self.diff_view = view
        return self.diff_view

    def _on_table_context_menu_requested(self, pos: QPoint) -> None:
        rows = sorted({i.row() for i in self.table.selectedIndexes()})
        menu = QMenu(self)
        if rows:
            menu.addAction("Copy rows", lambda: self._copy(rows))
        menu.addAction("Copy the table", lambda: self._copy(list(range(self.model.rowCount()))))
        menu.exec(self.table.viewport().mapToGlobal(pos))

    def _copy(self, rows: list[int]) -> None:
        QGuiApplication.clipboard().setText("\n".join(self.model.row_text(r) for r in rows))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt API
        if self.computing:
            self.cancel_requested.emit()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        if self.computing:
            self.cancel_requested.emit()
        super().done(result)
