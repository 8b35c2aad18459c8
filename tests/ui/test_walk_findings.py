"""What a chemist met using the merged app at 1366×768 (the walk of shots-walk/), kept fixed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QRect, QSettings, Qt
from PySide6.QtWidgets import QApplication, QScrollArea, QVBoxLayout, QWidget

from ouro_desktop.core.result_view import ResultItem
from ouro_desktop.ui.results.result_card import ResultCard
from ouro_desktop.ui.shell.main_window import MainWindow

SENTENCE = (
    "We relaxed Cu and got a = 3.615 Å with a bulk modulus of 140 GPa, then NaCl and "
    "CuSO4·5H2O at 298 K, and wrote it all down here."
)


def test_a_long_value_in_the_result_card_wraps_inside_the_route_page(qtbot: Any) -> None:
    # The route page scrolls up and down only; a card wider than it pushed the page
    # sideways when it scrolled itself into view, cutting off the page's left edge.
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    page = QWidget()
    column = QVBoxLayout(page)
    card = ResultCard(page)
    column.addWidget(card)
    column.addStretch(1)
    area.setWidget(page)
    area.resize(420, 300)
    qtbot.addWidget(area)
    area.show()
    qtbot.waitExposed(area)
    items = [
        ResultItem(path="title", key="title", label="Post title", kind="text", text="Notes"),
        ResultItem(
            path="summary", key="summary", label="Opening sentence", kind="text", text=SENTENCE
        ),
    ]
    card.show_values("Finished", items, [], "The whole answer is in the run's detail.")
    qtbot.waitUntil(lambda: card.isVisible())
    QApplication.processEvents()
    QApplication.processEvents()
    assert ("Opening sentence", SENTENCE) in card.values()
    assert page.width() <= area.viewport().width()
    assert area.horizontalScrollBar().value() == 0
    assert card.geometry().right() <= area.viewport().width()


def test_the_offline_demo_from_the_welcome_starts_in_the_route_search(
    qtbot: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: after "Try the offline demo" the keys were on the runs pane's
    # "This route" radio button.
    settings = QSettings(str(tmp_path / "w.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings, screen_area=lambda: QRect(0, 0, 1366, 768))
    qtbot.addWidget(window)
    window.show_welcome()
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    window.welcome.demo_button.setFocus()
    qtbot.waitUntil(window.welcome.demo_button.hasFocus)
    window.show_workspace()
    qtbot.waitUntil(window.browser.search.hasFocus)
    assert QApplication.focusWidget() is window.browser.search


def test_runs_of_one_route_read_apart_by_what_each_was_given(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: six identical "predict-electronic-dos-at-fermi-level" rows;
    # nothing said which run was Cu, which Al (the file was only in the detail).
    from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

    from ouro_desktop.ui.history.model import HistoryTableModel

    from .app_harness import EXAMPLES, App

    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/predict-electronic-dos-at-fermi-level")
        app.drop("file", EXAMPLES / "Cu.cif")
        cu = app.run()
        app.drop("file", EXAMPLES / "Al.cif")
        al = app.run()
        app.open("demo/formula-properties")
        body = app.window.run_panel.form.value().body
        body["formula"] = "CuSO4·5H2O"
        app.window.run_panel.form.set_value(body)
        salt = app.run()
        pane = app.window.history
        model = pane.model

        def cell(key: str) -> str:
            return str(model.index(model.row_of(key), HistoryTableModel.ROUTE).data())

        aio.wait_until(lambda: all(model.row_of(r.action_id) >= 0 for r in (cu, al, salt)))
        assert cell(cu.action_id) == "predict-electronic-dos-at-fermi-level · Cu.cif"
        assert cell(al.action_id) == "predict-electronic-dos-at-fermi-level · Al.cif"
        assert cell(salt.action_id) == "formula-properties · CuSO4·5H2O"
        # A narrow column cuts the route's name, not the file name that tells runs apart.
        pane.view.setColumnWidth(HistoryTableModel.ROUTE, 160)
        index = model.index(model.row_of(al.action_id), HistoryTableModel.ROUTE)
        option = QStyleOptionViewItem()
        pane.view.initViewItemOption(option)  # as the view paints it (its style, margins)
        option.rect = pane.view.visualRect(index)
        option.rect.setWidth(160)
        pane.cells.initStyleOption(option, index)
        assert option.text.endswith("· Al.cif") and option.text.startswith("predict-")
        assert "…" in option.text
        # At any width the fitted text fits where the style draws it, so the style does
        # not cut it again at its end (seen at 1366×768: "…fermi-le… · NaCl.…").
        style = pane.view.style()
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, pane.view) + 1
        for width in range(120, 320, 3):
            option.rect.setWidth(width)
            pane.cells.initStyleOption(option, index)
            text_rect = style.subElementRect(
                QStyle.SubElement.SE_ItemViewItemText, option, option.widget
            )
            shown = option.fontMetrics.horizontalAdvance(option.text)
            assert shown <= text_rect.width() - 2 * margin, (width, option.text)
            assert option.text.endswith(" · Al.cif"), (width, option.text)

        # The filter finds a run by what it was given.
        def shown() -> list[str]:
            return [e.key for e in map(model.entry_at, range(model.rowCount())) if e]

        pane.text_filter.setText("al.cif")
        aio.wait_until(lambda: shown() == [al.action_id])
        pane.text_filter.setText("CuSO4")
        aio.wait_until(lambda: shown() == [salt.action_id])
        # ... and so does the ledger's own text filter.
        assert [r.action_id for r in app.ledger.list(text="Al.cif")] == [al.action_id]
        assert [r.action_id for r in app.ledger.list(text="cuso4")] == [salt.action_id]
        assert app.ledger.list(text="asset_id") == []  # keys are not matched, values are
    finally:
        app.close()


WALK_EV = """volume (Å³),energy (eV)
43.4608,-14.74328
44.4056,-14.81518
45.3504,-14.86413
46.2952,-14.89179
47.2400,-14.90055
48.1848,-14.89205
49.1296,-14.86998
50.0744,-14.83459
51.0192,-14.78665
"""


def _fitted_walk_table(app: Any, tmp_path: Path) -> Any:
    """The walk's cu_ev.csv dropped on the EOS route, created as a dataset, fitted."""
    from ouro_desktop.ui.run.form.drop_zone import ZoneState

    app.open("demo/fit-equation-of-state")
    zone = app.window.run_panel.inputs.zone("dataset")
    path = tmp_path / "cu_ev.csv"
    path.write_text(WALK_EV, encoding="utf-8")
    zone.files_dropped.emit("dataset", [str(path)])
    app.aio.wait_until(lambda: zone.state is ZoneState.PREVIEW)
    zone.create_button.click()
    app.aio.wait_until(lambda: zone.asset_id is not None)
    record = app.run()
    assert record.state == "success", record.status_detail
    return record


