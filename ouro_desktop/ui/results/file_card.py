"""The card a drop zone shows for a chosen file: its name and size, and for a CIF a preview.

The preview is what lets a person see they picked the right structure before anything is
uploaded: formula, cell lengths and angles, space group, atoms in the cell. Every text that
comes from the file (its name, its formula) is shown as plain text, never as HTML. Colours
come from the palette.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QVBoxLayout,
    QWidget,
)

from ouro_desktop.core.cif_preview import CifPreview
from ouro_desktop.core.file_checks import format_size
from ouro_desktop.ui.common.labels import ElidedLabel, muted, plain_label

__all__ = ["FileCard", "cell_text"]


def _number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def cell_text(preview: CifPreview) -> tuple[str, str]:
    """``("a = 3.615 Å   b = …", "α = 90°   β = …")`` for the preview grid."""
    lengths = "   ".join(
        f"{n} = {_number(v)} Å" for n, v in (("a", preview.a), ("b", preview.b), ("c", preview.c))
    )
    angles = "   ".join(
        f"{n} = {_number(v)}°"
        for n, v in (("α", preview.alpha), ("β", preview.beta), ("γ", preview.gamma))
    )
    return lengths, angles


class FileCard(QWidget):
    """File name and size, then the CIF preview (or why there is none)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name_label = ElidedLabel(self)
        font = self.name_label.font()
        font.setBold(True)
        self.name_label.setFont(font)
        self.size_label = muted(plain_label(self, name="File size"))

        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(self.name_label, 1)
        top.addWidget(self.size_label, 0)

        self.formula_label = plain_label(self, name="Formula")
        big = self.formula_label.font()
        big.setBold(True)
        big.setPointSizeF(big.pointSizeF() * 1.35)
        self.formula_label.setFont(big)
        self.lengths_label = plain_label(self, name="Cell lengths")
        self.angles_label = plain_label(self, name="Cell angles")
        self.space_group_label = plain_label(self, name="Space group")
        self.atoms_label = plain_label(self, name="Atoms in the unit cell")
        self.volume_label = plain_label(self, name="Cell volume")
        self.notes_label = muted(plain_label(self, name="Notes"))
        self.notes_label.setWordWrap(True)
        self.preview_error_label = plain_label(self, name="Preview problem")
        self.preview_error_label.setWordWrap(True)

        self.details = QWidget(self)
        grid = QGridLayout(self.details)
        grid.setContentsMargins(0, 2, 0, 0)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(2)
        rows = (
            ("Cell", self.lengths_label),
            ("", self.angles_label),
            ("Space group", self.space_group_label),
            ("Atoms in cell", self.atoms_label),
            ("Volume", self.volume_label),
        )
        for row, (caption, value) in enumerate(rows):
            if caption:
                grid.addWidget(muted(plain_label(self.details, caption)), row, 0)
            grid.addWidget(value, row, 1)
        grid.setColumnStretch(1, 1)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addLayout(top)
        layout.addWidget(self.formula_label)
        layout.addWidget(self.details)
        layout.addWidget(self.notes_label)
        layout.addWidget(self.preview_error_label)
        self.clear()

    def clear(self) -> None:
        self.name_label.setText("")
        self.size_label.setText("")
        self._show_preview(None, None)

    def show_file(
        self,
        name: str,
        size: int | None,
        preview: CifPreview | None = None,
        preview_error: str | None = None,
    ) -> None:
        self.name_label.setText(name)
        self.size_label.setText(format_size(size) if size is not None else "")
        self._show_preview(preview, preview_error)

    def preview_text(self) -> str:
        """Everything the preview shows, as one string (for tests and accessibility)."""
        parts = [self.name_label.text(), self.size_label.text()]
        for label in (
            self.formula_label,
            self.lengths_label,
            self.angles_label,
            self.space_group_label,
            self.atoms_label,
            self.volume_label,
            self.notes_label,
            self.preview_error_label,
        ):
            if not label.isHidden():
                parts.append(label.text())
        return "\n".join(p for p in parts if p)

    def _show_preview(self, preview: CifPreview | None, error: str | None) -> None:
        has = preview is not None
        self.formula_label.setVisible(has)
        self.details.setVisible(has)
        self.notes_label.setVisible(bool(preview and preview.notes))
        self.preview_error_label.setVisible(bool(error))
        self.preview_error_label.setText(f"⚠ No preview: {error}" if error else "")
        if preview is None:
            return
        self.formula_label.setText(preview.formula or "(no atoms)")
        lengths, angles = cell_text(preview)
        self.lengths_label.setText(lengths)
        self.angles_label.setText(angles)
        number = f" (No. {preview.space_group_number})" if preview.space_group_number else ""
        self.space_group_label.setText(preview.space_group + number)
        self.atoms_label.setText(str(preview.n_atoms))
        self.volume_label.setText(f"{preview.volume:.2f} Å³")
        self.notes_label.setText(" ".join(preview.notes))
