"""File inputs of the request form: one drop zone per declared asset input.

A :class:`DropZone` shows what its input takes (".cif — atomic structure") and takes a file
by drag-and-drop, "Browse…" or "Choose from my Ouro files…". It is a synchronous view: it
emits what the user did (``files_dropped`` for a drop or a Browse… pick,
``choose_remote_requested``, ``cancel_requested``, ``retry_requested``, ``removed``), and the
form controller, which checks files (:mod:`ouro_desktop.core.file_checks`), previews CIFs and
uploads off the UI thread, drives its states through the ``show_*`` methods:

    empty → checking → rejected | preview → uploading → uploaded | error

:class:`FileInputs` holds the zones of one route and re-emits their signals with the key, so
the controller connects once; it answers what Run needs (the asset ids of finished uploads,
the required inputs still missing). A window-level drop that fits several inputs can be
placed in context with :meth:`FileInputs.offer_choice` (a "Use … here" button in each
candidate zone; a click re-emits ``files_dropped`` for that zone).
Colours come from the palette; all file-derived text is plain text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QDragEnterEvent,
    QDragLeaveEvent,
    QDragMoveEvent,
    QDropEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.cif_preview import CifPreview
from ouro_desktop.core.file_checks import (
    CheckedFile,
    accepted_types_text,
    display_name,
    format_size,
)
from ouro_desktop.ui.common.file_drop import dropped_items
from ouro_desktop.ui.common.labels import muted, plain_label, plain_tip
from ouro_desktop.ui.results.file_card import FileCard
from ouro_desktop.ui.run.form.drop_target import DropTarget, name_filters, title_for

__all__ = ["DropZone", "FileInputs", "ZoneState"]

# QProgressBar counts in int32; 2 GB uploads do not fit, so the bar counts per mille.
_PROGRESS_STEPS = 1000


class ZoneState(StrEnum):
    EMPTY = "empty"
    CHECKING = "checking"
    REJECTED = "rejected"
    PREVIEW = "preview"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    ERROR = "error"


class DropZone(QFrame):
    """One asset input: a drop target, then the chosen file's card and upload state."""

    files_dropped = Signal(str, list)  # key, raw items: local paths or URL strings
    choose_remote_requested = Signal(str)
    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    removed = Signal(str)

    def __init__(
        self, decl: InputDeclaration, *, required: bool = False, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.decl = decl
        self.key = decl.key
        self._state = ZoneState.EMPTY
        self._asset_id: str | None = None
        self._checked: CheckedFile | None = None
        self._drag_active = False
        self.file_dialog: QFileDialog | None = None
        self.setAcceptDrops(True)
        # As tall as its content: a form in a scroll area must not stretch the zone.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setObjectName(f"dropZone:{decl.key}")
        self.setAccessibleName(f"File input {title_for(decl.key)}")

        self.title_label = plain_label(self, title_for(decl.key), name="Input name")
        self.title_label.setToolTip(plain_tip(f"Request key: {display_name(decl.key)}"))
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.required_label = muted(plain_label(self, "required", name="Required"))
        self.required_label.setVisible(required)
        self.types_label = muted(plain_label(self, accepted_types_text(decl), name="Accepts"))
        header = QHBoxLayout()
        header.addWidget(self.title_label)
        header.addWidget(self.required_label)
        header.addStretch(1)
        header.addWidget(self.types_label)

        self.target = DropTarget(decl, self)
        self.target.browse_button.clicked.connect(self._on_browse_clicked)
        self.target.remote_button.clicked.connect(self._on_remote_clicked)
        self.message_label = plain_label(self, name="Message")
        self.message_label.setWordWrap(True)
        self.card = FileCard(self)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, _PROGRESS_STEPS)
        self.progress.setAccessibleName("Upload progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_row = QWidget(self)
        self.progress_row.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)

        self.status_label = plain_label(self, name="Upload status")
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self._on_remove_clicked)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label)
        status_row.addStretch(1)
        status_row.addWidget(self.retry_button)
        status_row.addWidget(self.remove_button)

        self.offers = QVBoxLayout()
        self.offers.setContentsMargins(0, 0, 0, 0)
        self._offer_buttons: dict[str, QPushButton] = {}

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addWidget(self.target)
        layout.addLayout(self.offers)
        layout.addWidget(self.card)
        layout.addWidget(self.message_label)
        layout.addWidget(self.progress_row)
        layout.addLayout(status_row)
        self._render()

    # -- state ----------------------------------------------------------------------------
    @property
    def state(self) -> ZoneState:
        return self._state

    @property
    def asset_id(self) -> str | None:
        """The uploaded (or reused) asset's id; ``None`` until the upload finished."""
        return self._asset_id if self._state is ZoneState.UPLOADED else None

    @property
    def checked_file(self) -> CheckedFile | None:
        return self._checked

    def set_required(self, required: bool) -> None:
        self.required_label.setVisible(required)

    def show_checking(self, name: str) -> None:
        self._set(ZoneState.CHECKING, message=f"Checking “{display_name(name)}”…")
        self.progress.setRange(0, 0)  # busy

    def show_rejected(self, message: str) -> None:
        self._checked = None
        self._set(ZoneState.REJECTED, message=f"⚠ {message}")

    def show_preview(
        self,
        checked: CheckedFile,
        preview: CifPreview | None = None,
        preview_error: str | None = None,
    ) -> None:
        self._checked = checked
        self.card.show_file(checked.name, checked.size, preview, preview_error)
        self._set(ZoneState.PREVIEW, status="Ready to upload")

    def show_progress(self, sent: int, total: int) -> None:
        if self._state is not ZoneState.UPLOADING:
            self._set(ZoneState.UPLOADING)
        if total <= 0:
            self.progress.setRange(0, 0)
            self.progress.setFormat("")
            return
        self.progress.setRange(0, _PROGRESS_STEPS)
        sent = max(0, min(sent, total))
        self.progress.setValue(round(sent * _PROGRESS_STEPS / total))
        percent = sent * 100 // total
        self.progress.setFormat(f"{format_size(sent)} of {format_size(total)} ({percent}%)")

    def show_uploaded(self, asset_id: str, name: str, reused: bool) -> None:
        shown = display_name(name)
        if self._checked is None or self._checked.name != shown:
            # Chosen from the user's Ouro files: no local file (and not the one shown before).
            self._checked = None
            self.card.show_file(shown, None)
        self._asset_id = asset_id
        text = "✓ Already on Ouro (reused)" if reused else "✓ Uploaded"
        self._set(ZoneState.UPLOADED, status=text)
        self.status_label.setToolTip(plain_tip(f"Asset id: {asset_id}"))

    def show_upload_error(self, message: str) -> None:
        """The upload (or fetching the file) failed: ``message`` in full, and Retry."""
        self._set(ZoneState.ERROR, message=f"⚠ {message}")

    def show_field_error(self, message: str | None) -> None:
        """A problem the form found (missing, or the server's 422), without changing state."""
        self.message_label.setText(f"⚠ {message}" if message else "")
        self.message_label.setVisible(bool(message))

    def clear(self) -> None:
        self._checked = None
        self.card.clear()
        self._set(ZoneState.EMPTY)

    def _set(self, state: ZoneState, *, message: str = "", status: str = "") -> None:
        self._state = state
        if state is not ZoneState.UPLOADED:
            self._asset_id = None
        self.message_label.setText(message)
        self.status_label.setText(status)
        self.status_label.setToolTip("")
        if state is ZoneState.UPLOADING:
            self.progress.setRange(0, _PROGRESS_STEPS)
            self.progress.setValue(0)
            self.cancel_button.setEnabled(True)
            self.cancel_button.setText("Cancel")
        self._render()

    def _render(self) -> None:
        state = self._state
        has_file = state in (
            ZoneState.PREVIEW,
            ZoneState.UPLOADING,
            ZoneState.UPLOADED,
            ZoneState.ERROR,
        )
        self.target.setVisible(state in (ZoneState.EMPTY, ZoneState.REJECTED))
        self.message_label.setVisible(bool(self.message_label.text()))
        self.card.setVisible(has_file)
        self.progress_row.setVisible(state in (ZoneState.CHECKING, ZoneState.UPLOADING))
        self.cancel_button.setVisible(state is ZoneState.UPLOADING)
        self.status_label.setVisible(bool(self.status_label.text()))
        self.retry_button.setVisible(state is ZoneState.ERROR)
        # While uploading, Cancel is the way out; Remove comes back afterwards.
        self.remove_button.setVisible(has_file and state is not ZoneState.UPLOADING)

    # -- offers for a file dropped on the window that fits several inputs -----------------
    def offer(self, checked: CheckedFile) -> None:
        """Show a "Use … here" button: one click routes ``checked`` into this zone."""
        path = str(checked.path)
        if path in self._offer_buttons:
            return
        button = QPushButton(f"Use “{checked.name}” here", self)
        button.clicked.connect(lambda: self.files_dropped.emit(self.key, [path]))
        self.offers.addWidget(button)
        self._offer_buttons[path] = button

    def withdraw_offer(self, path: str | None = None) -> None:
        """Remove the offer for ``path`` (or every offer)."""
        for key in [path] if path is not None else list(self._offer_buttons):
            button = self._offer_buttons.pop(key, None)
            if button is not None:
                button.hide()
                button.deleteLater()

    def offered_paths(self) -> list[str]:
        return list(self._offer_buttons)

    # -- drag and drop --------------------------------------------------------------------
    def _takes_drops(self) -> bool:
        return self._state not in (ZoneState.CHECKING, ZoneState.UPLOADING)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        # URLs only (files, and web links so they can be refused with a reason); not text.
        if self._takes_drops() and event.mimeData().hasUrls() and dropped_items(event.mimeData()):
            event.acceptProposedAction()
            self._set_drag_active(True)
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        if self._drag_active:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt API
        self._set_drag_active(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        self._set_drag_active(False)
        items = dropped_items(event.mimeData()) if self._takes_drops() else []
        if not items:
            event.ignore()
            return
        event.acceptProposedAction()
        self.files_dropped.emit(self.key, items)

    def _set_drag_active(self, active: bool) -> None:
        if self._drag_active != active:
            self._drag_active = active
            self.update()

    @property
    def drag_active(self) -> bool:
        return self._drag_active

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drag_active:
            tint = QColor(palette.color(QPalette.ColorRole.Highlight))
            tint.setAlpha(40)
            painter.setBrush(tint)
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Highlight), 2))
        else:
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.setPen(QPen(palette.color(QPalette.ColorRole.Mid), 1))
        painter.drawRoundedRect(rect, 8, 8)

    # -- buttons --------------------------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        # Non-modal (open(), not exec()): no nested event loop under qasync.
        dialog = QFileDialog(self, f"Choose a file for {title_for(self.key)}")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(name_filters(self.decl))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._on_file_dialog_file_selected)
        self.file_dialog = dialog
        dialog.open()

    def _on_file_dialog_file_selected(self, path: str) -> None:
        self.file_dialog = None
        if path:  # a Browse… pick is handled exactly like a drop of that one file
            self.files_dropped.emit(self.key, [path])

    def _on_remote_clicked(self) -> None:
        self.choose_remote_requested.emit(self.key)

    def _on_cancel_clicked(self) -> None:
        self.cancel_button.setEnabled(False)
        self.cancel_button.setText("Cancelling…")
        self.cancel_requested.emit(self.key)

    def _on_retry_clicked(self) -> None:
        self.retry_requested.emit(self.key)

    def _on_remove_clicked(self) -> None:
        self.clear()
        self.removed.emit(self.key)


