"""Integrity in the whole window (issue 15): the uploaded file is the checked one, a file
changed after its upload is asked about, Run waits for a submission's fate, re-run only
fills the run's own route, quitting does not wait for a hash, and no question to the user
stops runs from being followed."""

from __future__ import annotations

import hashlib
import threading
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QLabel,
    QMessageBox,
)

from ouro_desktop.core import upload_cache, upload_pipeline
from ouro_desktop.demo.faults import InjectedResponse
from ouro_desktop.ui.run.asset_picker import AssetPicker

from .app_harness import EXAMPLES, App

DOS = "demo/predict-electronic-dos-at-fermi-level"
CURVE = "demo/free-electron-dos-curve"  # async: followed by polling
SUPERCELL = "demo/build-supercell"
REPORT = "demo/structure-report"  # paid
CU = (EXAMPLES / "Cu.cif").read_bytes()
AL = (EXAMPLES / "Al.cif").read_bytes()


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    instance = App(qtbot, aio, tmp_path)
    yield instance
    instance.close()


def _zone_text(app: App, key: str = "file") -> str:
    zone = app.window.run_panel.inputs.zone(key)
    return " ".join(label.text() for label in zone.findChildren(QLabel))


def _stored_bytes(app: App, asset_id: str) -> bytes:
    return app.backend.files.blob_of(app.backend.store.asset(asset_id)).read_bytes()  # type: ignore[no-any-return]


# -- item 1: the checked bytes, and a file changed before Run -----------------------------


def test_a_file_changed_after_its_upload_is_asked_about_before_running(
    app: App, tmp_path: Path
) -> None:
    route = app.open(DOS)
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    cu_asset = app.drop("file", path)
    assert _stored_bytes(app, cu_asset) == CU
    asked: list[str] = []
    answers = ["keep"]
    app.runs.ask_changed = lambda _panel, name: asked.append(name) or answers.pop(0)

    path.write_bytes(AL)  # edited after the upload
    record = app.run()
    assert asked == ["structure.cif"]
    assert record.state == "success"
    (action,) = app.actions(route.id)
    assert action["metadata"]["input_assets"] == {"file": {"assetId": cu_asset}}
    assert abs(action["response"]["fermi_energy_eV"] - 7.03) < 0.05  # copper's, as kept

    app.run()  # the same changed version, already decided: not asked again
    assert asked == ["structure.cif"]

    path.write_bytes(CU.replace(b"Cu", b"Ag"))  # changed again: asked again
    answers.append("upload")
    zone = app.window.run_panel.inputs.zone("file")
    count = len(app.finished)
    app.window.run_panel.run_button.click()
    app.aio.wait_until(lambda: len(asked) == 2)
    app.aio.wait_until(lambda: zone.asset_id not in (None, cu_asset))
    assert len(app.finished) == count and len(app.actions(route.id)) == 2  # not run
    assert _stored_bytes(app, str(zone.asset_id)) == path.read_bytes()
    assert "Ag" in _zone_text(app)  # the preview is of the new version


