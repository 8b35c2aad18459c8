"""Dark and light: every colour the app draws itself reads against what it is drawn on.

WCAG AA: 4.5:1 for text, 3:1 for borders, marks and focus rings. Computed for the
colours the widgets use, in Fusion's light palette and in a dark one, as the app shows
them (``readable_palette``, which ``readable_style.install`` applies at start).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QVBoxLayout, QWidget

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.charts import ChartData
from ouro_desktop.core.contrast import NON_TEXT, TEXT, contrast_ratio
from ouro_desktop.ui.common.banner import Banner
from ouro_desktop.ui.common.readable_style import mark_colours
from ouro_desktop.ui.common.theme import (
    border_colour,
    focus_colour,
    readable_palette,
    rgb,
    tint,
)
from ouro_desktop.ui.history.status_marks import mark_colours as run_mark_colours
from ouro_desktop.ui.results.chart_plot import ChartPlot
from ouro_desktop.ui.routes.delegate import row_colours
from ouro_desktop.ui.run.form.drop_zone import DropZone
from tests.ui.palettes import dark_palette

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
CIF = InputDeclaration(
    key="file", asset_type="file", primary=True, file_extensions=("cif",), input_filter=None
)
R = QPalette.ColorRole


def _palettes() -> dict[str, QPalette]:
    fusion = QStyleFactory.create("Fusion")
    assert fusion is not None
    return {"light": fusion.standardPalette(), "dark": dark_palette()}


@pytest.fixture(params=["light", "dark"])
def palette(request: Any, qapp: Any) -> QPalette:
    return readable_palette(_palettes()[request.param])


def ratio(a: QColor, b: QColor) -> float:
    return contrast_ratio(rgb(a), rgb(b))


def test_muted_text_and_selections_read(palette: QPalette) -> None:
    for back in (R.Window, R.Base):
        assert ratio(palette.color(R.PlaceholderText), palette.color(back)) >= TEXT
        assert ratio(palette.color(R.Text), palette.color(back)) >= TEXT
    assert ratio(palette.color(R.HighlightedText), palette.color(R.Highlight)) >= TEXT


def test_a_fusion_light_palette_needed_fixing() -> None:
    """The raw light palette fails where the readable one passes (the test is not idle)."""
    raw = _palettes()["light"]
    muted = raw.color(R.PlaceholderText)
    shown = QColor.fromRgbF(*(c * muted.alphaF() + w * (1 - muted.alphaF()) for c, w in zip(
        (muted.redF(), muted.greenF(), muted.blueF()),
        (1.0, 1.0, 1.0), strict=True)))  # fmt: skip
    assert ratio(shown, raw.color(R.Base)) < TEXT
    assert ratio(raw.color(R.HighlightedText), raw.color(R.Highlight)) < TEXT


def _zone(qtbot: Any, palette: QPalette) -> tuple[QWidget, DropZone]:
    host = QWidget()
    host.setPalette(palette)
    qtbot.addWidget(host)
    zone = DropZone(CIF, parent=host)
    QVBoxLayout(host).addWidget(zone)
    host.resize(520, 240)
    host.show()
    return host, zone


def _drag(zone: DropZone, path: str) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    event = QDragEnterEvent(
        QPoint(30, 30),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(zone, event)


def test_drop_zone_outline_and_drag_verdicts(qtbot: Any, palette: QPalette) -> None:
    _host, zone = _zone(qtbot, palette)
    base = palette.color(R.Base)
    assert ratio(zone.border_colour(), palette.color(R.Window)) >= NON_TEXT
    assert ratio(zone.border_colour(), base) >= NON_TEXT
    assert ratio(border_colour(palette), base) >= NON_TEXT  # the dashed target box too
    _drag(zone, str(EXAMPLES / "Cu.cif"))
    accept = zone.drag_colour()
    inside = zone.drag_fill()
    assert rgb(inside) == rgb(tint(palette, accept))
    assert zone.drag_refusal is None
    assert ratio(accept, inside) >= NON_TEXT and ratio(accept, base) >= NON_TEXT
    label = zone.drag_label.palette().color(R.WindowText)
    assert ratio(label, inside) >= TEXT
    # The outline as painted, not just as computed: a pixel of the 2 px border.
    image = zone.grab().toImage()
    drawn = image.pixelColor(1, zone.height() // 2)
    assert ratio(drawn, base) >= NON_TEXT
    _drag(zone, "/data/photo.png")
    refuse = zone.drag_colour()
    inside = zone.drag_fill()
    assert zone.drag_refusal is not None
    assert ratio(refuse, inside) >= TEXT  # the reason is written in it
    assert ratio(zone.drag_label.palette().color(R.WindowText), inside) >= TEXT
    assert rgb(refuse) != rgb(accept)


def test_radio_buttons_check_boxes_and_focus_rings(palette: QPalette) -> None:
    marks = mark_colours(palette)
    assert ratio(marks["outline"], marks["fill"]) >= NON_TEXT  # type: ignore[arg-type]
    assert ratio(marks["mark"], marks["fill"]) >= NON_TEXT  # type: ignore[arg-type]
    assert ratio(marks["outline"], palette.color(R.Window)) >= NON_TEXT  # type: ignore[arg-type]
    ring = focus_colour(palette)
    for back in (R.Window, R.Base, R.Button):
        assert ratio(ring, palette.color(back)) >= NON_TEXT, back
    handle = border_colour(palette, R.Window)  # the splitter's ridge
    assert ratio(handle, palette.color(R.Window)) >= NON_TEXT


def test_banner_runs_table_marks_and_route_rows(qtbot: Any, palette: QPalette) -> None:
    host = QWidget()
    host.setPalette(palette)
    qtbot.addWidget(host)
    banner = Banner(host)
    back, text = banner.colours()
    assert ratio(text, back) >= TEXT
    base = palette.color(R.Base)
    for name, colour in run_mark_colours(palette).items():
        assert ratio(colour, base) >= NON_TEXT, name
    group = QPalette.ColorGroup.Active
    for selected, hovered in ((False, False), (False, True), (True, False)):
        row = row_colours(palette, group, selected, hovered)
        for part in ("text", "muted", "description"):
            assert ratio(row[part], row["background"]) >= TEXT, (part, selected, hovered)
        assert ratio(row["focus"], row["background"]) >= NON_TEXT


def test_chart_colours(qtbot: Any, palette: QPalette) -> None:
    series = [(f"s{i}", [float(i), float(i + 1)]) for i in range(6)]
    plot = ChartPlot(ChartData("T", "", "line", "x", [0.0, 1.0], series, "y"))
    qtbot.addWidget(plot)
    plot.setPalette(palette)
    colours = plot.colors()
    assert ratio(colours.text, colours.background) >= TEXT
    assert ratio(colours.axis, colours.background) >= NON_TEXT
    for colour in colours.series:
        assert ratio(colour, colours.background) >= NON_TEXT
