"""The runs table: a paged Qt table model over :class:`~ouro_desktop.core.history.HistoryEntry`.

Columns: Status (icon + word), Route (its name, then what the run was given: "· Cu.cif"),
Started (local time), Duration (live while running).
The model never fetches anything. A controller fills it with :meth:`set_entries`, adds
pages with :meth:`append_entries` when ``more_requested`` fires (``fetchMore`` from the
view scrolling to the end), and pushes single changes with :meth:`upsert`. The pane
calls :meth:`tick` once a second while some run is going, which repaints only the
Duration cells of running rows, and :meth:`set_status_filter` / :meth:`set_text_filter`
when the user filters: the rows shown are then the runs that match.

Built for 100,000 rows: ``data()`` is O(1) (a list index and a few comparisons), a key
finds its row through a dict of positions (inserting at the top moves an offset, not
every position), sorting is one Python sort of the entry list, and filtering is one list
comprehension over it (each run's search text case-folded once, when it arrives; a
longer text filters only the rows the shorter one left) -- never a call per row. Above
:data:`FILTER_IN_WORKER` rows the comprehension runs in a worker thread on a copy of the
list and the rows it picks replace the shown ones when it is done (``filtered`` says
so); a list that changed meanwhile is filtered again.
"""

from __future__ import annotations

import time
from datetime import date, datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QGuiApplication, QIcon

from ouro_desktop.core.history import (
    GIVEN_SEPARATOR,
    STATUS_WORDS,
    HistoryEntry,
    format_duration,
    format_running,
    format_started,
    route_cell_text,
    route_label,
)
from ouro_desktop.core.run_record import RunState
from ouro_desktop.ui.common.labels import plain_tip
from ouro_desktop.ui.history.filter import KeyedRows, RunFilter, search_text
from ouro_desktop.ui.history.filter_worker import FILTER_IN_WORKER, FilterWorker
from ouro_desktop.ui.history.status_marks import status_icons

__all__ = [
    "COLUMNS",
    "FILTER_IN_WORKER",
    "GIVEN_SEPARATOR",
    "HistoryTableModel",
    "route_cell_text",
    "route_label",
]

_Index = QModelIndex | QPersistentModelIndex
COLUMNS = ("Status", "Route", "Started", "Duration")
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole
_ALIGN = Qt.ItemDataRole.TextAlignmentRole
_ROLES = {int(r) for r in (_DISPLAY, _DECORATION, _TOOLTIP, _ALIGN)}
_ROLES |= {int(Qt.ItemDataRole.UserRole) + i for i in range(1, 6)}
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_MAX_TICK_SPANS = 64
# Sorting the Status column groups runs by what they need from the user.
_STATUS_ORDER = {
    state: i
    for i, state in enumerate(
        [
            RunState.IN_PROGRESS,
            RunState.SUBMITTING,
            RunState.UNKNOWN,
            RunState.QUEUED,
            RunState.ERROR,
            RunState.TIMED_OUT,
            RunState.NOT_STARTED,
            RunState.SUCCESS,
        ]
    )  # fmt: skip
}


# --------------------------------------------------------------------------- the model


