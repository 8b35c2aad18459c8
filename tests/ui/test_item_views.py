"""The big item views paint their cells in C++, and look exactly as through the app's style.

With ``ReadableStyle`` installed (as ``app.py`` does), every view of
:mod:`ouro_desktop.ui.common.item_views` paints with a plain Fusion and only its current
row through the app's style (see the module). Each view of the app is grabbed whole
(cells, headers, scroll bars) with the keyboard focus on a current cell and a selection,
in the light and the dark palette, painted that way and painted as before (everything
through the app's style): the two images must be the same, pixel for pixel. And a repaint
calls into the style's Python only for the current row, not twice a cell.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QItemSelection, QItemSelectionModel, QModelIndex, QRect, Qt
from PySide6.QtGui import QImage, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QListView,
    QStyle,
    QStyleFactory,
    QStyleOptionFocusRect,
    QTableView,
    QTreeView,
    QWidget,
)

from ouro_desktop.core.contrast import contrast_ratio
from ouro_desktop.core.ledger import RunState
from ouro_desktop.ui.common import item_views
from ouro_desktop.ui.common.readable_style import ReadableStyle
from ouro_desktop.ui.common.theme import dark_palette, readable_palette, rgb

from .test_history_pane import T0, entry

_RECORDS = [
    {"energy_eV": round(i * 0.013, 3), "dos": (i % 97) * 0.137, "label": f"point {i}"}
    for i in range(120)
]


# ------------------------------------------------------------------------------ the views


def _runs_table(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.ui.history import HistoryPane

    pane = HistoryPane()
    states = list(RunState)
    pane.model.set_entries(
        [
            entry(f"a{i}", states[i % len(states)], T0 - 60 * i, given=f"s{i}.cif" if i % 2 else "")
            for i in range(60)
        ]
    )
    return pane, pane.view


def _logs(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.api.models import ActionLog
    from ouro_desktop.ui.history.logs_view import LogsView

    view = LogsView()
    now = datetime(2026, 12, 3, 17, 0, tzinfo=UTC)
    levels = ("INFO", "WARNING", "ERROR", "DEBUG")
    view.set_logs(
        [
            ActionLog(f"l{i}", "a", levels[i % 4], f"step {i}: E = {i * 0.01:.2f} eV", now)
            for i in range(200)
        ],
        total=200,
    )
    qtbot.waitUntil(lambda: view.model.rowCount() == 200)
    return view, view.list


def _json_tree(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.ui.results.json_tree import JsonTreeView

    view = JsonTreeView()
    view.set_value({"formula": "NaCl", "curve": _RECORDS[:30], "ok": True}, expand_depth=2)
    return view, view.tree


def _result_table(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.core.result_table import table_for
    from ouro_desktop.ui.results.table_model import ResultTableView

    table = table_for(_RECORDS, label="curve", unit="eV", schema=None)
    assert table is not None
    view = ResultTableView(table)
    view.fit_rows(20)
    return view, view


def _rows_table(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.ui.results.rows_table import RowsTable

    view = RowsTable(visible_rows=12)
    view.set_rows(
        [("energy", "Energy (eV)"), ("dos", "DOS"), ("label", "Label")],
        [[r["energy_eV"], r["dos"], r["label"]] for r in _RECORDS[:40]],
    )
    return view, view


def _compare(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.core.run_compare import RunSide, compare_runs
    from ouro_desktop.ui.history.compare import CompareDialog

    a = {"formula": "NaCl", "gap_eV": 5.1, "curve": _RECORDS[:20], "notes": "first"}
    b = {"formula": "KCl", "gap_eV": 4.9, "curve": _RECORDS[1:21], "notes": "second"}
    dialog = CompareDialog(("Run A", "Run B"))
    sides = [
        RunSide({"formula": f}, answer, label)
        for f, answer, label in (("NaCl", a, "Run A"), ("KCl", b, "Run B"))
    ]
    dialog.show_comparison(compare_runs(*sides), [])
    return dialog, dialog.table


def _batch(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.core.batch_table import BatchRow, ResultColumn, ValueCell
    from ouro_desktop.ui.batch.batch_view import BatchView

    view = BatchView()
    columns = [ResultColumn(f"v{i}", f"Value {i}", "eV") for i in range(4)]
    rows = [
        BatchRow(
            n,
            f"s{n:03d}.cif",
            "Succeeded" if n % 3 else "Failed",
            "done",
            values={
                c.key: ValueCell(f"{n}.{i}", f"{n}.{i}", "number") for i, c in enumerate(columns)
            },
        )
        for n in range(30)
    ]
    view.model.set_rows(rows, columns)
    view.fit_columns()
    return view, view.table


def _routes(qtbot: Any) -> tuple[QWidget, QAbstractItemView]:
    from ouro_desktop.api.models import Route
    from ouro_desktop.ui.routes.browser import RouteBrowser

    browser = RouteBrowser()
    routes = [
        Route.from_json(
            {
                "id": f"r-{i}",
                "name": f"route-number-{i}",
                "name_url_slug": f"route-number-{i}",
                "user": {"username": "demo"},
                "parent_id": "svc-1",
                "description": f"Computes property {i} of a crystal structure from its file.",
                "route": {"method": "POST", "path": f"/p{i}", "summary": f"Property {i}"},
            }
        )
        for i in range(30)
    ]
    browser.show_results(routes, has_more=False)
    return browser, browser.results_view


VIEWS: dict[str, Callable[[Any], tuple[QWidget, QAbstractItemView]]] = {
    "routes": _routes,
    "runs table": _runs_table,
    "logs": _logs,
    "JSON tree": _json_tree,
    "result table": _result_table,
    "rows table": _rows_table,
    "compare": _compare,
    "batch": _batch,
}


def _shown(qtbot: Any, name: str) -> tuple[QWidget, QAbstractItemView]:
    widget, view = VIEWS[name](qtbot)
    qtbot.addWidget(widget)
    widget.resize(900, 520)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    view.setFocus(Qt.FocusReason.TabFocusReason)
    qtbot.waitUntil(view.hasFocus)
    model = view.model()
    first = model.index(0, 0)
    if isinstance(view, QTreeView) and model.hasChildren(model.index(1, 0)):
        first = model.index(0, 0, model.index(1, 0))  # (a member inside a list)
    # Two rows selected, the current cell below them, in view: the ring is drawn there.
    selection = view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag
    selection.select(first, flags.ClearAndSelect | flags.Rows)
    below = view.indexBelow(first) if isinstance(view, QTreeView) else first.siblingAtRow(2)
    columns = 1 if isinstance(view, QListView) else model.columnCount(QModelIndex())
    selection.setCurrentIndex(below.siblingAtColumn(min(1, columns - 1)), flags.Select | flags.Rows)
    view.scrollTo(view.currentIndex())
    QApplication.processEvents()
    return widget, view


def _grab(view: QAbstractItemView) -> QImage:
    view.viewport().repaint()
    QApplication.processEvents()
    return view.grab().toImage()


def _as_before(view: QAbstractItemView) -> None:
    """Everything through the app's style again, as before ``item_views``."""
    cells = view._cells  # noqa: SLF001
    assert cells is not None
    parts: list[QWidget] = [view, view.horizontalScrollBar(), view.verticalScrollBar()]
    if isinstance(view, QTableView):
        parts += [view.horizontalHeader(), view.verticalHeader()]
    elif isinstance(view, QTreeView):
        parts.append(view.header())
    for part in parts:
        part.setStyle(None)  # type: ignore[arg-type]
    if cells.row >= 0:
        view.setItemDelegateForRow(cells.row, None)  # type: ignore[arg-type]
    view._cells = None  # noqa: SLF001
    assert view.style() is QApplication.style()


