"""The history pane in the whole window, against the in-process demo backend."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from .app_harness import EXAMPLES, App


def _row_status(app: App, key: str) -> str | None:
    entry = app.window.history.model.entry_for(key)
    return str(entry.status) if entry else None


def _select(app: App, key: str) -> None:
    app.aio.wait_until(lambda: app.window.history.select_run(key))
    app.aio.wait_until(lambda: app.window.run_detail.key() == key)


def test_sync_and_async_runs_appear_finish_and_show_chart_and_logs(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/predict-electronic-dos-at-fermi-level")
        app.drop("file", EXAMPLES / "Cu.cif")
        sync = app.run()
        assert _row_status(app, sync.action_id) == "success"

        app.open("demo/free-electron-dos-curve")
        app.drop("file", EXAMPLES / "Al.cif")
        curve = app.run()
        assert curve.state == "success"
        key = curve.action_id
        assert _row_status(app, key) == "success"
        _select(app, key)
        detail = app.window.run_detail
        aio.wait_until(lambda: "Charts" in detail.tab_titles())
        detail.select_tab("Logs")
        aio.wait_until(lambda: "Step" in detail.logs_view.model.text())
        action = app.backend.store.action(key)
        assert len(action["response"]["curve"]) == 60
    finally:
        app.close()


def test_output_downloads_byte_identical_and_rerun_reuses_inputs(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        route = app.open("demo/build-supercell")
        asset_id = app.drop("file", EXAMPLES / "NaCl.cif")
        body = app.window.run_panel.form.value().body
        body.update(na=1, nb=1, nc=2)
        app.window.run_panel.form.set_value(body)
        first = app.run()
        key = first.action_id
        _select(app, key)
        action = app.backend.store.action(key)
        output_id = action["output_assets"][0]["asset_id"]
        app.window.run_detail.download_requested.emit(output_id, "supercell.cif")
        aio.wait_until(lambda: app.saved and app.saved[-1].exists())
        blob = app.backend.files.blob_of(app.backend.store.asset(output_id))
        assert app.saved[-1].read_bytes() == blob.read_bytes()

        files_before = len(app.backend.store.assets(asset_types=["file"]))
        app.window.run_detail.rerun_requested.emit(key)
        zone = app.window.run_panel.inputs.zone("file")
        # The route is opened again first (the demo answers from its own thread).
        status = app.window.run_panel.status_label
        aio.wait_until(lambda: "filled in from the earlier run" in status.text())
        aio.wait_until(lambda: zone.asset_id == asset_id)
        assert app.window.run_panel.form.value().body == body
        second = app.run()
        assert second.state == "success"
        actions = app.actions(route.id)
        assert len(actions) == 2
        assert actions[0]["metadata"]["body"] == actions[1]["metadata"]["body"]
        assert actions[0]["metadata"]["input_assets"] == {"file": {"assetId": asset_id}}
        # Nothing uploaded again: only the second run's output file is new.
        assert len(app.backend.store.assets(asset_types=["file"])) == files_before + 1
    finally:
        app.close()


def test_run_survives_closing_the_window(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    app = App(qtbot, aio, tmp_path)
    app.backend.faults.route_latency["free-electron-dos-curve"] = 60.0
    app.open("demo/free-electron-dos-curve")
    app.drop("file", EXAMPLES / "Na.cif")
    app.window.run_panel.run_button.click()
    aio.wait_until(lambda: app.runs.tracker is not None and app.runs.tracker.watching)
    aio.wait_until(lambda: app.ledger.unfinished())
    (pending,) = app.ledger.unfinished()
    app.close()  # the window and its in-process demo backend go away mid-run

    again = App(qtbot, aio, tmp_path)  # same profile: same ledger, same demo data
    try:
        aio.wait_until(
            lambda: (again.ledger.get(pending.local_id) or pending).state == "success", timeout=20
        )
        record = again.ledger.get(pending.local_id)
        assert record is not None and record.action_id
        aio.wait_until(lambda: _row_status(again, record.action_id) == "success")
    finally:
        again.close()


def test_long_run_finishing_in_the_background_notifies(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path, notify_after_s=0.0)
    try:
        app.open("demo/formula-properties")
        body = app.window.run_panel.form.value().body
        body["formula"] = "Fe2O3"
        app.window.run_panel.form.set_value(body)
        # The user switched to another window while the run goes on.
        other = QWidget()
        qtbot.addWidget(other)
        other.show()
        other.activateWindow()
        aio.wait_until(lambda: not app.window.isActiveWindow())
        record = app.run()
        assert app.notifier.sent, "no notification"
        title, message, key = app.notifier.sent[-1]
        assert "formula-properties" in title and key == record.action_id
        app.notifier.run_clicked.emit(key)
        aio.wait_until(lambda: app.window.run_detail.key() == key)
    finally:
        app.close()


def test_failed_and_timed_out_runs_explain_themselves(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/formula-properties")
        body = app.window.run_panel.form.value().body
        body["formula"] = "Xx2"
        app.window.run_panel.form.set_value(body)
        failed = app.run()
        assert failed.state == "error"
        _select(app, failed.action_id)
        aio.wait_until(lambda: "Xx" in app.window.run_detail.errors_text())

        app.backend.faults.action_timeout_s = 0.3
        app.backend.faults.route_latency["formula-properties"] = 30.0
        body["formula"] = "NaCl"
        app.window.run_panel.form.set_value(body)
        timed_out = app.run()
        assert timed_out.state == "timed-out"
        _select(app, timed_out.action_id)
        aio.wait_until(
            lambda: (
                "Ouro stopped waiting for the service; nothing was charged."
                in app.window.run_detail.errors_text()
            )
        )
    finally:
        app.close()


def test_provenance_tab_copies_saves_and_cites_the_run(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/build-supercell")
        app.drop("file", EXAMPLES / "NaCl.cif")
        done = app.run()
        key = done.action_id
        _select(app, key)
        detail = app.window.run_detail
        assert "Provenance" in detail.tab_titles()
        view = detail.provenance_view
        digest = hashlib.sha256((EXAMPLES / "NaCl.cif").read_bytes()).hexdigest()
        aio.wait_until(lambda: digest in view.text())
        assert f"Action id: {key}" in view.text()
        # Saving an output puts its hash in the record.
        output_id = app.backend.store.action(key)["output_assets"][0]["asset_id"]
        detail.download_requested.emit(output_id, "supercell.cif")
        aio.wait_until(lambda: "Output file: supercell.cif · SHA-256" in view.text())
        saved = app.saved[-1]
        assert hashlib.sha256(saved.read_bytes()).hexdigest() in view.text()

        view.copy_button.click()
        assert QGuiApplication.clipboard().text() == view.text()
        view.cite_button.click()
        citation = QGuiApplication.clipboard().text()
        assert citation.startswith("Results were computed with the Ouro route")
        assert key in citation
        view.save_button.click()
        aio.wait_until(lambda: app.saved[-1].name.startswith("provenance-"))
        aio.wait_until(lambda: app.saved[-1].exists())
        data = json.loads(app.saved[-1].read_text())
        assert data["run"]["action_id"] == key
        assert data["inputs"]["files"][0]["sha256"] == digest
        assert data["outputs"][0]["sha256"] == hashlib.sha256(saved.read_bytes()).hexdigest()
    finally:
        app.close()
