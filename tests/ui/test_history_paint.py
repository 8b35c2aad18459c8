"""The runs table while a folder batch runs: what it paints, and how often it is told to.

The cells are filled by :class:`~ouro_desktop.ui.history.cells.RunCellsDelegate` from the
model's runs, not by Qt asking ``data()`` role by role: the table must look exactly as
Qt's own delegate draws it from ``data()``. A batch's many changes reach the table a few
times a second, together, and every run still ends showing its final status.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QHeaderView, QStyledItemDelegate

from ouro_desktop.core.history import STATUS_WORDS
from ouro_desktop.core.ledger import RunRecord, RunState
from ouro_desktop.ui.history import HistoryPane, HistoryTableModel
from ouro_desktop.ui.history.history_controller import HOLD_MS

from .test_history_pane import T0, entry


def _grab(pane: HistoryPane) -> QImage:
    QApplication.processEvents()
    return pane.view.viewport().grab().toImage()


def _mixed_runs() -> list[Any]:
    """Runs of every status, given or not, with a long error and a line break."""
    runs = []
    for i, state in enumerate(RunState):
        runs.append(
            entry(
                f"a{i}",
                state,
                T0 - 90 * i,
                given="" if i % 3 == 0 else f"s{i:04d}.cif",
                route_name="demo/predict-electronic-dos-at-fermi-level" if i % 2 else "Band gap",
                error="The service said:\nbad cell" if state is RunState.ERROR else None,
            )
        )
    runs.append(entry("two-lines", RunState.SUCCESS, T0 - 999, route_name="Two\nlines"))
    return runs


@pytest.mark.parametrize("route_width", [900, 200])
def test_the_cells_look_as_qts_own_delegate_draws_them_from_the_model(
    qtbot: Any, route_width: int
) -> None:
    """Pixel for pixel, for every status (icons), running durations (right-aligned), a
    selected row, and a route name with a line break. In a narrow Route column the
    route's name is cut before what the run was given, as before; in a wide one the
    whole text shows -- identical to Qt's drawing of ``data()``'s text."""
    pane = HistoryPane()
    qtbot.addWidget(pane)
    pane.resize(1200, 480)
    pane.show()
    qtbot.waitExposed(pane)
    model = pane.model
    model.set_entries(_mixed_runs())
    model.tick(now=T0 + 12)
    pane.view.horizontalHeader().setSectionResizeMode(
        HistoryTableModel.ROUTE, QHeaderView.ResizeMode.Interactive
    )
    pane.view.setColumnWidth(HistoryTableModel.ROUTE, route_width)
    flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
    flags |= QItemSelectionModel.SelectionFlag.Rows
    pane.view.selectionModel().select(model.index(2, 0), flags)
    ours = _grab(pane)

    stock = QStyledItemDelegate(pane.view)
    pane.view.setItemDelegate(stock)
    if route_width < 300:  # (Qt's own would cut the file name: compare the other cells)
        pane.view.setItemDelegateForColumn(HistoryTableModel.ROUTE, pane.cells)
    qts = _grab(pane)
    assert not ours.isNull() and ours.size() == qts.size()
    assert ours == qts

    if route_width < 300:  # the narrow Route column: the file name stays whole
        option_text = _route_text(pane, model.row_of("a1"))
        assert option_text.endswith(" · s0001.cif") and "…" in option_text


def _route_text(pane: HistoryPane, row: int) -> str:
    from PySide6.QtWidgets import QStyleOptionViewItem

    index = pane.model.index(row, HistoryTableModel.ROUTE)
    option = QStyleOptionViewItem()
    pane.view.initViewItemOption(option)
    option.rect = pane.view.visualRect(index)
    pane.cells.initStyleOption(option, index)
    return str(option.text)


def test_painting_the_table_asks_the_model_nothing_cell_by_cell(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repaint of a screenful of runs makes no ``data()`` or ``flags()`` call into
    Python (each would wait for the interpreter while other threads hold it)."""
    pane = HistoryPane()
    qtbot.addWidget(pane)
    pane.resize(900, 600)
    pane.show()
    qtbot.waitExposed(pane)
    pane.model.set_entries([entry(f"a{i}", RunState.SUCCESS, T0 - i) for i in range(200)])
    QApplication.processEvents()
    asked: list[int] = []
    data = HistoryTableModel.data

    def counting(self: HistoryTableModel, index: QModelIndex, role: int = 0) -> Any:
        asked.append(role)
        return data(self, index, role)

    monkeypatch.setattr(HistoryTableModel, "data", counting)
    ours = pane.view.itemDelegate()
    pane.view.setItemDelegate(QStyledItemDelegate(pane.view))
    pane.view.viewport().repaint()
    assert len(asked) > 100  # Qt's delegate: role by role (the stand-in is in place)
    pane.view.setItemDelegate(ours)
    asked.clear()
    pane.view.viewport().repaint()
    assert asked == []
    assert "flags" not in HistoryTableModel.__dict__  # Qt's own, in C++
    # (data() itself still answers: tooltips, accessibility)
    assert pane.model.index(0, HistoryTableModel.STATUS).data() == "Succeeded"


