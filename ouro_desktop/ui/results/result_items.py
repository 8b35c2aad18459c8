"""The rows of a result view: a labelled value, its help, a group, a table, a chart, an output.

:class:`ItemsPanel` lays out the items of one group in a grid (label, value with its unit,
a "?" when the route describes the value) and builds lazily: at most :data:`PAGE` rows at
a time with "Show more", a collapsed group's rows only when it is opened, a table's rows
only as they scroll into view. What a row shows comes from a core
:class:`~ouro_desktop.core.result_view.ResultItem`; the view's :class:`RowContext` makes
the parts that need more than the item (a chart from the whole answer, an output's card)
and copies the whole answer.

Every text is plain text (never markup). A value's tooltip gives the exact value and the
route's description; its context menu copies the exact value, with or without its unit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QCursor, QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.charts import ChartData
from ouro_desktop.core.result_text import item_text
from ouro_desktop.core.result_view import ResultItem, child_items
from ouro_desktop.core.units import with_unit
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.results.chart_plot import ChartPlot
from ouro_desktop.ui.results.table_model import ResultTableView

__all__ = ["PAGE", "HelpMark", "ItemsPanel", "RowContext", "ValueLabel"]

PAGE = 50  # rows built at once; "Show more" builds the next page
LONG_TEXT = 1500  # text longer than this reads in a scrolling box, not a label
TABLE_ROWS = 12  # a table shows this many rows before it scrolls
EXPAND_UP_TO = 20  # a top-level group with at most this many values starts open

_SELECTABLE = Qt.TextInteractionFlag.TextSelectableByMouse | (
    Qt.TextInteractionFlag.TextSelectableByKeyboard
)


@dataclass
class RowContext:
    """What rows need beyond their item, given by the view."""

    copy_all: Callable[[], str]
    chart_for: Callable[[ResultItem], ChartData | None] = lambda _item: None
    output_card: Callable[[ResultItem, QWidget], QWidget | None] = lambda _i, _p: None
    values: dict[str, ValueLabel] = field(default_factory=dict)  # built value rows by path
    trails: dict[str, str] = field(default_factory=dict)  # "Conditions › Temperature" by path


def _tooltip(item: ResultItem) -> str:
    parts = []
    if item.help:
        parts.append(item.help)
    if item.exact and item.exact not in (item.text, item.display) and item.kind != "output":
        exact = item.exact if len(item.exact) <= 400 else item.exact[:400] + "…"
        if item.kind == "number" and item.unit:
            exact = with_unit(exact, item.unit)  # the figure in the unit the row reads in
        parts.append(f"Exact value: {exact}")
    return "\n\n".join(parts)


def _copy(text: str) -> str:
    QGuiApplication.clipboard().setText(text)
    return text


class ValueLabel(QLabel):
    """One value as read (``47.24 Å³``); the exact value on hover and in its Copy menu."""

    def __init__(self, item: ResultItem, context: RowContext, parent: QWidget) -> None:
        super().__init__(parent)
        self.item = item
        self._context = context
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setText(item.display)
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setTextInteractionFlags(_SELECTABLE)
        self.setToolTip(_tooltip(item))
        self.setAccessibleName(item.label)
        self.setAccessibleDescription(f"{item.display}. {item.help}".strip())
        if item.wrap:
            self.setWordWrap(True)
            # As tall as its lines at the width it gets: a new policy drops the
            # height-for-width flag setWordWrap set, and the label then kept the height of
            # its size hint's narrow guess (five lines for two, a gap under the text).
            policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
            policy.setHeightForWidth(True)
            self.setSizePolicy(policy)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self._on_context_menu_requested)

    def exact_text(self) -> str:
        """What "Copy value" copies: the exact value (a table of them as text)."""
        item = self.item
        if item.kind == "number" and not item.text.count(", "):
            return item.exact
        if item.kind == "number":
            return item.exact  # a short list: its JSON, "[2, 2, 2]"
        if item.kind == "boolean":
            return item.text
        return item_text(item) if item.kind == "output" else (item.exact or item.text)

    def copy_value(self) -> str:
        return _copy(self.exact_text())

    def copy_with_unit(self) -> str:
        return _copy(item_text(self.item))

    def _on_context_menu_requested(self, pos: QPoint) -> None:
        menu = QMenu(self)
        menu.addAction("Copy value", self.copy_value)
        if self.item.unit:
            menu.addAction(f"Copy value with unit ({self.item.unit})", self.copy_with_unit)
        if self.hasSelectedText():
            menu.addAction("Copy selected text", lambda: _copy(self.selectedText()))
        menu.addSeparator()
        menu.addAction("Copy the whole result as text", lambda: _copy(self._context.copy_all()))
        menu.exec(self.mapToGlobal(pos))


class HelpMark(QToolButton):
    """A small "?" whose tooltip (and click, for those without a mouse hover) is the help."""

    def __init__(self, label: str, text: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setText("?")
        self.setAutoRaise(True)
        self.setToolTip(text)
        self.setAccessibleName(f"About {label}")
        self.setAccessibleDescription(text)
        self.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        side = self.fontMetrics().height() + 2
        self.setFixedSize(side, side)
        self.clicked.connect(self._on_clicked)

    def _on_clicked(self) -> None:
        QToolTip.showText(QCursor.pos(), self.toolTip(), self)


def _caption(text: str, parent: QWidget, *, bold: bool = False) -> QLabel:
    label = QLabel(parent)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setText(text)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if bold:
        font = label.font()
        font.setBold(True)
        label.setFont(font)
    return label


class ItemsPanel(QWidget):
    """The items of one group (or the answer) as rows, built a page at a time."""

    def __init__(
        self,
        items: list[ResultItem],
        context: RowContext,
        parent: QWidget | None = None,
        *,
        owner: ResultItem | None = None,
        trail: tuple[str, ...] = (),
    ) -> None:
        super().__init__(parent)
        self._context = context
        self._trail = trail  # the labels of the groups above these items
        self._owner = owner  # the group whose children these are (for pages not built yet)
        self._items = list(items)
        self._total = owner.count if owner is not None else len(items)
        self._built = 0
        self.grid = QGridLayout(self)
        self.grid.setContentsMargins(0, 0, 0, 0)
        self.grid.setHorizontalSpacing(12)
        self.grid.setVerticalSpacing(6)
        self.grid.setColumnStretch(1, 1)
        self.more_button = QPushButton(self)
        self.more_button.clicked.connect(self.show_more)
        self.more_button.hide()
        self.sections: list[CollapsibleSection] = []
        self.tables: list[ResultTableView] = []
        self.charts: list[ChartPlot] = []
        self.show_more()

    # -- paging ----------------------------------------------------------------------------
    def built_count(self) -> int:
        return self._built

    def show_more(self) -> None:
        """Build the next :data:`PAGE` rows."""
        stop = min(self._built + PAGE, self._total)
        if stop > len(self._items) and self._owner is not None:
            self._items += child_items(self._owner, len(self._items), stop)
        self.grid.removeWidget(self.more_button)
        for item in self._items[self._built : stop]:
            self._add(item)
        self._built = stop
        left = self._total - self._built
        if left > 0:
            self.more_button.setText(f"Show {min(PAGE, left)} more ({left:,} not shown)")
            self.grid.addWidget(self.more_button, self.grid.rowCount(), 0, 1, 3)
        self.more_button.setVisible(left > 0)

    # -- rows ------------------------------------------------------------------------------
    def _row(self) -> int:
        return self.grid.rowCount()

    def _add(self, item: ResultItem) -> None:
        if item.kind in ("group", "list"):
            self._add_group(item)
        elif item.kind == "table":
            self._add_table(item)
        elif item.kind == "output":
            self._add_output(item)
        else:
            self._add_value(item)

    def _label_cell(self, item: ResultItem, text: str | None = None) -> QWidget:
        """The label, and a "?" beside it when the route describes the value."""
        label = _caption(item.label if text is None else text, self)
        label.setToolTip(item.help)
        if not item.help:
            return label
        cell = QWidget(self)
        row = QHBoxLayout(cell)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(4)
        row.addWidget(label)
        row.addWidget(HelpMark(item.label, item.help, cell), 0, Qt.AlignmentFlag.AlignTop)
        row.addStretch(1)
        return cell

    def _add_value(self, item: ResultItem) -> None:
        row = self._row()
        self.grid.addWidget(self._label_cell(item), row, 0)
        if item.kind == "text" and len(item.text) > LONG_TEXT:
            box = QPlainTextEdit(self)
            box.setReadOnly(True)
            box.setPlainText(item.text)
            box.setAccessibleName(item.label)
            box.setMaximumHeight(box.fontMetrics().lineSpacing() * 12 + 12)
            self.grid.addWidget(box, row, 1)
        value = ValueLabel(item, self._context, self)
        if item.kind == "text" and len(item.text) > LONG_TEXT:
            value.hide()  # the box shows it; the label still serves Copy and tests
        else:
            self.grid.addWidget(value, row, 1)
        self._remember(item, value)

    def _add_group(self, item: ResultItem) -> None:
        body = QWidget(self)
        column = QVBoxLayout(body)
        column.setContentsMargins(18, 0, 0, 6)
        count = item.count
        title = item.label if item.kind == "group" else f"{item.label} ({count:,})"
        section = CollapsibleSection(title, body, parent=self)
        section.setToolTip(item.help)
        built: list[ItemsPanel] = []

        def build(expanded: bool) -> None:
            if expanded and not built:
                panel = ItemsPanel(
                    list(item.children),
                    self._context,
                    body,
                    owner=item,
                    trail=(*self._trail, item.label),
                )
                built.append(panel)
                column.addWidget(panel)

        section.toggled.connect(build)
        self.grid.addWidget(section, self._row(), 0, 1, 3)
        self.sections.append(section)
        if item.depth <= 1 and count <= EXPAND_UP_TO:
            section.set_expanded(True)

    def _add_table(self, item: ResultItem) -> None:
        assert item.table is not None
        rows = item.table.row_count
        count = f"{item.label} · {rows:,} row{'s' if rows != 1 else ''}"
        self.grid.addWidget(self._label_cell(item, count), self._row(), 0, 1, 3)
        chart = self._context.chart_for(item) if item.chart is not None else None
        if chart is not None:
            plot = ChartPlot(chart, self)
            plot.setMinimumHeight(220)
            self.charts.append(plot)
            self.grid.addWidget(plot, self._row(), 0, 1, 3)
        view = ResultTableView(item.table, self)
        view.setAccessibleName(item.label)
        view.fit_rows(TABLE_ROWS)
        self.tables.append(view)
        if chart is not None and rows > TABLE_ROWS:
            holder = QWidget(self)
            QVBoxLayout(holder).addWidget(view)
            holder.layout().setContentsMargins(0, 0, 0, 0)
            section = CollapsibleSection(f"The {rows:,} values as a table", holder, parent=self)
            self.sections.append(section)
            self.grid.addWidget(section, self._row(), 0, 1, 3)
        else:
            self.grid.addWidget(view, self._row(), 0, 1, 3)

    def _add_output(self, item: ResultItem) -> None:
        card = self._context.output_card(item, self)
        if card is None:
            self._add_value(item)
            return
        row = self._row()
        self.grid.addWidget(_caption(item.label, self), row, 0, 1, 3)
        self.grid.addWidget(card, self._row(), 0, 1, 3)
        value = ValueLabel(item, self._context, self)
        value.hide()  # the card shows it; the label serves Copy and tests
        self._remember(item, value)

    def _remember(self, item: ResultItem, value: ValueLabel) -> None:
        self._context.values[item.path] = value
        self._context.trails[item.path] = " › ".join((*self._trail, item.label))


def separator(parent: QWidget) -> QFrame:
    line = QFrame(parent)
    line.setFrameShape(QFrame.Shape.HLine)
    line.setFrameShadow(QFrame.Shadow.Sunken)
    return line
