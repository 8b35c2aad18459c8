"""A message shown in place, where the user is looking: warning icon, text, optional button.

Used for a failed search (with Retry) and for an "Open by name" entry that isn't a route.
The icon comes from the style and the text from the palette, so no colour is hard-coded.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

__all__ = ["InlineNotice"]


class InlineNotice(QFrame):
    """Hidden until :meth:`show_message`; ``button`` is None unless ``button_text`` is given."""

    def __init__(
        self, accessible_name: str, button_text: str | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        icon = QLabel(self)
        size = self.style().pixelMetric(QStyle.PixelMetric.PM_SmallIconSize)
        warning = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        icon.setPixmap(warning.pixmap(size, size))
        icon.setAccessibleName("Warning")
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.label.setAccessibleName(f"{accessible_name} message")
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(icon, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.label, 1)
        self.button: QPushButton | None = None
        if button_text is not None:
            self.button = QPushButton(button_text, self)
            self.button.setAccessibleName(button_text.replace("&", ""))
            row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def text(self) -> str:
        return self.label.text()

    def show_message(self, message: str) -> None:
        self.label.setText(message)
        self.setAccessibleDescription(message)
        self.show()

    def clear(self) -> None:
        self.hide()
        self.label.clear()
        self.setAccessibleDescription("")
