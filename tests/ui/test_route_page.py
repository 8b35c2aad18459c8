"""The route page: every demo route (the two imported real specs too) shown as the seed page
documents it -- name, owner, price, mode, inputs, outputs, Ouro-filled details, API snippets --
plus loading/error states, favourites, copy to clipboard and light/dark screenshots."""

from __future__ import annotations

import copy
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QPlainTextEdit, QWidget

from ouro_desktop.api.models import Route
from ouro_desktop.ui.run.rich_text import description_html, tiptap_to_html
from ouro_desktop.ui.run.route_page import RoutePage
from tests.ui.palettes import dark_palette

DEMO = "http://127.0.0.1:8003"
# /tmp/route_page_{light,dark}.png on Linux and macOS; OURO_SCREENSHOT_DIR moves them.
SCREENSHOT_DIR = Path(os.environ.get("OURO_SCREENSHOT_DIR") or tempfile.gettempdir())


@pytest.fixture
def routes(demo_routes: dict[str, Route]) -> dict[str, Route]:
    return demo_routes


@pytest.fixture
def page(qtbot: Any) -> RoutePage:
    widget = RoutePage()
    qtbot.addWidget(widget)
    widget.resize(820, 900)
    return widget


def _text(label: QLabel) -> str:
    """What a rich-text label reads as (tags gone, entities decoded)."""
    from PySide6.QtGui import QTextDocument

    doc = QTextDocument()
    doc.setHtml(label.text())
    return doc.toPlainText()


def _page_text(page: RoutePage) -> str:
    labels = [
        page.title_label,
        page.byline_label,
        page.description_label,
        page.facts_label,
        page.inputs_label,
        page.outputs_label,
    ]
    return "\n".join(_text(label) for label in labels)


ALL = [
    "post-generate",
    "post-materials-structure-relax",
    "formula-properties",
    "structure-report",
    "build-supercell",
    "free-electron-dos-curve",
    "predict-electronic-dos-at-fermi-level",
]


@pytest.mark.parametrize("slug", ALL)
def test_every_demo_route_shows_its_seed_page_content(
    page: RoutePage, routes: dict[str, Route], slug: str
) -> None:
    route = routes[slug]
    page.show_route(route, base_url=DEMO)
    assert page.is_showing_route
    text = _page_text(page)
    assert page.title_label.text() == route.name
    assert "by demo" in _text(page.byline_label) and route.full_name in _text(page.byline_label)
    # The HTTP method and path are for developers: under Details, not in the facts.
    assert f"{route.method} {route.path}" not in _text(page.facts_label)
    assert f"{route.method} {route.path}" in _text(page.details_label)
    assert "Method and path" not in _text(page.facts_label)
    assert page.details_section.toggle_button.text() == "Details for developers"
    assert route.description.split(".")[0] in _text(page.description_label)
    assert "Expected duration" in text and "no runs yet" in text
    # ouro-* headers are never inputs, but are explained in the collapsed Details.
    assert "ouro-" not in _text(page.inputs_label)
    assert not page.details_section.is_expanded() and not page.details_label.isVisibleTo(page)
    if route.parameters:
        assert "ouro-route-id" in _text(page.details_label)
        assert "Ouro fills these in" in _text(page.details_label)
    # The paid marker only on structure-report; the async badge only on the DOS curve.
    assert page.paid_badge.isVisibleTo(page) is (slug == "structure-report")
    assert page.async_badge.isVisibleTo(page) is (slug == "free-electron-dos-curve")
    mode = "Runs in the background (async)" if route.is_async else "Answers right away (sync)"
    assert mode in _text(page.facts_label)
    # Snippets: valid Python that names this route, curl without Bearer.
    python = page.api_panel.views_for("python")
    curl = page.api_panel.views_for("shell")
    assert python and curl
    for view in python:
        compile(view.editor.toPlainText(), "<snippet>", "exec")
        assert route.id in view.editor.toPlainText()
        assert route.full_name in view.editor.toPlainText()
        assert f'base_url="{DEMO}"' in view.editor.toPlainText()
    for view in curl:
        code = view.editor.toPlainText()
        assert "Bearer " not in code.replace('(no "Bearer")', "")
    assert any('-H "Authorization: $TOKEN"' in v.editor.toPlainText() for v in curl)