# ------------------------------------------------------------------------------ the tests


@pytest.mark.parametrize("name", list(VIEWS))
def test_every_big_view_looks_exactly_as_through_the_apps_style(
    qtbot: Any, readable: str, name: str
) -> None:
    """Cells, selection, the focus ring on the current cell, headers and scroll bars: the
    same pixels in the light and the dark palette; then with the current row moved by the
    keyboard and rows above it (the runs table: a new run at the top)."""
    widget, view = _shown(qtbot, name)
    assert view.style().name() == "fusion" and not isinstance(view.style(), ReadableStyle)
    first = _state(view)
    ours = _grab(view)
    current = view.currentIndex()
    assert current.isValid() and view.visualRect(current).intersects(view.viewport().rect())
    qtbot.keyClick(view, Qt.Key.Key_Down)
    assert view.currentIndex() != current
    second = _state(view)
    moved = _grab(view)

    _as_before(view)
    _restore(view, first)
    assert _same(ours, _grab(view)), f"{name} ({readable}) differs from the app's style's"
    _restore(view, second)
    assert _same(moved, _grab(view)), f"{name} ({readable}), current row moved, differs"


def _state(view: QAbstractItemView) -> tuple[QModelIndex, QItemSelection]:
    return QModelIndex(view.currentIndex()), QItemSelection(view.selectionModel().selection())


def _restore(view: QAbstractItemView, state: tuple[QModelIndex, QItemSelection]) -> None:
    selection, flags = view.selectionModel(), QItemSelectionModel.SelectionFlag
    selection.setCurrentIndex(state[0], flags.NoUpdate)
    selection.select(state[1], flags.ClearAndSelect)


