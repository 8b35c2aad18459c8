"""One chart of the Charts tab, drawn with QPainter: lines or grouped bars, axes, a legend.

This replaces pyqtgraph, which brought numpy with it (~50 MB of the bundle) for charts of
tens to a few thousand points that never pan or zoom. Every colour is read from the
widget's palette while painting (background ``Base``, text ``Text``, axes
``PlaceholderText``, series from :func:`series_colors`), so a palette change such as a dark
theme only needs the repaint Qt already does on ``PaletteChange``.

The axes' ticks and labels come from :mod:`ouro_desktop.core.chart_axes`. Moving the mouse
over the plot area emits :attr:`ChartPlot.hovered` with the values at the nearest x (see
:meth:`ChartPlot.readout_text`).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
    QPolygonF,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

from ouro_desktop.core.chart_axes import (
    MAX_CATEGORY_LABELS,
    category_ticks,
    nice_ticks,
    number_text,
    tick_texts,
)
from ouro_desktop.core.charts import ChartData
from ouro_desktop.core.contrast import NON_TEXT, TEXT
from ouro_desktop.ui.common.theme import readable

__all__ = ["ChartColors", "ChartPlot", "series_colors"]

MARKER_LIMIT = 40  # point markers only while they don't crowd the line
MIN_HEIGHT = 240
_LINE_WIDTH = 2.0
_MARKER_RADIUS = 2.5
_POINT_RADIUS = 4.0  # a series drawn as markers only (measured points)
_POINT_RING = 1.5
_TICK = 4  # px: tick mark length
_GAP = 4  # px: between a tick and its label, a label and the axis title
_BAR_SLOT = 0.8  # share of the x spacing one group of bars covers
_BAR_FILL = 0.9  # share of its slot a bar fills, leaving a hairline between neighbours
_GRID_ALPHA = 38  # ~15 % of the text colour: faint on light and on dark backgrounds
_LEGEND_ALPHA = 210  # the legend box lets a line under it show through a little
_CLIP_SLACK = 3.0  # px: a 2 px line on the top or bottom tick is not cut in half
_LABEL_CAP = 120  # px: category labels up to this wide are thinned out, not elided
_FAR = 1000.0  # plot sizes: points further off the plot are drawn (clipped) here


# -- Colours -------------------------------------------------------------------------------
def series_colors(palette: QPalette, count: int) -> list[QColor]:
    """``count`` distinguishable line colours: the highlight, then hues turned from it by
    the golden angle at its own saturation and value (the palette's link colour is often
    the same hue as the highlight, or a harsh pure blue, so it is not used)."""
    first = palette.color(QPalette.ColorRole.Highlight)
    colors = [first]
    hue = max(first.hsvHue(), 0)
    saturation = max(first.hsvSaturation(), 140)
    value = max(first.value(), 170)
    for i in range(1, count):
        colors.append(QColor.fromHsv((hue + 137 * i) % 360, saturation, value))
    return colors[:count]


@dataclass(frozen=True)
class ChartColors:
    """The colours one paint uses, all taken from the widget's palette."""

    background: QColor
    text: QColor
    axis: QColor
    grid: QColor
    series: list[QColor]


def _clamp(value: int, lo: int, hi: int) -> int:
    return max(lo, min(hi, value))


def _crisp(value: float) -> float:
    """The centre of the pixel at ``value``: 1 px lines there are sharp, not smeared."""
    return math.floor(value) + 0.5


def _fraction(value: float, lo: float, hi: float) -> float:
    """Where ``value`` is from ``lo`` (0) to ``hi`` (1), kept within :data:`_FAR` so that
    a value far off the axis (an overflow, in the extreme) still makes a paintable point."""
    fraction = (value - lo) / (hi - lo)
    if math.isnan(fraction):
        return -_FAR
    return max(-_FAR, min(_FAR, fraction))


