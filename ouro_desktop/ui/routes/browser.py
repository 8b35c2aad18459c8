"""The route browser (left pane): search, sort, results / favourites / recent, open by name.

A synchronous widget: it never fetches anything. It says what the user asked for through
signals and the controller answers by calling its ``show_*`` / ``set_*`` methods:

* ``search_requested(query, sort)``: typing (debounced), Enter, or a new sort order.
  Answer with :meth:`RouteBrowser.show_results` (and ``show_loading`` / ``show_error``).
* ``more_requested()``: the results list scrolled to its end and the last page had more.
  Answer with :meth:`RouteBrowser.append_results`.
* ``route_selected(route_id)``: a row was selected in any list, or Enter pressed on one.
* ``route_activated(route_id)``: Enter on a row -- after ``route_selected``: the window
  then puts the keyboard in the route's form.
* ``open_requested(ref)``: "Open by name" with a valid ``user/route-name`` (links are parsed).
* ``favourite_toggled(route_id, full_name)``: the star; answer with :meth:`set_favourites`.
* ``retry_requested()``: the Retry button of the error shown by :meth:`show_error`.

Ctrl+K should focus the search field (:meth:`RouteBrowser.focus_search`). The window owns that
key (a "Find a route…" menu action shows it); a browser used on its own calls
:meth:`RouteBrowser.install_search_shortcut`. Never both: two Ctrl+K bindings in one window
are ambiguous and Qt then fires neither.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QItemSelection, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.core.settings import RouteBookmark
from ouro_desktop.ui.common.inline_notice import InlineNotice
from ouro_desktop.ui.common.item_views import ListView
from ouro_desktop.ui.routes.bookmarks import BookmarkList
from ouro_desktop.ui.routes.delegate import RouteDelegate
from ouro_desktop.ui.routes.model import RouteListModel
from ouro_desktop.ui.routes.refs import ROUTE_REF_HINT, parse_route_ref

__all__ = ["SEARCH_DEBOUNCE_MS", "SORTS", "RouteBrowser"]

SEARCH_DEBOUNCE_MS = 300
SORTS = (("Relevant", "relevant"), ("Recent", "recent"), ("Popular", "popular"))
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class RouteBrowser(QWidget):
    search_requested = Signal(str, str)
    more_requested = Signal()
    route_selected = Signal(str)
    route_activated = Signal(str)  # Enter on a row: open it and go to its form
    open_requested = Signal(str)
    favourite_toggled = Signal(str, str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Route browser")
        self._query = ""
        self._last_search: tuple[str, str] | None = None
        self._selected: RouteBookmark | None = None
        self._favourite_ids: set[str] = set()
        self._build()
        self._connect()
        self.set_current_favourite(False)

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search routes")
        self.search.setToolTip("Search routes (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search routes")
        self.search.setAccessibleDescription("Type to search; Enter searches at once")

        self.sort = QComboBox(self)
        for label, value in SORTS:
            self.sort.addItem(label, value)
        self.sort.setAccessibleName("Sort results")
        sort_label = QLabel("&Sort:", self)
        sort_label.setBuddy(self.sort)

        self.loading_label = QLabel("Loading…", self)
        self.loading_label.setAccessibleName("Loading")
        self.loading_label.hide()

        self.error_notice = InlineNotice("Error", "&Retry", self)
        assert self.error_notice.button is not None
        self.retry_button = self.error_notice.button

        # Results: a paged model with a painted row per route.
        self.model = RouteListModel(self)
        self.results_view = ListView(self)
        self.results_view.setModel(self.model)
        self.results_view.setItemDelegate(RouteDelegate(self.results_view))
        self.results_view.setUniformItemSizes(True)
        self.results_view.setMouseTracking(True)  # hover highlight
        self.results_view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.results_view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.results_view.setAccessibleName("Search results")
        self.empty_label = QLabel(self)
        self.empty_label.setTextFormat(Qt.TextFormat.PlainText)  # quotes what was searched
        self.empty_label.setWordWrap(True)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setAccessibleName("No results")
        self.empty_label.hide()
        results_page = QWidget(self)
        results_layout = QVBoxLayout(results_page)
        results_layout.setContentsMargins(0, 0, 0, 0)
        # "Routes that accept <file>", after a file is dropped on the browser.
        self.caption_label = QLabel(self)
        self.caption_label.setTextFormat(Qt.TextFormat.PlainText)  # names a dropped file
        self.caption_label.setWordWrap(True)
        self.caption_label.setAccessibleName("What the results show")
        self.caption_label.hide()
        results_layout.addWidget(self.caption_label)
        results_layout.addWidget(self.empty_label)
        results_layout.addWidget(self.results_view, 1)

        self.favourites = BookmarkList(
            "Favourite routes", "No favourites yet. Select a route and press ☆ to keep it here."
        )
        self.recent = BookmarkList("Recently opened routes", "Routes you open will appear here.")
        self.tabs = QTabWidget(self)
        self.tabs.setAccessibleName("Route lists")
        self.tabs.tabBar().setAccessibleName("Route lists: results, favourites, recent")
        self.tabs.addTab(results_page, "Results")
        self.tabs.addTab(self.favourites, "Favourites")
        self.tabs.addTab(self.recent, "Recent")

        self.star_button = QPushButton(self)
        self.star_button.setEnabled(False)

        self.open_field = QLineEdit(self)
        self.open_field.setPlaceholderText("user/route-name")
        self.open_field.setToolTip("A route's name, user/route-name, or a link to it (Ctrl+L)")
        self.open_field.setAccessibleName("Open route by name")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setAccessibleName("Open route")
        self.open_error = InlineNotice("Open by name error", parent=self)
        open_label = QLabel("Open &by name:", self)
        open_label.setBuddy(self.open_field)

        # The search box has its own row, at least wide enough for a few words ("density
        # of states" scrolled out of a 125 px box beside Sort at 1366×768); Sort goes under.
        self.search.setMinimumWidth(
            self.search.fontMetrics().horizontalAdvance("electronic density of states") + 40
        )
        top = QVBoxLayout()
        top.addWidget(self.search)
        sort_row = QHBoxLayout()
        sort_row.addWidget(sort_label)
        sort_row.addWidget(self.sort)
        sort_row.addStretch(1)
        top.addLayout(sort_row)
        star_row = QHBoxLayout()
        star_row.addStretch(1)
        star_row.addWidget(self.star_button)
        open_row = QHBoxLayout()
        open_row.addWidget(self.open_field, 1)
        open_row.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.error_notice)
        layout.addWidget(self.loading_label)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(star_row)
        layout.addWidget(open_label)
        layout.addLayout(open_row)
        layout.addWidget(self.open_error)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        self.setMinimumWidth(240)

        # The lists live inside the tab widget: chained after the tab widget itself, Qt
        # split them (and the star and "Open by name") into a loop Tab never entered.
        # So the tab widget goes after Sort, and the chain goes on from its tab bar.
        QWidget.setTabOrder(self.search, self.sort)
        QWidget.setTabOrder(self.sort, self.tabs)
        chain = [
            self.tabs.tabBar(),
            self.results_view,
            self.favourites.list,
            self.recent.list,
            self.star_button,
            self.open_field,
            self.open_button,
            self.retry_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DEBOUNCE_MS)
        self.search_shortcut: QShortcut | None = None

    def _connect(self) -> None:
        self.search.textEdited.connect(self._on_search_text_edited)
        self.search.returnPressed.connect(self._on_search_return_pressed)
        self._search_timer.timeout.connect(self._on_search_timer_timeout)
        self.sort.currentIndexChanged.connect(self._on_sort_current_index_changed)
        self.model.more_requested.connect(self.more_requested)
        self.results_view.selectionModel().selectionChanged.connect(
            self._on_results_selection_changed
        )
        self.favourites.bookmark_selected.connect(self._on_favourites_bookmark_selected)
        self.recent.bookmark_selected.connect(self._on_recent_bookmark_selected)
        self.star_button.clicked.connect(self._on_star_clicked)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.open_field.returnPressed.connect(self._on_open_clicked)
        self.open_field.textEdited.connect(self._on_open_field_text_edited)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        for view in (self.results_view, self.favourites.list, self.recent.list):
            view.installEventFilter(self)
        self.search.installEventFilter(self)

    # -- what the controller calls ---------------------------------------------------------
    def query(self) -> str:
        return self.search.text().strip()

    def current_sort(self) -> str:
        return str(self.sort.currentData())

    def set_sort(self, sort: str) -> None:
        """Show ``sort`` (e.g. restored from settings) without emitting a search."""
        index = self.sort.findData(sort)
        if index >= 0:
            self.sort.blockSignals(True)
            self.sort.setCurrentIndex(index)
            self.sort.blockSignals(False)

    def set_query(self, query: str) -> None:
        """Put ``query`` in the search field without emitting a search."""
        self._search_timer.stop()
        self.search.setText(query)
        self._query = query.strip()

    def install_search_shortcut(self) -> QShortcut:
        """Bind Ctrl+K (anywhere in this browser's window) to :meth:`focus_search`."""
        if self.search_shortcut is None:
            self.search_shortcut = QShortcut(QKeySequence("Ctrl+K"), self)
            self.search_shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            self.search_shortcut.activated.connect(self.focus_search)
        return self.search_shortcut

    def search_for(self, words: str) -> None:
        """Search for ``words`` as if typed there, the keys in the search field (a name
        that opened no route: the routes it may have meant)."""
        self.set_query(words)
        self._emit_search()
        self.focus_search()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def focus_open_field(self) -> None:
        """Ctrl+L: "Open by name", ready for a name or a pasted link."""
        self.open_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.open_field.selectAll()

    def focus_list(self) -> None:
        """Ctrl+1: the list on show (results, favourites or recent), at its current row."""
        view = {0: self.results_view, 1: self.favourites.list, 2: self.recent.list}.get(
            self.tabs.currentIndex(), self.results_view
        )
        if view is self.results_view and not view.currentIndex().isValid():
            if self.model.rowCount():
                view.setCurrentIndex(self.model.index(0, 0))
        view.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_loading(self, loading: bool) -> None:
        self.loading_label.setVisible(loading)

    def show_error(self, message: str) -> None:
        self.loading_label.hide()
        self.error_notice.show_message(message)

    def clear_error(self) -> None:
        self.error_notice.clear()

    def show_results(self, routes: list[Route], has_more: bool) -> None:
        """The first page of a search: replaces the list."""
        self.loading_label.hide()
        self.model.set_results(routes, has_more)
        if routes:
            self.empty_label.hide()
        elif self._query:
            self.empty_label.setText(f"No routes match “{self._query}”.")
            self.empty_label.show()
        else:
            self.empty_label.setText("No routes found.")
            self.empty_label.show()
        self.results_view.setVisible(bool(routes))
        if self._selected is not None:
            self._select_results_row_silently(self.model.row_of(self._selected.route_id))

    def show_caption(self, text: str | None) -> None:
        """A line above the results saying what they are (None hides it)."""
        self.caption_label.setText(text or "")
        self.caption_label.setVisible(bool(text))
        if text:
            self.tabs.setCurrentIndex(0)

    def append_results(self, routes: list[Route], has_more: bool) -> None:
        """The next page, answering ``more_requested``."""
        self.loading_label.hide()
        self.model.append_results(routes, has_more)

    def set_favourites(self, bookmarks: list[RouteBookmark]) -> None:
        self.favourites.set_bookmarks(bookmarks)
        self._favourite_ids = {b.route_id for b in bookmarks}
        if self._selected is not None:
            self.set_current_favourite(self._selected.route_id in self._favourite_ids)

    def set_recent(self, bookmarks: list[RouteBookmark]) -> None:
        self.recent.set_bookmarks(bookmarks)

    def set_current_favourite(self, favourite: bool) -> None:
        """Show whether the selected route is starred."""
        self.star_button.setText("★ Favourite" if favourite else "☆ Favourite")
        action = "Remove from favourites" if favourite else "Add to favourites"
        self.star_button.setAccessibleName(action)
        self.star_button.setToolTip(action)
        self.star_button.setProperty("favourite", favourite)

    def set_current_route(self, route_id: str, full_name: str) -> None:
        """``route_id`` was opened (from this list, by name, from a run…): select its row
        in every list that has it, without emitting, and let the star act on it."""
        self._selected = RouteBookmark(route_id, full_name)
        self.star_button.setEnabled(True)
        self.set_current_favourite(route_id in self._favourite_ids)
        row = self.model.row_of(route_id)
        self._select_results_row_silently(row)
        if row >= 0:
            self.results_view.scrollTo(self.model.index(row, 0))
        self.favourites.show_current(route_id)
        self.recent.show_current(route_id)

    def selected_route(self) -> RouteBookmark | None:
        return self._selected

    # -- reacting to the user --------------------------------------------------------------
    def _emit_search(self) -> None:
        self._search_timer.stop()
        self._query = self.query()
        self._last_search = (self._query, self.current_sort())
        self.tabs.setCurrentIndex(0)
        self.search_requested.emit(*self._last_search)

    def _on_search_text_edited(self, _text: str) -> None:
        self._search_timer.start()

    def _on_search_return_pressed(self) -> None:
        self._emit_search()  # Enter searches again even for the same words (a refresh)

    def _on_search_timer_timeout(self) -> None:
        if (self.query(), self.current_sort()) != self._last_search:
            self._emit_search()

    def _on_sort_current_index_changed(self, _index: int) -> None:
        self._emit_search()

    def _select(self, route_id: str, full_name: str) -> None:
        self._selected = RouteBookmark(route_id, full_name)
        self.star_button.setEnabled(True)
        self.set_current_favourite(route_id in self._favourite_ids)
        self.route_selected.emit(route_id)

    def _on_results_selection_changed(self, selected: QItemSelection, _old: QItemSelection) -> None:
        indexes = selected.indexes()
        route = self.model.route_at(indexes[0].row()) if indexes else None
        if route is None:
            return
        self.favourites.clear_selection()
        self.recent.clear_selection()
        self._select(route.id, route.full_name)

    def _on_favourites_bookmark_selected(self, route_id: str, full_name: str) -> None:
        self._select_results_row_silently(-1)
        self.recent.clear_selection()
        self._select(route_id, full_name)

    def _on_recent_bookmark_selected(self, route_id: str, full_name: str) -> None:
        self._select_results_row_silently(-1)
        self.favourites.clear_selection()
        self._select(route_id, full_name)

    def _select_results_row_silently(self, row: int) -> None:
        selection = self.results_view.selectionModel()
        selection.blockSignals(True)
        try:
            if row < 0:
                selection.clearSelection()
            else:
                index = self.model.index(row, 0)
                selection.setCurrentIndex(index, selection.SelectionFlag.ClearAndSelect)
        finally:
            selection.blockSignals(False)
        self.results_view.viewport().update()

    def _on_star_clicked(self) -> None:
        if self._selected is not None:
            self.favourite_toggled.emit(self._selected.route_id, self._selected.full_name)

    def _on_open_clicked(self) -> None:
        ref = parse_route_ref(self.open_field.text())
        if ref is None:
            self.open_error.show_message(ROUTE_REF_HINT)
            self.open_field.setAccessibleDescription(ROUTE_REF_HINT)
            self.open_field.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self._clear_open_error()
        self.open_requested.emit(ref)

    def _on_open_field_text_edited(self, _text: str) -> None:
        self._clear_open_error()

    def _clear_open_error(self) -> None:
        self.open_error.clear()
        self.open_field.setAccessibleDescription("")

    def _on_retry_clicked(self) -> None:
        self.clear_error()
        self.retry_requested.emit()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            # Down in the search box goes to the routes found (as in any search box),
            # at the first one; Enter there opens it.
            if watched is self.search:
                if event.key() == Qt.Key.Key_Down and self.model.rowCount():
                    self.tabs.setCurrentIndex(0)
                    self.focus_list()
                    return True
                return super().eventFilter(watched, event)
            # Enter on a list opens the current row (again), even if it is already selected.
            if event.key() in _ENTER_KEYS and self._open_current(watched):
                return True
        return super().eventFilter(watched, event)

    def _open_current(self, view: QObject) -> bool:
        """Enter on a list: select its current row, or re-emit if it is already selected."""
        if view is self.results_view:
            index = self.results_view.currentIndex()
            route = self.model.route_at(index.row()) if index.isValid() else None
            if route is None:
                return False
            selection = self.results_view.selectionModel()
            if selection.isSelected(index):
                self._select(route.id, route.full_name)
            else:
                selection.select(index, selection.SelectionFlag.ClearAndSelect)
            self.route_activated.emit(route.id)
            return True
        for bookmarks in (self.favourites, self.recent):
            if view is bookmarks.list:
                item = bookmarks.list.currentItem()
                if item is None:
                    return False
                mark = bookmarks.current_bookmark()
                assert mark is not None
                if item.isSelected():
                    self._select(mark.route_id, mark.full_name)
                else:
                    item.setSelected(True)
                self.route_activated.emit(mark.route_id)
                return True
        return False
