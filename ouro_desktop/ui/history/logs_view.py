"""A run's log lines: time, level and message, appended live while the run goes on.

:class:`LogsModel` is a three-column list model (lines are only ever appended, and a line
already shown is skipped by its id, so fetching a page twice does no harm). Warnings and
errors stand out with the style's warning/critical icon, bold text and, for errors, a
background tinted from the palette's highlight colour: readable in light and dark themes.
:class:`LogsView` keeps the view pinned to the newest line while the user is at the bottom.
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
    QTreeView,
    QWidget,
)

from ouro_desktop.api.models import ActionLog
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["LogsModel", "LogsView", "normalize_level"]

Index = QModelIndex | QPersistentModelIndex


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
    """The log lines, or a short note while there are none."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = LogsModel(self)
        self.list = QTreeView(self)
        self.list.setModel(self.model)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setItemsExpandable(False)
        self.list.setAlternatingRowColors(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list.setAccessibleName("Run log")
        self.list.installEventFilter(self)
        header = self.list.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.empty_label = QLabel("No log lines yet.", self)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setForegroundRole(QPalette.ColorRole.PlaceholderText)

        self._stack = QStackedLayout(self)
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self.list)
        self.model.set_palette(self.palette())

    def set_logs(self, lines: Iterable[ActionLog]) -> None:
        self.model.clear()
        self.model.append(lines)
        self._sync()
        self.list.scrollToBottom()

    def append_logs(self, lines: Iterable[ActionLog]) -> int:
        """Append new lines; stays at the newest line if the view was showing it."""
        bar = self.list.verticalScrollBar()
        at_bottom = bar.value() >= bar.maximum() - 2
        added = self.model.append(lines)
        self._sync()
        if added and at_bottom:
            self.list.scrollToBottom()
        return added

    def clear(self) -> None:
        self.model.clear()
        self._sync()

    def is_at_bottom(self) -> bool:
        bar = self.list.verticalScrollBar()
        return bar.value() >= bar.maximum() - 2

    def _sync(self) -> None:
        self._stack.setCurrentWidget(self.list if self.model.rowCount() else self.empty_label)

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
