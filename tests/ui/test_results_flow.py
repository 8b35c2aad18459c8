"""Results in the whole window, against the in-process demo backend: outputs shown (a picture
checked pixel by pixel, a structure card, text previews, a sound with Open and Save…), the
new run selected with its answer beside Run, a refusal shown at its field, Compare marking
exactly what changed, and "Show code" uploading the real file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from ouro_desktop.ui.history.compare import MARK, CompareModel
from ouro_desktop.ui.results.outputs_view import OutputCard
from ouro_desktop.ui.results.previews import ImageView, TextView
from ouro_desktop.ui.results.thumbnail import decode_scaled
from tests.output_routes import BLUE, MP3_HEAD, RED, output_services, png_bytes

from .app_harness import EXAMPLES, App


@pytest.fixture
def app(qtbot: Any, aio: Any, tmp_path: Path) -> Any:
    harness = App(qtbot, aio, tmp_path, services=output_services())
    harness.window.resize(1400, 900)
    try:
        yield harness
    finally:
        harness.close()


def _run_selected(app: App) -> Any:
    """Run the open route; the new run must be the selected one, its detail showing it."""
    record = app.run()
    key = record.action_id
    app.aio.wait_until(lambda: app.window.history.selected_keys() == [key])
    app.aio.wait_until(lambda: app.window.run_detail.key() == key)
    detail = app.window.run_detail
    app.aio.wait_until(lambda: detail.answer_view.view() is not None)
    return record


def _card(app: App, name: str) -> OutputCard:
    cards = app.window.run_detail.answer_view.findChildren(OutputCard)
    return next(card for card in cards if card.item.name == name)


def _close(color: QColor, rgb: tuple[int, int, int], slack: int = 12) -> bool:
    return all(abs(a - b) <= slack for a, b in zip(color.getRgb()[:3], rgb, strict=True))


def test_after_run_the_new_run_is_selected_and_the_card_shows_its_values(app: App) -> None:
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", EXAMPLES / "Cu.cif")
    first = _run_selected(app)
    card = app.window.run_panel.result_card
    assert card.isVisible() and dict(card.values())["Fermi energy"] == "7.031 eV"
    assert "Cell volume" in dict(card.values())
    volume = next(w for w in card.findChildren(QLabel) if w.accessibleName() == "Cell volume")
    assert volume.text() == "47.24 Å³"
    assert volume.toolTip() == "Exact value: 47.241633375000006 Å³"
    shown = app.window.run_detail.answer_view.shown_values()
    assert shown["Fermi energy"] == "7.031 eV"
    # A second run: it becomes the selected one in turn.
    second = _run_selected(app)
    assert second.action_id != first.action_id
    # Ctrl still down from Ctrl+Enter when a quick run ends: still only the new run
    QTest.keyPress(app.window, Qt.Key.Key_Control, Qt.KeyboardModifier.ControlModifier)
    try:
        assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.ControlModifier
        third = _run_selected(app)
    finally:
        QTest.keyRelease(app.window, Qt.Key.Key_Control, Qt.KeyboardModifier.NoModifier)
    assert QGuiApplication.keyboardModifiers() == Qt.KeyboardModifier.NoModifier
    assert app.window.history.selected_keys() == [third.action_id]


def test_the_xrd_picture_is_shown_in_the_app(app: App) -> None:
    app.open("demo/simulate-powder-xrd-pattern")
    app.drop("file", EXAMPLES / "NaCl.cif")
    _run_selected(app)
    # the card under Run: what the run found, not the wavelength and range it was given
    shown = dict(app.window.run_panel.result_card.values())
    assert shown["Strongest peak position"] == "31.7043°" and shown["Number of peaks"] == "9"
    assert "Wavelength" not in shown and "Lowest 2θ" not in shown
    card = _card(app, "NaCl_xrd")
    assert card.details_label.text().startswith("image (SVG)")
    view = card.preview
    assert isinstance(view, ImageView)
    app.aio.wait_until(view.has_image)
    app.aio.wait_until(lambda: view.isVisible() and view.height() > 100)
    image = view.grab().toImage()
    colors = {
        image.pixelColor(x, y).rgb()
        for x in range(0, image.width(), 4)
        for y in (range(0, image.height(), 4))
    }
    dark = [c for c in colors if QColor(c).lightness() < 110]
    assert len(colors) > 10 and dark  # a drawing (axes, bars, text), not a blank box
    corner = image.pixelColor(2, 2)
    assert corner.lightness() > 200  # the pattern's white page
    # The Outputs tab shows the same picture, from the same single fetch.
    app.window.run_detail.select_tab("Outputs")
    outputs = app.window.run_detail.outputs_view
    (item,) = outputs.items()
    assert outputs.card(item.asset_id).preview.has_image()


def test_the_supercell_output_gets_a_structure_card(app: App) -> None:
    app.open("demo/build-supercell")
    app.drop("file", EXAMPLES / "NaCl.cif")
    _run_selected(app)
    card = next(iter(app.window.run_detail.answer_view.findChildren(OutputCard)))
    assert card.details_label.text().startswith("crystal structure (CIF)")
    app.aio.wait_until(lambda: card.preview is not None and card.preview.isVisible())
    text = card.preview.preview_text()  # the same card as an input's: formula, cell, atoms
    assert "\nNaCl\n" in text and "a = 11.28 Å" in text and "P1" in text
    assert "\n64\n" in text


def test_picture_text_json_and_sound_outputs(app: App, tmp_path: Path) -> None:
    app.open("demo/make-outputs")
    record = _run_selected(app)
    # The picture: decoded small and shown; its left half red, its right half blue.
    picture = _card(app, "red and blue")
    assert picture.details_label.text().startswith("image (PNG)")
    view = picture.preview
    assert isinstance(view, ImageView)
    app.aio.wait_until(lambda: view.has_image() and view.isVisible())
    image = view.grab().toImage()
    shown = view.pixmap().size()  # drawn at its own size (400 × 300), from the left
    assert shown == QSize(400, 300) and image.height() == 300
    assert _close(image.pixelColor(shown.width() // 4, 150), RED)
    assert _close(image.pixelColor(3 * shown.width() // 4, 150), BLUE)
    # The text: the first 64 KB of 100 KB, whole lines.
    notes = _card(app, "measurement log")
    assert notes.details_label.text().startswith("text (TXT)")
    app.aio.wait_until(lambda: notes.note_label.isVisible())
    assert isinstance(notes.preview, TextView)
    shown = notes.preview.toPlainText()
    assert shown.startswith("000000 measured 1.2345 eV") and len(shown.encode()) <= 64 * 1024
    assert notes.note_label.text().startswith("The first 6")  # "The first 64 KB of 100 KB."
    data = _card(app, "fit parameters")
    assert data.details_label.text().startswith("data (JSON)")
    app.aio.wait_until(lambda: "bulk_modulus_GPa" in data.preview.toPlainText())
    # The sound: name, kind and size, Open and Save… (no preview, nothing fetched unasked).
    sound = _card(app, "beep")
    assert sound.details_label.text().startswith("audio (MP3)")
    assert sound.preview is None and sound.open_button.isVisible()
    sound.open_button.click()
    app.aio.wait_until(lambda: app.opened)
    assert app.opened[-1].read_bytes() == MP3_HEAD and app.opened[-1].suffix == ".mp3"
    sound.save_button.click()
    app.aio.wait_until(lambda: "Saved to" in sound.status_label.text())
    assert app.saved[-1].name == "beep.mp3" and app.saved[-1].read_bytes() == MP3_HEAD
    # Every output was fetched once, into the profile's cache.
    cached = sorted(p.name for p in (tmp_path / "outputs").rglob("*") if p.is_file())
    assert [n for n in cached if not n.startswith(".")] == sorted(
        ["red and blue.png", "measurement log.txt", "fit parameters.json", "beep.mp3"]
    )
    assert record.state == "success"


def test_a_big_picture_is_never_decoded_whole_here(tmp_path: Path, qapp: Any) -> None:
    source = tmp_path / "big.png"
    source.write_bytes(png_bytes(4000, 2000))  # 8 megapixels: the helper process decodes it
    thumb = tmp_path / ".preview.png"
    decoded = decode_scaled(source, thumb, QSize(800, 600))
    assert thumb.exists()  # the helper's scaled copy, reused next time
    assert decoded.full_size == QSize(4000, 2000)
    assert decoded.image.size() == QSize(800, 400)
    assert _close(decoded.image.pixelColor(100, 200), RED)
    assert _close(decoded.image.pixelColor(700, 200), BLUE)
    small = tmp_path / "small.png"
    small.write_bytes(png_bytes(40, 20))
    assert decode_scaled(small, tmp_path / ".s.png").image.size() == QSize(40, 20)
    assert not (tmp_path / ".s.png").exists()
    assert isinstance(decoded.image, QImage)


def test_a_refusal_naming_a_field_is_shown_at_that_field(app: App) -> None:
    app.open("demo/formula-properties")
    form = app.window.run_panel.form
    body = form.value().body
    body["formula"] = "Xx2"
    form.set_value(body)
    record = app.run()
    assert record.state == "error"
    app.aio.wait_until(lambda: "Unknown element symbol 'Xx'" in form.field_error("formula"))
    card = app.window.run_panel.result_card
    assert card.title_label.text() == "Failed"
    assert "Unknown element symbol 'Xx'" in card.message_label.text()
    assert "Fix the marked field (“Formula”)" in card.message_label.text()
    # the card sits under Run, far below the field: one click goes there
    target = form.slots()["formula"].editor.focus_target()
    app.aio.wait_until(lambda: target.visibleRegion().isEmpty())  # the card was scrolled to
    assert card.go_button.isVisibleTo(card) and card.go_button.text() == "Show “Formula”"
    card.go_button.click()
    assert not target.visibleRegion().isEmpty()
    assert app.window.focusWidget() is target


def test_compare_marks_exactly_the_changed_input_and_the_results_it_moved(app: App) -> None:
    app.open("demo/formula-properties")
    form = app.window.run_panel.form
    body = form.value().body
    body["formula"] = "NaCl"
    form.set_value(body)
    first = app.run()
    body["sample_mass_g"] = 2.0
    form.set_value(body)
    second = app.run()
    dialog = app.compare(first.action_id, second.action_id)
    differing = [(r.section, r.label) for r in dialog.rows() if r.differs]
    # exactly the changed input, and the results that depend on the sample's mass
    assert differing == [
        ("Inputs", "Sample mass"),
        ("Results", "Sample mass"),
        ("Results", "Amount of substance"),
        ("Results", "Formula units"),
        ("Results", "Ideal-gas volume"),
    ]
    model = dialog.model
    row = dialog.shown_row("Amount of substance")
    assert dialog.model.index(row, CompareModel.MARK_COLUMN).data() == MARK
    assert dialog.model.index(row, CompareModel.PCT_COLUMN).data() == "+100 %"
    molar = dialog.shown_row("Molar mass")
    assert dialog.model.index(molar, CompareModel.MARK_COLUMN).data() == ""
    assert model.rowCount() > 10
    dialog.close()


def test_show_code_uploads_the_file_the_run_read(app: App) -> None:
    app.open("demo/predict-electronic-dos-at-fermi-level")
    app.drop("file", EXAMPLES / "Cu.cif")
    record = _run_selected(app)
    stored = app.ledger.get(record.local_id)
    assert stored is not None
    assert stored.input_files["file"]["path"] == str((EXAMPLES / "Cu.cif").resolve())
    app.window.run_detail.code_button.click()
    app.aio.wait_until(lambda: getattr(app.history, "last_dialog", None) is not None)
    code = app.history.last_dialog.text()
    compile(code, "<show code>", "exec")
    assert str((EXAMPLES / "Cu.cif").resolve()) in code
    assert "ouro-desktop-demo-server" in code


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"detail": [{"loc": ["body", "decimals"], "msg": "must be 10 or less"}]}', "decimals"),
        (b'{"error": {"message": "\'sample_mass_g\' must be positive"}}', "sample_mass_g"),
    ],
)
def test_ouro_refusing_a_run_names_the_field(app: App, body: bytes, field: str) -> None:
    from ouro_desktop.demo.faults import InjectedResponse

    route = app.open("demo/formula-properties")
    form = app.window.run_panel.form
    value = form.value().body
    value["formula"] = "NaCl"
    form.set_value(value)
    app.backend.faults.injected.append(
        InjectedResponse("POST", rf"/services/[^/]+/routes/{route.id}/use", 422, body)
    )
    app.window.run_panel.run_button.click()
    app.aio.wait_until(lambda: form.field_error(field))
    assert "Ouro refused the request" in app.window.run_panel.error_banner.label.text()
    assert app.actions(route.id) == []  # nothing ran


def test_compare_can_be_cancelled_while_it_works(app: App, monkeypatch: Any) -> None:
    """Cancel (or closing the dialog) stops the worker; the dialog says so."""
    import threading

    from ouro_desktop.core.run_compare import CompareCancelled
    from ouro_desktop.ui.history import run_tools

    stopped: list[bool] = []

    def slow_compare(a: Any, b: Any, route: Any, stop: threading.Event) -> Any:
        stopped.append(stop.wait(10))  # works until asked to stop
        raise CompareCancelled

    monkeypatch.setattr(run_tools, "_compare_runs", slow_compare)
    app.open("demo/formula-properties")
    form = app.window.run_panel.form
    body = form.value().body
    body["formula"] = "NaCl"
    form.set_value(body)
    keys = [app.run().action_id, app.run().action_id]
    app.window.history.compare_requested.emit(*keys)
    app.aio.wait_until(lambda: getattr(app.history, "last_dialog", None) is not None)
    dialog = app.history.last_dialog
    assert dialog.computing and dialog.progress.isVisible() and dialog.cancel_button.isVisible()
    dialog.cancel_button.click()
    app.aio.wait_until(lambda: not dialog.computing)
    assert stopped == [True]
    assert dialog.summary_label.text() == "The comparison was cancelled."
    assert not dialog.cancel_button.isVisible()