class FileInputs(QWidget):
    """The drop zones of one route, in declaration order (primary input first)."""

    files_dropped = Signal(str, list)  # key, raw items (dropped or picked with Browse…)
    choose_remote_requested = Signal(str)
    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    removed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._zones: dict[str, DropZone] = {}
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(8)
        self._layout.addStretch(1)
        self.setVisible(False)

    def set_declarations(
        self, decls: Mapping[str, InputDeclaration], required: Iterable[str] = ()
    ) -> None:
        """Replace the zones: one per declaration; none (and hidden) for an empty mapping."""
        for zone in self._zones.values():
            self._layout.removeWidget(zone)
            zone.hide()
            zone.deleteLater()
        self._zones = {}
        needed = set(required)
        ordered = sorted(decls.values(), key=lambda d: not d.primary)  # stable: primary first
        for decl in ordered:
            zone = DropZone(decl, required=decl.key in needed, parent=self)
            zone.files_dropped.connect(self.files_dropped)
            zone.choose_remote_requested.connect(self.choose_remote_requested)
            zone.cancel_requested.connect(self.cancel_requested)
            zone.retry_requested.connect(self.retry_requested)
            zone.removed.connect(self.removed)
            zone.files_dropped.connect(self._on_zone_files_dropped)
            self._layout.insertWidget(self._layout.count() - 1, zone)
            self._zones[decl.key] = zone
        self.setVisible(bool(self._zones))

    def zone(self, key: str) -> DropZone:
        return self._zones[key]

    def zones(self) -> dict[str, DropZone]:
        return dict(self._zones)

    def keys(self) -> list[str]:
        return list(self._zones)

    def asset_ids(self) -> dict[str, str]:
        """``{key: asset_id}`` for the inputs whose upload finished (or was reused)."""
        return {k: z.asset_id for k, z in self._zones.items() if z.asset_id is not None}

    def filled_keys(self) -> list[str]:
        """Inputs holding a file (in any state but empty/rejected): ``check_many(taken=…)``."""
        free = (ZoneState.EMPTY, ZoneState.REJECTED)
        return [k for k, z in self._zones.items() if z.state not in free]

    def missing_required(self, required_keys: Iterable[str]) -> list[str]:
        """Required inputs with no uploaded asset yet, in the order given."""
        ids = self.asset_ids()
        return [k for k in required_keys if k in self._zones and k not in ids]

    def busy(self) -> bool:
        """Whether a file is still being checked or uploaded (Run waits for it)."""
        return any(
            z.state in (ZoneState.CHECKING, ZoneState.UPLOADING) for z in self._zones.values()
        )

    def offer_choice(self, checked: CheckedFile, keys: Iterable[str]) -> None:
        """Let the user place a file that fits several inputs: a button in each of them."""
        for key in keys:
            if key in self._zones:
                self._zones[key].offer(checked)

    def _on_zone_files_dropped(self, key: str, items: list[str]) -> None:
        # Whatever was dropped on this zone settles any pending offers it held, and a
        # file placed through an offer is no longer offered elsewhere.
        self._zones[key].withdraw_offer()
        for item in items:
            for zone in self._zones.values():
                zone.withdraw_offer(item)
