"""One file input of the request form: a drop zone.

A :class:`DropZone` shows what its input takes (".cif — atomic structure") and takes a file
by drag-and-drop, "Browse…" or "Choose from my Ouro files…". It is a synchronous view: it
emits what the user did (``files_dropped`` for a drop or a Browse… pick,
``choose_remote_requested``, ``cancel_requested``, ``retry_requested``, ``removed``), and the
run controller, which checks files (:mod:`ouro_desktop.core.file_checks`), previews CIFs and
uploads off the UI thread, drives its states through the ``show_*`` methods:

    empty → checking → rejected | preview → uploading → uploaded | error

Drops never destroy: a file that is refused (wrong type, several at once, unreadable)
leaves a file already in the zone exactly where it was, and the zone says why. While a
file is dragged over it, the zone shows before the drop whether it would take it (the
accept or the refuse colour, and a sentence), judged from the file's name with the rules
the full check applies after the drop. Colours come from the palette
(:mod:`~ouro_desktop.ui.common.theme`); all file-derived text is plain text.
:class:`~.file_inputs.FileInputs` holds the zones of one route.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path

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
    QApplication,
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
from ouro_desktop.core.contrast import TEXT
from ouro_desktop.core.file_checks import (
    CheckedFile,
    accepted_types_text,
    display_name,
    drag_verdict,
    format_size,
)
from ouro_desktop.core.input_words import input_phrase
from ouro_desktop.ui.common.file_drop import dropped_items
from ouro_desktop.ui.common.labels import muted, plain_label, plain_tip
from ouro_desktop.ui.common.theme import (
    accept_colour,
    border_colour,
    readable,
    reject_colour,
    tint,
)
from ouro_desktop.ui.results.file_card import FileCard
from ouro_desktop.ui.run.form.drop_target import DropTarget, name_filters, title_for

__all__ = ["Chooser", "DropZone", "ZoneState"]

# QProgressBar counts in int32; 2 GB uploads do not fit, so the bar counts per mille.
_PROGRESS_STEPS = 1000
# How the zone lets the user pick a local file: the Browse… dialog, or a stand-in in tests.
Chooser = Callable[["DropZone"], None]


class ZoneState(StrEnum):
    EMPTY = "empty"
    CHECKING = "checking"
    REJECTED = "rejected"
    PREVIEW = "preview"
    UPLOADING = "uploading"
    UPLOADED = "uploaded"
    ERROR = "error"


# A zone in one of these holds a file: a refused drop leaves it there.
_HOLDING = (ZoneState.PREVIEW, ZoneState.UPLOADING, ZoneState.UPLOADED, ZoneState.ERROR)


class DropZone(QFrame):
    """One asset input: a drop target, then the chosen file's card and upload state."""

    files_dropped = Signal(str, list)  # key, raw items: local paths or URL strings
    # key, local paths: a folder or several files, to run the route on each (a batch)
    batch_dropped = Signal(str, list)
    choose_remote_requested = Signal(str)
    cancel_requested = Signal(str)
    retry_requested = Signal(str)
    removed = Signal(str)
    # Remove pressed, before the zone lets go of its file (what it held is kept for Undo).
    remove_clicked = Signal(str)
    state_changed = Signal(str)  # key: the zone took, lost or finished a file

    def __init__(
        self,
        decl: InputDeclaration,
        *,
        required: bool = False,
        title: str = "",
        description: str = "",
        chooser: Chooser | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.decl = decl
        self.key = decl.key
        self.title = title or title_for(decl.key)
        self._state = ZoneState.EMPTY
        self._asset_id: str | None = None
        self._checked: CheckedFile | None = None
        self._uploaded_name = ""
        self._drag_active = False
        self._drag_refusal: str | None = None  # why the file being dragged would be refused
        self.file_dialog: QFileDialog | None = None
        self.chooser = chooser
        self.start_folder = ""
        # A folder or several files dropped here become a batch (the run panel turns it on).
        self.batch_enabled = False
        self.setAcceptDrops(True)
        # As tall as its content: a form in a scroll area must not stretch the zone.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.setObjectName(f"dropZone:{decl.key}")
        self.setAccessibleName(f"File input: {self.title}")
        what = description or f"Takes {input_phrase(self.title, decl)}"
        self.setAccessibleDescription(what)

        self.title_label = plain_label(self, self.title, name="Input name")
        self.title_label.setToolTip(
            plain_tip(f"{description}\nRequest key: {display_name(decl.key)}".strip())
        )
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
        phrase = input_phrase(self.title, decl)
        self.target.browse_button.setAccessibleName(f"Browse for {phrase}")
        self.target.remote_button.setAccessibleName(f"Choose {phrase} from my Ouro files")
        self.target.browse_button.clicked.connect(self._on_browse_clicked)
        self.target.remote_button.clicked.connect(self._on_remote_clicked)
        # While a file is dragged over the zone: what would happen if it were dropped.
        self.drag_label = plain_label(self, name="What dropping here would do")
        self.drag_label.setWordWrap(True)
        self.drag_label.hide()
        self.message_label = plain_label(self, name="Message")
        self.message_label.setWordWrap(True)
        self.card = FileCard(self)

        self.progress = QProgressBar(self)
        self.progress.setRange(0, _PROGRESS_STEPS)
        self.progress.setAccessibleName("Upload progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel the upload")
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        progress_row = QHBoxLayout()
        progress_row.addWidget(self.progress, 1)
        progress_row.addWidget(self.cancel_button)
        self.progress_row = QWidget(self)
        self.progress_row.setLayout(progress_row)
        progress_row.setContentsMargins(0, 0, 0, 0)

        self.status_label = plain_label(self, name="Upload status")
        self.retry_button = QPushButton("Retry", self)
        self.retry_button.setAccessibleName("Retry the upload")
        self.retry_button.clicked.connect(self._on_retry_clicked)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.setAccessibleName(f"Remove the file from {self.title}")
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
        layout.addWidget(self.drag_label)
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

    @property
    def uploaded_name(self) -> str:
        """The name of the file on Ouro this zone holds (``""`` until uploaded or chosen)."""
        return self._uploaded_name

    def set_required(self, required: bool) -> None:
        self.required_label.setVisible(required)

    @property
    def holds_file(self) -> bool:
        """Whether a file is in the zone (previewed, uploading, uploaded or failed)."""
        return self._state in _HOLDING

    def show_checking(self, name: str) -> None:
        """A new file is being checked. A file already here stays until the new one passes."""
        if self.holds_file:
            self.message_label.setText(f"Checking “{display_name(name)}”…")
            self._render()
            return
        self._set(ZoneState.CHECKING, message=f"Checking “{display_name(name)}”…")
        self.progress.setRange(0, 0)  # busy

    def show_rejected(self, message: str) -> None:
        """A file was refused: say why. A file already in the zone is kept (and named)."""
        if self.holds_file:
            kept = self._checked.name if self._checked is not None else self._uploaded_name
            still = f" “{kept}” is still used." if kept else " The file you had is still used."
            self.message_label.setText(f"⚠ {message}{still}")
            self._render()
            return
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
        self._uploaded_name = shown
        text = "✓ Already on Ouro (reused)" if reused else "✓ Uploaded"
        self._set(ZoneState.UPLOADED, status=text)
        self.status_label.setToolTip(plain_tip(f"Asset id: {asset_id}"))

    def show_kept(self, asset_id: str, name: str) -> None:
        """A file chosen on an earlier visit (or in the run being repeated), already on
        Ouro: shown by its name, nothing uploaded again."""
        self.show_uploaded(asset_id, name, reused=True)
        self.status_label.setText("✓ On Ouro (chosen earlier)")
        self.status_label.setVisible(True)

    def show_upload_error(self, message: str) -> None:
        """The upload (or fetching the file) failed: ``message`` in full, and Retry."""
        self._set(ZoneState.ERROR, message=f"⚠ {message}")

    def show_field_error(self, message: str | None) -> None:
        """A problem the form found (missing, or the server's 422), without changing state."""
        self.message_label.setText(f"⚠ {message}" if message else "")
        self.message_label.setVisible(bool(message))

    def clear(self) -> None:
        self._checked = None
        self._uploaded_name = ""
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
        self.state_changed.emit(self.key)

    def _render(self) -> None:
        state = self._state
        has_file = state in _HOLDING
        shown: dict[QWidget, bool] = {
            self.target: state in (ZoneState.EMPTY, ZoneState.REJECTED),
            self.message_label: bool(self.message_label.text()),
            self.card: has_file,
            self.progress_row: state in (ZoneState.CHECKING, ZoneState.UPLOADING),
            self.cancel_button: state is ZoneState.UPLOADING,
            self.status_label: bool(self.status_label.text()),
            self.retry_button: state is ZoneState.ERROR,
            # While uploading, Cancel is the way out; Remove comes back afterwards.
            self.remove_button: has_file and state is not ZoneState.UPLOADING,
        }
        for widget, visible in shown.items():
            if visible:
                widget.setVisible(True)
        self._keep_focus(shown)
        for widget, visible in shown.items():
            if not visible:
                widget.setVisible(False)

    def _keep_focus(self, shown: dict[QWidget, bool]) -> None:
        """The keyboard is on a button of this zone that is about to go (Browse… once a
        file is chosen, Cancel once it is uploaded): move it to the zone's next button
        first, so it neither jumps to the top of the window nor flickers on the way."""
        focus = QApplication.focusWidget()
        if focus is None or focus.window() is not self.window():
            focus = self.window().focusWidget()  # a dialog is up: where focus returns
        if focus is None or not (focus is self or self.isAncestorOf(focus)):
            return
        going = focus is self or any(
            not visible and (widget is focus or widget.isAncestorOf(focus))
            for widget, visible in shown.items()
        )
        if not going:
            return
        for button, owner in (
            (self.remove_button, self.remove_button),
            (self.cancel_button, self.cancel_button),
            (self.retry_button, self.retry_button),
            (self.target.browse_button, self.target),
            (self.target.remote_button, self.target),
        ):
            if shown.get(owner) and not button.isHidden():
                button.setFocus(Qt.FocusReason.OtherFocusReason)
                return
        self.setFocus(Qt.FocusReason.OtherFocusReason)  # until one of them is back

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

    def is_batch(self, items: list[str]) -> bool:
        """A folder or several local files, which go to a batch (when batches are on)."""
        if not self.batch_enabled or self.decl.asset_type != "file" or not items:
            return False
        if len(items) > 1:
            return all(Path(item).is_absolute() for item in items)
        return Path(items[0]).is_absolute() and os.path.isdir(items[0])

    def refusal_for(self, items: list[str]) -> str | None:
        """Why dropping ``items`` here would be refused (decided from their names, the
        rules the full check uses after the drop), or None when they would be taken."""
        if self.is_batch(items):
            return None  # the plan checks each file and says which are skipped
        if not self._takes_drops():
            return "Wait: the file here is still being checked or uploaded."
        return drag_verdict(items, self.decl)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802 - Qt API
        # URLs only (files, and web links so they can be refused with a reason); not text.
        items = dropped_items(event.mimeData()) if event.mimeData().hasUrls() else []
        if not items:
            event.ignore()
            return
        # Accepted either way: the zone says, before the drop, whether it would take it.
        event.acceptProposedAction()
        self._set_drag(True, self.refusal_for(items), items)

    def dragMoveEvent(self, event: QDragMoveEvent) -> None:  # noqa: N802 - Qt API
        if self._drag_active:
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragLeaveEvent(self, event: QDragLeaveEvent) -> None:  # noqa: N802 - Qt API
        self._set_drag(False)
        super().dragLeaveEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802 - Qt API
        self._set_drag(False)
        items = dropped_items(event.mimeData())
        if not items:
            event.ignore()
            return
        event.acceptProposedAction()
        refusal = self.refusal_for(items)
        if refusal is not None:
            # Refused here, from the names: the file already in the zone stays.
            self.show_rejected(refusal)
            return
        if self.is_batch(items):
            self.batch_dropped.emit(self.key, items)
            return
        self.files_dropped.emit(self.key, items)

    def _set_drag(self, active: bool, refusal: str | None = None, items: list[str] = ()) -> None:  # type: ignore[assignment]
        self._drag_active = active
        self._drag_refusal = refusal if active else None
        if active:
            name = display_name(Path(items[0]).name) if len(items) == 1 else ""
            if refusal is not None:
                text = f"✕ {refusal}"
            elif self.is_batch(items):
                what = (
                    f"each file in “{name}”" if len(items) == 1 else f"each of {len(items)} files"
                )
                text = f"Release to run the route on {what} (you see the plan first)."
            elif self.holds_file:
                text = f"Release to use “{name}” instead."
            else:
                text = f"Release to use “{name}”."
            self.drag_label.setText(text)
            self._colour_drag_label()
        self.drag_label.setVisible(active)
        self.setProperty("dragVerdict", "" if not active else ("refuse" if refusal else "accept"))
        self.update()

    def _colour_drag_label(self) -> None:
        palette = self.drag_label.palette()
        colour = (
            self.drag_colour()
            if self._drag_refusal is not None
            else readable(self.palette().color(QPalette.ColorRole.Text), self.drag_fill(), TEXT)
        )
        palette.setColor(QPalette.ColorRole.WindowText, colour)
        self.drag_label.setPalette(palette)

    @property
    def drag_active(self) -> bool:
        return self._drag_active

    @property
    def drag_refusal(self) -> str | None:
        """While a file is dragged over the zone: why it would be refused (None: taken)."""
        return self._drag_refusal

    def drag_fill(self) -> QColor:
        """The zone's inside while a file is dragged over it: a wash of the verdict's hue."""
        base = (
            reject_colour(self.palette()) if self._drag_refusal else accept_colour(self.palette())
        )
        return tint(self.palette(), base)

    def drag_colour(self) -> QColor:
        """The highlight of a drag: the accept colour, or the refuse colour (which the
        reason is written in, so it reads at 4.5:1 on :meth:`drag_fill`)."""
        if self._drag_refusal is not None:
            return reject_colour(self.palette(), self.drag_fill())
        return accept_colour(self.palette())

    def border_colour(self) -> QColor:
        """What the zone's outline is drawn in now."""
        return self.drag_colour() if self._drag_active else border_colour(self.palette())

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        palette = self.palette()
        rect = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        if self._drag_active:
            colour = self.drag_colour()
            painter.setBrush(self.drag_fill())
            pen = QPen(colour, 2)
            if self._drag_refusal is not None:
                pen.setStyle(Qt.PenStyle.DashLine)  # not by colour alone
            painter.setPen(pen)
        else:
            painter.setBrush(palette.color(QPalette.ColorRole.Base))
            painter.setPen(QPen(self.border_colour(), 1))
        painter.drawRoundedRect(rect, 8, 8)

    # -- buttons --------------------------------------------------------------------------
    def _on_browse_clicked(self) -> None:
        if self.chooser is not None:
            self.chooser(self)
            return
        # Non-modal (open(), not exec()): no nested event loop under qasync. It starts in
        # the folder of the last file chosen, else the home folder (never the process's
        # working folder, which is "/" for an app started from a launcher).
        dialog = QFileDialog(self, f"Choose {input_phrase(self.title, self.decl)}")
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        dialog.setNameFilters(name_filters(self.decl))
        dialog.setDirectory(self.start_folder or str(Path.home()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(self._on_file_dialog_file_selected)
        self.file_dialog = dialog
        dialog.open()

    def _on_file_dialog_file_selected(self, path: str) -> None:
        self.file_dialog = None
        self.choose_path(path)

    def choose_path(self, path: str) -> None:
        """A file picked with Browse… (or its stand-in): handled exactly like a drop of it."""
        if path:
            self.start_folder = str(Path(path).parent)
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
        self.remove_clicked.emit(self.key)
        self.clear()
        self.removed.emit(self.key)