def test_a_file_changed_between_drop_and_upload_is_checked_again(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file became Al after its check (the preview may show either): what is
    uploaded is then checked and previewed afresh, never Cu's card over Al's bytes."""
    app.open(DOS)
    path = tmp_path / "structure.cif"
    path.write_bytes(CU)
    real = upload_pipeline.upload_or_reuse
    state = {"changed": False}

    async def change_first(*args: Any, **kwargs: Any) -> Any:
        if not state["changed"]:
            state["changed"] = True
            path.write_bytes(AL)
        return await real(*args, **kwargs)

    monkeypatch.setattr("ouro_desktop.ui.run.file_staging.upload_or_reuse", change_first)
    asset = app.drop("file", path)
    assert state["changed"]
    assert _stored_bytes(app, asset) == AL
    assert "Al" in _zone_text(app) and "Cu" not in _zone_text(app)


# -- item 6: Run waits for the submission's fate ------------------------------------------


def test_run_stays_off_until_a_lost_answer_is_looked_up(app: App) -> None:
    route = app.open("demo/formula-properties")
    body = app.window.run_panel.form.value().body
    body["formula"] = "NaCl"
    app.window.run_panel.form.set_value(body)
    button = app.window.run_panel.run_button
    seen: list[tuple[str, bool]] = []
    app.runs.run_submitted.connect(lambda r: seen.append((str(r.state), button.isEnabled())))
    app.backend.faults.injected.append(
        InjectedResponse("POST", r".*/use", 502, b"bad gateway", after_processing=True)
    )
    button.click()
    app.aio.wait_until(lambda: seen)
    assert seen == [("unknown", False)]  # "Checking whether Ouro received the run…"
    assert "Checking" in button.text()
    button.click()  # a click meanwhile sends nothing
    app.aio.wait_until(lambda: app.finished, timeout=20)
    app.aio.wait_until(button.isEnabled)
    assert len(app.actions(route.id)) == 1
    assert app.finished[-1].state == "success"


# -- item 10: re-run fills only the run's own route -------------------------------------


def test_rerun_of_a_route_that_cannot_load_fills_no_other_form(app: App) -> None:
    supercell = app.open(SUPERCELL)
    app.drop("file", EXAMPLES / "NaCl.cif")
    record = app.run()
    assert record.state == "success"
    dos = app.open(DOS)
    assert app.window.run_panel.inputs.zone("file").asset_id is None
    app.backend.faults.injected.append(
        InjectedResponse("GET", rf"/routes/{supercell.id}", 404, b'{"error": "gone"}')
    )
    failed: list[str] = []
    app.controller.load_failed.connect(failed.append)
    app.history.rerun_requested.emit(
        supercell.id,
        {"body": {"na": 2}, "files": {"file": {"asset_id": "x", "name": "NaCl.cif"}}},
    )
    app.aio.wait_until(lambda: failed)
    app.aio.run(_settle())
    panel = app.window.run_panel
    assert panel.route is not None and panel.route.id == dos.id
    assert panel.inputs.zone("file").asset_id is None
    assert "filled in" not in panel.status_label.text()


async def _settle() -> None:
    import asyncio

    await asyncio.sleep(0.2)


# -- item 12: quitting does not wait for a hash -------------------------------------------


def test_quitting_stops_the_hash_of_a_big_file(
    app: App, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.cif"
    big.write_bytes(b"# CIF\n" + b"# padding line\n" * (8 * 1024 * 1024 // 15))
    chunks = {"n": 0}
    started, gate, returned = threading.Event(), threading.Event(), threading.Event()

    class SlowHash:
        def __init__(self) -> None:
            self.real = hashlib.sha256()

        def update(self, data: bytes) -> None:
            chunks["n"] += 1
            if chunks["n"] == 3:
                started.set()
                gate.wait(10)  # the user quits while this chunk is being hashed
            self.real.update(data)

        def hexdigest(self) -> str:
            return self.real.hexdigest()

    monkeypatch.setattr(upload_cache, "hashlib", types.SimpleNamespace(sha256=SlowHash))
    monkeypatch.setattr(upload_cache, "CHUNK_BYTES", 64 * 1024)
    real_hash = upload_pipeline.file_sha256

    def hashing(*args: Any, **kwargs: Any) -> str:
        try:
            return real_hash(*args, **kwargs)
        finally:
            returned.set()

    monkeypatch.setattr(upload_pipeline, "file_sha256", hashing)
    app.open(DOS)
    app.window.run_panel.inputs.zone("file").files_dropped.emit("file", [str(big)])
    app.aio.wait_until(started.is_set)
    app.aio.run(app.workspace.aclose())  # the quit path
    gate.set()
    assert returned.wait(10)
    assert chunks["n"] <= 4  # stopped at the next chunk, not after all 128


# -- item 9: no question stops runs from being followed -----------------------------------


def _open_dialog() -> QDialog | None:
    for widget in QApplication.topLevelWidgets():
        if isinstance(widget, QDialog) and widget.isVisible():
            return widget
    return None


def _while_a_dialog_is_open(app: App, ask: Callable[[], None], answer: Callable[[Any], None]):
    """Start a slow run, ask the question, and see the run finish while it is open."""
    app.backend.faults.route_latency["free-electron-dos-curve"] = 1.5
    app.open(CURVE)
    app.drop("file", EXAMPLES / "Na.cif")
    count = len(app.finished)
    app.window.run_panel.run_button.click()
    app.aio.wait_until(lambda: app.runs.tracker is not None and app.runs.tracker.watching)
    seen: dict[str, Any] = {}
    app.runs.run_finished.connect(lambda r: seen.setdefault("open", _open_dialog() is not None))
    # On failure (a dialog that blocks inside a task) nothing async runs while it is up,
    # and qasync may never resume the waiting tasks: Qt timers close the dialog, then
    # stop the loop, so the test fails instead of hanging.
    done = {"flag": False}
    QTimer.singleShot(12_000, lambda: done["flag"] or (_open_dialog() or QDialog()).reject())
    unwedge = QTimer(app.window)
    unwedge.setInterval(1000)
    unwedge.timeout.connect(lambda: done["flag"] or app.aio.loop.stop())
    QTimer.singleShot(20_000, unwedge.start)
    ask()
    app.aio.wait_until(lambda: _open_dialog() is not None)
    app.aio.wait_until(lambda: len(app.finished) > count, timeout=15)
    assert seen.get("open") is True  # the run finished while the question was up
    dialog = _open_dialog()
    assert dialog is not None
    answer(dialog)
    app.aio.wait_until(lambda: _open_dialog() is None)
    done["flag"] = True


def _click(label: str) -> Callable[[Any], None]:
    def press(box: Any) -> None:
        assert isinstance(box, QMessageBox)
        (button,) = [b for b in box.buttons() if b.text() == label]
        button.click()

    return press


def test_no_question_stops_runs_being_followed(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    app = App(qtbot, aio, tmp_path, real_dialogs=True)
    try:
        app.open(SUPERCELL)
        app.drop("file", EXAMPLES / "NaCl.cif")
        (output,) = app.backend.store.action(app.run().action_id)["output_assets"]
        output_id = output["asset_id"]

        # "Choose from my Ouro files…"
        zone_key = "file"

        def choose_remote() -> None:
            app.window.run_panel.inputs.choose_remote_requested.emit(zone_key)

        def pick_first(dialog: Any) -> None:
            assert isinstance(dialog, AssetPicker)  # the picker of issue 14, never blocking
            app.aio.wait_until(lambda: output_id in dialog.fits)
            dialog.select(output_id)
            dialog.use_button.click()

        _while_a_dialog_is_open(app, choose_remote, pick_first)
        assert app.window.run_panel.inputs.zone(zone_key).asset_id is not None

        # The price of a paid route.
        def run_paid() -> None:
            app.open(REPORT)
            app.drop("file", EXAMPLES / "Cu.cif")
            app.window.run_panel.run_button.click()

        count = len(app.actions(app.open(REPORT).id))
        _while_a_dialog_is_open(app, run_paid, _click("Cancel"))
        assert len(app.actions(app.window.run_panel.route.id)) == count  # type: ignore[union-attr]

        # A file changed after its upload.
        changing = tmp_path / "changing.cif"
        changing.write_bytes(CU)

        def run_changed() -> None:
            app.open(DOS)
            app.drop("file", changing)
            changing.write_bytes(AL)
            app.window.run_panel.run_button.click()

        _while_a_dialog_is_open(app, run_changed, _click("Cancel"))

        # Where to save an output.
        def save() -> None:
            app.window.run_detail.download_requested.emit(output_id, "supercell.cif")

        def cancel_save(dialog: Any) -> None:
            assert isinstance(dialog, QFileDialog)
            dialog.reject()

        _while_a_dialog_is_open(app, save, cancel_save)
    finally:
        app.close()
