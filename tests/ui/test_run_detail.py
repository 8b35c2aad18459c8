"""The run detail, its tabs, Show code and Compare, with runs made by the demo backend.

Every action here is a real one: the demo routes run in-process (``httpx.ASGITransport``)
and the widgets are fed what ``OuroClient`` read back, as the history controller does.
"""

from __future__ import annotations

import asyncio
import copy
import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QFontMetrics,
    QGuiApplication,
    QMouseEvent,
    QPalette,
)
from PySide6.QtWidgets import QApplication

from ouro_desktop.api.client import OuroClient
from ouro_desktop.api.models import Action, ActionLog, Route
from ouro_desktop.core.cif_preview import preview_cif
from ouro_desktop.core.history_diff import response_diff, run_inputs
from ouro_desktop.core.ledger import RunRecord, RunState
from ouro_desktop.core.run_compare import RunSide as CompareSide
from ouro_desktop.core.run_compare import compare_runs
from ouro_desktop.core.snippets import run_snippet
from ouro_desktop.demo.app import create_app
from ouro_desktop.demo.faults import Faults
from ouro_desktop.ui.history.compare import MARK, NARROWEST, CompareDialog, short_labels
from ouro_desktop.ui.history.detail import CodeDialog, RunDetail
from ouro_desktop.ui.history.errors_view import NOT_STARTED_TEXT, TIMED_OUT_TEXT, UNKNOWN_TEXT
from ouro_desktop.ui.history.logs_view import LogsModel
from ouro_desktop.ui.results.json_tree import JsonTreeModel

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "ouro_desktop" / "demo" / "examples"


@dataclass
class Run:
    route: Route
    action: Action
    logs: list[ActionLog] = field(default_factory=list)
    downloaded: Path | None = None


@dataclass
class Demo:
    runs: dict[str, Run]
    cif_id: str
    backend: Any


async def _make_runs(data_dir: Path) -> Demo:
    app = create_app(data_dir / "backend", faults=Faults(time_scale=0.01))
    backend = app.state.backend
    transport = httpx.ASGITransport(app=app)
    async with OuroClient("http://demo.test", api_key=backend.api_key, transport=transport) as c:
        await c.sign_in()
        cif = await c.upload_file(EXAMPLES / "NaCl.cif")

        async def run(slug: str, body: dict[str, Any], *, files: bool = True) -> Run:
            route = await c.get_route(f"demo/{slug}")
            result = await c.execute(
                route,
                body=body,
                input_assets={"file": cif.id} if files else None,
                idempotency_key=str(uuid.uuid4()),
            )
            action = result.action
            for _ in range(1000):
                if action.is_terminal:
                    break
                await asyncio.sleep(0.02)
                action = await c.get_action(action.id)
            logs = (await c.action_logs(action.id)).items
            return Run(route, action, logs)

        runs = {
            "dos": await run("predict-electronic-dos-at-fermi-level", {}),
            "curve": await run("free-electron-dos-curve", {"points": 40, "steps": 4}),
            "supercell": await run("build-supercell", {}),
            "formula_a": await run(
                "formula-properties", {"formula": "H2O", "decimals": 3}, files=False
            ),
            "formula_b": await run(
                "formula-properties", {"formula": "NH3", "decimals": 3}, files=False
            ),
            "bad_formula": await run("formula-properties", {"formula": "Qq2"}, files=False),
        }
        backend.faults.route_failure["formula-properties"] = (503, "The model server is down")
        runs["unavailable"] = await run("formula-properties", {"formula": "CO2"}, files=False)
        backend.faults.route_failure.clear()
        # A run the service never answers: Ouro's own time-out ends it.
        backend.faults.action_timeout_s = 0.05
        backend.faults.time_scale = 100.0
        runs["timed_out"] = await run("free-electron-dos-curve", {"points": 10})
        backend.faults.time_scale = 0.01
        backend.faults.action_timeout_s = 600.0

        supercell = runs["supercell"]
        (file_id,) = supercell.action.output_file_ids
        supercell.downloaded = await c.download_file(file_id, data_dir / "supercell.cif")
        return Demo(runs, cif.id, backend)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return asyncio.run(_make_runs(tmp_path_factory.mktemp("detail")))


