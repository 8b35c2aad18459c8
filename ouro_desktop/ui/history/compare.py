"""Compare two runs: their inputs side by side with differences marked, and a response diff.

The logic is :mod:`ouro_desktop.core.history_diff` (Qt-free); this is only the dialog.
Differing input rows are bold, carry a "≠" in the first column and a background tinted
from the palette's highlight colour. The responses are shown as a unified diff of their
pretty-printed, key-sorted JSON; ``+`` lines (only in the second run) and ``-`` lines
(only in the first) are tinted too, so the marks and the colours agree in any theme.

The comparison runs in a worker thread: the dialog opens at once and, while it works,
shows a progress bar (after a moment, so a quick comparison does not flicker), the time
it has taken, and Cancel; closing the dialog cancels too. What runs there is a
:data:`CompareJob` -- ``job(a, b, cancelled, progress)`` returning the rows and diff
lines -- :func:`compare_sides` by default, so another comparison (a structural one)
takes its place by passing it in.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal
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
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.history_diff import Row, compare_inputs, display_value, response_diff

__all__ = ["CompareCancelled", "CompareDialog", "CompareJob", "DiffHighlighter", "compare_sides"]

RunSide = tuple[str, dict[str, Any], Any]  # label, inputs, response
Progress = Callable[[float | None, str], None]  # fraction done (None: unknown), what it does
Comparison = tuple[list[Row], list[str]]  # input rows, diff lines of the responses
CompareJob = Callable[[RunSide, RunSide, Callable[[], bool], Progress], Comparison]
MARK = "≠"
SHOW_PROGRESS_AFTER_MS = 300
DIFF_LINES_SHOWN = 20_000  # more would take the text view seconds to lay out


class CompareCancelled(Exception):
    """The comparison was cancelled before it finished."""


def compare_sides(
    a: RunSide, b: RunSide, cancelled: Callable[[], bool], progress: Progress
) -> Comparison:
    """Inputs row by row, then the responses as a text diff (runs in a worker thread)."""
    progress(None, "Comparing the inputs…")
    rows = compare_inputs(a[1], b[1])
    if cancelled():
        raise CompareCancelled
    progress(0.5, "Comparing the answers…")
    lines = response_diff(a[2], b[2], labels=(a[0], b[0]))
    if cancelled():
        raise CompareCancelled
    progress(1.0, "")
    return rows, lines


class _Relay(QObject):
    """Carries the worker's news to the window's thread (signals from a thread queue)."""

    progressed = Signal(object, str)
    finished = Signal(object)
    failed = Signal(object)


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

    def __init__(
        self,
        a: RunSide,
        b: RunSide,
        parent: QWidget | None = None,
        *,
        job: CompareJob = compare_sides,
    ) -> None:
        super().__init__(parent)
        self._labels = (a[0], b[0])
        self.setWindowTitle(f"Compare runs: {a[0]} and {b[0]}")
        self.resize(900, 640)
        self.rows: list[Row] = []
        self.diff_lines: list[str] = []
        self.error: BaseException | None = None
        self._computing = True
        self._cancel = threading.Event()
        self._started = time.monotonic()

        self.summary_label = QLabel("Comparing the two runs…", self)
        self.summary_label.setTextFormat(Qt.TextFormat.PlainText)
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 0)  # busy until the job says how far it is
        self.progress_bar.setTextVisible(False)
        self.progress_label = QLabel(self)
        self.progress_label.setTextFormat(Qt.TextFormat.PlainText)
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop comparing these runs")
        self.cancel_button.clicked.connect(self.cancel)
        for widget in (self.progress_bar, self.progress_label, self.cancel_button):
            widget.hide()
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._on_tick_timeout)
        self._tick.start()

        self.table = QTableWidget(0, 4, self)
        self.table.setHorizontalHeaderLabels([MARK, "Input", a[0], b[0]])
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

        self.diff_view = QPlainTextEdit(self)
        self.diff_view.setReadOnly(True)
        self.diff_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.diff_view.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.diff_view.setAccessibleName("Difference between the responses")
        self.highlighter = DiffHighlighter(self.diff_view.document(), self.palette())

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.diff_view)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 2)
        self._splitter = splitter
        splitter.hide()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress_bar, 1)
        progress_row.addWidget(self.progress_label)
        progress_row.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary_label)
        layout.addLayout(progress_row)
        layout.addWidget(splitter, 1)
        layout.addStretch(0)
        layout.addWidget(buttons)

        self._relay = relay = _Relay(self)
        relay.progressed.connect(self._on_relay_progressed)
        relay.finished.connect(self._on_relay_finished)
        relay.failed.connect(self._on_relay_failed)
        threading.Thread(
            target=self._work, args=(job, a, b), name="compare-runs", daemon=True
        ).start()

    # -- the worker ------------------------------------------------------------------------
    def _work(self, job: CompareJob, a: RunSide, b: RunSide) -> None:
        """In the worker thread: run the job, hand its outcome to the window's thread."""
        relay = self._relay
        try:
            result = job(a, b, self._cancel.is_set, lambda f, t: _emit(relay.progressed, f, t))
        except BaseException as exc:  # noqa: BLE001 - reported in the dialog
            _emit(relay.failed, exc)
        else:
            _emit(relay.finished, result)

    @property
    def computing(self) -> bool:
        """Whether the comparison is still running."""
        return self._computing

    def cancel(self) -> None:
        """Stop comparing (the job sees it at its next check) and say so."""
        if not self._computing:
            return
        self._cancel.set()
        self._stopped("Cancelled: these runs were not compared.")

    def reject(self) -> None:
        self._cancel.set()  # closing the dialog stops the work too
        super().reject()

    def done(self, result: int) -> None:
        self._cancel.set()
        super().done(result)

    def _stopped(self, text: str) -> None:
        self._computing = False
        self._tick.stop()
        for widget in (self.progress_bar, self.progress_label, self.cancel_button):
            widget.hide()
        self.summary_label.setText(text)

    def _on_tick_timeout(self) -> None:
        elapsed = time.monotonic() - self._started
        if elapsed * 1000 >= SHOW_PROGRESS_AFTER_MS and self._computing:
            for widget in (self.progress_bar, self.progress_label, self.cancel_button):
                widget.show()
            self.progress_label.setText(f"{elapsed:.0f} s")

    def _on_relay_progressed(self, fraction: float | None, text: str) -> None:
        if not self._computing:
            return
        if fraction is None:
            self.progress_bar.setRange(0, 0)
        else:
            self.progress_bar.setRange(0, 1000)
            self.progress_bar.setValue(round(1000 * max(0.0, min(1.0, fraction))))
        if text:
            self.summary_label.setText(text)

    def _on_relay_failed(self, exc: BaseException) -> None:
        if isinstance(exc, CompareCancelled) or not self._computing:
            if self._computing:
                self._stopped("Cancelled: these runs were not compared.")
            return
        self.error = exc
        self._stopped(f"These runs could not be compared ({type(exc).__name__}).")

    def _on_relay_finished(self, result: Comparison) -> None:
        if not self._computing:
            return  # cancelled meanwhile: the answer comes too late
        self.show_result(*result)

    def show_result(self, rows: list[Row], diff_lines: list[str]) -> None:
        """Show a finished comparison: the inputs table and the diff of the answers."""
        self.rows, self.diff_lines = rows, diff_lines
        differing = sum(row.differs for row in rows)
        self._stopped(
            f"Inputs: {differing} of {len(rows)} differ. "
            + ("The responses are the same." if not diff_lines else "Responses differ:")
        )
        self.table.setRowCount(len(rows))
        self._fill_table()
        shown = diff_lines[:DIFF_LINES_SHOWN]
        if len(diff_lines) > len(shown):
            shown = [*shown, f"… {len(diff_lines) - len(shown):,} more lines not shown"]
        self.diff_view.setPlainText("\n".join(shown) if shown else "(no differences)")
        self._splitter.show()

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
                item.setToolTip(text if len(text) > 60 or "\n" in text else "")
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


def _emit(signal: Any, *args: Any) -> None:
    """Emit from the worker; the dialog may have been closed and deleted meanwhile."""
    try:
        signal.emit(*args)
    except RuntimeError:  # its C++ object is gone: nobody is waiting for the answer
        pass