class HistoryTableModel(QAbstractTableModel):
    """Runs, newest first unless sorted otherwise; appended page by page."""

    STATUS, ROUTE, STARTED, DURATION = range(4)

    EntryRole = Qt.ItemDataRole.UserRole + 1  # the HistoryEntry
    KeyRole = Qt.ItemDataRole.UserRole + 2  # its key (action id or "local:…")
    StatusRole = Qt.ItemDataRole.UserRole + 3  # the RunState value, e.g. "in-progress"
    StartedRole = Qt.ItemDataRole.UserRole + 4  # epoch seconds (float)
    SortRole = Qt.ItemDataRole.UserRole + 5  # a sortable value for the cell's column
    GivenRole = Qt.ItemDataRole.UserRole + 6  # what the run was given ("Cu.cif"), or ""

    more_requested = Signal()
    filtered = Signal()  # the shown rows now follow the filter (at once, or from a worker)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._all = KeyedRows()  # every run listed, in the sort order
        self._shown: KeyedRows | None = None  # the runs that pass the filter (None: all)
        self._filter = RunFilter()
        self._version = 0  # changes with every change of the list (a worker's copy is stale)
        self._filter_job = 0  # the latest filter asked of the worker
        self._shown_job = 0  # the filter the shown rows follow
        self._worker = FilterWorker(self)
        self._worker.done.connect(self._on_worker_done)
        self._running: set[str] = set()
        self._has_more = False
        self._loading = False
        self._sort: tuple[int, Qt.SortOrder] = (self.STARTED, Qt.SortOrder.DescendingOrder)
        self._today = date.today()
        self._icons: dict[RunState, QIcon] | None = None
        self._now = time.time()

    @property
    def _rows(self) -> KeyedRows:
        """The rows the view shows."""
        return self._shown if self._shown is not None else self._all

    # -- feeding ---------------------------------------------------------------------------
    def set_entries(self, entries: list[HistoryEntry], has_more: bool = False) -> None:
        """Replace everything (a new scope or the first page). Repeated keys count once."""
        self._version += 1
        self.beginResetModel()
        unique: dict[str, HistoryEntry] = {}
        for entry in entries:
            unique.setdefault(entry.key, entry)
        items = list(unique.values())
        self._all.reset(items)
        if self._sort != (self.STARTED, Qt.SortOrder.DescendingOrder):
            self._all.sort(self._sort_key(self._sort[0]), self._descending())
        items = self._all.items
        self._running = {e.key for e in items if e.is_running}
        self._has_more = has_more
        self._loading = False
        self._today = date.today()
        if self._filter.active and len(self._all) > FILTER_IN_WORKER:
            self._shown = KeyedRows()  # until the worker has picked the rows
            self._filter_in_worker(self._all)  # (``filtering`` is true from here on)
        else:
            self._refilter()
        self.endResetModel()

    def append_entries(self, entries: list[HistoryEntry], has_more: bool) -> None:
        """Add the next page at the bottom. Runs already listed are updated in place
        (pages can shift while runs start); a page that adds nothing ends paging, so the
        view cannot ask forever."""
        self._version += 1
        fresh: list[HistoryEntry] = []
        seen: set[str] = set()
        for entry in entries:
            if entry.key in self._all:
                self.upsert(entry)
            elif entry.key not in seen:
                seen.add(entry.key)
                fresh.append(entry)
        self._loading = False
        self._has_more = has_more and bool(fresh)
        if not fresh:
            return
        hays = [search_text(entry) for entry in fresh]
        self._running.update(e.key for e in fresh if e.is_running)
        shown = self._shown
        if shown is None:
            first = len(self._all)
            self.beginInsertRows(QModelIndex(), first, first + len(fresh) - 1)
            self._all.extend(fresh, hays)
            self.endInsertRows()
            return
        self._all.extend(fresh, hays)
        passing = self._filter.passing(fresh, hays)
        if len(passing):
            first = len(shown)
            self.beginInsertRows(QModelIndex(), first, first + len(passing) - 1)
            shown.extend(passing.items, passing.hays)
            self.endInsertRows()

    def upsert(self, entry: HistoryEntry, replaces: str | None = None) -> int:
        """Update the run's row in place, or insert it at the top; returns its row (-1
        when the filter hides it).

        ``replaces``: the key the row had before (a local run's ``local:…`` key, once the
        server's action id is known), so the run keeps one row.
        """
        self._version += 1
        old_key = self._key_before(entry, replaces)
        hay = search_text(entry)
        row = self._all.row_of(old_key)
        shown = self._shown
        if shown is None:
            if row >= 0:
                self._all.replace(row, entry, hay, old_key)
                self._changed(row)
                return row
            self.beginInsertRows(QModelIndex(), 0, 0)
            self._all.push_top(entry, hay)
            self.endInsertRows()
            return 0
        passes = self._filter.accepts(entry, hay)
        if row < 0:
            self._all.push_top(entry, hay)
            if not passes:
                return -1
            self.beginInsertRows(QModelIndex(), 0, 0)
            shown.push_top(entry, hay)
            self.endInsertRows()
            return 0
        self._all.replace(row, entry, hay, old_key)
        at = shown.row_of(old_key)
        if at >= 0 and passes:
            shown.replace(at, entry, hay, old_key)
            self._changed(at)
            return at
        if at >= 0:  # no longer matches: its row goes
            self.beginRemoveRows(QModelIndex(), at, at)
            shown.remove(at)
            self.endRemoveRows()
            return -1
        if not passes:
            return -1
        at = self._place_of(entry.key)  # now matches: its row comes, in list order
        self.beginInsertRows(QModelIndex(), at, at)
        shown.insert(at, entry, hay)
        self.endInsertRows()
        return at

    def upsert_many(self, changes: list[tuple[HistoryEntry, str | None]]) -> None:
        """:meth:`upsert` for many runs (a batch's held changes) with one change signal and
        one insert at the top: the view lays out and repaints once, not once per run."""
        if self._shown is not None or len(changes) < 2:  # filtered: the filter's rules
            for entry, replaces in changes:
                self.upsert(entry, replaces)
            return
        self._version += 1
        fresh: list[tuple[HistoryEntry, str]] = []
        changed: list[int] = []
        for entry, replaces in changes:
            old_key = self._key_before(entry, replaces)
            row = self._all.row_of(old_key)
            if row >= 0:
                self._all.replace(row, entry, search_text(entry), old_key)
                changed.append(row)
            else:
                fresh.append((entry, search_text(entry)))
        if changed:
            self.dataChanged.emit(
                self.index(min(changed), 0), self.index(max(changed), len(COLUMNS) - 1)
            )
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, len(fresh) - 1)
            for entry, hay in fresh:  # the last one on top, as one upsert after another
                self._all.push_top(entry, hay)
            self.endInsertRows()

    def _key_before(self, entry: HistoryEntry, replaces: str | None) -> str:
        """The key of the run's row (``replaces`` until the server's id takes it over)."""
        old_key = entry.key
        if replaces and replaces != entry.key and entry.key not in self._all:
            if replaces in self._all:
                old_key = replaces
                self._running.discard(replaces)
        (self._running.add if entry.is_running else self._running.discard)(entry.key)
        return old_key

    def _changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(COLUMNS) - 1))

    def _place_of(self, key: str) -> int:
        """Where the run ``key`` goes among the shown rows (they keep the list's order)."""
        assert self._shown is not None
        items, order = self._shown.items, self._all.row_of
        target = order(key)
        lo, hi = 0, len(items)
        while lo < hi:
            mid = (lo + hi) // 2
            if order(items[mid].key) < target:
                lo = mid + 1
            else:
                hi = mid
        return lo

    def set_loading(self, loading: bool) -> None:
        """True while the controller fetches a page: ``fetchMore`` does not ask again."""
        self._loading = loading

    def clear(self) -> None:
        self.set_entries([], False)

    # -- filtering -------------------------------------------------------------------------
    def set_status_filter(self, key: str) -> None:
        """Show only the runs of one status group (a key of ``STATUS_FILTERS``)."""
        if self._filter.set_status(key):
            self._apply_filter(narrower=False)

    def set_text_filter(self, text: str) -> None:
        """Show only the runs whose route, summary, error or id contain ``text``."""
        before = self._filter.needle
        if self._filter.set_text(text):
            self._apply_filter(narrower=bool(before) and before in self._filter.needle)

    def status_filter(self) -> str:
        return self._filter.status_key

    def text_filter(self) -> str:
        return self._filter.text

    def is_filtering(self) -> bool:
        return self._filter.active

    def _apply_filter(self, *, narrower: bool) -> None:
        source = self._shown if narrower and self._shown is not None else self._all
        if self._filter.active and len(source) > FILTER_IN_WORKER:
            self._filter_in_worker(source)
            return
        self._filter_job += 1  # a worker still busy with an older filter is not waited for
        self._shown_job = self._filter_job
        self.beginResetModel()
        self._refilter(narrower=narrower)
        self.endResetModel()
        self.filtered.emit()

    def _refilter(self, *, narrower: bool = False) -> None:
        if not self._filter.active:
            self._shown = None
            return
        # A longer text only removes rows: look only at those the shorter one left.
        source = self._shown if narrower and self._shown is not None else self._all
        self._shown = self._filter.passing(source.items, source.hays)

    def _filter_in_worker(self, source: KeyedRows) -> None:
        """Filter ``source`` in the worker; the rows come back by :meth:`_on_worker_done`."""
        self._filter_job += 1
        self._worker.submit(self._filter.copy(), source, self._filter_job, self._version)

    @property
    def filtering(self) -> bool:
        """Whether a worker is still working out the rows of the last filter."""
        return self._filter_job != self._shown_job

    def _on_worker_done(self, outcome: tuple[int, int, KeyedRows]) -> None:
        job, version, rows = outcome
        if job != self._filter_job:
            return  # a newer filter is on its way
        if version != self._version:
            self._apply_filter(narrower=False)  # the list changed meanwhile: again
            return
        self.beginResetModel()
        self._shown = rows
        self._shown_job = job
        self.endResetModel()
        self.filtered.emit()

    # -- reading ---------------------------------------------------------------------------
    @property
    def has_more(self) -> bool:
        return self._has_more

    @property
    def loading(self) -> bool:
        return self._loading

    def has_running(self) -> bool:
        return bool(self._running)

    def running_keys(self) -> frozenset[str]:
        return frozenset(self._running)

    def entry_at(self, row: int) -> HistoryEntry | None:
        """The run shown at ``row``."""
        return self._rows.at(row)

    def entry_for(self, key: str) -> HistoryEntry | None:
        """The run ``key`` if it is listed, shown or hidden by the filter."""
        return self._all.at(self._all.row_of(key))

    def row_of(self, key: str) -> int:
        """The row showing ``key``, or -1 (not listed, or hidden by the filter). O(1)."""
        return self._rows.row_of(key)

    def entries(self) -> list[HistoryEntry]:
        """Every run listed, whatever the filter."""
        return list(self._all.items)

    def listed(self) -> int:
        """How many runs are listed, whatever the filter."""
        return len(self._all)

    # -- live durations --------------------------------------------------------------------
    def tick(self, now: float | None = None) -> None:
        """Repaint the Duration cells of running rows (and the Started column at midnight).

        Rows that are not running get no signal, so their cells are not even re-read.
        """
        self._now = time.time() if now is None else now
        today = date.today()
        if today != self._today and len(self._rows):
            self._today = today
            last = len(self._rows) - 1
            self.dataChanged.emit(
                self.index(0, self.STARTED), self.index(last, self.STARTED), [_DISPLAY]
            )
        rows = sorted(r for r in map(self.row_of, self._running) if r >= 0)
        spans: list[list[int]] = []
        for row in rows:  # neighbouring running rows share one signal
            if spans and spans[-1][1] == row - 1:
                spans[-1][1] = row
            else:
                spans.append([row, row])
        if len(spans) > _MAX_TICK_SPANS:
            # Hundreds of runs going at once (a batch): one signal from the first to the
            # last is cheaper than hundreds; the view repaints only the cells it shows.
            spans = [[spans[0][0], spans[-1][1]]]
        for first, last in spans:
            self.dataChanged.emit(
                self.index(first, self.DURATION),
                self.index(last, self.DURATION),
                [_DISPLAY, _TOOLTIP],
            )

    def refresh_icons(self) -> None:
        """Rebuild the status icons from the current palette (after a theme change)."""
        self._icons = None
        if len(self._rows):
            last = len(self._rows) - 1
            self.dataChanged.emit(
                self.index(0, self.STATUS), self.index(last, self.STATUS), [_DECORATION]
            )

    def _icon(self, state: RunState) -> QIcon:
        if self._icons is None:
            self._icons = status_icons(QGuiApplication.palette())
        return self._icons[state]

    # -- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == _DISPLAY:
                return COLUMNS[section]
            if role == _ALIGN and section == self.DURATION:
                return _RIGHT
        return None

    # flags(): QAbstractTableModel's own (enabled, selectable, no children), answered in
    # C++ -- the view asks it of every cell it paints.

    def data(self, index: _Index, role: int = _DISPLAY) -> Any:
        if role not in _ROLES:  # font, colours, check state (asked per cell per paint)
            return None
        row = index.row()
        items = self._rows.items
        if not index.isValid() or row >= len(items):
            return None
        entry = items[row]
        column = index.column()
        if role == _DISPLAY:
            return self._display(entry, column)
        if role == _DECORATION:
            return self._icon(entry.status) if column == self.STATUS else None
        if role == self.KeyRole:
            return entry.key
        if role == self.EntryRole:
            return entry
        if role == self.StatusRole:
            return entry.status.value
        if role == self.StartedRole:
            return entry.started_at
        if role == self.GivenRole:
            return entry.given
        if role == _ALIGN:
            return _RIGHT if column == self.DURATION else None
        if role == _TOOLTIP:
            tip = self._tooltip(entry, column)  # a server's words: shown literally
            return plain_tip(tip) if tip else tip
        if role == self.SortRole:
            return self._sort_key(column)(entry)
        return None

    def display_text(self, entry: HistoryEntry, column: int) -> str:
        """The text of ``entry``'s cell in ``column`` (what ``data()`` answers for it)."""
        return self._display(entry, column)

    def status_icon(self, state: RunState) -> QIcon:
        """The Status column's icon for ``state`` (what ``data()`` answers for it)."""
        return self._icon(state)

    def _display(self, entry: HistoryEntry, column: int) -> str:
        if column == self.STATUS:
            return STATUS_WORDS[entry.status]
        if column == self.ROUTE:
            return route_cell_text(entry)
        if column == self.STARTED:
            return format_started(entry.started_at, self._today)
        if entry.is_running:
            return format_running(max(0.0, self._now - entry.started_at), entry.expected_s)
        return format_duration(entry.duration_s())

    def _tooltip(self, entry: HistoryEntry, column: int) -> str | None:
        if column == self.STATUS:
            return entry.error or entry.summary or STATUS_WORDS[entry.status]
        if column == self.ROUTE:
            given = f"Given: {entry.given}" if entry.given else ""
            return "\n".join(t for t in (entry.route_name, given, entry.summary) if t) or None
        if column == self.STARTED and entry.started_at > 0:
            return datetime.fromtimestamp(entry.started_at).strftime("%Y-%m-%d %H:%M:%S")
        if column == self.DURATION and entry.is_running and entry.expected_s:
            return f"Running; this route usually takes {format_duration(entry.expected_s)}"
        return None

    # -- sorting (the view's header asks) -----------------------------------------------------
    def sort_order(self) -> tuple[int, Qt.SortOrder]:
        return self._sort

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the entry list itself: one C-speed sort, not a comparison per ``data()``."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = (column, order)
        self._version += 1  # a filter being worked out has the rows in the old order
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        rows = self._rows
        keys = [rows.items[i.row()].key if i.row() < len(rows) else None for i in persistent]
        self._all.sort(self._sort_key(column), self._descending())
        if self._shown is not None:  # the shown rows take the new order too
            self._shown.sort(self._sort_key(column), self._descending())
        self.changePersistentIndexList(
            persistent,
            [
                self.index(self.row_of(k), i.column()) if k is not None else QModelIndex()
                for k, i in zip(keys, persistent, strict=True)
            ],
        )
        self.layoutChanged.emit()

    def _descending(self) -> bool:
        return self._sort[1] == Qt.SortOrder.DescendingOrder

    def _sort_key(self, column: int) -> Any:
        if column == self.STATUS:
            return lambda e: _STATUS_ORDER.get(e.status, 99)
        if column == self.ROUTE:
            return lambda e: (route_label(e).casefold(), e.given.casefold())
        if column == self.DURATION:
            return lambda e: e.duration_s(self._now) or -1.0
        return lambda e: e.started_at

    # -- paging ----------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index) -> bool:
        return not parent.isValid() and self._has_more and not self._loading

    def fetchMore(self, parent: _Index) -> None:
        if self.canFetchMore(parent):
            self._loading = True  # once per page: set_entries / append_entries clear it
            self.more_requested.emit()
