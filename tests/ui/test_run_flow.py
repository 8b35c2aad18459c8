"""Running routes from the window, against the in-process demo backend.

Assertions are on what the backend received (the stored action's body and input assets,
the stored files), not only on what the widgets show.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QLabel

from .app_harness import EXAMPLES, App


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    instance = App(qtbot, aio, tmp_path)
    yield instance
    instance.close()


def test_dos_route_run_sends_exactly_the_dropped_file(app: App) -> None:
    route = app.open("demo/predict-electronic-dos-at-fermi-level")
    zone = app.window.run_panel.inputs.zone("file")
    asset_id = app.drop("file", EXAMPLES / "Cu.cif")
    shown = " ".join(label.text() for label in zone.findChildren(QLabel))
    assert "Fm-3m" in shown.replace(" ", "") and "Cu" in shown  # the CIF preview
    record = app.run()
    assert record.state == "success"
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"file": {"assetId": asset_id}}
    assert action["metadata"]["body"] == {}
    assert abs(action["response"]["fermi_energy_eV"] - 7.03) < 0.05
    # The answer where the user is looking: a card beside Run, in the route's words.
    card = app.window.run_panel.result_card
    assert card.isVisible() and card.title_label.text() == "Finished"
    values = dict(card.values())
    assert values["Fermi energy"] == "7.031 eV"
    assert "fermi_energy_eV" not in card.text()
    # Run pressed from the keyboard keeps the focus (it had gone to the history's radio)
    run_button = app.window.run_panel.run_button
    run_button.setFocus()
    app.run()
    assert app.window.focusWidget() is run_button


def test_form_body_reaches_the_backend_unchanged(app: App) -> None:
    route = app.open("demo/formula-properties")
    form = app.window.run_panel.form
    body = form.value().body
    body["formula"] = "Ca(OH)2"
    body["decimals"] = 3
    form.set_value(body)
    sent = form.value().body
    record = app.run()
    assert record.state == "success", record.status_detail
    (action,) = app.actions(route.id)
    assert action["metadata"]["body"] == sent
    assert action["metadata"]["input_assets"] == {}


def test_every_runnable_demo_route_runs_from_the_form(app: App) -> None:
    for ref in (
        "demo/predict-electronic-dos-at-fermi-level",
        "demo/free-electron-dos-curve",
        "demo/build-supercell",
        "demo/structure-report",
        "demo/formula-properties",
    ):
        route = app.open(ref)
        if route.input_assets:
            app.drop("file", EXAMPLES / "NaCl.cif")
        else:
            body = app.window.run_panel.form.value().body
            body["formula"] = "NaCl"
            app.window.run_panel.form.set_value(body)
        record = app.run()
        assert record.state == "success", (ref, record.status_detail)
        assert len(app.actions(route.id)) == 1


def test_paid_route_never_runs_without_confirmation(app: App) -> None:
    route = app.open("demo/structure-report")
    assert "$0.05" in app.window.run_panel.price_label.text()
    assert "$0.05" in app.window.run_panel.run_button.text()
    app.drop("file", EXAMPLES / "Cu.cif")
    app.confirm_answer = False
    app.window.run_panel.run_button.click()
    app.aio.wait_until(lambda: app.confirmations)
    assert app.actions(route.id) == []
    assert "not confirmed" in app.window.run_panel.status_label.text()
    app.confirm_answer = True
    record = app.run()
    assert record.state == "success"
    assert record.price_shown and "$0.05" in record.price_shown
    assert len(app.actions(route.id)) == 1
    assert app.confirmations == ["demo/structure-report", "demo/structure-report"]


def test_double_click_submits_once(app: App) -> None:
    route = app.open("demo/formula-properties")
    body = app.window.run_panel.form.value().body
    body["formula"] = "SiO2"
    app.window.run_panel.form.set_value(body)
    button = app.window.run_panel.run_button
    button.click()
    button.click()
    app.window.run_panel.run_requested.emit()
    app.aio.wait_until(lambda: app.finished, timeout=20)
    app.aio.run(_settle())
    assert len(app.actions(route.id)) == 1


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(0.3)


def test_same_file_is_reused_not_uploaded_again(app: App, tmp_path: Path) -> None:
    app.open("demo/predict-electronic-dos-at-fermi-level")
    first = app.drop("file", EXAMPLES / "Cu.cif")
    copy = tmp_path / "copper-again.cif"
    shutil.copy(EXAMPLES / "Cu.cif", copy)
    app.open("demo/build-supercell")
    second = app.drop("file", copy)
    assert second == first
    assert app.backend.store.object(first) is not None
    files = app.backend.store.assets(asset_types=["file"])
    assert len(files) == 1


def test_rejected_drop_uploads_nothing(app: App, tmp_path: Path) -> None:
    app.open("demo/predict-electronic-dos-at-fermi-level")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a structure")
    zone = app.window.run_panel.inputs.zone("file")
    zone.files_dropped.emit("file", [str(notes)])
    app.aio.wait_until(lambda: zone.state == "rejected")
    assert app.backend.store.assets(asset_types=["file"]) == []
    app.window.run_panel.run_button.click()
    app.aio.run(_settle())
    assert "Add a .cif file" in app.window.run_panel.error_banner.label.text()


def test_drop_on_browser_lists_routes_that_accept_the_file(app: App) -> None:
    app.window.browser_drops.files_dropped.emit([str(EXAMPLES / "Cu.cif")])
    model = app.window.browser.model
    app.aio.wait_until(lambda: "accept" in app.window.browser.caption_label.text())
    names = {model.route_at(i).slug for i in range(model.rowCount())}
    assert "predict-electronic-dos-at-fermi-level" in names
    assert "formula-properties" not in names
    assert "post-generate" not in names
    # Choosing one puts the file into its form.
    app.open("demo/predict-electronic-dos-at-fermi-level")
    zone = app.window.run_panel.inputs.zone("file")
    app.aio.wait_until(lambda: zone.asset_id is not None)


def test_file_given_at_start_lists_the_routes_that_take_it(app: App) -> None:
    app.controller.start(demo=True, files=[str(EXAMPLES / "Si.cif")])
    caption = app.window.browser.caption_label
    app.aio.wait_until(lambda: "Si.cif" in caption.text())
    slugs = {
        app.window.browser.model.route_at(i).slug
        for i in range(app.window.browser.model.rowCount())
    }
    assert "build-supercell" in slugs and "formula-properties" not in slugs


def test_service_validation_errors_show_at_the_fields(app: App) -> None:
    """A 422 from the service names fields: each message appears at its field."""
    from ouro_desktop.api.models import Action

    route = app.open("demo/formula-properties")
    body = app.window.run_panel.form.value().body
    body["formula"] = "NaCl"
    app.window.run_panel.form.set_value(body)
    record = app.run()
    refused = Action.from_json(
        {
            "id": record.action_id,
            "route_id": route.id,
            "user_id": "u",
            "status": "error",
            "response": {
                "statusCode": 422,
                "error": {
                    "message": "formula: not a formula",
                    "status": 422,
                    "detail": [{"loc": ["body", "formula"], "msg": "not a formula"}],
                },
            },
        }
    )
    app.runs._on_tracker_update(record, refused)
    form = app.window.run_panel.form
    app.aio.wait_until(lambda: "not a formula" in form.field_error("formula"))
