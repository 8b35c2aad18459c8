"""The Outputs tab: one row per asset a run produced, with Download…, Open and progress.

Rows come from the action's ``output_assets`` (ouro-protocol.md §7.1:
``{name, is_primary, asset_id, asset_type, asset: {id, name, metadata}}``). The widget only
asks (``download_requested``, ``open_requested``); the controller downloads and reports
back through :meth:`OutputsView.set_download_progress` / ``set_download_done`` /
``set_download_failed``, and for a CIF it has saved, :meth:`OutputsView.show_cif_preview`
shows the same preview card as the inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import Action
from ouro_desktop.core.cif_preview import PREVIEW_EXTENSIONS, CifPreview
from ouro_desktop.core.file_checks import format_size
from ouro_desktop.ui.common.labels import ElidedLabel, muted, plain_label, plain_tip
from ouro_desktop.ui.results.file_card import FileCard

__all__ = ["OutputItem", "OutputRow", "OutputsView", "output_items"]


@dataclass(frozen=True)
class OutputItem:
    """One output asset of a run."""

    key: str  # the response key it was declared under ("file")
    asset_id: str
    asset_type: str  # "file", "dataset", "post", ...
    name: str
    extension: str
    mime: str
    size: int | None
    suggested_name: str  # a file name for "Save as"

    @property
    def is_file(self) -> bool:
        return self.asset_type == "file"

    @property
    def is_cif(self) -> bool:
        return self.is_file and self.extension in PREVIEW_EXTENSIONS

    @property
    def type_text(self) -> str:
        if not self.is_file:
            return self.asset_type
        kind = f"{self.extension.upper()} file" if self.extension else "File"
        return f"{kind} · {self.mime}" if self.mime else kind


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def output_items(action: Action | None) -> list[OutputItem]:
    """The run's output assets, primary first; rows without an asset id are skipped."""
    if action is None:
        return []
    response = _dict(action.response)
    items = []
    rows = sorted(
        (r for r in action.output_assets if isinstance(r, dict)),
        key=lambda r: not r.get("is_primary"),
    )
    for row in rows:
        asset = _dict(row.get("asset"))
        meta = _dict(asset.get("metadata"))
        asset_id = row.get("asset_id") or asset.get("id")
        if not isinstance(asset_id, str) or not asset_id:
            continue
        key = str(row.get("name") or "")
        name = str(asset.get("name") or key or asset_id)
        extension = str(meta.get("extension") or "").lower().lstrip(".")
        mime = str(meta.get("type") or meta.get("mimeType") or "")
        size = meta.get("size")
        declared = _dict(response.get(key))
        suggested = declared.get("filename")
        if not isinstance(suggested, str) or not suggested.strip():
            suggested = name
            if extension and not suggested.lower().endswith(f".{extension}"):
                suggested = f"{suggested}.{extension}"
        items.append(
            OutputItem(
                key=key,
                asset_id=asset_id,
                asset_type=str(row.get("asset_type") or asset.get("asset_type") or "file"),
                name=name,
                extension=extension,
                mime=mime,
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                suggested_name=Path(suggested).name or asset_id,
            )
        )
    return items