@pytest.fixture
def detail(qtbot: Any) -> RunDetail:
    widget = RunDetail()
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    widget.show()
    return widget


def show(detail: RunDetail, run: Run, key: str | None = None, **extra: Any) -> None:
    detail.show_run(
        key or run.action.id,
        route_name=run.route.full_name,
        status=extra.pop("status", run.action.status),
        action=extra.pop("action", run.action),
        record=extra.pop("record", None),
        route=extra.pop("route", run.route),
    )


def _record(**changes: Any) -> RunRecord:
    values: dict[str, Any] = {
        "local_id": "local-1",
        "idempotency_key": "idem-1",
        "route_id": "route-1",
        "service_id": "service-1",
        "route_name": "demo/build-supercell",
        "base_url": "http://demo.test",
        "account": "demo",
        "body": {"na": 2, "nb": 1},
        "query": {},
        "path_params": {},
        "input_assets": {"file": "asset-123"},
        "input_files": {"file": {"name": "Cu.cif", "asset_id": "asset-123"}},
        "state": RunState.NOT_STARTED,
        "started_at": 1_700_000_000.0,
        "updated_at": 1_700_000_000.0,
    }
    values.update(changes)
    return RunRecord(**values)


# -- Response -----------------------------------------------------------------------------------
def test_dos_run_response_tree_shows_the_fermi_energy_and_copies(
    demo: Demo, detail: RunDetail
) -> None:
    run = demo.runs["dos"]
    assert run.action.status == "success"
    show(detail, run)
    assert detail.tab_titles() == ["Response", "Logs", "Request"]  # no charts, files, errors
    assert detail.status_label.text() == "Succeeded"
    assert detail.route_label.text() == "demo/predict-electronic-dos-at-fermi-level"
    assert detail.timing_label.text().startswith("Started ")
    # The result view is the default: the route's own words, rounded, with units.
    answer = detail.answer_view
    assert not answer.showing_json()
    shown = answer.shown_values()
    expected = run.action.response["fermi_energy_eV"]
    assert shown["Fermi energy"] == f"{expected:.4g} eV"
    assert "fermi_energy_eV" not in " ".join(shown)
    fermi = answer.value_label("fermi_energy_eV")
    assert fermi is not None and fermi.isVisible()
    assert f"Exact value: {json.dumps(expected)}" in fermi.toolTip()
    assert fermi.copy_value() == json.dumps(expected)
    assert QGuiApplication.clipboard().text() == json.dumps(expected)
    # The JSON tree is one click away.
    answer.json_button.click()
    assert answer.showing_json() and detail.response_view.isVisible()
    index = detail.response_view.index_of("fermi_energy_eV")
    assert index.isValid()
    model = detail.response_view.model
    value_cell = index.siblingAtColumn(JsonTreeModel.VALUE_COLUMN)
    assert model.data(value_cell) == json.dumps(expected)
    assert not detail.response_view.copy_value_button.isEnabled()
    assert detail.response_view.copy_value() is None  # nothing selected
    detail.response_view.tree.setCurrentIndex(index)
    assert detail.response_view.copy_value_button.isEnabled()
    assert detail.response_view.copy_value() == json.dumps(expected)
    assert QGuiApplication.clipboard().text() == json.dumps(expected)
    assert json.loads(detail.response_view.copy_all()) == run.action.response
    # The method note is a long string: shortened in the cell, whole in the tooltip.
    note = detail.response_view.index_of("method").siblingAtColumn(1)
    assert model.data(note).endswith("…")
    assert model.data(note, Qt.ItemDataRole.ToolTipRole) == run.action.response["method"]


def test_nested_values_expand_on_demand(demo: Demo, detail: RunDetail) -> None:
    run = demo.runs["curve"]
    show(detail, run)
    detail.answer_view.show_json()
    model = detail.response_view.model
    curve = detail.response_view.index_of("curve")
    assert model.data(curve.siblingAtColumn(1)) == "[40 items]"
    assert model.rowCount(curve) == 40
    first = model.index(0, 0, curve)
    assert model.data(first) == "[0]" and model.rowCount(first) == 2
    assert model.data(model.index(0, 0, first), JsonTreeModel.PathRole) == "curve[0].energy_eV"
    assert not model.hasChildren(model.index(0, 0, first))
    assert model.parent(first) == curve.siblingAtColumn(0)
    assert model.parent(curve) == QModelIndex()


