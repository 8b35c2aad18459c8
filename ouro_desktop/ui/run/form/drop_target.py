"""The empty drop zone's target: a dashed "Drop a file here" box with Browse… and "Choose
from my Ouro files…", plus the zone's title and the Browse… dialog's name filters.

Drawn with palette roles only, so it reads in light and dark themes.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ouro_desktop.api.models import InputDeclaration
from ouro_desktop.core.file_checks import FILTER_EXTENSIONS, display_name
from ouro_desktop.ui.common.labels import muted
from ouro_desktop.ui.common.theme import border_colour

__all__ = ["DropTarget", "name_filters", "title_for"]


def title_for(key: str) -> str:
    """``structure_file`` → ``Structure file`` (the key stays in the tooltip)."""
    words = display_name(key).replace("_", " ").replace("-", " ").strip()
    return (words[:1].upper() + words[1:]) if words else "File"


def name_filters(decl: InputDeclaration) -> list[str]:
    """Browse… filters: the accepted extensions (both cases, for case-sensitive dialogs)."""
    exts = decl.file_extensions
    if not exts and decl.input_filter:
        exts = FILTER_EXTENSIONS.get(decl.input_filter, ())
    if not exts:
        return ["All files (*)"]
    patterns = " ".join(f"*.{e} *.{e.upper()}" for e in exts)
    label = (decl.input_filter or "Accepted files").capitalize()
    return [f"{label} ({patterns})", "All files (*)"]


class DropTarget(QFrame):
    """The dashed "Drop a file here" box with its two buttons."""

    def __init__(self, decl: InputDeclaration, parent: QWidget) -> None:
        super().__init__(parent)
        self.setMinimumHeight(84)
        local = decl.asset_type == "file"
        self.prompt = QLabel(
            "Drop a file here" if local else f"This input takes an Ouro {decl.asset_type}", self
        )
        font = self.prompt.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        self.prompt.setFont(font)
        self.prompt.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.prompt.setAccessibleName("Drop a file here")
        self.browse_button = QPushButton("&Browse…", self)
        self.remote_button = QPushButton("Choose from my Ouro files…", self)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        self.or_label = muted(QLabel("or", self))
        buttons.addWidget(self.or_label)
        buttons.addWidget(self.browse_button)
        buttons.addWidget(self.remote_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.prompt)
        layout.addLayout(buttons)
        # A dataset or post input can only be chosen on Ouro: no local file to browse for.
        self.or_label.setVisible(local)
        self.browse_button.setVisible(local)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pen = QPen(border_colour(self.palette()), 1.5, Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 6, 6)
