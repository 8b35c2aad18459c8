"""The Charts tab: each of a route's ``response_charts`` as a :class:`ChartPlot`.

Plots are built only when the tab is actually shown, so showing a run costs nothing for
charts nobody looks at. :class:`ChartPlot` paints with QPainter in the palette's colours,
so a palette change (a dark theme) repaints the plots with no rebuild. A line under each
plot reads out the values at the mouse.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ouro_desktop.core.charts import ChartData
from ouro_desktop.ui.results.chart_plot import ChartPlot, series_colors

__all__ = ["ChartsView", "series_colors"]


class ChartsView(QWidget):
    """A scrolling column of charts: title, description, plot and value readout each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._charts: list[ChartData] = []
        self._dirty = False
        self.plots: list[ChartPlot] = []
        self.readouts: list[QLabel] = []  # one per plot: the values at the mouse
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._container = QWidget(self._scroll)
        self._column = QVBoxLayout(self._container)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._scroll.setWidget(self._container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._scroll)

    def set_charts(self, charts: list[ChartData]) -> None:
        if charts == self._charts and not self._dirty and self.plots:
            return
        self._charts = list(charts)
        self._dirty = True
        if self.isVisible():
            self._build()

    def charts(self) -> list[ChartData]:
        return list(self._charts)

    def is_built(self) -> bool:
        return not self._dirty

    def clear(self) -> None:
        self.set_charts([])

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._dirty:
            self._build()

    def _build(self) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.plots, self.readouts = [], []
        self._dirty = False
        for chart in self._charts:
            title = QLabel(chart.title, self._container)
            title.setTextFormat(Qt.TextFormat.PlainText)
            font = title.font()
            font.setBold(True)
            title.setFont(font)
            self._column.addWidget(title)
            if chart.description:
                description = QLabel(chart.description, self._container)
                description.setTextFormat(Qt.TextFormat.PlainText)
                description.setWordWrap(True)
                description.setForegroundRole(QPalette.ColorRole.PlaceholderText)
                self._column.addWidget(description)
            plot = ChartPlot(chart, self._container)
            readout = QLabel(" ", self._container)  # a space: the line keeps its height
            readout.setTextFormat(Qt.TextFormat.PlainText)
            readout.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            plot.hovered.connect(lambda text, label=readout: label.setText(text or " "))
            self._column.addWidget(plot, 1)
            self._column.addWidget(readout)
            self.plots.append(plot)
            self.readouts.append(readout)
        self._column.addStretch(0)
