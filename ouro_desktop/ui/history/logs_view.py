"""A run's log lines: time, level and message, appended live while the run goes on.

:class:`LogsModel` is a three-column list model (lines are only ever appended, and a line
already shown is skipped by its id, so fetching a page twice does no harm). Warnings and
errors stand out with the style's warning/critical icon, bold text and, for errors, a
background tinted from the palette's highlight colour: readable in light and dark themes.
:class:`LogsView` keeps the view pinned to the newest line while the user is at the bottom,
and says above the lines how many there are (and how many are still coming while a long
log is read page by page).

Built for 100,000 lines and more: every line is kept (nothing is hidden), the Time and
Level columns have widths from the font (the view never measures rows), and lines
arriving faster than the window paints are added at most :data:`LINES_PER_FRAME` a frame.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QKeyEvent,
    QKeySequence,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QLabel,
    QStackedLayout,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import ActionLog
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["LINES_PER_FRAME", "LogsModel", "LogsView", "count_text", "normalize_level"]

Index = QModelIndex | QPersistentModelIndex
LINES_PER_FRAME = 2000
FRAME_MS = 16


def count_text(shown: int, total: int | None, loading: bool) -> str:
    """``12,345 lines``, or ``Reading the log: 5,000 of 100,002 lines…``."""
    if loading:
        known = f" of {total:,}" if total is not None and total > shown else ""
        return f"Reading the log: {shown:,}{known} lines…"
    return f"{shown:,} line{'s' if shown != 1 else ''}"


def normalize_level(level: str) -> str:
    """``info`` / ``warning`` / ``error`` / ``debug`` from what a server or service wrote."""
    text = (level or "").strip().lower()
    if text in ("warn", "warning"):
        return "warning"
    if text in ("error", "err", "critical", "fatal", "exception"):
        return "error"
    if text in ("debug", "trace"):
        return "debug"
    return "info"


def _time_text(when: datetime | None) -> str:
    if when is None:
        return ""
    local = when.astimezone() if when.tzinfo is not None else when
    return local.strftime("%H:%M:%S")


class LogsModel(QAbstractTableModel):
    """Time, level and message of each line, in arrival order."""

    LevelRole = Qt.ItemDataRole.UserRole + 1  # "info" / "warning" / "error" / "debug"
    TIME, LEVEL, MESSAGE = range(3)
    _HEADERS = ("Time", "Level", "Message")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._lines: list[ActionLog] = []
        self._levels: list[str] = []
        self._ids: set[str] = set()
        self._palette = QGuiApplication.palette()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        if self._lines:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._lines) - 1, 2))

    def clear(self) -> None:
        self.beginResetModel()
        self._lines, self._levels, self._ids = [], [], set()
        self.endResetModel()

    def append(self, lines: Iterable[ActionLog]) -> int:
        """Add the lines not seen yet; return how many were added."""
        fresh = []
        for line in lines:
            if line.id and line.id in self._ids:
                continue
            if line.id:
                self._ids.add(line.id)
            fresh.append(line)
        if fresh:
            start = len(self._lines)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._lines.extend(fresh)
            self._levels.extend(normalize_level(line.level) for line in fresh)
            self.endInsertRows()
        return len(fresh)

    def lines(self) -> list[ActionLog]:
        return list(self._lines)

    def text(self) -> str:
        """All lines as plain text, one a line (for copying)."""
        return "\n".join(self.line_text(row) for row in range(len(self._lines)))

    def line_text(self, row: int) -> str:
        line = self._lines[row]
        return f"{_time_text(line.created_at)}  {self._levels[row].upper():7}  {line.message}"

    # -- Qt API ------------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else 3

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._lines):
            return None
        line = self._lines[index.row()]
        level = self._levels[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.TIME:
                return _time_text(line.created_at)
            if column == self.LEVEL:
                return level.upper()
            return line.message.replace("\n", " ⏎ ")
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == self.TIME and line.created_at is not None:
                return line.created_at.astimezone().isoformat(sep=" ", timespec="seconds")
            return plain_tip(line.message) if column == self.MESSAGE else None
        if role == Qt.ItemDataRole.DecorationRole and column == self.LEVEL:
            icon = {
                "warning": QStyle.StandardPixmap.SP_MessageBoxWarning,
                "error": QStyle.StandardPixmap.SP_MessageBoxCritical,
            }.get(level)
            return QApplication.style().standardIcon(icon) if icon is not None else None
        if role == Qt.ItemDataRole.FontRole and level in ("warning", "error"):
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and level == "debug":
            return self._palette.brush(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.BackgroundRole and level == "error":
            tint = QColor(self._palette.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(60)
            return QBrush(tint)
        if role == self.LevelRole:
            return level
        return None

    def headerData(  # noqa: N802 - Qt API
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self._HEADERS[section] if 0 <= section < 3 else None
        return None


class LogsView(QWidget):
    """The log lines (with how many there are above them), or a note while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pending: list[ActionLog] = []
        self._total: int | None = None
        self._loading = False
        self._follow = False  # keep to the newest line once the pending lines are in
        self._flush_timer = QTimer(self)
        self._flush_timer.setInterval(FRAME_MS)
        self._flush_timer.timeout.connect(self._flush)
        self.model = LogsModel(self)
        # A table, not a tree: a tree lays out every row again on each insert, while
        # fixed-height table rows cost the same for 100,000 lines as for 100.
        self.list = QTableView(self)
        self.list.setModel(self.model)
        self.list.setShowGrid(False)
        self.list.setWordWrap(False)
        self.list.setAlternatingRowColors(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.setTabKeyNavigation(False)
        self.list.setAccessibleName("Run log")
        self.list.installEventFilter(self)
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
        for column, sample, extra in ((0, "00:00:00", 0), (1, "WARNING", icon + 6)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, metrics.horizontalAdvance(sample) + extra + 24)
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Log line count")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.count_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.empty_label = QLabel("No log lines yet.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        lines_page = QWidget(self)
        column = QVBoxLayout(lines_page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(self.count_label)
        column.addWidget(self.list, 1)
        self._lines_page = lines_page
        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(lines_page)
        self.model.set_palette(self.palette())

    def set_logs(
        self, lines: Iterable[ActionLog], *, total: int | None = None, loading: bool = False
    ) -> None:
        """Show ``lines`` instead of any before; ``total`` (when known) and ``loading``
        (more pages are being read) for the count above them."""
        self._pending = []
        self._flush_timer.stop()
        self.model.clear()
        self._total, self._loading = total, loading
        self._add(list(lines), follow=True)
        self.list.scrollToBottom()

    def append_logs(
        self, lines: Iterable[ActionLog], *, total: int | None = None, loading: bool | None = None
    ) -> None:
        """Append new lines (at most :data:`LINES_PER_FRAME` a frame; the rest follow);
        stays at the newest line if the view was showing it."""
        if total is not None:
            self._total = total
        if loading is not None:
            self._loading = loading
        self._add(list(lines), follow=self.is_at_bottom())

    def set_loading(self, loading: bool, total: int | None = None) -> None:
        """Whether more of the log is being read (for the count above the lines)."""
        self._loading = loading
        if total is not None:
            self._total = total
        self._sync()

    def pending(self) -> int:
        """Lines received but not added yet (they follow in the next frames)."""
        return len(self._pending)

    def _add(self, lines: list[ActionLog], *, follow: bool) -> None:
        if self._pending or len(lines) > LINES_PER_FRAME:
            self._pending.extend(lines)
            self._follow = self._follow or follow
            if not self._flush_timer.isActive():
                self._flush_timer.start()
            if self.model.rowCount() == 0:
                self._flush()  # something to see at once
            return
        added = self.model.append(lines)
        self._sync()
        if added and follow:
            self.list.scrollToBottom()

    def _flush(self) -> None:
        batch, self._pending = self._pending[:LINES_PER_FRAME], self._pending[LINES_PER_FRAME:]
        follow = self._follow or self.is_at_bottom()
        added = self.model.append(batch)
        if not self._pending:
            self._flush_timer.stop()
            self._follow = False
        self._sync()
        if added and follow:
            self.list.scrollToBottom()

    def clear(self) -> None:
        self._pending = []
        self._flush_timer.stop()
        self._total, self._loading = None, False
        self.model.clear()
        self._sync()

    def is_at_bottom(self) -> bool:
        bar = self.list.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _sync(self) -> None:
        shown = self.model.rowCount()
        waiting = self._loading or bool(self._pending)
        self.count_label.setText(count_text(shown, self._total, waiting))
        self.empty_label.setText("Reading the log…" if waiting else "No log lines yet.")
        self._stack.setCurrentWidget(self._lines_page if shown else self.empty_label)

    def copy_selected(self) -> str:
        """The selected lines (all lines when none is selected) to the clipboard."""
        rows = sorted({i.row() for i in self.list.selectionModel().selectedRows()})
        text = "\n".join(self.model.line_text(r) for r in rows) if rows else self.model.text()
        QGuiApplication.clipboard().setText(text)
        return text

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        # The view's own Ctrl+C copies one cell; a log reader wants whole lines.
        if (
            watched is self.list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.matches(QKeySequence.StandardKey.Copy)
        ):
            self.copy_selected()
            return True
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        if event.type() == QEvent.Type.PaletteChange:
            self.model.set_palette(self.palette())
        super().changeEvent(event)
