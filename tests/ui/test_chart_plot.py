"""The QPainter chart: nice axis ticks, gaps, grouped bars, thinned labels, odd data, readout.

Pixel checks read a real ``grab()``: a series "is drawn" when some pixel has exactly its
colour (a marker's or bar's inside is never blended with the background).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import assume, example, given
from hypothesis import strategies as st
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QImage, QMouseEvent

from ouro_desktop.core.chart_axes import (
    MAX_CATEGORY_LABELS,
    category_ticks,
    nice_ticks,
    tick_texts,
)
from ouro_desktop.core.charts import ChartData
from ouro_desktop.ui.results.chart_plot import ChartPlot
from tests.ui.palettes import dark_palette

NAN = float("nan")


def _chart(
    x: list[float | str], *series: list[float], kind: str = "line", names: list[str] | None = None
) -> ChartData:
    labels = names or [f"s{i}" for i in range(len(series))]
    return ChartData("T", "", kind, "x", list(x), list(zip(labels, series, strict=True)), "y")


def _plot(qtbot: Any, chart: ChartData, width: int = 600, height: int = 300) -> ChartPlot:
    plot = ChartPlot(chart)
    qtbot.addWidget(plot)
    plot.resize(width, height)
    return plot


def _pixels_of(image: QImage, color: QColor, columns: range | None = None) -> int:
    target = color.rgb()
    xs = columns if columns is not None else range(image.width())
    return sum(1 for x in xs for y in range(image.height()) if image.pixel(x, y) == target)


def _is_nice(step: float) -> bool:
    mantissa = step / 10 ** math.floor(math.log10(step))
    return any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 5, 10))


# -- Axis arithmetic -----------------------------------------------------------------------
@given(
    st.floats(-1e12, 1e12, allow_subnormal=False),  # the extremes have their own test
    st.floats(0, 1e12, allow_subnormal=False),
    st.integers(2, 10),
)
@example(0.0, 1.0, 5)
@example(-3.2, 11.1, 5)
@example(17.0, 0.0, 4)  # all values equal
@example(0.0, 0.0, 4)
@example(1e-9, 4e-9, 5)
@example(-1e6, 1e6 + 1e-6, 8)
def test_nice_ticks_are_round_steps_covering_the_range(lo: float, span: float, target: int) -> None:
    # a span a millionth of the values or less leaves steps only float noise can measure
    assume(span == 0 or span >= 1e-6 * abs(lo))
    hi = lo + span
    ticks = nice_ticks(lo, hi, target)
    assert 2 <= len(ticks) <= target + 3
    slack = 1e-9 * max(hi - lo, abs(lo), 1e-300)
    assert ticks[0] <= lo + slack and ticks[-1] >= hi - slack
    steps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
    assert all(math.isclose(s, steps[0], rel_tol=1e-6) for s in steps)
    assert _is_nice(steps[0])


@pytest.mark.parametrize(
    ("lo", "hi"), [(1e300, 9e300), (1e-300, 9e-300), (-5e307, 5e307), (1.7e308, 1.7e308)]
)
def test_nice_ticks_survive_extreme_magnitudes(lo: float, hi: float) -> None:
    ticks = nice_ticks(lo, hi)
    assert len(ticks) >= 2 and math.isfinite(ticks[-1] - ticks[0])
    assert ticks[0] <= lo and (ticks[-1] >= hi or hi > 1e308)  # 1.7e308 ± 10 % overflows


def test_a_range_wider_than_the_largest_float_still_maps_to_pixels(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([0, 1, 2], [-1e308, 0.0, 1e308]))
    y_lo, y_hi = plot.y_range()
    assert math.isfinite(y_hi - y_lo)
    points = [plot.map_to_widget(x, y) for x, y in plot.line_segments(0)[0]]
    assert all(math.isfinite(p.x()) and math.isfinite(p.y()) for p in points)
    assert _pixels_of(plot.grab().toImage(), plot.colors().series[0]) > 0


def test_tick_texts_share_one_number_of_decimals_with_a_real_minus() -> None:
    # The equation-of-state chart's axes: "−3.70", not "-3.7" beside "-3.72".
    assert tick_texts(nice_ticks(-3.74, -3.62)) == ["−3.75", "−3.70", "−3.65", "−3.60"]
    assert tick_texts([10.0, 10.5, 11.0, 11.5]) == ["10.0", "10.5", "11.0", "11.5"]
    assert tick_texts([-1.0, -0.5, 0.0, 0.5]) == ["−1.0", "−0.5", "0.0", "0.5"]
    assert tick_texts([0.0, 0.1, 0.2, 0.1 + 0.2]) == ["0.0", "0.1", "0.2", "0.3"]


def test_tick_texts_fall_back_to_6g_and_add_digits_only_to_tell_ticks_apart() -> None:
    assert tick_texts([0.0, 0.2 * 3, 1e300, -2.5e-7]) == ["0", "0.6", "1e+300", "−2.5e-07"]
    texts = tick_texts([1e9, 1e9 + 0.5, 1e9 + 1.0])
    assert len(set(texts)) == 3


def test_category_labels_are_thinned_to_at_most_twelve() -> None:
    labels: list[float | str] = [f"c{i}" for i in range(30)]
    ticks = category_ticks(labels)
    assert len(ticks) <= MAX_CATEGORY_LABELS
    assert ticks[:3] == [(0.0, "c0"), (3.0, "c3"), (6.0, "c6")]
    few: list[float | str] = ["a", "b", "c"]
    assert category_ticks(few) == [(0.0, "a"), (1.0, "b"), (2.0, "c")]


# -- Lines -------------------------------------------------------------------------------
def test_axes_frame_the_data_on_nice_ticks(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([0.3, 1.7, 4.2, 9.6], [-2.5, 3.1, 7.9, 1.0]))
    (x_lo, x_hi), (y_lo, y_hi) = plot.x_range(), plot.y_range()
    assert x_lo <= 0.3 and x_hi >= 9.6 and y_lo <= -2.5 and y_hi >= 7.9
    y_values = [v for v, _ in plot.y_ticks()]
    assert (y_values[0], y_values[-1]) == (y_lo, y_hi)
    assert _is_nice(y_values[1] - y_values[0])
    texts = [text for _, text in plot.y_ticks()]
    assert [float(t.replace("−", "-")) for t in texts] == y_values
    assert len({len(t.rpartition(".")[2]) for t in texts if "." in t}) <= 1
    # The data corners map to the plot's corners' side of the axes.
    rect = plot.plot_rect()
    assert plot.map_to_widget(x_lo, y_lo) == rect.bottomLeft()
    assert plot.map_to_widget(x_hi, y_hi) == rect.topRight()


def test_a_nan_is_a_gap_in_the_line(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([0, 1, 2, 3, 4], [1.0, 2.0, NAN, 4.0, 5.0]))
    assert plot.line_segments(0) == [[(0.0, 1.0), (1.0, 2.0)], [(3.0, 4.0), (4.0, 5.0)]]
    image = plot.grab().toImage()
    (color,) = plot.colors().series

    def column(x: float) -> range:
        centre = round(plot.map_to_widget(x, 0).x())
        return range(centre - 1, centre + 2)

    assert _pixels_of(image, color, column(0.5)) > 0  # the line between the first points
    assert _pixels_of(image, color, column(2.0)) == 0  # nothing where the value is missing
    assert _pixels_of(image, color, column(3.5)) > 0


def test_a_lone_point_between_gaps_is_still_drawn(qtbot: Any) -> None:
    ys = [float(i) for i in range(60)]  # too many points for markers on every point
    ys[29] = ys[31] = NAN
    plot = _plot(qtbot, _chart(list(range(60)), ys))
    assert [(30.0, 30.0)] in plot.line_segments(0)
    image = plot.grab().toImage()
    centre = plot.map_to_widget(30, 30)
    assert image.pixel(round(centre.x()), round(centre.y())) == plot.colors().series[0].rgb()


def test_legend_shows_with_several_series_where_it_hides_least(qtbot: Any) -> None:
    assert _plot(qtbot, _chart([0, 1], [1.0, 2.0])).legend_rect() is None
    rising = [float(i) for i in range(20)]
    plot = _plot(qtbot, _chart(list(range(20)), rising, [v / 2 for v in rising]))
    legend = plot.legend_rect()
    assert legend is not None and plot.plot_rect().contains(legend)
    # the lines rise to the top right; the top left corner is empty
    assert legend.center().x() < plot.plot_rect().center().x()
    assert legend.center().y() < plot.plot_rect().center().y()
    in_legend = plot.grab().toImage().copy(legend.toRect())
    assert _pixels_of(in_legend, plot.colors().text) > 0  # the names
    assert all(_pixels_of(in_legend, color) > 0 for color in plot.colors().series)


# -- Bars --------------------------------------------------------------------------------
def test_bars_of_one_category_stand_side_by_side_from_zero(qtbot: Any) -> None:
    chart = _chart(["Na", "Cl", "O"], [4, 2, 1], [3, -1, NAN], [1, 1, 1], kind="bar")
    plot = _plot(qtbot, chart)
    rects = [plot.bar_rects(k) for k in range(3)]
    assert [len(r) for r in rects] == [3, 2, 3]  # the NaN bar is left out
    zero = plot.map_to_widget(0, 0).y()
    for category in range(2):
        group = [rects[k][category] for k in range(3)]
        for left, right in zip(group, group[1:], strict=False):
            assert left.right() < right.left()  # in series order, not overlapping
        centre = (group[0].left() + group[-1].right()) / 2
        assert centre == pytest.approx(plot.map_to_widget(category, 0).x(), abs=0.5)
    assert rects[0][0].bottom() == pytest.approx(zero)  # a positive bar stands on zero
    assert rects[1][1].top() == pytest.approx(zero)  # a negative one hangs from it
    assert plot.y_range()[0] <= -1
    image = plot.grab().toImage()
    for color in plot.colors().series:
        assert _pixels_of(image, color) > 100


def test_numeric_bars_fit_inside_the_axis(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([10, 20, 40], [1, 2, 3], [2, 1, 0.5], kind="bar"))
    rect = plot.plot_rect()
    for k in range(2):
        assert all(rect.contains(bar.center()) for bar in plot.bar_rects(k))
    # The bars of the closest pair of x values (10 and 20) do not touch.
    assert plot.bar_rects(1)[0].right() < plot.bar_rects(0)[1].left()


def test_many_categories_show_few_whole_labels_that_do_not_overlap(qtbot: Any) -> None:
    labels: list[float | str] = [f"category-{i:02d}" for i in range(50)]
    plot = _plot(qtbot, _chart(labels, [float(i) for i in range(50)], kind="bar"))
    ticks = plot.x_ticks()
    assert 2 <= len(ticks) <= MAX_CATEGORY_LABELS
    assert [text for _, text in ticks] == [labels[int(x)] for x, _ in ticks]  # not elided
    step = ticks[1][0] - ticks[0][0]
    assert all(b[0] - a[0] == step for a, b in zip(ticks, ticks[1:], strict=False))
    spacing = plot.map_to_widget(step, 0).x() - plot.map_to_widget(0, 0).x()
    assert spacing > QFontMetrics(plot.font()).horizontalAdvance("category-00")
    assert plot.x_range() == (-0.5, 49.5)


def test_a_few_long_category_labels_are_elided_not_dropped(qtbot: Any) -> None:
    labels: list[float | str] = [f"a very long category label number {i}" for i in range(4)]
    plot = _plot(qtbot, _chart(labels, [1.0, 2.0, 3.0, 4.0], kind="bar"))
    texts = [text for _, text in plot.x_ticks()]
    assert len(texts) == 4 and all(text.endswith("…") for text in texts)


# -- Odd data ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "chart",
    [
        _chart([3.0], [7.0]),
        _chart([0, 1, 2, 3], [5.0, 5.0, 5.0, 5.0]),
        _chart([0, 1, 2], [-3.0, -7.5, -1.0]),
        _chart([0, 1, 2], [1e300, 3e300, 2e300]),
        _chart([1e-300, 2e-300, 3e-300], [1e-300, 3e-300, 2e-300]),
        _chart([0, 1, 2], [-1e6, 2.5e-7, 1e6]),
        _chart(["only"], [2.0], kind="bar"),
        _chart([5.0], [-2.0], [NAN], kind="bar"),
        _chart([0, 1, 2], [NAN, NAN, NAN], [0.5, NAN, 1.5]),
    ],
    ids=lambda c: str(c.series),
)
def test_odd_data_paints_its_values(qtbot: Any, chart: ChartData) -> None:
    plot = _plot(qtbot, chart)
    image = plot.grab().toImage()
    assert image.pixelColor(0, 0) == plot.background_color()
    drawn = [k for k, (_, ys) in enumerate(chart.series) if any(math.isfinite(y) for y in ys)]
    colors = plot.colors().series
    assert all(_pixels_of(image, colors[k]) > 0 for k in drawn)
    assert all(len(text) <= 12 for _, text in plot.y_ticks() + plot.x_ticks())


@pytest.mark.parametrize(
    "chart",
    [_chart([], []), _chart([0, 1], [NAN, NAN]), _chart([1, 2]), _chart([], kind="bar")],
    ids=["empty", "all-nan", "no-series", "empty-bar"],
)
def test_charts_without_values_paint_empty_axes(qtbot: Any, chart: ChartData) -> None:
    plot = _plot(qtbot, chart)
    image = plot.grab().toImage()
    assert image.pixelColor(0, 0) == plot.background_color()
    assert _pixels_of(image, plot.colors().axis) > 0  # the axes are there, empty
    if not chart.x:
        assert plot.readout_text(plot.plot_rect().center()) is None


# -- Readout and palette -----------------------------------------------------------------
def test_readout_names_the_nearest_values_and_is_none_off_the_plot(qtbot: Any) -> None:
    chart = _chart(["Na", "Cl", "O"], [4, 2, 1], [3, NAN, 2], kind="bar", names=["a", "b"])
    plot = _plot(qtbot, chart)
    near_cl = plot.map_to_widget(1.2, 1.0)
    assert plot.readout_text(near_cl) == "x = Cl: a = 2, b = –"
    assert plot.readout_text(QPointF(1, 1)) is None  # over the axis labels
    assert plot.readout_text(QPointF(plot.width() + 5, 50)) is None
    seen: list[str] = []
    plot.hovered.connect(seen.append)
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        near_cl,
        near_cl,
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    plot.mouseMoveEvent(move)
    plot.leaveEvent(QEvent(QEvent.Type.Leave))
    assert seen == ["x = Cl: a = 2, b = –", ""]


def test_readout_finds_the_nearest_x_when_x_is_unsorted(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([5.0, 1.0, 3.0], [50.0, 10.0, 30.0]))
    assert plot.readout_text(plot.map_to_widget(2.9, 20)) == "x = 3: s0 = 30"


def test_plot_is_accessible_tall_enough_and_reads_the_dark_palette(qtbot: Any) -> None:
    plot = _plot(qtbot, _chart([0, 1, 2], [1.0, 3.0, 2.0], [2.0, 1.0, 0.5]))
    assert plot.accessibleName() == "T" and plot.minimumHeight() == 240
    plot.setPalette(dark_palette())
    colors = plot.colors()
    assert colors.background == QColor("#1e1e1e") and colors.text == QColor("#e6e6e6")
    image = plot.grab().toImage()
    assert image.pixelColor(0, 0) == QColor("#1e1e1e")
    assert all(_pixels_of(image, color) > 0 for color in colors.series)
    # tick labels are painted in the text colour (antialiased text has a few exact pixels)
    assert _pixels_of(image, colors.text, range(int(plot.plot_rect().left()))) > 0


def test_measured_points_drawn_as_markers_stay_visible_on_the_fitted_curve(qtbot: Any) -> None:
    # Seen at 1366×768 (EOS demo): the measured series was a line under the fitted one,
    # lying on it within a meV: invisible. Drawn as markers, over the line.
    xs = [43.46, 44.41, 45.35, 46.30, 47.24, 48.18, 49.13, 50.07, 51.02]
    measured = [
        -14.7433,
        -14.8152,
        -14.8641,
        -14.8918,
        -14.9006,
        -14.8921,
        -14.8700,
        -14.8346,
        -14.7867,
    ]
    fitted = [m + 0.0001 for m in measured]
    chart = ChartData(
        "Measured and fitted energies",
        "",
        "line",
        "Volume (Å³)",
        list(xs),
        [("Measured", measured), ("Fitted", fitted)],
        "eV",
        markers=(True, False),
    )
    plot = _plot(qtbot, chart)
    image = plot.grab().toImage()
    measured_color, fitted_color = plot.colors().series
    for x, y in zip(xs, measured, strict=True):  # every measured point is seen
        centre = plot.map_to_widget(x, y)
        assert image.pixel(round(centre.x()), round(centre.y())) == measured_color.rgb()
    between = plot.map_to_widget((xs[3] + xs[4]) / 2, (fitted[3] + fitted[4]) / 2)
    near = {image.pixel(round(between.x()), round(between.y()) + dy) for dy in range(-2, 3)}
    assert fitted_color.rgb() in near  # the fitted curve is a line between them
    assert measured_color.rgb() not in near  # and the measured points are not joined
    legend = plot.legend_rect()
    assert legend is not None
    assert _pixels_of(image.copy(legend.toRect()), measured_color) > 0


def test_a_series_typed_scatter_is_drawn_as_markers() -> None:
    from ouro_desktop.core.charts import chart_series

    records = [{"v": 1.0, "e": 2.0, "f": 2.1}, {"v": 2.0, "e": 1.0, "f": 1.1}]
    config = {
        "type": "line",
        "category": {"dataKey": "v"},
        "series": [{"dataKey": "e", "type": "scatter"}, {"dataKey": "f"}],
    }
    chart = chart_series({"p": records}, {"data": "p", "config": config})
    assert chart is not None and chart.markers == (True, False)
    everything = chart_series(
        {"p": records}, {"data": "p", "config": {**config, "type": "scatter"}}
    )
    assert everything is not None and everything.markers == (True, True)
    plain = chart_series({"p": records}, {"data": "p", "config": {**config, "series": ["e"]}})
    assert plain is not None and not plain.is_markers(0)
