"""A run's log lines kept compactly, as the table of the Logs tab reads them.

:class:`LogsModel` is a three-column list of lines (time, level, message), only ever
appended. A line already kept is skipped by its place in the log, so fetching a page
twice does no harm: lines come in pages read by offset (``sort_order=asc&offset=…``,
ouro-protocol.md §7.3), so the first line of a page is the line at that offset and a line
before the last one kept was kept already -- the same rule the paging itself relies on
to miss no line. Nothing in the protocol says a new line can only go after the others,
though (its order key is not documented), so the ids of the last :data:`TAIL` lines are
kept too: a line the server moved to after them (an earlier one put before it) is
recognised by its id and not shown twice. Not every id: 100,000 small strings held while
a long log is shown spread over Python's allocator's arenas and kept 10 MB of them after
the log was let go.
Warnings and errors stand out with the style's warning/critical icon, bold text and, for
errors, a background tinted from the palette's highlight colour: readable in light and
dark themes; debug lines are dimmed.

Painted while other threads run Python (the in-app demo shares the process): each call
from Qt into Python waits for the interpreter, up to a switch interval each time, so a
repaint must make few of them. The rows are counted by the C++ base class (the view's
``index``/``rowCount``/``flags``/``headerData`` calls never enter Python) and each painted
cell is one ``multiData`` call answering every role the delegate asks for.

A line is kept as its message, a level byte, a timestamp and its id, not as a model
object with a date and a record; and the messages as one UTF-8 text with where each ends,
not as a string object each: 100,000 small objects kept while the log is shown spread
over Python's allocator's arenas (1 MiB each) among whatever else is made meanwhile, and
once the log is let go every arena still holding one of those other objects stays with
the process. One big buffer goes back whole.
"""

from __future__ import annotations

import math
import time
from array import array
from collections import deque
from collections.abc import Iterable, Sequence
from datetime import datetime
from itertools import accumulate
from typing import Any, cast

from PySide6.QtCore import (
    QModelIndex,
    QModelRoleData,
    QModelRoleDataSpan,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QGuiApplication,
    QIcon,
    QPalette,
    QStandardItemModel,
)
from PySide6.QtWidgets import QApplication, QStyle, QWidget

from ouro_desktop.api.models import ActionLog
from ouro_desktop.core.big_buffers import trim_heap_soon
from ouro_desktop.ui.common.labels import plain_tip

__all__ = ["LogsModel", "normalize_level"]

Index = QModelIndex | QPersistentModelIndex

INFO, WARNING, ERROR, DEBUG = range(4)
_LEVEL_NAMES = ("info", "warning", "error", "debug")
_LEVEL_CODES = {name: code for code, name in enumerate(_LEVEL_NAMES)}
_DISPLAY = Qt.ItemDataRole.DisplayRole.value
_DECORATION = Qt.ItemDataRole.DecorationRole.value
_TOOLTIP = Qt.ItemDataRole.ToolTipRole.value
_FONT = Qt.ItemDataRole.FontRole.value
_FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
_BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
# A log this long let go of leaves enough free memory in the heap to give it back.
TRIM_AFTER_LINES = 10_000
# The last lines whose ids are kept, to recognise one the server moved past the end.
TAIL = 500


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


def _level_code(level: str) -> int:
    code = _LEVEL_CODES.get(level)
    return code if code is not None else _LEVEL_CODES[normalize_level(level)]


def _stamp(when: datetime | None) -> float:
    """Seconds since the epoch (a time without a zone is the computer's); NaN for none."""
    return math.nan if when is None else when.timestamp()


def _time_text(stamp: float) -> str:
    return "" if math.isnan(stamp) else time.strftime("%H:%M:%S", time.localtime(stamp))


