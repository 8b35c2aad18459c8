"""The result view: an answer as a scientist reads it, the default wherever an answer shows.

Built from a core :class:`~ouro_desktop.core.result_view.ResultView` (the route's response
schema gives titles, units and help): labelled values with units, "—" for nothing, Yes/No,
groups that fold, lists of numbers as tables (and as charts where the route's
``response_charts`` draw them, axes titled from the schema), long text wrapped and
selectable, outputs as cards with their picture or structure. The exact value of every
number is on hover and in Copy; **Copy result** puts the whole answer on the clipboard as
text; **Show as JSON** swaps in the JSON tree (built only when first asked for).

Building is bounded whatever the answer's size (:mod:`~ouro_desktop.ui.results.result_items`:
pages of rows, collapsed groups built when opened, table rows when scrolled to).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Route
from ouro_desktop.core.charts import ChartData, chart_series
from ouro_desktop.core.dataset_titles import schema_column_titles
from ouro_desktop.core.response_schema import response_schema
from ouro_desktop.core.result_text import result_text
from ouro_desktop.core.result_view import ResultItem, ResultView, build_view, view_for_route
from ouro_desktop.ui.common.labels import muted
from ouro_desktop.ui.results.json_tree import JsonTreeView
from ouro_desktop.ui.results.outputs_view import OutputBoard, OutputCard, item_from_info
from ouro_desktop.ui.results.result_items import ItemsPanel, RowContext, ValueLabel

__all__ = ["COPY_TABLE_ROWS", "AnswerView"]

COPY_TABLE_ROWS = 20_000  # "Copy result" stops a table here (and says how many more)


class AnswerView(QWidget):
    """An answer as labelled values (default) or as JSON, with Copy."""

    copied = Signal(str)  # the text that went to the clipboard

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        board: OutputBoard | None = None,
        what: str = "result",
    ) -> None:
        """``what`` names the whole in the Copy button ("Copy result", "Copy inputs")."""
        super().__init__(parent)
        self.board = board or OutputBoard(self)
        self._view: ResultView | None = None
        self._response: Any = None
        self._route: Route | None = None
        self._schema: dict[str, Any] | None = None
        self._json_current = False
        self.panel: ItemsPanel | None = None
        self.context = RowContext(self._copy_all_text)

        self.hint_label = muted(QLabel("Hover over a value for its exact figure.", self))
        self.copy_button = QPushButton(f"Copy {what}", self)
        self.copy_button.setToolTip(
            f"Copy the whole {what} as text: every value exact, with its unit; tables as "
            "tab-separated rows"
        )
        self.copy_button.clicked.connect(self.copy_all)
        self.json_button = QPushButton("Show as JSON", self)
        self.json_button.setCheckable(True)
        self.json_button.setToolTip("The answer exactly as the route sent it")
        self.json_button.toggled.connect(self._on_json_button_toggled)

        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._scroll.setAccessibleName("Result")
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.json_view = JsonTreeView(self, empty_text="Response")
        self.json_view.copied.connect(self.copied)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self._scroll)
        self.stack.addWidget(self.json_view)

        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 0)
        bar.addWidget(self.hint_label, 1)
        bar.addWidget(self.copy_button)
        bar.addWidget(self.json_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(bar)
        layout.addWidget(self.stack, 1)

    # -- public API ----------------------------------------------------------------------------
    def set_answer(self, response: Any, route: Route | None = None) -> None:
        """Show ``response`` as ``route`` describes it (labels, units, charts, outputs)."""
        view = view_for_route(route, response) if route is not None else build_view(response)
        self.set_view(view, response, route=route)

    def set_view(
        self,
        view: ResultView,
        as_sent: Any,
        *,
        route: Route | None = None,
        json_depth: int | None = None,
    ) -> None:
        """Show a prepared ``view``; ``as_sent`` is what "Show as JSON" shows (built now
        and expanded ``json_depth`` levels when that is given, e.g. -1 for a small request;
        else when first asked for)."""
        self._response, self._route, self._view = as_sent, route, view
        self._schema = response_schema(route) if route is not None else None
        self._json_current = False
        self._rebuild()
        if json_depth is not None:
            self.json_view.set_value(as_sent, expand_depth=json_depth)
            self._json_current = True
        elif self.json_button.isChecked():
            self._fill_json()

    def clear(self) -> None:
        self._response, self._route, self._view, self._schema = None, None, None, None
        self._json_current = False
        self.json_view.set_value(None)
        self._rebuild()

    def view(self) -> ResultView | None:
        return self._view

    def response(self) -> Any:
        return self._response

    def show_json(self, on: bool = True) -> None:
        self.json_button.setChecked(on)

    def showing_json(self) -> bool:
        return self.json_button.isChecked()

    def value_label(self, path: str) -> ValueLabel | None:
        """The built value row of the item at dot ``path`` (``conditions.temperature``)."""
        return self.context.values.get(path)

    def shown_values(self) -> dict[str, str]:
        """``{label: value as read}`` of every value row built so far (for tests and
        screen readers); nested labels are joined with " › "."""
        trails = self.context.trails
        return {trails[path]: label.text() for path, label in self.context.values.items()}

    def copy_all(self) -> str:
        text = self._copy_all_text()
        QGuiApplication.clipboard().setText(text)
        self.copied.emit(text)
        return text

    # -- building --------------------------------------------------------------------------------
    def _rebuild(self) -> None:
        old = self._scroll.takeWidget()
        if old is not None:
            old.deleteLater()
        self.context = RowContext(self._copy_all_text, self._chart_for, self._output_card)
        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(4, 4, 12, 4)
        self.panel = None
        if self._view is not None:
            root = self._view.root
            if root.kind == "group":
                self.panel = ItemsPanel(list(root.children), self.context, body, owner=root)
            else:
                self.panel = ItemsPanel([root], self.context, body)
            column.addWidget(self.panel)
        column.addStretch(1)
        self._scroll.setWidget(body)
        self.copy_button.setEnabled(self._view is not None)
        self.json_button.setEnabled(self._view is not None)

    def _chart_for(self, item: ResultItem) -> ChartData | None:
        declarations = self._route.response_charts if self._route is not None else None
        if item.chart is None or not isinstance(declarations, list):
            return None
        if not 0 <= item.chart < len(declarations):
            return None
        return chart_series(self._response, declarations[item.chart], self._schema)

    def _output_card(self, item: ResultItem, parent: QWidget) -> QWidget | None:
        if item.output is None:
            return None
        titles = schema_column_titles(self._schema) if item.output.asset_type == "dataset" else {}
        output = item_from_info(item.output, titles)
        return OutputCard(output, self.board, parent) if output is not None else None

    def _copy_all_text(self) -> str:
        return result_text(self._view, max_rows=COPY_TABLE_ROWS) if self._view else ""

    def _fill_json(self) -> None:
        if not self._json_current:
            self.json_view.set_value(self._response)
            self._json_current = True

    def _on_json_button_toggled(self, on: bool) -> None:
        if on:
            self._fill_json()
        self.json_button.setText("Show as labelled values" if on else "Show as JSON")
        self.stack.setCurrentWidget(self.json_view if on else self._scroll)
        self.copy_button.setVisible(not on)
        self.hint_label.setVisible(not on)  # the JSON shows the exact figures already
