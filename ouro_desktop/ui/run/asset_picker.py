""" "Choose one of my …": a list of the user's Ouro assets of the type an input takes.

:class:`AssetPicker` lists files (name, kind, size, updated), datasets (name, rows,
columns, updated) or posts (title, first lines, updated). An item that does not fit the
input (an image input offered a ``.cif``) is greyed, and selecting it says why
(:func:`~ouro_desktop.core.asset_inputs.asset_fits`) and keeps "Use this" off: a pick is
refused before any run. A box above the list narrows it by name.

The dialog is non-blocking (``open()``, never ``exec()``: no nested event loop under
qasync); :func:`choose_asset` opens one and returns a future the dialog's ``finished``
resolves. Row counts of datasets arrive while it is open (:meth:`AssetPicker.set_rows`).
Every name and text from the server is plain text.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.api.asset_models import AnyAsset, DatasetAsset, PostAsset
from ouro_desktop.api.models import FileAsset
from ouro_desktop.core.asset_inputs import Fit, InputNeed, asset_fits, file_kind_text
from ouro_desktop.core.file_checks import display_name, format_size
from ouro_desktop.ui.common.labels import muted, plain_label

__all__ = ["AssetPicker", "choose_asset"]

_NOUNS = {"file": "files", "dataset": "datasets", "post": "posts"}
_HEADERS = {
    "file": ["Name", "Kind", "Size", "Updated"],
    "dataset": ["Name", "Rows", "Columns", "Updated"],
    "post": ["Title", "First lines", "Updated"],
}


def _when(moment: datetime | None) -> str:
    if moment is None:
        return "—"
    local = moment.astimezone() if moment.tzinfo is not None else moment
    return local.strftime("%Y-%m-%d %H:%M")


def _updated(asset: AnyAsset) -> datetime | None:
    return getattr(asset, "last_updated", None) or getattr(asset, "created_at", None)


def _cells(asset: AnyAsset) -> list[str]:
    name = display_name(asset.name or asset.id)
    when = _when(_updated(asset))
    if isinstance(asset, DatasetAsset):
        return [name, "…", f"{len(asset.columns):,}" if asset.columns else "—", when]
    if isinstance(asset, PostAsset):
        return [name, " · ".join(asset.first_lines(2, 80)) or "—", when]
    if isinstance(asset, FileAsset):
        size = format_size(asset.size) if asset.size is not None else "—"
        return [name, file_kind_text(asset), size, when]
    return [name, when]


# What to do instead when there is nothing to choose from.
_MAKE_ONE = {
    "dataset": "Cancel, then drop a table (CSV or TSV) on the input to make one.",
    "post": "Cancel, then use “Write a short text…” to make one.",
    "file": "Cancel, then drop a file on the input (or Browse…) to upload one.",
}


_MAX_DETAIL_WIDTH = 340  # px: a column after the name never takes more than this


def _empty_text(asset_type: str, noun: str) -> str:
    return " ".join(x for x in (f"You have no {noun} on Ouro yet.", _MAKE_ONE.get(asset_type)) if x)


class AssetPicker(QDialog):
    """Pick one asset for an input (see the module docstring)."""

    def __init__(
        self, need: InputNeed, assets: Sequence[AnyAsset], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.need = need
        self.assets = list(assets)
        noun = _NOUNS.get(need.asset_type, f"{need.asset_type}s")
        self.setWindowTitle(f"Choose one of your {noun}")
        self.setModal(True)
        self.resize(640, 420)
        self.intro = plain_label(
            self, f"For “{display_name(need.title)}”, which takes {_takes(need)}."
        )
        self.intro.setWordWrap(True)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText(f"Find by name among {len(self.assets):,} {noun}")
        self.filter_edit.setAccessibleName(f"Find {noun} by name")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter_changed)
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAccessibleName(f"Your {noun}")
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        headers = _HEADERS.get(need.asset_type, ["Name", "Updated"])
        self.tree.setHeaderLabels(headers)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setStretchLastSection(False)
        self.reason_label = plain_label(self, name="Why this one can't be used")
        self.reason_label.setWordWrap(True)
        self.empty_label = muted(plain_label(self, _empty_text(need.asset_type, noun)))
        self.empty_label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.use_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.use_button.setText("Use this")
        self.buttons.accepted.connect(self._on_buttons_accepted)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.reason_label)
        layout.addWidget(self.buttons)

        self.fits: dict[str, Fit] = {}
        self._items: dict[str, QTreeWidgetItem] = {}
        muted_brush = self.palette().brush(QPalette.ColorRole.PlaceholderText)
        for asset in self.assets:
            fit = asset_fits(need, asset)
            self.fits[asset.id] = fit
            item = QTreeWidgetItem(_cells(asset))
            item.setData(0, Qt.ItemDataRole.UserRole, asset.id)
            for column in range(1, len(headers)):
                item.setTextAlignment(column, Qt.AlignmentFlag.AlignLeft)
            if not fit.ok:
                for column in range(len(headers)):
                    item.setForeground(column, muted_brush)
                item.setToolTip(0, fit.reason)
            self.tree.addTopLevelItem(item)
            self._items[asset.id] = item
        for column in range(1, len(headers)):
            self.tree.resizeColumnToContents(column)
            # A post's first lines are long: cut to a width that leaves its title readable
            # (seen at 1366×768: "Sample: note…" beside one full-length line).
            if self.tree.columnWidth(column) > _MAX_DETAIL_WIDTH:
                self.tree.setColumnWidth(column, _MAX_DETAIL_WIDTH)
        self.tree.itemSelectionChanged.connect(self._on_tree_selection_changed)
        self.tree.itemDoubleClicked.connect(self._on_tree_item_double_clicked)
        self.empty_label.setVisible(not self.assets)
        self.tree.setVisible(bool(self.assets))
        self.filter_edit.setVisible(len(self.assets) > 8)
        if not self.assets:
            # Nothing to list: the two sentences read together at the top, the buttons
            # under them, in a dialog no taller than that (the hidden list left its room
            # to be shared out as gaps between them).
            layout.insertStretch(layout.indexOf(self.buttons), 1)
            self.resize(self.width(), layout.totalHeightForWidth(self.width()))
        self.chosen: AnyAsset | None = None
        first = next((a for a in self.assets if self.fits[a.id].ok), None)
        if first is not None:
            self.tree.setCurrentItem(self._items[first.id])
        self._on_tree_selection_changed()

    # -- filled in while open -------------------------------------------------------------
    def set_rows(self, asset_id: str, rows: int | None) -> None:
        """A dataset's row count, once known (``None``: it could not be read)."""
        item = self._items.get(asset_id)
        if item is not None and self.need.asset_type == "dataset":
            item.setText(1, f"{rows:,}" if rows is not None else "—")

    def row_text(self, asset_id: str) -> list[str]:
        item = self._items[asset_id]
        return [item.text(c) for c in range(item.columnCount())]

    # -- choosing -------------------------------------------------------------------------
    def selected(self) -> AnyAsset | None:
        items = self.tree.selectedItems()
        if not items:
            return None
        asset_id = items[0].data(0, Qt.ItemDataRole.UserRole)
        return next((a for a in self.assets if a.id == asset_id), None)

    def select(self, asset_id: str) -> None:
        self.tree.setCurrentItem(self._items[asset_id])

    def _on_tree_selection_changed(self) -> None:
        asset = self.selected()
        fit = self.fits.get(asset.id) if asset is not None else None
        self.use_button.setEnabled(fit is not None and fit.ok)
        reason = fit.reason if fit is not None and not fit.ok else ""
        self.reason_label.setText(f"⚠ {reason}" if reason else "")
        self.reason_label.setVisible(bool(reason))

    def _on_tree_item_double_clicked(self, _item: QTreeWidgetItem, _column: int) -> None:
        self._on_buttons_accepted()

    def _on_buttons_accepted(self) -> None:
        asset = self.selected()
        if asset is None or not self.fits[asset.id].ok:
            return  # refused: the reason is on screen
        self.chosen = asset
        self.accept()

    def _on_filter_changed(self, text: str) -> None:
        wanted = text.strip().lower()
        for asset in self.assets:
            item = self._items[asset.id]
            item.setHidden(bool(wanted) and wanted not in (asset.name or "").lower())


def _takes(need: InputNeed) -> str:
    text = need.accepts_text
    if need.asset_type == "file" and not text.startswith(("a ", "an ", "any ")):
        return text.replace(" — ", ", ")
    return text


def choose_asset(
    parent: QWidget, need: InputNeed, assets: Sequence[AnyAsset]
) -> tuple[AssetPicker, asyncio.Future[AnyAsset | None]]:
    """Open a picker (non-blocking) and a future of what was chosen (``None``: cancelled)."""
    dialog = AssetPicker(need, assets, parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    future: asyncio.Future[AnyAsset | None] = asyncio.get_running_loop().create_future()

    def finished(_result: int) -> None:
        if not future.done():
            future.set_result(dialog.chosen)

    dialog.finished.connect(finished)
    dialog.open()
    return dialog, future
