"""Filtering the runs table: by status group and by text, over the rows loaded so far.

:class:`HistoryFilterProxy` sits between :class:`~.model.HistoryTableModel` and the
view. It reads the :class:`~ouro_desktop.core.history.HistoryEntry` of each source row
directly (no ``data()`` round trips), so filtering 10,000 rows takes milliseconds.

Sorting is not done here: :meth:`HistoryFilterProxy.sort` hands the request to the
source model, which sorts its list in one go, and the proxy keeps the source's order.
A proxy sorting 100,000 rows one comparison at a time through Python would freeze the
window for seconds.

When a filter hides most rows, the view keeps asking ``canFetchMore`` (the proxy
forwards it to the source), so further pages are fetched until the view is full or
the history ends.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt

from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.core.run_record import RunState
from ouro_desktop.ui.history.model import HistoryTableModel

__all__ = ["STATUS_FILTERS", "HistoryFilterProxy"]

_Index = QModelIndex | QPersistentModelIndex

# (label, key, states shown); the key is what the pane's combo box carries as data.
STATUS_FILTERS: tuple[tuple[str, str, frozenset[RunState] | None], ...] = (
    ("All", "all", None),
    ("Queued", "queued", frozenset({RunState.SUBMITTING, RunState.UNKNOWN, RunState.QUEUED})),
    ("Running", "running", frozenset({RunState.IN_PROGRESS})),
    ("Succeeded", "success", frozenset({RunState.SUCCESS})),
    ("Failed", "error", frozenset({RunState.ERROR, RunState.NOT_STARTED})),
    ("Timed out", "timed-out", frozenset({RunState.TIMED_OUT})),
)
_STATES_BY_KEY = {key: states for _label, key, states in STATUS_FILTERS}


def entry_matches(entry: HistoryEntry, needle: str) -> bool:
    """True if ``needle`` (already case-folded) is in the route name, summary, error or id."""
    return (
        needle in entry.route_name.casefold()
        or needle in entry.summary.casefold()
        or (entry.error is not None and needle in entry.error.casefold())
        or (entry.action_id is not None and needle in entry.action_id.casefold())
    )


class HistoryFilterProxy(QSortFilterProxyModel):
    """Shows the rows of a :class:`HistoryTableModel` that pass the status and text filters."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._states: frozenset[RunState] | None = None
        self._status_key = "all"
        self._needle = ""
        self._text = ""
        self._source: HistoryTableModel | None = None

    def setSourceModel(self, model: Any) -> None:  # noqa: N802 (Qt's name)
        if not isinstance(model, HistoryTableModel):
            raise TypeError("HistoryFilterProxy filters a HistoryTableModel")
        self._source = model
        super().setSourceModel(model)

    # -- filters ---------------------------------------------------------------------------
    def set_status_filter(self, key: str) -> None:
        """One of the keys of :data:`STATUS_FILTERS` ("all", "running", ...)."""
        if key not in _STATES_BY_KEY:
            raise ValueError(f"unknown status filter: {key!r}")
        if key == self._status_key:
            return
        self.beginFilterChange()
        self._status_key = key
        self._states = _STATES_BY_KEY[key]
        self.invalidateRowsFilter()

    def set_text_filter(self, text: str) -> None:
        needle = " ".join(text.split()).casefold()
        self._text = text
        if needle == self._needle:
            return
        self.beginFilterChange()
        self._needle = needle
        self.invalidateRowsFilter()

    def status_filter(self) -> str:
        return self._status_key

    def text_filter(self) -> str:
        return self._text

    def is_filtering(self) -> bool:
        return self._states is not None or bool(self._needle)

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:  # noqa: N802
        if self._states is None and not self._needle:
            return True
        source = self._source
        entry = source.entry_at(source_row) if source is not None else None
        if entry is None:
            return False
        if self._states is not None and entry.status not in self._states:
            return False
        return not self._needle or entry_matches(entry, self._needle)

    # -- helpers for the pane --------------------------------------------------------------
    def entry_at(self, row: int) -> HistoryEntry | None:
        """The entry shown at proxy ``row``."""
        if self._source is None:
            return None
        source_index = self.mapToSource(self.index(row, 0))
        return self._source.entry_at(source_index.row()) if source_index.isValid() else None

    def row_of(self, key: str) -> int:
        """The proxy row showing ``key``, or -1 (hidden by a filter or not loaded)."""
        if self._source is None:
            return -1
        row = self._source.row_of(key)
        if row < 0:
            return -1
        proxy_index = self.mapFromSource(self._source.index(row, 0))
        return proxy_index.row() if proxy_index.isValid() else -1

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort the source's list (fast) and keep its order here; see the module docstring."""
        if self._source is not None:
            self._source.sort(column, order)