def test_a_value_with_its_uncertainty_keeps_the_digits_the_fit_determined(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: "Minimum energy E0 −14.9 eV" beside "Uncertainty of E0
    # 1.76 × 10⁻⁴ eV" (sent: −14.900383).
    from .app_harness import App

    app = App(qtbot, aio, tmp_path)
    try:
        record = _fitted_walk_table(app, tmp_path)
        (action,) = app.actions(app.window.run_panel.route.id)
        answer = action["response"]
        assert round(answer["E0_eV"], 4) == -14.9004 and 1.7e-4 < answer["E0_error_eV"] < 1.8e-4
        e0 = f"{answer['E0_eV']:.5f}".replace("-", "−")  # to the place of 0.00018
        card = dict(app.window.run_panel.result_card.values())
        assert card["Minimum energy E0"] == f"{e0} eV"
        assert card["Equilibrium volume V0"] == f"{answer['V0_A3']:.4f} Å³"
        app.aio.wait_until(lambda: app.window.history.select_run(record.action_id))
        detail = app.window.run_detail
        app.aio.wait_until(lambda: detail.key() == record.action_id)
        answer_view = detail.answer_view
        app.aio.wait_until(lambda: "Minimum energy E0" in answer_view.shown_values())
        shown = answer_view.shown_values()
        assert shown["Minimum energy E0"] == f"{e0} eV"
        assert shown["Uncertainty of E0"] == "0.00018 eV"
        assert shown["Uncertainty of V0"] == "0.0066 Å³"
        assert shown["Bulk modulus B0"].endswith("GPa") and shown["Uncertainty of B0"] == "0.34 GPa"
        assert shown["Bulk modulus B0"] == f"{answer['B0_GPa']:.2f} GPa"
        assert shown["Pressure derivative B0′"] == f"{answer['B0_prime']:.2f}"
        # The exact value stays one hover away.
        label = answer_view.value_label("E0_eV")
        assert label is not None and repr(answer["E0_eV"]) in label.toolTip()
    finally:
        app.close()


def test_a_dataset_output_reads_by_title_with_rounded_cells(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    # Seen at 1366×768: the residuals dataset by stored names (volume_a3,
    # fitted_energy_ev, residual_mev) and cells like -14.74318199 (ASCII minus).
    from ouro_desktop.ui.results.rows_table import PagedRows

    from .app_harness import App

    app = App(qtbot, aio, tmp_path)
    try:
        record = _fitted_walk_table(app, tmp_path)
        app.aio.wait_until(lambda: app.window.history.select_run(record.action_id))
        detail = app.window.run_detail
        app.aio.wait_until(lambda: detail.key() == record.action_id)
        detail.select_tab(detail.OUTPUTS)
        view = detail.outputs_view

        def rows() -> PagedRows | None:
            cards = [view.card(i.asset_id) for i in view.items()]
            tables = [c.preview for c in cards if c is not None]
            shown = [t for t in tables if isinstance(t, PagedRows)]
            return shown[0] if shown and shown[0].table.rows_model.rowCount() else None

        app.aio.wait_until(lambda: rows() is not None, timeout=20)
        table = rows()
        assert table is not None
        model = table.table.rows_model
        assert model.column_headers() == [
            "Volume (Å³)",
            "Energy (eV)",
            "Fitted energy (eV)",
            "Residual (meV)",
        ]
        texts = [model.cell(r, c) for r in range(model.rowCount()) for c in range(4)]
        assert model.cell(0, 0) == "43.4608" and model.cell(0, 1) == "−14.74"  # as answers read
        assert not any(t.startswith("-") for t in texts)  # a real minus sign
        assert all(len(t.replace("−", "").replace(".", "")) <= 7 for t in texts), texts
        (action,) = app.actions(app.window.run_panel.route.id)
        fitted = action["response"]["points"][0]["fitted_energy_eV"]
        tip = model.index(0, 2).data(Qt.ItemDataRole.ToolTipRole)
        assert tip == repr(fitted) and model.cell(0, 2) != tip
    finally:
        app.close()


def test_the_empty_post_chooser_keeps_its_two_sentences_together(qtbot: Any) -> None:
    # Seen at 1366×768: with no posts, the intro and "You have no posts…" sat ~180 px
    # apart in a 420 px dialog (the hidden list's room shared out as gaps).
    from ouro_desktop.core.asset_inputs import input_needs
    from ouro_desktop.ui.run.asset_picker import AssetPicker
    from tests.core.test_result_view import ROUTES

    route, _service = ROUTES["read-post-facts"]
    (need,) = input_needs(route)
    picker = AssetPicker(need, [])
    qtbot.addWidget(picker)
    picker.show()
    qtbot.waitExposed(picker)
    QApplication.processEvents()
    assert "no posts" in picker.empty_label.text()
    line = picker.fontMetrics().lineSpacing()
    gap = picker.empty_label.geometry().top() - picker.intro.geometry().bottom()
    assert gap <= 2 * line, gap
    gap = picker.buttons.geometry().top() - picker.empty_label.geometry().bottom()
    assert gap <= 3 * line, gap
    assert picker.height() < 250


def test_a_wide_batch_table_scrolled_right_still_names_each_file(qtbot: Any) -> None:
    # Seen at 1366×768: a route with many values made the batch table scroll sideways;
    # scrolled right, the File column was out of view and the rows read alike.
    from ouro_desktop.core.batch_table import BatchRow, ResultColumn, ValueCell
    from ouro_desktop.ui.batch.batch_view import BatchView

    view = BatchView()
    qtbot.addWidget(view)
    columns = [ResultColumn(f"v{i}", f"Value number {i}", "eV") for i in range(14)]
    names = ["Al.cif", "Cu.cif", "NaCl.cif", "Si.cif"]
    rows = [
        BatchRow(
            n,
            name,
            "Succeeded",
            "done",
            values={
                c.key: ValueCell(f"{n}.{i}", f"{n}.{i}", "number") for i, c in enumerate(columns)
            },
        )
        for n, name in enumerate(names)
    ]
    view.model.set_rows(rows, columns)
    view.fit_columns()
    view.resize(700, 400)
    view.show()
    qtbot.waitExposed(view)
    table = view.table
    bar = table.horizontalScrollBar()
    assert bar.maximum() > 0  # wider than the window
    bar.setValue(bar.maximum())
    QApplication.processEvents()
    headers = table.verticalHeader()
    assert headers.isVisible() and headers.width() >= headers.fontMetrics().horizontalAdvance(
        "NaCl.cif"
    )
    shown = [view.model.headerData(r, Qt.Orientation.Vertical) for r in range(len(names))]
    assert shown == names  # each row still says its file, whatever the scroll
    assert table.isColumnHidden(0)  # not twice
    assert view.model.headers()[0] == "File" and view.model.index(1, 0).data() == "Cu.cif"
    # The top-left corner says what the row headers are.
    corner = view.file_headers.corner
    assert corner is not None and view.file_headers.title == "File"
    # Set again (a new answer's columns), the File column stays hidden.
    view.model.set_rows(rows, columns[:3])
    assert table.isColumnHidden(0)


def test_a_unit_in_a_wrapped_result_label_is_not_split_at_its_slash(qtbot: Any) -> None:
    # The run panel's card at 1366×768 read "Molar mass in g/" and "mol" on two lines.
    from PySide6.QtGui import QTextLayout, QTextOption
    from PySide6.QtWidgets import QLabel

    card = ResultCard()
    qtbot.addWidget(card)
    card.resize(330, 200)
    card.show()
    qtbot.waitExposed(card)
    label = "Molar mass in g/mol"
    items = [
        ResultItem(path="m", key="m", label=label, kind="number", text="58.4428 g/mol"),
        ResultItem(path="n", key="n", label="Amount of substance", kind="number", text="0.017 mol"),
    ]
    card.show_values("Finished", items, [], "")
    QApplication.processEvents()
    name = next(w for w in card.findChildren(QLabel) if w.text().startswith("Molar mass in"))
    assert (label, "58.4428 g/mol") in card.values()  # what is read and copied is plain

    def lines(width: int) -> list[str]:
        layout = QTextLayout(name.text(), name.font())
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WordWrap)
        layout.setTextOption(option)
        layout.beginLayout()
        out = []
        while (line := layout.createLine()).isValid():
            line.setLineWidth(width)
            out.append(name.text()[line.textStart() : line.textStart() + line.textLength()])
        layout.endLayout()
        return out

    for width in range(name.fontMetrics().horizontalAdvance("Molar mass"), 400, 4):
        shown = lines(width)
        assert not any(part.rstrip().endswith("/") for part in shown), (width, shown)
    # ... while the same text without the joiner does break there at some width.
    plain = QTextLayout(label, name.font())
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WordWrap)
    plain.setTextOption(option)
    plain.beginLayout()
    first = plain.createLine()
    first.setLineWidth(name.fontMetrics().horizontalAdvance("Molar mass in g/m"))
    plain.endLayout()
    assert label[: first.textLength()].endswith("/")


