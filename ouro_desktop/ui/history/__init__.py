"""The run history (right pane): the runs table, its model and filter, and the pane."""

from __future__ import annotations

from .filter import STATUS_FILTERS, HistoryFilterProxy
from .model import COLUMNS, HistoryTableModel
from .pane import HistoryPane

__all__ = ["COLUMNS", "STATUS_FILTERS", "HistoryFilterProxy", "HistoryPane", "HistoryTableModel"]
