"""A one-line "… [Undo]" notice after an action that throws something away (Clear form,
Reset to defaults): the action happens at once, and one click brings back what it removed.

It lives as long as its cause: until the Undo is used, the user changes something else
(then undoing would throw that away instead), or the page shows another route.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

__all__ = ["UndoBar"]


class UndoBar(QFrame):
    """Hidden until :meth:`offer`; the Undo button calls the undo given there, once."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAccessibleName(name)
        self.label = QLabel(self)
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setWordWrap(True)
        self.button = QPushButton("&Undo", self)
        self.button.setAccessibleName("Undo")
        self.button.clicked.connect(self._on_button_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        row.addWidget(self.label, 1)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        self._undo: Callable[[], None] | None = None
        self.hide()

    def offer(self, text: str, undo: Callable[[], None]) -> None:
        self._undo = undo
        self.label.setText(text)
        self.button.setAccessibleDescription(text)
        self.show()

    def withdraw(self) -> None:
        """The cause is gone: no more Undo."""
        self._undo = None
        self.hide()

    @property
    def offered(self) -> bool:
        return self._undo is not None

    def text(self) -> str:
        return self.label.text() if self.offered else ""

    def _on_button_clicked(self) -> None:
        undo, self._undo = self._undo, None
        self.hide()
        if undo is not None:
            undo()