def test_paid_route_shows_the_paid_marker_with_its_price(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["structure-report"], base_url=DEMO)
    assert page.paid_badge.text() == "Paid route · $0.05 per call"
    assert "Paid route: $0.05 per call" in _text(page.facts_label)
    page.show_route(routes["build-supercell"], base_url=DEMO)
    assert "Free" in _text(page.facts_label) and "Paid" not in _text(page.facts_label)


@pytest.mark.parametrize(
    "slug", ["predict-electronic-dos-at-fermi-level", "free-electron-dos-curve"]
)
def test_dos_routes_name_their_cif_input(
    page: RoutePage, routes: dict[str, Route], slug: str
) -> None:
    page.show_route(routes[slug], base_url=DEMO)
    inputs = _text(page.inputs_label)
    assert "Files" in inputs
    assert ".cif" in inputs and "atomic structure" in inputs and "required" in inputs
    if slug == "predict-electronic-dos-at-fermi-level":
        assert "The crystal structure (CIF)." in inputs
    assert "url" not in inputs.split()  # the service-side file object is not an input


def test_relax_route_shows_fmax_with_bounds_and_default(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["post-materials-structure-relax"], base_url=DEMO)
    inputs = _text(page.inputs_label)
    fmax = next(line for line in inputs.splitlines() if line.startswith("Fmax"))
    assert "number" in fmax and "optional" in fmax
    assert "default 0.03" in fmax and "from 0 to 1" in fmax
    assert "Force convergence (eV/Å)" in inputs
    steps = next(line for line in inputs.splitlines() if line.startswith("Max Steps"))
    assert "whole number" in steps and "default 400" in steps and "from 1 to 1000" in steps
    assert ".cif" in inputs  # its file input, from the legacy x-ouro-* fields
    assert "file" in _text(page.outputs_label)


def test_generate_route_shows_space_group_as_an_optional_choice(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["post-generate"], base_url=DEMO)
    inputs = _text(page.inputs_label)
    lines = inputs.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Space group"))
    assert "optional" in lines[at] and "choice" in lines[at]
    assert lines[at + 1].startswith("one of: P1, P-1, P2")
    assert "203 choices in all" in lines[at + 1]
    composition = next(line for line in lines if line.startswith("Composition"))
    assert "required" in composition and "text" in composition
    assert "This route needs no input" not in inputs
    assert "Files" not in inputs  # CrystaLLM takes no input file


def test_formula_route_shows_nested_and_list_fields(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["formula-properties"], base_url=DEMO)
    inputs = _text(page.inputs_label)
    assert "Conditions" in inputs and "Temperature (K)" in inputs and "more than 0" in inputs
    # The schema names one entry "MixtureComponent" (a class name): said in words.
    assert "Mixture" in inputs and "list of mixture components" in inputs
    assert "MixtureComponent" not in inputs
    assert "Isotope mass shifts (g/mol)" in inputs and "list of numbers" in inputs
    assert "Molar mass unit" in inputs and "one of: g/mol, kg/mol" in inputs
    assert "e-mail address" in inputs and "1 to 200 characters" in inputs
    charge = next(line for line in inputs.splitlines() if line.startswith("Charge"))
    assert "optional" in charge and "whole number" in charge
    assert "No files are created." in _text(page.outputs_label)


