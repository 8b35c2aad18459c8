"""The Logs tab's view on its own: what a painted cell shows, how few calls a repaint
makes into Python, and how a long log arrives (every line, in order, a frame's worth at a
time, following the end unless the reader scrolled up)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QGuiApplication, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem

from ouro_desktop.api.models import ActionLog
from ouro_desktop.ui.history.logs_view import LogsModel, LogsView


def _line(i: int, level: str = "info", message: str | None = None) -> ActionLog:
    return ActionLog(
        id=f"log-{i}",
        action_id="run-1",
        level=level,
        message=f"line {i}" if message is None else message,
        created_at=datetime.fromisoformat("2025-07-14T12:49:18.24+00:00"),
    )


def _painted(view: LogsView, row: int, column: int) -> QStyleOptionViewItem:
    """What the view's delegate paints for a cell (the roles it asks the model for)."""
    option = QStyleOptionViewItem()
    delegate = view.list.itemDelegate()
    assert isinstance(delegate, QStyledItemDelegate)
    delegate.initStyleOption(option, view.model.index(row, column))
    return option


def test_a_painted_cell_shows_the_time_level_and_message_with_the_level_style(
    qtbot: Any,
) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.set_logs(
        [
            _line(0),
            _line(1, "WARN", "disk nearly full"),
            _line(2, "error", "boom\nat step 3"),
            _line(3, "trace", "details"),
        ]
    )
    local = datetime.fromisoformat("2025-07-14T12:49:18.24+00:00").astimezone()
    assert _painted(view, 0, LogsModel.TIME).text == local.strftime("%H:%M:%S")
    assert _painted(view, 0, LogsModel.LEVEL).text == "INFO"
    assert not _painted(view, 0, LogsModel.MESSAGE).font.bold()
    warning = _painted(view, 1, LogsModel.LEVEL)
    assert warning.text == "WARNING" and warning.font.bold() and not warning.icon.isNull()
    error = _painted(view, 2, LogsModel.MESSAGE)
    assert error.text == "boom ⏎ at step 3"  # one line a row; the copy keeps the break
    tint = view.palette().color(QPalette.ColorRole.Highlight)
    assert error.backgroundBrush.color().rgb() == tint.rgb()
    assert _painted(view, 3, LogsModel.LEVEL).text == "DEBUG"
    dim = view.palette().color(QPalette.ColorRole.PlaceholderText)
    assert _painted(view, 3, LogsModel.MESSAGE).palette.color(QPalette.ColorRole.Text) == dim
    tip = view.model.data(view.model.index(0, LogsModel.TIME), Qt.ItemDataRole.ToolTipRole)
    assert tip == local.isoformat(sep=" ", timespec="seconds")
    # Ctrl+C in the table copies the selected lines whole (the table's own copies a cell).
    # (the selection model directly: selectRow reads the keyboard's modifiers, which an
    # earlier test in the same process can leave in any state -- once all lines were copied)
    rows = QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows
    view.list.selectionModel().select(view.model.index(1, 0), rows)
    qtbot.keyClick(view.list, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    copied = QGuiApplication.clipboard().text()
    assert copied == f"{local.strftime('%H:%M:%S')}  WARNING  disk nearly full"
    view.list.selectRow(2)
    assert view.copy_selected().endswith("ERROR    boom\nat step 3")


def test_a_repaint_asks_python_once_a_visible_cell(qtbot: Any) -> None:
    """The view counts rows and makes indexes in C++; the model answers every role of a
    cell in one call (each call into Python may wait for another thread's turn)."""
    calls = {"multiData": 0, "data": 0}

    class Counted(LogsModel):
        def multiData(self, index: Any, span: Any) -> None:  # noqa: N802 - Qt API
            calls["multiData"] += 1
            super().multiData(index, span)

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            calls["data"] += 1
            return super().data(index, role)

    view = LogsView()
    qtbot.addWidget(view)
    view.model = Counted(view)
    view.list.setModel(view.model)
    view.resize(700, 400)
    view.show()
    view.set_logs([_line(i) for i in range(100_000 // 200)])
    view.append_logs([_line(i) for i in range(500, 100_000)])
    qtbot.waitUntil(lambda: view.pending() == 0, timeout=20_000)
    view.list.viewport().repaint()  # settle: everything the inserts asked for is painted
    calls.update(multiData=0, data=0)
    view.list.viewport().repaint()
    first = view.list.rowAt(0)
    last = view.list.rowAt(view.list.viewport().height() - 1)
    visible = (last - first + 1) * 3
    assert first > 99_000 and visible > 15  # the newest lines, a screenful of them
    assert calls["data"] == 0
    assert visible <= calls["multiData"] <= visible + 3


def test_a_long_log_arrives_a_frame_at_a_time_every_line_in_order(qtbot: Any) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    view.set_logs([_line(0)], total=30_001, loading=True)
    pages = [[_line(i) for i in range(start, start + 500)] for start in range(1, 30_001, 500)]
    for page in pages:
        view.append_logs(page, total=30_001, loading=page is not pages[-1])
    # The window is not held until all of it is in: some lines wait for later frames.
    assert 0 < view.pending() < 30_000
    assert view.model.rowCount() + view.pending() == 30_001
    assert view.count_label.text().startswith("Reading the log:")
    qtbot.waitUntil(lambda: view.pending() == 0, timeout=20_000)
    assert view.model.messages() == [f"line {i}" for i in range(30_001)]
    assert view.count_label.text() == "30,001 lines"
    assert view.is_at_bottom()  # it followed the end all along
    # A page read again adds nothing; a reader who scrolled up stays where they are.
    view.list.verticalScrollBar().setValue(100)
    view.append_logs(pages[3], first=1 + 3 * 500)
    view.append_logs([_line(i) for i in range(29_501, 31_001)], first=29_501)
    qtbot.waitUntil(lambda: view.pending() == 0, timeout=20_000)
    assert view.model.rowCount() == 31_001
    assert view.list.verticalScrollBar().value() == 100
    assert view.count_label.text() == "31,001 lines"


def test_pages_that_overlap_show_every_line_once_by_their_place_in_the_log(
    qtbot: Any,
) -> None:
    """A run opened while it logs: its log read from the start in pages of 500, and the
    tracker's live pages (read from where it had got to, with other bounds) added after
    them. Each page says where in the log its first line is; the lines the view has are
    skipped by that, and only the last few ids are kept for it (not 100,002)."""
    from ouro_desktop.ui.history.logs_model import TAIL

    total = 100_002
    view = LogsView()
    qtbot.addWidget(view)
    log = [_line(i) for i in range(total)]
    view.set_logs(log[:500], total=60_000, loading=True)
    for start in range(500, 60_000, 500):  # read after the fact, to the end as it was then
        view.append_logs(log[start : start + 500], first=start, total=60_000)
    for start in range(41_234, total, 2_000):  # the live pages, from 41,234 on
        view.append_logs(log[start : start + 2_000], first=start, loading=False)
    view.append_logs(log[99_000:], first=99_000)  # the last page, read twice
    qtbot.waitUntil(lambda: view.pending() == 0, timeout=60_000)
    assert view.model.rowCount() == total
    assert view.model.messages() == [f"line {i}" for i in range(total)]
    assert view.count_label.text() == "100,002 lines"
    assert len(view.model._tail) == TAIL  # noqa: SLF001 - the ids kept
    # A later page that skips some lines (never read) is shown after the others.
    view.append_logs([_line(200_000)], first=100_010)
    view.append_logs([_line(100_005)], first=100_005)  # (before it: taken as read)
    qtbot.waitUntil(lambda: view.pending() == 0)
    assert view.model.messages()[-2:] == ["line 100001", "line 200000"]


def test_a_line_the_server_moved_past_the_end_is_not_shown_twice(qtbot: Any) -> None:
    """The protocol does not say a new line can only go after the others: if one is put
    before lines already read (an earlier time, written later), the last line read moves
    to the next page; its id says it is shown already."""
    view = LogsView()
    qtbot.addWidget(view)
    view.set_logs([_line(i) for i in range(10)])
    # Line "late" went in before line 9: the next page, from place 10, starts with 9.
    view.append_logs([_line(9), _line(10), _line(11)], first=10)
    qtbot.waitUntil(lambda: view.pending() == 0)
    assert view.model.messages() == [f"line {i}" for i in range(12)]
    # Lines without an id are never taken for one shown (nothing to tell them by).
    view.append_logs([ActionLog("", "run-1", "info", "no id", None)] * 2)
    qtbot.waitUntil(lambda: view.pending() == 0)
    assert view.model.messages()[-3:] == ["line 11", "no id", "no id"]


def test_showing_another_log_drops_the_lines_still_waiting(qtbot: Any) -> None:
    view = LogsView()
    qtbot.addWidget(view)
    view.append_logs([_line(i) for i in range(20_000)])
    assert view.pending() > 0
    view.set_logs([_line(i, message=f"other {i}") for i in range(3)])
    assert view.pending() == 0
    assert view.model.messages() == ["other 0", "other 1", "other 2"]
    qtbot.wait(100)
    assert view.model.rowCount() == 3 and view.count_label.text() == "3 lines"
    view.clear()
    assert view.model.rowCount() == 0 and view.empty_label.text() == "No log lines yet."


def test_messages_come_back_exactly_whatever_their_characters(qtbot: Any) -> None:
    """The lines are kept as one UTF-8 text (see the model): accents, symbols, emoji, a
    lone surrogate (from a JSON escape) and line breaks read back as they were sent, in
    pages that are all ASCII and pages that are not."""
    view = LogsView()
    qtbot.addWidget(view)
    odd = ["E = −1.2 eV (Δ 0.3 %)", "Å³ ✓ 🧪", "broken \ud800 escape", "two\nlines", ""]
    view.set_logs([_line(i) for i in range(3)])
    view.append_logs([_line(3 + i, message=m) for i, m in enumerate(odd)])
    view.append_logs([_line(8, message="plain again")])
    qtbot.waitUntil(lambda: view.pending() == 0)
    expected = ["line 0", "line 1", "line 2", *odd, "plain again"]
    assert view.model.messages() == expected
    assert view.model.index(4, LogsModel.MESSAGE).data() == "Å³ ✓ 🧪"
    assert view.model.index(6, LogsModel.MESSAGE).data() == "two ⏎ lines"
    assert view.model.line_text(3).endswith("INFO     E = −1.2 eV (Δ 0.3 %)")
    assert view.model.text().splitlines()[-1].endswith("plain again")


def test_another_run_opened_lets_go_of_the_lines_and_keeps_the_columns_widths(
    qtbot: Any,
) -> None:
    """A run closed lets go of its lines (the model's own buffers and its base class's
    row list, which only a reset empties); the Time and Level columns keep the widths
    the user gave them, and the next log reads as before."""
    view = LogsView()
    qtbot.addWidget(view)
    view.resize(700, 400)
    view.show()
    view.set_logs([_line(i) for i in range(200)])
    qtbot.waitUntil(lambda: view.pending() == 0)
    header = view.list.horizontalHeader()
    header.resizeSection(0, 111)
    header.resizeSection(1, 97)
    view.clear()
    model = view.model
    assert model.rowCount() == 0 and model.messages() == []
    assert not model._text and not model._ends and not model._tail  # noqa: SLF001
    assert [header.sectionSize(c) for c in (0, 1)] == [111, 97]
    assert [model.headerData(c, Qt.Orientation.Horizontal) for c in range(3)] == [
        "Time",
        "Level",
        "Message",
    ]
    view.set_logs([_line(i, message=f"next {i}") for i in range(3)])
    assert model.messages() == ["next 0", "next 1", "next 2"]
    assert [header.sectionSize(c) for c in (0, 1)] == [111, 97]
    assert header.sectionResizeMode(0) == header.ResizeMode.Interactive


def test_a_long_log_let_go_of_has_the_heap_trimmed_a_short_one_not(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The free memory a long log leaves in glibc's heap goes back to the system (on a
    worker thread: big_buffers.trim_heap_soon); a few lines leave nothing worth it."""
    from ouro_desktop.ui.history import logs_model

    asked: list[int] = []
    monkeypatch.setattr(logs_model, "trim_heap_soon", lambda: asked.append(1))
    view = LogsView()
    qtbot.addWidget(view)
    view.model.append([_line(i) for i in range(50)])
    view.clear()
    assert asked == []
    view.model.append([_line(i) for i in range(logs_model.TRIM_AFTER_LINES)])
    view.set_logs([_line(0, message="another run")])
    assert asked == [1]
    assert view.model.messages() == ["another run"]