# -- Charts and logs ------------------------------------------------------------------------------
def test_dos_curve_run_has_one_chart_with_every_point(
    demo: Demo, detail: RunDetail, qtbot: Any
) -> None:
    run = demo.runs["curve"]
    show(detail, run)
    assert "Charts" in detail.tab_titles()
    assert detail.charts_view.charts() == []  # worked out when the tab is first shown
    detail.select_tab(RunDetail.CHARTS)
    (chart,) = detail.charts_view.charts()
    assert chart.point_count == len(run.action.response["curve"]) == 40
    assert chart.title == "Free-electron DOS of ClNa"
    detail.select_tab(RunDetail.CHARTS)
    qtbot.waitUntil(lambda: detail.charts_view.is_built())
    (plot,) = detail.charts_view.plots
    (segment,) = plot.line_segments(0)  # no gaps: one unbroken line
    points = run.action.response["curve"]
    assert [x for x, _ in segment] == [p["energy_eV"] for p in points]
    assert [y for _, y in segment] == [p["dos_per_eV_per_cell"] for p in points]
    assert plot.axis_labels() == ("Energy (eV)", "DOS (states/eV/cell)")
    assert plot.accessibleName() == "Free-electron DOS of ClNa"
    # Every point lies inside the plot area.
    area = plot.plot_rect().adjusted(-0.5, -0.5, 0.5, 0.5)
    assert all(area.contains(plot.map_to_widget(x, y)) for x, y in segment)
    # The readout names the value under the mouse, and the line under the plot shows it.
    middle = plot.plot_rect().center()
    assert "DOS = " in plot.readout_text(middle)
    # The move is sent to the plot itself: QTest's mouseMove goes through the platform's
    # idea of where the window is, which after some other tests' windows is 40 px off here.
    move = QMouseEvent(
        QEvent.Type.MouseMove,
        middle,
        plot.mapToGlobal(middle),
        Qt.MouseButton.NoButton,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(plot, move)
    (readout,) = detail.charts_view.readouts
    qtbot.waitUntil(lambda: readout.text() == plot.readout_text(middle))


def test_charts_use_the_palette_background(demo: Demo, detail: RunDetail, qtbot: Any) -> None:
    dark = QPalette(detail.palette())
    dark.setColor(QPalette.ColorRole.Base, QColor(30, 30, 34))
    dark.setColor(QPalette.ColorRole.Text, QColor(230, 230, 230))
    detail.setPalette(dark)
    show(detail, demo.runs["curve"])
    detail.select_tab(RunDetail.CHARTS)
    qtbot.waitUntil(lambda: detail.charts_view.is_built())
    (plot,) = detail.charts_view.plots
    assert plot.background_color() == QColor(30, 30, 34)
    assert plot.colors().text == QColor(230, 230, 230)
    image = plot.grab().toImage()
    assert image.pixelColor(1, 1) == QColor(30, 30, 34)
    # A later palette change repaints the plot in the new colours.
    dark.setColor(QPalette.ColorRole.Base, QColor(10, 40, 20))
    detail.setPalette(dark)
    assert plot.grab().toImage().pixelColor(1, 1) == QColor(10, 40, 20)


def test_logs_set_and_append_incrementally(demo: Demo, detail: RunDetail, qtbot: Any) -> None:
    run = demo.runs["curve"]
    show(detail, run)
    assert len(run.logs) >= 5  # started, 4 steps, finished
    detail.set_logs(run.logs[:2])
    view = detail.logs_view
    assert view.model.rowCount() == 2
    detail.append_logs(run.logs[:4], first=0)  # a page read again: seen lines are skipped
    assert view.model.rowCount() == 4
    detail.append_logs(run.logs[4:])
    messages = view.model.messages()
    assert messages == [line.message for line in run.logs]
    assert any(m.startswith("Step 1/4: ClNa DOS computed") for m in messages)
    # Showing the same run again (a status update) keeps the log; another run clears it.
    show(detail, run)
    assert view.model.rowCount() == len(run.logs)
    show(detail, demo.runs["dos"])
    assert view.model.rowCount() == 0


def test_log_levels_stand_out_and_the_view_follows_new_lines(detail: RunDetail, qtbot: Any) -> None:
    def line(i: int, level: str, message: str) -> ActionLog:
        return ActionLog.from_json(
            {
                "id": f"log-{i}",
                "level": level,
                "message": message,
                "created_at": "2025-07-14T12:49:18.24+00:00",
            }
        )

    detail.resize(700, 300)
    detail.select_tab(RunDetail.LOGS)
    detail.set_logs([line(i, "info", f"line {i}") for i in range(200)])
    view = detail.logs_view
    qtbot.waitUntil(lambda: view.list.verticalScrollBar().maximum() > 0)
    assert view.is_at_bottom()
    detail.append_logs([line(200, "warn", "disk nearly full"), line(201, "error", "boom")])
    qtbot.waitUntil(view.is_at_bottom)
    model = view.model
    warning = model.index(200, LogsModel.LEVEL)
    error = model.index(201, LogsModel.MESSAGE)
    assert model.data(warning) == "WARNING" and model.data(error.siblingAtColumn(1)) == "ERROR"
    assert model.data(warning, Qt.ItemDataRole.FontRole).bold()
    assert model.data(warning, Qt.ItemDataRole.DecorationRole) is not None
    assert model.data(model.index(0, 1), Qt.ItemDataRole.FontRole) is None
    background = model.data(error, Qt.ItemDataRole.BackgroundRole).color()
    assert background.rgb() == detail.palette().color(QPalette.ColorRole.Highlight).rgb()
    # Scrolled up to read: new lines do not pull the view down.
    view.list.verticalScrollBar().setValue(0)
    detail.append_logs([line(202, "info", "more")])
    assert view.list.verticalScrollBar().value() == 0
    assert "ERROR    boom" in view.copy_selected()


# -- Outputs -----------------------------------------------------------------------------------
def test_supercell_output_card_opens_saves_and_previews(
    demo: Demo, detail: RunDetail, qtbot: Any
) -> None:
    run = demo.runs["supercell"]
    previews: list[list[str]] = []
    detail.preview_requested.connect(lambda *args: previews.append(list(args)))
    show(detail, run)
    assert "Outputs" in detail.tab_titles()
    detail.select_tab(RunDetail.OUTPUTS)
    (item,) = detail.outputs_view.items()
    (asset_id,) = run.action.output_file_ids
    assert item.asset_id == asset_id and item.is_cif
    assert item.suggested_name == "NaCl_supercell_2x2x2.cif"
    # The card asks for its structure preview once, however many views show it.
    assert previews == [[asset_id, "structure"]]
    card = detail.outputs_view.card(asset_id)
    assert card is not None
    details = card.details_label.text()
    assert details.startswith("crystal structure (CIF)") and "KB" in details.upper()
    assert "chemical/" not in details  # never a MIME type
    with qtbot.waitSignal(detail.download_requested) as blocker:
        card.save_button.click()
    assert blocker.args == [asset_id, "NaCl_supercell_2x2x2.cif"]
    with qtbot.waitSignal(detail.open_requested) as opened:
        card.open_button.click()
    assert opened.args == [asset_id]

    detail.set_download_progress(asset_id, 1024, 4096)
    assert card.progress.isVisible() and card.progress.value() == 250
    assert not card.save_button.isEnabled()
    assert run.downloaded is not None
    detail.set_download_done(asset_id, str(run.downloaded))
    assert not card.progress.isVisible() and card.save_button.isEnabled()
    assert str(run.downloaded) in card.status_label.text()
    detail.show_cif_preview(asset_id, preview_cif(run.downloaded))
    assert card.preview is not None and card.preview.isVisible()
    text = card.preview.preview_text()
    assert "\nNaCl\n" in text and "a = 11.28 Å" in text and "P1" in text
    assert "\n64\n" in text  # atoms in the 2×2×2 cell
    # The result view's card of the same output shows the same preview.
    answer_cards = detail.answer_view.findChildren(type(card))
    assert [c.item.asset_id for c in answer_cards] == [asset_id]
    assert answer_cards[0].preview.preview_text() == text
    # A status update of the same run keeps the download state.
    show(detail, run)
    assert detail.outputs_view.card(asset_id) is card and card.preview.isVisible()
    assert previews == [[asset_id, "structure"]]


# -- Request -------------------------------------------------------------------------------------
def test_request_tab_lists_body_and_input_files(demo: Demo, detail: RunDetail) -> None:
    run = demo.runs["curve"]
    show(detail, run)
    detail.select_tab(RunDetail.REQUEST)
    view = detail.request_view
    assert view.value() == {
        "Body": {"points": 40, "steps": 4},
        "Input files": {"file": {"asset_id": demo.cif_id, "name": "NaCl.cif"}},
    }
    assert view.index_of("Input files.file.name").isValid()
    # Read as the route's page words it; the ids are in the JSON.
    shown = detail.request_answer.shown_values()
    assert shown["Input files › File"] == "NaCl.cif"
    assert not any(demo.cif_id in value for value in shown.values())
    assert "points" not in " ".join(shown) and "Settings › Points" in " ".join(shown)
    # A local run the server has no record of: its inputs come from the ledger.
    record = _record(state=RunState.NOT_STARTED)
    detail.show_run(
        "local-1",
        route_name="demo/build-supercell",
        status="not-started",
        action=None,
        record=record,
        route=None,
    )
    assert detail.request_view.value()["Input files"] == {
        "file": {"name": "Cu.cif", "asset_id": "asset-123"}
    }
    assert detail.request_view.value()["Body"] == {"na": 2, "nb": 1}


# -- Errors ---------------------------------------------------------------------------------------
def test_errored_runs_explain_themselves(demo: Demo, detail: RunDetail) -> None:
    run = demo.runs["unavailable"]
    assert run.action.status == "error"
    show(detail, run)
    assert detail.current_tab() == "Errors"
    assert detail.status_label.text() == "Failed"
    text = detail.errors_text()
    assert "The model server is down" in text
    # The HTTP status is one click away (with Ouro's raw answer), never read first.
    assert "503" not in text and "temporary" in text
    assert detail.error_label.text() == "The model server is down"
    assert detail.errors_view.raw.isVisibleTo(detail)
    assert not detail.errors_view.raw_text.isVisibleTo(detail)
    detail.errors_view.raw.set_expanded(True)
    assert detail.errors_view.raw_text.isVisibleTo(detail)
    raw = detail.errors_view.raw_text.toPlainText()
    assert raw.startswith("The service answered with status 503.")
    assert '"statusCode": 503' in raw

    bad = demo.runs["bad_formula"]
    assert bad.action.status == "error"
    show(detail, bad)
    text = detail.errors_text()
    assert "Unknown element symbol 'Qq'" in text
    assert "temporary" not in text and "422" not in text
    assert "same inputs will likely fail" in text
    assert "status 422" in detail.errors_view.raw_text.toPlainText()


def test_a_timed_out_run_says_nothing_was_charged(demo: Demo, detail: RunDetail) -> None:
    run = demo.runs["timed_out"]
    assert run.action.status == "timed-out"
    show(detail, run)
    assert detail.current_tab() == "Errors" and "Charts" not in detail.tab_titles()
    assert detail.errors_view.headline.text() == TIMED_OUT_TEXT
    assert TIMED_OUT_TEXT == "Ouro stopped waiting for the service; nothing was charged."
    assert detail.status_label.text() == "Timed out"
    assert detail.error_label.text() == TIMED_OUT_TEXT


def test_not_started_and_unknown_local_runs(detail: RunDetail) -> None:
    for status, text in (("not-started", NOT_STARTED_TEXT), ("unknown", UNKNOWN_TEXT)):
        detail.show_run(
            f"local-{status}",
            route_name="demo/build-supercell",
            status=status,
            action=None,
            record=_record(state=RunState(status)),
            route=None,
        )
        assert detail.errors_view.headline.text() == text
        assert detail.current_tab() == "Errors"
        assert detail.rerun_button.isEnabled() and not detail.code_button.isEnabled()
    assert NOT_STARTED_TEXT == (
        "This run never reached Ouro. Nothing ran and nothing was charged — run it again."
    )
    assert UNKNOWN_TEXT == "Checking with Ouro whether this run was received…"


def test_the_tab_the_user_is_on_is_kept_across_updates(demo: Demo, detail: RunDetail) -> None:
    show(detail, demo.runs["curve"])
    detail.select_tab(RunDetail.REQUEST)
    show(detail, demo.runs["curve"])
    assert detail.current_tab() == "Request"
    show(detail, demo.runs["dos"])
    assert detail.current_tab() == "Request"
    detail.select_tab(RunDetail.CHARTS)  # not shown for this run: nothing happens
    assert detail.current_tab() == "Request"
    # The tab the user was on has nothing for the next run: the answer is shown, not a
    # neighbouring tab.
    show(detail, demo.runs["supercell"])
    detail.select_tab(RunDetail.OUTPUTS)
    show(detail, demo.runs["dos"])
    assert detail.current_tab() == "Response"
    detail.clear()
    assert detail.tab_titles() == ["Response", "Logs", "Request"]
    assert not detail.rerun_button.isEnabled()


# -- Re-run and Show code ------------------------------------------------------------------------
def test_rerun_and_show_code_signals_carry_the_run_key(
    demo: Demo, detail: RunDetail, qtbot: Any
) -> None:
    show(detail, demo.runs["curve"], key="run-key-7")
    with qtbot.waitSignal(detail.rerun_requested) as rerun:
        detail.rerun_button.click()
    assert rerun.args == ["run-key-7"]
    with qtbot.waitSignal(detail.show_code_requested) as code:
        detail.code_button.click()
    assert code.args == ["run-key-7"]


def test_show_code_reproduces_the_run(demo: Demo, qtbot: Any) -> None:
    run = demo.runs["curve"]
    inputs = run_inputs(run.action, None)
    code = run_snippet(
        run.route,
        body=inputs.get("body"),
        query=inputs.get("query"),
        path_params=inputs.get("path"),
        input_assets={k: v["asset_id"] for k, v in inputs["files"].items()},
        base_url="http://demo.test",
    )
    compile(code, "<run snippet>", "exec")
    assert demo.cif_id in code and '"points": 40' in code and '"steps": 4' in code
    assert "wait=False" in code and "poll_action" in code
    dialog = CodeDialog(code)
    qtbot.addWidget(dialog)
    assert dialog.editor.isReadOnly() and dialog.text() == code
    fixed = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    assert dialog.editor.font().family() == fixed.family()
    dialog.copy_button.click()
    assert QGuiApplication.clipboard().text() == code


# -- Compare ---------------------------------------------------------------------------------
def _compared(a: Run, b: Run, qtbot: Any) -> CompareDialog:
    sides = [
        CompareSide(run_inputs(run.action, None), run.action.response, label)
        for run, label in ((a, "Run A"), (b, "Run B"))
    ]
    dialog = CompareDialog(("Run A", "Run B"))
    qtbot.addWidget(dialog)
    assert dialog.computing and dialog.cancel_button.isVisibleTo(dialog)
    comparison = compare_runs(sides[0], sides[1], route=a.route)
    lines = response_diff(a.action.response, b.action.response, labels=("Run A", "Run B"))
    dialog.show_comparison(comparison, lines)
    assert not dialog.computing and not dialog.cancel_button.isVisibleTo(dialog)
    return dialog


def test_compare_two_formula_runs(demo: Demo, qtbot: Any) -> None:
    a, b = demo.runs["formula_a"], demo.runs["formula_b"]
    assert a.action.status == b.action.status == "success"
    dialog = _compared(a, b, qtbot)
    assert dialog.differing_keys()[0] == "body.formula"
    model = dialog.model
    formula = dialog.shown_row("Formula")
    assert formula >= 0

    def cell(row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return model.index(row, column).data(role)

    assert cell(formula, model.MARK_COLUMN) == MARK
    assert cell(formula, model.LABEL_COLUMN, Qt.ItemDataRole.FontRole).bold()
    assert (cell(formula, model.A_COLUMN), cell(formula, model.B_COLUMN)) == ("H2O", "NH3")
    decimals = dialog.shown_row("Decimals")
    assert cell(decimals, model.MARK_COLUMN) == ""
    assert cell(decimals, model.LABEL_COLUMN, Qt.ItemDataRole.FontRole) is None
    molar = dialog.shown_row("Molar mass")
    assert cell(molar, model.MARK_COLUMN) == MARK
    assert cell(molar, model.A_COLUMN).endswith(" g/mol")
    assert cell(molar, model.CHANGE_COLUMN).startswith("−") and "g/mol" in cell(
        molar, model.CHANGE_COLUMN
    )
    assert cell(molar, model.PCT_COLUMN).endswith(" %")
    assert "Inputs: 1 of 2 differ." in dialog.summary_label.text()
    # Only the differences, then the JSON diff behind its button.
    dialog.only_differences.setChecked(True)
    assert dialog.shown_row("Decimals") == -1 and dialog.shown_row("Formula") >= 0
    dialog.json_button.click()
    assert dialog.stack.currentWidget() is dialog.diff_view
    lines = dialog.diff_text().splitlines()
    assert lines[:2] == ["--- Run A", "+++ Run B"]
    assert any(line.startswith("-") and '"H2O"' in line for line in lines[2:])
    assert any(line.startswith("+") and '"NH3"' in line for line in lines[2:])


def _compared_answers(qtbot: Any, answers: tuple[Any, Any], labels: tuple[str, str], route: Any):
    """A Compare dialog 980 px wide showing these two answers (as two runs of ``route``)."""
    dialog = CompareDialog(labels)
    qtbot.addWidget(dialog)
    dialog.resize(980, 640)
    dialog.show()
    sides = [CompareSide({}, answer, label) for answer, label in zip(answers, labels, strict=True)]
    dialog.show_comparison(compare_runs(*sides, route=route), [])
    return dialog


def test_compare_leaves_the_note_its_room_and_cut_cells_read_whole_on_hover(qtbot: Any) -> None:
    from tests.core.test_result_view import demo_answer

    route, cu = demo_answer("simulate-powder-xrd-pattern", "NaCl.cif")
    mo = copy.deepcopy(cu)  # as at a shorter wavelength: more peaks, at smaller angles
    mo["peaks"] = copy.deepcopy(cu["peaks"] * 5)
    mo["peaks"][0]["two_theta_deg"] = 12.5
    labels = ("simulate-powder-xrd-pattern 07:30:49", "simulate-powder-xrd-pattern 07:31:23")
    dialog = _compared_answers(qtbot, (cu, mo), labels, route)
    model, table = dialog.model, dialog.table
    peaks = dialog.shown_row("Peaks")
    note = dialog.model.index(peaks, model.NOTE_COLUMN).data()
    assert note == "lists differ from item 1 on"
    font = dialog.model.index(peaks, model.NOTE_COLUMN).data(Qt.ItemDataRole.FontRole)
    shown = table.viewport().width() - table.columnViewportPosition(model.NOTE_COLUMN)
    assert shown >= QFontMetrics(font).horizontalAdvance(note) + 8  # whole, not "lists di…"
    method = dialog.shown_row("Method")
    text = dialog.model.index(method, model.A_COLUMN).data()
    assert table.fontMetrics().horizontalAdvance(text) > table.columnWidth(model.A_COLUMN)
    tip = dialog.model.index(method, model.A_COLUMN).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == f"Exact value: {cu['method']}"
    # two runs of one route: the columns are told apart by their times, the title names it
    a_head = model.headerData(model.A_COLUMN, Qt.Orientation.Horizontal)
    b_head = model.headerData(model.B_COLUMN, Qt.Orientation.Horizontal)
    assert (a_head, b_head) == ("Run at 07:30:49", "Run at 07:31:23")
    assert "simulate-powder-xrd-pattern 07:30:49" in dialog.windowTitle()
    assert min(table.columnWidth(c) for c in (model.A_COLUMN, model.B_COLUMN)) >= NARROWEST
    # the runs' columns gave way, not the labels; a narrower dialog shares its width again,
    # and a wider one gives the columns back
    needed = table.fontMetrics().horizontalAdvance("Strongest peak d-spacing")
    assert table.columnWidth(model.LABEL_COLUMN) > needed
    dialog.resize(640, 640)
    qtbot.waitUntil(lambda: table.columnWidth(model.LABEL_COLUMN) < needed)
    dialog.resize(1300, 640)
    qtbot.waitUntil(lambda: table.columnWidth(model.LABEL_COLUMN) > needed)
    assert table.columnWidth(model.A_COLUMN) > NARROWEST + 40


def test_compare_columns_are_headed_by_what_tells_the_runs_apart() -> None:
    same_route = ("dos 07:30:49", "dos 07:31:23")
    assert short_labels(same_route) == ("Run at 07:30:49", "Run at 07:31:23")
    assert short_labels(("dos 07:30:49", "xrd 07:31:23")) == ("dos 07:30:49", "xrd 07:31:23")
    assert short_labels(("Run A", "Run B")) == ("Run A", "Run B")  # started the same second


def test_compare_identical_runs_says_so(demo: Demo, qtbot: Any) -> None:
    a = demo.runs["formula_a"]
    dialog = _compared(a, a, qtbot)
    assert dialog.differing_keys() == [] and dialog.diff_text() == "(no differences)"
    assert "The results are the same." in dialog.summary_label.text()


# -- No plotting library ------------------------------------------------------------------
def test_showing_a_chart_imports_neither_pyqtgraph_nor_numpy(tmp_path: Path) -> None:
    script = """
import sys
from PySide6.QtWidgets import QApplication
from ouro_desktop.api.models import Action, Route
from ouro_desktop.ui.history.detail import RunDetail
app = QApplication([])
route = Route.from_json({"id": "r", "route": {"response_charts": [
    {"data": "pts", "title": "T", "config": {"type": "line", "category": {"dataKey": "x"},
     "series": [{"dataKey": "y"}]}}]}})
action = Action.from_json({"id": "a", "route_id": "r", "status": "success",
                           "response": {"pts": [{"x": 1, "y": 2}, {"x": 2, "y": 3}]}})
detail = RunDetail()
detail.show()
detail.show_run("a", route_name="r", status="success", action=action, record=None, route=route)
detail.select_tab("Charts")
app.processEvents()
detail.grab()  # paint it
loaded = sorted(m for m in ("pyqtgraph", "numpy") if m in sys.modules)
print("plots", len(detail.charts_view.plots), "loaded", loaded)
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "plots 1 loaded []" in done.stdout


def test_compare_of_two_structures_fits_the_dialog_without_sideways_scrolling(
    qtbot: Any,
) -> None:
    # Seen at 1366×768 comparing the Fermi level of Cu and Al: with no note to show, the
    # empty Note column still took 100 px and the table scrolled sideways to reach it.
    from tests.core.test_result_view import demo_answer

    route, cu = demo_answer("predict-electronic-dos-at-fermi-level", "Cu.cif")
    _route, al = demo_answer("predict-electronic-dos-at-fermi-level", "Al.cif")
    labels = ("predict-electronic-dos-at-fermi-level 04:27:00", "… 04:35:16")
    dialog = _compared_answers(qtbot, (cu, al), labels, route)
    table, model = dialog.table, dialog.model
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() == 0)
    total = sum(table.columnWidth(c) for c in range(model.columnCount()))
    assert total <= table.viewport().width()
    assert dialog.shown_row("Fermi energy") >= 0


def test_compare_headings_of_two_routes_keep_each_runs_time(qtbot: Any) -> None:
    # Two routes' runs compared at 1280×720: the narrow run columns cut their headings at
    # both ends ("structure-report 04:", "ula-properties 04:3"), naming neither run.
    from tests.core.test_result_view import demo_answer

    route, cu = demo_answer("structure-report", "Cu.cif")
    _other, dos = demo_answer("predict-electronic-dos-at-fermi-level", "Cu.cif")
    labels = ("write-structure-report 04:36:44", "formula-properties 04:39:30")
    dialog = _compared_answers(qtbot, (cu, dos), labels, route)
    table, model = dialog.table, dialog.model
    header = table.horizontalHeader()
    for column, label in zip((model.A_COLUMN, model.B_COLUMN), labels, strict=True):
        assert model.headerData(column, Qt.Orientation.Horizontal) == label
        room = table.columnWidth(column) - 12  # the section's margins
        assert header.fontMetrics().horizontalAdvance(label) > room  # it does not fit
        drawn = header.fontMetrics().elidedText(label, header.textElideMode(), room)
        assert header.fontMetrics().horizontalAdvance(drawn) <= room  # not cut off
        assert drawn.endswith(label[-5:]) and drawn[:3] == label[:3]  # both ends kept
