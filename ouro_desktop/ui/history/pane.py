"""The history pane (right): the table of runs with its scope, filters and actions.

A synchronous widget: it never fetches anything. It says what the user asked for through
signals and a controller answers through the model (:attr:`HistoryPane.model`) and the
``show_*`` methods:

* ``scope_changed(scope)``: "route" (runs of the selected route) or "all" (all my runs).
  Answer with ``model.set_entries(...)``.
* ``more_requested()``: the table scrolled to its end and the last page had more.
  Answer with ``model.append_entries(...)``.
* ``run_selected(key)``: exactly one row selected (the detail below shows that run).
* ``compare_requested(key_a, key_b)``: the Compare button, enabled with two rows selected.
* ``retry_requested()``: the Retry button of the error shown by :meth:`show_error`.

Status and text filters act on the loaded rows (the model filters itself, see
:mod:`.filter`): a status switch at once, typing after a pause of :data:`TYPING_PAUSE_MS`
(one filter for a word, not one a key); the selected runs stay selected when they still
match. ``filters_changed(status, text)`` lets the controller also narrow what it
fetches. While a run is going, a one-second timer calls ``model.tick()`` so its elapsed
time counts up; with nothing running the timer stops.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import (
    QEvent,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFont, QPalette
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.history import HistoryEntry
from ouro_desktop.ui.common.inline_notice import InlineNotice
from ouro_desktop.ui.common.item_views import TableView
from ouro_desktop.ui.history.cells import RunCellsDelegate
from ouro_desktop.ui.history.filter import STATUS_FILTERS
from ouro_desktop.ui.history.model import HistoryTableModel

__all__ = ["EMPTY_TEXT", "NO_MATCH_TEXT", "HistoryPane"]

EMPTY_TEXT = "Runs you start appear here."
NO_MATCH_TEXT = "No runs match the filter."
LOADING_TEXT = "Loading runs…"
FILTERING_TEXT = "Finding the runs that match…"
TICK_MS = 1000
TYPING_PAUSE_MS = 150
SCOPES = (("This route", "route"), ("All my runs", "all"))


class HistoryPane(QWidget):
    scope_changed = Signal(str)
    filters_changed = Signal(str, str)  # status filter key, text
    more_requested = Signal()
    run_selected = Signal(str)
    compare_requested = Signal(str, str)
    retry_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName("Run history")
        self.model = HistoryTableModel(self)
        self._scope = "all"
        self._keep_selected: list[str] = []  # selected when a filter was asked for
        self._build()
        self._connect()
        self._update_placeholder()

    # -- construction ----------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLabel("Runs", self)
        font = QFont(self.title.font())
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.title.setFont(font)
        self.title.setAccessibleName("Runs")

        # Radio buttons rather than toggle buttons: which one is on reads in every theme.
        self.scope_buttons: dict[str, QRadioButton] = {}
        self.scope_group = QButtonGroup(self)
        self.scope_group.setExclusive(True)
        for label, scope in SCOPES:
            button = QRadioButton(label, self)
            button.setAccessibleName(f"Show {label.lower()}")
            button.setChecked(scope == self._scope)
            self.scope_group.addButton(button)
            self.scope_buttons[scope] = button

        self.status_combo = QComboBox(self)
        for label, key, _states in STATUS_FILTERS:
            self.status_combo.addItem(label, key)
        self.status_combo.setAccessibleName("Filter runs by status")
        status_label = QLabel("S&tatus:", self)
        status_label.setBuddy(self.status_combo)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter by route, input, result, error or id")
        self.text_filter.setClearButtonEnabled(True)
        self.text_filter.setAccessibleName("Filter runs by text")

        self.error_notice = InlineNotice("Run history error", "&Retry", self)
        assert self.error_notice.button is not None
        self.retry_button = self.error_notice.button

        self.view = TableView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Runs")
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        # Cells filled from the runs in one call each (not eight calls into the model),
        # and "route · Cu.cif" with the route's name cut before what the run was given.
        self.cells = RunCellsDelegate(self.model, self.view)
        self.view.setItemDelegate(self.cells)
        rows = self.view.verticalHeader()
        rows.hide()
        # Fixed row heights: the view never measures rows, so 100,000 cost what 100 do.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.view.horizontalHeader()
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        # Widths from the font and the longest usual text, never ResizeToContents (which
        # would measure every row); the Route column takes the rest, so titles show.
        metrics = self.fontMetrics()
        pad = 2 * metrics.horizontalAdvance("0")
        icon = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        widths = {
            HistoryTableModel.STATUS: icon + metrics.horizontalAdvance("Not started") + pad,
            HistoryTableModel.STARTED: metrics.horizontalAdvance("yesterday 00:00") + pad,
            HistoryTableModel.DURATION: metrics.horizontalAdvance("0:00 of ~0:00") + pad,
        }
        for column, width in widths.items():
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            header.resizeSection(column, width)
        header.setMinimumSectionSize(metrics.horizontalAdvance("0") * 6)
        header.setSectionResizeMode(HistoryTableModel.ROUTE, QHeaderView.ResizeMode.Stretch)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(HistoryTableModel.STARTED, Qt.SortOrder.DescendingOrder)

        self.placeholder = QLabel(EMPTY_TEXT, self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setAccessibleName("No runs")
        self.placeholder.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.view)
        self.stack.addWidget(self.placeholder)

        self.compare_button = QPushButton("&Compare", self)
        self.compare_button.setEnabled(False)
        self.compare_button.setAccessibleName("Compare the two selected runs")
        self.compare_button.setToolTip("Select two runs to compare them")
        self.status_line = QLabel(self)
        self.status_line.setAccessibleName("Run history status")
        self.status_line.setTextFormat(Qt.TextFormat.PlainText)
        self.status_line.hide()

        top = QHBoxLayout()
        top.addWidget(self.title)
        top.addStretch(1)
        for button in self.scope_buttons.values():
            top.addWidget(button)
        filters = QHBoxLayout()
        filters.addWidget(status_label)
        filters.addWidget(self.status_combo)
        filters.addWidget(self.text_filter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status_line, 1)
        bottom.addStretch(0)
        bottom.addWidget(self.compare_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(filters)
        layout.addWidget(self.error_notice)
        layout.addWidget(self.stack, 1)
        layout.addLayout(bottom)

        chain = [
            *self.scope_buttons.values(),
            self.status_combo,
            self.text_filter,
            self.view,
            self.compare_button,
            self.retry_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

        self.tick_timer = QTimer(self)
        self.tick_timer.setInterval(TICK_MS)
        self.filter_timer = QTimer(self)  # typing: filter once the keys pause
        self.filter_timer.setSingleShot(True)
        self.filter_timer.setInterval(TYPING_PAUSE_MS)

    def _connect(self) -> None:
        self.scope_group.buttonClicked.connect(self._on_scope_group_button_clicked)
        self.status_combo.currentIndexChanged.connect(self._on_status_combo_current_index_changed)
        self.text_filter.textChanged.connect(self._on_text_filter_text_changed)
        self.filter_timer.timeout.connect(self._on_filter_timer_timeout)
        self.model.filtered.connect(self._on_model_filtered)
        self.retry_button.clicked.connect(self.retry_requested)
        self.compare_button.clicked.connect(self._on_compare_button_clicked)
        self.tick_timer.timeout.connect(self.model.tick)
        self.model.more_requested.connect(self.more_requested)
        for signal in (
            self.model.modelReset,
            self.model.rowsInserted,
            self.model.rowsRemoved,
            self.model.dataChanged,
        ):
            signal.connect(self._on_model_changed)
        for signal in (self.model.modelReset, self.model.rowsInserted, self.model.rowsRemoved):
            signal.connect(self._update_placeholder)
        self.model.modelReset.connect(self._update_compare_button)
        self.view.selectionModel().selectionChanged.connect(self._on_view_selection_changed)

    # -- the controller's side -------------------------------------------------------------
    def scope(self) -> str:
        return self._scope

    def set_scope(self, scope: str) -> None:
        """Show ``scope`` as chosen, without emitting ``scope_changed``."""
        if scope not in self.scope_buttons:
            raise ValueError(f"unknown scope: {scope!r}")
        self._scope = scope
        self.scope_buttons[scope].setChecked(True)

    def set_route_scope_enabled(self, enabled: bool) -> None:
        """ "This route" is only meaningful with a route open."""
        self.scope_buttons["route"].setEnabled(enabled)

    def set_loading(self, loading: bool) -> None:
        self.model.set_loading(loading)
        self._update_placeholder()

    def show_error(self, message: str) -> None:
        self.error_notice.show_message(message)

    def clear_error(self) -> None:
        self.error_notice.clear()

    def show_status(self, text: str) -> None:
        """A short line under the table, e.g. "2 runs resumed"; empty text hides it."""
        self.status_line.setText(text)
        self.status_line.setVisible(bool(text))

    def height_for_rows(self, rows: int) -> int:
        """How tall this pane must be to show ``rows`` runs (for the first layout)."""
        if self.stack.height() > 0 and self.height() > self.stack.height():
            around = self.height() - self.stack.height()  # title, filters, buttons
        else:
            around = self.sizeHint().height() - self.stack.sizeHint().height()
        header = self.view.horizontalHeader().sizeHint().height()
        table = (
            header
            + 2 * self.view.frameWidth()
            + rows * self.view.verticalHeader().defaultSectionSize()
        )
        return max(0, around) + table + 2

    def first_control(self) -> QWidget:
        """Where Tab enters this pane."""
        return self.scope_buttons["route"]

    def focus_table(self) -> None:
        """Put the keyboard in the runs table, on its current (or first) run."""
        if self.stack.currentWidget() is self.view:
            if not self.view.currentIndex().isValid() and self.model.rowCount():
                self.view.setCurrentIndex(self.model.index(0, 0))
            self.view.setFocus(Qt.FocusReason.ShortcutFocusReason)
        else:
            self.text_filter.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def select_run(self, key: str) -> bool:
        """Select and show the run ``key`` (e.g. from a notification); False if not shown."""
        row = self.model.row_of(key)
        if row < 0:
            return False
        index = self.model.index(row, 0)
        # Only this run, whatever keys are held: selectRow() follows the modifiers, so a run
        # finishing while Ctrl is still down from Ctrl+Enter was added to the selection.
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        flags |= QItemSelectionModel.SelectionFlag.Rows
        self.view.selectionModel().setCurrentIndex(index, flags)
        self.view.scrollTo(index)
        return True

    def selected_keys(self) -> list[str]:
        rows = sorted(i.row() for i in self.view.selectionModel().selectedRows())
        keys = [self.model.index(r, 0).data(HistoryTableModel.KeyRole) for r in rows]
        return [k for k in keys if isinstance(k, str)]

    def apply_text_filter(self) -> None:
        """Filter by the text typed now, without waiting for the typing pause."""
        self.filter_timer.stop()
        self._refilter(lambda: self.model.set_text_filter(self.text_filter.text()))

    def selected_entries(self) -> list[HistoryEntry]:
        found = (self.model.entry_for(k) for k in self.selected_keys())
        return [e for e in found if e is not None]

    # -- slots -----------------------------------------------------------------------------
    def _on_scope_group_button_clicked(self, button: QAbstractButton) -> None:
        for scope, candidate in self.scope_buttons.items():
            if candidate is button and scope != self._scope:
                self._scope = scope
                self.scope_changed.emit(scope)

    def _on_status_combo_current_index_changed(self, _index: int) -> None:
        key = str(self.status_combo.currentData())
        self._refilter(lambda: self.model.set_status_filter(key))

    def _on_text_filter_text_changed(self, _text: str) -> None:
        self.filter_timer.start()  # (again): the filter follows once the keys pause

    def _on_filter_timer_timeout(self) -> None:
        self.apply_text_filter()

    def _refilter(self, change: Callable[[], None]) -> None:
        """Apply a filter change (the model says when its rows follow it, at once or from
        a worker), keeping the selected runs selected where still shown."""
        if not self.model.filtering:
            self._keep_selected = self.selected_keys()
        change()

    def _on_model_filtered(self) -> None:
        keys, self._keep_selected = self._keep_selected, []
        if keys:
            selection = self.view.selectionModel()
            flags = (
                QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows
            )
            for key in keys:
                row = self.model.row_of(key)
                if row >= 0:
                    selection.select(self.model.index(row, 0), flags)
        self._update_placeholder()
        self.filters_changed.emit(self.model.status_filter(), self.model.text_filter())

    def _on_compare_button_clicked(self) -> None:
        keys = self.selected_keys()
        if len(keys) == 2:
            self.compare_requested.emit(keys[0], keys[1])

    def _on_view_selection_changed(self, _selected: QItemSelection, _gone: QItemSelection) -> None:
        keys = self._update_compare_button()
        if len(keys) == 1:
            self.run_selected.emit(keys[0])

    def _update_compare_button(self) -> list[str]:
        keys = self.selected_keys()
        self.compare_button.setEnabled(len(keys) == 2)
        return keys

    def _on_model_changed(self) -> None:
        running = self.model.has_running()
        if running and not self.tick_timer.isActive():
            self.tick_timer.start()
        elif not running and self.tick_timer.isActive():
            self.tick_timer.stop()

    def _update_placeholder(self) -> None:
        empty = self.model.rowCount() == 0
        if empty:
            if self.model.filtering:
                text = FILTERING_TEXT
            elif self.model.listed() and self.model.is_filtering():
                text = NO_MATCH_TEXT
            else:
                text = LOADING_TEXT if self.model.loading else EMPTY_TEXT
            self.placeholder.setText(text)
            if text == NO_MATCH_TEXT and self.model.canFetchMore(QModelIndex()):
                # The table is hidden, so it cannot ask for the page that may match.
                self.model.fetchMore(QModelIndex())
        self.stack.setCurrentWidget(self.placeholder if empty else self.view)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.PaletteChange:
            self.model.refresh_icons()  # painted icons take their colours from the palette
        super().changeEvent(event)