_START = time.time() - 60


def _batch_record(i: int, state: RunState, route: Any, **changes: Any) -> RunRecord:
    return RunRecord(
        local_id=f"00000000-0000-4000-8000-{i:012d}",
        idempotency_key=f"key-{i}",
        route_id=route.id,
        service_id="svc",
        route_name=route.name,
        base_url="http://demo.localhost",
        account="demo",
        body={},
        query={},
        path_params={},
        input_assets={},
        input_files={"file": {"name": f"s{i:04d}.cif", "asset_id": f"asset-{i}"}},
        state=state,
        started_at=_START + i,
        updated_at=_START + i,
        batch_id="batch-1",
        batch_item=i,
        **changes,
    )


def test_a_batchs_runs_reach_the_history_together_within_half_a_second(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    """Twenty runs of a batch seen for the first time (no action id yet, nothing
    selected), then accepted, then finished, each step in one turn: the table is told
    once per step (one insert, then one change), not once per run; every run then shows
    its final status under its action id."""
    from .app_harness import App

    assert HOLD_MS <= 500  # a run's new status shows within half a second
    app = App(qtbot, aio, tmp_path)
    try:
        route = app.open("demo/predict-electronic-dos-at-fermi-level")
        history, model = app.history, app.window.history.model
        aio.wait_until(lambda: not app.tasks.running("history"))
        assert app.window.history.selected_keys() == []
        before = model.rowCount()
        inserted: list[tuple[int, int]] = []
        changed: list[tuple[int, int]] = []
        model.rowsInserted.connect(lambda _p, a, b: inserted.append((a, b)))

        def on_changed(a: QModelIndex, b: QModelIndex, _roles: Any = ()) -> None:
            if (a.column(), b.column()) != (model.DURATION, model.DURATION):  # (the tick)
                changed.append((a.row(), b.row()))

        model.dataChanged.connect(on_changed)
        n = 20
        for i in range(n):  # first sight: submitting, no action id yet
            history._on_tracker_update(_batch_record(i, RunState.SUBMITTING, route), None)  # noqa: SLF001
        assert inserted == [] and model.rowCount() == before  # held
        aio.wait_until(lambda: inserted, timeout=5)
        assert inserted == [(0, n - 1)] and model.rowCount() == before + n
        for i in range(n):  # accepted: the server's id replaces the local key
            record = _batch_record(i, RunState.IN_PROGRESS, route, action_id=f"act-{i}")
            history._on_tracker_update(record, None)  # noqa: SLF001
        aio.wait_until(lambda: changed, timeout=5)
        assert len(changed) == 1 and inserted == [(0, n - 1)]
        changed.clear()
        for i in range(n):  # finished
            record = _batch_record(
                i,
                RunState.SUCCESS,
                route,
                action_id=f"act-{i}",
                finished_at=_START + i + 1.5,
                duration_s=1.5,
            )
            history._on_tracker_update(record, None)  # noqa: SLF001
        aio.wait_until(lambda: changed, timeout=5)
        assert len(changed) == 1 and model.rowCount() == before + n
        for i in range(n):
            row = model.row_of(f"act-{i}")
            assert row >= 0 and model.row_of(f"local:00000000-0000-4000-8000-{i:012d}") == -1
            assert model.index(row, model.STATUS).data() == STATUS_WORDS[RunState.SUCCESS]
            assert model.index(row, model.ROUTE).data().endswith(f" · s{i:04d}.cif")
            assert model.index(row, model.DURATION).data() == "1.5 s"
    finally:
        app.close()
