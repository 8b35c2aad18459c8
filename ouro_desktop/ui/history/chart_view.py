"""The Charts tab: each of a route's ``response_charts`` drawn with pyqtgraph.

pyqtgraph (and numpy with it) is imported inside :func:`make_plot` only, and plots are
built only when the tab is actually shown, so the app starts and shows runs without
loading a plotting library. Colours come from the palette (background ``Base``, text
``Text``, lines from ``Highlight`` and hues turned from it), and the plots are rebuilt when
the palette changes, so a dark theme reads as well as a light one. A line under each plot
reads out the values at the mouse.
"""

from __future__ import annotations

import bisect
import math
import os
from typing import Any, cast

from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QPalette, QShowEvent
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from ouro_desktop.core.charts import ChartData

__all__ = ["ChartsView", "make_plot", "series_colors"]

_configured = False


def series_colors(palette: QPalette, count: int) -> list[QColor]:
    """``count`` distinguishable line colours: the highlight, the link colour, then hues
    turned from the highlight at its own saturation and value."""
    first = palette.color(QPalette.ColorRole.Highlight)
    colors = [first, palette.color(QPalette.ColorRole.Link)]
    hue = max(first.hsvHue(), 0)
    saturation = max(first.hsvSaturation(), 140)
    value = max(first.value(), 170)
    for i in range(2, max(count, 2)):
        colors.append(QColor.fromHsv((hue + 137 * (i - 1)) % 360, saturation, value))
    return colors[:count]


def _number_text(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.6g}"


def make_plot(chart: ChartData, palette: QPalette, parent: QWidget | None = None) -> QWidget:
    """A pyqtgraph PlotWidget for ``chart`` in the palette's colours (imports pyqtgraph)."""
    global _configured
    os.environ.setdefault("PYQTGRAPH_QT_LIB", "PySide6")
    import pyqtgraph as pg  # heavy: only when a chart is shown

    if not _configured:
        pg.setConfigOptions(antialias=True)
        _configured = True

    background = palette.color(QPalette.ColorRole.Base)
    text = palette.color(QPalette.ColorRole.Text)
    axis = palette.color(QPalette.ColorRole.PlaceholderText)
    widget = pg.PlotWidget(parent=parent, background=background)
    widget.setMinimumHeight(240)
    widget.setAccessibleName(chart.title or "Chart")
    plot = widget.getPlotItem()
    for name in ("left", "bottom"):
        item = plot.getAxis(name)
        item.setPen(pg.mkPen(axis))
        item.setTextPen(pg.mkPen(text))
    plot.setLabel("bottom", chart.x_label, color=text.name())
    if chart.y_label:
        plot.setLabel("left", chart.y_label, color=text.name())
    plot.showGrid(x=True, y=True, alpha=0.15)
    if len(chart.series) > 1:
        legend_fill = QColor(background)
        legend_fill.setAlpha(200)
        plot.addLegend(labelTextColor=text, brush=legend_fill, pen=pg.mkPen(axis))

    xs = list(range(len(chart.x))) if chart.categorical else [float(v) for v in chart.x]
    if chart.categorical:
        step = max(1, math.ceil(len(chart.x) / 12))
        ticks = [(i, str(label)) for i, label in enumerate(chart.x) if i % step == 0]
        plot.getAxis("bottom").setTicks([ticks])
    colors = series_colors(palette, len(chart.series))
    if chart.kind == "bar":
        gaps = [b - a for a, b in zip(xs, xs[1:], strict=False) if b > a]
        slot = 0.8 * (min(gaps) if gaps else 1.0)
        width = slot / max(1, len(chart.series))
        for k, ((label, ys), color) in enumerate(zip(chart.series, colors, strict=True)):
            offset = (k - (len(chart.series) - 1) / 2) * width
            points = [(x + offset, y) for x, y in zip(xs, ys, strict=True) if not math.isnan(y)]
            bars = pg.BarGraphItem(
                x=[p[0] for p in points],
                height=[p[1] for p in points],
                width=width * 0.9,
                brush=color,
                pen=pg.mkPen(None),
                name=label,
            )
            plot.addItem(bars)
    else:
        few = len(xs) <= 40
        for (label, ys), color in zip(chart.series, colors, strict=True):
            plot.plot(
                xs,
                ys,
                pen=pg.mkPen(color, width=2),
                name=label,
                connect="finite",
                symbol="o" if few else None,
                symbolSize=5,
                symbolBrush=color,
                symbolPen=None,
            )

    def readout_text(scene_pos: QPointF) -> str | None:
        if not plot.sceneBoundingRect().contains(scene_pos) or not xs:
            return None
        x = plot.vb.mapSceneToView(scene_pos).x()
        i = bisect.bisect_left(xs, x) if xs == sorted(xs) else 0
        candidates = [j for j in (i - 1, i) if 0 <= j < len(xs)] or list(range(len(xs)))
        j = min(candidates, key=lambda c: abs(xs[c] - x))
        head = chart.x[j] if chart.categorical else _number_text(float(chart.x[j]))
        values = ", ".join(f"{name} = {_number_text(ys[j])}" for name, ys in chart.series)
        return f"{chart.x_label or 'x'} = {head}: {values}"

    widget.readout_text = readout_text  # for the view's readout line (and tests)
    return cast(QWidget, widget)


class ChartsView(QWidget):
    """A scrolling column of charts: title, description, plot and value readout each."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._charts: list[ChartData] = []
        self._dirty = False
        self.plots: list[QWidget] = []
        self._readouts: list[QLabel] = []
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

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self._charts:
            self._dirty = True
            if self.isVisible():
                self._build()

    def _build(self) -> None:
        while self._column.count():
            item = self._column.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.hide()
                widget.deleteLater()
        self.plots, self._readouts = [], []
        self._dirty = False
        palette = self.palette()
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
            plot = make_plot(chart, palette, self._container)
            readout = QLabel(" ", self._container)
            readout.setTextFormat(Qt.TextFormat.PlainText)
            readout.setForegroundRole(QPalette.ColorRole.PlaceholderText)
            self._connect_readout(plot, readout)
            self._column.addWidget(plot, 1)
            self._column.addWidget(readout)
            self.plots.append(plot)
            self._readouts.append(readout)
        self._column.addStretch(0)

    @staticmethod
    def _connect_readout(plot: Any, readout: QLabel) -> None:
        def on_moved(pos: QPointF) -> None:
            text = plot.readout_text(pos)
            readout.setText(text if text is not None else " ")

        plot.scene().sigMouseMoved.connect(on_moved)