def test_rerun_brings_the_filled_form_and_run_into_view(app_for: Any) -> None:
    # Seen at 1366×768: Re-run opened the route at the top of its page; the filled form,
    # its Run and "Press Run to run again." were below the fold, and the keys stayed on
    # Re-run, so nothing seemed to happen.
    from .app_harness import EXAMPLES

    app = app_for
    window = app.window
    window.resize(1366, 768)
    window.activateWindow()
    app.aio.wait_until(lambda: QApplication.activeWindow() is window)
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", EXAMPLES / "Cu.cif")
    first = app.run()
    app.open("demo/formula-properties")
    window.run_detail.rerun_requested.emit(first.action_id)
    panel = window.run_panel
    app.aio.wait_until(lambda: "earlier run" in panel.status_label.text())
    area = window.route_page.scroll_area
    shown = area.viewport().rect()
    for widget in (panel.run_button, panel.status_label):
        top_left = widget.mapTo(area.viewport(), widget.rect().topLeft())
        assert shown.contains(QRect(top_left, widget.size())), widget.accessibleName()
    assert QApplication.focusWidget() is panel.run_button


def test_the_rerun_note_goes_once_the_form_is_changed(app_for: Any) -> None:
    # "Inputs filled in from the earlier run" stayed after another file was dropped in:
    # the inputs were no longer the earlier run's.
    from .app_harness import EXAMPLES

    app = app_for
    app.open("demo/predict-electronic-dos-at-fermi-level")
    cu = app.drop("file", EXAMPLES / "Cu.cif")
    first = app.run()
    app.window.run_detail.rerun_requested.emit(first.action_id)
    panel = app.window.run_panel
    app.aio.wait_until(lambda: "earlier run" in panel.status_label.text())
    zone = panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(EXAMPLES / "Al.cif")])
    app.aio.wait_until(lambda: zone.asset_id not in (None, cu))
    assert "earlier run" not in panel.status_label.text()