class OutputRow(QFrame):
    """Name, type and size; Download… and Open; progress; a CIF preview once saved."""

    def __init__(self, item: OutputItem, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.name_label = ElidedLabel(self)
        self.name_label.setText(item.name)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        details = [item.type_text]
        if item.size is not None:
            details.append(format_size(item.size))
        self.details_label = muted(plain_label(self, "  ·  ".join(details), name="Output type"))
        self.download_button = QPushButton("Download…", self)
        self.download_button.setToolTip(plain_tip(f"Save {item.suggested_name} on this computer"))
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Open with this computer's default app")
        for button in (self.download_button, self.open_button):
            button.setVisible(item.is_file)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status_label = plain_label(self, name="Download status")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.card = FileCard(self)
        self.card.name_label.hide()  # the row already names the file
        self.card.size_label.hide()
        self.card.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name_label)
        text.addWidget(self.details_label)
        top.addLayout(text, 1)
        top.addWidget(self.download_button)
        top.addWidget(self.open_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        layout.addWidget(self.card)

    def set_progress(self, done: int, total: int) -> None:
        self.status_label.hide()
        self.progress.show()
        if total > 0:
            self.progress.setRange(0, 1000)
            self.progress.setValue(max(0, min(1000, round(1000 * done / total))))
            self.progress.setFormat(f"{format_size(done)} of {format_size(total)}")
        else:
            self.progress.setRange(0, 0)  # size unknown: a busy bar
        self.download_button.setEnabled(False)

    def set_done(self, path: str) -> None:
        self.progress.hide()
        self.download_button.setEnabled(True)
        self.status_label.setForegroundRole(QPalette.ColorRole.WindowText)
        self.status_label.setText(f"Saved to {path}")
        self.status_label.setToolTip(plain_tip(path))
        self.status_label.show()

    def set_failed(self, message: str) -> None:
        self.progress.hide()
        self.download_button.setEnabled(True)
        self.status_label.setText(f"⚠ Download failed: {message}")
        self.status_label.show()

    def show_preview(self, preview: CifPreview | None, error: str | None = None) -> None:
        self.card.show_file(self.item.name, self.item.size, preview, error)
        self.card.show()


class OutputsView(QWidget):
    """The output rows of one run, or a note that it made none."""

    download_requested = Signal(str, str)  # asset id, suggested file name
    open_requested = Signal(str)  # asset id

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: dict[str, OutputRow] = {}
        self._items: list[OutputItem] = []
        self.empty_label = muted(QLabel("This run produced no files.", self))
        self._scroll = QScrollArea(self)
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QFrame.Shape.NoFrame)
        self._container = QWidget(self._scroll)
        self._column = QVBoxLayout(self._container)
        self._column.setContentsMargins(0, 0, 0, 0)
        self._column.addStretch(1)
        self._scroll.setWidget(self._container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.empty_label)
        layout.addWidget(self._scroll, 1)
        self.set_outputs([])

    def set_outputs(self, items: list[OutputItem]) -> None:
        """Show ``items``; rows of assets already shown keep their download state."""
        if items == self._items:
            return
        self._items = list(items)
        kept = {item.asset_id for item in items}
        for asset_id in [a for a in self._rows if a not in kept]:
            gone = self._rows.pop(asset_id)
            gone.hide()
            gone.deleteLater()
        for position, item in enumerate(items):
            old = self._rows.get(item.asset_id)
            if old is not None and old.item == item:
                row = old
            else:
                if old is not None:
                    old.hide()
                    old.deleteLater()
                row = self._make_row(item)
            self._column.insertWidget(position, row)
        self.empty_label.setVisible(not items)
        self._scroll.setVisible(bool(items))

    def items(self) -> list[OutputItem]:
        return list(self._items)

    def row(self, asset_id: str) -> OutputRow | None:
        return self._rows.get(asset_id)

    def clear(self) -> None:
        self.set_outputs([])

    def set_download_progress(self, asset_id: str, done: int, total: int) -> None:
        if (row := self._rows.get(asset_id)) is not None:
            row.set_progress(done, total)

    def set_download_done(self, asset_id: str, path: str) -> None:
        if (row := self._rows.get(asset_id)) is not None:
            row.set_done(path)

    def set_download_failed(self, asset_id: str, message: str) -> None:
        if (row := self._rows.get(asset_id)) is not None:
            row.set_failed(message)

    def show_cif_preview(
        self, asset_id: str, preview: CifPreview | None, error: str | None = None
    ) -> None:
        if (row := self._rows.get(asset_id)) is not None:
            row.show_preview(preview, error)

    def _make_row(self, item: OutputItem) -> OutputRow:
        row = OutputRow(item, self._container)
        asset_id, name = item.asset_id, item.suggested_name
        row.download_button.clicked.connect(lambda: self.download_requested.emit(asset_id, name))
        row.open_button.clicked.connect(lambda: self.open_requested.emit(asset_id))
        self._rows[asset_id] = row
        return row
