"""A folder batch in the whole window, against the in-process demo: the plan, the table of
Fermi energies with its CSV, a provenance record per run, a paid batch's one confirmation,
and quitting halfway."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, QUrl

from ouro_desktop.core.batch_store import BatchState
from ouro_desktop.ui.run.form.drop_zone import ZoneState

from .app_harness import EXAMPLES, App
from .test_drop_zone import drop, mime_with

DOS = "demo/predict-electronic-dos-at-fermi-level"
XRD = "demo/simulate-powder-xrd-pattern"


def cif_folder(folder: Path, names: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, name in enumerate(names):
        (folder / f"{i}-{name}").write_text((EXAMPLES / name).read_text() + f"\n# {i}\n")
    return folder


def _drop_folder(app: App, folder: Path) -> Any:
    zone = app.window.run_panel.inputs.zone("file")
    assert zone.is_batch([str(folder)]) and zone.refusal_for([str(folder)]) is None
    zone.batch_dropped.emit("file", [str(folder)])
    app.aio.wait_until(lambda: app.batches.plan_dialog is not None)
    dialog = app.batches.plan_dialog
    app.aio.wait_until(dialog.isVisible)
    return dialog


def _state(app: App) -> BatchState | None:
    batch = app.batches.batch
    return None if batch is None else app.batches.store.get(batch.batch_id).state  # type: ignore[union-attr]


def test_folder_on_the_dos_route_gives_a_table_of_fermi_energies_csv_and_provenance(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif", "Na.cif", "NaCl.cif"])
        (folder / "readme.txt").write_text("notes")
        dialog = _drop_folder(app, folder)
        assert "on 4 files" in dialog.heading.text()
        assert "(input “File”)" in dialog.heading.text()  # the form's title, not its key
        assert "1 skipped" in dialog.skipped_label.text()
        assert "“readme.txt”" in dialog.skipped_view.toPlainText()
        assert dialog.price_label.text() == "Free" and not dialog.agree.isVisible()
        assert dialog.start_button.isEnabled()
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        app.batches.flush()
        view = app.batches.view
        assert view.isVisible()
        model = view.model
        headers = model.headers()
        assert "Fermi energy (eV)" in headers
        col = headers.index("Fermi energy (eV)")
        # A long header is read whole, on two lines, not cut at the column's edge.
        valence = headers.index("Valence electrons in the cell")
        shown = model.headerData(valence, Qt.Orientation.Horizontal)
        assert shown.replace("\n", " ") == "Valence electrons in the cell" and "\n" in shown
        metrics = view.table.fontMetrics()
        # The files name the rows (row headers stay in view when the table scrolls right).
        assert view.table.isColumnHidden(0)
        names = [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())]
        assert names == [model.data(model.index(r, 0)) for r in range(model.rowCount())]
        for column, header in enumerate(headers[:-1]):
            if column == 0:
                continue
            lines = str(model.headerData(column, Qt.Orientation.Horizontal)).split("\n")
            widest = max(metrics.horizontalAdvance(line) for line in lines)
            assert view.table.horizontalHeader().sectionSize(column) >= widest, header
        rows = app.batches.rows()
        assert [r.status for r in rows] == ["Done"] * 4
        batch_id = app.batches.batch.batch_id  # type: ignore[union-attr]
        runs = app.batches.store.runs(batch_id)
        for position, run in runs.items():
            shown = model.data(model.index(position, col))
            exact = run.result_summary["fermi_energy_eV"]
            assert abs(float(shown) - exact) / exact < 1e-3  # rounded for reading
            path = Path(app.batches.store.items(batch_id)[position].path)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
            assert run.provenance["files"]["file"]["sha256"] == digest  # type: ignore[index]
        assert "Finished · 4 of 4 done" in view.counts_label.text()

        view.export_button.click()
        table = list(csv.reader(io.StringIO(app.saved[-1].read_text())))
        assert table[0][:2] == ["File", "Status"] and "Fermi energy (eV)" in table[0]
        assert len(table) == 5
        fermi = table[0].index("Fermi energy (eV)")
        by_file = {row[0]: float(row[fermi]) for row in table[1:]}
        for position, run in runs.items():
            name = rows[position].name
            assert by_file[name] == run.result_summary["fermi_energy_eV"]  # exact in the CSV

        view.provenance_button.click()
        aio.wait_until(lambda: app.saved[-1].suffix == ".json" and app.saved[-1].exists())
        record = json.loads(app.saved[-1].read_text())
        assert len(record["files"]) == 4
        assert all(f["run"]["run"]["state"] == "success" for f in record["files"])

        # Each file's run is an ordinary run in the history, with its Provenance tab.
        run = runs[0]
        aio.wait_until(lambda: app.window.history.select_run(run.action_id))
        aio.wait_until(lambda: app.window.run_detail.key() == run.action_id)
        aio.wait_until(lambda: "0-Al.cif" in app.window.run_detail.provenance_view.text())
    finally:
        app.close()


def test_a_paid_batch_starts_only_once_its_total_is_agreed(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        route = app.open("demo/structure-report")
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif", "Si.cif"])
        dialog = _drop_folder(app, folder)
        assert route.is_paid
        assert "in all (3 runs at" in dialog.price_label.text()
        assert dialog.agree.isVisible() and not dialog.start_button.isEnabled()
        dialog.start_button.click()  # disabled: nothing happens
        assert app.batches.batch is None and app.ledger.count() == 0
        dialog.agree.setChecked(True)
        assert dialog.start_button.isEnabled()
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        assert app.confirmations == []  # one agreement for the batch, not one per run
        runs = app.batches.store.runs(app.batches.batch.batch_id)  # type: ignore[union-attr]
        assert len(runs) == 3
        assert {r.price_shown for r in runs.values()} == {dialog.plan.price_text()}
    finally:
        app.close()


def test_quitting_halfway_loses_nothing(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    app = App(qtbot, aio, tmp_path)
    app.backend.faults.time_scale = 1.0
    app.backend.faults.route_latency["predict-electronic-dos-at-fermi-level"] = 0.4
    app.open(DOS)
    names = ["Al.cif", "Cu.cif", "Na.cif", "NaCl.cif", "Al.cif", "Cu.cif"]
    folder = cif_folder(tmp_path / "cifs", names)
    dialog = _drop_folder(app, folder)
    dialog.concurrency.setValue(2)
    dialog.start_button.click()
    aio.wait_until(lambda: app.batches.batch is not None)
    batch_id = app.batches.batch.batch_id  # type: ignore[union-attr]
    aio.wait_until(lambda: len(app.batches.store.runs(batch_id)) >= 2)
    assert len(app.batches.store.runs(batch_id)) < 6
    app.close()  # quit halfway: the demo backend and the window go away

    again = App(qtbot, aio, tmp_path)  # same profile: same ledger, same demo data
    try:
        again.backend.faults.time_scale = 1.0
        aio.wait_until(lambda: again.batches.batch is not None, timeout=20)
        assert again.batches.batch.batch_id == batch_id  # type: ignore[union-attr]
        aio.wait_until(lambda: _state(again) is BatchState.DONE, timeout=40)
        store = again.batches.store
        assert store.run_counts(batch_id) == dict.fromkeys(range(6), 1)
        runs = store.runs(batch_id)
        assert all(r.state == "success" for r in runs.values())
        actions, _ = again.backend.store.actions()
        assert sorted(a["id"] for a in actions) == sorted(r.action_id for r in runs.values())
        again.batches.flush()
        assert [r.status for r in again.batches.rows()] == ["Done"] * 6
    finally:
        again.close()


def test_save_outputs_names_them_after_their_inputs_and_records_their_hashes(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open("demo/build-supercell")
        folder = cif_folder(tmp_path / "cifs", ["NaCl.cif", "Cu.cif"])
        dialog = _drop_folder(app, folder)
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        app.batches.flush()
        view = app.batches.view
        assert view.outputs_button.isEnabled()
        view.outputs_button.click()
        aio.wait_until(lambda: "saved to" in view.notice_label.text(), timeout=20)
        saved_dir = tmp_path / "saved" / "outputs-folder"
        names = sorted(p.name for p in saved_dir.iterdir())
        assert len(names) == 2
        assert names[0].startswith("0-NaCl - ") and names[1].startswith("1-Cu - ")
        batch_id = app.batches.batch.batch_id  # type: ignore[union-attr]
        record = batch_provenance_of(app, batch_id)
        by_file = {f["file"]: f["run"]["outputs"] for f in record["files"]}
        for path in saved_dir.iterdir():
            stem = path.name.split(" - ")[0]
            (output,) = by_file[f"{stem}.cif"]
            assert output["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    finally:
        app.close()


def test_double_click_on_a_file_shows_its_run_in_the_history(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Na.cif"])
        dialog = _drop_folder(app, folder)
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        app.batches.flush()
        row = app.batches.rows()[1]
        app.batches.view.run_activated.emit(row.local_id)
        aio.wait_until(lambda: app.window.run_detail.key() == row.action_id)
        assert "1-Na.cif" in app.window.run_detail.provenance_view.text()
    finally:
        app.close()


def batch_provenance_of(app: App, batch_id: str) -> dict[str, Any]:
    from ouro_desktop.core.batch_outputs import batch_provenance

    return batch_provenance(app.batches.store, batch_id)


def test_several_files_dropped_and_the_buttons_pause_resume_and_cancel_the_rest(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.backend.faults.time_scale = 1.0
        app.backend.faults.route_latency["predict-electronic-dos-at-fermi-level"] = 0.3
        app.open(DOS)
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif", "Na.cif", "Si.cif", "Al.cif"])
        files = sorted(str(p) for p in folder.iterdir())
        zone = app.window.run_panel.inputs.zone("file")
        assert zone.is_batch(files) and zone.refusal_for(files) is None
        zone.batch_dropped.emit("file", files)
        aio.wait_until(lambda: app.batches.plan_dialog is not None)
        dialog = app.batches.plan_dialog
        assert "on 5 files" in dialog.heading.text()
        dialog.concurrency.setValue(1)
        dialog.start_button.click()
        aio.wait_until(lambda: app.batches.batch is not None)
        view = app.batches.view
        batch_id = app.batches.batch.batch_id  # type: ignore[union-attr]
        store = app.batches.store
        aio.wait_until(view.pause_button.isEnabled)
        view.pause_button.click()
        aio.wait_until(lambda: view.counts_label.text().startswith("Paused"))
        assert view.resume_button.isEnabled()
        runner = app.batches.runner
        assert runner is not None

        def settled() -> bool:  # a file already on its way when paused still goes
            on_way = any(runner.phase(batch_id, p) for p in range(5))
            return not on_way and store.unfinished_runs(batch_id) == 0

        aio.wait_until(settled, timeout=10)
        sent = len(store.runs(batch_id))
        aio.run(asyncio.sleep(0.8))
        assert len(store.runs(batch_id)) == sent < 5  # nothing sent while paused
        view.resume_button.click()
        aio.wait_until(lambda: len(store.runs(batch_id)) > sent, timeout=10)
        view.cancel_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.CANCELLED)
        aio.wait_until(lambda: store.unfinished_runs(batch_id) == 0, timeout=10)
        app.batches.flush()
        statuses = [r.status for r in app.batches.rows()]
        assert "Cancelled" in statuses and "Done" in statuses
        assert set(statuses) <= {"Done", "Cancelled"}
        assert statuses.count("Done") == len(store.runs(batch_id))
        assert not view.retry_button.isEnabled()  # nothing failed
        assert "cancelled" in view.counts_label.text()
    finally:
        app.close()


def test_the_plan_names_the_settings_by_their_titles(qtbot: Any, aio: Any, tmp_path: Path) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(XRD)
        dialog = _drop_folder(app, cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif"]))
        settings = dialog.settings_view.text()
        assert "Wavelength (Å): 1.5406" in settings
        assert "wavelength_A" not in settings and "two_theta" not in settings
        assert "(input “File”)" in dialog.heading.text()
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        app.batches.flush()
        view = app.batches.view
        model, metrics = view.model, view.table.fontMetrics()
        group = model.headers().index("Space group")
        for row in range(model.rowCount()):
            text = str(model.data(model.index(row, group)))
            assert text.startswith(("Fm-3m", "Im-3m", "Fd-3m"))  # the whole value, not cut
            assert view.table.horizontalHeader().sectionSize(group) >= metrics.horizontalAdvance(
                text
            )
    finally:
        app.close()


def test_the_save_dialogs_say_what_they_save(monkeypatch: Any) -> None:
    from PySide6.QtWidgets import QFileDialog

    from ouro_desktop.ui.batch import batch_controller

    asked: list[tuple[str, str, str]] = []

    def fake(_parent: Any, caption: str, suggested: str, kinds: str) -> tuple[str, str]:
        asked.append((caption, suggested, kinds))
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", fake)
    assert batch_controller._ask_save_path(None, "dos-batch.csv") is None  # type: ignore[arg-type]
    batch_controller._ask_save_path(None, "dos-batch-provenance.json")  # type: ignore[arg-type]
    assert asked[0][0] == "Export the table as CSV" and asked[0][2].startswith("CSV table")
    assert asked[1][0] == "Save the provenance of every run" and "(*.json)" in asked[1][2]


def _drop_on_window(app: App, items: list[Path]) -> None:
    """A real drag and drop on the main window (not on a file input): its filter takes it."""
    assert drop(app.window, mime_with(urls=[QUrl.fromLocalFile(str(p)) for p in items]))


def test_a_folder_dropped_on_the_window_opens_the_plan_of_the_one_file_input(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif", "Na.cif"])
        _drop_on_window(app, [folder])
        aio.wait_until(lambda: app.batches.plan_dialog is not None)
        dialog = app.batches.plan_dialog
        aio.wait_until(dialog.isVisible)
        assert "on 3 files" in dialog.heading.text()
        assert "(input “File”)" in dialog.heading.text()
        assert app.window.run_panel.inputs.zone("file").state is ZoneState.EMPTY
        dialog.reject()
    finally:
        app.close()


def _two_inputs_service() -> Any:
    from ouro_desktop.demo.services import DemoService, merge_documents
    from ouro_desktop.demo.services.spec import document, field, post_operation, response_model

    async def handler(_call: Any) -> dict[str, Any]:
        return {"atoms": 1}

    declared = {
        key: {"asset_type": "file", "primary": key == "structure", "file_extensions": ["cif"]}
        for key in ("structure", "reference")
    }
    schemas = {
        "Req": {"type": "object", "title": "Req", "properties": {}},
        "Res": response_model("Res", "Atoms.", {"atoms": field("integer", "Atoms", "Atoms.")}),
    }
    op = post_operation(
        summary="Compare two structures",
        description="Takes two CIFs.",
        operation_id="compare_two",
        request_model="Req",
        response_model="Res",
        extensions={"x-ouro-execution-mode": "sync", "x-ouro-input-assets": declared},
    )
    doc = document(title="Two", description="Two", path="/test/two", operation=op, schemas=schemas)
    return DemoService(
        key="demo-test-two",
        name="Two inputs",
        description="A route with two file inputs.",
        base_url="demo://test-two",
        openapi=merge_documents("Two", "Two", [doc]),
        handlers={("POST", "/test/two"): handler},
        route_names={("POST", "/test/two"): "compare-two"},
    )


def test_a_folder_dropped_on_the_window_of_a_two_file_route_says_where_to_drop_it(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path, services=[_two_inputs_service()])
    try:
        app.open("demo/compare-two")
        folder = cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif"])
        _drop_on_window(app, [folder])
        panel = app.window.run_panel
        aio.wait_until(lambda: "drop the folder on" in panel.problem("drop"))
        text = panel.problem("drop")
        assert "takes 2 files" in text and "“Structure”" in text and "“Reference”" in text
        assert app.batches.plan_dialog is None
    finally:
        app.close()


def test_many_changes_in_one_turn_reach_the_table_coalesced_a_few_rows_a_turn(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    """Thirty files changing in one turn of the loop: nothing is repainted then; the
    table gets one dataChanged range per turn afterwards, of at most ROWS_PER_TURN rows
    (each finished row is read through the result view), and ends right."""
    from ouro_desktop.ui.batch.batch_controller import ROWS_PER_TURN

    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        names = ["Al.cif", "Cu.cif", "Na.cif", "NaCl.cif", "Si.cif"] * 6
        dialog = _drop_folder(app, cif_folder(tmp_path / "cifs", names))
        dialog.concurrency.setValue(16)
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=60)
        batches = app.batches
        batches.flush()
        model = batches.view.model
        before = [(r.status, r.values) for r in batches.rows()]
        assert len(before) == 30 and {s for s, _v in before} == {"Done"}
        spans: list[tuple[int, int]] = []
        model.dataChanged.connect(lambda a, b, _r=(): spans.append((a.row(), b.row())))
        # What the runner reports as the runs change: three calls in one turn.
        batch_id = batches.batch.batch_id  # type: ignore[union-attr]
        for chunk in (range(0, 10), range(10, 20), range(20, 30)):
            batches._on_runner_change(batch_id, list(chunk))  # noqa: SLF001
        assert spans == []  # coalesced: nothing yet
        aio.wait_until(lambda: sum(b - a + 1 for a, b in spans) >= 30)
        assert len(spans) == -(-30 // ROWS_PER_TURN)  # one range a turn
        assert all(b - a + 1 <= ROWS_PER_TURN for a, b in spans)
        assert [(r.status, r.values) for r in batches.rows()] == before
    finally:
        app.close()


def test_the_plan_has_no_blank_gap_its_text_is_as_tall_as_it_needs(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    """Sized from its size hint (worked out for a narrower dialog), the wrapped labels got
    more lines' height than their text took: a blank gap under the heading and under "No
    file skipped."."""
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        for folder, skipped in (
            (cif_folder(tmp_path / "a", ["Al.cif", "Cu.cif"]), False),
            (cif_folder(tmp_path / "b", ["Na.cif"]), True),
        ):
            if skipped:
                (folder / "notes.txt").write_text("notes")
            dialog = _drop_folder(app, folder)
            aio.wait_until(lambda d=dialog: d.isVisible())
            labels = [
                dialog.heading,
                dialog.skipped_label,
                dialog.settings_view,
                dialog.price_label,
                dialog.estimate_label,
            ]
            for label in labels:
                assert label.height() == label.heightForWidth(label.width()), label.text()
            assert dialog.skipped_view.isVisible() is skipped
            assert not dialog.agree.isVisible()  # free: no row for it
            dialog.reject()
            app.batches.plan_dialog = None
    finally:
        app.close()


def test_the_end_of_a_batch_refreshes_the_route_facts_not_the_whole_page(
    qtbot: Any, aio: Any, tmp_path: Path
) -> None:
    app = App(qtbot, aio, tmp_path)
    try:
        app.open(DOS)
        page = app.window.route_page
        assert "no runs yet" in page.facts_label.text()
        rebuilt: list[object] = []
        real = page.api_panel.set_snippets
        page.api_panel.set_snippets = lambda s: (rebuilt.append(s), real(s))  # type: ignore[method-assign]
        dialog = _drop_folder(app, cif_folder(tmp_path / "cifs", ["Al.cif", "Cu.cif"]))
        dialog.start_button.click()
        aio.wait_until(lambda: _state(app) is BatchState.DONE, timeout=30)
        # The expected duration now counts the batch's runs; the page was not rebuilt.
        aio.wait_until(lambda: "no runs yet" not in page.facts_label.text())
        assert rebuilt == []
        assert page.route is not None and page.route.metrics
    finally:
        app.close()