def test_the_route_page_is_never_narrower_than_its_form(app_for: Any) -> None:
    # Seen at 1280×720 with the panes laid out on a wider screen (or the divider dragged
    # left): the page kept its form's width inside a narrower pane, with no sideways
    # scrolling -- "Choose one of my datasets…", "Reset to defaults" and the ends of the
    # inputs' descriptions were cut off.
    app = app_for
    window = app.window
    window.resize(1280, 690)
    app.open("demo/fit-equation-of-state")
    QApplication.processEvents()
    area = window.route_page.scroll_area
    body = area.widget()
    sizes = window.splitter.sizes()
    squeeze = sizes[1] - 300
    window.splitter.setSizes([sizes[0], 300, sizes[2] + squeeze])
    for _ in range(3):
        QApplication.processEvents()
    assert body.minimumSizeHint().width() > 300 - 20  # the form needs more than was left
    assert body.width() <= area.viewport().width()  # nothing cut off on the right
    assert window.splitter.sizes()[1] > 300
    assert sum(window.splitter.sizes()) <= window.splitter.width()


def test_holding_the_route_page_wide_still_lets_the_window_fit_1280(app_for: Any) -> None:
    # The page asks the splitter for its form's width, within a cap: with the other panes'
    # minimums the window must still fit a 1280 px wide screen, whatever the route.
    from ouro_desktop.ui.run.route_page import MAX_HELD_WIDTH

    app = app_for
    window = app.window
    app.open("demo/read-post-facts")  # the widest demo form
    QApplication.processEvents()
    page = window.route_page
    assert page.minimumSizeHint().width() <= MAX_HELD_WIDTH
    assert window.minimumSizeHint().width() <= 1280 - 40


