"""Nothing typed is lost: forms and chosen files come back on the next visit and after a
restart; Clear form and Reset to defaults can be undone; a re-run's inputs win."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from .app_harness import EXAMPLES, App

FORMULA = "demo/formula-properties"
DOS = "demo/predict-electronic-dos-at-fermi-level"


def _formula_field(app: App) -> QLineEdit:
    target = app.window.run_panel.form.slots()["formula"].editor.focus_target()
    assert isinstance(target, QLineEdit)
    return target


def test_a_typed_value_and_a_file_come_back_after_switching_and_restarting(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(FORMULA)
        qtbot.keyClicks(_formula_field(app), "H2O")
        app.open(DOS)
        asset_id = app.drop("file", EXAMPLES / "NaCl.cif")
        app.open(FORMULA)
        assert _formula_field(app).text() == "H2O"
        assert "from last time" in app.window.run_panel.status_label.text()
        app.open(DOS)
        zone = app.window.run_panel.inputs.zone("file")
        assert zone.asset_id == asset_id and zone.card.name_label.text() == "NaCl.cif"
    finally:
        app.close()

    again = App(qtbot, aio, tmp_path)  # a restart on the same profile
    try:
        again.open(FORMULA)
        assert _formula_field(again).text() == "H2O"
        assert again.window.run_panel.form.value().body["formula"] == "H2O"
        status = again.window.run_panel.status_label
        assert "from last time" in status.text()
        qtbot.keyClicks(_formula_field(again), "2")  # H2O2: the notice has said its piece
        assert status.text() == ""
        again.open(DOS)
        zone = again.window.run_panel.inputs.zone("file")
        assert zone.asset_id == asset_id and zone.card.name_label.text() == "NaCl.cif"
        record = again.run()  # the kept file is used as it is: nothing uploaded again
        assert record.state == "success"
        (action,) = again.actions(record.route_id)
        assert action["metadata"]["input_assets"] == {"file": {"assetId": asset_id}}
        assert len(again.backend.store.assets(asset_types=["file"])) == 1
    finally:
        again.close()


def test_clear_form_and_reset_to_defaults_can_be_undone(app_for: Any) -> None:
    app: App = app_for
    app.open(FORMULA)
    panel = app.window.run_panel
    form = panel.form
    body = form.value().body
    body.update(formula="NaCl", decimals=3)
    form.set_value(body)
    panel.clear_button.click()
    assert form.value().body["formula"] == "" and form.value().body["decimals"] == 4
    assert panel.undo_bar.isVisible() and "cleared" in panel.undo_bar.text()
    panel.undo_bar.button.click()
    assert form.value().body == body and not panel.undo_bar.isVisible()

    form.reset_button.click()
    assert form.value().body["decimals"] == 4
    assert form.undo_bar.isVisible()
    form.undo_bar.button.click()
    assert form.value().body == body
    # An Undo lasts until the next change: editing afterwards withdraws it.
    form.reset_button.click()
    _formula_field(app).setText("KCl")
    assert not form.undo_bar.isVisible()

    app.open(DOS)
    zone = panel.inputs.zone("file")
    asset_id = app.drop("file", EXAMPLES / "Cu.cif")
    panel.clear_button.click()
    assert zone.asset_id is None and not zone.holds_file
    panel.undo_bar.button.click()
    assert zone.asset_id == asset_id
    # A cleared form is not brought back next time.
    panel.clear_button.click()
    app.open(FORMULA)
    app.open(DOS)
    assert panel.inputs.zone("file").asset_id is None


def test_a_rerun_fills_the_runs_inputs_over_the_remembered_form(app_for: Any) -> None:
    app: App = app_for
    app.open(DOS)
    cu = app.drop("file", EXAMPLES / "Cu.cif")
    first = app.run()
    zone = app.window.run_panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(EXAMPLES / "NaCl.cif")])
    app.aio.wait_until(lambda: zone.asset_id not in (None, cu))
    nacl = zone.asset_id  # the form now remembers NaCl
    app.open(FORMULA)
    app.window.run_detail.rerun_requested.emit(first.action_id)
    app.window.history.select_run(first.action_id)
    zone_of = lambda: app.window.run_panel.inputs.zone("file")  # noqa: E731
    app.aio.wait_until(lambda: app.window.run_panel.route.slug.startswith("predict"))
    app.aio.wait_until(lambda: zone_of().asset_id == cu)
    assert cu != nacl
    assert "earlier run" in app.window.run_panel.status_label.text()


def test_leaving_a_route_while_its_file_is_checked_is_safe(app_for: Any) -> None:
    import asyncio

    app: App = app_for
    app.open(DOS)
    zone = app.window.run_panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(EXAMPLES / "Cu.cif")])
    app.open(FORMULA)  # its zone goes while the check and upload are under way
    app.aio.run(asyncio.sleep(0.5))
    assert app.window.run_panel.route.slug == "formula-properties"


def test_what_was_typed_before_a_rerun_comes_back_with_undo(app_for: Any) -> None:
    # A formula typed but not run yet was replaced for good by Re-run of an older run:
    # Clear form can be undone, filling in an earlier run could not.
    app: App = app_for
    app.open(FORMULA)
    field = _formula_field(app)
    QTest.keyClicks(field, "Fe2O3")
    first = app.run()
    field.selectAll()
    QTest.keyClicks(field, "CuSO4·5H2O")  # the next sample, typed, not run yet
    panel = app.window.run_panel
    app.window.run_detail.rerun_requested.emit(first.action_id)
    app.aio.wait_until(lambda: "earlier run" in panel.status_label.text())
    assert panel.form.value().body["formula"] == "Fe2O3"
    assert panel.undo_bar.offered
    panel.undo_bar.button.click()
    assert panel.form.value().body["formula"] == "CuSO4·5H2O"
    assert _formula_field(app).text() == "CuSO4·5H2O"
    assert "earlier run" not in panel.status_label.text()
    app.open(DOS)
    app.open(FORMULA)  # and it is what the route remembers
    assert _formula_field(app).text() == "CuSO4·5H2O"


def test_a_rerun_over_the_same_inputs_offers_no_undo(app_for: Any) -> None:
    app: App = app_for
    app.open(FORMULA)
    QTest.keyClicks(_formula_field(app), "NaCl")
    first = app.run()
    panel = app.window.run_panel
    app.window.run_detail.rerun_requested.emit(first.action_id)
    app.aio.wait_until(lambda: "earlier run" in panel.status_label.text())
    assert not panel.undo_bar.offered  # nothing was replaced
