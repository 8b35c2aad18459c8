"""A short list of bookmarked routes (favourites or recently opened), shown by title.

These lists are tiny and replaced wholesale from settings, so a ``QListWidget`` is enough.
An empty list shows a sentence saying how it gets filled instead of a blank box.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.settings import RouteBookmark

__all__ = ["BookmarkList"]

_ROUTE_ID = Qt.ItemDataRole.UserRole + 1
_FULL_NAME = Qt.ItemDataRole.UserRole + 2


class BookmarkList(QWidget):
    """Emits ``bookmark_selected(route_id, full_name)`` when the user picks a row."""

    bookmark_selected = Signal(str, str)

    def __init__(self, accessible_name: str, empty_text: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.list = QListWidget(self)
        self.list.setAccessibleName(accessible_name)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setUniformItemSizes(True)
        self.list.itemSelectionChanged.connect(self._on_list_item_selection_changed)
        # (route id, full name) → what the row says; the full name by default.
        self.titler: Callable[[str, str], str] | None = None

        self.empty_label = QLabel(empty_text, self)
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName(f"{accessible_name}: empty")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list, 1)
        self.set_bookmarks([])

    def set_bookmarks(self, bookmarks: list[RouteBookmark]) -> None:
        """Replace the rows; the selected route stays selected (silently) if still listed."""
        current = self.selected_route_id()
        self.list.blockSignals(True)
        try:
            self.list.clear()
            for mark in bookmarks:
                title = self.titler(mark.route_id, mark.full_name) if self.titler else ""
                item = QListWidgetItem(title or mark.full_name)
                item.setData(_ROUTE_ID, mark.route_id)
                item.setData(_FULL_NAME, mark.full_name)
                item.setToolTip(mark.full_name)
                self.list.addItem(item)
                if mark.route_id == current:
                    item.setSelected(True)
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)
        self.empty_label.setVisible(not bookmarks)
        self.list.setVisible(bool(bookmarks))

    def bookmarks(self) -> list[RouteBookmark]:
        return [
            RouteBookmark(str(item.data(_ROUTE_ID)), str(item.data(_FULL_NAME)))
            for item in (self.list.item(row) for row in range(self.list.count()))
            if item is not None
        ]

    def selected_route_id(self) -> str | None:
        items = self.list.selectedItems()
        return str(items[0].data(_ROUTE_ID)) if items else None

    def select_route(self, route_id: str) -> bool:
        """Select the row of ``route_id`` (emits ``bookmark_selected``); False if not listed."""
        for row in range(self.list.count()):
            item = self.list.item(row)
            if item is not None and item.data(_ROUTE_ID) == route_id:
                self.list.setCurrentItem(item)
                return True
        return False

    def show_current(self, route_id: str) -> None:
        """Select the row of ``route_id`` without emitting (it was opened elsewhere), or
        none when it isn't listed."""
        self.list.blockSignals(True)
        try:
            self.list.clearSelection()
            for row in range(self.list.count()):
                item = self.list.item(row)
                if item is not None and item.data(_ROUTE_ID) == route_id:
                    item.setSelected(True)
                    self.list.setCurrentItem(item)
        finally:
            self.list.blockSignals(False)

    def clear_selection(self) -> None:
        self.list.blockSignals(True)
        self.list.clearSelection()
        self.list.blockSignals(False)

    def current_bookmark(self) -> RouteBookmark | None:
        item = self.list.currentItem()
        if item is None:
            return None
        return RouteBookmark(str(item.data(_ROUTE_ID)), str(item.data(_FULL_NAME)))

    def _on_list_item_selection_changed(self) -> None:
        items = self.list.selectedItems()
        if items:
            item = items[0]
            self.bookmark_selected.emit(str(item.data(_ROUTE_ID)), str(item.data(_FULL_NAME)))