def _in_view(area: Any, widget: Any) -> bool:
    top_left = widget.mapTo(area.viewport(), widget.rect().topLeft())
    return area.viewport().rect().contains(QRect(top_left, widget.size()))


def test_a_refused_run_shows_why_in_view(app_for: Any) -> None:
    # Seen at 1366×768: Ctrl+Return at the top of a route's page with no file given;
    # "Add a file…" appeared above Run, below the fold: nothing seemed to happen.
    app = app_for
    window = app.window
    window.resize(1366, 768)
    app.open("demo/predict-electronic-dos-at-fermi-level")
    panel, area = window.run_panel, window.route_page.scroll_area
    area.verticalScrollBar().setValue(0)
    app.aio.wait_until(lambda: not _in_view(area, panel.run_button))  # below the fold
    panel.run_button.click()
    app.aio.wait_until(lambda: panel.error_banner.isVisible())
    assert "structure" in panel.problem("missing")  # what to add, in words
    assert _in_view(area, panel.error_banner) and _in_view(area, panel.run_button)
    assert app.finished == []  # refused, not run


def test_a_removed_file_comes_back_with_undo_and_is_the_one_run(app_for: Any) -> None:
    # Once a file is chosen the keys move onto its Remove: a second Enter or Space threw
    # the file away, with no way back but finding it again.
    from .app_harness import EXAMPLES

    app = app_for
    app.window.resize(1366, 768)
    app.open("demo/predict-electronic-dos-at-fermi-level")
    asset_id = app.drop("file", EXAMPLES / "Cu.cif")
    panel, area = app.window.run_panel, app.window.route_page.scroll_area
    zone = panel.inputs.zone("file")
    area.verticalScrollBar().setValue(0)  # as seen: Remove had the keys, out of sight
    zone.remove_button.click()
    assert not zone.holds_file
    assert panel.undo_bar.text() == "“Cu.cif” is removed from “File”."
    app.aio.wait_until(lambda: _in_view(area, panel.undo_bar))  # not below the fold
    panel.undo_bar.button.click()
    app.aio.wait_until(lambda: zone.holds_file)
    assert zone.asset_id == asset_id and not panel.undo_bar.offered
    run = app.run()
    assert run.state == "success"
    assert run.provenance["files"]["file"]["asset_id"] == asset_id