@dataclass(frozen=True)
class _Frame:
    """Where the plot area is and which data ranges and ticks it shows, for one size."""

    plot: QRectF
    x_lo: float
    x_hi: float
    y_lo: float
    y_hi: float
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]

    def to_widget(self, x: float, y: float) -> QPointF:
        fx = _fraction(x, self.x_lo, self.x_hi)
        fy = _fraction(y, self.y_lo, self.y_hi)
        return QPointF(
            self.plot.left() + fx * self.plot.width(), self.plot.bottom() - fy * self.plot.height()
        )

    def to_data(self, point: QPointF) -> tuple[float, float]:
        fx = (point.x() - self.plot.left()) / max(self.plot.width(), 1e-9)
        fy = (self.plot.bottom() - point.y()) / max(self.plot.height(), 1e-9)
        return (
            self.x_lo + fx * (self.x_hi - self.x_lo),
            self.y_lo + fy * (self.y_hi - self.y_lo),
        )


# -- The widget ----------------------------------------------------------------------------
class ChartPlot(QWidget):
    """A line or bar chart of one :class:`ChartData`; emits :attr:`hovered` on mouse moves."""

    hovered = Signal(str)  # the readout at the mouse, "" when it is off the plot area

    def __init__(self, chart: ChartData, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = chart
        # categories are drawn at 0, 1, 2, ...: from here on every x is a number
        self._categorical = chart.categorical  # a property that scans x: read it once
        self._xs = [float(i) if self._categorical else float(v) for i, v in enumerate(chart.x)]
        finite = all(math.isfinite(x) for x in self._xs)
        self._sorted = finite and self._xs == sorted(self._xs)
        self._frame_cache: tuple[tuple[int, int, str], _Frame] | None = None
        self._hover: int | None = None
        self.setMinimumHeight(MIN_HEIGHT)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMouseTracking(True)  # the readout follows the mouse without a button held
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # paint fills every pixel
        self.setAccessibleName(chart.title or "Chart")
        self.setAccessibleDescription(self._summary())

    # -- What is drawn (public for the view and for tests) --------------------------------
    def is_bar(self) -> bool:
        return self.chart.kind == "bar"

    def colors(self) -> ChartColors:
        """Palette colours, each checked against the background it is drawn on: 4.5:1 for
        text, 3:1 for axes and lines (the grid is faint on purpose: it is a guide)."""
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = readable(palette.color(QPalette.ColorRole.Text), base, TEXT)
        grid = QColor(text)
        grid.setAlpha(_GRID_ALPHA)
        return ChartColors(
            background=base,
            text=text,
            axis=readable(palette.color(QPalette.ColorRole.PlaceholderText), base, NON_TEXT),
            grid=grid,
            series=[
                readable(colour, base, NON_TEXT)
                for colour in series_colors(palette, len(self.chart.series))
            ],
        )

    def background_color(self) -> QColor:
        return self.colors().background

    def axis_labels(self) -> tuple[str, str]:
        """The (x, y) axis titles: x under the plot, y turned up the left side."""
        return self.chart.x_label, self.chart.y_label

    def plot_rect(self) -> QRectF:
        """The area inside the axes, in widget coordinates."""
        return QRectF(self._frame().plot)

    def x_range(self) -> tuple[float, float]:
        frame = self._frame()
        return frame.x_lo, frame.x_hi

    def y_range(self) -> tuple[float, float]:
        frame = self._frame()
        return frame.y_lo, frame.y_hi

    def x_ticks(self) -> list[tuple[float, str]]:
        return list(self._frame().x_ticks)

    def y_ticks(self) -> list[tuple[float, str]]:
        return list(self._frame().y_ticks)

    def map_to_widget(self, x: float, y: float) -> QPointF:
        """The widget point of data (x, y); categorical x values are their indices."""
        return self._frame().to_widget(x, y)

    def line_segments(self, index: int) -> list[list[tuple[float, float]]]:
        """Series ``index`` as runs of (x, y) points; a NaN ends one run (a gap)."""
        segments: list[list[tuple[float, float]]] = []
        current: list[tuple[float, float]] = []
        for x, y in zip(self._xs, self.chart.series[index][1], strict=True):
            if math.isfinite(x) and math.isfinite(y):
                current.append((x, y))
            elif current:
                segments.append(current)
                current = []
        if current:
            segments.append(current)
        return segments

    def bar_rects(self, index: int) -> list[QRectF]:
        """Series ``index``'s bars in widget coordinates, from zero to each value; the
        series of one x stand side by side, in series order, centred on the x."""
        frame = self._frame()
        count = max(1, len(self.chart.series))
        width = self._bar_slot() / count
        offset = (index - (count - 1) / 2) * width
        half = width * _BAR_FILL / 2
        rects = []
        for x, y in zip(self._xs, self.chart.series[index][1], strict=True):
            if math.isfinite(x) and math.isfinite(y):
                centre = x + offset
                corner = frame.to_widget(centre - half, y)
                rects.append(QRectF(corner, frame.to_widget(centre + half, 0.0)).normalized())
        return rects

    def legend_rect(self) -> QRectF | None:
        """Where the legend is drawn; None with a single series (the title names it)."""
        if len(self.chart.series) < 2:
            return None
        frame = self._frame()
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        text_w = max(metrics.horizontalAdvance(name) for name in self._legend_names(frame))
        # swatch (two lines wide) and text, with a gap around and between them
        size = QSizeF(2 * line + text_w + 4 * _GAP, len(self.chart.series) * line + 2 * _GAP)
        return self._legend_box(frame, size)

    def index_at(self, pos: QPointF) -> int | None:
        """The index of the x nearest to ``pos`` (widget coordinates), or None off the plot
        area or without data."""
        frame = self._frame()
        if not self._xs or not frame.plot.contains(pos):
            return None
        x = frame.to_data(pos)[0]
        if self._sorted:
            i = bisect.bisect_left(self._xs, x)
            candidates = [j for j in (i - 1, i) if 0 <= j < len(self._xs)]
        else:
            candidates = [j for j, v in enumerate(self._xs) if math.isfinite(v)]
        return min(candidates, key=lambda j: abs(self._xs[j] - x)) if candidates else None

    def readout_text(self, pos: QPointF) -> str | None:
        """The values at the x nearest to ``pos`` (widget coordinates), as
        ``x_label = x: series = value, …``; None off the plot area."""
        index = self.index_at(pos)
        return None if index is None else self._readout(index)

    # -- Qt events ---------------------------------------------------------------------
    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(480, 280)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        super().mouseMoveEvent(event)
        index = self.index_at(event.position())
        self._set_hover(index)
        self.hovered.emit("" if index is None else self._readout(index))

    def leaveEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt API
        super().leaveEvent(event)
        self._set_hover(None)
        self.hovered.emit("")

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        frame = self._frame()
        colors = self.colors()
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), colors.background)
            self._paint_grid(painter, frame, colors)
            self._paint_axes(painter, frame, colors)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.save()
            slack = _CLIP_SLACK
            painter.setClipRect(frame.plot.adjusted(-slack, -slack, slack, slack))
            if self.is_bar():
                self._paint_bars(painter, colors)
            else:
                self._paint_lines(painter, frame, colors)
            painter.restore()
            self._paint_hover(painter, frame, colors)
            if not self._has_values():
                painter.setPen(colors.axis)
                painter.drawText(frame.plot, Qt.AlignmentFlag.AlignCenter, "No values to plot")
            self._paint_legend(painter, frame, colors)
        finally:
            painter.end()

    # -- Layout --------------------------------------------------------------------------
    def _frame(self) -> _Frame:
        """The frame for the current size and font, computed once per change of either
        (paints and every mouse move use it)."""
        key = (self.width(), self.height(), self.font().key())
        if self._frame_cache is None or self._frame_cache[0] != key:
            self._frame_cache = (key, self._compute_frame())
        return self._frame_cache[1]

    def _compute_frame(self) -> _Frame:
        # Heights first (they depend on the font only), then the y ticks that fit that
        # height, then the left margin those labels need, then the x ticks that fit.
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        x_title, y_title = self.axis_labels()
        top = line // 2 + _GAP  # the top y label is centred on the top edge
        bottom = _TICK + _GAP + line + (_GAP + line if x_title else 0) + _GAP
        plot_h = max(1, self.height() - top - bottom)

        y_lo, y_hi = self._y_extent()
        y_values = nice_ticks(y_lo, y_hi, _clamp(plot_h // (3 * line), 2, 8))
        y_ticks = list(zip(y_values, tick_texts(y_values), strict=True))
        label_w = max(metrics.horizontalAdvance(text) for _, text in y_ticks)
        left = _GAP + (line + _GAP if y_title else 0) + label_w + _GAP + _TICK

        available = max(1, self.width() - left - 3 * _GAP)
        x_lo, x_hi, x_ticks = self._x_axis(metrics, available)
        # the last numeric label is centred on the right edge: leave room for its half
        right = 3 * _GAP
        if x_ticks and not self._categorical:
            right = max(right, metrics.horizontalAdvance(x_ticks[-1][1]) // 2 + _GAP)
        plot = QRectF(left, top, max(1, self.width() - left - right), plot_h)
        return _Frame(plot, x_lo, x_hi, y_values[0], y_values[-1], x_ticks, y_ticks)

    def _x_axis(
        self, metrics: QFontMetrics, width: int
    ) -> tuple[float, float, list[tuple[float, str]]]:
        """The x range and ticks: as many nice ticks as labels fit in ``width`` px."""
        if self._categorical:
            return self._category_axis(metrics, width)
        lo, hi = self._x_extent()
        widest = max(metrics.horizontalAdvance(number_text(v)) for v in (lo, hi))
        values = nice_ticks(lo, hi, _clamp(width // (widest + 6 * _GAP), 2, 10))
        return values[0], values[-1], list(zip(values, tick_texts(values), strict=True))

    def _category_axis(
        self, metrics: QFontMetrics, width: int
    ) -> tuple[float, float, list[tuple[float, str]]]:
        """Categories at their indices; every n-th labelled, n so that the labels (up to
        :data:`_LABEL_CAP` wide, longer ones elided) fit side by side."""
        labels = self.chart.x
        count = len(labels)
        widest = min(_LABEL_CAP, max(metrics.horizontalAdvance(str(v)) for v in labels))
        fit = max(1, int(width // (widest + 3 * _GAP)))
        ticks = category_ticks(labels, min(MAX_CATEGORY_LABELS, fit))
        step = ticks[1][0] - ticks[0][0] if len(ticks) > 1 else float(count)
        room = max(8, int(step * width / count) - 2 * _GAP)
        elide = Qt.TextElideMode.ElideRight
        return -0.5, count - 0.5, [(x, metrics.elidedText(t, elide, room)) for x, t in ticks]

    def _x_extent(self) -> tuple[float, float]:
        finite = [x for x in self._xs if math.isfinite(x)]
        if not finite:
            return 0.0, 1.0
        lo, hi = min(finite), max(finite)
        if self.is_bar():  # the outer bars stand on their x: room for half a group each side
            pad = self._bar_slot() / 2
            lo, hi = lo - pad, hi + pad
        return lo, hi

    def _y_extent(self) -> tuple[float, float]:
        values = [y for _, ys in self.chart.series for y in ys if math.isfinite(y)]
        if self.is_bar():
            values.append(0.0)  # bars grow from zero, so zero is on the axis
        if not values:
            return 0.0, 1.0
        return min(values), max(values)

    def _bar_slot(self) -> float:
        """The x width of one group of bars: 80 % of the closest spacing of the x values."""
        if self._categorical:
            return _BAR_SLOT
        xs = sorted(x for x in self._xs if math.isfinite(x))
        gaps = [b - a for a, b in zip(xs, xs[1:], strict=False) if b > a]
        gap = min(gaps) if gaps else 1.0
        return _BAR_SLOT * (gap if math.isfinite(gap) else 1.0)  # x values a float apart

    def _has_values(self) -> bool:
        return any(
            math.isfinite(x) and math.isfinite(y)
            for _, ys in self.chart.series
            for x, y in zip(self._xs, ys, strict=True)
        )

    # -- Painting ------------------------------------------------------------------------
    def _paint_grid(self, painter: QPainter, frame: _Frame, colors: ChartColors) -> None:
        plot = frame.plot
        painter.setPen(QPen(colors.grid, 1))
        for value, _ in frame.y_ticks:
            y = _crisp(frame.to_widget(frame.x_lo, value).y())
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
        if self._categorical:
            return  # a line through every category (or its bars) is clutter, not a guide
        for value, _ in frame.x_ticks:
            x = _crisp(frame.to_widget(value, frame.y_lo).x())
            painter.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))

    def _paint_axes(self, painter: QPainter, frame: _Frame, colors: ChartColors) -> None:
        plot = frame.plot
        metrics = QFontMetrics(self.font())
        line = metrics.height()
        left, bottom = _crisp(plot.left() - 1), _crisp(plot.bottom())
        painter.setPen(QPen(colors.axis, 1))
        painter.drawLine(QPointF(left, plot.top()), QPointF(left, bottom))
        painter.drawLine(QPointF(left, bottom), QPointF(plot.right(), bottom))
        if self.is_bar() and frame.y_lo < 0 < frame.y_hi:  # negative bars hang from zero
            zero = _crisp(frame.to_widget(frame.x_lo, 0.0).y())
            painter.drawLine(QPointF(left, zero), QPointF(plot.right(), zero))
        for value, text in frame.y_ticks:
            y = _crisp(frame.to_widget(frame.x_lo, value).y())
            painter.setPen(QPen(colors.axis, 1))
            painter.drawLine(QPointF(left - _TICK, y), QPointF(left, y))
            painter.setPen(colors.text)
            box = QRectF(0, y - line / 2, left - _TICK - _GAP, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        for value, text in frame.x_ticks:
            x = _crisp(frame.to_widget(value, frame.y_lo).x())
            painter.setPen(QPen(colors.axis, 1))
            painter.drawLine(QPointF(x, bottom), QPointF(x, bottom + _TICK))
            painter.setPen(colors.text)
            half = metrics.horizontalAdvance(text) / 2 + 1
            # centred on its tick, but moved in rather than cut at the widget's sides
            centre = min(max(x, half), self.width() - half)
            box = QRectF(centre - half, bottom + _TICK + _GAP, 2 * half, line)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
        self._paint_axis_titles(painter, frame, colors, metrics)

    def _paint_axis_titles(
        self, painter: QPainter, frame: _Frame, colors: ChartColors, metrics: QFontMetrics
    ) -> None:
        plot = frame.plot
        line = metrics.height()
        x_title, y_title = self.axis_labels()
        elide = Qt.TextElideMode.ElideRight
        painter.setPen(colors.text)
        if x_title:
            top = plot.bottom() + _TICK + _GAP + line + _GAP
            text = metrics.elidedText(x_title, elide, int(plot.width()))
            painter.drawText(
                QRectF(plot.left(), top, plot.width(), line), Qt.AlignmentFlag.AlignCenter, text
            )
        if y_title:
            # turned a quarter left, reading bottom to top, centred along the plot's height
            painter.save()
            painter.translate(_GAP, plot.bottom())
            painter.rotate(-90)
            text = metrics.elidedText(y_title, elide, int(plot.height()))
            painter.drawText(QRectF(0, 0, plot.height(), line), Qt.AlignmentFlag.AlignCenter, text)
            painter.restore()

    def _paint_lines(self, painter: QPainter, frame: _Frame, colors: ChartColors) -> None:
        markers = len(self._xs) <= MARKER_LIMIT
        lines = [i for i in range(len(colors.series)) if not self.chart.is_markers(i)]
        for index in lines:
            color = colors.series[index]
            pen = QPen(color, _LINE_WIDTH)
            pen.setCapStyle(Qt.PenCapStyle.RoundCap)
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            for segment in self.line_segments(index):
                points = [frame.to_widget(x, y) for x, y in segment]
                if len(points) > 1:
                    painter.setPen(pen)
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawPolyline(QPolygonF(points))
                # a point between two gaps has no line: its marker is all there is of it
                if markers or len(points) == 1:
                    painter.setPen(Qt.PenStyle.NoPen)
                    painter.setBrush(color)
                    for point in points:
                        painter.drawEllipse(point, _MARKER_RADIUS, _MARKER_RADIUS)
        # Series drawn as markers (measured points) go over the lines, big enough and
        # ringed in the background colour to be seen on a curve fitted through them.
        for index in range(len(colors.series)):
            if self.chart.is_markers(index):
                painter.setPen(QPen(colors.background, _POINT_RING))
                painter.setBrush(colors.series[index])
                for segment in self.line_segments(index):
                    for x, y in segment:
                        painter.drawEllipse(frame.to_widget(x, y), _POINT_RADIUS, _POINT_RADIUS)

    def _paint_bars(self, painter: QPainter, colors: ChartColors) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        for index, color in enumerate(colors.series):
            painter.setBrush(color)
            for rect in self.bar_rects(index):
                painter.drawRect(rect)

    def _paint_hover(self, painter: QPainter, frame: _Frame, colors: ChartColors) -> None:
        """A faint dashed line at the x the readout is about."""
        if self._hover is None:
            return
        x = _crisp(frame.to_widget(self._xs[self._hover], frame.y_lo).x())
        pen = QPen(colors.axis, 1, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawLine(QPointF(x, frame.plot.top()), QPointF(x, frame.plot.bottom()))

    def _paint_legend(self, painter: QPainter, frame: _Frame, colors: ChartColors) -> None:
        """Series names with their colour, in the box :meth:`legend_rect` places (none for
        a single series)."""
        box = self.legend_rect()
        if box is None:
            return
        names = self._legend_names(frame)
        line = QFontMetrics(self.font()).height()
        swatch = 2 * line  # a short stretch of line, or a square for bars
        fill = QColor(colors.background)
        fill.setAlpha(_LEGEND_ALPHA)
        painter.setPen(QPen(colors.axis, 1))
        painter.setBrush(fill)
        painter.drawRoundedRect(box, 3, 3)
        for row, (name, color) in enumerate(zip(names, colors.series, strict=True)):
            top = box.top() + _GAP + row * line
            mid = top + line / 2
            left = box.left() + _GAP
            if self.is_bar():
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(color)
                side = 0.6 * line
                painter.drawRect(QRectF(left + (swatch - side) / 2, mid - side / 2, side, side))
            elif self.chart.is_markers(row):  # a point, as the series is drawn
                painter.setPen(QPen(colors.background, _POINT_RING))
                painter.setBrush(color)
                painter.drawEllipse(QPointF(left + swatch / 2, mid), _POINT_RADIUS, _POINT_RADIUS)
            else:
                painter.setPen(QPen(color, _LINE_WIDTH))
                painter.drawLine(QPointF(left, mid), QPointF(left + swatch, mid))
            painter.setPen(colors.text)
            text_box = QRectF(left + swatch + _GAP, top, box.right() - left - swatch, line)
            painter.drawText(
                text_box, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, name
            )

    def _legend_names(self, frame: _Frame) -> list[str]:
        metrics = QFontMetrics(self.font())
        room = int(frame.plot.width() / 2)
        elide = Qt.TextElideMode.ElideRight
        return [metrics.elidedText(name, elide, room) for name, _ in self.chart.series]

    def _legend_box(self, frame: _Frame, size: QSizeF) -> QRectF:
        """The first of top right, top left, bottom right and bottom left that covers the
        fewest drawn bars or line points (and midpoints, for lines crossing it)."""
        plot = frame.plot.adjusted(2 * _GAP, 2 * _GAP, -2 * _GAP, -2 * _GAP)
        right, bottom = plot.right() - size.width(), plot.bottom() - size.height()
        corners = [(right, plot.top()), (plot.left(), plot.top()), (right, bottom)]
        corners.append((plot.left(), bottom))
        boxes = [QRectF(QPointF(x, y), size) for x, y in corners]
        marks = self._marks(frame)
        return min(boxes, key=lambda box: sum(1 for mark in marks if box.intersects(mark)))

    def _marks(self, frame: _Frame) -> list[QRectF]:
        if self.is_bar():
            return [rect for k in range(len(self.chart.series)) for rect in self.bar_rects(k)]
        marks = []
        for k in range(len(self.chart.series)):
            for segment in self.line_segments(k):
                points = [frame.to_widget(x, y) for x, y in segment]
                pairs = zip(points, points[1:], strict=False)
                middles = [QPointF((a.x() + b.x()) / 2, (a.y() + b.y()) / 2) for a, b in pairs]
                marks += [QRectF(p.x() - 3, p.y() - 3, 6, 6) for p in points + middles]
        return marks

    # -- Helpers -------------------------------------------------------------------------
    def _set_hover(self, index: int | None) -> None:
        if index != self._hover:
            self._hover = index
            self.update()

    def _readout(self, index: int) -> str:
        chart = self.chart
        head = chart.x[index] if self._categorical else number_text(self._xs[index])
        values = ", ".join(f"{name} = {number_text(ys[index])}" for name, ys in chart.series)
        return f"{chart.x_label or 'x'} = {head}: {values}"

    def _summary(self) -> str:
        kind = "Bar" if self.is_bar() else "Line"
        names = ", ".join(name for name, _ in self.chart.series) or "no series"
        against = self.chart.x_label or "x"
        return f"{kind} chart of {names} against {against}, {len(self.chart.x)} points"
