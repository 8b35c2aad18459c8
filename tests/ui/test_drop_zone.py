"""Drop zones: drag-and-drop events, the state machine, FileInputs, light/dark screenshots."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QColor, QDragEnterEvent, QDragLeaveEvent, QDropEvent, QPalette
from PySide6.QtWidgets import QApplication, QFileDialog, QVBoxLayout, QWidget

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.cif_preview import preview_cif
from ouro_desktop.core.file_checks import check_local_file
from ouro_desktop.ui.run.form.drop_target import name_filters
from ouro_desktop.ui.run.form.drop_zone import DropZone, ZoneState
from ouro_desktop.ui.run.form.file_inputs import FileInputs
from tests.ui.palettes import dark_palette

EXAMPLES = Path(__file__).resolve().parents[2] / "ouro_desktop" / "demo" / "examples"
CU = EXAMPLES / "Cu.cif"
SHOTS = Path(os.environ.get("OURO_SCREENSHOT_DIR", "/tmp"))
CIF = InputDeclaration(
    key="file",
    asset_type="file",
    primary=True,
    file_extensions=("cif",),
    input_filter="atomic structure",
)


def decl(key: str, *exts: str, primary: bool = False) -> InputDeclaration:
    return InputDeclaration(
        key=key, asset_type="file", primary=primary, file_extensions=exts, input_filter=None
    )


def state(zone: DropZone) -> ZoneState:
    return zone.state  # a call, so the type checker doesn't narrow between state changes


def recorder(signal: Any) -> list[tuple[Any, ...]]:
    seen: list[tuple[Any, ...]] = []
    signal.connect(lambda *args: seen.append(args))
    return seen


@pytest.fixture
def zone(qtbot: Any) -> DropZone:
    widget = DropZone(CIF, required=True)
    qtbot.addWidget(widget)
    widget.resize(560, 300)
    widget.show()
    return widget


def mime_with(*, urls: list[QUrl] | None = None, text: str | None = None) -> QMimeData:
    mime = QMimeData()
    if urls is not None:
        mime.setUrls(urls)
    if text is not None:
        mime.setText(text)
    return mime


def drag_enter(widget: QWidget, mime: QMimeData) -> bool:
    event = QDragEnterEvent(
        QPoint(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def drop(widget: QWidget, mime: QMimeData) -> bool:
    """Enter then drop, as a real drag does (Qt delivers a drop to the entered widget)."""
    drag_enter(widget, mime)
    event = QDropEvent(
        QPointF(20, 20),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


# -- drag and drop ------------------------------------------------------------------------
def test_file_drop_emits_the_path(zone: DropZone, tmp_path: Path) -> None:
    seen = recorder(zone.files_dropped)
    odd = tmp_path / 'my "odd"\nname.cif'
    odd.write_bytes(CU.read_bytes())
    mime = mime_with(urls=[QUrl.fromLocalFile(str(odd))])
    assert drag_enter(zone, mime)
    assert zone.drag_active and zone.drag_refusal is None  # highlighted: it would be taken
    assert drop(zone, mime)
    assert not zone.drag_active
    assert seen == [("file", [str(odd)])]


def test_text_drag_is_not_accepted(zone: DropZone) -> None:
    seen = recorder(zone.files_dropped)
    mime = mime_with(text="/etc/passwd")
    assert not drag_enter(zone, mime)
    assert not zone.drag_active
    assert not drop(zone, mime)
    assert seen == []


@pytest.mark.parametrize(
    ("urls", "reason"),
    [
        ([QUrl("https://example.org/Cu.cif")], "web link"),
        ([QUrl.fromLocalFile("/data/photo.png")], "takes .cif"),
        ([QUrl.fromLocalFile(str(CU)), QUrl.fromLocalFile(str(CU))], "one file"),
    ],
)
def test_a_refused_drag_says_why_before_the_drop(
    zone: DropZone, urls: list[QUrl], reason: str
) -> None:
    seen = recorder(zone.files_dropped)
    mime = mime_with(urls=urls)
    assert drag_enter(zone, mime)  # taken by the zone, so the drop lands where it explains
    assert zone.drag_refusal is not None and reason in zone.drag_refusal
    assert zone.drag_label.isVisible() and reason in zone.drag_label.text()
    assert zone.drag_colour() != zone.palette().color(QPalette.ColorRole.Highlight)
    assert drop(zone, mime)
    assert seen == []  # refused here: nothing goes to the controller
    assert state(zone) is ZoneState.REJECTED and reason in zone.message_label.text()


def test_a_refused_drop_keeps_the_uploaded_file(zone: DropZone, tmp_path: Path) -> None:
    nacl = check_local_file(EXAMPLES / "NaCl.cif", CIF)
    zone.show_preview(nacl, None)
    zone.show_uploaded("asset-nacl", "NaCl.cif", reused=False)
    seen = recorder(zone.files_dropped)
    png = tmp_path / "photo.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    assert drop(zone, mime_with(urls=[QUrl.fromLocalFile(str(png))]))
    assert seen == []
    assert state(zone) is ZoneState.UPLOADED and zone.asset_id == "asset-nacl"
    assert zone.card.name_label.text() == "NaCl.cif" and zone.card.isVisible()
    assert "photo.png" in zone.message_label.text()
    assert "“NaCl.cif” is still used" in zone.message_label.text()
    # A refusal found by the full check after the drop (unreadable, binary) keeps it too.
    zone.show_checking("Broken.cif")
    assert state(zone) is ZoneState.UPLOADED and zone.card.isVisible()
    zone.show_rejected("“Broken.cif” doesn't look like a CIF text file.")
    assert state(zone) is ZoneState.UPLOADED and zone.asset_id == "asset-nacl"
    assert "Broken.cif" in zone.message_label.text()


def test_no_drops_while_checking_or_uploading(zone: DropZone) -> None:
    seen = recorder(zone.files_dropped)
    mime = mime_with(urls=[QUrl.fromLocalFile(str(CU))])
    zone.show_checking("Cu.cif")
    assert drag_enter(zone, mime) and zone.drag_refusal is not None
    zone.show_progress(0, 100)
    assert drop(zone, mime)
    assert seen == []  # refused while busy, with a reason
    assert state(zone) is ZoneState.UPLOADING
    # A remote pick after a local file replaces what the card showed.
    checked = check_local_file(CU, CIF)
    zone.show_preview(checked, None)
    zone.show_uploaded("asset-10", "Al.cif", reused=True)
    assert zone.card.name_label.text() == "Al.cif" and zone.checked_file is None
    # The local file's own upload keeps its size on the card.
    zone.show_preview(checked, None)
    zone.show_uploaded("asset-11", "Cu.cif", reused=False)
    assert zone.card.size_label.text() == "4.1 KB" and zone.checked_file == checked


def test_browse_opens_a_filtered_dialog(zone: DropZone) -> None:
    chosen = recorder(zone.files_dropped)
    zone.target.browse_button.click()
    dialog = zone.file_dialog
    assert isinstance(dialog, QFileDialog) and dialog.isVisible()
    assert dialog.nameFilters() == ["Atomic structure (*.cif *.CIF)", "All files (*)"]
    assert dialog.windowTitle() == "Choose a .cif file (atomic structure)"
    assert dialog.directory().absolutePath() == str(Path.home())  # never "/" by accident
    dialog.fileSelected.emit(str(CU))
    assert chosen == [("file", [str(CU)])]  # handled like a drop of that file
    dialog.close()
    assert name_filters(decl("any")) == ["All files (*)"]
    assert name_filters(decl("x", "cif", "xyz"))[0] == "Accepted files (*.cif *.CIF *.xyz *.XYZ)"


def test_hover_is_highlighted_with_the_palette(zone: DropZone) -> None:
    mime = mime_with(urls=[QUrl.fromLocalFile(str(CU))])
    edge = QPoint(4, zone.height() // 2)
    before = zone.grab().toImage().pixelColor(edge)
    assert drag_enter(zone, mime)
    during = zone.grab().toImage().pixelColor(edge)
    highlight = zone.palette().color(QPalette.ColorRole.Highlight)

    def distance(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    assert distance(during, highlight) < distance(before, highlight)
    zone.dragLeaveEvent(QDragLeaveEvent())
    assert not zone.drag_active


def test_non_file_input_offers_no_browse(qtbot: Any) -> None:
    dataset = InputDeclaration(
        key="dataset", asset_type="dataset", primary=True, file_extensions=(), input_filter=None
    )
    zone = DropZone(dataset)
    qtbot.addWidget(zone)
    assert zone.types_label.text() == "an Ouro dataset"
    assert zone.target.prompt.text() == "This input takes an Ouro dataset"
    assert zone.target.browse_button.isHidden() and not zone.target.remote_button.isHidden()


# -- FileInputs ---------------------------------------------------------------------------
def test_file_inputs_one_zone_per_declaration(qtbot: Any) -> None:
    inputs = FileInputs()
    qtbot.addWidget(inputs)
    inputs.set_declarations({})
    assert inputs.isHidden() and inputs.keys() == []
    decls = {
        "reference": decl("reference", "xyz"),
        "structure": decl("structure", "cif", primary=True),
    }
    inputs.set_declarations(decls, required=["structure"])
    inputs.show()
    assert not inputs.isHidden()
    assert inputs.keys() == ["structure", "reference"]  # primary first
    assert inputs.zone("structure").required_label.isVisible()
    assert not inputs.zone("reference").required_label.isVisible()
    assert inputs.zone("reference").types_label.text() == ".xyz"

    dropped = recorder(inputs.files_dropped)
    removed = recorder(inputs.removed)
    drop(inputs.zone("reference"), mime_with(urls=[QUrl.fromLocalFile(str(CU))]))
    assert dropped == []  # a .cif for an .xyz input: refused, with the reason in the zone
    assert ".xyz" in inputs.zone("reference").message_label.text()
    drop(inputs.zone("structure"), mime_with(urls=[QUrl.fromLocalFile(str(CU))]))
    assert dropped == [("structure", [str(CU)])]
    assert inputs.start_folder == str(CU.parent)  # Browse… opens there next time

    assert inputs.asset_ids() == {}
    assert inputs.missing_required(["structure", "reference"]) == ["structure", "reference"]
    inputs.zone("structure").show_uploaded("asset-1", "Cu.cif", reused=False)
    inputs.zone("reference").show_progress(5, 10)
    assert inputs.busy()
    assert inputs.asset_ids() == {"structure": "asset-1"}
    assert inputs.missing_required(["structure", "reference"]) == ["reference"]
    assert inputs.filled_keys() == ["structure", "reference"]
    inputs.zone("structure").remove_button.click()
    assert removed == [("structure",)] and inputs.asset_ids() == {}

    inputs.set_declarations({"file": CIF})
    assert inputs.keys() == ["file"] and inputs.asset_ids() == {}


def test_ambiguous_file_is_placed_by_a_click(qtbot: Any) -> None:
    inputs = FileInputs()
    qtbot.addWidget(inputs)
    inputs.set_declarations({"left": decl("left", "cif"), "right": decl("right", "cif")})
    checked = check_local_file(CU, CIF)
    inputs.offer_choice(checked, ["left", "right"])
    assert inputs.zone("left").offered_paths() == [str(checked.path)]
    dropped = recorder(inputs.files_dropped)
    inputs.zone("right")._offer_buttons[str(checked.path)].click()
    assert dropped == [("right", [str(checked.path)])]
    assert inputs.zone("left").offered_paths() == []
    assert inputs.zone("right").offered_paths() == []


# -- screenshots --------------------------------------------------------------------------
@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot_preview_state(qtbot: Any, theme: str) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    if theme == "dark":
        host.setPalette(dark_palette())
    host.setAutoFillBackground(True)
    layout = QVBoxLayout(host)
    layout.setContentsMargins(12, 12, 12, 12)
    inputs = FileInputs(host)
    layout.addWidget(inputs)
    inputs.set_declarations({"file": CIF}, required=["file"])
    zone = inputs.zone("file")
    checked = check_local_file(CU, CIF)
    zone.show_preview(checked, preview_cif(checked.path))
    host.show()
    qtbot.waitExposed(host)
    host.resize(564, host.sizeHint().height())
    QApplication.processEvents()
    # Nothing squashed: every preview row has room for its text.
    for label in (zone.card.lengths_label, zone.card.angles_label, zone.card.volume_label):
        assert label.height() >= label.sizeHint().height()
    image = host.grab().toImage()
    assert host.grab().save(str(SHOTS / f"dropzone_{theme}.png"))
    # The formula is drawn in the palette's text colour on the zone's base colour.
    base = zone.palette().color(QPalette.ColorRole.Base)
    text = zone.palette().color(QPalette.ColorRole.WindowText)
    assert abs(base.lightness() - text.lightness()) > 120
    inside = zone.mapTo(host, QPoint(5, zone.height() // 2))
    assert image.pixelColor(inside).lightness() == pytest.approx(base.lightness(), abs=8)