def test_a_name_that_is_no_route_offers_a_search_for_it_not_retry(app_for: Any) -> None:
    # Seen: "Open by name" with a wrong name offered only Retry (with the keys), which
    # fails the same way.
    app = app_for
    page, browser = app.window.route_page, app.window.browser
    browser.open_requested.emit("demo/fermi-dos")
    app.aio.wait_until(lambda: page.stack.currentWidget() is page.error_page)
    assert "There is no route “demo/fermi-dos”" in page.error_label.text()
    assert page.retry_button.isHidden()
    assert page.search_button.text() == "Search for “fermi dos”"
    assert QApplication.focusWidget() in (page.search_button, None)  # None: window not active
    page.search_button.click()
    assert browser.search.text() == "fermi dos"
    app.aio.wait_until(lambda: browser.model.rowCount() > 0)
    names = [browser.model.index(r, 0).data() for r in range(browser.model.rowCount())]
    assert any("fermi" in str(n) for n in names), names


def test_retry_loads_the_route_that_failed_not_the_one_open_before(app_for: Any) -> None:
    from ouro_desktop.api.errors import OuroError

    app = app_for
    app.open("demo/formula-properties")
    client, page = app.session.client, app.window.route_page
    real = client.get_route
    calls: list[str] = []

    async def once_unreachable(ref: str, *args: Any, **kwargs: Any) -> Any:
        calls.append(ref)
        if len(calls) == 1:
            raise OuroError("Could not reach Ouro.")
        return await real(ref, *args, **kwargs)

    client.get_route = once_unreachable
    app.window.browser.open_requested.emit("demo/predict-electronic-dos-at-fermi-level")
    app.aio.wait_until(lambda: page.stack.currentWidget() is page.error_page)
    assert not page.retry_button.isHidden()
    page.retry_button.click()
    app.aio.wait_until(lambda: page.is_showing_route)
    assert app.window.run_panel.route.full_name == "demo/predict-electronic-dos-at-fermi-level"
    assert calls == ["demo/predict-electronic-dos-at-fermi-level"] * 2


def test_a_run_ouro_refuses_shows_why_in_view(app_for: Any) -> None:
    # The same as a run the form refuses, for one Ouro refuses once sent: the words came
    # at the top of the run panel, below the fold of a long page.
    from ouro_desktop.demo.faults import InjectedResponse

    app = app_for
    window = app.window
    window.resize(1366, 768)
    route = app.open("demo/formula-properties")
    panel, area = window.run_panel, window.route_page.scroll_area
    value = panel.form.value().body
    value["formula"] = "NaCl"
    panel.form.set_value(value)
    body = b'{"error": {"message": "Your plan does not allow this route."}}'
    app.backend.faults.injected.append(
        InjectedResponse("POST", rf"/services/[^/]+/routes/{route.id}/use", 403, body)
    )
    area.verticalScrollBar().setValue(0)
    app.aio.wait_until(lambda: not _in_view(area, panel.run_button))
    panel.run_button.click()
    app.aio.wait_until(lambda: "not started" in panel.problem("error"))
    app.aio.wait_until(lambda: _in_view(area, panel.error_banner))  # why, at the form's top
    assert app.actions(route.id) == []  # nothing ran


def test_the_held_width_does_not_shrink_while_the_same_route_is_shown(app_for: Any) -> None:
    # Seen at 1366×768: removing a file narrowed the form a few pixels, and the panes
    # beside the route page jumped.
    from .app_harness import EXAMPLES

    app = app_for
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", EXAMPLES / "Cu.cif")
    page = app.window.route_page
    QApplication.processEvents()
    held = page.minimumSizeHint().width()
    app.window.run_panel.inputs.zone("file").remove_button.click()
    for _ in range(3):
        QApplication.processEvents()
    assert page.minimumSizeHint().width() == held
