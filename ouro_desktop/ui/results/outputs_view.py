"""Outputs shown, not just listed: one :class:`OutputCard` per file, dataset or post a run
made, with its kind in plain words ("image (PNG)", never a MIME type), its size, a preview
where one fits (a picture, a structure card, the start of a text; see
:mod:`~ouro_desktop.ui.results.previews`), and Open and Save….

Rows come from the action's ``output_assets`` (ouro-protocol.md §7.1) and from outputs the
answer names (:class:`~ouro_desktop.core.result_view.OutputInfo`). Cards never fetch: they
ask through an :class:`OutputBoard`, the run's shared output state, which the controller
answers (download progress, the saved path, a preview payload). The result view and the
Outputs tab show cards of the same board, so an output is fetched and previewed once.

A **dataset** output's preview is a page of its rows with Previous/Next (each page asked
through :meth:`OutputBoard.want_page`, read from Ouro alone: the table is never held whole)
and Save as CSV…, its columns by title with units and its numbers rounded (the route's
schema names them when it has the same fields, :mod:`~ouro_desktop.core.dataset_titles`);
a **post** output's preview is its text (markdown without HTML) and Save
as text…. Both are saved as Ouro exports them (``download_asset``), not from the cache.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final

from PySide6.QtCore import QObject, Qt, Signal
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

from ouro_desktop.api.models import Action, Route
from ouro_desktop.core.cif_preview import PREVIEW_EXTENSIONS, CifPreview
from ouro_desktop.core.dataset_titles import schema_column_titles
from ouro_desktop.core.file_checks import format_size
from ouro_desktop.core.output_kinds import asset_kind, preview_family
from ouro_desktop.core.response_schema import response_schema
from ouro_desktop.core.result_view import OutputInfo
from ouro_desktop.ui.common.labels import ElidedLabel, muted, plain_label, plain_tip
from ouro_desktop.ui.results.previews import AUTO_PREVIEW_BYTES, StructurePreview, preview_kind

__all__ = [
    "OutputBoard",
    "OutputCard",
    "OutputItem",
    "OutputState",
    "OutputsView",
    "item_from_info",
    "output_items",
]


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
    named_kind: str = ""  # the kind the answer gave, when it is known better than here
    named_family: str = ""
    # A dataset's columns as the route's schema names them: stored name -> (label, unit).
    column_titles: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False)

    @property
    def is_file(self) -> bool:
        return self.asset_type == "file"

    @property
    def is_cif(self) -> bool:
        return self.is_file and self.extension in PREVIEW_EXTENSIONS

    @property
    def kind(self) -> str:
        """In plain words: "crystal structure (CIF)", "image (PNG)", "dataset (table)"."""
        return self.named_kind or asset_kind(self.asset_type, self.name, self.extension, self.mime)

    @property
    def family(self) -> str:
        """How it is previewed: a file's family ("image", "text", ...), else its asset type
        ("dataset", "post"), for a :data:`~ouro_desktop.ui.results.previews.PREVIEWS` entry."""
        if self.named_family:
            return self.named_family
        if not self.is_file:
            return self.asset_type
        return preview_family(self.name, self.extension, self.mime)

    @property
    def type_text(self) -> str:
        return self.kind

    @property
    def is_dataset(self) -> bool:
        return self.asset_type == "dataset"

    @property
    def is_post(self) -> bool:
        return self.asset_type == "post"

    @property
    def can_save(self) -> bool:
        """A file, or a dataset or post Ouro exports as a file (CSV, markdown text)."""
        return self.is_file or self.asset_type in SAVED_AS


# What a dataset or a post is saved as: Ouro exports it as this kind of file.
SAVED_AS: Final = {"dataset": "csv", "post": "md"}
_SAVE_WORDS: Final = {
    "dataset": ("Save as CSV…", "the whole table"),
    "post": ("Save as text…", "the text"),
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _suggested(name: str, extension: str, declared: str | None, fallback: str) -> str:
    suggested = declared if isinstance(declared, str) and declared.strip() else name
    if extension and not suggested.lower().endswith(f".{extension}"):
        suggested = f"{suggested}.{extension}"
    return Path(suggested).name or fallback


def output_items(action: Action | None, route: Route | None = None) -> list[OutputItem]:
    """The run's output assets, primary first; rows without an asset id are skipped.
    ``route``: the run's route, whose response schema titles a dataset's columns."""
    if action is None:
        return []
    titles = schema_column_titles(response_schema(route)) if route is not None else {}
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
        declared = _dict(response.get(key)).get("filename")
        asset_type = str(row.get("asset_type") or asset.get("asset_type") or "file")
        saved_as = SAVED_AS.get(asset_type, extension)
        items.append(
            OutputItem(
                key=key,
                asset_id=asset_id,
                asset_type=asset_type,
                name=name,
                extension=extension,
                mime=mime,
                size=size if isinstance(size, int) and not isinstance(size, bool) else None,
                suggested_name=_suggested(name, saved_as, declared, asset_id),
                column_titles=titles if asset_type == "dataset" else {},
            )
        )
    return items


def item_from_info(
    info: OutputInfo, column_titles: Mapping[str, tuple[str, str]] | None = None
) -> OutputItem | None:
    """An output the answer names, as a card's item (None without an asset id);
    ``column_titles`` as :func:`output_items` finds them."""
    if not info.asset_id:
        return None
    return OutputItem(
        key=info.key,
        asset_id=info.asset_id,
        asset_type=info.asset_type,
        name=info.name,
        extension=info.extension,
        mime="",
        size=None,
        suggested_name=_suggested(
            info.name, SAVED_AS.get(info.asset_type, info.extension), None, info.asset_id
        ),
        named_kind=info.kind,
        named_family=info.family,
        column_titles=dict(column_titles or {}) if info.asset_type == "dataset" else {},
    )


@dataclass
class OutputState:
    """What is known of one output while its run is shown."""

    progress: tuple[int, int] | None = None  # bytes done, total (0: unknown)
    saved: str = ""  # where Save… put it
    error: str = ""  # the last download's failure
    preview: Any = None  # the payload its PreviewKind loaded
    preview_error: str = ""
    loading: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


class OutputBoard(QObject):
    """The outputs of the run on show: their items, and state shared by every card."""

    changed = Signal(str)  # asset id
    preview_requested = Signal(str, str)  # asset id, family
    page_requested = Signal(str, str, int)  # asset id, family, offset of the page wanted
    open_requested = Signal(str)  # asset id
    save_requested = Signal(str, str)  # asset id, suggested file name

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._states: dict[str, OutputState] = {}
        self._items: dict[str, OutputItem] = {}

    def reset(self, items: list[OutputItem] | None = None) -> None:
        """Another run: forget every state; ``items`` are what its action lists."""
        self._states.clear()
        self._items = {item.asset_id: item for item in items or []}

    def add_items(self, items: list[OutputItem]) -> None:
        for item in items:
            self._items.setdefault(item.asset_id, item)

    def item(self, asset_id: str) -> OutputItem | None:
        return self._items.get(asset_id)

    def state(self, asset_id: str) -> OutputState:
        return self._states.setdefault(asset_id, OutputState())

    def _update(self, asset_id: str, **changes: Any) -> None:
        self._states[asset_id] = replace(self.state(asset_id), **changes)
        self.changed.emit(asset_id)

    def want_preview(self, item: OutputItem) -> None:
        """A card would show a preview: asked once per output, when its kind has one and
        it is not too big to fetch unasked."""
        state = self.state(item.asset_id)
        if state.loading or state.preview is not None or state.preview_error:
            return
        if preview_kind(item.family, item.extension) is None:
            return
        known = self._items.get(item.asset_id, item)
        if known.size is not None and known.size > AUTO_PREVIEW_BYTES:
            return
        self._update(item.asset_id, loading=True)
        self.preview_requested.emit(item.asset_id, item.family)

    def want_page(self, item: OutputItem, offset: int) -> None:
        """A paged preview (a dataset's rows) asks for the page from ``offset``; the page on
        show stays until it comes."""
        state = self.state(item.asset_id)
        if state.loading or state.preview is None:
            return
        self._update(item.asset_id, loading=True, preview_error="")
        self.page_requested.emit(item.asset_id, item.family, offset)

    def set_progress(self, asset_id: str, done: int, total: int) -> None:
        self._update(asset_id, progress=(done, total), error="")

    def set_saved(self, asset_id: str, path: str) -> None:
        self._update(asset_id, progress=None, saved=path, error="")

    def set_fetched(self, asset_id: str) -> None:
        self._update(asset_id, progress=None, error="")

    def set_failed(self, asset_id: str, message: str) -> None:
        self._update(asset_id, progress=None, error=message, loading=False)

    def set_preview(self, asset_id: str, payload: Any) -> None:
        self._update(asset_id, preview=payload, preview_error="", loading=False, progress=None)

    def set_preview_failed(self, asset_id: str, message: str) -> None:
        self._update(asset_id, preview_error=message, loading=False, progress=None)


class OutputCard(QFrame):
    """One output: name, kind and size, Open and Save…, progress, its preview."""

    def __init__(self, item: OutputItem, board: OutputBoard, parent: QWidget | None = None):
        super().__init__(parent)
        known = board.item(item.asset_id)
        self.item = known if known is not None else item
        self.board = board
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAccessibleName(f"Output: {self.item.name}")
        self.name_label = ElidedLabel(self)
        self.name_label.setText(self.item.name)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        details = [self.item.kind]
        if self.item.size is not None:
            details.append(format_size(self.item.size))
        self.details_label = muted(plain_label(self, "  ·  ".join(details), name="Output kind"))
        self.open_button = QPushButton("Open", self)
        self.open_button.setToolTip("Open it with this computer's app for this kind of file")
        self.open_button.clicked.connect(lambda: board.open_requested.emit(self.item.asset_id))
        self.save_button = QPushButton("Save…", self)
        self.save_button.setToolTip(plain_tip(f"Save {self.item.suggested_name} on this computer"))
        self.save_button.clicked.connect(
            lambda: board.save_requested.emit(self.item.asset_id, self.item.suggested_name)
        )
        # the old name of Save…, kept for callers that click "download"
        self.download_button = self.save_button
        self.open_button.setVisible(self.item.is_file)
        self.save_button.setVisible(self.item.can_save)
        if self.item.asset_type in _SAVE_WORDS:  # a dataset or post: saved as Ouro exports it
            words, what = _SAVE_WORDS[self.item.asset_type]
            self.save_button.setText(words)
            self.save_button.setToolTip(f"Save {what} as {self.item.suggested_name}")
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.status_label = plain_label(self, name="Output status")
        self.status_label.setWordWrap(True)
        self.status_label.hide()
        self.kind = preview_kind(self.item.family, self.item.extension)
        self.preview: QWidget | None = self.kind.widget(self) if self.kind else None
        if self.preview is not None:
            self.preview.hide()
            if hasattr(self.preview, "clicked"):
                self.preview.clicked.connect(lambda: board.open_requested.emit(item.asset_id))
            if hasattr(self.preview, "set_column_titles"):  # a run's dataset: read, not raw
                self.preview.set_column_titles(self.item.column_titles)
            if hasattr(self.preview, "page_requested"):  # a dataset's Previous / Next
                self.preview.page_requested.connect(
                    lambda offset: board.want_page(self.item, offset)
                )
        self._shown: tuple[Any, bool] = (None, False)  # the payload on show, still loading
        self.note_label = muted(plain_label(self, name="Preview note"))
        self.note_label.setWordWrap(True)
        self.note_label.hide()

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        text = QVBoxLayout()
        text.setSpacing(0)
        text.addWidget(self.name_label)
        text.addWidget(self.details_label)
        top.addLayout(text, 1)
        top.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.save_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 6, 8, 6)
        layout.addLayout(top)
        if self.preview is not None:
            layout.addWidget(self.preview)
        layout.addWidget(self.note_label)
        layout.addWidget(self.progress)
        layout.addWidget(self.status_label)
        board.changed.connect(self._on_board_changed)
        self._render()
        board.want_preview(self.item)

    def _on_board_changed(self, asset_id: str) -> None:
        if asset_id == self.item.asset_id:
            self._render()

    def _render(self) -> None:
        state = self.board.state(self.item.asset_id)
        if state.progress is not None:
            done, total = state.progress
            self.progress.show()
            if total > 0:
                self.progress.setRange(0, 1000)
                self.progress.setValue(max(0, min(1000, round(1000 * done / total))))
                self.progress.setFormat(f"{format_size(done)} of {format_size(total)}")
            else:
                self.progress.setRange(0, 0)  # size unknown: a busy bar
        else:
            self.progress.hide()
        self.save_button.setEnabled(state.progress is None)
        status = ""
        if state.error:
            status = f"⚠ {state.error}"
        elif state.saved:
            status = f"Saved to {state.saved}"
        elif state.loading and state.progress is None and state.preview is None:
            status = "Preparing the preview…"
        self.status_label.setText(status)
        self.status_label.setToolTip(plain_tip(state.saved))
        self.status_label.setVisible(bool(status))
        note = ""
        if self.kind is not None and self.preview is not None:
            if state.preview is not None:
                # Shown again only when it changed (a save's progress leaves it as it is).
                shown = (state.preview, state.loading)
                if shown[0] is not self._shown[0] or shown[1] != self._shown[1]:
                    if state.loading and hasattr(self.preview, "show_loading"):
                        self.preview.show_loading()  # another page on its way
                    else:
                        self.kind.show(self.preview, state.preview)
                    self._shown = shown
                self.preview.show()
                note = self.kind.note(state.preview)
                if state.preview_error:  # another page could not be read
                    note = f"⚠ {state.preview_error}"
            elif state.preview_error:
                note = f"No preview: {state.preview_error}"
        self.note_label.setText(note)
        self.note_label.setVisible(bool(note))

    # -- kept for callers of the earlier row widget --------------------------------------------
    def show_preview(self, preview: CifPreview | None, error: str | None = None) -> None:
        if preview is not None:
            size = self.item.size or 0
            self.board.set_preview(
                self.item.asset_id, StructurePreview(self.item.name, size, preview)
            )
        else:
            self.board.set_preview_failed(self.item.asset_id, error or "")


class OutputsView(QWidget):
    """The Outputs tab: a card per output of one run, or a note that it made none."""

    download_requested = Signal(str, str)  # asset id, suggested file name
    open_requested = Signal(str)  # asset id

    def __init__(self, board: OutputBoard | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.board = board or OutputBoard(self)
        self.board.save_requested.connect(self.download_requested)
        self.board.open_requested.connect(self.open_requested)
        self._cards: dict[str, OutputCard] = {}
        self._items: list[OutputItem] = []
        self.empty_label = muted(QLabel("This run produced no files, tables or posts.", self))
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
        """Show ``items`` (cards of outputs already shown are kept, with their state)."""
        if items == self._items:
            return
        self._items = list(items)
        kept = {item.asset_id for item in items}
        for asset_id in [a for a in self._cards if a not in kept]:
            gone = self._cards.pop(asset_id)
            gone.hide()
            gone.deleteLater()
        for position, item in enumerate(items):
            card = self._cards.get(item.asset_id)
            if card is None or card.item != item:
                if card is not None:
                    card.hide()
                    card.deleteLater()
                card = OutputCard(item, self.board, self._container)
                self._cards[item.asset_id] = card
            self._column.insertWidget(position, card)
            card.show()  # at once, even when the tab is already on screen
        self.empty_label.setVisible(not items)
        self._scroll.setVisible(bool(items))

    def items(self) -> list[OutputItem]:
        return list(self._items)

    def card(self, asset_id: str) -> OutputCard | None:
        return self._cards.get(asset_id)

    row = card  # the earlier name

    def clear(self) -> None:
        self.set_outputs([])
