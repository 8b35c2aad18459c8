"""A run's log on its Logs tab: the lines (time, level, message), appended live while the
run goes on, with how many there are above them.

:class:`LogsView` keeps the table pinned to the newest line while the user is at the
bottom (not once they scrolled up to read), says how many lines there are (and how many
are still coming while a long log is read page by page), and copies whole lines. The
lines are kept by :class:`~.logs_model.LogsModel`.

Built for 100,000 lines and more: every line is kept (nothing is hidden), rows have one
height and the Time and Level columns widths from the font (the view never measures
rows), and lines arriving faster than the window paints are added a few milliseconds'
worth a frame (:data:`FRAME_BUDGET_S`), in one insertion each.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtCore import QEvent, Qt, QTimer
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QStackedLayout,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import ActionLog
from ouro_desktop.ui.common.item_views import TableView
from ouro_desktop.ui.history.logs_model import LogsModel, normalize_level

__all__ = ["FRAME_BUDGET_S", "LogsModel", "LogsView", "count_text", "normalize_level"]

FRAME_MS = 16
# What adding lines may take of a frame (the rest is the window's: painting, input).
FRAME_BUDGET_S = 0.006
_CHUNK = 250  # lines staged between two looks at the clock


def count_text(shown: int, total: int | None, loading: bool) -> str:
    """``12,345 lines``, or ``Reading the log: 5,000 of 100,002 lines…``."""
    if loading:
        known = f" of {total:,}" if total is not None and total > shown else ""
        return f"Reading the log: {shown:,}{known} lines…"
    return f"{shown:,} line{'s' if shown != 1 else ''}"


class _LinesTable(TableView):
    """The lines' table; Ctrl+C copies whole lines (the view's own copies one cell).

    A key handler, not an event filter: a filter would call into Python for every event
    the table gets, this only for key presses."""

    def __init__(self, parent: QWidget, copy: Callable[[], object]) -> None:
        super().__init__(parent)
        self._copy = copy

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt API
        if event.matches(QKeySequence.StandardKey.Copy):
            self._copy()
            event.accept()
            return
        super().keyPressEvent(event)


class LogsView(QWidget):
    """The log lines (with how many there are above them), or a note while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Lines received but not shown yet, a page at a time (the first partly taken),
        # each with its first line's place in the log (None: after the lines before).
        self._pending: deque[tuple[int | None, list[ActionLog]]] = deque()
        self._pending_count = 0
        self._taken = 0  # lines of the first pending page already staged
        self._flushed_at = -1.0  # when lines were last added (perf_counter)
        self._total: int | None = None
        self._loading = False
        self._follow = False  # keep to the newest line once the pending lines are in
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FRAME_MS)
        self._flush_timer.timeout.connect(self._flush)
        self.model = LogsModel(self)
        # A table, not a tree: a tree lays out every row again on each insert, while
        # fixed-height table rows cost the same for 100,000 lines as for 100.
        self.list = _LinesTable(self, self.copy_selected)
        self.list.setModel(self.model)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.setAlternatingRowColors(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTabKeyNavigation(False)
        self.list.setAccessibleName("Run log")
        rows = self.list.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 6)
        header = self.list.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        # Widths from the font: ResizeToContents would measure every row on each insert.
        metrics = self.fontMetrics()
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        self._set_widths(
            [
                metrics.horizontalAdvance(sample) + extra + 24
                for sample, extra in (("00:00:00", 0), ("WARNING", icon + 6))
            ]
        )
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Log line count")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label = QLabel("No log lines yet.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        lines_page = QWidget(self)
        layout = QVBoxLayout(lines_page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(self.count_label)
        layout.addWidget(self.list, 1)
        self._lines_page = lines_page
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(lines_page)
        self.model.set_palette(self.palette())

    def _set_widths(self, widths: list[int]) -> None:
        """The Time and Level columns' widths (the user may change them)."""
        header = self.list.horizontalHeader()
        for column, width in enumerate(widths):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)

    def _clear_model(self) -> None:
        """The model emptied (it resets: see LogsModel.clear), the columns as they were."""
        header = self.list.horizontalHeader()
        widths = [header.sectionSize(column) for column in (0, 1)]
        self.model.clear()
        self._set_widths(widths)

    def set_logs(
        self, lines: Iterable[ActionLog], *, total: int | None = None, loading: bool = False
    ) -> None:
        """Show ``lines`` (the log's first ones) instead of any before; ``total`` (when
        known) and ``loading`` (more pages are being read) for the count above them."""
        self._drop_pending()
        self._clear_model()
        self._total, self._loading = total, loading
        self._flushed_at = -1.0  # another log: its first lines show at once
        self._add(list(lines), 0, follow=True)
        self.list.scrollToBottom()

    def append_logs(
        self,
        lines: Iterable[ActionLog],
        *,
        first: int | None = None,
        total: int | None = None,
        loading: bool | None = None,
    ) -> None:
        """Append new lines (a few milliseconds' worth a frame; the rest follow); stays at
        the newest line if the view was showing it. ``first``: the place in the log of the
        first of them (the offset its page was read from), so that lines shown already
        are not shown again (None: they follow the lines before)."""
        if total is not None:
            self._total = total
        if loading is not None:
            self._loading = loading
        self._add(list(lines), first, follow=self.is_at_bottom())

    def set_loading(self, loading: bool, total: int | None = None) -> None:
        """Whether more of the log is being read (for the count above the lines)."""
        self._loading = loading
        if total is not None:
            self._total = total
        self._sync()

    def pending(self) -> int:
        """Lines received but not added yet (they follow in the next frames)."""
        return self._pending_count

    def _add(self, lines: list[ActionLog], first: int | None, *, follow: bool) -> None:
        # A few lines with none waiting go in at once, as does anything when nothing was
        # added this frame yet; the rest waits for the next frames.
        at_once = not self._pending_count and len(lines) <= _CHUNK
        if lines:
            self._pending.append((first, lines))
            self._pending_count += len(lines)
            self._follow = self._follow or follow
        if not self._pending_count:
            self._sync()
        elif at_once or time.perf_counter() - self._flushed_at >= FRAME_MS / 1000:
            self._flush()
        elif not self._flush_timer.isActive():
            self._flush_timer.start()

    def _flush(self) -> None:
        """Stage pending lines for :data:`FRAME_BUDGET_S`, then show them at once."""
        follow = self._follow or self.is_at_bottom()
        deadline = time.perf_counter() + FRAME_BUDGET_S
        model, pending = self.model, self._pending
        while pending:
            first, page = pending[0]
            chunk = page[self._taken : self._taken + _CHUNK]
            model.stage(chunk, None if first is None else first + self._taken)
            self._taken += len(chunk)
            self._pending_count -= len(chunk)
            if self._taken >= len(page):
                pending.popleft()
                self._taken = 0
            if time.perf_counter() >= deadline:
                break
        added = model.commit()
        self._flushed_at = time.perf_counter()
        if not pending:
            self._flush_timer.stop()
            self._follow = False
        elif not self._flush_timer.isActive():
            self._flush_timer.start()
        self._sync()
        if added and follow:
            self.list.scrollToBottom()

    def _drop_pending(self) -> None:
        self._pending.clear()
        self._pending_count = self._taken = 0
        self._flush_timer.stop()
        self._follow = False

    def clear(self) -> None:
        self._drop_pending()
        self._total, self._loading = None, False
        self._clear_model()
        self._sync()

    def is_at_bottom(self) -> bool:
        bar = self.list.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _sync(self) -> None:
        shown = self.model.rowCount()
        waiting = self._loading or bool(self._pending_count)
        self.count_label.setText(count_text(shown, self._total, waiting))
        self.empty_label.setText("Reading the log…" if waiting else "No log lines yet.")
        self._stack.setCurrentWidget(self._lines_page if shown else self.empty_label)

    def copy_selected(self) -> str:
        """The selected lines (all lines when none is selected) to the clipboard."""
        rows = sorted({i.row() for i in self.list.selectionModel().selectedRows()})
        text = "\n".join(self.model.line_text(r) for r in rows) if rows else self.model.text()
        QGuiApplication.clipboard().setText(text)
        return text

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_palette(self.palette())
        super().changeEvent(event)
