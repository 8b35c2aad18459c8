"""The batch window: one row per file, counts, and what can be done with the batch.

The file names are the table's row headers (:mod:`.file_header`), so a wide table
scrolled to the right still says which file each row is.

Pause / Resume, Cancel the rest and Retry failed act on the running batch; Export CSV…,
Save outputs… and Save provenance… on what it has produced. It holds no client: every
button is a signal for :class:`~ouro_desktop.ui.batch.batch_controller.BatchController`.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal, SignalInstance
from PySide6.QtGui import QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.batch_store import BatchState
from ouro_desktop.ui.batch.batch_model import BatchTableModel
from ouro_desktop.ui.batch.file_header import FileRowHeaders
from ouro_desktop.ui.common.item_views import TableView
from ouro_desktop.ui.common.labels import muted, plain_label
from ouro_desktop.ui.common.shortcuts import shortcut_keys

__all__ = ["BatchView"]


class BatchView(QWidget):
    pause_requested = Signal()
    resume_requested = Signal()
    cancel_requested = Signal()
    retry_requested = Signal()
    export_requested = Signal()
    outputs_requested = Signal()
    provenance_requested = Signal()
    run_activated = Signal(str)  # local id of the file's run (to show it in the history)
    quit_requested = Signal()  # the app's Quit keys, pressed here

    def __init__(self, parent: QWidget | None = None) -> None:
        # A window of its own, not kept above the main window (the history there shows a
        # file's run); it never keeps the app running once the main window is closed.
        super().__init__(parent, Qt.WindowType.Window)
        self.setAttribute(Qt.WidgetAttribute.WA_QuitOnClose, False)
        self.setWindowTitle("Batch — Ouro Desktop")
        self.resize(1000, 560)
        self.title_label = plain_label(self, name="Batch")
        font = self.title_label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title_label.setFont(font)
        self.counts_label = plain_label(self, name="Progress")
        self.progress = QProgressBar(self)
        self.progress.setAccessibleName("Files finished")
        self.notice_label = muted(plain_label(self, name="Notice"))
        self.notice_label.setWordWrap(True)

        def button(text: str, tip: str, signal: SignalInstance) -> QPushButton:
            b = QPushButton(text, self)
            b.setToolTip(tip)
            b.clicked.connect(signal)
            return b

        self.pause_button = button(
            "Pause", "Send no more files for now (runs already sent finish)", self.pause_requested
        )
        self.resume_button = button("Resume", "Go on sending files", self.resume_requested)
        self.cancel_button = button(
            "Cancel the rest",
            "Files not sent yet are never sent (runs already sent finish)",
            self.cancel_requested,
        )
        self.retry_button = button(
            "Retry failed", "Send each failed file once more (a new run each)", self.retry_requested
        )
        self.export_button = button(
            "Export CSV…", "Save this table as a CSV file (exact values)", self.export_requested
        )
        self.outputs_button = button(
            "Save outputs…",
            "Download every output file into a folder, named after its input",
            self.outputs_requested,
        )
        self.provenance_button = button(
            "Save provenance…",
            "Save the record of every run of this batch as one JSON file",
            self.provenance_requested,
        )
        self.model = BatchTableModel(self)
        self.table = TableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Files of the batch")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setDefaultSectionSize(130)
        self.table.doubleClicked.connect(self._on_table_double_clicked)
        # The file names as row headers: still in view when the table is scrolled right.
        self.file_headers = FileRowHeaders(self.table)

        top = QHBoxLayout()
        top.addWidget(self.counts_label, 1)
        top.addWidget(self.progress)
        actions = QHBoxLayout()
        for b in (self.pause_button, self.resume_button, self.cancel_button, self.retry_button):
            actions.addWidget(b)
        actions.addStretch(1)
        for b in (self.export_button, self.outputs_button, self.provenance_button):
            actions.addWidget(b)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title_label)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.notice_label)
        for sequence in shortcut_keys("quit"):
            shortcut = QShortcut(sequence, self)
            shortcut.activated.connect(self.quit_requested)

    def fit_columns(self) -> None:
        """Every column wide enough for its values (a long label is cut, in full on hover),
        so the answer's columns fit side by side."""
        table, header = self.table, self.table.horizontalHeader()
        metrics = table.fontMetrics()
        last = self.model.columnCount() - 1
        for column in range(last):
            widest = max(
                (
                    metrics.horizontalAdvance(
                        str(self.model.data(self.model.index(r, column)) or "")
                    )
                    for r in range(min(50, self.model.rowCount()))
                ),
                default=0,
            )
            shown = str(self.model.headerData(column, Qt.Orientation.Horizontal) or "")
            label = max(metrics.horizontalAdvance(line) for line in shown.split("\n"))
            wanted = max(widest + 24, min(label + 16, 200), 70)
            header.resizeSection(column, min(wanted, 220 if column == 0 else 200))

    def place_over(self, window: QWidget) -> None:
        """Over the main window, a little smaller, on the same screen."""
        frame = window.frameGeometry()
        width = max(640, int(frame.width() * 0.9))
        height = max(360, int(frame.height() * 0.8))
        self.resize(width, height)
        self.move(
            frame.x() + (frame.width() - width) // 2, frame.y() + (frame.height() - height) // 2
        )

    def set_title(self, text: str) -> None:
        self.title_label.setText(text)
        self.setWindowTitle(f"{text} — Ouro Desktop")

    def show_counts(self, counts: dict[str, int], state: BatchState, total: int) -> None:
        finished = counts["done"] + counts["failed"] + counts["cancelled"]
        parts = [f"{counts['done']} of {total} done"]
        if counts["active"]:
            parts.append(f"{counts['active']} on their way")
        if counts["waiting"]:
            parts.append(f"{counts['waiting']} waiting")
        if counts["failed"]:
            parts.append(f"{counts['failed']} failed")
        if counts["cancelled"]:
            parts.append(f"{counts['cancelled']} cancelled")
        prefix = {
            BatchState.PAUSED: "Paused · ",
            BatchState.CANCELLED: "Cancelled · ",
            BatchState.DONE: "Finished · ",
        }.get(state, "")
        self.counts_label.setText(prefix + " · ".join(parts))
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(finished)
        running = state is BatchState.RUNNING
        self.pause_button.setEnabled(running and bool(counts["waiting"]))
        self.resume_button.setEnabled(state is BatchState.PAUSED)
        self.cancel_button.setEnabled(
            state in (BatchState.RUNNING, BatchState.PAUSED) and bool(counts["waiting"])
        )
        self.retry_button.setEnabled(bool(counts["failed"]))
        self.outputs_button.setEnabled(bool(counts["done"]))
        self.export_button.setEnabled(total > 0)

    def show_notice(self, text: str) -> None:
        self.notice_label.setText(text)

    def _on_table_double_clicked(self, index: object) -> None:
        row = self.model.row(index.row())  # type: ignore[attr-defined]
        if row.local_id:
            self.run_activated.emit(row.local_id)