def _same(a: QImage, b: QImage) -> bool:
    """Equal images; or where the first difference is (saved for a look)."""
    if a == b:
        return True
    for y in range(a.height()):
        for x in range(a.width()):
            if a.pixel(x, y) != b.pixel(x, y):
                print(f"first difference at {x},{y}: {a.pixel(x, y):08x} != {b.pixel(x, y):08x}")
                a.save("/tmp/item_view_a.png")
                b.save("/tmp/item_view_b.png")
                return False
    return False


def test_a_row_inserted_above_the_current_one_moves_its_drawing_with_it(
    qtbot: Any, readable: str
) -> None:
    """Rows shift under the current one without a "current changed" (a new run arrives at
    the top of the runs table): the ring is still drawn as the app's style draws it."""
    pane, view = _shown(qtbot, "runs table")
    runs = [entry(f"a{i}", RunState.SUCCESS, T0 - 60 * i) for i in range(60)]
    pane.model.set_entries(runs)
    view.setCurrentIndex(pane.model.index(3, 1))
    _grab(view)
    pane.model.upsert(entry("new", RunState.IN_PROGRESS, T0 + 60))
    QApplication.processEvents()
    assert pane.model.row_of("new") == 0
    assert view.currentIndex().row() == 4  # (the same run, one row down)
    ours = _grab(view)
    assert view.itemDelegateForRow(4) is not None and view.itemDelegateForRow(3) is None
    _as_before(view)
    assert ours == _grab(view)


@pytest.mark.parametrize("name", ["runs table", "logs", "JSON tree", "result table", "compare"])
def test_a_repaint_calls_the_styles_python_only_for_the_current_row(
    qtbot: Any, readable: str, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Would fail if a big view went back to painting each cell through ``ReadableStyle``:
    as before, a repaint called into it twice a cell (well over 100 calls)."""
    widget, view = _shown(qtbot, name)
    calls: list[int] = []
    draw = ReadableStyle.drawPrimitive

    def counted(
        self: ReadableStyle, element: Any, option: Any, painter: Any, w: Any = None
    ) -> None:
        calls.append(int(element.value))
        draw(self, element, option, painter, w)

    monkeypatch.setattr(ReadableStyle, "drawPrimitive", counted)
    _grab(view)
    calls.clear()
    view.viewport().repaint()
    columns = view.model().columnCount(view.currentIndex().parent())
    assert 0 < len(calls) <= 2 * columns + 1  # the current row's cells, and its ring

    _as_before(view)
    calls.clear()
    view.viewport().repaint()
    assert len(calls) > 60  # (the stand-in counts: every cell through the style)


def test_with_another_style_the_views_are_qts_own(qtbot: Any) -> None:
    """The platform's own style (macOS, Windows) or plain Fusion draws its marks well:
    nothing is changed then."""
    assert not isinstance(QApplication.style(), ReadableStyle)
    assert not item_views.app_style_is_python()
    widget, view = _shown(qtbot, "runs table")
    assert view.style() is QApplication.style()
    assert view.itemDelegateForRow(view.currentIndex().row()) is None
    assert view.horizontalHeader().style() is QApplication.style()


def test_views_closed_and_deleted_leave_the_next_ones_painting(qtbot: Any, readable: str) -> None:
    """Seen in the window: a second answer's table failed to be made ("Internal C++
    object already deleted") once the first one's was deleted, when all views shared one
    style object. Each now has its own, gone with it."""
    from PySide6.QtCore import QCoreApplication, QEvent

    for _ in range(3):
        widget, view = VIEWS["result table"](qtbot)  # (not qtbot's: deleted here)
        widget.show()
        qtbot.waitExposed(widget)
        assert view.style().name() == "fusion"
        assert not _grab(view).isNull()
        widget.close()
        widget.deleteLater()
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_the_focus_ring_on_a_selected_cell_can_be_seen(qtbot: Any, theme: str) -> None:
    # The current cell of a selection used to get a ring of nearly the selection's colour.
    base = dark_palette() if theme == "dark" else QApplication.style().standardPalette()
    palette = readable_palette(base)
    style = ReadableStyle(QStyleFactory.create("Fusion"))
    state = QStyle.StateFlag
    for selected in (False, True):
        background = palette.color(
            QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Base
        )
        image = QImage(60, 24, QImage.Format.Format_ARGB32)
        image.fill(background)
        option = QStyleOptionFocusRect()
        option.rect = QRect(0, 0, 60, 24)
        option.palette = palette
        option.state = state.State_HasFocus | state.State_Item | state.State_KeyboardFocusChange
        if selected:
            option.state |= state.State_Selected
        painter = QPainter(image)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_FrameFocusRect, option, painter)
        painter.end()
        ring = image.pixelColor(30, 1)  # the middle of its top edge
        assert contrast_ratio(rgb(ring), rgb(background)) >= 3.0, (theme, selected)
