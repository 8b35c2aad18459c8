"""The result view widget, for every demo route's answer and every real route spec's: what
the user reads has no raw key where the schema has a title, no ``None``, no unrounded
float, a unit wherever one is known, and Copy gives the exact value."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QPlainTextEdit

from ouro_desktop.core.labels import is_generated_title
from ouro_desktop.core.result_view import view_for_route
from ouro_desktop.core.units import split_key_unit
from ouro_desktop.ui.common.collapsible import CollapsibleSection
from ouro_desktop.ui.results.answer_view import AnswerView
from ouro_desktop.ui.results.outputs_view import OutputCard
from ouro_desktop.ui.results.result_items import PAGE, HelpMark, ItemsPanel
from ouro_desktop.ui.results.table_model import ResultTableView
from tests.core.test_result_view import HANDLED, REAL, REAL_ANSWERS, demo_answer, walk

UNROUNDED = re.compile(r"\d\.\d{7,}")  # a float printed with all its digits


_KEPT: list[AnswerView] = []


@pytest.fixture(autouse=True)
def _keep_views_until_teardown() -> Any:
    """A view lives until its test's teardown closes it: pytest-qt keeps only a weak
    reference, and the view's reference cycles (its rows call back into it) would leave it
    to the garbage collector, which may run in the middle of a paint after the test."""
    yield
    _KEPT.clear()


def _view(qtbot: Any, answer: Any, route: Any) -> AnswerView:
    view = AnswerView()
    _KEPT.append(view)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.set_answer(answer, route)
    view.show()
    return view


def _open_everything(view: AnswerView) -> None:
    """Expand every group (building it) until nothing more opens."""
    while True:
        closed = [s for s in view.findChildren(CollapsibleSection) if not s.is_expanded()]
        if not closed:
            return
        for section in closed:
            section.set_expanded(True)


def _texts(view: AnswerView) -> list[str]:
    """Every text the result view shows: labels, section titles, table cells and headers."""
    texts = [label.text() for label in view.findChildren(QLabel) if not label.isHidden()]
    texts += [s.toggle_button.text() for s in view.findChildren(CollapsibleSection)]
    texts += [box.toPlainText() for box in view.findChildren(QPlainTextEdit)]
    for table in view.findChildren(ResultTableView):
        model = table.model()
        for column in range(model.columnCount()):
            header = str(model.headerData(column, Qt.Orientation.Horizontal))
            texts.append(header.replace("\n", " "))  # a long header takes two lines
            for row in range(min(model.rowCount(), 50)):
                texts.append(str(model.index(row, column).data()))
    return texts


def _check(view: AnswerView, route: Any, answer: Any) -> None:
    _open_everything(view)
    core = view_for_route(route, answer)
    texts = _texts(view)
    shown = " | ".join(texts)
    assert "None" not in texts and "null" not in texts
    assert not UNROUNDED.search(shown), UNROUNDED.search(shown)
    for item in walk(list(core.items)):
        label = view.value_label(item.path)
        title = item.schema.get("title")
        if isinstance(title, str) and "_" in item.key and not is_generated_title(title, item.key):
            assert item.key not in texts, item.key  # never the raw key where a title exists
        if label is None:
            continue  # in a table, a collapsed list, or a page not shown
        assert label.text() == item.display
        assert item.label in view.context.trails[item.path]
        if item.kind == "number":
            known = item.schema.get("x-unit") or split_key_unit(item.key).unit
            if known and "per " not in known:
                assert label.text().endswith(item.unit) and item.unit, item.key
            if not item.text.count(", "):
                assert label.copy_value() == item.exact
                assert QGuiApplication.clipboard().text() == item.exact
                value = json.loads(item.exact)
                assert value == item.value or (math.isnan(value) and math.isnan(item.value))
            if item.exact != item.text:
                assert f"Exact value: {item.exact}" in label.toolTip()
        if item.help:
            assert item.help in label.toolTip()


@pytest.mark.parametrize("slug", HANDLED)
def test_demo_answers_read_without_raw_keys(qtbot: Any, slug: str) -> None:
    route, answer = demo_answer(slug, "NaCl.cif")
    view = _view(qtbot, answer, route)
    _check(view, route, answer)


@pytest.mark.parametrize("path", sorted(REAL_ANSWERS))
def test_real_route_answers_read_without_raw_keys(qtbot: Any, path: str) -> None:
    route = REAL[path]
    answer, kind = REAL_ANSWERS[path]
    view = _view(qtbot, answer, route)
    _check(view, route, answer)
    texts = _texts(view)
    assert not any("/" in t and t.count("/") == 1 and " " not in t for t in texts)  # no MIME
    if kind:
        (card,) = view.findChildren(OutputCard)
        assert card.details_label.text() == kind


def test_the_dos_answer_and_copying_it(qtbot: Any) -> None:
    route, answer = demo_answer("predict-electronic-dos-at-fermi-level")
    view = _view(qtbot, answer, route)
    shown = view.shown_values()
    assert shown["Fermi energy"] == "7.031 eV" and shown["Cell volume"] == "47.24 Å³"
    volume = view.value_label("volume_A3")
    assert volume is not None
    assert "Exact value: 47.241633375000006 Å³" in volume.toolTip()
    assert volume.copy_value() == "47.241633375000006"
    assert volume.copy_with_unit() == "47.241633375000006 Å³"
    text = view.copy_all()
    assert QGuiApplication.clipboard().text() == text
    assert "Cell volume: 47.241633375000006 Å³" in text.splitlines()
    # "?" marks the values the route describes, with the description as its help.
    marks = {m.accessibleName(): m.toolTip() for m in view.findChildren(HelpMark)}
    assert marks["About Fermi energy"] == view.value_label("fermi_energy_eV").item.help
    # Show as JSON, and back.
    view.json_button.click()
    assert view.showing_json() and view.json_view.value() == answer
    assert not view.hint_label.isVisible()  # "Hover … for its exact figure" is not for JSON
    view.json_button.click()
    assert not view.showing_json() and volume.isVisible()
    assert view.hint_label.isVisible()


def test_formula_answer_groups_tables_and_long_text(qtbot: Any) -> None:
    route, answer = demo_answer("formula-properties")
    view = _view(qtbot, answer, route)
    shown = view.shown_values()
    assert shown["Formula units"] == "2.41 × 10²¹"
    assert shown["Charge"] == "—"
    assert shown["Conditions › Temperature"] == "298.15 K"  # a group, open
    assert shown["Mixture › Fractions normalised"] == "No"
    notes = view.value_label("record.notes")
    assert notes is not None and notes.wordWrap()
    assert notes.text() == "weighed twice\nsecond time after drying"
    assert notes.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    elements = next(
        t for t in view.findChildren(ResultTableView) if t.accessibleName() == "Elements"
    )
    model = elements.result_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == ["Element", "Count", "Atomic weight\n(g/mol)"]
    assert model.index(0, 0).data() == "H"
    elements.setCurrentIndex(model.index(0, 2))
    assert elements.copy_current() == "1.00794"


def test_xrd_answer_draws_its_chart_with_titled_axes(qtbot: Any) -> None:
    route, answer = demo_answer("simulate-powder-xrd-pattern", "NaCl.cif")
    view = _view(qtbot, answer, route)
    panel = view.panel
    assert panel is not None
    (plot,) = panel.charts
    assert plot.axis_labels() == ("2θ (°)", "Relative intensity (%)")
    assert plot.is_bar() and plot.chart.point_count == len(answer["peaks"])
    # the peak list fits the run detail of a 1366-pixel screen (about 570 px): long headers
    # take two lines so Relative intensity, the column that matters, is not scrolled away
    (table,) = view.findChildren(ResultTableView)
    model = table.result_model
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[-1] == "Relative\nintensity (%)" and headers[0] == "2θ (°)"
    assert table.content_width() < 540
    (card,) = view.findChildren(OutputCard)
    assert card.details_label.text() == "image (SVG)"
    assert card.name_label.text() == "NaCl_xrd"


def test_a_huge_answer_builds_a_page_of_rows(qtbot: Any) -> None:
    many = {f"value_{i}_eV": i * 0.5 for i in range(10_000)}
    curve = [{"energy_eV": i * 1e-3, "dos_per_eV": 1.0} for i in range(200_000)]
    view = _view(qtbot, {"many": many, "curve": curve}, None)
    assert view.panel is not None
    group = next(s for s in view.panel.sections)
    assert not group.is_expanded()  # 10,000 values: closed until asked
    group.set_expanded(True)
    inner = group.body.findChild(ItemsPanel)
    assert inner is not None and inner.built_count() == PAGE
    assert inner.more_button.text() == f"Show {PAGE} more ({10_000 - PAGE:,} not shown)"
    inner.more_button.click()
    assert inner.built_count() == 2 * PAGE
    assert view.shown_values()["Many › Value 99"] == "49.5 eV"
    (table,) = view.findChildren(ResultTableView)
    assert table.result_model.rowCount() == 200  # one page of the 200,000 rows
    assert table.result_model.canFetchMore()


def test_a_long_tables_row_header_measures_its_labels_only_when_set_up_and_shown(
    qtbot: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Each measuring asks the model about every row shown, several roles each (a call
    # into Python apiece, ~800 for a page of 200 rows). Qt measures when the model is set
    # and again when the header is first shown; a table whose header settings came after
    # its model measured a third time.
    from ouro_desktop.ui.results.table_model import ResultTableModel

    asked: list[int] = []
    real = ResultTableModel.headerData

    def header_data(self: Any, section: int, orientation: Any, role: Any = 0) -> Any:
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.SizeHintRole:
            asked.append(section)
        return real(self, section, orientation, role)

    monkeypatch.setattr(ResultTableModel, "headerData", header_data)
    answer = {"curve": [{"energy_eV": i / 10, "dos_per_eV": i % 7} for i in range(5000)]}
    view = AnswerView()
    _KEPT.append(view)
    qtbot.addWidget(view)
    view.resize(900, 700)
    view.show()
    view.set_answer(answer, None)
    qtbot.wait(50)
    (table,) = view.findChildren(ResultTableView)
    shown = table.model().rowCount()
    assert shown < 5000 and asked.count(0) <= 2, f"measured {asked.count(0)} times"
    assert table.model().headerData(shown - 1, Qt.Orientation.Vertical) == shown


@pytest.mark.parametrize("width", [600, 900])
def test_a_wrapped_text_is_as_tall_as_its_lines(qtbot: Any, width: int) -> None:
    # The opening sentence of a post took five lines' height for two: a gap under it.
    sentence = (
        "Our relaxed Cu cell has a lattice parameter of 3.615 Å, and NaCl has a band gap of "
        "8.5 eV in the same functional."
    )
    answer = {"summary": sentence, "words": 22, "formulas": [{"formula": "Cu"}, {"formula": "Na"}]}
    view = _view(qtbot, answer, None)
    view.resize(width, 500)
    assert view.panel is not None
    label = view.value_label("summary")
    assert label is not None and label.wordWrap()
    flags = int(Qt.TextFlag.TextWordWrap)
    qtbot.waitUntil(lambda: label.width() > 300)
    needed = label.fontMetrics().boundingRect(0, 0, label.width(), 10**5, flags, sentence)
    assert label.height() <= needed.height() + 4  # what the text needs at this width
    grid = view.panel.grid
    row = grid.getItemPosition(grid.indexOf(label))[0]
    below = grid.cellRect(row + 1, 0)
    assert below.top() - label.geometry().bottom() <= grid.verticalSpacing() + 1