class LogsModel(QStandardItemModel):
    """Time, level and message of each line, in arrival order.

    A :class:`QStandardItemModel` that holds no items: the base class only counts the
    rows (so the view's bookkeeping stays in C++), the lines live in compact lists here.
    """

    LevelRole = Qt.ItemDataRole.UserRole + 1  # "info" / "warning" / "error" / "debug"
    TIME, LEVEL, MESSAGE = range(3)
    _HEADERS = ("Time", "Level", "Message")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 3, parent)
        self.setHorizontalHeaderLabels(list(self._HEADERS))
        self._next = 0  # the place in the log after the last line kept
        self._tail: deque[str] = deque(maxlen=TAIL)  # ids of the last lines kept
        self._text = bytearray()  # every message, UTF-8, one after the other
        self._ends = array("q")  # where each message ends in it
        self._levels = bytearray()
        self._stamps = array("d")
        self._shown = 0  # lines the view knows of; the rest are staged
        self._palette = QGuiApplication.palette()
        self._bold = QFont()
        self._bold.setBold(True)
        self._icons: dict[int, QIcon] = {}
        self._tint: QBrush | None = None
        self._dim: QBrush | None = None
        self._style_from_palette()

    def set_palette(self, palette: QPalette) -> None:
        self._palette = QPalette(palette)
        self._style_from_palette()
        if self._shown:
            self.dataChanged.emit(self.index(0, 0), self.index(self._shown - 1, 2))

    def _style_from_palette(self) -> None:
        tint = QColor(self._palette.color(QPalette.ColorRole.Highlight))
        tint.setAlpha(60)
        self._tint = QBrush(tint)
        self._dim = self._palette.brush(QPalette.ColorRole.PlaceholderText)
        style = QApplication.style()
        self._icons = {
            WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
        }

    def clear(self) -> None:
        """No lines. The base class's own row list is let go of too: emptied by
        ``setRowCount(0)`` it keeps its room (4 MB after 100,000 lines), which only a
        reset frees; reset once empty, it costs the view nothing (the view's columns are
        set up anew: see LogsView)."""
        long_log = len(self._ends) >= TRIM_AFTER_LINES
        shown = self._shown
        self.setRowCount(0)
        if shown:
            QStandardItemModel.clear(self)
            self.setColumnCount(len(self._HEADERS))
            self.setHorizontalHeaderLabels(list(self._HEADERS))
        self._next, self._tail = 0, deque(maxlen=TAIL)
        self._text, self._ends = bytearray(), array("q")
        self._levels, self._stamps = bytearray(), array("d")
        self._shown = 0
        if long_log:
            trim_heap_soon()  # (on a worker thread, once the let-go is over)

    def append(self, lines: Sequence[ActionLog], first: int | None = None) -> int:
        """Add the lines not kept yet; return how many were added."""
        self.stage(lines, first)
        return self.commit()

    def stage(self, lines: Sequence[ActionLog], first: int | None = None) -> int:
        """Keep the lines not kept yet, for :meth:`commit` to show; how many.

        ``first`` is the place in the log of ``lines[0]`` (the offset its page was read
        from); None: they follow the last line kept."""
        if first is None:
            first = self._next
        elif first < self._next:
            lines, first = lines[self._next - first :], self._next  # (kept already)
        # (a page from past the place expected: the lines between never came; go on from it)
        self._next = first + len(lines)
        tail = self._tail
        if tail and lines:
            kept = set(tail)
            head = lines[:TAIL]
            if any(line.id in kept for line in head):  # moved past the end by the server
                lines = [line for line in head if line.id not in kept] + list(lines[TAIL:])
        tail.extend(line.id for line in lines[-TAIL:] if line.id)
        levels, stamps = self._levels, self._stamps
        messages: list[str] = []
        for line in lines:
            messages.append(line.message)
            levels.append(_level_code(line.level))
            stamps.append(_stamp(line.created_at))
        if not messages:
            return 0
        joined = "".join(messages)
        if joined.isascii():  # (most logs: a character a byte, measured at C speed)
            text, lengths = joined.encode("ascii"), map(len, messages)
        else:  # (surrogatepass: a message may hold a lone surrogate, from a JSON escape)
            encoded = [message.encode("utf-8", "surrogatepass") for message in messages]
            text, lengths = b"".join(encoded), map(len, encoded)
        ends = accumulate(lengths, initial=len(self._text))
        next(ends)  # (where the first one starts)
        self._text += text
        self._ends.extend(ends)
        return len(messages)

    def commit(self) -> int:
        """Show the staged lines (one insertion for the view); how many."""
        added = len(self._ends) - self._shown
        if added:
            self._shown = len(self._ends)
            self.setRowCount(self._shown)
        return added

    def message(self, row: int) -> str:
        ends = self._ends
        start = ends[row - 1] if row else 0
        return self._text[start : ends[row]].decode("utf-8", "surrogatepass")

    def messages(self) -> list[str]:
        return [self.message(row) for row in range(self._shown)]

    def level(self, row: int) -> str:
        return _LEVEL_NAMES[self._levels[row]]

    def text(self) -> str:
        """All lines as plain text, one a line (for copying)."""
        return "\n".join(self.line_text(row) for row in range(self._shown))

    def line_text(self, row: int) -> str:
        level = _LEVEL_NAMES[self._levels[row]].upper()
        return f"{_time_text(self._stamps[row])}  {level:7}  {self.message(row)}"

    # -- Qt API ------------------------------------------------------------------------------
    def multiData(  # noqa: N802 - Qt API
        self,
        index: Index,
        roleDataSpan: QModelRoleDataSpan | QModelRoleData,  # noqa: N803
    ) -> None:
        """Every role the delegate asks for when painting a cell, in one call."""
        row, column = index.row(), index.column()
        valid = index.isValid() and 0 <= row < self._shown
        items = (
            (roleDataSpan,)
            if isinstance(roleDataSpan, QModelRoleData)
            else cast(Iterable[QModelRoleData], roleDataSpan)
        )
        for item in items:
            value = self._value(row, column, item.role()) if valid else None
            if value is None:
                item.clearData()
            else:
                item.setData(value)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self._shown:
            return None
        return self._value(index.row(), index.column(), int(role))

    def _value(self, row: int, column: int, role: int) -> Any:
        level = self._levels[row]
        if role == _DISPLAY:
            if column == self.TIME:
                return _time_text(self._stamps[row])
            if column == self.LEVEL:
                return _LEVEL_NAMES[level].upper()
            return self.message(row).replace("\n", " ⏎ ")
        if role == _FONT:
            return self._bold if level in (WARNING, ERROR) else None
        if role == _DECORATION:
            return self._icons.get(level) if column == self.LEVEL else None
        if role == _FOREGROUND:
            return self._dim if level == DEBUG else None
        if role == _BACKGROUND:
            return self._tint if level == ERROR else None
        if role == _TOOLTIP:
            stamp = self._stamps[row]
            if column == self.TIME and not math.isnan(stamp):
                local = datetime.fromtimestamp(stamp).astimezone()
                return local.isoformat(sep=" ", timespec="seconds")
            return plain_tip(self.message(row)) if column == self.MESSAGE else None
        if role == self.LevelRole:
            return _LEVEL_NAMES[level]
        return None
