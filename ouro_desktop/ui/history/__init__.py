"""The run history (right pane): the runs table, its model and filter, and the pane."""

from __future__ import annotations

from ouro_desktop.ui.history.filter import STATUS_FILTERS
from ouro_desktop.ui.history.model import COLUMNS, HistoryTableModel
from ouro_desktop.ui.history.pane import HistoryPane

__all__ = ["COLUMNS", "STATUS_FILTERS", "HistoryPane", "HistoryTableModel"]
