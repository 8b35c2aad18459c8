"""The history pane: its table model, filters, paging, live durations, selection, scale."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt
from PySide6.QtWidgets import QApplication

from ouro_desktop.core.history import HistoryEntry, entry_from_record
from ouro_desktop.core.ledger import RunLedger, RunRecord, RunState
from ouro_desktop.ui.history import HistoryPane, HistoryTableModel
from ouro_desktop.ui.history.pane import EMPTY_TEXT, NO_MATCH_TEXT

N = 10_000
T0 = 1_700_000_000.0
STATES = list(RunState)


def fake_records(n: int) -> Iterator[RunRecord]:
    for i in range(n):
        state = STATES[i % len(STATES)]
        yield RunRecord(
            local_id=f"00000000-0000-4000-8000-{i:012d}",
            idempotency_key=f"key-{i}",
            route_id=f"route-{i % 40}",
            service_id="svc",
            route_name=f"demo/route-number-{i % 40}",
            base_url="https://api.example",
            account="alice",
            body={"i": i},
            query={},
            path_params={},
            input_assets={},
            input_files={},
            state=state,
            started_at=T0 + i,
            updated_at=T0 + i,
            action_id=None if state in (RunState.SUBMITTING, RunState.UNKNOWN) else f"act-{i}",
            finished_at=T0 + i + 5 if state.is_terminal else None,
            status_detail="The service said: bad cell" if state is RunState.ERROR else None,
            result_summary={"energy": i} if state is RunState.SUCCESS else None,
        )


@pytest.fixture(scope="module")
def ledger_entries(tmp_path_factory: pytest.TempPathFactory) -> list[HistoryEntry]:
    ledger = RunLedger(tmp_path_factory.mktemp("ledger") / "runs.sqlite3")
    try:
        assert ledger.bulk_insert(fake_records(N)) == N
        return [entry_from_record(r, expected_s=30.0) for r in ledger.list(limit=-1)]
    finally:
        ledger.close()


@pytest.fixture
def pane(qtbot: object) -> HistoryPane:
    widget = HistoryPane()
    qtbot.addWidget(widget)  # type: ignore[attr-defined]
    widget.resize(640, 480)
    return widget


def entry(key: str, status: RunState, started: float, **changes: object) -> HistoryEntry:
    base = HistoryEntry(
        key=key,
        action_id=key,
        local_id=None,
        route_id="route-1",
        route_name="demo/dos-curve",
        status=status,
        started_at=started,
        finished_at=started + 3.2 if status.is_terminal else None,
        expected_s=30.0,
        summary="",
        error=None,
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def keys_shown(pane: HistoryPane) -> list[str]:
    return [
        pane.model.index(r, 0).data(HistoryTableModel.KeyRole) for r in range(pane.model.rowCount())
    ]


def type_filter(pane: HistoryPane, text: str) -> None:
    """Type ``text`` into the filter and wait out the typing pause."""
    pane.text_filter.setText(text)
    assert pane.filter_timer.isActive()  # typing does not filter a key at a time
    pane.apply_text_filter()


# ----------------------------------------------------------------------------- filters


def test_filters_by_status_and_text_over_10k_ledger_runs(
    pane: HistoryPane, ledger_entries: list[HistoryEntry]
) -> None:
    pane.model.set_entries(ledger_entries)
    assert pane.model.rowCount() == N
    # Newest first, as the ledger lists them.
    assert pane.model.index(0, 0).data(HistoryTableModel.StartedRole) == T0 + N - 1

    combo = pane.status_combo
    combo.setCurrentIndex(combo.findData("running"))
    running = sum(1 for e in ledger_entries if e.status is RunState.IN_PROGRESS)
    assert pane.model.rowCount() == running > 0
    assert {pane.model.index(r, 0).data() for r in range(running)} == {"Running"}

    combo.setCurrentIndex(combo.findData("error"))
    failed = {RunState.ERROR, RunState.NOT_STARTED}
    assert pane.model.rowCount() == sum(1 for e in ledger_entries if e.status in failed)

    # Text and status together: failed runs of one route.
    type_filter(pane, "route-number-7")
    expected = [
        e.key for e in ledger_entries if e.status in failed and "route-number-7" in e.route_name
    ]
    assert keys_shown(pane) == expected and expected

    combo.setCurrentIndex(combo.findData("all"))
    type_filter(pane, "BAD CELL")  # the error text, case-insensitive
    assert pane.model.rowCount() == sum(1 for e in ledger_entries if e.status is RunState.ERROR)

    type_filter(pane, "act-1234")  # an action id
    assert "act-1234" in keys_shown(pane)
    type_filter(pane, "no such run anywhere")
    assert pane.model.rowCount() == 0
    assert pane.stack.currentWidget() is pane.placeholder
    assert pane.placeholder.text() == NO_MATCH_TEXT
    type_filter(pane, "")
    assert pane.model.rowCount() == N and pane.stack.currentWidget() is pane.view


def test_filters_changed_signal_tells_the_controller(pane: HistoryPane, qtbot: object) -> None:
    with qtbot.waitSignal(pane.filters_changed) as blocker:  # type: ignore[attr-defined]
        pane.status_combo.setCurrentIndex(pane.status_combo.findData("timed-out"))
    assert blocker.args == ["timed-out", ""]


# ----------------------------------------------------------------------------- paging


def test_fetch_more_asks_once_per_page_and_append_adds_rows(
    ledger_entries: list[HistoryEntry],
) -> None:
    model = HistoryTableModel()
    asked: list[bool] = []
    model.more_requested.connect(lambda: asked.append(True))
    model.set_entries(ledger_entries[:200], has_more=True)
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    model.fetchMore(QModelIndex())  # still loading: no second request
    assert len(asked) == 1 and not model.canFetchMore(QModelIndex())

    model.append_entries(ledger_entries[200:400], has_more=True)
    assert model.rowCount() == 400
    assert model.entry_at(399) == ledger_entries[399]
    assert model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(asked) == 2

    # A page overlapping what is shown adds only the new runs; the last page ends paging.
    model.append_entries(ledger_entries[350:500], has_more=False)
    assert model.rowCount() == 500
    assert not model.canFetchMore(QModelIndex())
    model.fetchMore(QModelIndex())
    assert len(asked) == 2
    # A page of nothing new ends paging too, even if the server says there is more.
    model.set_entries(ledger_entries[:10], has_more=True)
    model.append_entries(ledger_entries[:10], has_more=True)
    assert not model.canFetchMore(QModelIndex())


def test_scrolling_to_the_end_requests_the_next_page(
    pane: HistoryPane, qtbot: object, ledger_entries: list[HistoryEntry]
) -> None:
    pane.model.set_entries(ledger_entries[:200], has_more=True)
    pane.show()
    qtbot.waitExposed(pane)  # type: ignore[attr-defined]
    with qtbot.waitSignal(pane.more_requested, timeout=2000):  # type: ignore[attr-defined]
        pane.view.scrollToBottom()
    pane.model.append_entries(ledger_entries[200:400], has_more=False)
    assert pane.model.rowCount() == 400


def test_scrolls_to_the_bottom_of_10k_rows(
    pane: HistoryPane, qtbot: object, ledger_entries: list[HistoryEntry]
) -> None:
    pane.model.set_entries(ledger_entries)
    pane.show()
    qtbot.waitExposed(pane)  # type: ignore[attr-defined]
    pane.view.scrollToBottom()
    image = pane.grab()
    assert not image.isNull()
    bottom = pane.view.viewport().height() - 2
    last = pane.view.rowAt(bottom)
    assert last == N - 1, last
    assert pane.model.index(last, 0).data(HistoryTableModel.KeyRole) == ledger_entries[-1].key


# ----------------------------------------------------------------------------- updates


def test_upsert_updates_in_place_and_new_runs_go_on_top(qtbot: object) -> None:
    model = HistoryTableModel()
    model.set_entries([entry(f"a{i}", RunState.SUCCESS, T0 - i) for i in range(5)])
    running = entry("a2", RunState.IN_PROGRESS, T0 - 2)
    with qtbot.waitSignal(model.dataChanged) as blocker:  # type: ignore[attr-defined]
        assert model.upsert(running) == 2
    first, last = blocker.args[0], blocker.args[1]
    assert (first.row(), last.row()) == (2, 2)
    assert model.rowCount() == 5 and model.entry_at(2) == running
    assert model.index(2, HistoryTableModel.STATUS).data() == "Running"

    fresh = entry("new", RunState.SUBMITTING, T0 + 10)
    with qtbot.waitSignal(model.rowsInserted):  # type: ignore[attr-defined]
        assert model.upsert(fresh) == 0
    assert model.rowCount() == 6 and model.entry_at(0) == fresh
    # Every key still finds its row after the insert at the top.
    assert [model.row_of(k) for k in ("new", "a0", "a2", "a4")] == [0, 1, 3, 5]
    assert model.row_of("missing") == -1
    newer = entry("newer", RunState.QUEUED, T0 + 11)
    model.upsert(newer)
    model.append_entries([entry("old", RunState.SUCCESS, T0 - 100)], has_more=False)
    assert [model.row_of(k) for k in ("newer", "new", "a4", "old")] == [0, 1, 6, 7]
    assert model.running_keys() == {"a2", "new", "newer"}


def test_a_batchs_held_changes_reach_the_view_as_one_insert_and_one_change(
    qtbot: object,
) -> None:
    """Thirty runs of a batch changing in one turn: one rowsInserted for the new ones (at
    the top, newest first, as thirty upserts would put them) and one dataChanged range
    for those listed already -- the view lays out and repaints once, not thirty times."""
    model = HistoryTableModel()
    model.set_entries([entry(f"a{i}", RunState.QUEUED, T0 - i) for i in range(10)])
    inserted: list[tuple[int, int]] = []
    changed: list[tuple[int, int]] = []
    model.rowsInserted.connect(lambda _p, first, last: inserted.append((first, last)))
    model.dataChanged.connect(lambda a, b, _roles=(): changed.append((a.row(), b.row())))
    fresh = [entry(f"local:n{i}", RunState.SUBMITTING, T0 + i) for i in range(20)]
    # a3 and a7 finished; the new runs' local keys replaced by nothing yet (first sight)
    updates = [(entry("a3", RunState.SUCCESS, T0 - 3), None)]
    updates += [(e, None) for e in fresh]
    updates += [(entry("a7", RunState.SUCCESS, T0 - 7), None)]
    model.upsert_many(updates)
    assert inserted == [(0, 19)]
    assert changed == [(3, 7)]
    assert model.rowCount() == 30
    assert [model.entry_at(r).key for r in (0, 19, 20)] == ["local:n19", "local:n0", "a0"]
    assert model.entry_at(23).status is RunState.SUCCESS  # a3, below the 20 new ones
    # The server's id replaces a new run's local key: the row stays, one signal.
    inserted.clear()
    changed.clear()
    model.upsert_many(
        [
            (entry("act-5", RunState.QUEUED, T0 + 5), "local:n5"),
            (entry("act-6", RunState.QUEUED, T0 + 6), "local:n6"),
        ]
    )
    assert inserted == [] and changed == [(13, 14)] and model.rowCount() == 30
    assert model.row_of("act-6") == 13 and model.row_of("local:n6") == -1
    assert model.running_keys() >= {"act-5", "act-6", "local:n0"}


def test_tick_repaints_only_the_duration_of_running_rows(qtbot: object) -> None:
    model = HistoryTableModel()
    states = [RunState.SUCCESS, RunState.IN_PROGRESS, RunState.ERROR, RunState.QUEUED]
    model.set_entries([entry(f"a{i}", states[i % 4], T0 - i) for i in range(40)])
    changed: list[tuple[int, int, int, int]] = []
    model.dataChanged.connect(
        lambda a, b, _roles=None: changed.append((a.row(), b.row(), a.column(), b.column()))
    )
    model.tick(now=T0 + 12)
    running_rows = {
        r for r in range(40) if states[r % 4] in (RunState.IN_PROGRESS, RunState.QUEUED)
    }
    repainted = [r for first, last, _, _ in changed for r in range(first, last + 1)]
    assert sorted(repainted) == sorted(running_rows)
    duration = HistoryTableModel.DURATION
    assert all(c[2] == c[3] == duration for c in changed)
    assert model.index(1, duration).data() == "0:13 of ~0:30"
    assert model.index(0, duration).data() == "3.2 s"


def test_tick_sends_one_signal_for_neighbouring_running_rows() -> None:
    model = HistoryTableModel()
    states = [RunState.IN_PROGRESS] * 3 + [RunState.SUCCESS] + [RunState.QUEUED]
    model.set_entries([entry(f"a{i}", s, T0 - i) for i, s in enumerate(states)])
    spans: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda a, b, _roles=None: spans.append((a.row(), b.row())))
    model.tick(now=T0)
    assert sorted(spans) == [(0, 2), (4, 4)]


def test_tick_timer_runs_only_while_a_run_is_going(pane: HistoryPane) -> None:
    pane.model.set_entries([entry("a1", RunState.SUCCESS, T0)])
    assert not pane.tick_timer.isActive()
    pane.model.upsert(entry("a2", RunState.IN_PROGRESS, T0 + 1))
    assert pane.tick_timer.isActive()
    pane.model.upsert(entry("a2", RunState.SUCCESS, T0 + 1))
    assert not pane.tick_timer.isActive()


# ----------------------------------------------------------------------------- selection


def test_one_row_selects_a_run_and_two_enable_compare(pane: HistoryPane, qtbot: object) -> None:
    pane.model.set_entries([entry(f"a{i}", RunState.SUCCESS, T0 - i) for i in range(10)])
    pane.show()
    assert not pane.compare_button.isEnabled()
    with qtbot.waitSignal(pane.run_selected) as blocker:  # type: ignore[attr-defined]
        pane.view.selectRow(3)
    assert blocker.args == ["a3"]
    assert not pane.compare_button.isEnabled()

    selection = pane.view.selectionModel()
    flags = QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
    selection.select(pane.model.index(7, 0), flags)
    assert pane.compare_button.isEnabled()
    with qtbot.waitSignal(pane.compare_requested) as blocker:  # type: ignore[attr-defined]
        qtbot.mouseClick(pane.compare_button, Qt.MouseButton.LeftButton)  # type: ignore[attr-defined]
    assert blocker.args == ["a3", "a7"]
    selection.select(pane.model.index(8, 0), flags)
    assert not pane.compare_button.isEnabled()
    assert pane.select_run("a9") and pane.selected_keys() == ["a9"]


def test_sorting_by_a_header_sorts_the_model_list(pane: HistoryPane) -> None:
    names = ["b-route", "a-route", "c-route"]
    pane.model.set_entries(
        [entry(f"a{i}", RunState.SUCCESS, T0 - i, route_name=n) for i, n in enumerate(names)]
    )
    pane.view.sortByColumn(HistoryTableModel.ROUTE, Qt.SortOrder.AscendingOrder)
    assert [pane.model.index(r, 1).data() for r in range(3)] == sorted(names)
    assert pane.model.row_of("a1") == 0
    pane.view.sortByColumn(HistoryTableModel.STARTED, Qt.SortOrder.DescendingOrder)
    assert keys_shown(pane) == ["a0", "a1", "a2"]


# ----------------------------------------------------------------------------- the pane


def test_placeholder_error_status_and_scope(pane: HistoryPane, qtbot: object) -> None:
    assert pane.stack.currentWidget() is pane.placeholder
    assert pane.placeholder.text() == EMPTY_TEXT
    pane.model.set_entries([entry("a1", RunState.SUCCESS, T0)])
    assert pane.stack.currentWidget() is pane.view

    pane.show_error("Could not load your runs.")
    assert pane.error_notice.isVisibleTo(pane) and "Could not" in pane.error_notice.text()
    with qtbot.waitSignal(pane.retry_requested):  # type: ignore[attr-defined]
        pane.retry_button.click()
    pane.clear_error()
    assert not pane.error_notice.isVisibleTo(pane)

    pane.show_status("2 runs resumed")
    assert pane.status_line.isVisibleTo(pane) and pane.status_line.text() == "2 runs resumed"
    pane.show_status("")
    assert not pane.status_line.isVisibleTo(pane)

    assert pane.scope() == "all"
    with qtbot.waitSignal(pane.scope_changed) as blocker:  # type: ignore[attr-defined]
        pane.scope_buttons["route"].click()
    assert blocker.args == ["route"] and pane.scope() == "route"
    pane.set_scope("all")  # programmatic: no signal
    assert pane.scope_buttons["all"].isChecked()


def test_widgets_have_accessible_names_and_are_keyboard_reachable(pane: HistoryPane) -> None:
    for widget in (
        pane.view,
        pane.status_combo,
        pane.text_filter,
        pane.compare_button,
        *pane.scope_buttons.values(),
    ):
        assert widget.accessibleName()
        assert widget.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert pane.view.verticalHeader().sectionResizeMode(0).name == "Fixed"
    assert not pane.view.wordWrap()
    assert QApplication.instance() is not None