def test_settings_are_named_by_their_titles_not_their_keys(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    # Seen at 1366×768: "Wavelength (Å) wavelength_A — number …"; the key is for programmers.
    page.show_route(routes["simulate-powder-xrd-pattern"], base_url=DEMO)
    inputs = _text(page.inputs_label)
    wavelength = next(line for line in inputs.splitlines() if line.startswith("Wavelength"))
    assert wavelength.startswith("Wavelength (Å) — number · optional · default 1.5406")
    for key in ("wavelength_A", "two_theta_min_deg", "two_theta_max_deg", "fwhm_deg"):
        assert key not in inputs
    page.show_route(routes["formula-properties"], base_url=DEMO)
    inputs = _text(page.inputs_label)
    assert "Temperature (K) — number" in inputs and "Mole fraction — number" in inputs
    assert "Mole fraction fraction" not in inputs
    for key in ("temperature_K", "pressure_atm", "isotope_shifts"):
        assert key not in inputs  # nor a group's default as JSON


def test_outputs_are_named_by_their_titles_with_their_kind_in_plain_words(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["simulate-powder-xrd-pattern"], base_url=DEMO)
    outputs = _text(page.outputs_label)
    assert "Diffraction pattern (picture) — image (SVG) · a result of the run" in outputs
    assert "pattern —" not in outputs.replace("Diffraction pattern (picture) —", "")
    page.show_route(routes["build-supercell"], base_url=DEMO)
    assert "Supercell — crystal structure (CIF)" in _text(page.outputs_label)


def test_dos_curve_lists_its_chart_and_async_mode(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["free-electron-dos-curve"], base_url=DEMO)
    assert "Chart: Free-electron DOS of …" in _text(page.outputs_label)
    assert page.async_badge.text() == "Runs in the background"
    run = next(v for v in page.api_panel.views_for("python") if v.snippet.title.startswith("Run"))
    assert "wait=False" in run.editor.toPlainText()


def test_details_section_starts_collapsed_and_opens(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show()
    page.show_route(routes["predict-electronic-dos-at-fermi-level"], base_url=DEMO)
    assert not page.details_label.isVisible()
    qtbot.mouseClick(page.details_section.toggle_button, Qt.MouseButton.LeftButton)
    assert page.details_label.isVisible()
    details = _text(page.details_label)
    for name in ("ouro-route-id", "ouro-route-org-id", "ouro-route-team-id", "ouro-action-id"):
        assert name in details
    assert routes["predict-electronic-dos-at-fermi-level"].id in details
    # Another route starts collapsed again.
    page.show_route(routes["structure-report"], base_url=DEMO)
    assert not page.details_label.isVisible()


def test_bounds_and_defaults_read_as_a_scientist_writes_them(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    # Not "1e-06" or "-5": a real minus, powers of ten, and never rounded (a bound is exact).
    raw = copy.deepcopy(routes["post-materials-structure-relax"].raw)
    schema = raw["route"]["request_body"]["content"]["application/json"]["schema"]
    schema["properties"]["fmax"].update(minimum=-5, maximum=2.5e-7, default=-0.123456789)
    schema["properties"]["max_steps"].update(exclusiveMinimum=1e-06, minimum=None)
    del schema["properties"]["max_steps"]["minimum"]
    page.show_route(Route.from_json(raw), base_url=DEMO)
    inputs = _text(page.inputs_label)
    fmax = next(line for line in inputs.splitlines() if line.startswith("Fmax"))
    assert "from \u22125 to 2.5 \u00d7 10\u207b\u2077" in fmax
    assert "default \u22120.123456789" in fmax
    steps = next(line for line in inputs.splitlines() if line.startswith("Max Steps"))
    assert "more than 1 \u00d7 10\u207b\u2076" in steps and "e-0" not in inputs


def test_metrics_give_the_expected_duration(page: RoutePage, routes: dict[str, Route]) -> None:
    raw = dict(routes["build-supercell"].raw)
    raw["metrics"] = {
        "p50_completion_ms": 3100,
        "avg_completion_ms": 4000,
        "latency_sample_count": 5,
    }
    page.show_route(Route.from_json(raw), base_url=DEMO)
    assert "about 3 s (typical of 5 runs)" in _text(page.facts_label)


def test_copy_button_puts_the_snippet_on_the_clipboard(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show()
    page.show_route(routes["structure-report"], base_url=DEMO)
    page.api_section.set_expanded(True)
    QGuiApplication.clipboard().clear()
    for view in (page.api_panel.views_for("python")[1], page.api_panel.views_for("shell")[2]):
        page.api_panel.tabs.setCurrentWidget(view.parentWidget())
        qtbot.mouseClick(view.copy_button, Qt.MouseButton.LeftButton)
        assert QGuiApplication.clipboard().text() == view.snippet.code
        assert view.copy_button.text() == "Copied"
        assert view.copy_button.accessibleName().startswith("Copy ")
    qtbot.waitUntil(lambda: view.copy_button.text() == "Copy", timeout=3000)


def test_snippet_editors_are_read_only_monospace(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show()
    route = routes["build-supercell"]
    page.show_route(route, base_url=DEMO)
    assert [page.api_panel.tabs.tabText(i) for i in range(page.api_panel.tabs.count())] == [
        "Python",
        "curl",
    ]
    # Not built until shown: opening a route builds no snippet editor.
    assert page.api_section.findChildren(QPlainTextEdit) == []
    page.api_section.set_expanded(True)  # the Python tab is shown: its editors come
    assert page.api_panel.built_languages == ["python"]
    python = page.api_section.findChildren(QPlainTextEdit)
    assert len(python) == 3  # retrieve, run, actions
    assert all(e.isVisible() and e.height() > 0 for e in python)
    page.api_panel.tabs.setCurrentIndex(1)  # curl: sign in + the same three
    editors = page.api_section.findChildren(QPlainTextEdit)
    assert len(editors) == 7 and page.api_panel.built_languages == ["python", "shell"]
    for editor in editors:
        assert editor.isReadOnly()
        assert editor.font().fixedPitch() or "mono" in editor.font().family().lower()
    # ... and they show this route's code, each exactly its snippet's.
    for view in page.api_panel.views:
        assert view.editor.toPlainText() == view.snippet.code.rstrip("\n")
        assert route.id in view.editor.toPlainText() or view.snippet.title.startswith("Sign")
    # Another route: the editors go, and the new ones show the new route's code.
    other = routes["structure-report"]
    page.show_route(other, base_url=DEMO)
    assert page.api_panel.built_languages == ["python"]  # the panel is open: its tab
    shown = page.api_panel.views_for("python")
    assert shown and all(other.id in v.editor.toPlainText() for v in shown)
    qtbot.waitUntil(lambda: len(page.api_section.findChildren(QPlainTextEdit)) == len(shown))


def test_favourite_button_emits_id_and_full_name(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    route = routes["free-electron-dos-curve"]
    page.show_route(route, base_url=DEMO, is_favourite=False)
    assert page.favourite_button.accessibleName() == "Add to favourites"
    with qtbot.waitSignal(page.favourite_toggled) as blocker:
        qtbot.mouseClick(page.favourite_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [route.id, route.full_name]
    assert page.favourite_button.isChecked()
    assert page.favourite_button.accessibleName() == "Remove from favourites"
    page.show_route(route, base_url=DEMO, is_favourite=False)
    assert not page.favourite_button.isChecked()


def test_loading_error_retry_and_clear(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show()
    page.show_loading("Loading demo/structure-report…")
    assert page.loading_label.isVisible() and "demo/structure-report" in page.loading_label.text()
    page.show_error("Could not load the route: the server did not answer.")
    assert page.error_label.isVisible()
    assert page.error_label.text() == "Could not load the route: the server did not answer."
    with qtbot.waitSignal(page.retry_requested):
        qtbot.mouseClick(page.retry_button, Qt.MouseButton.LeftButton)
    page.show_route(routes["structure-report"], base_url=DEMO)
    assert page.is_showing_route and not page.error_label.isVisible()
    page.clear()
    assert not page.is_showing_route and page.empty_label.isVisible()


def test_error_message_is_shown_as_plain_text(page: RoutePage) -> None:
    page.show_error("<b>not bold</b> & <script>")
    assert page.error_label.textFormat() == Qt.TextFormat.PlainText


def test_form_area_is_an_empty_placeholder_below_the_route_info(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    page.show_route(routes["build-supercell"], base_url=DEMO)
    assert page.form_area.layout() is page.form_layout and page.form_layout.count() == 0
    body = page.scroll_area.widget().layout()
    order = [body.indexOf(w) for w in (page.outputs_label, page.form_area, page.api_section)]
    assert order == sorted(order) and -1 not in order
    page.form_layout.addWidget(QLabel("a form"))
    page.show_route(routes["structure-report"], base_url=DEMO)
    assert page.form_layout.count() == 1  # the page leaves its owner's widgets alone


def test_controls_have_accessible_names(page: RoutePage, routes: dict[str, Route]) -> None:
    page.show_route(routes["structure-report"], base_url=DEMO)
    for widget in [
        page.favourite_button,
        page.retry_button,
        page.details_section.toggle_button,
        page.api_section.toggle_button,
        page.api_panel.tabs,
        *[v.copy_button for v in page.api_panel.views],
        *[v.editor for v in page.api_panel.views],
    ]:
        assert widget.accessibleName(), widget


def test_default_server_links_to_the_web_page(page: RoutePage, routes: dict[str, Route]) -> None:
    page.show_route(routes["structure-report"], base_url="https://api.ouro.foundation")
    assert 'href="https://ouro.foundation/routes/demo/structure-report"' in page.byline_label.text()
    assert page.byline_label.openExternalLinks()
    page.show_route(routes["structure-report"], base_url=DEMO)
    assert "href" not in page.byline_label.text()


def test_rich_text_description_is_rendered_and_escaped(
    page: RoutePage, routes: dict[str, Route]
) -> None:
    doc = {
        "type": "doc",
        "content": [
            {
                "type": "heading",
                "attrs": {"level": 1},
                "content": [{"type": "text", "text": "Use"}],
            },
            {
                "type": "paragraph",
                "content": [
                    {"type": "text", "text": "Relax "},
                    {"type": "text", "text": "fast", "marks": [{"type": "bold"}]},
                    {"type": "text", "text": " <script>x</script> "},
                    {"type": "text", "text": "E=mc2", "marks": [{"type": "code"}]},
                    {
                        "type": "text",
                        "text": "docs",
                        "marks": [{"type": "link", "attrs": {"href": "https://ouro.foundation"}}],
                    },
                    {
                        "type": "text",
                        "text": "bad",
                        "marks": [{"type": "link", "attrs": {"href": "javascript:alert(1)"}}],
                    },
                ],
            },
            {
                "type": "bulletList",
                "content": [
                    {
                        "type": "listItem",
                        "content": [
                            {"type": "paragraph", "content": [{"type": "text", "text": "one"}]}
                        ],
                    }
                ],
            },
        ],
    }
    html = tiptap_to_html(doc)
    assert "<h3>Use</h3>" in html and "<b>fast</b>" in html and "<code>E=mc2</code>" in html
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert '<a href="https://ouro.foundation">docs</a>' in html
    assert "javascript" not in html and "bad" in html
    assert "<ul><li><p>one</p></li></ul>" in html
    assert description_html({"json": None, "text": "a\n\nb <c>"}) == "<p>a</p><p>b &lt;c&gt;</p>"
    raw = dict(routes["build-supercell"].raw)
    page.show_route(
        Route.from_json({**raw, "description": {"json": doc, "text": "x"}}), base_url=DEMO
    )
    assert "fast" in _text(page.description_label) and "one" in _text(page.description_label)


def _grab_side_by_side(qtbot: Any, pages: list[QWidget], path: Path) -> None:
    from PySide6.QtGui import QPainter, QPixmap

    shots = []
    for widget in pages:
        widget.show()
        qtbot.waitExposed(widget)
        QApplication.processEvents()
        shots.append(widget.grab())
    width = sum(s.width() for s in shots) + 8 * (len(shots) - 1)
    canvas = QPixmap(width, max(s.height() for s in shots))
    canvas.fill(QColor("#808080"))
    painter = QPainter(canvas)
    x = 0
    for shot in shots:
        painter.drawPixmap(x, 0, shot)
        x += shot.width() + 8
    painter.end()
    assert canvas.save(str(path))


def test_screenshots_light_and_dark(qtbot: Any, routes: dict[str, Route]) -> None:
    """Light: the DOS route and structure-report (snippets open); dark: the DOS curve (details
    open) and structure-report (curl snippets open)."""
    light = []
    for slug in ("predict-electronic-dos-at-fermi-level", "structure-report"):
        page = RoutePage()
        qtbot.addWidget(page)
        page.resize(760, 1000)
        page.show_route(routes[slug], base_url=DEMO)
        light.append(page)
    light[1].api_section.set_expanded(True)
    _grab_side_by_side(qtbot, light, SCREENSHOT_DIR / "route_page_light.png")

    dark_pages = []
    for slug in ("free-electron-dos-curve", "structure-report"):
        page = RoutePage()
        qtbot.addWidget(page)
        page.setPalette(dark_palette())
        page.setAutoFillBackground(True)
        page.resize(760, 1000)
        page.show_route(routes[slug], base_url=DEMO)
        dark_pages.append(page)
    dark, paid = dark_pages
    dark.details_section.set_expanded(True)
    paid.api_section.set_expanded(True)
    paid.api_panel.tabs.setCurrentIndex(1)
    muted = dark.palette().color(QPalette.ColorRole.PlaceholderText).name()
    assert muted in dark.inputs_label.text()  # the muted colour follows the palette
    _grab_side_by_side(qtbot, dark_pages, SCREENSHOT_DIR / "route_page_dark.png")
    assert (SCREENSHOT_DIR / "route_page_dark.png").stat().st_size > 10_000
    # Changing the palette re-renders the HTML with the new muted colour: the light palette's
    # half-transparent placeholder black, made opaque over the window colour (a mid grey).
    dark.setPalette(QApplication.palette())
    assert muted not in dark.inputs_label.text()
    light_muted = QColor(dark._muted())
    window = QApplication.palette().color(QPalette.ColorRole.Window)
    assert 60 < light_muted.lightness() < window.lightness() - 40
    assert light_muted.name() in dark.inputs_label.text()


def test_wrapped_labels_remember_heights_but_follow_their_text_and_font(qtbot: Any) -> None:
    from ouro_desktop.ui.common.labels import WrappedLabel

    def plain(text: str, font: Any = None) -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        if font is not None:
            label.setFont(font)
        label.setText(text)
        return label

    short, long = "<p>one line</p>", "<p>" + "a rather long sentence, " * 40 + "</p>"
    label = WrappedLabel()
    qtbot.addWidget(label)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setText(short)
    assert label.heightForWidth(300) == plain(short).heightForWidth(300)
    label.setText(long)  # the remembered height must not outlive its text
    assert (
        label.heightForWidth(300)
        == plain(long).heightForWidth(300)
        > plain(short).heightForWidth(300)
    )
    bigger = label.font()
    bigger.setPointSizeF(bigger.pointSizeF() * 2)
    label.setFont(bigger)
    assert label.heightForWidth(300) == plain(long, bigger).heightForWidth(300)
    label.clear()
    assert label.heightForWidth(300) == plain("").heightForWidth(300)


def test_a_route_shown_in_steps_lays_each_paragraph_out_unseen_at_the_width_it_keeps(
    qtbot: Any, page: RoutePage, routes: dict[str, Route]
) -> None:
    route = routes["post-materials-structure-relax"]
    paragraphs = [page.description_label, page.facts_label, page.inputs_label]
    paragraphs.append(page.outputs_label)
    # A form wider than the page, built while its area is hidden (as a wide route's is):
    # the page is as wide as it will be with it from the first step.
    page.resize(420, 700)
    page.show()
    wide_form = QWidget()
    wide_form.setMinimumWidth(640)
    wide_form.setMinimumHeight(300)
    page.form_area.hide()
    page.form_layout.addWidget(wide_form)
    page.show_route(route, base_url=DEMO, lists_later=True)
    bar = page.scroll_area.verticalScrollBarPolicy
    assert bar() == Qt.ScrollBarPolicy.ScrollBarAlwaysOn  # one width: no second lay-out
    assert not any(label.isVisible() for label in paragraphs)
    unseen: dict[QLabel, Any] = {}  # each paragraph's size the last time it was hidden
    for step in page.later_steps():  # a turn of the event loop each
        step()
        qtbot.wait(1)
        unseen.update({label: label.size() for label in paragraphs if not label.isVisible()})
    page.show_lists()
    page.form_area.show()
    qtbot.waitUntil(lambda: wide_form.isVisible() and wide_form.width() >= 640)
    qtbot.wait(10)
    # Laid out, while hidden, at the size it is shown at once the form is there.
    assert all(label.isVisible() for label in paragraphs)
    assert {label: label.size() for label in paragraphs} == unseen
    page.release_page()
    assert bar() == Qt.ScrollBarPolicy.ScrollBarAsNeeded
    assert page.scroll_area.widget().minimumWidth() == 0
    # The same page as one shown at once: the same words, at the same height.
    whole = RoutePage()
    qtbot.addWidget(whole)
    whole.resize(page.size())
    whole.form_layout.addWidget(QWidget(minimumWidth=640, minimumHeight=300))
    whole.show()
    whole.show_route(route, base_url=DEMO)
    qtbot.waitUntil(lambda: whole.inputs_label.isVisible())
    qtbot.wait(10)
    assert _page_text(page) == _page_text(whole)
    heights = [label.height() for label in paragraphs]
    assert heights == [
        label.height()
        for label in (
            whole.description_label,
            whole.facts_label,
            whole.inputs_label,
            whole.outputs_label,
        )
    ]
    assert min(heights) > 0
