"""Compare two runs: their inputs side by side with differences marked, and a response diff.

The logic is :mod:`ouro_desktop.core.history_diff` (Qt-free); this is only the dialog.
Differing input rows are bold, carry a "≠" in the first column and a background tinted
from the palette's highlight colour. The responses are shown as a unified diff of their
pretty-printed, key-sorted JSON; ``+`` lines (only in the second run) and ``-`` lines
(only in the first) are tinted too, so the marks and the colours agree in any theme.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontDatabase,
    QPalette,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.history_diff import Row, compare_inputs, display_value, response_diff
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["CompareDialog", "DiffHighlighter"]

RunSide = tuple[str, dict[str, Any], Any]  # label, inputs, response
MARK = "≠"


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


class CompareDialog(QDialog):
    """Two runs: an inputs table (≠ marks differing rows) above the diff of responses."""

    MARK_COLUMN, KEY_COLUMN, A_COLUMN, B_COLUMN = range(4)

    def __init__(self, a: RunSide, b: RunSide, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        label_a, inputs_a, response_a = a
        label_b, inputs_b, response_b = b
        self.setWindowTitle(f"Compare runs: {label_a} and {label_b}")
        self.resize(900, 640)
        self.rows: list[Row] = compare_inputs(inputs_a, inputs_b)
        self.diff_lines: list[str] = response_diff(
            response_a, response_b, labels=(label_a, label_b)
        )

        differing = sum(row.differs for row in self.rows)
        self.summary_label = QLabel(self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.summary_label.setText(
            f"Inputs: {differing} of {len(self.rows)} differ. "
            + ("The responses are the same." if not self.diff_lines else "Responses differ:")
        )

        self.table = QTableWidget(len(self.rows), 4, self)
        self.table.setHorizontalHeaderLabels([MARK, "Input", label_a, label_b])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setWordWrap(False)
        self.table.setAccessibleName("Inputs of the two runs")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(self.MARK_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.KEY_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.A_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(self.B_COLUMN, QHeaderView.ResizeMode.Stretch)
        self._fill_table()

        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setAccessibleName("Difference between the responses")
        self.diff_view.setPlainText(
            "\n".join(self.diff_lines) if self.diff_lines else "(no differences)"
        )
        self.highlighter = DiffHighlighter(self.diff_view.document(), self.palette())

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.diff_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)

    def _fill_table(self) -> None:
        tint = _tint(self.palette(), QPalette.ColorRole.Highlight, 55)
        bold = QFont(self.font())
        bold.setBold(True)
        for r, row in enumerate(self.rows):
            cells = [
                MARK if row.differs else "",
                row.key,
                display_value(row.a),
                display_value(row.b),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text.replace("\n", " ⏎ "))
                item.setToolTip(plain_tip(text) if len(text) > 60 or "\n" in text else "")
                if c == self.MARK_COLUMN:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                    item.setToolTip("These inputs differ" if row.differs else "")
                if row.differs:
                    item.setFont(bold)
                    item.setBackground(tint)
                self.table.setItem(r, c, item)

    def differing_keys(self) -> list[str]:
        return [row.key for row in self.rows if row.differs]

    def diff_text(self) -> str:
        return self.diff_view.toPlainText()
