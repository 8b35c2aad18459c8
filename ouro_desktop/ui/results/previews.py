"""How an output file is previewed, by its family: a picture, a structure, the start of a
text. One :class:`PreviewKind` per family holds both halves: ``load`` (blocking, run off
the UI thread by the controller: reads the cached file and returns a small payload) and
``widget`` (shows that payload in an output card). A new kind of output is one more entry
in :data:`PREVIEWS`, keyed by its family (for an asset that is not a file, its asset type:
``"dataset"``, ``"post"``); one that is read from Ouro rather than from a downloaded file
(a dataset's first rows, a post's text) sets ``load_asset`` instead, a coroutine the
controller awaits with its client and the asset id.

Files are never read whole to preview them: pictures are decoded scaled
(:mod:`~ouro_desktop.ui.results.thumbnail`), texts from their first 64 KB, structures by
the CIF reader (CIF files are small; a big one is refused by its size first).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFontDatabase, QMouseEvent, QPixmap, QResizeEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QSizePolicy, QWidget

from ouro_desktop.core.cif_preview import PREVIEW_EXTENSIONS, CifPreviewError, preview_cif
from ouro_desktop.core.file_checks import format_size
from ouro_desktop.core.output_cache import TextHead, text_head
from ouro_desktop.ui.results.file_card import FileCard
from ouro_desktop.ui.results.thumbnail import BOX, DecodedImage, ImageUnreadable, decode_scaled

__all__ = [
    "AUTO_PREVIEW_BYTES",
    "PREVIEWS",
    "ImageView",
    "PreviewFailed",
    "PreviewKind",
    "StructurePreview",
    "TextView",
    "preview_kind",
]

AUTO_PREVIEW_BYTES: Final = 200 * 1024 * 1024  # larger outputs are previewed when asked
STRUCTURE_MAX_BYTES: Final = 20 * 1024 * 1024
TEXT_LINES: Final = 14  # a text preview's height, in lines


class PreviewFailed(Exception):
    """No preview: the message says why, in plain words."""


@dataclass(frozen=True)
class StructurePreview:
    name: str
    size: int
    preview: Any  # CifPreview


class ImageView(QLabel):
    """A picture scaled to the width it is given (never above its decoded size); a click
    asks for it in full size."""

    clicked = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._pixmap = QPixmap()
        self.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setMinimumWidth(64)

    def show_image(self, decoded: DecodedImage) -> None:
        self._pixmap = QPixmap.fromImage(decoded.image)
        full = decoded.full_size
        self.setToolTip(f"{full.width():,} × {full.height():,} pixels. Click to open it full size.")
        self.setAccessibleName(f"Picture, {full.width()} by {full.height()} pixels")
        self._fit()

    def has_image(self) -> bool:
        return not self._pixmap.isNull()

    def _target_size(self) -> QSize:
        if self._pixmap.isNull():
            return QSize(0, 0)
        width = min(self._pixmap.width(), max(64, self.width()))
        # Tall pictures stop at two thirds of a box, so the text under them stays in reach.
        size = self._pixmap.size().scaled(
            QSize(width, min(self._pixmap.height(), 2 * BOX.height() // 3)),
            Qt.AspectRatioMode.KeepAspectRatio,
        )
        return size

    def _fit(self) -> None:
        size = self._target_size()
        if size.isEmpty():
            self.clear()
            return
        self.setFixedHeight(size.height())
        self.setPixmap(
            self._pixmap.scaled(
                size, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation
            )
        )

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if not self._pixmap.isNull() and event.size().width() != event.oldSize().width():
            self._fit()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt API
        if event.button() == Qt.MouseButton.LeftButton and self.has_image():
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class TextView(QPlainTextEdit):
    """The start of a text file, read-only, in a fixed-width font."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setFixedHeight(self.fontMetrics().lineSpacing() * TEXT_LINES + 12)

    def show_head(self, head: TextHead) -> None:
        self.setPlainText(head.text)


def _load_image(path: Path, thumb: Path) -> DecodedImage:
    try:
        return decode_scaled(path, thumb)
    except ImageUnreadable as exc:
        raise PreviewFailed(str(exc)) from exc


def _load_structure(path: Path, _thumb: Path) -> StructurePreview:
    size = path.stat().st_size
    if path.suffix.lower().lstrip(".") not in PREVIEW_EXTENSIONS:
        raise PreviewFailed("Only CIF files get a structure preview.")
    if size > STRUCTURE_MAX_BYTES:
        raise PreviewFailed(f"The file is large ({format_size(size)}): open it to see it.")
    try:
        return StructurePreview(path.name, size, preview_cif(path))
    except CifPreviewError as exc:
        raise PreviewFailed(exc.message) from exc


def _load_text(path: Path, _thumb: Path) -> TextHead:
    try:
        return text_head(path)
    except OSError as exc:
        raise PreviewFailed(f"Could not read the file: {exc.strerror or exc}") from exc


def _image_widget(parent: QWidget) -> QWidget:
    return ImageView(parent)


def _structure_widget(parent: QWidget) -> QWidget:
    card = FileCard(parent)
    card.name_label.hide()  # the output card already names the file
    card.size_label.hide()
    return card


def _text_widget(parent: QWidget) -> QWidget:
    return TextView(parent)


def _show_image(widget: QWidget, payload: Any) -> None:
    assert isinstance(widget, ImageView)
    widget.show_image(payload)


def _show_structure(widget: QWidget, payload: Any) -> None:
    assert isinstance(widget, FileCard) and isinstance(payload, StructurePreview)
    widget.show_file(payload.name, payload.size, payload.preview)


def _show_text(widget: QWidget, payload: Any) -> None:
    assert isinstance(widget, TextView)
    widget.show_head(payload)


@dataclass(frozen=True)
class PreviewKind:
    """One family's preview: ``load(path, thumb_path)`` off the UI thread (or, for an
    asset read from Ouro, ``await load_asset(client, asset_id)``), then ``show(widget,
    payload)`` on a widget from ``widget(parent)``."""

    family: str
    load: Callable[[Path, Path], Any]
    widget: Callable[[QWidget], QWidget]
    show: Callable[[QWidget, Any], None]
    note: Callable[[Any], str] = lambda _payload: ""  # a line under the preview
    load_asset: Callable[[Any, str], Awaitable[Any]] | None = None


def _text_note(head: Any) -> str:
    if isinstance(head, TextHead) and head.truncated:
        return f"The first {format_size(len(head.text.encode()))} of {format_size(head.size)}."
    return ""


PREVIEWS: dict[str, PreviewKind] = {
    "image": PreviewKind("image", _load_image, _image_widget, _show_image),
    "structure": PreviewKind("structure", _load_structure, _structure_widget, _show_structure),
    "text": PreviewKind("text", _load_text, _text_widget, _show_text, _text_note),
    "table": PreviewKind("table", _load_text, _text_widget, _show_text, _text_note),
}


def preview_kind(family: str, extension: str = "") -> PreviewKind | None:
    """The preview for an output of ``family`` (None: name, kind, Open and Save only)."""
    if family == "structure" and extension.lower() not in PREVIEW_EXTENSIONS:
        return None  # only CIF files have a structure reader here
    return PREVIEWS.get(family)
